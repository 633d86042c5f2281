"""The `switchboard` command. Each command group lives in `switchboard/commands/`."""

from __future__ import annotations

import logging
import sys

import typer

from switchboard.commands import register_all
from switchboard.config.errors import SwitchboardError
from switchboard.config.settings import get_settings
from switchboard.config.text import check_arguments
from switchboard.config.tracing import configure_tracing
from switchboard.output import err_console

app = typer.Typer(
    name="switchboard",
    help="Switchboard: a hierarchical multi-agent customer-operations assistant on LangGraph.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
register_all(app)


def main() -> None:
    """Entry point: user errors become one line on stderr and exit code 2."""
    try:
        settings = get_settings()
    except Exception as exc:  # pydantic ValidationError: name the setting
        err_console.print(
            f"[bold red]error:[/] invalid setting: {_settings_error(exc)}", highlight=False, soft_wrap=True
        )
        sys.exit(2)
    logging.basicConfig(level=settings.log_level, format="%(levelname)s %(name)s: %(message)s")
    configure_tracing(settings)
    try:
        check_arguments(sys.argv[1:])  # undecodable bytes: one line before any command runs
        app()  # standalone: usage errors print click's message and exit 2
    except SwitchboardError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)


def _settings_error(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        parts = []
        for err in errors():
            name = ".".join(str(p) for p in err.get("loc", ())).upper()
            parts.append(f"{name}: {err.get('msg')}")
        return "; ".join(parts)
    return str(exc).splitlines()[0]
