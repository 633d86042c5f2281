"""The embedding API: Switchboard's compiled graph on a Postgres checkpointer, for programs.

    async with Switchboard.open() as sb:
        result = await sb.ask("where is my order?", customer_id="CUST-0001")
        print(result.answer, result.path)

The CLI, the notebooks and the HTTP service all go through this class.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, cast

import psycopg
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Command, Interrupt, Overwrite, StateSnapshot
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool
from pydantic import BaseModel

from switchboard.agents.composer import compose_deterministic
from switchboard.agents.context import AdmittedContext, Context, DecisionPoint
from switchboard.agents.contracts import ActionOutcome, ComposeRequest, DomainResult
from switchboard.agents.intake import check_customer, redact, validate_customer_id, validate_message
from switchboard.agents.llm import total_usage
from switchboard.agents.models import get_chat_model, is_deterministic
from switchboard.agents.replies import Reply, confirmation_reply, leading_reply
from switchboard.agents.router import route_deterministic
from switchboard.config.checkpointer import async_checkpointer_on
from switchboard.config.database import async_pool
from switchboard.config.errors import ConfigurationError, Conflict, Forbidden, InputError, NotFound
from switchboard.config.settings import Settings, get_settings
from switchboard.config.text import check_text
from switchboard.config.tracing import configure_tracing
from switchboard.graphs.domain import domain_result
from switchboard.graphs.router import router_builder
from switchboard.graphs.state import DomainState, channel
from switchboard.history import thread_history
from switchboard.observability import explain, records, tracing
from switchboard.observability.cost import prices
from switchboard.observability.metrics import track_pool
from switchboard.observability.request import observed_request
from switchboard.startup import loaded
from switchboard.tools import approvals, threads
from switchboard.tools.approvals import Identity
from switchboard.tools.db import TracedCursor, close_store_pools, store_connection

log = logging.getLogger(__name__)


@dataclass
class AskResult:
    thread_id: str
    answer: str
    domains: list[str]
    path: list[dict[str, Any]]
    route: dict[str, Any]
    interrupts: list[dict[str, Any]] = field(default_factory=list)
    status: str = "done"  # "done" or "paused" (waiting for an approval)
    usage: dict[str, Any] = field(
        default_factory=dict
    )  # model calls, tokens and cost of this turn, all decision points
    budget: dict[str, Any] | None = None  # the request's budget and spend, when one is set
    # decision points whose model failed and whose deterministic twin decided: {point, decider, reason}
    fallbacks: list[dict[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def path_of(state: dict[str, Any]) -> list[dict[str, Any]]:
    """The route through the hierarchy: router > domain > specialists, tools and actions."""
    path = []
    for result in sorted(state.get("domain_results") or [], key=lambda r: r["domain"]):
        path.append(
            {
                "domain": result["domain"],
                "specialists": result.get("specialists", []),
                "tools": result.get("tools_called", []),
                "actions": [
                    {"action": a["action"], "status": a["status"], "args": a.get("args", {})}
                    for a in result.get("actions", [])
                ],
                "partial": result.get("partial", False),
                "usage": result.get("usage") or {},
                "fallbacks": result.get("fallbacks") or [],
            }
        )
    return path


DECISION_POINTS: tuple[DecisionPoint, ...] = ("route", "supervisor", "specialist", "compose")


def fallbacks_of(values: dict[str, Any], path: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Every fallback of the turn in the order the run met them: route, each domain's, compose."""
    router = list(values.get("fallbacks") or [])
    return [
        *(f for f in router if f.get("point") != "compose"),
        *(f for step in path for f in step.get("fallbacks", [])),
        *(f for f in router if f.get("point") == "compose"),
    ]


def thread_config(thread_id: str) -> RunnableConfig:
    return {"configurable": {"thread_id": thread_id}}


def validate_thread_id(thread_id: object) -> str:
    if not isinstance(thread_id, str) or not thread_id.strip() or len(thread_id) > 200:
        raise InputError("thread id must be a non-empty string of at most 200 characters")
    check_text(thread_id, "the thread id")
    return thread_id.strip()


def check_deciders(ctx: Context) -> None:
    """Every decision point's decider can be built (a known name, a registered scripted model, the key
    its provider needs): a wrong one is a ConfigurationError naming the point, before anything is written."""
    for point in DECISION_POINTS:
        decider = ctx.decider(point)
        check_text(decider, f"the {point} decider")
        if not is_deterministic(decider):
            try:
                get_chat_model(decider)
            except ConfigurationError as exc:
                raise ConfigurationError(f"{point} {exc}") from None


def jsonable(value: Any) -> Any:
    """A JSON-ready copy of a stream chunk or state value (pydantic models, dataclasses, Overwrite, ...)."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    if isinstance(value, Overwrite):
        return jsonable(value.value)
    if isinstance(value, Interrupt):
        return {"id": value.id, "value": jsonable(value.value)}
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return jsonable(asdict(value))
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (Decimal, uuid.UUID)):
        return str(value)
    return str(value)


def stream_events(namespace: tuple[str, ...], chunk: Any, seen: set[str]) -> Iterator[dict[str, Any]]:
    """Events of one `astream(..., stream_mode=["updates"], subgraphs=True)` chunk.

    Each event is {"event": name, "data": {...}}: "route" (the router's decision), "update" (one node's
    update, with the namespace it ran in: "" for the router graph, "billing:<task id>" inside the
    billing subgraph, and its domain), "interrupt" (a pause for approval, once per interrupt id).
    """
    ns = "|".join(namespace)
    domain = namespace[0].split(":")[0] if namespace else "router"
    if not isinstance(chunk, dict):
        return
    for node, update in chunk.items():
        if node == "__interrupt__":
            for pending in update or ():
                if isinstance(pending, Interrupt) and pending.id not in seen:
                    seen.add(pending.id)
                    yield {
                        "event": "interrupt",
                        "data": {
                            "id": pending.id,
                            "value": jsonable(pending.value),
                            "namespace": ns,
                            "domain": domain,
                        },
                    }
        elif not namespace and node == "route" and isinstance(update, dict):
            yield {
                "event": "route",
                "data": {
                    "domains": jsonable(update.get("domains") or []),
                    "route": jsonable(update.get("route")),
                },
            }
        else:
            yield {
                "event": "update",
                "data": {"namespace": ns, "domain": domain, "node": node, "update": jsonable(update)},
            }


async def _unlock(conn: AsyncConnection[Any], thread_id: str) -> None:
    """Release a thread's lock, bounded: when the database does not answer (a run cut short by a frozen
    server), close the session instead, which releases the lock, rather than pool a connection holding it."""
    try:
        async with asyncio.timeout(get_settings().db_connect_timeout):
            await conn.execute(
                "select pg_advisory_unlock(hashtextextended(%s, 0))", (threads.lock_key(thread_id),)
            )
    except Exception as exc:
        log.warning("thread %s: unlock failed (%s); closing its lock session instead", thread_id, exc)
        await conn.close()
    except BaseException:
        await conn.close()
        raise


class Switchboard:
    def __init__(
        self,
        graph: CompiledStateGraph[Any, Any, Any, Any],
        checkpointer: AsyncPostgresSaver,
        pool: AsyncConnectionPool[Any],
        lock_pool: AsyncConnectionPool[Any] | None = None,
    ) -> None:
        self.graph = graph
        self.checkpointer = checkpointer
        self.pool = pool
        # Thread locks hold a connection for a whole run: on the checkpointer's pool, N runs in flight
        # would hold every connection the checkpointer needs to finish them (a deadlock at N = pool size).
        self.lock_pool = lock_pool or pool

    @classmethod
    @asynccontextmanager
    async def open(cls, settings: Settings | None = None) -> AsyncIterator[Switchboard]:
        """Build the graph on the project's async pool and Postgres checkpointer (setting both up)."""
        settings = settings or get_settings()
        configure_tracing(settings)
        lock_settings = settings.model_copy(
            update={"db_pool_min_size": 0, "db_pool_max_size": settings.db_lock_pool_size}
        )
        async with (
            async_pool(settings) as pool,
            async_pool(lock_settings, name="switchboard-locks", checked=False) as lock_pool,
        ):
            track_pool(pool)
            track_pool(lock_pool)
            saver = await async_checkpointer_on(pool, settings)
            graph = router_builder().compile(checkpointer=saver, name="switchboard")
            loaded()  # a `switchboard` command's modules are in: the garbage collector back on
            try:
                yield cls(graph, saver, pool, lock_pool)
            finally:
                await close_store_pools()

    # ------------------------------------------------------------ threads

    async def thread_owner(self, thread_id: str) -> str | None:
        """The customer a thread belongs to (None for a thread that does not exist)."""
        async with store_connection() as conn:
            return await threads.owner_of(conn, thread_id)

    async def check_access(self, thread_id: str, customer_id: str | None, *, reveal: bool = True) -> str:
        """The thread's owner, when `customer_id` (None: staff) may use it (`threads.authorize`)."""
        return threads.authorize(thread_id, await self.thread_owner(thread_id), customer_id, reveal=reveal)

    @asynccontextmanager
    async def thread_lock(self, thread_id: str) -> AsyncIterator[None]:
        """Only one run of a thread at a time, across every process on this database.

        A session-level advisory lock held on its own connection for the whole run; a second
        message to a busy thread is refused (Conflict), never queued behind or interleaved with it.
        """
        async with self.lock_pool.connection() as conn:
            cur = await conn.execute(
                "select pg_try_advisory_lock(hashtextextended(%s, 0)) as locked",
                (threads.lock_key(thread_id),),
            )
            row = await cur.fetchone()
            if not row or not row["locked"]:
                raise Conflict(
                    f"thread {thread_id} is busy with another request; try again when it has answered"
                )
            try:
                yield
            finally:
                await _unlock(conn, thread_id)

    def config(self, thread_id: str, customer_id: str) -> RunnableConfig:
        return {"configurable": {"thread_id": thread_id}, "metadata": {"customer_id": customer_id}}

    def _admit(
        self, message: str, customer_id: str, thread_id: str | None, context: Context | None
    ) -> tuple[str, str, str, AdmittedContext]:
        """The checks a new message passes before anything is written, so a refused one writes nothing:
        the text (validated, then redacted), the customer id, the thread id and the deciders. The store's
        part (the customer is known, the caller's right to the thread) is `_claimed`'s, which claims the
        thread for the customer (its ownership record): the graph does not admit again."""
        text = redact(validate_message(message))
        customer_id = validate_customer_id(customer_id)
        thread_id = validate_thread_id(thread_id) if thread_id is not None else str(uuid.uuid4())
        fields = {f.name: getattr(context, f.name) for f in dataclasses.fields(Context)} if context else {}
        ctx = AdmittedContext(**{**fields, "customer_id": customer_id})
        check_deciders(ctx)
        return text, customer_id, thread_id, ctx

    @asynccontextmanager
    async def _claimed(
        self, thread_id: str, customer_id: str, message: str
    ) -> AsyncIterator[tuple[bool, AskResult | None]]:
        """The thread claimed for a customer the store knows, and its run lock held until the block ends.
        Yields whether the thread is new (its record written now, so no run of it can be unfinished), and
        the result when the message was the customer's yes or no to an action waiting for their
        confirmation (`_answer_confirmation`: decided as `decide` would, which takes the lock itself).

        Usually one statement: the customer check, the claim and the lock (`threads.claim_and_lock`). A
        message that may be such an answer is claimed first, decided without the lock, and runs under
        `thread_lock` when nothing waited for it."""
        if reply_of(message) is not None:
            await check_customer(customer_id)
            async with store_connection() as store:
                new = bool((await threads.claim(store, thread_id, customer_id))["inserted"])
            answered = None if new else await self._answer_confirmation(thread_id, customer_id, message)
            if answered is not None:
                yield new, answered
                return
            async with self.thread_lock(thread_id):
                yield new, None
            return
        async with self.lock_pool.connection() as conn:
            # Traced like the store's connections: the claim is a store query, a span when tracing is on.
            conn.cursor_factory = TracedCursor if tracing.enabled() else psycopg.AsyncCursor
            try:
                claimed = await threads.claim_and_lock(conn, thread_id, customer_id)
            finally:
                conn.cursor_factory = psycopg.AsyncCursor
            try:
                yield bool(claimed["inserted"]), None
            finally:
                await _unlock(conn, thread_id)

    async def ask(
        self,
        message: str,
        *,
        customer_id: str,
        thread_id: str | None = None,
        context: Context | None = None,
    ) -> AskResult:
        """Run one request to the end (or to an approval pause) and return the answer and its path."""
        async with observed_request("ask", thread_id, customer_id) as observed:
            message, customer_id, thread_id, ctx = self._admit(message, customer_id, thread_id, context)
            observed.identify(thread_id, ctx)
            async with self._claimed(thread_id, customer_id, message) as (new, answered):
                if answered is not None:  # the message was the customer's yes or no to a waiting action
                    observed.finish(answered.status)
                    return answered
                # A run claims its thread before it does anything: a new one has nothing to settle.
                declined, message = (
                    (None, message) if new else await self._settle(thread_id, customer_id, ctx, message)
                )
                if isinstance(declined, StillWaiting):
                    result = said_first(declined, await self.result(thread_id))
                    observed.finish(result.status)
                    return result
                config = observed.config(self.config(thread_id, customer_id))
                output = await self.graph.ainvoke({"message": message}, config, context=ctx)
                result = said_first(declined, await self.result(thread_id, output))
            observed.finish(result.status)
            return result

    async def _answer_confirmation(self, thread_id: str, customer_id: str, message: str) -> AskResult | None:
        """A plain yes or no ("yes please", "nein danke") to a turn that waits for this customer's own
        confirmation decides it, as the chat prompt or `decide` would, and the run goes on; None when the
        message is not such an answer or nothing waits for the customer (staff approvals are staff's)."""
        reply = reply_of(message)
        if reply is None:
            return None
        snapshot = await self.graph.aget_state(thread_config(thread_id))
        mine = [
            i
            for i in snapshot.interrupts
            if isinstance(i.value, dict)
            and i.value.get("required_role") == "customer"
            and i.value.get("customer_id") == customer_id
        ]
        if len(mine) != 1:  # none, or several: which one a bare "yes" means is not clear
            return None
        return await self.decide(
            thread_id,
            actor=Identity("customer", customer_id),
            decision=reply,
            interrupt_id=mine[0].id,
            reason="the customer declined in the conversation" if reply == "reject" else None,
        )

    async def create_thread(self, customer_id: str, thread_id: str | None = None) -> dict[str, Any]:
        """A new, empty thread owned by `customer_id` (an existing customer), before its first message.

        Its ownership record is written at once, so every process on this database sees the thread (and
        who may use it). Conflict when `thread_id` is already taken.
        """
        customer_id = await check_customer(customer_id)
        thread_id = validate_thread_id(thread_id) if thread_id is not None else str(uuid.uuid4())
        async with store_connection() as conn:
            try:
                row = await threads.claim(conn, thread_id, customer_id, new=True)
            except Forbidden:  # another customer's: taken all the same
                raise Conflict(f"thread {thread_id} already exists") from None
        return {
            "thread_id": thread_id,
            "customer_id": customer_id,
            "created_at": row["created_at"].isoformat(),
        }

    async def astream_ask(
        self,
        message: str,
        *,
        customer_id: str,
        thread_id: str | None = None,
        context: Context | None = None,
    ) -> AsyncGenerator[dict[str, Any], None]:
        """`ask`, streamed: yields {"event": ..., "data": ...} as the run goes (see `stream_events`).

        Validation, access and the per-thread lock come before the first event ("start"), so a refused
        request raises (InputError, Forbidden, Conflict) before anything is yielded; the lock is held
        until the last event ("result", the AskResult) or until the generator is closed.
        """
        async with observed_request("ask", thread_id, customer_id) as observed:
            message, customer_id, thread_id, ctx = self._admit(message, customer_id, thread_id, context)
            observed.identify(thread_id, ctx)
            async with self._claimed(thread_id, customer_id, message) as (new, answered):
                if answered is not None:  # the message was the customer's yes or no to a waiting action
                    yield {"event": "start", "data": {"thread_id": thread_id, "customer_id": customer_id}}
                    observed.finish(answered.status)
                    yield {"event": "result", "data": answered.to_dict()}
                    return
                # A run claims its thread before it does anything: a new one has nothing to settle.
                declined, message = (
                    (None, message) if new else await self._settle(thread_id, customer_id, ctx, message)
                )
                yield {"event": "start", "data": {"thread_id": thread_id, "customer_id": customer_id}}
                if isinstance(declined, StillWaiting):
                    result = said_first(declined, await self.result(thread_id))
                    observed.finish(result.status)
                    yield {"event": "result", "data": result.to_dict()}
                    return
                seen: set[str] = set()
                async for item in self.graph.astream(
                    {"message": message},
                    observed.config(self.config(thread_id, customer_id)),
                    context=ctx,
                    stream_mode=["updates"],
                    subgraphs=True,
                ):
                    namespace, _mode, chunk = cast(tuple[tuple[str, ...], str, Any], item)
                    for event in stream_events(namespace, chunk, seen):
                        yield event
                result = said_first(declined, await self.result(thread_id))
                observed.finish(result.status)
                yield {"event": "result", "data": result.to_dict()}

    async def _settle(
        self, thread_id: str, owner: str, context: Context, message: str
    ) -> tuple[str | None, str]:
        """Before a new message (under the thread's lock): the thread's unfinished turn is finished first
        (the ledger makes that safe: nothing is done twice). A thread waiting only for this customer's own
        confirmation takes the new message as their answer to it: no, they asked something else. The wait
        is declined (recorded as the customer's decision, with that reason), its turn finishes, and the
        returned line says what was not done, for the new turn's answer; a message that asks nothing new
        (the deterministic router sends it to no domain: "thanks", "the french press one") leaves the wait
        as it is: the paused result comes back with a line saying it waits for their yes or no
        (`StillWaiting`). A thread waiting for staff holds the approval for a new request: it stays pending,
        its turn finishes (saying it waits), the request runs, and the run pauses for staff again after the
        new answer; a message that asks nothing new ("yes", "thanks") gets the paused result again with a
        line saying who it waits for (`StillWaiting`), and the graph does not run. A thread waiting for
        staff and for the customer's own yes or no at once refuses a new request (Conflict).

        A yes or no followed by a new request ("Top. Am I subscribed to anything else?", "no, cancel the
        other one instead") decides the customer's own wait with that reply, then the request runs as the
        new turn's message. Returns the line the new answer starts with, and the message the turn runs."""
        snapshot = await self.graph.aget_state(thread_config(thread_id))
        if snapshot.interrupts or unfinished(snapshot):
            await self._finish(thread_id, owner, context, snapshot)
            snapshot = await self.graph.aget_state(thread_config(thread_id))
        if not snapshot.interrupts:
            return None, message
        values = [i.value for i in snapshot.interrupts if isinstance(i.value, dict)]
        if len(values) == len(snapshot.interrupts) and all(
            v.get("required_role") == "customer" and v.get("customer_id") == owner and v.get("approval_id")
            for v in values
        ):
            what = "; ".join(str(v.get("description") or "an action") for v in values)
            lead = leading_reply(message)
            if lead is not None and route_deterministic(lead[1]).domains:
                # "Top. Sta ik verder nog ergens voor ingeschreven?": the reply decides, the rest is asked
                reply, rest = lead
                line = await self._decide_for_new_message(
                    thread_id, owner, context, snapshot.interrupts, what, reply
                )
                return line, rest
            if not route_deterministic(message).domains:
                # "thanks", "the french press one", "hmm": nothing new asked, so the wait stands and the
                # paused answer comes back with what it needs
                return (
                    StillWaiting(
                        f"(Still waiting for your yes or no: {what}. Reply yes to go ahead or no to leave it, "
                        "or ask something new.)"
                    ),
                    message,
                )
            line = await self._decide_for_new_message(thread_id, owner, context, snapshot.interrupts, what)
            return line, message
        staff = "; ".join(
            str(v.get("description") or "an action") for v in values if v.get("required_role") == "staff"
        )
        if staff and (confirmation_reply(message) is not None or not route_deterministic(message).domains):
            # "yes", "thanks", "hello?": nothing for the customer to decide, and nothing new asked
            return (
                StillWaiting(
                    f"(Still waiting for a member of staff to decide: {staff}. Nothing more is needed from you;"
                    " you will be told when they have decided.)"
                ),
                message,
            )
        if len(values) == len(snapshot.interrupts) and all(v.get("required_role") == "staff" for v in values):
            # A new request while staff decide: the approval is held (it stays pending, its turn finishes),
            # the request is answered, and the thread pauses for staff again after the answer (`held` in
            # the router graph), so staff decide it as before, on any surface.
            held = await self._resume(
                thread_id,
                owner,
                {i.id: {"hold": cast(dict[str, Any], i.value)["approval_id"]} for i in snapshot.interrupts},
                context,
            )
            if held.status != "paused":
                return None, message
        raise Conflict(
            f"thread {thread_id} is waiting for an approval"
            + (
                f" by staff ({staff}) and for your own yes or no: answer that first"
                if staff
                else "; approve or reject it before sending a new message"
            )
        )

    async def _decide_for_new_message(
        self,
        thread_id: str,
        owner: str,
        context: Context,
        waiting: Sequence[Interrupt],
        what: str,
        reply: Reply | None = None,
    ) -> str:
        """The customer's own confirmations, decided because they sent a new message: with the yes or no
        it opened with (`reply`), else declined, since they wrote something else instead of a yes or no.
        Then their turn runs on. Returns the line the new answer starts with: what was done, or not."""
        actor = Identity("customer", owner)
        decision = reply or "reject"
        resume: dict[str, Any] = {}
        async with store_connection() as conn:
            for pending in waiting:
                value = cast(dict[str, Any], pending.value)
                await approvals.decide(
                    conn,
                    str(value["approval_id"]),
                    actor=actor,
                    decision=decision,
                    reason=_NEW_MESSAGE_REASONS[reply],
                )
                record_decision(value, decision, "customer")
                resume[pending.id] = {"approval_id": value["approval_id"]}
        resumed = await self._resume(thread_id, owner, resume, context)
        if resumed.status == "paused":  # the turn asked for something else on the way: that waits
            raise Conflict(f"thread {thread_id} is waiting for an approval; approve or reject it first")
        if reply is not None:
            return f"({resumed.answer.strip()})"
        return (
            f"(Not done: {what}. You wrote something else instead of yes or no, so I have left it; ask again "
            "if you still want it.)"
        )

    @staticmethod
    def _finished(thread_id: str, values: dict[str, Any]) -> AskResult:
        path = path_of(values)
        route = values.get("route") or {}
        return AskResult(
            thread_id=thread_id,
            answer=values.get("answer", ""),
            domains=list(values.get("domains") or []),
            path=path,
            route=route,
            usage=priced(
                total_usage([route.get("usage"), *(p["usage"] for p in path), values.get("compose_usage")])
            ),
            budget=values.get("budget"),
            fallbacks=fallbacks_of(values, path),
        )

    async def result(self, thread_id: str, output: dict[str, Any] | None = None) -> AskResult:
        """The thread's last turn: from a run's `output` when it finished (no state load), else its state."""
        if output is not None and "__interrupt__" not in output and "answer" in output:
            return self._finished(thread_id, output)
        snapshot = await self.graph.aget_state(thread_config(thread_id), subgraphs=True)
        values = snapshot.values
        interrupts = [{"id": i.id, "value": i.value} for i in snapshot.interrupts]
        if not interrupts:
            return self._finished(thread_id, values)
        # Paused: the domains' results are not merged yet; build them from the running branches.
        results: list[dict[str, Any]] = []
        said: list[DomainResult] = []  # the same, in words: the waiting actions are said once, below
        for task in snapshot.tasks:
            if isinstance(task.result, dict) and task.result.get("domain_results"):
                results.extend(task.result["domain_results"])
                said.extend(DomainResult.model_validate(r) for r in task.result["domain_results"])
            elif isinstance(task.state, StateSnapshot):
                pending = [
                    ActionOutcome(action=i["value"]["action"], args=i["value"]["args"], status="pending")
                    for i in interrupts
                    if i["value"].get("domain") == task.name
                ]
                values_of_domain = cast(DomainState, task.state.values)
                results.append(channel(domain_result(task.name, values_of_domain, False, pending)))
                said.append(domain_result(task.name, values_of_domain, False))
        # approvals held from an earlier turn (`held`): this turn is answered, and they still wait for staff
        held_ids = {i.id for task in snapshot.tasks if task.name == "held" for i in task.interrupts}
        waiting = "; ".join(
            f"{i['value'].get('description', '')} "
            f"({'needs your confirmation' if i['value'].get('required_role') == 'customer' else 'needs staff approval'})"
            for i in interrupts
            if i["id"] not in held_ids
        )
        still = "; ".join(str(i["value"].get("description", "")) for i in interrupts if i["id"] in held_ids)
        tail = [f"Before I can finish, this needs a decision: {waiting}."] if waiting else []
        if still:
            tail.append(
                f"(Still waiting for a member of staff to decide: {still}. You will be told when they have decided.)"
            )
        paused_path = path_of({"domain_results": results})
        # What the domains found is said now (a domain that finished while another paused, and the paused
        # domain's own findings), not days later when staff decide; then what waits for a decision.
        findings = (
            compose_deterministic(
                ComposeRequest(request=str(values.get("message") or ""), results=said)
            ).answer
            if said
            else ""
        )
        return AskResult(
            thread_id=thread_id,
            answer="\n\n".join([findings, *tail] if findings else tail),
            domains=list(values.get("domains") or []),
            path=paused_path,
            route=values.get("route") or {},
            interrupts=interrupts,
            status="paused",
            fallbacks=fallbacks_of(values, paused_path),
            usage=priced(total_usage([(values.get("route") or {}).get("usage")])),
        )

    async def state(self, thread_id: str, customer_id: str | None = None) -> dict[str, Any]:
        thread_id = validate_thread_id(thread_id)
        await self.check_access(thread_id, customer_id)
        snapshot = await self.graph.aget_state(thread_config(thread_id))
        return {
            "thread_id": thread_id,
            "values": snapshot.values,
            "next": list(snapshot.next),
            "interrupts": [{"id": i.id, "value": i.value} for i in snapshot.interrupts],
            "checkpoint_id": snapshot.config["configurable"].get("checkpoint_id"),
            "created_at": snapshot.created_at,
        }

    async def threads(self, customer_id: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        """Threads, most recently used first: their ownership records, and their checkpoints as the
        checkpointer lists them (the router's own, not the domains')."""
        check_text(customer_id, "the customer id")
        async with store_connection() as conn:
            records = await threads.list_threads(conn, customer_id, limit)
        out = []
        for record in records:
            config: RunnableConfig = {"configurable": {"thread_id": record["thread_id"], "checkpoint_ns": ""}}
            stamps = [t.checkpoint["ts"] async for t in self.checkpointer.alist(config)]
            out.append(
                {
                    "thread_id": record["thread_id"],
                    "customer_id": record["customer_id"],
                    "checkpoints": len(stamps),
                    "started_at": record["created_at"].isoformat(),
                    "updated_at": max(stamps, default=record["updated_at"].isoformat()),
                }
            )
        return out

    async def turns(self, thread_id: str, customer_id: str | None = None) -> list[dict[str, Any]]:
        """The thread's permanent turn records (store.turns), oldest first: what each turn did, still
        there after its checkpoints were pruned or the thread was deleted for idleness."""
        from switchboard.tools.turns import turn_records

        thread_id = validate_thread_id(thread_id)
        await self.check_access(thread_id, customer_id)
        return await turn_records(thread_id)

    async def history(self, thread_id: str, customer_id: str | None = None) -> list[dict[str, Any]]:
        """Every step of a thread, including the steps inside each domain subgraph, oldest first, as
        LangGraph reports them (`switchboard/history.py`): ids, parents, forks, next, what each step wrote."""
        thread_id = validate_thread_id(thread_id)
        await self.check_access(thread_id, customer_id)
        return await thread_history(self.graph, self.checkpointer, thread_id)

    # ------------------------------------------------------------ approvals

    async def pending_approvals(self, customer_id: str | None = None) -> list[dict[str, Any]]:
        """Pending approvals across threads, each with the interrupt id that resumes it."""
        check_text(customer_id, "the customer id")
        async with store_connection() as conn:
            rows = await approvals.pending(conn, customer_id=customer_id)
        result = []
        for row in rows:
            interrupt_id = await self._interrupt_for(row["thread_id"], row["id"])
            result.append({**row, "interrupt_id": interrupt_id})
        return result

    async def _interrupt_for(self, thread_id: str, approval_id: str) -> str | None:
        snapshot = await self.graph.aget_state(thread_config(thread_id))
        for pending in snapshot.interrupts:
            if isinstance(pending.value, dict) and pending.value.get("approval_id") == approval_id:
                return str(pending.id)
        return None

    async def decide(
        self,
        thread_id: str,
        *,
        actor: Identity,
        decision: str,
        interrupt_id: str | None = None,
        args: dict[str, Any] | None = None,
        reason: str | None = None,
    ) -> AskResult:
        """Approve, reject or edit a paused write action, then resume the run.

        Every check (role, expiry, reuse, the interrupt belonging to this thread) happens before the
        run is resumed: a refused decision leaves the run paused and nothing recorded.
        """
        check_text([decision, interrupt_id, reason, args, actor.id], "the decision")
        if decision not in ("approve", "reject", "edit"):
            raise InputError(f"decision must be approve, reject or edit, not {decision!r}")
        verdict = cast(Literal["approve", "reject", "edit"], decision)
        thread_id = validate_thread_id(thread_id)
        owner = await self.check_access(thread_id, actor.id if actor.role == "customer" else None)
        config = self.config(thread_id, owner)
        snapshot = await self.graph.aget_state(config)
        pending = [i for i in snapshot.interrupts if isinstance(i.value, dict) and "approval_id" in i.value]
        if not pending:
            raise Conflict(f"thread {thread_id} has no pending approval")
        if interrupt_id is not None:
            chosen = [i for i in pending if i.id == interrupt_id]
            if not chosen:
                raise NotFound(f"thread {thread_id} has no pending interrupt {interrupt_id}")
        elif len(pending) > 1:
            ids = ", ".join(i.id for i in pending)
            raise InputError(
                f"thread {thread_id} has {len(pending)} pending approvals ({ids}): name one with --interrupt"
            )
        else:
            chosen = pending
        target = chosen[0]
        approval_id = target.value["approval_id"]
        async with observed_request("decide", thread_id, owner, Context(customer_id=owner)) as observed:
            async with self.thread_lock(thread_id):
                async with store_connection() as conn:
                    await approvals.decide(
                        conn, approval_id, actor=actor, decision=verdict, args=args, reason=reason
                    )
                record_decision(target.value, verdict, actor.role)
                result = await self._resume(
                    thread_id, owner, {target.id: {"approval_id": approval_id}}, observed=observed
                )
            observed.finish(result.status)
        await self._keep_server_current(thread_id, owner, result)
        return result

    async def _resume(
        self,
        thread_id: str,
        owner: str,
        resume: dict[str, Any] | None,
        context: Context | None = None,
        observed: Any = None,
    ) -> AskResult:
        config = self.config(thread_id, owner)
        if observed is not None:
            config = observed.config(config)
        command: Command[Any] | None = Command(resume=resume) if resume is not None else None
        output = await self.graph.ainvoke(command, config, context=context or Context(customer_id=owner))
        return await self.result(thread_id, output)

    async def _finish(
        self, thread_id: str, owner: str, context: Context, snapshot: StateSnapshot, observed: Any = None
    ) -> AskResult | None:
        """Finish the thread's last turn where it stopped (under the thread's lock), or None when there is
        nothing to finish: interrupts whose approval is decided (or expired: it is rejected as such) are
        resumed, and so are those whose record is gone (the action asks for a new one); an unfinished turn
        without interrupts runs on from its checkpoint."""
        decided: dict[str, Any] = {}
        if snapshot.interrupts:
            async with store_connection() as conn:
                for pending in snapshot.interrupts:
                    value = pending.value if isinstance(pending.value, dict) else {}
                    ident = str(value.get("approval_id", ""))
                    row = await approvals.current(conn, ident)
                    if row is None or row["status"] != "pending":
                        decided[pending.id] = {"approval_id": ident}
            return await self._resume(thread_id, owner, decided, context, observed) if decided else None
        if not unfinished(snapshot):
            return None
        if not snapshot.tasks:
            # The counter shows a turn without its answer but no task is left to run: intake's writes are
            # in the state, so the turn goes on from there (route, the domains, compose; the ledger replays).
            await self.graph.aupdate_state(self.config(thread_id, owner), None, as_node="intake")
        return await self._resume(thread_id, owner, None, context, observed)

    async def recover(self, thread_id: str, customer_id: str | None = None) -> AskResult:
        """Bring a thread to a state from which the customer can continue, and return its last turn.

        A turn a crash interrupted is finished (even one whose only checkpoint is its input); interrupts
        whose approval was decided, expired or is gone are resumed. A thread waiting for a pending,
        decidable approval stays paused. Safe to call at any time: write actions are in the ledger, so
        nothing is done twice. `customer_id` None: staff (any thread); else only that customer's own.
        """
        thread_id = validate_thread_id(thread_id)
        owner = await self.check_access(thread_id, customer_id)
        async with observed_request("resume", thread_id, owner, Context(customer_id=owner)) as observed:
            async with self.thread_lock(thread_id):
                snapshot = await self.graph.aget_state(thread_config(thread_id))
                finished = await self._finish(
                    thread_id, owner, Context(customer_id=owner), snapshot, observed=observed
                )
                result = finished or await self.result(thread_id)
            observed.finish(result.status)
        if finished is not None:
            await self._keep_server_current(thread_id, owner, result)
        return result

    @staticmethod
    async def _keep_server_current(thread_id: str, owner: str, result: AskResult) -> None:
        """A run resumed here (a decision, a recovery) changed the thread after a LangGraph server last
        looked at it: the STUDIO_URL server, when it has the thread, refreshes it (switchboard/studio.py),
        so Studio's status is current. STUDIO_SYNC=off skips it."""
        settings = get_settings()
        if settings.studio_sync == "off":
            return
        from switchboard.studio import refresh_registered

        await refresh_registered(thread_id, owner, result.status == "paused", settings.studio_url.rstrip("/"))

    # ------------------------------------------------------------ observability

    async def explain(self, thread_id: str, customer_id: str | None = None) -> dict[str, Any]:
        """The thread's latest turn explained from Postgres (see `observability.explain`)."""
        thread_id = validate_thread_id(thread_id)
        await self.check_access(thread_id, customer_id)
        return await explain.explain_thread(self, thread_id)

    async def cost_report(
        self, *, days: float = 30.0, thread_id: str | None = None, customer_id: str | None = None
    ) -> dict[str, Any]:
        """What finished turns cost, summed by day, decision point, domain, model, thread and customer."""
        turns = await records.turns(
            self.pool,
            self.checkpointer.serde,
            since=records.since_iso(days * 24),
            thread_id=thread_id,
            customer_id=customer_id,
        )
        return records.cost_report(turns, prices().currency)


def unfinished(snapshot: StateSnapshot) -> bool:
    """A turn started and neither finished nor waiting for a decision.

    The latest checkpoint still has tasks, with or without their writes: with LangGraph's "async"
    durability a process killed a few milliseconds into a run can leave only the input checkpoint with
    `__start__`'s writes saved, where `next` is empty although the turn never ran. Or the turn counter
    shows a turn started (intake) without its answer (compose)."""
    if snapshot.interrupts:
        return False
    if snapshot.next or snapshot.tasks:
        return True
    values = snapshot.values or {}
    started = int(values.get("turn") or 0)
    return started > int(values.get("answered", started))


def priced(usage: dict[str, Any]) -> dict[str, Any]:
    """A usage total with its cost in money beside the exact micros."""
    from switchboard.observability.cost import money

    return {**usage, "cost": money(int(usage.get("cost_micros", 0))), "currency": prices().currency}


NEW_MESSAGE_DECLINES = "the customer sent a new message instead of a yes or no"
# Why a wait was decided by a new message: by the yes or no it opened with, or by its being something else.
_NEW_MESSAGE_REASONS: dict[Reply | None, str | None] = {
    "approve": None,
    "reject": "the customer declined in the conversation",
    None: NEW_MESSAGE_DECLINES,
}


class StillWaiting(str):
    """What `_settle` returns when a message to a waiting thread asks nothing new ("yes" while staff
    decide, "thanks"): the line the paused result is shown with; the graph does not run."""


def reply_of(message: str) -> Reply | None:
    """The customer's yes or no in a message: a plain one ("yes please"), or one followed by words that ask
    nothing new ("ja, von allen", "nee wacht, toch niet! laat maar staan, mijn vriendin wil hem toch":
    which ones, or why). None for anything else."""
    reply = confirmation_reply(message)
    if reply is not None:
        return reply
    lead = leading_reply(message)
    if lead is None or "?" in lead[1] or route_deterministic(lead[1]).domains:
        return None
    return lead[0]


def said_first(line: str | None, result: AskResult) -> AskResult:
    """The result with `line` (what a new message did or left undone) before its answer. The steps and
    actions are this turn's own: what a yes decided belongs to the turn that waited for it (its history)."""
    return result if line is None else dataclasses.replace(result, answer=f"{line}\n\n{result.answer}")


def record_decision(value: dict[str, Any], decision: str, role: str) -> None:
    from switchboard.observability import logs

    logs.approval_decided(value.get("approval_id"), value.get("action"), decision, role)
