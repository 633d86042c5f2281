"""Pictures for the notebooks: the graph, a run's timeline, where its time and tokens went, an approval's path.

Drawn with matplotlib (a dev extra), offline: no Mermaid service, no Graphviz binary. Each function
returns a matplotlib Figure; `show(fig)` displays it in a notebook as a PNG.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from io import BytesIO
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from langgraph.graph.state import CompiledStateGraph
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

_PALETTE = ("#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860", "#da8bc3", "#8c8c8c", "#ccb974")


def _domain_colours() -> dict[str, str]:
    """The router's colour, then one per registered domain in registry order (a new domain gets one too)."""
    from switchboard.agents import registry

    names = registry.names()
    return {"router": "#4c72b0", **{name: _PALETTE[i % len(_PALETTE)] for i, name in enumerate(names)}}


DOMAIN_COLOURS = _domain_colours()


def _figure(width: float, height: float) -> Figure:
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:  # pragma: no cover - matplotlib is a dev extra
        raise RuntimeError("the pictures need matplotlib: install the dev extras (./run does)") from exc
    return Figure(figsize=(width, height), dpi=100, layout="constrained")


def show(fig: Figure) -> Any:
    """Display a figure in a notebook as a PNG (and return the image object)."""
    from IPython.display import Image, display

    buffer = BytesIO()
    fig.savefig(buffer, format="png")
    image = Image(data=buffer.getvalue(), format="png")
    display(image)
    return image


def _box(
    ax: Axes,
    x: float,
    y: float,
    text: str,
    colour: str,
    width: float = 1.9,
    fill: float = 0.18,
    height: float = 0.56,
) -> None:
    from matplotlib.patches import FancyBboxPatch

    ax.add_patch(
        FancyBboxPatch(
            (x - width / 2, y - height / 2),
            width,
            height,
            boxstyle="round,pad=0.02,rounding_size=0.12",
            facecolor=colour,
            alpha=fill,
            edgecolor=colour,
            linewidth=1.2,
        )
    )
    ax.text(x, y, text, ha="center", va="center", fontsize=7.5)


def _arrow(ax: Axes, start: tuple[float, float], end: tuple[float, float], dashed: bool, colour: str) -> None:
    from matplotlib.patches import FancyArrowPatch

    ax.add_patch(
        FancyArrowPatch(
            start,
            end,
            arrowstyle="-|>",
            mutation_scale=9,
            linestyle="--" if dashed else "-",
            color=colour,
            linewidth=0.9,
            shrinkA=2,
            shrinkB=2,
        )
    )


# ---------------------------------------------------------------- the graph


def draw_graph(graph: CompiledStateGraph[Any, Any, Any, Any]) -> Figure:
    """The router graph with every domain subgraph expanded (`get_graph(xray=True)`), laid out as a
    hierarchy: intake and route on top, one column per domain (its supervisor and the specialists it
    can call), compose at the bottom. Dashed arrows are conditional edges (Send, supervisor choices)."""
    drawn = graph.get_graph(xray=True)
    domains = list(dict.fromkeys(n.split(":")[0] for n in drawn.nodes if ":" in n))
    members: dict[str, list[str]] = {d: [] for d in domains}
    for node in drawn.nodes:
        if ":" in node and not node.endswith(("__start__", "__end__")):
            domain, name = node.split(":", 1)
            if name != f"{domain}_supervisor":
                members[domain].append(name)
    for domain in domains:  # the actions node last
        members[domain].sort(key=lambda n: n.endswith("_actions"))
    column = 4.2
    width = column * max(len(domains), 1)
    tallest = max((len(m) for m in members.values()), default=3)
    top = tallest * 0.75 + 3.2
    fig = _figure(width * 0.95, top * 0.75)
    ax = fig.add_subplot()
    ax.set_xlim(0, width)
    ax.set_ylim(-1.2, top + 0.6)
    ax.axis("off")
    centre = width / 2
    where: dict[str, tuple[float, float]] = {
        "__start__": (centre, top),
        "intake": (centre, top - 0.9),
        "route": (centre, top - 1.8),
        "compose": (centre, -0.1),
        "__end__": (centre, -0.95),
    }
    router_colour = DOMAIN_COLOURS["router"]
    for name in ("__start__", "intake", "route", "compose", "__end__"):
        _box(ax, *where[name], name.strip("_"), router_colour, width=1.6)
    for i, domain in enumerate(domains):
        colour = DOMAIN_COLOURS.get(domain, "#777777")
        x0 = i * column + 0.15
        stack_top = top - 3.0
        rows = [stack_top - j * 0.75 for j in range(len(members[domain]))]
        supervisor = (x0 + 1.0, (rows[0] + rows[-1]) / 2 if rows else stack_top)
        from matplotlib.patches import Rectangle

        ax.add_patch(
            Rectangle(
                (x0 - 0.05, rows[-1] - 0.5 if rows else stack_top - 0.5),
                column - 0.2,
                (rows[0] - rows[-1] if rows else 0) + 1.35,
                facecolor=colour,
                alpha=0.05,
                edgecolor=colour,
                linewidth=0.8,
            )
        )
        ax.text(x0 + 0.05, rows[0] + 0.55, domain, fontsize=9, fontweight="bold", color=colour, va="bottom")
        where[f"{domain}:{domain}_supervisor"] = supervisor
        _box(ax, *supervisor, f"{domain}\nsupervisor", colour, width=1.5, fill=0.35)
        for name, y in zip(members[domain], rows, strict=True):
            where[f"{domain}:{name}"] = (x0 + 2.95, y)
            _box(ax, x0 + 2.95, y, name.replace("_", " "), colour, width=1.95, fill=0.12)
    for edge in drawn.edges:
        source, target = _collapse(edge.source), _collapse(edge.target)
        if source not in where or target not in where or source == target:
            continue
        (sx, sy), (tx, ty) = where[source], where[target]
        domain = (
            source.split(":")[0] if ":" in source else target.split(":")[0] if ":" in target else "router"
        )
        colour = DOMAIN_COLOURS.get(domain, "#777777") if ":" in source and ":" in target else "#555555"
        if ":" in source and ":" in target:  # supervisor <-> specialist: one line, its direction by style
            if source.endswith("_supervisor"):
                _arrow(ax, (sx + 0.75, sy), (tx - 0.98, ty), True, colour)
            continue
        _arrow(ax, (sx, sy - 0.28), (tx, ty + 0.28), edge.conditional, colour)
    ax.set_title(
        "Switchboard: the router graph, every domain subgraph expanded (dashed: conditional edges)",
        fontsize=10,
    )
    return fig


def _collapse(node: str) -> str:
    """A subgraph's own start and end are drawn as its supervisor (where it starts and finishes)."""
    if ":" in node and node.endswith(("__start__", "__end__")):
        domain = node.split(":")[0]
        return f"{domain}:{domain}_supervisor"
    return node


# ---------------------------------------------------------------- a run, timed from the graph's stream


@dataclass
class TimedRun:
    """A run's stream events, each with the time it arrived (seconds from the start), and its result."""

    events: list[tuple[float, dict[str, Any]]] = field(default_factory=list)
    result: dict[str, Any] = field(default_factory=dict)

    def spans(self) -> list[tuple[str, str, float, float]]:
        """(lane, node, start, end) for every node that ran: a lane is the router or one domain. A node
        starts when the step before it in its lane ended (the route's end, for a domain's first step)."""
        spans: list[tuple[str, str, float, float]] = []
        lane_clock: dict[str, float] = {"router": 0.0}
        route_end = 0.0
        for at, event in self.events:
            if event["event"] == "route":
                spans.append(("router", "route", lane_clock["router"], at))
                lane_clock["router"] = route_end = at
            elif event["event"] == "update":
                data = event["data"]
                lane = "router" if not data["namespace"] else data["domain"]
                node = data["node"]
                if lane == "router" and node in DOMAIN_COLOURS:
                    continue  # a domain's hand-back: its own lane already shows its steps
                start = lane_clock.get(lane, route_end)
                spans.append((lane, node, start, at))
                lane_clock[lane] = at
                if lane != "router":
                    lane_clock["router"] = max(lane_clock["router"], at)
        return spans


async def timed(stream: AsyncIterator[dict[str, Any]]) -> TimedRun:
    """Record `Switchboard.astream_ask(...)` with the arrival time of each event."""
    run = TimedRun()
    start = time.perf_counter()
    async for event in stream:
        if event["event"] == "result":
            run.result = event["data"]
        else:
            run.events.append((time.perf_counter() - start, event))
    return run


def timeline(run: TimedRun) -> Figure:
    """The run's steps as a timeline: one lane for the router, one per domain; domains side by side in
    time ran in parallel."""
    spans = run.spans()
    lanes = list(dict.fromkeys(["router", *(lane for lane, *_ in spans)]))
    total = max((end for *_, end in spans), default=0.0) * 1000 or 1.0
    fig = _figure(11, 1.0 + 0.65 * len(lanes))
    ax = fig.add_subplot()
    for row, lane in enumerate(lanes):
        colour = DOMAIN_COLOURS.get(lane, "#777777")
        for span_lane, node, start, end in spans:
            if span_lane != lane:
                continue
            ms0, ms1 = start * 1000, max(end * 1000, start * 1000 + 0.05)
            ax.barh(row, ms1 - ms0, left=ms0, height=0.6, color=colour, alpha=0.75, edgecolor="white")
            label = node.replace(f"{lane}_", "").replace("_", " ")
            if (ms1 - ms0) >= total * 0.006 * len(label):  # a label only where it fits
                ax.text((ms0 + ms1) / 2, row, label, ha="center", va="center", fontsize=6.5, clip_on=True)
    ax.set_yticks(range(len(lanes)), lanes)
    ax.invert_yaxis()
    ax.set_xlabel("milliseconds since the request")
    ax.set_title("The run's steps: the router, then each domain's supervisor and specialists", fontsize=10)
    ax.grid(axis="x", alpha=0.3)
    return fig


def where_it_went(run: TimedRun) -> Figure:
    """Where the run's time went (per lane and node), and its model tokens per decision point."""
    totals: dict[str, float] = {}
    for lane, node, start, end in run.spans():
        key = f"{lane}: {node}" if lane != "router" else node
        totals[key] = totals.get(key, 0.0) + (end - start) * 1000
    ordered = sorted(totals.items(), key=lambda kv: kv[1])
    fig = _figure(11, 1.2 + 0.25 * len(ordered))
    left, right = fig.subplots(1, 2, width_ratios=[3, 2])
    colours = [DOMAIN_COLOURS.get(k.split(":")[0], DOMAIN_COLOURS["router"]) for k, _ in ordered]
    left.barh([k for k, _ in ordered], [v for _, v in ordered], color=colours, alpha=0.8)
    left.set_xlabel("milliseconds")
    left.set_title("time per step", fontsize=10)
    left.tick_params(axis="y", labelsize=7)
    tokens = _tokens(run.result)
    names = list(tokens)
    right.barh(names, [tokens[n]["input_tokens"] for n in names], color="#4c72b0", label="input tokens")
    right.barh(
        names,
        [tokens[n]["output_tokens"] for n in names],
        left=[tokens[n]["input_tokens"] for n in names],
        color="#dd8452",
        label="output tokens",
    )
    calls = sum(t["model_calls"] for t in tokens.values())
    right.set_title(f"model tokens per decision point ({calls} model call(s))", fontsize=10)
    right.tick_params(axis="y", labelsize=8)
    if calls:
        right.legend(fontsize=7)
    else:
        right.text(
            0.5,
            0.5,
            "no model calls: every decision point\nran deterministically (set ROUTE_DECIDER,\n"
            "SPECIALIST_DECIDER... to a model)",
            transform=right.transAxes,
            ha="center",
            va="center",
            fontsize=8,
        )
    return fig


def _tokens(result: dict[str, Any]) -> dict[str, dict[str, int]]:
    zero = {"model_calls": 0, "input_tokens": 0, "output_tokens": 0}
    usage: dict[str, dict[str, int]] = {"route": {**zero, **((result.get("route") or {}).get("usage") or {})}}
    for step in result.get("path") or []:
        usage[step["domain"]] = {**zero, **(step.get("usage") or {})}
    spent = result.get("usage") or {}
    counted = {k: sum(u.get(k, 0) for u in usage.values()) for k in zero}
    usage["compose"] = {k: max(0, int(spent.get(k, 0)) - counted[k]) for k in zero}
    return usage


# ---------------------------------------------------------------- an approval's path


def approval_path(approval: dict[str, Any], ledger: Sequence[dict[str, Any]] = ()) -> Figure:
    """One approval from proposal to execution: who proposed it where, what the policy asked for, the
    pause, the decision (who, when) and the ledger's single execution."""
    hops = approval["path"].split(" > ")
    steps = [
        (" > ".join(hops[:-1]), "proposed", "#4c72b0"),
        (f"policy: {approval['required_role']}\n{approval['action']}", "needs a person", "#8172b3"),
        (f"paused\n{_clock(approval.get('requested_at'))}", "interrupt()", "#ccb974"),
    ]
    decided = approval.get("decided_by")
    if decided:
        verdict = "approved" if approval["status"] in ("approved", "used") else approval["status"]
        steps.append(
            (
                f"{verdict} by\n{approval.get('decided_role')}:{decided}\n{_clock(approval.get('decided_at'))}",
                "decision",
                "#55a868" if verdict == "approved" else "#c44e52",
            )
        )
    for row in ledger:
        steps.append(
            (
                f"{row['action']} {row['status']}\nonce, in the ledger\n{_clock(approval.get('used_at'))}",
                "exactly once",
                "#55a868",
            )
        )
    fig = _figure(2.3 * len(steps) + 0.5, 2.2)
    ax = fig.add_subplot()
    ax.set_xlim(-0.2, 2.3 * len(steps) - 0.2)
    ax.set_ylim(-1, 1)
    ax.axis("off")
    for i, (text, caption, colour) in enumerate(steps):
        x = i * 2.3 + 1.0
        _box(ax, x, 0.1, "", colour, width=2.0, fill=0.2, height=1.0)
        ax.text(x, 0.1, text, ha="center", va="center", fontsize=7.5)
        ax.text(x, -0.55, caption, ha="center", va="center", fontsize=7, style="italic", color="#555555")
        if i:
            _arrow(ax, (x - 2.3 + 1.0, 0.1), (x - 1.0, 0.1), False, "#555555")
    ax.set_title(f"approval {approval['id']}: {approval['description']}", fontsize=9)
    return fig


def _clock(value: Any) -> str:
    return f"{value:%H:%M:%S}" if hasattr(value, "strftime") else ""
