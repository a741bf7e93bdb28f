"""Typed errors of the `kg` package; the CLI maps them to exit codes, the API to HTTP statuses."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # for types only
    from kg.ingest.report import ValidationResult


class KGError(Exception):
    """Base class of every error `kg` raises on purpose."""


class UsageError(KGError):
    """The caller asked for something that cannot be done as asked (unknown format, missing file…)."""


class RDFParseError(KGError):
    """An RDF file could not be parsed; carries where, so the user can fix it."""

    def __init__(self, path: str, message: str, line: int | None = None, column: int | None = None) -> None:
        self.path = path
        self.line = line
        self.column = column
        self.detail = message
        where = path
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        super().__init__(f"{where}: {message}")

    def __reduce__(self) -> tuple[object, ...]:  # picklable, so a bounded worker (kg.sandbox) can raise it
        return (type(self), (self.path, self.detail, self.line, self.column))


class UploadRefused(KGError):
    """An uploaded document this server will not parse as sent (a DTD declaring entities, nesting too deep)."""


class UploadTooLarge(KGError):
    """An uploaded document, or one of its parts (a literal), is over a size limit; or its handling needed more
    memory than a worker may use."""


class WorkTimeout(KGError):
    """Parsing or validating what a client sent ran past its time limit and was stopped."""


class QuerySyntaxError(KGError):
    """A SPARQL query is malformed; the message is the parser's."""


class ValidationFailed(KGError):
    """The data does not conform to the shapes, so nothing was written; `result` is the SHACL report."""

    def __init__(self, report_text: str, violations: int, result: ValidationResult | None = None) -> None:
        self.report_text = report_text
        self.violations = violations
        self.result = result
        super().__init__(f"data does not conform to the shapes ({violations} violation(s))")

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.report_text, self.violations, self.result))


class StoreMissing(KGError):
    """No store has been built yet at the configured location."""


class QueryRefused(KGError):
    """A well-formed request this endpoint will not run (an update, a SERVICE call outside the allow-list)."""


class QueryTimeout(KGError):
    """A query ran past the time limit and was stopped."""


class ServerBusy(KGError):
    """Every query worker stayed busy for longer than a request may wait."""


class UnknownResource(KGError):
    """The graph says nothing about this IRI: it is no subject, object or property of any triple."""


class UnknownQuery(UsageError):
    """No canned query has that name."""


class BadParameter(UsageError):
    """A canned-query parameter is missing, unknown, or does not fit its type; nothing was run."""

    def __init__(self, name: str, message: str) -> None:
        self.name = name
        self.message = message
        super().__init__(f"parameter {name!r}: {message}")

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.name, self.message))


class UpdateRefused(QueryRefused):
    """A SPARQL Update sent to a read-only endpoint (as a query, an `update` parameter or a request body)."""


class WriteForbidden(KGError):
    """A write that is never allowed here: writes disabled, or a graph the build manages (ontology, write log)."""


class GraphNotFound(KGError):
    """The named graph asked for holds no triple."""


class DumpNotFound(KGError):
    """No such dump: a file the release does not have, or a version that is not the one served.

    For another version, `current_version` is the one served and `current` where the same file is now (dumps
    are only kept for the current version: an old URL is not redirected, its checksum would not match)."""

    def __init__(self, detail: str, current_version: str | None = None, current: str | None = None) -> None:
        self.current_version = current_version
        self.current = current
        super().__init__(detail)

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (str(self), self.current_version, self.current))


class WriterBusy(ServerBusy):
    """Another write held the store's writer lock for longer than a write may wait."""


class WorkerCrashed(KGError):
    """The worker process running a query died before answering (an engine crash, a kill): transient, it is
    replaced, and the same query may be tried again."""


class QueryQuarantined(KGError):
    """A query that made a worker crash twice is refused for a while, without reaching a worker again."""


class TooManyQueries(KGError):
    """One client already has as many queries running or waiting as a client may have at once."""


class StoreUnreachable(KGError):
    """The remote SPARQL store could not be reached (connection refused, unknown host, TLS failure): nothing
    was asked of it, so the same request may be tried again once it is back."""


class StoreFailed(KGError):
    """The remote SPARQL store answered with an error of its own (5xx, refused credentials) or with something
    that is not a SPARQL answer."""


class StoreTimeout(QueryTimeout):
    """The remote SPARQL store did not answer within the query time limit (the client's or the engine's own)."""


class WriteFailed(StoreFailed):
    """A write to the remote store failed half-way; what it had changed was put back (`restored`), or, where
    putting it back failed too, `unrestored` says which graph differs from its state before, and how."""

    def __init__(self, message: str, restored: tuple[str, ...] = (), unrestored: tuple[str, ...] = ()) -> None:
        self.restored = restored
        self.unrestored = unrestored
        state = "nothing had been changed"
        if restored or unrestored:
            state = f"put back as it was: {', '.join(restored) or 'nothing'}"
        if unrestored:
            state += f"; NOT put back (the store differs from before): {'; '.join(unrestored)}"
        super().__init__(f"{message}; the write is not done, {state}")


class PublishFailed(StoreFailed):
    """Publishing a build to the remote store stopped half-way; `written` names the graphs already replaced
    (the store holds them in their new state and the others in their old one, the metadata graph unchanged)."""

    def __init__(self, message: str, written: tuple[str, ...] = ()) -> None:
        self.message = message
        self.written = written
        super().__init__(f"{message} (graphs already written: {', '.join(written) or 'none'})")

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.message, self.written))
