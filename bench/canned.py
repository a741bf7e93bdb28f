"""Every public canned query, timed on the embedded Oxigraph store and on Virtuoso, at each scale, in one run.

    python bench/canned.py --scales bundled,1m [--backends oxigraph,virtuoso] [--runs 7] [--json FILE]

For each scale (bench/store.py: the bundled store, or a cached synthetic one) the store is held as `kg serve`
holds it — an in-memory copy when it has at most `in_memory_max_triples` triples, else on disk, read-only —
and run through `kg.store.local.LocalStore` in a child process (bench.backends.EmbeddedStore), and published
to a scratch Virtuoso and run through `kg.store.remote.SparqlStore`, as `kg serve --backend sparql` runs it.

Each query runs with its example parameters (the listing's example link: required parameters only; and every
example at once) and with one or two more realistic sets picked from the data at start (the largest région,
the territory with the most intercommunalités…: REALISTIC). First every set runs once on each backend and the
row counts are compared (a mismatch is printed, the run goes on); then each set is timed on each backend: a
warm-up run (the check run stands for it when it took longer than SLOW seconds), then `--runs` timed runs,
fewer when one run is slow so that a set takes about `--budget` seconds at most. A run past `--timeout` is
recorded as a timeout. The table prints p50 and p99 in ms and the ratio oxigraph/virtuoso of the p50s.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.backends import EmbeddedStore, PublishedVirtuoso, QueryTimedOut, virtuoso
from bench.store import Dataset, dataset
from kg import queries
from kg.config import Settings
from kg.errors import KGError, StoreTimeout
from kg.store import layout as kgstore
from kg.store.guard import inspect
from kg.store.interface import QueryRequest
from kg.store.local import LocalStore
from kg.store.pool import choose_in_memory
from kg.store.remote import SparqlStore

ID = "https://w3id.org/territoires-industrie/id/"
TI = "https://w3id.org/territoires-industrie/ontology#"
SLOW = 5.0  # seconds: a check run this long is the warm-up of its set

# Values the realistic parameter sets take, each the first row of a query on the scale's data (ties broken
# by IRI, so the pick is deterministic).
PICKS: dict[str, str] = {
    "territory": f"""PREFIX ti: <{TI}>
SELECT ?v (COUNT(DISTINCT ?e) AS ?n) WHERE {{ ?v a ti:IndustryTerritory ; ti:hasMemberIntercommunality ?e }}
GROUP BY ?v ORDER BY DESC(?n) STR(?v) LIMIT 1""",
    "region": f"""PREFIX ti: <{TI}>
SELECT ?v (COUNT(DISTINCT ?t) AS ?n) WHERE {{ ?t a ti:IndustryTerritory ; ti:inRegion ?v }}
GROUP BY ?v ORDER BY DESC(?n) STR(?v) LIMIT 1""",
    "scheme": f"""PREFIX ti: <{TI}>
SELECT ?v (COUNT(DISTINCT ?f) AS ?n) WHERE {{ ?f a ti:FundingFlow ; ti:throughScheme ?v }}
GROUP BY ?v ORDER BY DESC(?n) STR(?v) LIMIT 1""",
    "document": f"""SELECT ?v (COUNT(*) AS ?n) WHERE {{ GRAPH ?v {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?v), "{ID}source/")) }}
GROUP BY ?v ORDER BY DESC(?n) STR(?v) LIMIT 1""",
}
PICK_LABELS = {
    "territory": "the territory with the most intercommunalités",
    "region": "the région with the most territories",
    "scheme": "the scheme with the most funding flows",
    "document": "the source document with the most triples",
}

# Per query: (label, {parameter: "@pick" or a literal value}). A query not listed runs with its examples only.
REALISTIC: dict[str, list[tuple[str, dict[str, str]]]] = {
    "document-facts": [("largest document", {"document": "@document"})],
    "funding-flows": [("largest région", {"region": "@region"}), ("largest territory", {"territory": "@territory"})],
    "funding-totals": [("largest région", {"region": "@region"}), ("by région", {"group": "region"})],
    "schemes": [("busiest scheme", {"scheme": "@scheme"})],
    "search": [("common word", {"text": "saint"})],
    "statistics": [("largest territory", {"area": "@territory"})],
    "territories": [("largest région", {"region": "@region"})],
    "territory-actors": [("largest territory", {"territory": "@territory"})],
    "territory-members": [("largest territory", {"territory": "@territory"})],
}


@dataclass(frozen=True)
class Case:
    """One query with one parameter set."""

    query: str
    label: str
    params: dict[str, str]
    text: str

    @property
    def request(self) -> QueryRequest:
        return QueryRequest(self.text, result_format="json", dataset_clause=inspect(self.text).dataset_clause)


@dataclass
class Timing:
    """What one backend did with one case."""

    status: str = "ok"  # ok, timeout, error
    rows: int | None = None
    truncated: bool = False
    first_s: float | None = None  # the check run (cold for this set)
    seconds: list[float] = field(default_factory=list)
    error: str = ""

    def p(self, q: float) -> float | None:
        """The q-quantile of the timed runs in ms, nearest rank (p99 of a few runs is their maximum)."""
        if not self.seconds:
            return None
        ms = sorted(s * 1000 for s in self.seconds)
        return round(ms[max(0, math.ceil(q * len(ms)) - 1)], 3)

    @property
    def p50(self) -> float | None:
        return None if not self.seconds else round(statistics.median(self.seconds) * 1000, 3)


Runner = Callable[[QueryRequest], tuple[float, int, bool]]


def picks(store: Path) -> dict[str, str]:
    """The values of PICKS on the scale's store (read-only, in this process; not timed)."""
    db = LocalStore(kgstore.open_read_only(store))
    found = {}
    for key, text in PICKS.items():
        rows = db.rows(text)
        if rows and rows[0]["v"]:
            found[key] = str(rows[0]["v"])
    return found


def cases(names: list[str], picked: dict[str, str]) -> list[Case]:
    """Every query's example sets, then its realistic ones (a set equal to an earlier one is not repeated)."""
    out: list[Case] = []
    for name in names:
        q = queries.get(name)
        takes = {p.name for p in q.params}
        sets: list[tuple[str, dict[str, str]]] = [("example", {p.name: str(p.example) for p in q.params if p.required})]
        every = {p.name: str(p.example) for p in q.params if p.example is not None}
        sets.append(("every example", every))
        for label, spec in REALISTIC.get(name, []):
            if not set(spec) <= takes:
                print(f"  {name}: no parameter {sorted(set(spec) - takes)} any more: set {label!r} left out")
                continue
            values = {k: picked.get(v[1:], "") if v.startswith("@") else v for k, v in spec.items()}
            if "" in values.values():
                print(f"  {name}: nothing in the data for set {label!r}: left out")
                continue
            required = {p.name: str(p.example) for p in q.params if p.required and p.name not in values}
            sets.append((label, required | values))
        seen: list[dict[str, str]] = []
        for label, values in sets:
            clean = {k: str(v) for k, v in values.items() if v is not None}
            if clean in seen:
                continue
            seen.append(clean)
            try:
                out.append(Case(name, label, clean, q.bind(clean)))
            except KGError as e:
                print(f"  {name} [{label}]: cannot bind {clean}: {e}")
    return out


def _once(run: Runner, case: Case, timing: Timing, timeout: float) -> float | None:
    """One run; the seconds it took, or None (the timing's status says why)."""
    try:
        seconds, rows, truncated = run(case.request)
    except (QueryTimedOut, StoreTimeout):
        timing.status = "timeout"
        timing.error = f"past {timeout:g} s"
        return None
    except (KGError, RuntimeError) as e:
        timing.status, timing.error = "error", str(e)[:300]
        return None
    timing.rows, timing.truncated = rows, truncated
    return seconds


def check(case: Case, runners: dict[str, Runner], timeout: float) -> dict[str, Timing]:
    """The first run on every backend, row counts compared (a mismatch printed, not fatal)."""
    timings = {name: Timing() for name in runners}
    for name, run in runners.items():
        timings[name].first_s = _once(run, case, timings[name], timeout)
    said = ", ".join(f"{n} {_ms(t.first_s * 1000) if t.first_s is not None else t.status}" for n, t in timings.items())
    print(f"  {case.query} [{case.label}]: first run, ms: {said}", flush=True)
    counts = {n: t.rows for n, t in timings.items() if t.status == "ok"}
    if len(set(counts.values())) > 1:
        said = ", ".join(f"{n} {c:,}" for n, c in counts.items() if c is not None)
        print(f"!!! ROW COUNT MISMATCH {case.query} [{case.label}] {_short(case.params)}: {said}", flush=True)
    return timings


def measure(case: Case, run: Runner, timing: Timing, runs: int, timeout: float, budget: float) -> None:
    """Warm-up, then up to `runs` timed runs within about `budget` seconds (one run at least)."""
    if timing.status != "ok" or timing.first_s is None:
        return
    first = timing.first_s
    if first < SLOW:
        warm = _once(run, case, timing, timeout)
        if warm is None:
            return
        first = warm
    planned = max(1, min(runs, int(budget // max(first, 1e-6))))
    started = time.perf_counter()
    for _ in range(planned):
        seconds = _once(run, case, timing, timeout)
        if seconds is None:
            timing.seconds.clear()  # a timeout after good runs: recorded as a timeout all the same
            return
        timing.seconds.append(seconds)
        if time.perf_counter() - started > budget:
            break


def _short(params: dict[str, str]) -> str:
    return " ".join(f"{k}={v.removeprefix(ID)}" for k, v in params.items()) or "-"


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.1f}" if value >= 10 else f"{value:,.2f}"


def _cell(t: Timing | None) -> tuple[str, str, str]:
    if t is None:
        return "-", "-", "-"
    if t.status != "ok":
        return t.status, "", ""
    return _ms(t.p50), _ms(t.p(0.99)), str(len(t.seconds))


def print_table(scale: str, results: list[tuple[Case, dict[str, Timing]]], backends: list[str]) -> None:
    header = ["query", "params", "rows"]
    for b in backends:
        header += [f"{b} p50 ms", "p99 ms", "n"]
    if len(backends) == 2:
        header.append(f"{backends[0]}/{backends[1]}")
    lines = []
    for case, timings in results:
        rows = {t.rows for t in timings.values() if t.rows is not None}
        line = [case.query, f"{case.label}: {_short(case.params)}", "/".join(f"{r:,}" for r in sorted(rows)) or "-"]
        for b in backends:
            line += list(_cell(timings.get(b)))
        if len(backends) == 2:
            a, v = (timings[b].p50 if b in timings else None for b in backends)
            line.append(f"{a / v:.2f}" if a is not None and v else "-")
        lines.append(line)
    widths = [max(len(r[i]) for r in [header, *lines]) for i in range(len(header))]
    widths[1] = min(widths[1], 70)
    print(f"\n== {scale} ==")
    for i, r in enumerate([header, *lines]):
        cells = [
            r[0].ljust(widths[0]),
            r[1][:70].ljust(widths[1]),
            *(c.rjust(w) for c, w in zip(r[2:], widths[2:], strict=True)),
        ]
        print(" | ".join(cells))
        if i == 0:
            print("-+-".join("-" * w for w in widths))
    for case, timings in results:
        for b, t in timings.items():
            if t.status == "error":
                print(f"  error: {case.query} [{case.label}] on {b}: {t.error}")


def bench_scale(scale: str, backends: list[str], args: argparse.Namespace) -> list[dict[str, Any]]:
    ds: Dataset = dataset(scale)
    settings = Settings()
    in_memory = choose_in_memory(ds.store, settings.in_memory, settings.in_memory_max_triples)
    mode = "in memory" if in_memory else "on disk"
    print(
        f"{scale}: {ds.triples:,} triples; oxigraph {mode} (kg serve's choice: KG_IN_MEMORY={settings.in_memory}, "
        f"in_memory_max_triples {settings.in_memory_max_triples:,})",
        flush=True,
    )
    picked = picks(ds.store)
    for key, value in picked.items():
        print(f"  {PICK_LABELS[key]}: {value.removeprefix(ID)}")
    names = [n for n in queries.names() if not args.queries or n in args.queries.split(",")]
    todo = cases(names, picked)
    runners: dict[str, Runner] = {}
    notes: dict[str, Any] = {"oxigraph_mode": mode}
    with contextlib.ExitStack() as stack:
        if "oxigraph" in backends:
            embedded = EmbeddedStore(ds.store, in_memory)
            stack.callback(embedded.close)
            started = time.perf_counter()
            embedded.run(QueryRequest("ASK { ?s ?p ?o }"), 3600)  # opened (copied into memory) before timing
            print(f"{scale}/oxigraph: store opened {mode} in {time.perf_counter() - started:.1f} s", flush=True)
            runners["oxigraph"] = lambda req: embedded.run(req, args.timeout)
        if "virtuoso" in backends:
            tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=f"kg-bench-canned-{scale}-")))
            published: PublishedVirtuoso = stack.enter_context(
                virtuoso(tmp, ds.store, scale, max_seconds=max(1, math.ceil(args.timeout)))
            )
            remote: SparqlStore = published.store(args.timeout)
            stack.callback(remote.close)
            notes["virtuoso_publish_s"] = round(published.publish_seconds, 1)
            runners["virtuoso"] = lambda req: _timed(remote, req)
        print(f"{scale}: {len(todo)} parameter sets of {len(names)} queries; checking row counts", flush=True)
        checked = [(case, check(case, runners, args.timeout)) for case in todo]
        print(f"{scale}: timing (--runs {args.runs}, --budget {args.budget:g} s, --timeout {args.timeout:g} s)")
        for case, timings in checked:
            for name, run in runners.items():
                measure(case, run, timings[name], args.runs, args.timeout, args.budget)
            print(
                f"  {case.query} [{case.label}]: p50 ms " + ", ".join(f"{n} {_cell(t)[0]}" for n, t in timings.items()),
                flush=True,
            )
    print_table(scale, checked, [b for b in ("oxigraph", "virtuoso") if b in runners])
    return [
        {
            "query": case.query,
            "params": case.params,
            "backend": name,
            "scale": scale,
            "rows": t.rows if t.status == "ok" else None,
            "p50_ms": t.p50,
            "p99_ms": t.p(0.99),
            "set": case.label,
            "status": t.status,
            "runs": len(t.seconds),
            "first_ms": None if t.first_s is None else round(t.first_s * 1000, 3),
            "truncated": t.truncated,
            "timeout_s": args.timeout,
            "error": t.error or None,
            "triples": ds.triples,
            **({"mode": notes["oxigraph_mode"]} if name == "oxigraph" else {}),
        }
        for case, timings in checked
        for name, t in timings.items()
    ]


def _timed(remote: SparqlStore, req: QueryRequest) -> tuple[float, int, bool]:
    started = time.perf_counter()
    answer = remote.run(req)
    return time.perf_counter() - started, answer.rows, answer.truncated


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--scales", default="bundled,1m", help="comma-separated: bundled, 1m, 5m…")
    parser.add_argument("--backends", default="oxigraph,virtuoso", help="comma-separated: oxigraph, virtuoso")
    parser.add_argument("--runs", type=int, default=7, help="timed runs per query, parameter set and backend")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds one run may take (then: timeout)")
    parser.add_argument("--budget", type=float, default=60.0, help="seconds of timed runs per set and backend")
    parser.add_argument("--queries", default="", help="comma-separated canned query names (default: all)")
    parser.add_argument("--json", type=Path, help="write the figures there as a JSON list")
    args = parser.parse_args(argv)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if unknown := set(backends) - {"oxigraph", "virtuoso"}:
        parser.error(f"unknown backend(s): {', '.join(sorted(unknown))}")
    if "virtuoso" in backends:
        from tests.kg.store import virtuoso as vt

        if not vt.VIRTUOSO.exists():
            parser.error(f"{vt.MISSING}; or run with --backends oxigraph")
    started = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    print(f"bench/canned.py, {started}: {' '.join(sys.argv[1:] if argv is None else argv)}")
    rows: list[dict[str, Any]] = []
    for scale in args.scales.split(","):
        rows += bench_scale(scale.strip(), backends, args)
        if args.json:  # after each scale, so a long run leaves what it measured
            args.json.write_text(json.dumps(rows, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
