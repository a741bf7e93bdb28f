"""The answer cache (kg.store.cache.AnswerCache): answers kept per version within a byte budget, never errors."""

from __future__ import annotations

import asyncio

import pytest

from kg.errors import QueryTimeout
from kg.store.cache import AnswerCache
from kg.store.interface import GraphRead, Queryable, QueryAnswer, QueryRequest


class Counting(Queryable):
    """A store that answers each query with its text, counts what reaches it, and whose version tests set."""

    max_rows = 100

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.current = "v1"

    @property
    def version(self) -> str:
        return self.current

    def run(self, req: QueryRequest) -> QueryAnswer:
        self.asked.append(req.query)
        if "timeout" in req.query:
            raise QueryTimeout("too long")
        body = (req.query * 50 if "big" in req.query else req.query).encode()
        return QueryAnswer("solutions", req.result_format, body, 1, False)

    def read_graph(self, graph: str | None, fmt: str) -> GraphRead:
        return GraphRead(self.current, b"", 0)


def test_a_repeated_answer_comes_from_memory_and_a_comment_makes_another_query() -> None:
    store = Counting()
    cache = AnswerCache(store, 10_000)
    assert cache.run(QueryRequest("ASK {}")).body == b"ASK {}"
    assert cache.run(QueryRequest("  ASK {}\n")).body == b"ASK {}"  # the same query, stripped
    assert cache.run(QueryRequest("# 1\nASK {}")).body == b"# 1\nASK {}"
    assert cache.run(QueryRequest("ASK {}", result_format="xml")).format == "xml"  # another format: another answer
    assert cache.run(QueryRequest("ASK {}", default_graphs=("http://g",))).body == b"ASK {}"
    assert store.asked == ["ASK {}", "# 1\nASK {}", "ASK {}", "ASK {}"]
    assert cache.stats() | {"bytes": 0} == {"hits": 1, "misses": 4, "answers": 4, "bytes": 0, "budget": 10_000}
    assert cache.health()["answer_cache"]["hits"] == 1 and cache.health()["version"] == "v1"


def test_a_new_version_forgets_every_answer() -> None:
    store = Counting()
    cache = AnswerCache(store, 10_000)
    cache.run(QueryRequest("ASK {}"))
    store.current = "v2"
    cache.run(QueryRequest("ASK {}"))
    assert store.asked == ["ASK {}", "ASK {}"]
    assert cache.stats()["answers"] == 1


def test_the_budget_holds_and_the_least_recently_used_go_first() -> None:
    store = Counting()
    cache = AnswerCache(store, 4_000)
    for i in range(20):
        cache.run(QueryRequest(f"SELECT {i}"))
        assert cache.stats()["bytes"] <= 4_000
    assert 0 < cache.stats()["answers"] < 20
    store.asked.clear()
    cache.run(QueryRequest("SELECT 19"))  # the newest is still there
    cache.run(QueryRequest("SELECT 0"))  # the oldest went
    assert store.asked == ["SELECT 0"]
    cache.run(QueryRequest("SELECT big one"))  # over an eighth of the budget: answered, not kept
    cache.run(QueryRequest("SELECT big one"))
    assert store.asked == ["SELECT 0", "SELECT big one", "SELECT big one"]


def test_errors_are_not_kept_and_the_async_path_shares_the_answers() -> None:
    store = Counting()
    cache = AnswerCache(store, 10_000)
    for _ in range(2):
        with pytest.raises(QueryTimeout):
            cache.run(QueryRequest("timeout"))
    assert store.asked == ["timeout", "timeout"]
    asyncio.run(cache.run_async(QueryRequest("ASK {}")))
    cache.run(QueryRequest("ASK {}"))
    assert store.asked.count("ASK {}") == 1
    assert cache.underlying is store
