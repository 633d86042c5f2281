"""`switchboard graph`: the whole hierarchy as drawn by LangGraph (Mermaid or ASCII)."""

from __future__ import annotations

import sys

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def graph(
        ascii_art: bool = typer.Option(False, "--ascii", help="ASCII art instead of Mermaid."),
    ) -> None:
        """Print the router graph with every domain's supervisor and specialists (xray)."""
        from switchboard.graphs.router import graph as compiled

        drawn = compiled.get_graph(xray=True)
        sys.stdout.write((drawn.draw_ascii() if ascii_art else drawn.draw_mermaid()) + "\n")
