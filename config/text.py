"""Text that can be stored: the one check every surface applies before anything is written.

PostgreSQL's text and jsonb cannot hold a NUL character, and UTF-8 cannot encode a lone surrogate
(which is what Python makes of bytes that are not UTF-8: undecodable command-line arguments and stdin
read with `surrogateescape`). Such text is refused with one line naming where it was, never passed on
to fail half-way through a run.
"""

from __future__ import annotations

import sys
from typing import Any

from switchboard.config.errors import InputError


def text_problem(value: str) -> str | None:
    """What makes `value` unstorable, or None."""
    if "\x00" in value:
        return "contains a NUL character"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "is not valid UTF-8 text (it holds undecodable bytes or a lone surrogate)"
    return None


def check_text(value: Any, where: str) -> Any:
    """`value` unchanged when every string in it (dict keys and values, list items) is storable."""
    if isinstance(value, str):
        problem = text_problem(value)
        if problem:
            raise InputError(f"{where} {problem}")
    elif isinstance(value, dict):
        for key, item in value.items():
            check_text(key, where)
            check_text(item, where)
    elif isinstance(value, (list, tuple)):
        for item in value:
            check_text(item, where)
    return value


def check_arguments(args: list[str]) -> None:
    """Command-line arguments: Python turns bytes that are not UTF-8 into lone surrogates; refuse them."""
    for number, arg in enumerate(args, start=1):
        problem = text_problem(arg)
        if problem:
            shown = arg.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            raise InputError(f"argument {number} ('{shown[:60]}') {problem}")


def tolerant_stdin() -> None:
    """Read stdin so that bytes that are not UTF-8 become lone surrogates (refused by `check_text` with
    one line) instead of a UnicodeDecodeError traceback in the middle of a command."""
    reconfigure = getattr(sys.stdin, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors="surrogateescape")
