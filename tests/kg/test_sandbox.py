"""kg.sandbox.run_bounded: a call in a child with a time and a memory limit, its errors passed back typed.

The functions run are the standard library's and kg's own (module-level, so the child can import them).
"""

from __future__ import annotations

import json
import multiprocessing as mp
import threading
import time

import pytest

from kg.errors import KGError, RDFParseError, ServerBusy, UploadTooLarge, WorkTimeout
from kg.sandbox import run_bounded
from kg.sources.rdf_limits import UploadLimits
from kg.write.upload import Bounds, _bounded, _parse_to_nquads

LIMITS = UploadLimits(max_depth=64, max_literal_bytes=1_000_000)


def _children() -> list[mp.process.BaseProcess]:
    return [p for p in mp.active_children() if p.name == "kg-bounded"]


def test_the_result_comes_back() -> None:
    assert run_bounded(sum, [1, 2, 3], timeout=30, memory_mb=512, what="adding") == 6
    nquads = run_bounded(
        _parse_to_nquads, b"<http://x/a> <http://x/p> 1 .", "text/turtle", LIMITS, "doc", None,
        timeout=30, memory_mb=1024, what="parsing",
    )  # fmt: skip
    assert nquads.startswith(b"<http://x/a> <http://x/p> ")


def test_past_the_time_limit_the_child_is_killed() -> None:
    start = time.monotonic()
    with pytest.raises(WorkTimeout, match=r"sleeping took longer than 0\.5 s and was stopped"):
        run_bounded(time.sleep, 30, timeout=0.5, memory_mb=512, what="sleeping")
    assert time.monotonic() - start < 5
    assert not _children()


def test_past_the_memory_limit_it_is_too_large() -> None:
    with pytest.raises(UploadTooLarge, match="more than the 512 MiB"):
        run_bounded(bytearray, 1024 * 1024 * 1024, timeout=30, memory_mb=512, what="allocating")
    # the same call under the limit succeeds: the limit is not what fails
    assert len(run_bounded(bytearray, 64 * 1024 * 1024, timeout=30, memory_mb=512, what="allocating")) == 2**26
    assert not _children()


def test_a_kg_error_comes_back_as_it_was() -> None:
    with pytest.raises(RDFParseError) as info:
        run_bounded(
            _parse_to_nquads, b"<http://x/a> <http://x/p> .", "text/turtle", LIMITS, "doc", None,
            timeout=30, memory_mb=1024, what="parsing",
        )  # fmt: skip
    assert (info.value.path, info.value.line) == ("doc", 1)


def test_other_errors_come_back_as_kg_errors_without_a_traceback() -> None:
    with pytest.raises(KGError, match=r"^ValueError: invalid literal") as info:
        run_bounded(int, "x", timeout=30, memory_mb=512, what="converting")
    assert type(info.value) is KGError
    with pytest.raises(UploadTooLarge, match="nested too deeply"):  # the C JSON decoder recursing
        run_bounded(json.loads, "[" * 200_000 + "]" * 200_000, timeout=30, memory_mb=512, what="decoding")


def test_uploads_wait_for_a_slot_then_the_server_is_busy() -> None:
    """kg.write.upload runs at most `at_once` children: a burst of uploads cannot take `memory_mb` each at once."""
    bounds = Bounds(timeout=30, memory_mb=512, at_once=1, wait=0.3)
    holder = threading.Thread(target=_bounded, args=(time.sleep, 2), kwargs={"bounds": bounds, "what": "sleeping"})
    holder.start()
    time.sleep(0.5)  # the holder's child is running
    start = time.monotonic()
    with pytest.raises(ServerBusy, match=r"waited 0\.3 s for one of the 1 upload slots"):
        _bounded(sum, [1], bounds=bounds, what="adding")
    assert time.monotonic() - start < 2
    holder.join()
    assert _bounded(sum, [1], bounds=bounds, what="adding") == 1  # the slot is free again
