"""Command groups of the `switchboard` CLI. Each module exposes `register(app)`."""

from __future__ import annotations

import importlib

import typer

# Order is the order of `switchboard --help`.
COMMAND_MODULES = (
    "demo",
    "db",
    "route",
    "conversation",
    "approvals",
    "observe",
    "worker",
    "retention",
    "graph",
    "serve",
    "studio",
    "keys",
    "bench",
    "evaluate",
)


def register_all(app: typer.Typer) -> None:
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"switchboard.commands.{name}")
        module.register(app)
