"""The benchmark: Switchboard against a langgraph-supervisor hierarchy and a flat agent, in one run.

    python -m bench.run [--quick] [--out bench/results/latest.json]     (or: switchboard bench [--quick])

Every system answers the same two-domain request for the `multi_issue` scenario customer, driven by
the same scripted chat model (bench/scripted.py), on the same `AsyncPostgresSaver` (Switchboard's own,
on its pool) in a fresh scratch database that is dropped afterwards. Figures are medians of several
requests, each on a fresh thread; targets are ratios measured in this run (see docs/DESIGN.md,
"Performance budget"). Output: a table on the terminal, JSON, and a PNG plot next to the JSON.

Database server: --server URL, else DATABASE_URL's server, else postgresql://postgres@127.0.0.1:5432,
else the embedded server. The scratch database `sbbench_<random>` is created on it and dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import platform
import statistics
import sys
import time
import tracemalloc
import uuid
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "bench" / "results" / "latest.json"
QUICK_OUT = ROOT / "bench" / "results" / "quick.json"  # a quick run never overwrites the full run's figures
LOCAL_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"

REQUEST = "where is my order, and why was I charged twice?"
SCENARIO = "multi_issue"
SLOW_MS = 200

# A long thread's turns: informational requests across the five domains (none proposes a write action,
# so no turn pauses for an approval), with follow-ups. One cycle = the window of "neighbouring turns".
LONG_THREAD_REQUESTS: tuple[str, ...] = (
    "where is my order?",
    "what delivery options do you have and what do they cost?",
    "can I see my invoices?",
    "what payment methods do I have saved?",
    "what are your opening hours?",
    "and what about the other order?",
    "do I have any refunds?",
    "is my newsletter subscription active?",
)

SYSTEMS: dict[str, str] = {
    "switchboard_llm": "Switchboard, LLM deciders (scripted)",
    "switchboard_hybrid": "Switchboard, LLM specialists only",
    "switchboard_det": "Switchboard, deterministic deciders",
    "langgraph_supervisor": "langgraph-supervisor, 2 levels",
    "flat_agent": "flat ReAct agent",
}
BASELINE = "langgraph_supervisor"
SWITCHBOARD = ("switchboard_llm", "switchboard_hybrid", "switchboard_det")

log = logging.getLogger("bench")


# ------------------------------------------------------------------------------------------- plan


@dataclass
class Plan:
    quick: bool = False
    reps: int = 7  # timed requests per system and latency (medians)
    turns: int = 200  # long thread length; marks at turns 10, turns/2 and turns
    levels: tuple[int, ...] = (1, 8, 32)  # concurrent requests
    slow_ms: int = SLOW_MS  # the simulated model latency
    per_level: int = 2  # requests per concurrency level = per_level * level (at least min_requests)
    min_requests: int = 4
    probe_cycles: int = 3  # side-by-side turns at the end of the long thread, in cycles of the request list
    profile_dir: Path | None = None
    server: str | None = None
    out: Path = DEFAULT_OUT
    plot: bool = True
    argv: list[str] = field(default_factory=list)
    only: str | None = None

    @property
    def marks(self) -> tuple[int, int, int]:
        early = min(10, max(1, self.turns // 4))
        return early, max(early + 1, self.turns // 2), self.turns

    @property
    def window(self) -> int:
        return max(1, min(len(LONG_THREAD_REQUESTS), self.marks[0]))

    def requests_at(self, level: int) -> int:
        return max(self.min_requests if level == 1 else level, self.per_level * level)


def parse(argv: Sequence[str] | None = None) -> Plan:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="2 repetitions, a 40-turn thread, concurrency 1 and 8, no profiles (about a minute)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        help="JSON output; .md and .png go next to it (default results/latest.json; quick: quick.json)",
    )
    parser.add_argument("--reps", type=int, help="timed requests per system and latency (default 7; quick 2)")
    parser.add_argument("--turns", type=int, help="long-thread turns (default 200; quick 40)")
    parser.add_argument("--levels", help="concurrency levels, comma separated (default 1,8,32)")
    parser.add_argument(
        "--latency-ms", type=int, default=SLOW_MS, help="the slow model's latency (default 200)"
    )
    parser.add_argument("--server", help="PostgreSQL server URL for the scratch database")
    parser.add_argument(
        "--profile",
        type=Path,
        help="pyinstrument profiles (text) go here (default: results/profiles next to --out; not in --quick)",
    )
    parser.add_argument("--no-profile", action="store_true", help="skip the profiles")
    parser.add_argument("--no-plot", action="store_true", help="skip the PNG")
    parser.add_argument(
        "--only",
        choices=["observability", "framework"],
        help="run one section alone and print its figures as JSON (observability: overhead on and off;"
        " framework: framework time per request of Switchboard with LLM deciders against the flat agent)",
    )
    args = parser.parse_args(argv)
    out = args.out or (QUICK_OUT if args.quick else DEFAULT_OUT)
    plan = Plan(
        quick=args.quick, out=out, server=args.server, profile_dir=args.profile, plot=not args.no_plot
    )
    if args.quick:
        plan.reps, plan.turns, plan.per_level, plan.min_requests, plan.levels = 2, 40, 1, 2, (1, 8)
        plan.probe_cycles = 1
    elif not args.no_profile and plan.profile_dir is None:
        plan.profile_dir = plan.out.parent / "profiles"
    if args.no_profile:
        plan.profile_dir = None
    if args.reps is not None:
        plan.reps = max(1, args.reps)
    if args.turns is not None:
        plan.turns = max(4, args.turns)
    if args.levels:
        plan.levels = tuple(sorted({max(1, int(x)) for x in args.levels.split(",") if x.strip()}))
    plan.slow_ms = max(1, args.latency_ms)
    plan.argv = list(argv if argv is not None else sys.argv[1:])
    plan.only = args.only
    return plan


# ------------------------------------------------------------------------------------------- database


def choose_server(explicit: str | None) -> str:
    import psycopg

    if explicit:
        return explicit
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    try:
        with psycopg.connect(LOCAL_SERVER, connect_timeout=2):
            return LOCAL_SERVER
    except psycopg.OperationalError:
        from switchboard.config.database import database_target

        return database_target().url  # the embedded server


def _reset_settings() -> None:
    from switchboard.config import database
    from switchboard.config.settings import get_settings

    get_settings.cache_clear()
    database._targets.clear()


@contextmanager
def scratch_database(server: str) -> Iterator[str]:
    """A fresh `sbbench_<random>` database on `server`, active as DATABASE_URL; dropped afterwards."""
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import make_conninfo

    name = f"sbbench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server, autocommit=True, connect_timeout=5) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = make_conninfo(server, dbname=name)
    saved = {k: os.environ.get(k) for k in ("DATABASE_URL", "LANGSMITH_TRACING", "LANGCHAIN_TRACING_V2")}
    os.environ.update({"DATABASE_URL": url, "LANGSMITH_TRACING": "false", "LANGCHAIN_TRACING_V2": "false"})
    _reset_settings()
    try:
        yield url
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        _reset_settings()
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    _reset_settings()
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        _reset_settings()


THREAD_STORAGE = """
select
  (select count(*) from checkpoints where thread_id = %(t)s) as checkpoints,
  (select coalesce(sum(octet_length(checkpoint::text) + octet_length(metadata::text)), 0)
     from checkpoints where thread_id = %(t)s) as checkpoint_bytes,
  (select count(*) from checkpoint_blobs where thread_id = %(t)s) as blobs,
  (select coalesce(sum(octet_length(blob)), 0) from checkpoint_blobs where thread_id = %(t)s) as blob_bytes,
  (select count(*) from checkpoint_writes where thread_id = %(t)s) as writes,
  (select coalesce(sum(octet_length(blob)), 0) from checkpoint_writes where thread_id = %(t)s) as write_bytes
"""


async def thread_storage(pool: Any, thread_id: str) -> dict[str, int]:
    """Rows and bytes a thread holds in LangGraph's checkpoint tables (every namespace)."""
    async with pool.connection() as conn:
        cur = await conn.execute(THREAD_STORAGE, {"t": thread_id})
        row = dict(await cur.fetchone())
    row = {k: int(v) for k, v in row.items()}
    row["bytes"] = row["checkpoint_bytes"] + row["blob_bytes"] + row["write_bytes"]
    return row


# ------------------------------------------------------------------------------------------- systems


class WarningCounter(logging.Handler):
    """Counts warnings from the application (an LLM decider falling back means a broken script)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(("agents", "graphs", "tools")):
            self.messages.append(f"{record.name}: {record.getMessage()}")


@dataclass
class System:
    name: str
    run: Callable[[str, str], Awaitable[dict[str, Any]]]  # (thread_id, customer_id) -> outcome


def make_systems(sb: Any, model: Any, decider: str) -> dict[str, System]:
    from langchain_core.messages import HumanMessage

    from bench import baselines
    from bench.baselines import build_flat_agent, build_supervisor_hierarchy
    from switchboard.agents.context import Context
    from switchboard.tools.approvals import Identity

    def llm_context() -> Context:
        return Context(
            route_decider=decider,
            supervisor_decider=decider,
            specialist_decider=decider,
            compose_decider=decider,
        )

    def hybrid_context() -> Context:
        return Context(
            route_decider="deterministic",
            supervisor_decider="deterministic",
            specialist_decider=decider,
            compose_decider="deterministic",
        )

    def det_context() -> Context:
        return Context(
            route_decider="deterministic",
            supervisor_decider="deterministic",
            specialist_decider="deterministic",
            compose_decider="deterministic",
        )

    def outcome(result: Any, paused: bool = False) -> dict[str, Any]:
        return {
            "status": result.status,
            "domains": result.domains,
            "specialists": {p["domain"]: p["specialists"] for p in result.path},
            "tools": sorted({t for p in result.path for t in p["tools"]}),
            "paused_for_approval": paused,
            "answer_chars": len(result.answer),
        }

    async def switchboard_llm(thread_id: str, customer_id: str) -> dict[str, Any]:
        return outcome(
            await sb.ask(REQUEST, customer_id=customer_id, thread_id=thread_id, context=llm_context())
        )

    async def switchboard_hybrid(thread_id: str, customer_id: str) -> dict[str, Any]:
        return outcome(
            await sb.ask(REQUEST, customer_id=customer_id, thread_id=thread_id, context=hybrid_context())
        )

    async def switchboard_det(thread_id: str, customer_id: str) -> dict[str, Any]:
        # "why was I charged twice?" is a question: the deterministic billing agents explain the duplicate
        # and offer its refund (issue 11), so the run does not pause. Should a configuration propose the
        # refund (149.95 EUR, above the automatic limit), the request is counted to its answer: ask ->
        # pause -> a staff decision -> resume -> composed answer; "reject", so every repetition does the
        # same work (an approved refund would change the data for the next one).
        result = await sb.ask(REQUEST, customer_id=customer_id, thread_id=thread_id, context=det_context())
        paused = result.status == "paused"
        while result.status == "paused":
            result = await sb.decide(
                thread_id,
                actor=Identity(role="staff", id="bench"),
                decision="reject",
                interrupt_id=result.interrupts[0]["id"],
                reason="benchmark",
            )
        return outcome(result, paused)

    hierarchy = build_supervisor_hierarchy(model, sb.checkpointer)
    flat = build_flat_agent(model, sb.checkpointer)

    def baseline(graph: Any) -> Callable[[str, str], Awaitable[dict[str, Any]]]:
        async def run(thread_id: str, customer_id: str) -> dict[str, Any]:
            baselines.CALLED.clear()
            out = await graph.ainvoke(
                {"messages": [HumanMessage(REQUEST)]},
                {"configurable": {"thread_id": thread_id, "customer_id": customer_id}},
            )
            messages = out["messages"]
            return {
                "status": "done",
                "tools": sorted(set(baselines.CALLED)),
                "answer_chars": len(str(messages[-1].content)),
            }

        return run

    return {
        "switchboard_llm": System("switchboard_llm", switchboard_llm),
        "switchboard_hybrid": System("switchboard_hybrid", switchboard_hybrid),
        "switchboard_det": System("switchboard_det", switchboard_det),
        "langgraph_supervisor": System("langgraph_supervisor", baseline(hierarchy)),
        "flat_agent": System("flat_agent", baseline(flat)),
    }


# ------------------------------------------------------------------------------------------- measurements


def _median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else 0.0


async def measure_requests(
    systems: dict[str, System], model: Any, pool: Any, customer: str, latency_ms: int, reps: int
) -> dict[str, dict[str, Any]]:
    """`reps` timed requests per system, interleaved (round robin) so that load from other processes on
    the machine falls on every system alike; each request on a fresh thread. Medians."""
    from bench.scripted import critical_path

    model.latency = latency_ms / 1000
    for system in systems.values():
        await system.run(str(uuid.uuid4()), customer)  # warm-up, not counted
    samples: dict[str, list[dict[str, Any]]] = {name: [] for name in systems}
    for _ in range(reps):
        for name, system in systems.items():
            thread_id = str(uuid.uuid4())
            gc.collect()
            model.log.reset()
            cpu, start = time.process_time(), time.perf_counter()
            outcome = await system.run(thread_id, customer)
            wall, cpu = time.perf_counter() - start, time.process_time() - cpu
            calls = model.log.snapshot()
            samples[name].append(
                {
                    "wall": wall,
                    "cpu": cpu,
                    "calls": len(calls),
                    "critical": critical_path(calls),
                    "model_compute": sum(c.compute for c in calls),
                    "storage": await thread_storage(pool, thread_id),
                    "outcome": outcome,
                }
            )
    out = {}
    for name, runs in samples.items():
        out[name] = {
            "wall_ms": round(_median([s["wall"] for s in runs]) * 1000, 2),
            "wall_ms_samples": [round(s["wall"] * 1000, 2) for s in runs],
            "model_calls": int(_median([s["calls"] for s in runs])),
            "critical_path": int(_median([s["critical"] for s in runs])),
            "model_ms": round(_median([s["model_compute"] for s in runs]) * 1000, 3),
            "framework_ms": round(_median([s["wall"] - s["model_compute"] for s in runs]) * 1000, 2),
            "framework_cpu_ms": round(_median([s["cpu"] - s["model_compute"] for s in runs]) * 1000, 2),
            "storage": sorted((s["storage"] for s in runs), key=lambda x: x["bytes"])[len(runs) // 2],
            "outcome": runs[-1]["outcome"],
        }
    return out


OBSERVABILITY_MODES = ("off", "metrics", "traced")


@contextmanager
def observability_mode(mode: str) -> Iterator[Any]:
    """off: no metrics, no tracing; metrics: the default (Prometheus on, tracing off); traced: metrics and
    OpenTelemetry spans through the SDK into an in-memory exporter (what an OTLP exporter's batch gets)."""
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from switchboard.config.settings import get_settings
    from switchboard.observability import tracing

    settings = get_settings()
    quiet = settings.model_copy(update={"otel_exporter_otlp_endpoint": None})
    before = settings.metrics_enabled
    exporter = InMemorySpanExporter()
    settings.metrics_enabled = mode != "off"
    # batched, as the OTLP exporter is in production (spans are handed to a thread, not exported inline)
    tracing.configure_telemetry(quiet, exporter=exporter if mode == "traced" else None, batch=True)
    try:
        yield exporter
    finally:
        settings.metrics_enabled = before
        tracing.configure_telemetry(quiet)


async def observability_overhead(system: System, model: Any, customer: str, reps: int) -> dict[str, Any]:
    """Framework time of the LLM-decider request (model at 0 ms) with observability off, metrics only (the
    default) and metrics + tracing; modes interleaved, `reps` requests each, medians. The figure is this
    process's CPU time less the model's (what tracing and metrics add is CPU work here; CPU time is far
    less disturbed than wall time by other load on a shared machine); wall time is kept beside it."""
    from switchboard.observability import tracing

    model.latency = 0.0
    samples: dict[str, list[float]] = {mode: [] for mode in OBSERVABILITY_MODES}
    walls: dict[str, list[float]] = {mode: [] for mode in OBSERVABILITY_MODES}
    spans: list[int] = []
    for mode in OBSERVABILITY_MODES:  # warm-up, not counted
        with observability_mode(mode):
            await system.run(str(uuid.uuid4()), customer)
    for _ in range(reps):
        for mode in OBSERVABILITY_MODES:
            with observability_mode(mode) as exporter:
                gc.collect()
                model.log.reset()
                cpu, start = time.process_time(), time.perf_counter()
                await system.run(str(uuid.uuid4()), customer)
                wall, cpu = time.perf_counter() - start, time.process_time() - cpu
                compute = sum(c.compute for c in model.log.snapshot())
                samples[mode].append((cpu - compute) * 1000)
                walls[mode].append((wall - compute) * 1000)
                if mode == "traced":
                    tracing_provider = tracing.tracer_provider()
                    if tracing_provider is not None:
                        tracing_provider.force_flush()
                    spans.append(len(exporter.get_finished_spans()))
    medians = {mode: round(_median(values), 2) for mode, values in samples.items()}
    off = medians["off"] or float("nan")
    return {
        "framework_ms": medians,
        "framework_wall_ms": {mode: round(_median(values), 2) for mode, values in walls.items()},
        "samples_ms": {mode: [round(v, 2) for v in values] for mode, values in samples.items()},
        "metrics_overhead_pct": round((medians["metrics"] / off - 1) * 100, 1),
        "traced_overhead_pct": round((medians["traced"] / off - 1) * 100, 1),
        "spans_per_request": int(_median(spans)) if spans else 0,
        "reps": reps,
    }


@asynccontextmanager
async def _one_section() -> AsyncIterator[tuple[Any, Any, dict[str, System], str, str]]:
    """What a section run alone needs: the seeded store's scenario customer, the scripted model
    registered as a decider, Switchboard open, and the systems (sb, model, systems, customer, decider)."""
    from bench.scripted import ScriptedChatModel
    from switchboard.agents.models import register_model, unregister_model
    from switchboard.api import Switchboard
    from switchboard.config.database import connect
    from switchboard.tools.store.seed import ensure_seeded, list_scenarios

    with connect() as conn:
        ensure_seeded(conn)
        customer = {s["name"]: s for s in list_scenarios(conn)}[SCENARIO]["customer_id"]
    model = ScriptedChatModel()
    name = f"bench-{uuid.uuid4().hex[:6]}"
    decider = register_model(name, model)
    try:
        async with Switchboard.open() as sb:
            yield sb, model, make_systems(sb, model, decider), customer, decider
    finally:
        unregister_model(name)


async def observability_only(plan: Plan) -> dict[str, Any]:
    """The observability section alone (`--only observability`), on the same request and systems."""
    async with _one_section() as (_, model, systems, customer, _decider):
        return await observability_overhead(systems["switchboard_llm"], model, customer, plan.reps * 3)


async def framework_only(plan: Plan) -> dict[str, Any]:
    """Framework time alone (`--only framework`): the Switchboard LLM-decider request and the flat ReAct
    agent, model at 0 ms, interleaved, `reps` each; wall and CPU time less the model's, SQL statements
    and checkpoints per request, and the ratio the target scores (DESIGN: within 1.5x of the flat agent).

    Then the same two on LangGraph's in-memory checkpointer (`without_checkpoint_io`): what is left of
    each system's framework time without checkpoint I/O, so the ratio's two parts (checkpoints; graph,
    model calls and the store's own queries) are measured apart."""
    from langgraph.checkpoint.memory import InMemorySaver

    from switchboard.graphs.router import router_builder

    async with _one_section() as (sb, model, every, customer, decider):
        keys = ("switchboard_llm", "flat_agent")
        systems = {k: every[k] for k in keys}
        figures = await measure_requests(systems, model, sb.pool, customer, 0, plan.reps)
        model.latency = 0.0
        sql: dict[str, float] = {}
        for key, system in systems.items():
            with count_statements() as counts:
                for _ in range(3):
                    await system.run(str(uuid.uuid4()), customer)
            sql[key] = round(counts["execute"] / 3, 1)
        graph, saver = sb.graph, sb.checkpointer
        memory = InMemorySaver()
        sb.graph, sb.checkpointer = router_builder().compile(checkpointer=memory, name="switchboard"), memory
        try:
            in_memory = make_systems(sb, model, decider)
            bare = await measure_requests(
                {k: in_memory[k] for k in keys}, model, sb.pool, customer, 0, plan.reps
            )
        finally:
            sb.graph, sb.checkpointer = graph, saver
    ours, flat = figures["switchboard_llm"], figures["flat_agent"]
    bare_ours, bare_flat = bare["switchboard_llm"], bare["flat_agent"]
    return {
        "reps": plan.reps,
        "systems": {
            key: {
                "framework_ms": f["framework_ms"],
                "framework_cpu_ms": f["framework_cpu_ms"],
                "model_calls": f["model_calls"],
                "checkpoints": f["storage"]["checkpoints"],
                "checkpoint_bytes": f["storage"]["bytes"],
                "sql_statements": sql[key],
            }
            for key, f in figures.items()
        },
        "ratio": round(ours["framework_ms"] / flat["framework_ms"], 2),
        "ratio_cpu": round(ours["framework_cpu_ms"] / flat["framework_cpu_ms"], 2),
        "without_checkpoint_io": {
            "systems": {
                key: {"framework_ms": f["framework_ms"], "framework_cpu_ms": f["framework_cpu_ms"]}
                for key, f in bare.items()
            },
            "ratio": round(bare_ours["framework_ms"] / bare_flat["framework_ms"], 2),
            "ratio_cpu": round(bare_ours["framework_cpu_ms"] / bare_flat["framework_cpu_ms"], 2),
        },
        "load_avg": [round(x, 2) for x in os.getloadavg()],
    }


async def peak_memory_kb(system: System, model: Any, customer: str) -> float:
    """tracemalloc peak of the allocations made during one request (latency 0)."""
    model.latency = 0.0
    gc.collect()
    tracemalloc.start()
    try:
        await system.run(str(uuid.uuid4()), customer)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return round(peak / 1024, 1)


async def long_thread(sb: Any, customer: str, plan: Plan, say: Callable[[str], None]) -> dict[str, Any]:
    """One thread of `plan.turns` turns (deterministic deciders): storage and time per turn as it grows.

    Time per turn at a mark is the median of the `window` turns ending there. The machine is shared, so
    load drifts over the run; the end-vs-early ratio is therefore also measured side by side: after the
    long thread, `window` x `probe_cycles` more turns on it alternate with turns 10.. of a second thread, so both are timed
    under the same load ("interleaved"; the target uses it).
    """
    from switchboard.agents.context import Context

    context = Context(
        route_decider="deterministic",
        supervisor_decider="deterministic",
        specialist_decider="deterministic",
        compose_decider="deterministic",
    )

    async def turn(thread_id: str, number: int) -> tuple[float, float]:
        message = LONG_THREAD_REQUESTS[(number - 1) % len(LONG_THREAD_REQUESTS)]
        cpu, start = time.process_time(), time.perf_counter()
        result = await sb.ask(message, customer_id=customer, thread_id=thread_id, context=context)
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        if result.status != "done":
            raise RuntimeError(f"long thread: turn {number} ({message!r}) ended {result.status}, not done")
        return wall, cpu

    thread_id = str(uuid.uuid4())
    early, mid, end = plan.marks
    step = max(1, plan.turns // 20)
    times: list[float] = []
    cpus: list[float] = []
    storage: dict[int, int] = {}
    for number in range(1, plan.turns + 1):
        wall, cpu = await turn(thread_id, number)
        times.append(wall)
        cpus.append(cpu)
        if number % step == 0 or number in (early, mid, end):
            storage[number] = (await thread_storage(sb.pool, thread_id))["bytes"]
        if number % 50 == 0:
            say(f"  long thread: turn {number}/{plan.turns}")
    final = await thread_storage(sb.pool, thread_id)

    # side by side: the long thread's next turns against a second thread's turns from `early` on
    reference = str(uuid.uuid4())
    for number in range(1, early):
        await turn(reference, number)
    long_side: list[float] = []
    early_side: list[float] = []
    for i in range(plan.window * plan.probe_cycles):
        long_side.append((await turn(thread_id, plan.turns + 1 + i))[0])
        early_side.append((await turn(reference, early + i))[0])

    def ms(values: Sequence[float], mark: int) -> float:
        return round(_median(values[max(0, mark - plan.window) : mark]) * 1000, 2)

    interleaved = round(_median(long_side) / _median(early_side), 3)
    return {
        "turns": plan.turns,
        "marks": {"early": early, "mid": mid, "end": end},
        "window": plan.window,
        "storage_bytes_mid": storage[mid],
        "storage_bytes_end": storage[end],
        "storage_ratio": round(storage[end] / storage[mid], 3),
        "bytes_per_turn": round(final["bytes"] / plan.turns),
        "turn_ms_early": ms(times, early),
        "turn_ms_mid": ms(times, mid),
        "turn_ms_end": ms(times, end),
        "turn_cpu_ms_early": ms(cpus, early),
        "turn_cpu_ms_mid": ms(cpus, mid),
        "turn_cpu_ms_end": ms(cpus, end),
        "turn_ratio_sequential": round(ms(times, end) / ms(times, early), 3),
        "turn_ratio_cpu": round(ms(cpus, end) / ms(cpus, early), 3),
        "probe_turns": len(long_side),
        "interleaved_ms": {
            "end": round(_median(long_side) * 1000, 2),
            "early": round(_median(early_side) * 1000, 2),
        },
        "turn_ratio": interleaved,
        "final": final,
        "storage_by_turn": {str(k): v for k, v in sorted(storage.items())},
        "turn_ms_by_turn": [round(t * 1000, 2) for t in times],
    }


async def concurrency(
    sb: Any,
    model: Any,
    decider: str,
    customers: list[str],
    plan: Plan,
    say: Callable[[str], None],
    tag: str = "",
) -> dict[str, Any]:
    """Throughput of distinct threads and customers, `level` requests in flight at a time."""
    from switchboard.agents.context import Context

    def context() -> Context:
        return Context(
            route_decider=decider,
            supervisor_decider=decider,
            specialist_decider=decider,
            compose_decider=decider,
        )

    async def wave(level: int, count: int) -> tuple[int, float, list[str]]:
        gate = asyncio.Semaphore(level)

        async def one(i: int) -> None:
            async with gate:
                result = await sb.ask(REQUEST, customer_id=customers[i % len(customers)], context=context())
                if result.status != "done":
                    raise RuntimeError(f"request ended {result.status}")

        start = time.perf_counter()
        results = await asyncio.gather(*(one(i) for i in range(count)), return_exceptions=True)
        elapsed = time.perf_counter() - start
        errors = [
            f"{type(r).__name__}: {str(r).splitlines()[0] if str(r) else ''}"
            for r in results
            if isinstance(r, BaseException)
        ]
        return count - len(errors), elapsed, errors

    model.latency = 0.0
    await wave(min(plan.levels), min(plan.levels))  # warm-up
    out: dict[str, Any] = {
        "levels": list(plan.levels),
        "latencies_ms": [0, plan.slow_ms],
        "throughput_rps": {},
        "requests": {},
        "errors": {},
    }
    for latency in (0, plan.slow_ms):
        model.latency = latency / 1000
        key = str(latency)
        out["throughput_rps"][key], out["requests"][key], out["errors"][key] = {}, {}, {}
        for level in plan.levels:
            count = plan.requests_at(level)
            ok, elapsed, errors = await wave(level, count)
            out["throughput_rps"][key][str(level)] = round(ok / elapsed, 3)
            out["requests"][key][str(level)] = {"sent": count, "ok": ok, "seconds": round(elapsed, 3)}
            if errors:
                out["errors"][key][str(level)] = sorted(set(errors))[:3]
            say(
                f"  concurrency{tag} {level:>2} @ {latency:>3} ms: {ok}/{count} ok, {ok / elapsed:.2f} req/s"
                + (f" ({errors[0]})" if errors else "")
            )
    lo, hi = str(min(plan.levels)), str(max(plan.levels))
    out["speedup"] = {
        key: round(tp[hi] / tp[lo], 2) if tp[lo] else 0.0 for key, tp in out["throughput_rps"].items()
    }
    return out


def free_connections_now() -> int:
    """Connections the server can still accept (it is shared: leave room for everybody else)."""
    from switchboard.config.database import connect

    with connect() as conn:
        row = conn.execute(
            "select current_setting('max_connections')::int - (select count(*) from pg_stat_activity) as free"
        ).fetchone()
    return int(row["free"]) if row else 0


PROFILE_REQUESTS = 10

# Where framework time goes: each sampled frame's own time goes to the first frame up its stack that is
# not the standard library (so copy.deepcopy called by LangGraph counts as LangGraph).
CATEGORIES: tuple[tuple[str, str], ...] = (
    ("/bench/", "benchmark (scripted model, harness)"),
    ("/langgraph/checkpoint/", "langgraph checkpointer + serde"),
    ("/ormsgpack/", "langgraph checkpointer + serde"),
    ("/langgraph_supervisor/", "langgraph-supervisor / prebuilt"),
    ("/langgraph/prebuilt/", "langgraph-supervisor / prebuilt"),
    ("/langgraph/", "langgraph runtime (pregel)"),
    ("/langchain_core/", "langchain-core (runnables, callbacks, messages, tools)"),
    ("/pydantic", "pydantic"),
    ("/psycopg", "psycopg (client side)"),
    (str(ROOT) + "/", "application (agents, graphs, tools, api)"),
)


def _category(path: str) -> str | None:
    for needle, name in CATEGORIES:
        if needle in path:
            return name
    if "site-packages" in path:
        return "other libraries"
    return None  # standard library or built-in: belongs to its caller


def breakdown(session: Any, requests: int) -> dict[str, float]:
    """ms per request by category (see CATEGORIES); 'waiting' is the event loop idle in epoll (Postgres)."""
    totals: dict[str, float] = {}
    root = session.root_frame()

    def walk(frame: Any, owner: str) -> None:
        if frame.function == "epoll.poll" or (frame.function == "select" and "selectors" in frame.file_path):
            totals["waiting for I/O (Postgres)"] = totals.get("waiting for I/O (Postgres)", 0.0) + frame.time
            return
        mine = owner if frame.is_synthetic else (_category(frame.file_path or "") or owner)
        if frame.is_synthetic:
            totals[mine] = totals.get(mine, 0.0) + frame.time
            return
        for child in frame.children:
            walk(child, mine)

    if root is not None:
        walk(root, "other (stdlib)")
    return {k: round(v * 1000 / requests, 2) for k, v in sorted(totals.items(), key=lambda kv: -kv[1])}


@contextmanager
def count_statements() -> Iterator[dict[str, int]]:
    """Count SQL statements sent by psycopg async cursors (execute calls; executemany counts its rows)."""
    import psycopg

    counts = {"execute": 0, "executemany_rows": 0}
    original_execute, original_many = psycopg.AsyncCursor.execute, psycopg.AsyncCursor.executemany

    async def execute(self: Any, *args: Any, **kwargs: Any) -> Any:
        counts["execute"] += 1
        return await original_execute(self, *args, **kwargs)

    async def executemany(self: Any, query: Any, params_seq: Any, *args: Any, **kwargs: Any) -> Any:
        params_seq = list(params_seq)
        counts["executemany_rows"] += len(params_seq)
        return await original_many(self, query, params_seq, *args, **kwargs)

    psycopg.AsyncCursor.execute, psycopg.AsyncCursor.executemany = execute, executemany  # type: ignore[method-assign]
    try:
        yield counts
    finally:
        psycopg.AsyncCursor.execute, psycopg.AsyncCursor.executemany = original_execute, original_many  # type: ignore[method-assign]


async def profile_requests(
    systems: dict[str, System], model: Any, customer: str, folder: Path
) -> dict[str, dict[str, Any]]:
    """pyinstrument profiles of PROFILE_REQUESTS requests per system at latency 0 (framework time only):
    a text tree per system in `folder`, and a breakdown by library plus SQL statements per request."""
    from pyinstrument import Profiler

    model.latency = 0.0
    out: dict[str, dict[str, Any]] = {}
    for name, system in systems.items():
        with count_statements() as counts:
            for _ in range(3):
                await system.run(str(uuid.uuid4()), customer)
        statements = {k: round(v / 3, 1) for k, v in counts.items()}
        profiler = Profiler(interval=0.0005, async_mode="enabled")
        profiler.start()
        for _ in range(PROFILE_REQUESTS):
            await system.run(str(uuid.uuid4()), customer)
        session = profiler.stop()
        out[name] = {
            "file": str(folder / f"profile_{name}.txt"),
            "text": profiler.output_text(unicode=False, color=False, show_all=False),
            "ms_per_request": round(session.duration * 1000 / PROFILE_REQUESTS, 2),
            "cpu_ms_per_request": round(session.cpu_time * 1000 / PROFILE_REQUESTS, 2),
            "breakdown_ms": breakdown(session, PROFILE_REQUESTS),
            "sql_per_request": statements,
        }
    return out


# ------------------------------------------------------------------------------------------- targets


def evaluate_targets(
    systems: dict[str, dict[str, Any]],
    long: dict[str, Any],
    conc: dict[str, Any],
    plan: Plan,
    kept: dict[str, Any] | None = None,
    observability: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    slow = str(plan.slow_ms)
    base = systems[BASELINE]

    def ratio(a: float, b: float) -> float:
        return round(a / b, 3) if b else float("inf")

    targets = []
    per_request = (
        ("model_calls", "model calls per request", lambda s: s["model_calls"], 0.5),
        ("wall_slow", f"wall time @{plan.slow_ms} ms model", lambda s: s["wall_ms"][slow], 0.4),
        ("framework", "framework time (wall - model, @0 ms)", lambda s: s["framework_ms"], 0.5),
        ("checkpoint_bytes", "checkpoint bytes per request", lambda s: s["storage"]["bytes"], 0.25),
    )
    for key, label, get, limit in per_request:
        for config in SWITCHBOARD:
            value = ratio(get(systems[config]), get(base))
            targets.append(
                {
                    "target": key,
                    "label": label,
                    "system": config,
                    "vs": BASELINE,
                    "ratio": value,
                    "op": "<=",
                    "limit": limit,
                    "pass": value <= limit,
                }
            )
    targets.append(
        {
            "target": "storage_growth",
            "label": f"storage {long['turns']}-turn / {long['marks']['mid']}-turn",
            "system": "switchboard_det",
            "vs": "itself",
            "ratio": long["storage_ratio"],
            "op": "<=",
            "limit": 2.2,
            "pass": long["storage_ratio"] <= 2.2,
        }
    )
    targets.append(
        {
            "target": "turn_time_growth",
            "label": f"turn {long['marks']['end']} time / turn {long['marks']['early']} time",
            "system": "switchboard_det",
            "vs": "itself",
            "ratio": long["turn_ratio"],
            "op": "<=",
            "limit": 1.2,
            "pass": long["turn_ratio"] <= 1.2,
        }
    )
    if kept is not None:
        targets.append(
            {
                "target": "storage_growth_retention",
                "label": f"storage {kept['turns']}-turn / {kept['turns'] // 2}-turn, retention on",
                "system": "switchboard_det",
                "vs": "itself",
                "ratio": kept["storage_ratio"],
                "op": "<=",
                "limit": kept["storage_ratio_target"],
                "pass": kept["storage_ratio_pass"],
            }
        )
    speed = conc["speedup"][slow]
    errors = bool(conc["errors"].get(slow))
    targets.append(
        {
            "target": "throughput_scaling",
            "label": f"throughput {max(plan.levels)} concurrent / 1 @{plan.slow_ms} ms",
            "system": "switchboard_llm",
            "vs": "itself",
            "ratio": speed,
            "op": ">=",
            "limit": 16.0,
            "pass": speed >= 16.0 and not errors,
        }
    )
    if observability is None:
        return targets
    traced = observability["framework_ms"]["traced"] / (observability["framework_ms"]["off"] or float("nan"))
    targets.append(
        {
            "target": "observability_overhead",
            "label": "framework CPU time, metrics + tracing on / all off",
            "system": "switchboard_llm",
            "vs": "itself",
            "ratio": round(traced, 3),
            "op": "<=",
            "limit": 1.1,
            "pass": traced <= 1.1,
        }
    )
    return targets


# ------------------------------------------------------------------------------------------- output


def machine() -> dict[str, Any]:
    import psutil

    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "load_avg_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in (
        "langgraph",
        "langgraph-checkpoint-postgres",
        "langgraph-supervisor",
        "langgraph-prebuilt",
        "langchain-core",
        "psycopg",
    ):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "?"
    return out


def _fmt(value: float, unit: str = "") -> str:
    if isinstance(value, float) and value.is_integer() and unit in ("", "calls"):
        value = int(value)
    if unit == "B":
        return f"{value / 1024:,.1f} KB"
    if unit == "ms":
        return f"{value:,.1f} ms"
    if unit == "KB":
        return f"{value:,.0f} KB"
    return f"{value:,}" if isinstance(value, int) else f"{value:,.2f}"


def print_report(results: dict[str, Any], console: Any) -> None:
    from rich.table import Table

    systems = results["systems"]
    slow = str(results["plan"]["slow_ms"])
    rows = (
        ("model calls / request", lambda s: s["model_calls"], "", "model_calls"),
        ("sequential calls (critical path)", lambda s: s["critical_path"], "", None),
        ("wall @0 ms", lambda s: s["wall_ms"]["0"], "ms", None),
        (f"wall @{slow} ms", lambda s: s["wall_ms"][slow], "ms", "wall_slow"),
        ("framework time (wall - model @0)", lambda s: s["framework_ms"], "ms", "framework"),
        ("  of which CPU in this process", lambda s: s["framework_cpu_ms"], "ms", None),
        ("checkpoints / request", lambda s: s["storage"]["checkpoints"], "", None),
        ("checkpoint blobs + writes", lambda s: s["storage"]["blobs"] + s["storage"]["writes"], "", None),
        ("checkpoint bytes / request", lambda s: s["storage"]["bytes"], "B", "checkpoint_bytes"),
        ("peak memory (tracemalloc)", lambda s: s["peak_memory_kb"], "KB", None),
    )
    targets = {(t["target"], t["system"]): t for t in results["targets"]}
    m = results["machine"]
    table = Table(
        title=f"Switchboard benchmark: {results['request']!r} ({results['customer']}, scenario {SCENARIO})",
        caption=f"{m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB; {results['database']}; "
        f"medians of {results['plan']['reps']} requests; ratio = Switchboard / langgraph-supervisor",
    )
    table.add_column("per request")
    for name in SYSTEMS:
        table.add_column(SYSTEMS[name].replace(", ", "\n"), justify="right")
    table.add_column("target", justify="center")
    table.add_column("ratio LLM\n(hybrid; det)", justify="right")
    for label, get, unit, target in rows:
        cells = [_fmt(get(systems[name]), unit) for name in SYSTEMS]
        if target:
            llm, hyb, det = (targets[(target, n)] for n in SWITCHBOARD)
            mark = "[green]pass[/]" if llm["pass"] else "[red]FAIL[/]"
            cells += [
                f"<= {llm['limit']}x",
                f"{llm['ratio']:.2f} {mark}\n({hyb['ratio']:.2f}; {det['ratio']:.2f})",
            ]
        else:
            cells += ["", ""]
        table.add_row(label, *cells)
    console.print(table)

    long, conc = results["long_thread"], results["concurrency"]
    second = Table(title="Long thread (deterministic deciders) and concurrency (LLM deciders, scripted)")
    second.add_column("figure")
    second.add_column("value", justify="right")
    second.add_column("target", justify="center")
    second.add_column("ratio", justify="right")
    mk = long["marks"]

    def verdict(key: str, system: str) -> str:
        t = targets[(key, system)]
        return f"{t['ratio']:.2f} " + ("[green]pass[/]" if t["pass"] else "[red]FAIL[/]")

    second.add_row(f"storage after {mk['mid']} turns", _fmt(long["storage_bytes_mid"], "B"), "", "")
    second.add_row(
        f"storage after {mk['end']} turns",
        _fmt(long["storage_bytes_end"], "B"),
        "<= 2.2x",
        verdict("storage_growth", "switchboard_det"),
    )
    kept = results.get("retention")
    if kept and ("storage_growth_retention", "switchboard_det") in targets:
        second.add_row(
            f"storage after {kept['turns']} turns, retention on (vs {kept['turns'] // 2})",
            _fmt(kept["marks"][str(kept["turns"])]["kept_bytes"], "B"),
            f"<= {kept['storage_ratio_target']}x",
            verdict("storage_growth_retention", "switchboard_det"),
        )
        second.add_row(
            "turn record per turn (store.turns)", _fmt(kept["turn_record_bytes_per_turn"], "B"), "", ""
        )
        p = kept["prune_throughput"]
        second.add_row(
            "prune throughput", f"{p['threads_per_second']} threads/s, {p['mb_per_second']} MB/s", "", ""
        )
    for name in ("early", "mid", "end"):
        extra = (
            ("", f"{long['turn_ratio_sequential']:.2f} (cpu {long['turn_ratio_cpu']:.2f})")
            if name == "end"
            else ("", "")
        )
        second.add_row(
            f"time per turn at turn {mk[name]} (median of {long['window']}; cpu)",
            f"{_fmt(long[f'turn_ms_{name}'], 'ms')} ({_fmt(long[f'turn_cpu_ms_{name}'], 'ms')})",
            *extra,
        )
    iv = long["interleaved_ms"]
    second.add_row(
        f"turn {mk['end']}+ vs turn {mk['early']}+, side by side",
        f"{iv['end']:.1f} vs {iv['early']:.1f} ms",
        "<= 1.2x",
        verdict("turn_time_growth", "switchboard_det"),
    )
    for latency in conc["latencies_ms"]:
        key = str(latency)
        for level in conc["levels"]:
            tp = conc["throughput_rps"][key][str(level)]
            err = conc["errors"].get(key, {}).get(str(level))
            extra = ("", "")
            if latency == conc["latencies_ms"][-1] and level == max(conc["levels"]):
                extra = (">= 16x", verdict("throughput_scaling", "switchboard_llm"))
            ok = conc["requests"][key][str(level)]
            note = f" [red]({ok['sent'] - ok['ok']}/{ok['sent']} failed: {err[0][:40]})[/]" if err else ""
            second.add_row(f"throughput {level} concurrent @{latency} ms", f"{tp:.2f} req/s{note}", *extra)
        second.add_row(
            f"  speed-up {max(conc['levels'])} vs 1 @{latency} ms", f"{conc['speedup'][key]:.1f}x", "", ""
        )
    lo, hi = str(min(conc["levels"])), str(max(conc["levels"]))
    for run in conc.get("diagnostics", []):
        if "skipped" in run:
            second.add_row(f"diagnostic: {run['label']}", f"skipped ({run['skipped']})", "", "")
            continue
        for latency in run["latencies_ms"]:
            tp = run["throughput_rps"][str(latency)]
            failed = bool(run["errors"].get(str(latency)))
            second.add_row(
                f"diagnostic ({run['label']}): {lo} -> {hi} concurrent @{latency} ms",
                f"{tp[lo]:.2f} -> {tp[hi]:.2f} req/s" + (" [red](errors)[/]" if failed else ""),
                "",
                f"{run['speedup'][str(latency)]:.1f}x",
            )
    obs = results.get("observability")
    if obs:
        fw = obs["framework_ms"]
        second.add_row("framework CPU time, observability all off", _fmt(fw["off"], "ms"), "", "")
        second.add_row(
            "  metrics on (default)",
            f"{_fmt(fw['metrics'], 'ms')} ({obs['metrics_overhead_pct']:+.1f}%)",
            "",
            "",
        )
        second.add_row(
            f"  metrics + tracing on ({obs['spans_per_request']} spans)",
            f"{_fmt(fw['traced'], 'ms')} ({obs['traced_overhead_pct']:+.1f}%)",
            "<= 1.1x",
            verdict("observability_overhead", "switchboard_llm"),
        )
    console.print(second)
    profiles = results.get("profiles") or {}
    if profiles:
        third = Table(
            title=f"Where framework time goes (pyinstrument, {PROFILE_REQUESTS} requests per system at 0 ms; "
            "ms per request)"
        )
        third.add_column("category")
        for name in profiles:
            third.add_column(SYSTEMS[name].replace(", ", "\n"), justify="right")
        categories = list(dict.fromkeys(c for p in profiles.values() for c in p["breakdown_ms"]))
        for category in categories:
            third.add_row(
                category, *(f"{p['breakdown_ms'].get(category, 0.0):.1f}" for p in profiles.values())
            )
        third.add_row(
            "total wall (cpu)",
            *(f"{p['ms_per_request']:.0f} ({p['cpu_ms_per_request']:.0f})" for p in profiles.values()),
        )
        third.add_row(
            "SQL: execute / executemany rows",
            *(
                f"{p['sql_per_request']['execute']:.0f} / {p['sql_per_request']['executemany_rows']:.0f}"
                for p in profiles.values()
            ),
        )
        console.print(third)
    counted = [t for t in results["targets"] if t["system"] == "switchboard_llm" or t["vs"] == "itself"]
    passed = sum(1 for t in counted if t["pass"])
    total = len(counted)
    console.print(
        f"targets met: {passed}/{total} (Switchboard with LLM deciders; the other configurations' ratios in "
        "brackets)"
    )


def markdown(results: dict[str, Any]) -> str:
    """The figures as Markdown (bench/results/latest.md), for the README and reviews."""
    systems, slow = results["systems"], str(results["plan"]["slow_ms"])
    m = results["machine"]
    targets = {(t["target"], t["system"]): t for t in results["targets"]}

    def verdict(key: str, system: str = "switchboard_llm") -> str:
        t = targets[(key, system)]
        return f"{t['ratio']:.2f}x {'pass' if t['pass'] else '**FAIL**'}"

    lines = [
        f"Run {results['finished_at']} UTC: `{results['command'].strip()}` ({results['seconds']:.0f} s)  ",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB, {m['os']}, Python {m['python']} "
        f"(load average at start {m['load_avg_at_start']}; the machine was shared)  ",
        f"Database: {results['database']}  ",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in results["versions"].items()),
        "",
        f'Request: "{results["request"]}" (scenario `{results["scenario"]}`, {results["customer"]}); medians of '
        f"{results['plan']['reps']} requests per system, each on a fresh thread, systems interleaved.",
        "",
        "| per request | " + " | ".join(SYSTEMS.values()) + " | target | Switchboard LLM / baseline "
        "(LLM specialists only; deterministic) |",
        "|---|" + "---:|" * len(SYSTEMS) + ":---:|---|",
    ]
    rows = (
        ("model calls", lambda s: s["model_calls"], "", "model_calls"),
        ("sequential model calls (critical path)", lambda s: s["critical_path"], "", None),
        ("wall time @0 ms", lambda s: s["wall_ms"]["0"], "ms", None),
        (f"wall time @{slow} ms", lambda s: s["wall_ms"][slow], "ms", "wall_slow"),
        ("framework time (wall - model time @0 ms)", lambda s: s["framework_ms"], "ms", "framework"),
        ("... of which CPU in the Python process", lambda s: s["framework_cpu_ms"], "ms", None),
        ("checkpoints written", lambda s: s["storage"]["checkpoints"], "", None),
        (
            "checkpoint blobs + writes rows",
            lambda s: s["storage"]["blobs"] + s["storage"]["writes"],
            "",
            None,
        ),
        ("checkpoint bytes written", lambda s: s["storage"]["bytes"], "B", "checkpoint_bytes"),
        ("peak memory (tracemalloc)", lambda s: s["peak_memory_kb"], "KB", None),
    )
    for label, get, unit, key in rows:
        cells = [_fmt(get(systems[n]), unit) for n in SYSTEMS]
        if key:
            t = [targets[(key, n)] for n in SWITCHBOARD]
            extra = [f"<= {t[0]['limit']}x", f"{verdict(key)} ({t[1]['ratio']:.2f}; {t[2]['ratio']:.2f})"]
        else:
            extra = ["", ""]
        lines.append(f"| {label} | " + " | ".join([*cells, *extra]) + " |")
    long, conc = results["long_thread"], results["concurrency"]
    mk = long["marks"]
    lines += [
        "",
        f"Long thread ({long['turns']} turns, deterministic deciders, one ordinary customer):",
        "",
        "| figure | value | target |",
        "|---|---:|---|",
        f"| storage after {mk['mid']} turns | {_fmt(long['storage_bytes_mid'], 'B')} | |",
        f"| storage after {mk['end']} turns | {_fmt(long['storage_bytes_end'], 'B')} | <= 2.2x: "
        f"{verdict('storage_growth', 'switchboard_det')} |",
    ]
    for name in ("early", "mid", "end"):
        lines.append(
            f"| time per turn at turn {mk[name]} (median of {long['window']}; CPU) | "
            f"{long[f'turn_ms_{name}']:.1f} ms ({long[f'turn_cpu_ms_{name}']:.1f} ms) | |"
        )
    kept = results.get("retention")
    if kept:
        from bench.retention import markdown as retention_markdown

        lines += ["", "Retention (separate section; alone: `python -m bench.retention`):", ""]
        lines += [*retention_markdown(kept, results["command"]).splitlines()[2:], ""]
    iv = long["interleaved_ms"]
    lines += [
        f"| turn {mk['end']}+ vs turn {mk['early']}+ side by side (medians of {long.get('probe_turns', '')}) | "
        f"{iv['end']:.1f} vs {iv['early']:.1f} ms | <= 1.2x: {verdict('turn_time_growth', 'switchboard_det')} "
        f"(sequential {long['turn_ratio_sequential']:.2f}x) |",
        "",
        f"Concurrency (Switchboard, LLM deciders, distinct threads and customers; default pools "
        f"DB_POOL_MAX_SIZE={conc.get('pool_max_size')}):",
        "",
        "| concurrent requests | " + " | ".join(f"@{lat} ms" for lat in conc["latencies_ms"]) + " |",
        "|---:|" + "---:|" * len(conc["latencies_ms"]) + "",
    ]
    for level in conc["levels"]:
        cells = []
        for lat in conc["latencies_ms"]:
            tp, req = conc["throughput_rps"][str(lat)][str(level)], conc["requests"][str(lat)][str(level)]
            failed = req["sent"] - req["ok"]
            cells.append(
                f"{tp:.2f} req/s" + (f" ({failed}/{req['sent']} failed: PoolTimeout)" if failed else "")
            )
        lines.append(f"| {level} | " + " | ".join(cells) + " |")
    hi = str(max(conc["levels"]))
    lines.append(
        f"| speed-up {hi} vs 1 | "
        + " | ".join(f"{conc['speedup'][str(lat)]:.1f}x" for lat in conc["latencies_ms"])
        + f" |\n\nTarget >= 16x at {slow} ms: {verdict('throughput_scaling')}."
    )
    for run in conc.get("diagnostics", []):
        if "skipped" in run:
            lines.append(f"Diagnostic ({run['label']}): skipped, {run['skipped']}.")
            continue
        tp = run["throughput_rps"][slow]
        lines.append(
            f"Diagnostic ({run['label']}): {tp[str(min(run['levels']))]:.2f} -> {tp[hi]:.2f} req/s at {slow} ms, "
            f"{run['speedup'][slow]:.1f}x."
        )
    obs = results.get("observability")
    if obs:
        fw = obs["framework_ms"]
        lines += [
            "",
            f"Observability overhead (Switchboard, LLM deciders, model at 0 ms; medians of {obs['reps']} requests "
            "per mode, modes interleaved; framework CPU time of the process, wall time in brackets):",
            "",
            "| mode | framework CPU time (wall) | vs all off |",
            "|---|---:|---:|",
            f"| all off (METRICS_ENABLED=false, no OTLP endpoint) | {fw['off']:.1f} ms ({obs['framework_wall_ms']['off']:.1f}) | |",
            f"| metrics on, tracing off (the default) | {fw['metrics']:.1f} ms ({obs['framework_wall_ms']['metrics']:.1f}) | "
            f"{obs['metrics_overhead_pct']:+.1f}% |",
            f"| metrics and tracing on ({obs['spans_per_request']} spans per request) | {fw['traced']:.1f} ms "
            f"({obs['framework_wall_ms']['traced']:.1f}) | {obs['traced_overhead_pct']:+.1f}% |",
            "",
            f"Target: tracing and metrics under 10% of framework time when on: {verdict('observability_overhead')}.",
        ]
    profiles = results.get("profiles") or {}
    if profiles:
        lines += [
            "",
            f"Where framework time goes (pyinstrument, {PROFILE_REQUESTS} requests per system at 0 ms, ms per "
            "request under the profiler, so larger than above):",
            "",
            "| category | " + " | ".join(SYSTEMS[n] for n in profiles) + " |",
            "|---|" + "---:|" * len(profiles),
        ]
        for category in dict.fromkeys(c for p in profiles.values() for c in p["breakdown_ms"]):
            lines.append(
                f"| {category} | "
                + " | ".join(f"{p['breakdown_ms'].get(category, 0.0):.1f}" for p in profiles.values())
                + " |"
            )
        lines.append(
            "| SQL statements (execute / executemany rows) | "
            + " | ".join(
                f"{p['sql_per_request']['execute']:.0f} / {p['sql_per_request']['executemany_rows']:.0f}"
                for p in profiles.values()
            )
            + " |"
        )
    return "\n".join(lines) + "\n"


def draw_plot(results: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    systems = results["systems"]
    names = list(SYSTEMS)
    labels = [
        "Switchboard\nLLM",
        "Switchboard\nLLM specialists",
        "Switchboard\ndeterministic",
        "langgraph-\nsupervisor",
        "flat\nagent",
    ]
    colors = ["#2b6cb0", "#4299e1", "#90cdf4", "#c05621", "#a0aec0"]
    slow = str(results["plan"]["slow_ms"])
    fig, axes = plt.subplots(2, 2, figsize=(12, 8.5))
    ax = axes[0][0]
    width = 0.38
    xs = range(len(names))
    ax.bar(
        [x - width / 2 for x in xs],
        [systems[n]["wall_ms"]["0"] for n in names],
        width,
        label="model @0 ms",
        color=colors,
        alpha=0.55,
    )
    bars = ax.bar(
        [x + width / 2 for x in xs],
        [systems[n]["wall_ms"][slow] for n in names],
        width,
        label=f"model @{slow} ms",
        color=colors,
    )
    for bar, n in zip(bars, names, strict=True):
        ax.annotate(
            f"{systems[n]['critical_path']} seq.\ncalls",
            (bar.get_x() + bar.get_width() / 2, bar.get_height()),
            ha="center",
            va="bottom",
            fontsize=8,
        )
    ax.set_xticks(list(xs), labels, fontsize=8)
    ax.set_ylabel("wall time per request (ms)")
    ax.set_title(f"Latency of one two-domain request (light: @0 ms, dark: @{slow} ms)", fontsize=10)
    ax.margins(y=0.18)

    ax = axes[0][1]
    kb = [systems[n]["storage"]["bytes"] / 1024 for n in names]
    bars = ax.bar(list(xs), kb, color=colors)
    for bar, n in zip(bars, names, strict=True):
        ax.annotate(
            f"{systems[n]['storage']['checkpoints']} ckpts",
            (bar.get_x() + bar.get_width() / 2, bar.get_height()),
            ha="center",
            va="bottom",
            fontsize=8,
        )
    ax.set_xticks(list(xs), labels, fontsize=8)
    ax.set_ylabel("checkpoint data written (KB)")
    ax.set_title("Checkpoint storage per request (Postgres)", fontsize=10)
    ax.margins(y=0.15)

    long = results["long_thread"]
    ax = axes[1][0]
    turns = [int(k) for k in long["storage_by_turn"]]
    ax.plot(
        turns,
        [v / 2**20 for v in long["storage_by_turn"].values()],
        color=colors[1],
        marker=".",
        label="thread storage (MB)",
    )
    ax.set_xlabel("turn")
    ax.set_ylabel("thread storage (MB)")
    twin = ax.twinx()
    times = long["turn_ms_by_turn"]
    w = long["window"]
    rolling = [statistics.median(times[max(0, i - w + 1) : i + 1]) for i in range(len(times))]
    twin.plot(
        range(1, len(times) + 1), rolling, color="#2f855a", lw=1, label=f"turn time, median of {w} (ms)"
    )
    twin.set_ylabel("time per turn (ms)")
    twin.set_ylim(bottom=0)
    ax.set_title(f"A {long['turns']}-turn thread (deterministic deciders)", fontsize=10)
    lines = ax.get_lines() + twin.get_lines()
    ax.legend(lines, [line.get_label() for line in lines], fontsize=8, loc="upper left")

    conc = results["concurrency"]
    ax = axes[1][1]
    for latency, style in zip(conc["latencies_ms"], ("--", "-"), strict=True):
        tp = conc["throughput_rps"][str(latency)]
        ax.plot(
            conc["levels"],
            [tp[str(c)] for c in conc["levels"]],
            style,
            marker="o",
            color=colors[0],
            label=f"Switchboard LLM @{latency} ms (pools {conc.get('pool_max_size')}, default)",
        )
    for run, color in zip(conc.get("diagnostics", []), ("#2f855a", "#805ad5"), strict=False):
        if "throughput_rps" in run:
            tp = run["throughput_rps"][slow]
            ax.plot(
                run["levels"],
                [tp[str(c)] for c in run["levels"]],
                "-",
                marker="s",
                color=color,
                label=f"@{slow} ms, {run['label']}",
            )
    base = conc["throughput_rps"][slow][str(min(conc["levels"]))]
    ax.plot(conc["levels"], [base * c for c in conc["levels"]], ":", color="grey", label=f"linear @{slow} ms")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks(conc["levels"], [str(c) for c in conc["levels"]])
    ax.set_xlabel("concurrent requests")
    ax.set_ylabel("requests / s")
    ax.set_title("Throughput under concurrency (failed requests not counted)", fontsize=10)
    ax.legend(fontsize=8)
    m = results["machine"]
    fig.suptitle(
        f"Switchboard vs baselines — {m['cpu']}, {m['cores']} cores; {results['finished_at'][:16]} UTC",
        fontsize=11,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# ------------------------------------------------------------------------------------------- main


async def run_all(plan: Plan, say: Callable[[str], None]) -> dict[str, Any]:
    from bench.scripted import ScriptedChatModel
    from switchboard.agents.models import register_model, unregister_model
    from switchboard.api import Switchboard
    from switchboard.config.database import connect
    from switchboard.config.settings import get_settings
    from switchboard.tools.store.seed import ensure_seeded, list_scenarios

    t0 = time.perf_counter()
    with connect() as conn:
        ensure_seeded(conn)
        scenarios = {s["name"]: s for s in list_scenarios(conn)}
        scenario_customers = {s["customer_id"] for s in scenarios.values()}
        rows = conn.execute("select id from store.customers where status = 'active' order by id").fetchall()
        version_row = conn.execute("show server_version").fetchone()
        pg_version = version_row["server_version"] if version_row else "?"
    customer = scenarios[SCENARIO]["customer_id"]
    ordinary = [r["id"] for r in rows if r["id"] not in scenario_customers]
    say(f"seeded scratch database in {time.perf_counter() - t0:.1f}s; customer {customer}")

    model = ScriptedChatModel()
    name = f"bench-{uuid.uuid4().hex[:6]}"
    decider = register_model(name, model)
    warnings_seen = WarningCounter()
    logging.getLogger().addHandler(warnings_seen)
    try:
        async with Switchboard.open() as sb:
            systems = make_systems(sb, model, decider)
            measured: dict[str, dict[str, Any]] = {
                k: {"label": SYSTEMS[k], "wall_ms": {}, "wall_ms_samples": {}} for k in systems
            }
            for latency in (0, plan.slow_ms):
                figures = await measure_requests(systems, model, sb.pool, customer, latency, plan.reps)
                for key, m in figures.items():
                    entry = measured[key]
                    entry["wall_ms"][str(latency)] = m["wall_ms"]
                    entry["wall_ms_samples"][str(latency)] = m["wall_ms_samples"]
                    if latency == 0:
                        entry.update(
                            model_calls=m["model_calls"],
                            model_ms=m["model_ms"],
                            framework_ms=m["framework_ms"],
                            framework_cpu_ms=m["framework_cpu_ms"],
                            storage=m["storage"],
                            outcome=m["outcome"],
                        )
                    else:
                        entry["critical_path"] = m["critical_path"]
                        entry["model_calls_slow"] = m["model_calls"]
            for key, system in systems.items():
                entry = measured[key]
                entry["peak_memory_kb"] = await peak_memory_kb(system, model, customer)
                say(
                    f"  {key}: {entry['model_calls']} calls ({entry['critical_path']} sequential), "
                    f"{entry['wall_ms']['0']:.0f} / {entry['wall_ms'][str(plan.slow_ms)]:.0f} ms, "
                    f"{entry['storage']['checkpoints']} checkpoints, {entry['storage']['bytes'] / 1024:.1f} KB"
                )
            say(f"per-request figures done at {time.perf_counter() - t0:.0f}s")
            observability = await observability_overhead(
                systems["switchboard_llm"], model, customer, max(3, plan.reps * 2)
            )
            say(
                "  observability: framework "
                + ", ".join(f"{k} {v:.1f} ms" for k, v in observability["framework_ms"].items())
                + f"; {observability['spans_per_request']} spans per traced request"
            )
            long = await long_thread(sb, ordinary[0], plan, say)
            say(f"long thread done at {time.perf_counter() - t0:.0f}s")
            conc = await concurrency(sb, model, decider, ordinary, plan, say)
            conc["pool_max_size"] = get_settings().db_pool_max_size
            say(f"concurrency done at {time.perf_counter() - t0:.0f}s")
            # A separate section (bench/retention.py; alone: python -m bench.retention): storage with
            # retention on, prune throughput, turn-record size.
            from bench.retention import retention_figures

            kept = await retention_figures(sb, ordinary[1], plan.turns, 3 if plan.quick else 40, say)
            say(f"retention done at {time.perf_counter() - t0:.0f}s")
            profiles = {}
            if plan.profile_dir:
                profiles = await profile_requests(systems, model, customer, plan.profile_dir)
        slow_speedup = conc["speedup"][str(plan.slow_ms)]
        if not plan.quick and (any(conc["errors"].values()) or slow_speedup < 16):
            # Diagnostics (the target is scored on the defaults above): the same load with (1) the
            # application pool (thread locks + checkpointer) big enough for every request to hold its lock's
            # connection and still write checkpoints, then (2) also a bigger store pool (specialists hold a
            # store connection for their whole run, model calls included).
            app_size, store_size = max(plan.levels) + 4, max(plan.levels) * 3 // 4
            conc["diagnostics"] = []
            for store in (None, store_size):
                label = f"app pool {app_size}" + (f", store pool {store}" if store else "")
                need = app_size + (store or get_settings().db_pool_max_size)
                free = free_connections_now()
                if free - need < 30:  # the server is shared: leave room for everybody else
                    conc["diagnostics"].append({"label": label, "skipped": f"only {free} free connections"})
                    continue
                with _environment({"DB_POOL_MAX_SIZE": str(store)} if store else {}):
                    settings = get_settings().model_copy(update={"db_pool_max_size": app_size})
                    async with Switchboard.open(settings) as sb:
                        run = await concurrency(sb, model, decider, ordinary, plan, say, f" ({label})")
                run.update(
                    label=label, app_pool=app_size, store_pool=store or get_settings().db_pool_max_size
                )
                conc["diagnostics"].append(run)
            say(f"diagnostic concurrency runs done at {time.perf_counter() - t0:.0f}s")
    finally:
        logging.getLogger().removeHandler(warnings_seen)
        unregister_model(name)
    results: dict[str, Any] = {
        "request": REQUEST,
        "scenario": SCENARIO,
        "customer": customer,
        "systems": measured,
        "long_thread": long,
        "concurrency": conc,
        "retention": kept,
        "observability": observability,
        "profiles": profiles,
        "app_warnings": warnings_seen.messages[:20],
        "postgres": pg_version,
        "seconds": round(time.perf_counter() - t0, 1),
    }
    results["targets"] = evaluate_targets(measured, long, conc, plan, kept, observability)
    return results


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    from rich.console import Console

    plan = parse(argv)
    console = Console(stderr=False)
    if not console.is_terminal:
        console = Console(width=150)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", message=".*create_react_agent.*")

    def say(text: str) -> None:
        console.print(text, style="dim", highlight=False)

    started = datetime.now(UTC)
    host = machine()
    server = choose_server(plan.server)
    from psycopg.conninfo import conninfo_to_dict

    params = conninfo_to_dict(server)
    where = params.get("host") or "localhost"
    database = f"PostgreSQL at {where if not str(where).startswith('/') else 'embedded (unix socket)'}"
    say(f"benchmark{' (quick)' if plan.quick else ''}: scratch database on {database}")
    if plan.only in ("observability", "framework"):
        with scratch_database(server):
            section = asyncio.run(
                observability_only(plan) if plan.only == "observability" else framework_only(plan)
            )
        section.update(machine=host, command="python -m bench.run " + " ".join(plan.argv))
        import json

        print(json.dumps({k: v for k, v in section.items() if k != "samples_ms"}, indent=1))
        return section
    with scratch_database(server):
        results = asyncio.run(run_all(plan, say))
    for profile in (results.get("profiles") or {}).values():
        path = Path(profile["file"])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(profile.pop("text"))
    results.update(
        {
            "started_at": started.isoformat(timespec="seconds"),
            "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "command": "python -m bench.run " + " ".join(plan.argv),
            "database": database + f" {results.pop('postgres')}, scratch database per run",
            "machine": host,
            "versions": versions(),
            "plan": {
                "quick": plan.quick,
                "reps": plan.reps,
                "turns": plan.turns,
                "levels": list(plan.levels),
                "slow_ms": plan.slow_ms,
                "requests_per_level": {str(c): plan.requests_at(c) for c in plan.levels},
            },
        }
    )
    if not plan.quick:  # the CLI's own start-up: new processes, so outside the scratch database
        from bench import startup

        say("start-up of the CLI: --help, route, ask on a warm embedded server")
        results["startup"] = startup.measure()
    print_report(results, console)
    if results.get("startup"):
        from bench import startup

        console.print(startup.report(results["startup"]), highlight=False)
    plan.out.parent.mkdir(parents=True, exist_ok=True)
    import json

    plan.out.write_text(json.dumps(results, indent=1) + "\n")
    plan.out.with_suffix(".md").write_text(markdown(results))
    if plan.plot:
        png = plan.out.with_suffix(".png")
        draw_plot(results, png)
        results["plot"] = str(png)
        plan.out.write_text(json.dumps(results, indent=1) + "\n")
    say(
        f"wrote {plan.out}"
        + (f" and {plan.out.with_suffix('.png')}" if plan.plot else "")
        + f" in {results['seconds']:.0f}s"
    )
    return results


if __name__ == "__main__":
    main()
