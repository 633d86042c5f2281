"""The account domain subgraph: a supervisor over the account specialists (see graphs/domain.py for the shape)."""

from __future__ import annotations

from langgraph.graph.state import CompiledStateGraph

from switchboard.agents.context import Context
from switchboard.agents.specialists.account import SPECIALISTS
from switchboard.graphs.domain import build_domain_graph
from switchboard.graphs.state import DomainInput, DomainOutput, DomainState


def build_account_graph() -> CompiledStateGraph[DomainState, Context, DomainInput, DomainOutput]:
    return build_domain_graph("account", SPECIALISTS)
