"""POST /validate: a steward checks a document against the shapes before writing it; nothing is stored.

The upload is validated together with the ontology and the current graph, so its references to existing
territories and actors resolve, and the report covers the upload's own nodes (kg.ingest.validate.validate_upload).
No token is needed, so everything is done in a bounded child (kg.write.upload): pre-checks (entity declarations,
nesting, literal size), parsing, reading the store, SHACL. The server's process only passes the bytes on.
The report comes as JSON for programs, Turtle (`sh:ValidationReport`) for RDF tools, an HTML page for
people, or plain text (as `kg validate` prints it), by `Accept` or `?format=`; its messages in the reader's
language, French unless `Accept-Language` asks for English (api.language; the Turtle report keeps both), said
by `Content-Language`, with `Vary: Accept, Accept-Language` for caches. GET /validate is a form for people who
paste a document.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from kg.store.remote import SparqlStore
from kg.write.upload import validate_document, validate_remote_document

from ... import conneg
from ...deps import SettingsDep, StoreDep
from ...errors import UnsupportedMediaType
from ...language import preferred_language
from ...protocol import content_type, form_fields
from ...web.templating import render
from ...web.validation_page import render_report
from ...writes import RDF_MEDIA_TYPES, rdf_format, upload_bounds, upload_limits

router = APIRouter(tags=["validation"])

JSON_REPORT = conneg.Format("json", "application/json", (), ("json",))
TEXT_REPORT = conneg.Format("text", "text/plain", (), ("text", "txt"))  # what `kg validate` prints
REPORT_FORMATS = (JSON_REPORT, conneg.TURTLE, conneg.HTML, TEXT_REPORT)
VARY = "Accept, Accept-Language"  # the format by Accept (or ?format=), the messages by Accept-Language
FORM = "application/x-www-form-urlencoded"
SYNTAXES = [
    ("text/turtle", "Turtle"),
    ("application/trig", "TriG"),
    ("application/n-triples", "N-Triples"),
    ("application/n-quads", "N-Quads"),
    ("application/ld+json", "JSON-LD"),
    ("application/rdf+xml", "RDF/XML"),
]


@router.post(
    "/validate",
    summary="Validate an RDF document against the shapes, with the current graph (nothing is written)",
    response_class=Response,
    responses={
        200: {"content": {f.media_type: {} for f in REPORT_FORMATS}, "description": "The SHACL report."},
        400: {
            "description": "The document does not parse (the problem says at which line and column), nests too "
            "deeply, or declares XML entities."
        },
        413: {"description": "The document, or one of its literals, is over a limit, or needed too much memory."},
        415: {"description": "The Content-Type is not an RDF syntax."},
        503: {"description": "Validating the document took longer than the time limit, or waited too long."},
    },
)
async def validate(request: Request, settings: SettingsDep, store: StoreDep) -> Response:
    """The SHACL report of the body (Turtle, TriG, JSON-LD, N-Triples, N-Quads, RDF/XML by Content-Type), its
    messages in French, or in English with `Accept-Language: en`."""
    media_type, _ = content_type(request.headers.get("content-type"))
    requested = [v for k in conneg.FORMAT_PARAMETERS for v in request.query_params.getlist(k)]
    if media_type == FORM:  # the HTML form: the document is a field, its syntax another
        fields = dict(form_fields(await request.body()))
        syntax = fields.get("syntax", "text/turtle")
        if syntax not in RDF_MEDIA_TYPES:
            raise UnsupportedMediaType(f"{syntax} is not an RDF syntax", supported=sorted(RDF_MEDIA_TYPES))
        rdf, data = rdf_format(syntax), fields.get("data", "").encode("utf-8")
        requested = requested or ["html"]
    else:
        rdf, data = rdf_format(media_type), await request.body()
    fmt = conneg.choose(request.headers.get("accept"), REPORT_FORMATS, requested, "a validation report")
    limits, bounds = upload_limits(settings), upload_bounds(settings)
    if isinstance(store.underlying, SparqlStore):  # the remote store's graph, read by neighbourhood (kg.write.upload)
        result = await run_in_threadpool(
            validate_remote_document, store.underlying, data, rdf, settings.shapes_dir, limits, bounds
        )
    else:
        result = await run_in_threadpool(
            validate_document, settings.store, data, rdf, settings.shapes_dir, limits, bounds
        )
    result = result.in_language(preferred_language(request.headers.get("accept-language")))
    headers = {"Vary": VARY, "Content-Language": result.language}
    if fmt is conneg.HTML:
        return HTMLResponse(render_report(result, source_name=None), headers=headers)
    if fmt is conneg.TURTLE:  # every language, tagged: the messages do not vary, but the other answers do
        return Response(result.to_turtle(), media_type=fmt.content_type, headers={"Vary": VARY})
    if fmt is TEXT_REPORT:
        return Response(result.to_text(), media_type=fmt.content_type, headers=headers)
    return Response(result.to_json(), media_type="application/json", headers=headers)


@router.get("/validate", response_class=HTMLResponse, include_in_schema=False)
def validate_form() -> HTMLResponse:
    """A form for people: paste a document, get the report as a page."""
    return HTMLResponse(render("validate_form.html", syntaxes=SYNTAXES))
