"""`switchboard db ...`: create, seed, inspect and reset the store (and the checkpointer's tables)."""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Any

import typer

from switchboard.config.errors import InputError
from switchboard.output import JsonOption, console, emit
from switchboard.render import print_rows

if TYPE_CHECKING:
    from rich.table import Table

db_app = typer.Typer(
    name="db",
    help="The database: migrations, the seeded store, its scenarios, status and reset.",
    no_args_is_help=True,
)


def _kind() -> str:
    from switchboard.config.database import database_target

    return "embedded" if database_target().embedded else "external"


def confirm_deletion(question: str, *, yes: bool, as_json: bool, command: str) -> None:
    """Nothing is deleted without `--yes`, or a "yes" typed at a terminal: piped input, scripts and
    `--json` get a one-line error instead of an answer read from stdin."""
    if yes:
        return
    if as_json or not sys.stdin.isatty():
        raise InputError(f"{command} deletes data: add --yes to confirm (no terminal to ask on)")
    typer.confirm(question, abort=True)


def _counts_table(counts: dict[str, int], title: str) -> Table:
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, count in counts.items():
        table.add_row(name, f"{count:,}")
    return table


@db_app.command("init")
def init(as_json: bool = JsonOption) -> None:
    """Apply the store's migrations and create LangGraph's checkpoint tables. Safe to run again."""
    from switchboard.config.checkpointer import sync_checkpointer
    from switchboard.config.database import connect, database_target
    from switchboard.tools.store.migrate import apply_migrations, schema_version

    with connect() as conn:
        applied = apply_migrations(conn)
        version = schema_version(conn)
    with sync_checkpointer():
        pass  # setting the saver up creates (or migrates) its tables
    data = {
        "database": _kind(),
        "target": database_target().display,
        "applied": applied,
        "schema_version": version,
        "checkpointer": "ready",
    }

    def render(d: dict[str, Any]) -> None:
        done = ", ".join(d["applied"]) if d["applied"] else "none (already up to date)"
        console.print(f"[bold]{d['target']}[/]")
        console.print(f"store schema version {d['schema_version']}; migrations applied now: {done}")
        console.print("checkpointer tables ready")

    emit(data, as_json, render)


@db_app.command("seed")
def seed(
    seed_value: int = typer.Option(7, "--seed", help="Random seed: the same seed gives the same data."),
    customers: int = typer.Option(300, "--customers", help="How many customers (one per scenario included)."),
    replace: bool = typer.Option(
        False, "--replace", help="Wipe the store's data first if already seeded (needs --yes)."
    ),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask before wiping (with --replace)."),
    as_json: bool = JsonOption,
) -> None:
    """Fill the store with deterministic, realistic data and the named scenarios."""
    from switchboard.config.database import connect, database_target
    from switchboard.tools.store.seed import REFERENCE_NOW, _check_args, is_seeded, seed_info, seed_store

    _check_args(seed_value, customers)  # a bad argument is the error, whatever the store holds
    with connect() as conn:
        if replace and is_seeded(conn):
            confirm_deletion(
                f"Wipe every row of the store in {database_target().display} (customers, orders, approvals,"
                " API keys, notifications) and seed it again?",
                yes=yes,
                as_json=as_json,
                command="db seed --replace",
            )
        info = None if replace else seed_info(conn)
        if info is not None:
            # Seeding is deterministic: the same seed and size again is already done (after the demo,
            # say); anything else would change the data, which only --replace may do.
            same = info["seed"] == seed_value and info["customers"] == customers
            if not same:
                raise InputError(
                    f"the store is already seeded (seed {info['seed']}, {info['customers']} customers): "
                    "add --replace to wipe it and seed it again"
                )
            data = {"database": _kind(), "seed": seed_value, "customers": customers, "already_seeded": True}
            emit(
                data,
                as_json,
                lambda d: console.print(
                    f"already seeded (seed {d['seed']}, {d['customers']} customers): nothing to do "
                    "(--replace wipes and re-seeds it)"
                ),
            )
            return
        start = time.perf_counter()
        counts = seed_store(conn, seed=seed_value, customers=customers, replace=replace)
        seconds = round(time.perf_counter() - start, 3)
    data = {
        "database": _kind(),
        "seed": seed_value,
        "customers": customers,
        "replaced": replace,
        "already_seeded": False,
        "reference_now": REFERENCE_NOW.isoformat(),
        "row_counts": counts,
        "seconds": seconds,
    }

    def render(d: dict[str, Any]) -> None:
        console.print(_counts_table(d["row_counts"], f"seeded (seed {d['seed']}) in {d['seconds']} s"))
        console.print("see the planted cases with: switchboard db scenarios")

    emit(data, as_json, render)


@db_app.command("status")
def status(as_json: bool = JsonOption) -> None:
    """Which database, schema version, migrations, rows per table, and whether it is seeded."""
    from switchboard.config.database import connect, database_target
    from switchboard.tools.store.admin import store_status

    with connect() as conn:
        data = {"database": _kind(), "target": database_target().display, **store_status(conn)}

    def render(d: dict[str, Any]) -> None:
        console.print(f"[bold]{d['target']}[/]")
        console.print(
            f"schema version {d['schema_version']}: {', '.join(d['migrations']) or 'no migrations'}"
        )
        if d["migration_error"]:
            console.print(f"[red]migrations:[/] {d['migration_error']}")
        if d["pending_migrations"]:
            console.print(
                f"[yellow]pending:[/] {', '.join(d['pending_migrations'])} (run: switchboard db init)"
            )
        if d["seed"]:
            s = d["seed"]
            console.print(
                f"seeded: seed {s['seed']}, {s['customers']} customers, reference now "
                f"{s['reference_now']}, at {s['seeded_at']}"
            )
        else:
            console.print(
                "seeded: no" + (" (but holds data)" if d["seeded"] else " (run: switchboard db seed)")
            )
        if d["row_counts"]:
            console.print(_counts_table(d["row_counts"], "rows"))

    emit(data, as_json, render)


@db_app.command("reset")
def reset(
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
    as_json: bool = JsonOption,
) -> None:
    """Drop the store (all its data) and re-create it empty. Checkpoints are kept."""
    from switchboard.config.database import connect, database_target
    from switchboard.tools.store.admin import reset_store

    target = database_target().display
    confirm_deletion(
        f"Drop every table of the store in {target} (API keys and approvals too) and re-create it empty?",
        yes=yes,
        as_json=as_json,
        command="db reset",
    )
    with connect() as conn:
        applied = reset_store(conn)
    data = {"database": _kind(), "target": target, "reset": True, "applied": applied}

    def render(d: dict[str, Any]) -> None:
        console.print(f"store reset in {d['target']}: empty, migrations {', '.join(d['applied'])}")

    emit(data, as_json, render)


@db_app.command("scenarios")
def scenarios(as_json: bool = JsonOption) -> None:
    """The planted scenarios: which customer and order each one is on."""
    from switchboard.config.database import connect
    from switchboard.tools.store.seed import is_seeded, list_scenarios

    with connect() as conn:
        if not is_seeded(conn):
            raise InputError("the store is not seeded: run `switchboard db seed` first")
        data = list_scenarios(conn)

    def render(items: list[dict[str, Any]]) -> None:
        rows = []
        for s in items:
            ids = [*s["payment_ids"], s["invoice_id"], s["refund_id"], s["tracking_number"]]
            rows.append(
                (
                    s["name"],
                    s["customer_id"],
                    s["order_id"] or "",
                    " ".join(str(i) for i in ids if i),
                    s["description"],
                )
            )
        print_rows(
            ("name", "customer", "order", "other ids", "what"),
            rows,
            whole=("name", "customer", "order", "other ids"),
            title="scenarios",
        )

    emit(data, as_json, render)


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
