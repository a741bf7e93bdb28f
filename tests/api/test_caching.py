"""ETags and cache headers, called directly."""

from __future__ import annotations

from api.caching import GZIP_MINIMUM_SIZE, etag, headers, matches


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
