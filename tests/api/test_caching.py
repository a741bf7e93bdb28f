"""ETags and cache headers, called directly."""

from __future__ import annotations

from pathlib import Path

from fastapi import Request

from api.caching import GZIP_MINIMUM_SIZE, etag, files_state, headers, matches, not_modified, on_files, response


def test_etags_are_weak_and_change_with_the_version_and_the_request() -> None:
    tag = etag("v1", "SELECT * {}", "json", None)
    assert tag.startswith('W/"v1-')
    assert tag == etag("v1", "SELECT * {}", "json", None)
    assert tag != etag("v2", "SELECT * {}", "json", None)
    assert tag != etag("v1", "SELECT * {}", "csv", None)
    assert tag != etag("v1", "SELECT * {}", "json", ("http://g",))


def test_if_none_match_compares_weakly_and_accepts_lists_and_star() -> None:
    tag = etag("v1", "q")
    assert matches(tag, tag)
    assert matches(tag.removeprefix("W/"), tag)
    assert matches(f'"other", {tag}', tag)
    assert matches("*", tag)
    assert not matches('"other"', tag)
    assert not matches(None, tag)


def test_cache_headers_name_each_vary_header_once_with_the_middleware() -> None:
    small, large = headers("t", 60, 10), headers("t", 60, GZIP_MINIMUM_SIZE)
    assert small["Cache-Control"] == "public, max-age=60"
    assert small["Vary"] == "Accept, Accept-Encoding"  # GZipMiddleware leaves small bodies alone
    assert large["Vary"] == "Accept"  # it adds Accept-Encoding itself; CORSMiddleware adds Origin


def _request(if_none_match: str | None = None) -> Request:
    headers = [(b"if-none-match", if_none_match.encode())] if if_none_match else []
    return Request({"type": "http", "method": "GET", "path": "/", "query_string": b"", "headers": headers})


def test_not_modified_answers_304_with_the_validator_only_when_it_matches() -> None:
    tag = etag("v1", "page")
    assert not_modified(_request(), tag, 60) is None
    assert not_modified(_request('"other"'), tag, 60) is None
    cached = not_modified(_request(tag), tag, 60)
    assert cached is not None and cached.status_code == 304 and not cached.body
    assert cached.headers["etag"] == tag and cached.headers["cache-control"] == "public, max-age=60"


def test_a_response_has_the_headers_of_its_own_body() -> None:
    assert response(b"x", "text/turtle", "t", 60).headers["vary"] == "Accept, Accept-Encoding"
    assert response(b"x" * GZIP_MINIMUM_SIZE, "text/turtle", "t", 60).headers["vary"] == "Accept"


def test_answers_made_from_files_are_made_again_when_a_file_changes(tmp_path: Path) -> None:
    made: list[str] = []

    @on_files
    def contents(directory: Path) -> str:
        made.append(directory.name)
        return "".join(p.read_text(encoding="utf-8") for p in sorted(directory.glob("*.ttl")))

    (tmp_path / "a.ttl").write_text("<a> <b> <c> .\n", encoding="utf-8")
    assert contents(tmp_path) == contents(tmp_path) == "<a> <b> <c> .\n" and len(made) == 1  # kept
    (tmp_path / "a.ttl").write_text(
        "<a> <b> <dd> .\n", encoding="utf-8"
    )  # edited (the size too: a clock tick may be coarse)
    assert contents(tmp_path) == "<a> <b> <dd> .\n"
    (tmp_path / "b.ttl").write_text("", encoding="utf-8")  # added
    contents(tmp_path)
    assert len(made) == 3
    (tmp_path / "b.ttl").unlink()  # removed: back to a state already made, which is kept
    (tmp_path / "notes.txt").write_text("not RDF", encoding="utf-8")  # not one of the files
    assert contents(tmp_path) == "<a> <b> <dd> .\n" and len(made) == 3
    assert files_state(tmp_path / "missing") == ()
