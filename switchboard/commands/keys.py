"""`switchboard keys create|list|revoke`: API keys of the HTTP service (`switchboard serve`)."""

from __future__ import annotations

from typing import Any

import typer

from switchboard.output import JsonOption, console, emit

keys_app = typer.Typer(
    name="keys",
    help="API keys of the HTTP service: each acts for one customer or one staff member.",
    no_args_is_help=True,
)


@keys_app.command("create")
def create(
    actor: str = typer.Option(
        ..., "--as", help="Who the key acts for: customer:CUST-0001 (an existing customer) or staff:NAME."
    ),
    as_json: bool = JsonOption,
) -> None:
    """Create a key and print its secret, once: only its hash is stored."""
    from rich.markup import escape

    from switchboard.config.database import connect
    from switchboard.tools import apikeys

    with connect() as conn:
        key = apikeys.create(conn, actor)

    def render(k: dict[str, Any]) -> None:
        console.print(f"API key {k['id']} for {k['role']}:{escape(k['subject'])}")
        console.print(f"secret (shown only now, store it safely): [bold]{k['secret']}[/]", highlight=False)
        console.print(f"[dim]use it as: Authorization: Bearer {k['secret']}[/]", highlight=False)

    emit(key, as_json, render)


@keys_app.command("list")
def list_(
    active: bool = typer.Option(False, "--active", help="Only keys that are not revoked."),
    as_json: bool = JsonOption,
) -> None:
    """Every key (never its secret), newest first."""
    from rich.markup import escape
    from rich.table import Table

    from switchboard.config.database import connect
    from switchboard.tools import apikeys

    with connect() as conn:
        keys = apikeys.list_keys(conn, include_revoked=not active)

    def render(rows: list[dict[str, Any]]) -> None:
        if not rows:
            console.print("no API keys (create one with: switchboard keys create --as staff:NAME)")
            return
        table = Table("key", "role", "acts for", "created", "revoked")
        for r in rows:
            revoked = f"{r['revoked_at']:%Y-%m-%d %H:%M}" if r["revoked_at"] else ""
            table.add_row(
                r["id"], r["role"], escape(r["subject"]), f"{r['created_at']:%Y-%m-%d %H:%M}", revoked
            )
        console.print(table)

    emit(keys, as_json, render)


@keys_app.command("revoke")
def revoke(
    key_id: str = typer.Argument(..., help="The key id (key_…), from `switchboard keys list`."),
    as_json: bool = JsonOption,
) -> None:
    """Revoke a key: it stops working at once."""
    from switchboard.config.database import connect
    from switchboard.tools import apikeys

    with connect() as conn:
        key = apikeys.revoke(conn, key_id)
    emit(
        key,
        as_json,
        lambda k: console.print(f"API key {k['id']} revoked at {k['revoked_at']:%Y-%m-%d %H:%M:%S}"),
    )


def register(app: typer.Typer) -> None:
    app.add_typer(keys_app, name="keys")
