// The /validate form: start from the example document, or open a file, instead of pasting.
//
// Both put the text into the form's text area and choose its syntax (from the file's name), so that the form
// posts what it always posts — the document as a field, its syntax another — and the visitor sees, and may edit,
// what is validated. The controls are shown only when this script runs (the page says how to do without).
(function () {
  "use strict";

  const SYNTAX_OF = {
    ttl: "text/turtle",
    trig: "application/trig",
    nt: "application/n-triples",
    nq: "application/n-quads",
    jsonld: "application/ld+json",
    json: "application/ld+json",
    rdf: "application/rdf+xml",
    owl: "application/rdf+xml",
    xml: "application/rdf+xml",
  };
  const data = document.getElementById("data");
  const syntax = document.getElementById("syntax");
  const status = document.getElementById("validate-status");
  const example = document.getElementById("load-example");
  const fileField = document.getElementById("file-field");
  const file = document.getElementById("file");

  function fill(text, name) {
    data.value = text;
    const extension = name.includes(".") ? name.split(".").pop().toLowerCase() : "";
    if (SYNTAX_OF[extension]) syntax.value = SYNTAX_OF[extension];
    status.textContent = `« ${name} » est dans la zone de texte (${text.length} caractères) : modifiez-le ou validez-le.`;
    data.focus();
  }

  example.addEventListener("click", () => {
    fetch(example.dataset.example)
      .then((r) => {
        if (!r.ok) throw new Error(`HTTP ${r.status}`);
        return r.text();
      })
      .then((text) => fill(text, "example-document.ttl"))
      .catch((error) => {
        status.textContent = `L'exemple n'a pas pu être chargé (${error.message}).`;
      });
  });

  file.addEventListener("change", () => {
    const chosen = file.files && file.files[0];
    if (!chosen) return;
    chosen
      .text()
      .then((text) => fill(text, chosen.name))
      .catch((error) => {
        status.textContent = `Le fichier n'a pas pu être lu (${error.message}).`;
      });
  });

  example.hidden = false;
  fileField.hidden = false;
})();
