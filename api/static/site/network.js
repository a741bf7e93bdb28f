// The network page: Cytoscape.js over GET /network, filtered in the browser.
//
// The page (api/web/routers/network.py) gives, in #kg-network-config, the category of each node type (actor,
// territory, scheme, other), their colours, the French names of the kinds of link and how to link an IRI to its
// page (links.js, loaded first). What is drawn:
//   1. GET /network?kind=K[&territory=T], fetched once per (K, T) — the territory filter is the API's own; a
//      fetch that fails is forgotten, so the next change of filter asks again (#network-status says so);
//   2. the nodes whose category is ticked;
//   3. the edges between them whose kind of link is the one chosen (the relation in the full view, the kinds
//      of shared thing in the actor view);
//   4. with a scheme chosen, the scheme and what links to it (full view) or the actors that share it (actor view);
//   5. unless "masquer les nœuds sans lien" is unticked, only nodes that keep a link (the chosen territory or
//      scheme stays); with a kind of link or a scheme chosen, always so.
// A click (tap) on a node opens its page (/id/… for ours, /resource?iri=… for others); the search box finds nodes by label, ignoring case and
// accents, highlights them and centres the view on them. `window.kgNetwork` is the Cytoscape instance, and
// #network-graph's data-node-count / data-edge-count attributes say what is drawn (for tests and scripts).
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("kg-network-config").textContent);
  const form = document.getElementById("network-filters");
  const container = document.getElementById("network-graph");
  const status = document.getElementById("network-status");
  const list = document.getElementById("network-list");
  const labels = document.getElementById("node-labels");
  const linkSelect = document.getElementById("link");
  const cache = new Map();
  let request = 0; // the latest fetch wins when filters change quickly

  const cy = window.cytoscape({
    container: container,
    elements: [],
    minZoom: 0.1,
    maxZoom: 4,
    style: [
      {
        selector: "node",
        style: {
          "background-color": "data(colour)",
          label: "data(short)",
          "font-size": 9,
          "text-valign": "bottom",
          "text-margin-y": 2,
          color: "#1b1b1b",
          "text-outline-color": "#fff",
          "text-outline-width": 2,
          width: "data(size)",
          height: "data(size)",
        },
      },
      { selector: "edge", style: { width: "data(width)", "line-color": "#b8b8b8", "curve-style": "haystack", opacity: 0.8 } },
      { selector: "node.match", style: { "border-width": 4, "border-color": "#f0a500", "font-size": 13, "z-index": 10 } },
      { selector: "node:selected", style: { "border-width": 4, "border-color": "#f0a500" } },
      { selector: ".faded", style: { opacity: 0.25 } },
    ],
  });
  window.kgNetwork = cy;

  function fold(text) {
    return (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function pageOf(iri) {
    return window.kgPageOf(config.links, iri);
  }

  function categoryOf(node) {
    return config.types[node.type] || "other";
  }

  /** A node's type in French ("commune", from the ontology's labels), else the name of its category. */
  function typeName(node) {
    return (config.typeNames || {})[node.type] || config.categories[categoryOf(node)].label.split(" (")[0].toLowerCase();
  }

  /** The kinds of link of an edge: its relation's label (full view) or the kinds of thing shared (actor view). */
  function linkKinds(edge) {
    if (Array.isArray(edge.kinds)) return edge.kinds;
    return [edge.relation_label || edge.label || edge.relation || ""];
  }

  function linkKindLabel(kind) {
    return config.linkKinds[kind] || kind;
  }

  function state() {
    const data = new FormData(form);
    return {
      kind: data.get("kind") || "full",
      territory: data.get("territory") || "",
      scheme: data.get("scheme") || "",
      link: data.get("link") || "",
      categories: new Set(data.getAll("category")),
      hideIsolated: data.get("isolated") === "hide",
    };
  }

  function networkUrl(s) {
    const params = new URLSearchParams({ kind: s.kind, format: "json" });
    if (s.territory) params.set("territory", s.territory);
    return config.network + "?" + params.toString();
  }

  function load(s) {
    const url = networkUrl(s);
    if (!cache.has(url)) {
      const answer = fetch(url, { headers: { Accept: "application/json" } })
        .then((r) => {
          if (!r.ok) throw new Error("GET " + url + " : " + r.status);
          return r.json();
        })
        .catch((error) => {
          if (cache.get(url) === answer) cache.delete(url); // not kept: the next refresh fetches again
          throw error;
        });
      cache.set(url, answer);
    }
    return cache.get(url);
  }

  /** What to draw from the API's answer for the chosen filters (the rules in this file's header). */
  function select(data, s) {
    const nodes = new Map();
    for (const node of data.nodes) {
      if (s.categories.has(categoryOf(node))) nodes.set(node.id, node);
    }
    let edges = data.links.filter(
      (e) => nodes.has(e.source) && nodes.has(e.target) && (!s.link || linkKinds(e).includes(s.link)),
    );
    const keep = new Set();
    if (s.territory && nodes.has(s.territory)) keep.add(s.territory);
    if (s.scheme) {
      if (s.kind === "actors") {
        edges = edges.filter((e) => (e.via || []).includes(s.scheme));
      } else {
        edges = edges.filter((e) => e.source === s.scheme || e.target === s.scheme);
        if (nodes.has(s.scheme)) keep.add(s.scheme);
      }
    }
    let shown = [...nodes.values()];
    if (s.hideIsolated || s.link || s.scheme) {
      const linked = new Set(keep);
      for (const e of edges) {
        linked.add(e.source);
        linked.add(e.target);
      }
      shown = shown.filter((n) => linked.has(n.id));
    }
    return { nodes: shown, edges: edges };
  }

  function fillLinkKinds(data, chosen) {
    const kinds = new Set();
    for (const e of data.links) linkKinds(e).forEach((k) => k && kinds.add(k));
    const sorted = [...kinds].sort((a, b) => linkKindLabel(a).localeCompare(linkKindLabel(b), "fr"));
    linkSelect.replaceChildren(new Option("Tous les liens", ""));
    for (const k of sorted) linkSelect.add(new Option(linkKindLabel(k), k, false, k === chosen));
    if (chosen && !kinds.has(chosen)) linkSelect.value = "";
  }

  function draw(view) {
    const maxDegree = Math.max(1, ...view.nodes.map((n) => n.degree || 0));
    const elements = view.nodes.map((n) => ({
      group: "nodes",
      data: {
        id: n.id,
        iri: n.iri || n.id,
        label: n.label || n.id,
        short: (n.label || n.id).length > 28 ? (n.label || n.id).slice(0, 27) + "…" : n.label || n.id,
        type: n.type,
        typeName: typeName(n),
        colour: config.categories[categoryOf(n)].colour,
        size: 14 + 30 * Math.sqrt((n.degree || 0) / maxDegree),
      },
    }));
    view.edges.forEach((e, i) =>
      elements.push({
        group: "edges",
        data: {
          id: "e" + i,
          source: e.source,
          target: e.target,
          width: Math.min(6, 1 + Math.log2(e.count || 1)),
          kinds: linkKinds(e).map(linkKindLabel).join(", "),
        },
      }),
    );
    cy.elements().remove();
    cy.add(elements);
    cy.layout({ name: "cose", animate: false, randomize: true, nodeRepulsion: () => 9000, idealEdgeLength: () => 60, padding: 20 }).run();
    cy.fit(undefined, 20);
    container.dataset.nodeCount = String(cy.nodes().length);
    container.dataset.edgeCount = String(cy.edges().length);

    const sorted = [...view.nodes].sort((a, b) => (a.label || "").localeCompare(b.label || "", "fr"));
    list.replaceChildren(
      ...sorted.map((n) => {
        const li = document.createElement("li");
        const a = document.createElement("a");
        a.href = pageOf(n.iri || n.id);
        a.textContent = n.label || n.id;
        li.append(a, " (" + typeName(n) + ")");
        return li;
      }),
    );
    labels.replaceChildren(...sorted.map((n) => new Option(n.label || n.id)));
    status.textContent = `${view.nodes.length} nœuds et ${view.edges.length} liens affichés.`;
  }

  function refresh() {
    const s = state();
    const mine = ++request;
    status.textContent = "Chargement du réseau…";
    container.dataset.nodeCount = "";
    load(s)
      .then((data) => {
        if (mine !== request) return;
        fillLinkKinds(data, s.link);
        draw(select(data, { ...s, link: linkSelect.value }));
      })
      .catch((error) => {
        if (mine !== request) return;
        status.textContent =
          "Le réseau n'a pas pu être chargé (" + error.message + "). Changez un filtre ou rechargez la page pour réessayer.";
      });
  }

  function search(text) {
    const wanted = fold(text.trim());
    cy.elements().removeClass("match faded");
    if (!wanted) return;
    const matches = cy.nodes().filter((n) => fold(n.data("label")).includes(wanted));
    if (matches.length === 0) {
      status.textContent = `Aucun nœud affiché ne correspond à « ${text.trim()} ».`;
      return;
    }
    cy.elements().addClass("faded");
    matches.removeClass("faded").addClass("match");
    matches.connectedEdges().removeClass("faded");
    cy.nodes().unselect();
    matches.select();
    if (matches.length === 1) {
      // centre the node itself (cy.center would centre its box, label included)
      const zoom = Math.max(cy.zoom(), 1.5);
      const at = matches[0].position();
      cy.viewport({ zoom: zoom, pan: { x: cy.width() / 2 - at.x * zoom, y: cy.height() / 2 - at.y * zoom } });
    } else {
      cy.fit(matches, 60);
    }
    const names = matches.map((n) => n.data("label")).slice(0, 5).join(", ");
    status.textContent = `${matches.length} nœud(s) trouvé(s) : ${names}${matches.length > 5 ? "…" : ""}.`;
  }

  cy.on("tap", "node", (event) => {
    window.location.assign(pageOf(event.target.data("iri")));
  });
  cy.on("mouseover", "node", (event) => {
    container.title = event.target.data("label") + " (" + event.target.data("typeName") + ")";
  });
  cy.on("mouseover", "edge", (event) => {
    container.title = event.target.data("kinds");
  });

  form.addEventListener("change", (event) => {
    if (event.target.name !== "search") refresh(); // answers are cached: only a new view or territory fetches
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    search(document.getElementById("search").value);
  });

  refresh();
})();
