"""SQL on the active test database, for tests that look at or change store rows directly."""

from __future__ import annotations

from typing import Any

from switchboard.config.database import connect


def sql(query: str, *params: Any) -> list[dict[str, Any]]:
    """The rows of one query (dicts), in a connection of its own."""
    with connect() as conn:
        return conn.execute(query, params).fetchall()  # type: ignore[return-value]
