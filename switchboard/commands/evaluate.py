"""`switchboard eval`: score routing and whole answers on the evaluation sets (agents/evaluation)."""

from __future__ import annotations

from pathlib import Path

import typer

from switchboard.output import JsonOption, console, emit, err_console

DeciderOption = typer.Option("", help="'deterministic' or 'provider:model' (default: the settings).")


def register(app: typer.Typer) -> None:
    @app.command("eval")
    def evaluate_command(
        split: str = typer.Option("all", "--split", help="dev, test (held out, never tuned on) or all."),
        which: str = typer.Option("all", "--set", help="routing, e2e or all."),
        cases: list[Path] = typer.Option(
            None,
            "--cases",
            help="Cases JSONL instead of tests/data/eval/ (with --set all: give routing, then e2e).",
        ),
        route_decider: str = DeciderOption,
        supervisor_decider: str = DeciderOption,
        specialist_decider: str = DeciderOption,
        compose_decider: str = DeciderOption,
        concurrency: int = typer.Option(8, "--concurrency", min=1, max=64, help="Cases run at once."),
        errors: int = typer.Option(0, "--errors", min=0, help="List this many failures of each set."),
        as_json: bool = JsonOption,
    ) -> None:
        """Run the routing and end-to-end sets through the graph on a scratch database; print the figures."""
        from switchboard.agents.context import Context
        from switchboard.agents.evaluation import SETS, evaluate
        from switchboard.agents.evaluation.cases import SPLITS
        from switchboard.agents.evaluation.report import print_tables
        from switchboard.config.errors import InputError

        if split not in SPLITS:
            raise InputError(f"--split must be one of {', '.join(SPLITS)}, not {split!r}")
        if which not in SETS:
            raise InputError(f"--set must be one of {', '.join(SETS)}, not {which!r}")
        paths: dict[str, Path | None] = {"routing": None, "e2e": None}
        if cases:
            wanted = ["routing", "e2e"] if which == "all" else [which]
            if len(cases) != len(wanted):
                raise InputError(
                    f"--cases: give {len(wanted)} file(s) for --set {which} ({' then '.join(wanted)}), "
                    f"not {len(cases)}"
                )
            paths.update(zip(wanted, cases, strict=True))
        context = Context(
            route_decider=route_decider,
            supervisor_decider=supervisor_decider,
            specialist_decider=specialist_decider,
            compose_decider=compose_decider,
        )

        def say(text: str) -> None:
            if not as_json:
                err_console.print(f"[dim]{text}[/]", highlight=False)

        result = evaluate(
            split=split,
            sets=which,
            routing_path=paths["routing"],
            e2e_path=paths["e2e"],
            context=context,
            concurrency=concurrency,
            say=say,
        )
        emit(result, as_json, lambda data: print_tables(data, console, errors))
