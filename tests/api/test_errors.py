"""The one mapping from typed errors to HTTP statuses and problem documents."""

from __future__ import annotations

import json

import pytest

from api.errors import (
    PROBLEM_JSON,
    NotAcceptable,
    RequestTooLarge,
    UnsupportedMediaType,
    URITooLong,
    from_error,
    status_of,
)
from kg.errors import (
    BadParameter,
    KGError,
    QueryRefused,
    QuerySyntaxError,
    QueryTimeout,
    ServerBusy,
    StoreMissing,
    UnknownQuery,
    UpdateRefused,
    UsageError,
)


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (QuerySyntaxError("malformed SPARQL query: error at 3:7: expected …"), 400),
        (QueryRefused("SERVICE <http://x> is not allowed"), 400),
        (UpdateRefused("read-only"), 403),
        (UsageError("bad"), 400),
        (BadParameter("p", "bad"), 400),
        (UnknownQuery("no such query"), 404),
        (NotAcceptable("no"), 406),
        (RequestTooLarge("big"), 413),
        (URITooLong("long"), 414),
        (UnsupportedMediaType("text/plain"), 415),
        (QueryTimeout("slow"), 503),
        (ServerBusy("busy"), 503),
        (StoreMissing("none"), 503),
        (KGError("worker died"), 500),
        (RuntimeError("bug"), 500),
    ],
)
def test_status_of_each_typed_error(error: Exception, status: int) -> None:
    assert status_of(error) == status


def test_problem_documents_follow_rfc_9457() -> None:
    response = from_error(QuerySyntaxError("malformed SPARQL query: error at 3:7: expected one of …"))
    body = json.loads(bytes(response.body))
    assert response.media_type == PROBLEM_JSON
    assert body["status"] == 400
    assert body["title"] == "Malformed query"
    assert body["type"].endswith("/problem/malformed-query")
    assert "3:7" in body["detail"]
    assert (body["line"], body["column"]) == (3, 7)


def test_unavailable_answers_say_when_to_retry() -> None:
    for error in (QueryTimeout("slow"), ServerBusy("busy"), StoreMissing("none")):
        response = from_error(error)
        assert response.status_code == 503
        assert int(response.headers["retry-after"]) > 0


def test_extension_members_are_kept() -> None:
    body = json.loads(bytes(from_error(NotAcceptable("no", available=["text/csv"])).body))
    assert body["available"] == ["text/csv"]
