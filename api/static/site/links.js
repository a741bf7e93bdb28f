// The page on this server of an IRI, as api/web/filters.py `href` writes it, for the pages' scripts.
//
// `links` is the object api/web/service_page.py `page_links()` puts in a page's JSON configuration: our namespace (`id`)
// and where its pages live (`idPage`, the IRI's path after the namespace, percent-encoded like Python's
// `quote(path, safe=…)`), the ontology's IRI and page, and the page of any other IRI (`resource`, followed by the
// IRI form-encoded like Python's `urlencode`). tests/api/test_ui_sparql.py checks that both give the same URLs.
(function () {
  "use strict";

  function hex(c) {
    return "%" + c.charCodeAt(0).toString(16).toUpperCase();
  }

  /** Python's quote(text, safe="/-._~!$&'()*+,;=:@"): sub-delimiters, ":", "@" and "/" stay as they are. */
  function quotePath(text) {
    return encodeURIComponent(text).replace(/%(2F|24|26|2B|2C|3B|3D|3A|40)/g, (_, code) =>
      String.fromCharCode(parseInt(code, 16)),
    );
  }

  /** Python's urlencode value (quote_plus): only letters, digits and "_.-~" stay; a space is "+". */
  function quotePlus(text) {
    return encodeURIComponent(text).replace(/[!'()*]/g, hex).replace(/%20/g, "+");
  }

  window.kgPageOf = function (links, iri) {
    if (iri.startsWith(links.id) && !/[?#]/.test(iri)) return links.idPage + quotePath(iri.slice(links.id.length));
    if (iri === links.ontology) return links.ontologyPage;
    return links.resource + quotePlus(iri);
  };
})();
