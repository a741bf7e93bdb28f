// The SPARQL page: YASGUI on this server's endpoint, with the project's prefixes and the canned queries as examples.
//
// Its configuration (endpoint, prefixes, first query, examples) is the JSON in #kg-sparql-config, written by
// api/web/service_page.py. Nothing leaves this server: the class and property completions that YASGUI asks of Linked Open
// Vocabularies are replaced by completions from this endpoint, no other endpoint is suggested, and prefix.cc is
// never asked (YASGUI's bundled list is used). `window.kgYasgui` is the instance, for tests and the console.
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("kg-sparql-config").textContent);
  const Yasgui = window.Yasgui;
  const Yasqe = Yasgui.Yasqe;
  const JSON_RESULTS = "application/sparql-results+json";

  /** IRIs answered by a one-column SELECT on this endpoint (for completions). */
  function selectIris(query) {
    const body = new URLSearchParams({ query: query });
    return fetch(config.endpoint, { method: "POST", body: body, headers: { Accept: JSON_RESULTS } })
      .then((r) => (r.ok ? r.json() : { results: { bindings: [] } }))
      .then((data) =>
        data.results.bindings
          .map((row) => Object.values(row)[0])
          .filter((term) => term && term.type === "uri")
          .map((term) => term.value),
      )
      .catch(() => []);
  }

  // Classes and properties used in this graph, fetched once per editor (a few hundred IRIs at most).
  Yasqe.forkAutocompleter("class", {
    name: "kg-class",
    bulk: true,
    persistenceId: null,
    get: () => selectIris("SELECT DISTINCT ?class WHERE { ?s a ?class } ORDER BY ?class"),
  });
  Yasqe.forkAutocompleter("property", {
    name: "kg-property",
    bulk: true,
    persistenceId: null,
    get: () => selectIris("SELECT DISTINCT ?property WHERE { ?s ?property ?o } ORDER BY ?property"),
  });
  Yasqe.defaults.autocompleters = ["prefixes", "variables", "kg-class", "kg-property"];
  Yasqe.defaults.collapsePrefixesOnLoad = true;

  const host = document.getElementById("yasgui");
  const yasgui = new Yasgui(host, {
    requestConfig: { endpoint: config.endpoint, method: "POST" },
    endpointCatalogueOptions: {
      getData: () => [{ endpoint: config.endpoint }],
      keys: [],
    },
    copyEndpointOnNewTab: true,
    autofocus: false,
    tabName: "Requête",
    persistenceId: "kg-sparql",
    yasqe: { value: config.query },
    yasr: { prefixes: config.prefixes },
  });
  // Tabs kept in the browser's storage from an earlier visit query this server, wherever it now listens.
  for (const id of yasgui.persistentConfig.getTabs()) {
    const tab = yasgui.getTab(id);
    if (tab && tab.getEndpoint() !== config.endpoint) tab.setEndpoint(config.endpoint);
  }
  window.kgYasgui = yasgui;

  // An IRI in the results opens its page on this server, as the server's own pages link it (links.js: /id/… for
  // ours, /resource?iri=… for others), rather than the web address, which may not resolve. Links are rewritten
  // when they are about to be followed, so every page of a results table and every way of opening a link (click,
  // keyboard, new tab) gets it. Datatype links (in <sup>) stay as they are. The IRI is the attribute as YASR
  // wrote it, not the `href` property, which the browser would have percent-encoded already.
  function toResource(event) {
    const link = event.target.closest && event.target.closest("a.iri");
    if (!link || link.dataset.iri || link.closest("sup")) return;
    link.dataset.iri = link.getAttribute("href");
    link.href = window.kgPageOf(config.links, link.dataset.iri);
    link.removeAttribute("target");
  }
  for (const type of ["mousedown", "focusin", "click"]) host.addEventListener(type, toResource, true);

  const examples = new Map(config.examples.map((e) => [e.name, e]));
  for (const button of document.querySelectorAll("button[data-example]")) {
    button.addEventListener("click", () => {
      const example = examples.get(button.dataset.example);
      const tab = yasgui.addTab(
        true,
        { name: example.name, yasqe: { value: example.query }, requestConfig: { endpoint: config.endpoint } },
        { avoidDuplicateTabs: true },
      );
      host.scrollIntoView({ block: "start" });
      tab.query().catch(() => {}); // an error shows in the results pane
    });
  }
})();
