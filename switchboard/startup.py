"""A `switchboard` command's process, started and ended as cheaply as it can be.

Every CLI command is a new process that loads LangGraph, LangChain, pydantic and psycopg (over a
thousand modules) and then ends; two costs there are not the command's work at all:

- **The cyclic garbage collector during imports.** Loading modules allocates hundreds of thousands of
  objects, so the collector runs over and over, and finds nothing: modules, classes and functions live
  until the process ends. `pause_collector()` turns it off when the program starts; `loaded()` turns it
  back on once the modules are in, after `gc.freeze()` has moved them out of its sight, so later
  collections do not walk them again either. `Switchboard.open()` (every command that runs the graph,
  and the service) and the long-running commands call `loaded()`; the others are short and end first.
- **Tearing the modules down at exit.** An interpreter's normal exit frees every module and object one
  by one; `exit_now()` does what that exit does first (waits for the process's own threads, runs the
  exit hooks: the embedded server's, telemetry's, logging's), flushes the output and ends the process
  without the teardown.

Only the `switchboard` program does either (`switchboard.cli.run`); `switchboard.cli.main`, the
embedding API and tests in one process behave as any Python code does.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import os
import sys
import threading

_paused = False


def pause_collector() -> None:
    """Turn the cyclic collector off while the process loads its modules (see `loaded`)."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def loaded() -> None:
    """The modules are loaded: keep them out of the collector's sight and turn it back on (when
    `pause_collector` turned it off; otherwise nothing)."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()


def exit_now(code: int) -> None:
    """End the process as an ordinary exit would, minus the teardown of every module."""
    # First what the interpreter does before its exit hooks: the threading module's own exit callbacks
    # (they tell executors' idle workers to stop), then a wait for every non-daemon thread.
    shutdown = getattr(threading, "_shutdown", None)
    if callable(shutdown):
        shutdown()
    else:  # pragma: no cover - every CPython has it; a wait for the threads is the part that matters
        me = threading.current_thread()
        for thread in threading.enumerate():
            if thread is not me and not thread.daemon:
                thread.join()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe (`| head`): nothing to keep
            stream.flush()
    os._exit(code)
