"""Tables and ratios from a dataset's results (the dict bench/run.py builds and writes as JSON)."""

from __future__ import annotations

import math
from typing import Any

KG = "kg serve (cache miss)"  # every request a query of its own: what `kg serve` computes (the ratios below)
KG_HIT = "kg serve (cache hit)"  # the same query again and again: what its answer cache gives back
KG_SERVERS = (KG_HIT, KG)
OXI = "oxigraph serve"
RDFLIB = "rdflib-endpoint"
INPROC = "pyoxigraph in-process"
SERVER_ORDER = [KG_HIT, KG, INPROC, OXI, RDFLIB]


def _num(value: Any, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, int | float):
        return f"{value:,.{digits}f}"
    return str(value)


def _mb(n: int | None) -> str:
    return "-" if not n else f"{n / 2**20:,.0f} MiB"


def table(ds: dict[str, Any], connections: int) -> str:
    head = [
        "query",
        "server",
        "rows",
        "req/s c=1",
        "p50 ms",
        "p99 ms",
        f"req/s c={connections}",
        "p50 ms",
        "p99 ms",
        "note",
    ]
    rows: list[list[str]] = []
    for qkey, per_server in ds["queries"].items():
        for server in SERVER_ORDER:
            r = per_server.get(server)
            if r is None:
                continue
            c1, cn = r.get("c1") or {}, r.get("cn") or {}
            note = "" if r.get("status", "ok") == "ok" else r["status"]
            if r.get("note"):
                note = (note + " " + r["note"]).strip()
            rows.append(
                [
                    qkey,
                    server,
                    _num(r.get("rows"), 0),
                    _num(c1.get("rps")),
                    _num(c1.get("p50_ms"), 2),
                    _num(c1.get("p99_ms"), 2),
                    _num(cn.get("rps")),
                    _num(cn.get("p50_ms"), 2),
                    _num(cn.get("p99_ms"), 2),
                    note,
                ]
            )
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(head)]
    lines = [" | ".join(h.ljust(w) for h, w in zip(head, widths, strict=True))]
    lines.append("-+-".join("-" * w for w in widths))
    for r in rows:
        lines.append(
            " | ".join(
                c.rjust(w) if 2 <= i <= 8 else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))
            )
        )
    return "\n".join(lines)


def _rps(r: dict[str, Any] | None) -> tuple[float | None, str]:
    """The throughput figure of a server for a query: at N connections if it ran and answered, else at 1."""
    if not r or r.get("status", "ok") != "ok":
        return None, ""
    if r.get("cn") and r["cn"]["rps"]:
        return r["cn"]["rps"], "cN"
    if r.get("c1") and r["c1"]["rps"]:
        return r["c1"]["rps"], "c1"
    return None, ""


def ratios(ds: dict[str, Any], small_result: list[str]) -> dict[str, Any]:
    """p50(kg)/p50(oxigraph serve) on small-result queries (target ≤ 1.5); req/s(kg)/req/s(rdflib) (target > 10)."""
    out: dict[str, Any] = {
        "p50_kg_over_oxigraph": {},
        "rps_kg_over_rdflib": {},
        "rps_kg_hit_over_oxigraph": {},
        "rps_kg_miss_over_oxigraph": {},
    }
    for qkey, per_server in ds["queries"].items():
        kg, oxi, rdf = per_server.get(KG), per_server.get(OXI), per_server.get(RDFLIB)
        oxi_rps, _ = _rps(oxi)
        for name, key in ((KG_HIT, "rps_kg_hit_over_oxigraph"), (KG, "rps_kg_miss_over_oxigraph")):
            rps, _ = _rps(per_server.get(name))
            if rps is not None and oxi_rps:
                out[key][qkey] = round(rps / oxi_rps, 2)
        if qkey in small_result and kg and oxi:
            kg_p50, oxi_p50 = (kg.get("c1") or {}).get("p50_ms"), (oxi.get("c1") or {}).get("p50_ms")
            out["p50_kg_over_oxigraph"][qkey] = round(kg_p50 / oxi_p50, 2) if kg_p50 and oxi_p50 else None
        kg_rps, kg_mode = _rps(kg)
        rdf_rps, rdf_mode = _rps(rdf)
        if kg_rps is not None and rdf is not None:
            if rdf_rps:
                out["rps_kg_over_rdflib"][qkey] = {
                    "ratio": round(kg_rps / rdf_rps, 1),
                    "kg": kg_mode,
                    "rdflib": rdf_mode,
                }
            else:
                status = rdf.get("status", "?")
                out["rps_kg_over_rdflib"][qkey] = {"ratio": None, "rdflib": "no answer" if status == "ok" else status}
    kg_server = ds["servers"].get(KG, {})
    if kg_server.get("peak_rss"):
        out["kg_peak_rss_over_disk"] = round(kg_server["peak_rss"] / ds["disk_bytes"], 2)
    return out


def ratio_lines(ds: dict[str, Any]) -> str:
    r = ds.get("ratios", {})
    lines = []
    for qkey, v in r.get("p50_kg_over_oxigraph", {}).items():
        verdict = "ok" if v is not None and v <= 1.5 else "MISSES target"
        lines.append(f"p50(kg)/p50(oxigraph serve) {qkey}: {_num(v, 2)} (target <= 1.5: {verdict})")
    for key, label, target in (
        ("rps_kg_hit_over_oxigraph", "req/s(kg, cache hit)/req/s(oxigraph serve)", 1.0),
        ("rps_kg_miss_over_oxigraph", "req/s(kg, cache miss)/req/s(oxigraph serve)", 0.5),
    ):
        for qkey, v in r.get(key, {}).items():
            verdict = "ok" if v >= target else "MISSES target"
            lines.append(f"{label} {qkey}: {_num(v, 2)} (target >= {target:g}: {verdict})")
    for qkey, v in r.get("rps_kg_over_rdflib", {}).items():
        if v.get("ratio") is None:
            lines.append(f"req/s(kg)/req/s(rdflib-endpoint) {qkey}: n/a, rdflib-endpoint {v.get('rdflib')}")
        else:
            verdict = "ok" if v["ratio"] > 10 else "MISSES target"
            lines.append(
                f"req/s(kg)/req/s(rdflib-endpoint) {qkey}: {v['ratio']:,.1f} "
                f"(kg {v['kg']}, rdflib {v['rdflib']}; target > 10: {verdict})"
            )
    for name, s in ds["servers"].items():
        if name == INPROC and s.get("status") == "ok":
            lines.append(
                f"{name}: store copied into memory in {_num(s.get('load_seconds'))} s, peak RSS {_mb(s.get('peak_rss'))}"
            )
        elif s.get("status") != "ok":
            lines.append(f"{name}: {s.get('status')}")
        else:
            lines.append(
                f"{name}: ready in {_num(s.get('ready_seconds'))} s, peak RSS of the process tree {_mb(s.get('peak_rss'))}"
            )
    if "kg_peak_rss_over_disk" in r:
        lines.append(
            f"kg serve peak RSS / on-disk store: {r['kg_peak_rss_over_disk']} "
            f"({_mb(ds['servers'][KG]['peak_rss'])} vs {_mb(ds['disk_bytes'])}); /health said: {ds['servers'][KG].get('health')}"
        )
    for m in ds.get("mismatches", []):
        lines.append(f"!!! ROW COUNT MISMATCH: {m}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Print the tables of a results file again: `python bench/report.py var/bench/results/<timestamp>.json`."""
    import json
    import sys
    from pathlib import Path

    args = argv if argv is not None else sys.argv[1:]
    if len(args) != 1:
        print("usage: python bench/report.py RESULTS.json", file=sys.stderr)
        return 2
    results = json.loads(Path(args[0]).read_text(encoding="utf-8"))
    connections = results["options"]["connections"]
    for name, ds in results["datasets"].items():
        print(f"\n== {name}: {ds['quads']:,} quads ({ds['triples']:,} distinct triples), {ds.get('seconds')} s ==")
        print(table(ds, connections))
        print(ratio_lines(ds))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
