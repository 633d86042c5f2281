"""Settings, the database connection factory and the checkpointer factories."""

from switchboard.config.database import DatabaseTarget, database_target
from switchboard.config.errors import ConfigurationError, SwitchboardError
from switchboard.config.settings import Settings, get_settings

__all__ = [
    "ConfigurationError",
    "DatabaseTarget",
    "Settings",
    "SwitchboardError",
    "database_target",
    "get_settings",
]
