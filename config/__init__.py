"""Settings, the database connection factory and the checkpointer factories.

The names below are loaded on first use: importing `switchboard.config.errors` (every CLI command does)
must not pull in psycopg and pydantic-settings, which cost most of a command's start-up.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from switchboard.config.database import DatabaseTarget, database_target
    from switchboard.config.errors import ConfigurationError, SwitchboardError
    from switchboard.config.settings import Settings, get_settings

_WHERE = {
    "ConfigurationError": "errors",
    "SwitchboardError": "errors",
    "DatabaseTarget": "database",
    "database_target": "database",
    "Settings": "settings",
    "get_settings": "settings",
}

__all__ = [
    "ConfigurationError",
    "DatabaseTarget",
    "Settings",
    "SwitchboardError",
    "database_target",
    "get_settings",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
