"""A local OpenAI-compatible server for tests: the real `langchain-openai` client, over real HTTP.

    with OpenAIStub() as stub:
        stub.script("You route customer messages", stub_tool_call("RouteChoice", {...}))
        os.environ["OPENAI_BASE_URL"] = stub.base_url   # then decider 'openai:stub-model'

`POST /v1/chat/completions` answers from scripted queues: a queue is chosen by a substring of the
request's system message (parallel decision points each get their own queue), else the default queue.
Every request body is recorded. A request with `"stream": true` is answered as OpenAI streams (server-sent
events of `chat.completion.chunk`s, then `[DONE]`): a text reply word by word (`stub.chunks_sent` counts
the content chunks), a tool call in one chunk, and the usage last when `stream_options.include_usage`.
A request nothing is scripted for gets a 400 (the client does not retry a 400), naming the system
prompt it came with, so a test fails fast and clearly.
With `stub.stalled = True` a request is read and never answered (a model that hangs mid-request).

`HungEndpoint` is lower still: a socket that accepts connections and never reads or answers them.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

_ids = itertools.count(1)
_WORDS = re.compile(r"\S+\s*|\s+")
USAGE = {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}


def stub_tool_call(name: str, args: dict[str, Any]) -> dict[str, Any]:
    """An assistant message calling one function (a tool, or a structured-output schema)."""
    return stub_tool_calls([(name, args)])


def stub_tool_calls(calls: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    return {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": f"call_{next(_ids)}",
                "type": "function",
                "function": {"name": n, "arguments": json.dumps(a)},
            }
            for n, a in calls
        ],
    }


def stub_text(content: str) -> dict[str, Any]:
    """An assistant message without tool calls."""
    return {"role": "assistant", "content": content}


def _system_text(body: dict[str, Any]) -> str:
    for message in body.get("messages", []):
        if message.get("role") in ("system", "developer"):
            content = message.get("content")
            if isinstance(content, list):
                return " ".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
            return str(content or "")
    return ""


class OpenAIStub:
    """The stub server, running uvicorn in a background thread on a free local port."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.default: list[dict[str, Any]] = []
        self.queues: dict[str, list[dict[str, Any]]] = {}
        self._lock = threading.Lock()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0
        self.stalled = False
        self.chunks_sent = 0
        self._release = threading.Event()
        self.app = self._build_app()

    # ------------------------------------------------------------ scripting

    def script(self, prompt_substring: str | None, *replies: dict[str, Any]) -> None:
        """Queue replies for requests whose system message contains `prompt_substring` (None: default)."""
        with self._lock:
            if prompt_substring is None:
                self.default.extend(replies)
            else:
                self.queues.setdefault(prompt_substring, []).extend(replies)

    def remaining(self) -> dict[str, int]:
        with self._lock:
            left = {k: len(v) for k, v in self.queues.items() if v}
            if self.default:
                left[""] = len(self.default)
            return left

    def requests_for(self, prompt_substring: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if prompt_substring in _system_text(r)]

    @staticmethod
    def tool_names(body: dict[str, Any]) -> list[str]:
        return [t["function"]["name"] for t in body.get("tools") or []]

    # ------------------------------------------------------------ server

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def _next_reply(self, body: dict[str, Any]) -> dict[str, Any] | None:
        system = _system_text(body)
        with self._lock:
            self.requests.append(body)
            key = next((k for k in self.queues if k in system), None)
            queue = self.queues[key] if key is not None else self.default
            return queue.pop(0) if queue else None

    def _build_app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/v1/chat/completions")
        async def completions(request: Request) -> Response:
            body = await request.json()
            if self.stalled:
                with self._lock:
                    self.requests.append(body)
                await asyncio.to_thread(self._release.wait)  # never answers (until the stub stops)
            reply = self._next_reply(body)
            if reply is None:
                message = f"nothing scripted for a request with system prompt {_system_text(body)[:120]!r}"
                return JSONResponse({"error": {"message": message, "type": "invalid_request_error"}}, 400)
            finish = "tool_calls" if reply.get("tool_calls") else "stop"
            if body.get("stream"):
                return StreamingResponse(self._events(body, reply, finish), media_type="text/event-stream")
            return JSONResponse(
                {
                    "id": f"chatcmpl-{next(_ids)}",
                    "object": "chat.completion",
                    "created": int(time.time()),
                    "model": body.get("model", "stub-model"),
                    "choices": [{"index": 0, "message": reply, "finish_reason": finish, "logprobs": None}],
                    "usage": USAGE,
                }
            )

        return app

    def _events(self, body: dict[str, Any], reply: dict[str, Any], finish: str) -> Iterator[str]:
        """The reply as OpenAI streams it: one server-sent event per chunk."""
        head = {
            "id": f"chatcmpl-{next(_ids)}",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": body.get("model", "stub-model"),
        }

        def event(choices: list[dict[str, Any]], **extra: Any) -> str:
            return f"data: {json.dumps({**head, 'choices': choices, **extra})}\n\n"

        def delta(part: dict[str, Any], finish_reason: str | None = None) -> str:
            return event([{"index": 0, "delta": part, "finish_reason": finish_reason, "logprobs": None}])

        yield delta({"role": "assistant", "content": ""})
        for word in _WORDS.findall(str(reply.get("content") or "")):
            with self._lock:
                self.chunks_sent += 1
            yield delta({"content": word})
        if reply.get("tool_calls"):
            yield delta({"tool_calls": [{"index": i, **call} for i, call in enumerate(reply["tool_calls"])]})
        yield delta({}, finish)
        if (body.get("stream_options") or {}).get("include_usage"):
            yield event([], usage=USAGE)
        yield "data: [DONE]\n\n"

    def start(self) -> OpenAIStub:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(self.app, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the OpenAI stub server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._release.set()
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)

    def __enter__(self) -> OpenAIStub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class HungEndpoint:
    """An OpenAI-compatible base URL whose server accepts every connection and never answers."""

    def __init__(self) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self._sock.settimeout(0.1)
        self.port = int(self._sock.getsockname()[1])
        self.connections: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def accepted(self) -> int:
        return len(self.connections)

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections.append(conn)  # held open, never read, never answered

    def __enter__(self) -> HungEndpoint:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for conn in [*self.connections, self._sock]:
            conn.close()


@contextmanager
def running_stub() -> Iterator[OpenAIStub]:
    with OpenAIStub() as stub:
        yield stub
