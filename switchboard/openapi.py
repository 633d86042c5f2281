"""What the service's OpenAPI document says beyond its routes, so that it agrees with the service.

FastAPI documents each route's models; the rest is added here, in one place, when the document is
first generated:
- the constraints the service enforces with its own one-line errors (a message's length and that it is
  not blank, a thread id's and an interrupt id's form), so a schema-valid request is an acceptable one;
- the statuses that layers below the routes answer on every operation: 400 (a request the HTTP server
  or the body parser cannot read: plain text from the server, JSON from the app), 413 (a body over the
  limit), 503 (the database or a model did not answer in time);
- the server-sent event stream as events (`event` and a JSON `data`), not as one opaque string.

`tests/test_openapi.py` runs schemathesis against the live service with this document.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from switchboard.config.settings import Settings

# A message: not blank once control and invisible characters are dropped, no NUL (agents/intake.py).
MESSAGE_PATTERN = r"^[^\u0000]*[^\s\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028\u2029\ufeff][^\u0000]*$"
# A thread id in a path: 1-200 characters, no control character, not blank, no '/' (it would end the path).
THREAD_ID_PATTERN = r"^[^\u0000-\u001f\u007f/]*[^\s\u0000-\u001f\u007f/][^\u0000-\u001f\u007f/]*$"
MAX_THREAD_ID = 200
# Any text the service stores: no NUL (PostgreSQL cannot keep one).
NO_NUL = r"^[^\u0000]*$"
# An edit's arguments: one flat object of an action's argument values, as the action catalogue types them.
EDIT_ARGS: dict[str, Any] = {
    "anyOf": [
        {
            "type": "object",
            "propertyNames": {"pattern": NO_NUL},
            "additionalProperties": {
                "anyOf": [
                    {"type": "string", "pattern": NO_NUL},
                    {"type": "number"},
                    {"type": "boolean"},
                    {"type": "null"},
                ]
            },
        },
        {"type": "null"},
    ],
    "description": "For edit: the changed arguments (flat values).",
}
# An interrupt id as LangGraph makes them (hex); the service takes any 1-200 printable characters.
INTERRUPT_ID_PATTERN = r"^[0-9A-Za-z_.:-]+$"

_ERROR = {"$ref": "#/components/schemas/ErrorBody"}
_JSON_ERROR = {"application/json": {"schema": _ERROR}}
_PLAIN = {"text/plain": {"schema": {"type": "string"}}}

SERVICE_WIDE: dict[str, dict[str, Any]] = {
    "400": {
        "description": "The request cannot be read: an invalid header or request line (answered in plain text "
        "by the HTTP server) or a body that cannot be parsed.",
        "content": {**_JSON_ERROR, **_PLAIN},
    },
    "503": {
        "description": "The database or a model did not answer in time, or is down "
        "(DB_POOL_TIMEOUT, REQUEST_TIMEOUT, MODEL_FAILURE=error); try again shortly.",
        "content": _JSON_ERROR,
    },
}
TOO_LARGE = {
    "description": "The body is over the limit; refused while it is read, chunked or not, before the key is checked.",
    "content": {**_JSON_ERROR, **_PLAIN},
}


def _data(schema: dict[str, Any]) -> dict[str, Any]:
    return {"type": "string", "contentMediaType": "application/json", "contentSchema": schema}


def _event(name: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"properties": {"event": {"const": name}, "data": _data(data)}}


def _object(**properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(properties)}


_TEXT: dict[str, Any] = {"type": "string"}
_ANY: dict[str, Any] = {}

SSE_EVENT: dict[str, Any] = {
    "title": "ServerSentEvent",
    "description": "One event of the stream: `event` names it, `data` is one JSON object (see the operation).",
    "type": "object",
    "required": ["event", "data"],
    "properties": {
        "event": {"type": "string", "enum": ["start", "route", "update", "interrupt", "result", "error"]},
        "data": {"type": "string", "contentMediaType": "application/json"},
        "id": {"type": "string"},
    },
    "oneOf": [
        _event("start", _object(thread_id=_TEXT, customer_id=_TEXT)),
        _event("route", _object(domains={"type": "array", "items": _TEXT}, route={"type": "object"})),
        _event("update", _object(namespace=_TEXT, domain=_TEXT, node=_TEXT, update=_ANY)),
        _event("interrupt", _object(id=_TEXT, value=_ANY, namespace=_TEXT, domain=_TEXT)),
        _event("result", {"$ref": "#/components/schemas/AskResultOut"}),
        _event("error", _object(error=_TEXT, status={"type": "integer"})),
    ],
}

_PARAMETERS = {
    "thread_id": {"minLength": 1, "maxLength": MAX_THREAD_ID, "pattern": THREAD_ID_PATTERN},
    "interrupt_id": {"minLength": 1, "maxLength": 200, "pattern": INTERRUPT_ID_PATTERN},
}


def declare(document: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """Add the service's own constraints, service-wide statuses and the event stream to `document`."""
    message = document["components"]["schemas"]["MessageIn"]["properties"]["message"]
    message.update(minLength=1, maxLength=settings.max_request_chars, pattern=MESSAGE_PATTERN)
    decision = document["components"]["schemas"]["DecisionIn"]["properties"]
    decision["args"] = EDIT_ARGS
    for choice in decision["reason"].get("anyOf", [decision["reason"]]):
        if choice.get("type") == "string":
            choice["pattern"] = NO_NUL
    for operations in document["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "path" and parameter["name"] in _PARAMETERS:
                    parameter["schema"].update(_PARAMETERS[parameter["name"]])
            responses = operation.setdefault("responses", {})
            for status, response in SERVICE_WIDE.items():
                responses.setdefault(status, response)
            if "requestBody" in operation:
                responses.setdefault("413", TOO_LARGE)
            stream = responses.get("200", {}).get("content", {}).get("text/event-stream")
            if stream is not None:
                stream["schema"] = SSE_EVENT
    return document


def install(app: FastAPI, settings: Callable[[], Settings]) -> None:
    """Generate the document with `declare` applied (once, like FastAPI's own cache)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = declare(generate(), settings())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
