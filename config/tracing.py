"""LangSmith tracing from the settings.

LangChain's tracer reads `os.environ`; settings may come from `.env`, which pydantic-settings does not
export. This puts the tracing settings where the tracer looks, once, at start-up.
"""

from __future__ import annotations

import os

from switchboard.config.settings import Settings, get_settings


def configure_tracing(settings: Settings | None = None) -> bool:
    """Export the LangSmith settings to the environment; True when tracing is on."""
    settings = settings or get_settings()
    if not settings.langsmith_tracing:
        return False
    os.environ["LANGSMITH_TRACING"] = "true"
    os.environ.setdefault("LANGSMITH_PROJECT", settings.langsmith_project)
    if settings.langsmith_api_key is not None:
        os.environ.setdefault("LANGSMITH_API_KEY", settings.langsmith_api_key.get_secret_value())
    return True
