"""Router decision point: which domains a request concerns (deterministic implementation)."""

from switchboard.agents.router.deterministic import route_deterministic
from switchboard.agents.router.entities import extract_entities

__all__ = ["extract_entities", "route_deterministic"]
