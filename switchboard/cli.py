"""The `switchboard` command. Each command group lives in `switchboard/commands/`.

Start-up is part of the interface: `--help` and `route` must answer in well under half a second, so
nothing here (nor in the command modules) imports LangGraph, psycopg or the settings at module level;
each command imports what it needs when it runs.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import typer

from switchboard.commands import register_all
from switchboard.config.errors import SwitchboardError
from switchboard.config.text import check_arguments
from switchboard.output import print_error

app = typer.Typer(
    name="switchboard",
    help="Switchboard: a hierarchical multi-agent customer-operations assistant on LangGraph.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,  # plain help: rich's help renderer costs more start-up than the command
    context_settings={"max_content_width": 120},
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            sys.stdout.write(f"switchboard {version('switchboard')}\n")
        except PackageNotFoundError:  # a source tree that was never installed
            sys.stdout.write("switchboard (not installed)\n")
        raise typer.Exit()


# Commands that run for long (servers, workers, conversations, tours, batches): the garbage collector
# stays on in them from the start (`switchboard.startup`; the others are short and end first).
LONG_RUNNING = frozenset({"serve", "worker", "studio", "chat", "demo", "bench", "eval"})


@app.callback()
def _start(
    ctx: typer.Context,
    show_version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Switchboard: a hierarchical multi-agent customer-operations assistant on LangGraph."""
    # Runs before any command (not for `--help` or `--version`): settings, logging and tracing.
    from switchboard.config.settings import get_settings
    from switchboard.config.tracing import configure_tracing

    try:
        settings = get_settings()
    except Exception as exc:  # pydantic's ValidationError: name the setting
        from switchboard.config.errors import ConfigurationError

        raise ConfigurationError(f"invalid setting: {_settings_error(exc)}") from None
    import uuid

    from switchboard.observability.logs import bind_request, configure_logging
    from switchboard.observability.tracing import configure_telemetry, shutdown_telemetry, span

    if ctx.invoked_subcommand in LONG_RUNNING:
        from switchboard.startup import loaded

        loaded()  # the collector on from the start: these run for minutes or for ever
    configure_logging(settings)
    configure_tracing(settings)
    # The command is one request: its log lines share a request id, its work is one trace (when tracing).
    command = ctx.invoked_subcommand or ""
    ctx.with_resource(bind_request(request_id=uuid.uuid4().hex, surface="cli"))
    if configure_telemetry(settings):
        ctx.call_on_close(shutdown_telemetry)
    ctx.with_resource(
        span(f"cli {command}".strip(), {"switchboard.surface": "cli", "switchboard.command": command})
    )


register_all(app)


def run() -> None:
    """The `switchboard` program (its console script and `python -m switchboard`): `main` in a process
    of its own, which starts without the garbage collector's work during imports and ends without
    tearing its modules down (`switchboard.startup`)."""
    from switchboard import startup

    startup.pause_collector()
    try:
        main()
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            startup.exit_now(exc.code or 0)
        raise  # a message for stderr: the interpreter prints it
    startup.exit_now(0)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: every error a user can act on is one line on stderr (JSON under `--json`), exit 2."""
    from typer._click.exceptions import ClickException, UsageError
    from typer.exceptions import Abort

    from switchboard import output

    args = list(sys.argv[1:] if argv is None else argv)
    output.json_errors = "--json" in args
    try:
        check_arguments(args)  # undecodable bytes: one line before any command runs
        code = app(args=args, prog_name="switchboard", standalone_mode=False)
    except UsageError as exc:
        where = exc.ctx.command_path if exc.ctx is not None else "switchboard"
        print_error(f"{exc.format_message()} (see: {where} --help)", kind="usage")
        sys.exit(2)
    except ClickException as exc:
        print_error(exc.format_message(), kind="usage")
        sys.exit(exc.exit_code)
    except SwitchboardError as exc:
        print_error(str(exc), kind=type(exc).__name__)
        sys.exit(2)
    except Abort:
        print_error("aborted", kind="aborted")
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:
        behind = _schema_behind(exc)
        if behind is None:
            raise
        print_error(behind, kind="ConfigurationError")
        sys.exit(2)
    sys.exit(code if isinstance(code, int) else 0)


def _schema_behind(exc: BaseException) -> str | None:
    """A missing table, schema, column or function: the store predates this version's migrations.

    Returns the one-line advice (with the pending migrations) or None when the error is something else.
    """
    from switchboard.tools.store.migrate import missing_schema_object

    cause = missing_schema_object(exc)
    if cause is None:
        return None
    first = str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__
    try:
        from switchboard.config.database import connect
        from switchboard.tools.store.migrate import pending_migrations

        with connect() as conn:
            pending = pending_migrations(conn)
    except Exception:  # the advice stands without the list
        pending = []
    if pending:
        return (
            f"the store's schema is older than this Switchboard ({first}; pending migrations: "
            f"{', '.join(pending)}): run `switchboard db init`"
        )
    return f"the store's schema does not match this Switchboard ({first}): run `switchboard db init`"


def _settings_error(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        parts = []
        for err in errors():
            name = ".".join(str(p) for p in err.get("loc", ())).upper()
            parts.append(f"{name}: {err.get('msg')}")
        return "; ".join(parts)
    return str(exc).splitlines()[0]
