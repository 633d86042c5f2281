"""Settings, the database connection factory and the checkpointer factories."""

from config.database import DatabaseTarget, database_target
from config.errors import ConfigurationError, SwitchboardError
from config.settings import Settings, get_settings

__all__ = [
    "ConfigurationError",
    "DatabaseTarget",
    "Settings",
    "SwitchboardError",
    "database_target",
    "get_settings",
]
