"""Errors a user can act on. Each message is one line that names what was wrong.

The CLI prints them as one line on stderr (exit code 2), the HTTP service maps them to 4xx.
"""

from __future__ import annotations


class SwitchboardError(ValueError):
    """Base of every error meant for a person rather than a traceback.

    A ValueError so that the LangGraph server passes its message to the client: `langgraph_api.serde`
    shows the message of builtin error types only, and "An internal error occurred" for the rest.
    """

    http_status = 400


class ConfigurationError(SwitchboardError):
    """A setting is wrong or a configured service cannot be reached."""

    http_status = 503


class Unavailable(SwitchboardError):
    """Something the request needs (the database, a model) did not answer in time; try again shortly."""

    http_status = 503


class ModelUnavailable(Unavailable):
    """A model failed at a decision point and MODEL_FAILURE=error forbids the deterministic fallback."""


class InputError(SwitchboardError):
    """A request, argument or body is malformed (empty, too large, wrong type)."""

    http_status = 422


class NotFound(SwitchboardError):
    """An id (thread, customer, order, interrupt, approval) does not exist for this caller."""

    http_status = 404


class Forbidden(SwitchboardError):
    """The caller's identity or role may not do this."""

    http_status = 403


class Conflict(SwitchboardError):
    """The thing is busy or in the wrong state (a thread already running, an approval already used)."""

    http_status = 409
