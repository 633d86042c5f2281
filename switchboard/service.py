"""The HTTP service: Switchboard over FastAPI, started with `switchboard serve`.

One `Switchboard` (graph, Postgres checkpointer, async pool) is opened in the app's lifespan. Every
request names its caller with an API key (`Authorization: Bearer <key>` or `X-API-Key: <key>`, see
`switchboard keys`): a customer key reaches only that customer's threads (another customer's thread
is "not found", exactly like an unknown one); a staff key reads every thread and decides approvals.

Runs are serialised per thread with the Postgres advisory lock of `Switchboard.thread_lock`, so any
number of service processes on one database never run one thread at once (a second message to a busy
thread gets 409) and all of them see every thread. A streamed run holds the lock until the run ends,
and finishes (and is persisted) even when the client goes away.

Errors are JSON `{"error": "..."}` with the status of their `SwitchboardError` (401, 403, 404, 409,
422, 503); a malformed body is a 422 that names what was wrong; bad input never gives a 500.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any, Literal

import psycopg
from fastapi import Depends, FastAPI, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from fastapi_offline import FastAPIOffline
from psycopg_pool import PoolTimeout
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from switchboard import openapi
from switchboard.api import AskResult, Switchboard, jsonable, validate_thread_id
from switchboard.config.database import database_target
from switchboard.config.errors import Forbidden, InputError, SwitchboardError, Unavailable
from switchboard.config.settings import Settings, get_settings
from switchboard.config.text import check_text
from switchboard.observability import logs, metrics, tracing
from switchboard.observability.dashboard import dashboard_data, dashboard_html
from switchboard.tools import apikeys
from switchboard.tools.apikeys import Unauthorized
from switchboard.tools.approvals import Identity

log = logging.getLogger("switchboard.service")

MAX_BODY_BYTES = 1_000_000
RUN_DRAIN_SECONDS = 30.0


# ------------------------------------------------------------------ models


def _check_text(value: Any, where: str) -> Any:
    """Strings must be storable (`check_text`); a ValueError here becomes the request's 422."""
    try:
        return check_text(value, where)
    except InputError as exc:
        raise ValueError(str(exc)) from None


class ErrorBody(BaseModel):
    error: str = Field(description="One line naming what was wrong.")


class MessageIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"message": "where is my order?"}]}
    )

    message: str = Field(
        description="The customer's request (non-empty; at most MAX_REQUEST_CHARS characters)."
    )

    @field_validator("message", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        if not isinstance(value, str):
            raise ValueError(f"must be text, not {_json_type(value)}")
        return _check_text(value, "the text")


class DecisionIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"decision": "approve"},
                {"decision": "reject", "reason": "already refunded by phone"},
            ]
        },
    )

    decision: Literal["approve", "reject", "edit"] = Field(
        description="approve, reject (needs a reason) or edit."
    )
    reason: str | None = Field(default=None, max_length=2000, description="Why (required to reject).")
    args: dict[str, Any] | None = Field(default=None, description="For edit: the changed arguments.")

    @field_validator("reason", "args", mode="after")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return _check_text(value, "the text")


class ThreadCreated(BaseModel):
    thread_id: str
    customer_id: str
    created_at: str


class Interrupt(BaseModel):
    id: str = Field(
        description="The interrupt id: resolve it with POST /threads/{id}/approvals/{interrupt_id}."
    )
    value: Any = Field(description="What is waiting: path, description, action, arguments, who must decide.")


class FallbackOut(BaseModel):
    point: str = Field(description="The decision point: route, <domain>_supervisor, a specialist, compose.")
    decider: str = Field(description="The model that failed there.")
    reason: str = Field(
        description="Why: the endpoint's error, the time budget, an open circuit, a bad answer."
    )


class AskResultOut(BaseModel):
    thread_id: str
    answer: str = Field(
        description="The composed answer; while paused, one sentence naming the decision the run waits for "
        "(the interrupts say who must make it)."
    )
    domains: list[str]
    path: list[dict[str, Any]] = Field(description="router > domain > specialists, tools and actions.")
    route: dict[str, Any] = Field(description="The router's decision.")
    interrupts: list[Interrupt] = Field(default_factory=list)
    status: Literal["done", "paused"]
    fallbacks: list[FallbackOut] = Field(
        default_factory=list,
        description="Decision points whose model failed, so their deterministic twin decided (MODEL_FAILURE=fallback).",
    )
    usage: dict[str, Any] = Field(
        default_factory=dict, description="Model calls, tokens and cost (price table's currency) of the turn."
    )
    budget: dict[str, Any] | None = Field(default=None, description="The request's budget and spend, if set.")


class ThreadSummary(BaseModel):
    thread_id: str
    customer_id: str | None
    checkpoints: int
    started_at: str | None
    updated_at: str | None


class ThreadState(BaseModel):
    thread_id: str
    values: dict[str, Any]
    next: list[str]
    interrupts: list[Interrupt]
    checkpoint_id: str | None
    created_at: str | None


class HistoryStep(BaseModel):
    ts: str | None
    namespace: str = Field(description="'router' or the domain whose subgraph wrote this checkpoint.")
    checkpoint_ns: str
    checkpoint_id: str
    parent_checkpoint_id: str | None = Field(description="The checkpoint this one follows (None: the first).")
    fork: bool = Field(description="A second (or later) child of the same parent: a fork.")
    step: int | None
    source: str | None
    next: list[str] = Field(
        description="The nodes to run next, as LangGraph reports it ('__start__' for input)."
    )
    nodes: list[str] = Field(description="The nodes of the step that made this checkpoint.")
    writes: list[str] = Field(
        description="The state channels that step wrote (LangGraph's internal ones left out)."
    )
    fallbacks: list[FallbackOut] = Field(
        default_factory=list, description="Decision points of this step whose model failed (see AskResult)."
    )


class TurnRecord(BaseModel):
    """One finished turn as `store.turns` keeps it (permanently; checkpoints may be pruned)."""

    turn: int
    request: str
    route: dict[str, Any]
    domains: list[dict[str, Any]] = Field(description="per domain: specialists, tools, facts, actions")
    answer: str
    usage: dict[str, Any]
    started_at: str | None
    finished_at: str
    duration_ms: float | None
    erased_at: str | None


class Approval(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str
    thread_id: str
    interrupt_id: str | None = Field(
        description="Resolve with POST /threads/{thread_id}/approvals/{interrupt_id}."
    )
    customer_id: str
    action: str
    args: dict[str, Any]
    path: str
    description: str
    required_role: Literal["customer", "staff"]
    status: str
    requested_at: str
    expires_at: str
    expired: bool


class Health(BaseModel):
    status: Literal["ok"]
    database: Literal["embedded", "external"]


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", int: "a number"}
    if isinstance(value, (bytes, bytearray)):
        return "a body that is not JSON"
    return {**names, float: "a number", type(None): "null"}.get(type(value), type(value).__name__)


ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text}
    for status, text in {
        401: "No API key, or an unknown or revoked one.",
        403: "This key's role may not do this.",
        404: "No such thread (or not one this key may see), interrupt or approval.",
        409: "The thread is busy with another request, or the approval was already decided.",
        422: "The body or a parameter is malformed; the error names what was wrong.",
    }.items()
}


# ------------------------------------------------------------------ auth and helpers

_bearer = HTTPBearer(auto_error=False, description="An API key from `switchboard keys create`.")
_api_key = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="The same key, in a header of its own."
)


async def caller(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    header_key: Annotated[str | None, Depends(_api_key)],
) -> Identity:
    """The identity of the request's API key (401 when missing, unknown or revoked)."""
    secret = bearer.credentials if bearer is not None else header_key
    if not secret:
        raise Unauthorized("missing API key: send Authorization: Bearer <key> or X-API-Key: <key>")
    sb = _sb(request)
    async with sb.pool.connection() as conn:
        identity = await apikeys.averify(conn, secret.strip())
    if identity is None:
        raise Unauthorized("invalid or revoked API key")
    return identity


Caller = Annotated[Identity, Depends(caller)]


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _sb(request: Request) -> Switchboard:
    sb: Switchboard = request.app.state.switchboard
    return sb


def _thread_id(thread_id: str) -> str:
    thread_id = validate_thread_id(thread_id)
    try:
        _check_text(thread_id, "thread id")
    except ValueError as exc:
        raise InputError(str(exc)) from None
    if any(ord(c) < 32 or ord(c) == 127 for c in thread_id):
        raise InputError("thread id contains a control character")
    return thread_id


async def _visible(sb: Switchboard, thread_id: str, who: Identity) -> str:
    """The thread's owner, when `who` may see the thread; otherwise 404 (a foreign thread is not revealed)."""
    return await sb.check_access(thread_id, who.id if who.role == "customer" else None, reveal=False)


def _customer_only(who: Identity, what: str) -> None:
    if who.role != "customer":
        raise Forbidden(f"{what} needs a customer key: staff keys read threads and decide approvals")


def _result(result: AskResult) -> AskResultOut:
    return AskResultOut.model_validate(jsonable(result.to_dict()))


def _describe(errors: list[Any]) -> str:
    parts = []
    for err in errors:
        loc = [str(p) for p in err.get("loc", ())]
        kind, where = (loc[0], ".".join(loc[1:])) if loc else ("body", "")
        etype = err.get("type", "")
        if etype == "json_invalid":
            detail = (err.get("ctx") or {}).get("error", "")
            parts.append(f"the body is not valid JSON{f' ({detail})' if detail else ''}")
        elif kind == "body" and not where:
            if etype == "missing":
                parts.append('the body is missing: send a JSON object, e.g. {"message": "..."}')
            else:
                parts.append(
                    f"the body must be a JSON object (Content-Type: application/json), not {_json_type(err.get('input'))}"
                )
        else:
            label = where if kind == "body" else f"{kind} parameter {where}"
            if etype == "missing":
                parts.append(f"{label} is missing")
            elif etype == "extra_forbidden":
                parts.append(f"{label} is not a known field")
            else:
                msg = str(err.get("msg", "is invalid")).removeprefix("Value error, ")
                parts.append(f"{label}: {msg}")
    return "; ".join(dict.fromkeys(parts)) or "the request is malformed"


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


# ------------------------------------------------------------------ streaming


async def _stream(request: Request, who: Identity, thread_id: str, message: str) -> EventSourceResponse:
    """Start the run in a task of its own (it finishes even if the client leaves) and stream its events.

    The task holds the thread's lock for the whole run. A refusal (busy thread, paused thread, bad
    message) happens before the first event and is answered as a plain JSON error with its status.
    """
    sb = _sb(request)
    queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
    started: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    timeout = _settings(request).request_timeout

    async def run() -> None:
        events = sb.astream_ask(message, customer_id=who.id, thread_id=thread_id)
        try:
            async with asyncio.timeout(timeout):  # the run outlives the request: bounded on its own
                async for event in events:
                    if not started.done():
                        started.set_result(None)
                    queue.put_nowait(event)
        except Exception as exc:
            if not started.done():
                started.set_exception(exc)
                return
            status, text = _failure(exc, thread_id, timeout)
            queue.put_nowait({"event": "error", "data": {"error": text, "status": status}})
        finally:
            await events.aclose()
            if not started.done():
                started.set_exception(RuntimeError("the run ended before it started"))
            queue.put_nowait(None)

    task = asyncio.create_task(run(), name=f"switchboard-run:{thread_id}")
    runs: set[asyncio.Task[None]] = request.app.state.runs
    runs.add(task)
    task.add_done_callback(runs.discard)
    await started

    async def events() -> AsyncIterator[ServerSentEvent]:
        while (event := await queue.get()) is not None:
            # ASCII only: a raw U+2028 or U+0085 in a data line is a line break to many SSE parsers.
            yield ServerSentEvent(data=json.dumps(event["data"]), event=event["event"])

    return EventSourceResponse(events(), ping=15, headers={"Cache-Control": "no-store"})


def _failure(exc: Exception, thread_id: str, timeout: float) -> tuple[int, str]:
    """The status and one line for a streamed run that failed after its first event."""
    if isinstance(exc, SwitchboardError):
        return exc.http_status, str(exc)
    if isinstance(exc, TimeoutError):
        return (
            503,
            f"the run took longer than {timeout:g} s (REQUEST_TIMEOUT) and was stopped; resume it later",
        )
    if isinstance(exc, (psycopg.OperationalError, PoolTimeout)):
        log.error("streamed run of thread %s: database unavailable: %s", thread_id, exc)
        return 503, "the database is unavailable; try again shortly"
    log.exception("streamed run of thread %s failed", thread_id)
    return 500, "internal error (see the server log)"


STREAM_DOC = """\
Runs one request on the thread. With `?stream=true` (or `Accept: text/event-stream`) the answer is a
stream of server-sent events, each `data` a JSON object:

- `start`: `{thread_id, customer_id}`: the run holds the thread's lock;
- `route`: `{domains, route}`: the router's decision;
- `update`: `{namespace, domain, node, update}`: one node's update; `namespace` is `""` in the router
  graph and `"billing:<task>"` inside the billing subgraph (one per domain, in parallel);
- `interrupt`: `{id, value, namespace, domain}`: a write action paused for an approval;
- `result`: the AskResult (answer, path, status `done` or `paused`, interrupts);
- `error`: `{error, status}` when the run failed after it started.

Otherwise the AskResult is returned as JSON. A thread runs one request at a time, across every service
process: a second message while it runs gets 409.
"""


# ------------------------------------------------------------------ the app


class Utf8Path:
    """A path whose percent-encoded bytes are not UTF-8 (`/threads/%ff`) is a 422 naming the problem.

    Starlette decodes such bytes to U+FFFD, so the request would look for a thread that cannot exist
    and answer 404, hiding that the id itself was malformed.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            from urllib.parse import unquote_to_bytes

            raw = scope.get("raw_path") or scope.get("path", "").encode("utf-8", "surrogateescape")
            try:
                unquote_to_bytes(raw).decode("utf-8")
            except UnicodeDecodeError as exc:
                bad = unquote_to_bytes(raw)[exc.start : exc.end]
                response = _error(
                    422, f"the path is not valid UTF-8 (bytes {' '.join(f'%{b:02X}' for b in bad)})"
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The FastAPI application (`uvicorn --factory switchboard.service:create_app` works too)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        current = settings or get_settings()
        applied = await asyncio.to_thread(_migrate, current)
        if applied:
            log.warning("store migrations applied at start: %s", ", ".join(applied))
        async with Switchboard.open(current) as sb:
            app.state.switchboard = sb
            app.state.settings = current
            app.state.runs = set()
            try:
                yield
            finally:
                runs: set[asyncio.Task[None]] = app.state.runs
                if runs:  # let runs in progress finish (and release their threads' locks)
                    _, pending = await asyncio.wait(set(runs), timeout=RUN_DRAIN_SECONDS)
                    for task in pending:
                        task.cancel()
                    if pending:
                        await asyncio.wait(pending, timeout=5)

    # FastAPIOffline: /docs and /redoc load their scripts from this service, never from a CDN.
    app = FastAPIOffline(
        title="Switchboard",
        version="0.1.0",
        summary="A hierarchical LangGraph customer-operations assistant, over HTTP.",
        description=(
            "Authenticate with `Authorization: Bearer <key>` or `X-API-Key: <key>` (keys from "
            "`switchboard keys create --as customer:CUST-0001` or `--as staff:NAME`). Errors are "
            '`{"error": "..."}` with a 4xx status naming what was wrong.'
        ),
        lifespan=lifespan,
        # Enforced while the body is read, chunked or not, and before the key is checked: FastAPI reads
        # the body before it solves dependencies, so no client can make the service read more than this.
        max_body_size=MAX_BODY_BYTES,
    )
    _install_error_handlers(app)
    app.add_middleware(RequestTimeout, settings=lambda: settings or get_settings())
    app.add_middleware(Utf8Path)
    _install_observability(app)
    _install_routes(app)
    openapi.install(app, lambda: settings or get_settings())
    return app


def _migrate(settings: Settings) -> list[str]:
    from switchboard.config.database import connect
    from switchboard.tools.store.migrate import apply_migrations

    with connect(settings) as conn:
        return apply_migrations(conn)


def _allowed_methods(request: Request) -> str:
    """Every method some route of this path takes (Starlette names only the first route's)."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches(request.scope)
        if match != Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return ", ".join(sorted(methods))


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(SwitchboardError)
    async def switchboard_error(request: Request, exc: SwitchboardError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.http_status == 401 else None
        return _error(exc.http_status, str(exc), headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        return _error(422, _describe(list(exc.errors())))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = str(exc.detail)
        if exc.status_code == 404 and message == "Not Found":
            message = f"no such endpoint: {request.method} {request.url.path} (see /docs)"
        elif exc.status_code == 405:
            allowed = _allowed_methods(request)
            message = f"{request.method} is not allowed on {request.url.path}: use {allowed} (see /docs)"
            return _error(405, message, {"Allow": allowed})
        elif exc.status_code == 413:
            message = f"the body is too large: the limit is {MAX_BODY_BYTES} bytes"
        elif message == "There was an error parsing the body":
            message = "the body could not be parsed: send UTF-8 JSON"
        return _error(exc.status_code, message, dict(exc.headers or {}) or None)

    @app.exception_handler(psycopg.OperationalError)
    @app.exception_handler(PoolTimeout)
    async def database_unavailable(request: Request, exc: Exception) -> JSONResponse:
        log.error("%s %s: database unavailable: %s", request.method, request.url.path, exc)
        return _error(503, "the database is unavailable; try again shortly")

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> JSONResponse:
        log.exception("%s %s failed", request.method, request.url.path)
        return _error(500, "internal error (see the server log)")


class RequestTimeout:
    """Every request is answered within REQUEST_TIMEOUT: one that has not started its response by then (a
    frozen database, a hung dependency) gets a 503 and its work is cancelled. A response already started (a
    server-sent event stream) is left to run: its run is bounded on its own (see `_stream`)."""

    def __init__(self, app: ASGIApp, settings: Callable[[], Settings]) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        timeout = self.settings().request_timeout
        started = asyncio.Event()
        answered = False

        async def guarded_send(message: Message) -> None:
            if answered:  # already answered with the 503: the cancelled work may not write any more
                return
            if message["type"] == "http.response.start":
                started.set()
            await send(message)

        work = asyncio.ensure_future(self.app(scope, receive, guarded_send))
        begun = asyncio.ensure_future(started.wait())
        try:
            await asyncio.wait({work, begun}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            begun.cancel()
        if work.done() or started.is_set():
            await work
            return
        answered = True
        work.cancel()  # not awaited: its cleanup may itself wait on what hung, each wait of it bounded
        work.add_done_callback(_log_abandoned)
        method, path = scope.get("method", ""), scope.get("path", "")
        log.error("%s %s: no response within REQUEST_TIMEOUT (%.0f s); answered 503", method, path, timeout)
        await _error(
            503,
            f"the request took longer than {timeout:g} s (REQUEST_TIMEOUT): the database or a model is not answering; try again shortly",
        )(scope, receive, send)


def _log_abandoned(task: asyncio.Future[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.warning("a timed-out request ended with %r", task.exception())


def _install_observability(app: FastAPI) -> None:
    """Request ids, one log line and the metrics per HTTP request; the OpenTelemetry HTTP server span."""

    @app.middleware("http")
    async def observe(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        given = request.headers.get("x-request-id", "")
        request_id = given if 0 < len(given) <= 100 and given.isprintable() else uuid.uuid4().hex
        started = time.perf_counter()
        status = 500
        with logs.bind_request(request_id=request_id, surface="http"):
            try:
                response = await call_next(request)
                status = response.status_code
                response.headers["X-Request-ID"] = request_id
                return response
            finally:
                route = getattr(request.scope.get("route"), "path", None) or "unmatched"
                seconds = time.perf_counter() - started
                metrics.record_http(request.method, route, status, seconds)
                if route not in ("/metrics", "/health"):
                    logs.event(
                        "http.request",
                        method=request.method,
                        route=route,
                        status_code=status,
                        duration_ms=round(seconds * 1000, 1),
                    )

    if tracing.enabled():  # off: not even installed, so it costs nothing
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

        FastAPIInstrumentor.instrument_app(
            app, tracer_provider=tracing.tracer_provider(), excluded_urls="metrics,health"
        )


def _install_routes(app: FastAPI) -> None:
    # Prometheus' text format, not JSON: scraped by Prometheus, not by OpenAPI clients.
    @app.get("/metrics", tags=["observability"], include_in_schema=False)
    async def prometheus_metrics(request: Request) -> Response:
        """Prometheus metrics of this process, and the store's gauges (no key needed; no ids in labels)."""
        async with _sb(request).pool.connection() as conn:
            await metrics.refresh_store_gauges(conn)
        return Response(metrics.exposition(), media_type=metrics.CONTENT_TYPE)

    @app.get("/dashboard", response_class=HTMLResponse, tags=["observability"])
    async def dashboard() -> HTMLResponse:
        """The workflow dashboard (a page; its data needs a staff key: /dashboard#key=<key> or the form)."""
        return HTMLResponse(dashboard_html())

    @app.get("/dashboard/data", tags=["observability"], responses=ERRORS)
    async def dashboard_json(
        request: Request, who: Caller, hours: Annotated[float, Query(gt=0, le=24 * 90)] = 24.0
    ) -> dict[str, Any]:
        """The dashboard's figures over the last `hours` (staff only)."""
        if who.role != "staff":
            raise Forbidden("the dashboard needs a staff key")
        return jsonable(await dashboard_data(_sb(request), hours=hours))  # type: ignore[no-any-return]

    @app.get("/threads/{thread_id}/explain", tags=["threads"], responses=ERRORS)
    async def explain_thread(request: Request, thread_id: str, who: Caller) -> dict[str, Any]:
        """The thread's latest turn explained from Postgres: route, supervisors, specialists, actions and who
        decided them, timings per step, cost, fallbacks and trace ids."""
        thread_id = _thread_id(thread_id)
        sb = _sb(request)
        owner = await _visible(sb, thread_id, who)
        return jsonable(await sb.explain(thread_id, owner or None))  # type: ignore[no-any-return]

    @app.get("/health", response_model=Health, tags=["service"], responses={503: {"model": ErrorBody}})
    async def health(request: Request) -> Health:
        """The service is up and its database answers (no key needed)."""
        sb = _sb(request)
        settings = _settings(request)
        bound = settings.db_pool_timeout + settings.db_connect_timeout
        try:
            async with asyncio.timeout(bound), sb.pool.connection() as conn:
                await conn.execute("select 1")
        except TimeoutError:
            raise Unavailable(f"the database did not answer within {bound:g} s") from None
        return Health(status="ok", database="embedded" if database_target().embedded else "external")

    @app.post("/threads", response_model=ThreadCreated, status_code=201, tags=["threads"], responses=ERRORS)
    async def create_thread(request: Request, who: Caller) -> ThreadCreated:
        """A new thread for the calling customer; post messages to it next."""
        _customer_only(who, "creating a thread")
        created = await _sb(request).create_thread(who.id)
        return ThreadCreated.model_validate(created)

    @app.get("/threads", response_model=list[ThreadSummary], tags=["threads"], responses=ERRORS)
    async def list_threads(
        request: Request,
        who: Caller,
        customer: Annotated[
            str | None, Query(max_length=40, description="Staff only: one customer's.")
        ] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    ) -> list[ThreadSummary]:
        """The caller's threads, newest first (a staff key: every thread)."""
        if who.role == "customer":
            if customer is not None and customer != who.id:
                raise Forbidden("a customer key lists only its own threads")
            customer = who.id
        rows = await _sb(request).threads(customer_id=customer, limit=limit)
        return [ThreadSummary.model_validate(jsonable(r)) for r in rows]

    @app.post(
        "/threads/{thread_id}/messages",
        response_model=AskResultOut,
        tags=["threads"],
        description=STREAM_DOC,
        responses={
            **ERRORS,
            200: {
                "description": "The AskResult, or (streaming) server-sent events.",
                "content": {"text/event-stream": {"schema": {"type": "string"}}},
            },
        },
    )
    async def post_message(
        request: Request,
        thread_id: str,
        body: MessageIn,
        who: Caller,
        stream: Annotated[bool, Query(description="Stream server-sent events.")] = False,
    ) -> Any:
        """Send a message to a thread and run it."""
        thread_id = _thread_id(thread_id)
        _customer_only(who, "sending a message")
        sb = _sb(request)
        await _visible(sb, thread_id, who)
        if stream or "text/event-stream" in request.headers.get("accept", ""):
            return await _stream(request, who, thread_id, body.message)
        return _result(await sb.ask(body.message, customer_id=who.id, thread_id=thread_id))

    @app.post("/threads/{thread_id}/resume", response_model=AskResultOut, tags=["threads"], responses=ERRORS)
    async def resume_thread(request: Request, thread_id: str, who: Caller) -> AskResultOut:
        """Finish the thread's last turn where it stopped (a crash), and return it.

        Safe to repeat: nothing is done twice. Interrupts whose approval was decided, expired or is gone
        are resumed; a thread waiting for a pending approval stays paused (status "paused")."""
        thread_id = _thread_id(thread_id)
        sb = _sb(request)
        await _visible(sb, thread_id, who)
        return _result(await sb.recover(thread_id, who.id if who.role == "customer" else None))

    @app.get("/threads/{thread_id}", response_model=ThreadState, tags=["threads"], responses=ERRORS)
    async def thread_state(request: Request, thread_id: str, who: Caller) -> ThreadState:
        """The thread's current state: values, next nodes, pending interrupts."""
        thread_id = _thread_id(thread_id)
        sb = _sb(request)
        owner = await _visible(sb, thread_id, who)
        state = await sb.state(thread_id, owner or None)
        return ThreadState.model_validate(jsonable(state))

    @app.get(
        "/threads/{thread_id}/history", response_model=list[HistoryStep], tags=["threads"], responses=ERRORS
    )
    async def thread_history(request: Request, thread_id: str, who: Caller) -> list[HistoryStep]:
        """Every step of the thread, including the steps inside each domain subgraph, oldest first."""
        thread_id = _thread_id(thread_id)
        sb = _sb(request)
        owner = await _visible(sb, thread_id, who)
        return [HistoryStep.model_validate(jsonable(s)) for s in await sb.history(thread_id, owner or None)]

    @app.get(
        "/threads/{thread_id}/turns", response_model=list[TurnRecord], tags=["threads"], responses=ERRORS
    )
    async def thread_turns(request: Request, thread_id: str, who: Caller) -> list[TurnRecord]:
        """What each finished turn did (route, specialists, actions and who approved them, answer, usage),
        from the permanent turn records: still there after the thread's checkpoints were pruned."""
        thread_id = _thread_id(thread_id)
        sb = _sb(request)
        owner = await _visible(sb, thread_id, who)
        return [TurnRecord.model_validate(jsonable(t)) for t in await sb.turns(thread_id, owner or None)]

    @app.get("/approvals", response_model=list[Approval], tags=["approvals"], responses=ERRORS)
    async def list_approvals(request: Request, who: Caller) -> list[Approval]:
        """Pending approvals: every one for a staff key; a customer's own pending confirmations."""
        sb = _sb(request)
        if who.role == "staff":
            rows = await sb.pending_approvals()
        else:
            rows = [
                r for r in await sb.pending_approvals(customer_id=who.id) if r["required_role"] == "customer"
            ]
        return [Approval.model_validate(jsonable(r)) for r in rows]

    @app.post(
        "/threads/{thread_id}/approvals/{interrupt_id}",
        response_model=AskResultOut,
        tags=["approvals"],
        responses=ERRORS,
    )
    async def decide(
        request: Request, thread_id: str, interrupt_id: str, body: DecisionIn, who: Caller
    ) -> AskResultOut:
        """Approve, reject or edit a paused write action as the key's identity; the run then resumes.

        Roles are enforced: a staff approval needs a staff key; a customer confirmation needs that
        customer's key (staff may only reject it).
        """
        thread_id = _thread_id(thread_id)
        if not interrupt_id.strip() or len(interrupt_id) > 200 or not interrupt_id.isprintable():
            raise InputError("interrupt id must be 1-200 printable characters")
        sb = _sb(request)
        await _visible(sb, thread_id, who)
        result = await sb.decide(
            thread_id,
            actor=who,
            decision=body.decision,
            interrupt_id=interrupt_id,
            args=body.args,
            reason=body.reason,
        )
        return _result(result)
