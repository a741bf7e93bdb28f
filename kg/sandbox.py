"""Work on what a client sent, done where it can be stopped: a fresh process with a time and a memory limit.

Parsing and validating an uploaded document can take unbounded time and memory (deep nesting, huge
literals, SHACL over many blank nodes), and neither pyoxigraph nor pySHACL can be interrupted inside the
server's process. `run_bounded` runs one call in a child forked from a forkserver that has already imported
rdflib, pySHACL and pyoxigraph (a fork costs milliseconds, not the seconds an import does), with
`RLIMIT_AS` set to the memory limit, and kills it at the time limit. The server and its other clients are
never affected: the worst a document can do is use up its own child.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import pickle
import resource
import signal
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from kg.errors import KGError, UploadTooLarge, WorkTimeout

T = TypeVar("T")

_PRELOAD = [
    "pyoxigraph",
    "rdflib",
    "pyshacl",
    "kg.sources.rdf_io",
    "kg.sources.rdf_limits",
    "kg.ingest.validate",
    "kg.write.upload",
]
_ctx: Any = None


def _context() -> Any:
    global _ctx
    if _ctx is None:
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(_PRELOAD)
        _ctx = ctx
    return _ctx


def _child(conn: Connection, fn: Callable[..., Any], args: tuple[Any, ...], memory_mb: int) -> None:
    # A Rust panic at the memory limit (pyo3: "PyObject pointer is null") that tries to print a backtrace
    # fails to allocate again and can hang the child until the time limit instead of aborting at once.
    os.environ["RUST_BACKTRACE"] = "0"
    limit = memory_mb * 1024 * 1024
    with contextlib.suppress(ValueError, OSError):  # a limit above the hard one is kept at the hard one
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        payload: tuple[str, Any] = ("ok", fn(*args))
    except MemoryError:
        payload = ("memory", None)
    except SystemError as e:  # an extension whose allocation failed at the limit without setting MemoryError
        payload = ("memory", None) if "without exception set" in str(e) else ("error", KGError(f"SystemError: {e}"))
    except KGError as e:
        payload = ("error", e)
    except RecursionError:
        payload = ("error", UploadTooLarge("the document is nested too deeply to be handled"))
    except Exception as e:  # reported to the parent as an internal error, never a traceback to the client
        payload = ("error", KGError(f"{type(e).__name__}: {e}"))
    try:
        conn.send_bytes(pickle.dumps(payload))
    except MemoryError:  # pragma: no cover - the answer itself did not fit
        conn.send_bytes(pickle.dumps(("memory", None)))
    conn.close()


def run_bounded(fn: Callable[..., T], *args: Any, timeout: float, memory_mb: int, what: str) -> T:
    """`fn(*args)` in a child process; `WorkTimeout` past `timeout` seconds, `UploadTooLarge` past `memory_mb`.

    `fn` must be a module-level function and its arguments and result picklable. A `KGError` raised by
    `fn` is raised here as it was.
    """
    ctx = _context()
    parent, child = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child, args=(child, fn, args, memory_mb), daemon=True, name="kg-bounded")
    process.start()
    child.close()
    try:
        if not parent.poll(timeout):
            raise WorkTimeout(f"{what} took longer than {timeout:g} s and was stopped")
        try:
            status, payload = pickle.loads(parent.recv_bytes())
        except (EOFError, OSError):
            process.join(timeout=1)
            code = process.exitcode
            if code is not None and code < 0 and -code in (signal.SIGKILL, signal.SIGSEGV, signal.SIGABRT):
                raise UploadTooLarge(
                    f"{what} was stopped: it needed more than the {memory_mb} MiB a worker may use"
                ) from None
            raise KGError(f"{what} stopped unexpectedly (exit code {code})") from None
    finally:
        if process.is_alive():
            process.kill()
        process.join(timeout=5)
        parent.close()
    if status == "ok":
        result: T = payload
        return result
    if status == "memory":
        raise UploadTooLarge(f"{what} needed more than the {memory_mb} MiB a worker may use")
    raise payload
