"""The baselines Switchboard is measured against, built from off-the-shelf LangGraph parts.

- `build_supervisor_hierarchy`: a two-level langgraph-supervisor hierarchy. A top supervisor over two
  team supervisors (orders & shipping; billing), each team supervisor over two `create_react_agent`
  agents. This is the textbook "hierarchical agent teams" shape.
- `build_flat_agent`: one `create_react_agent` with every tool.

The tools do the same store lookups as Switchboard's specialists (`tools/store/queries.py` through
the same async store pool), bound to the customer given in the run's configurable
(`customer_id`), never chosen by the model. Both graphs compile on whatever checkpointer the caller
passes: the benchmark passes Switchboard's own `AsyncPostgresSaver`.
"""

from __future__ import annotations

import json
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.runnables import RunnableConfig
from langchain_core.tools import StructuredTool
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.prebuilt import create_react_agent
from langgraph_supervisor import create_supervisor

from switchboard.agents.specialists import toolkit
from switchboard.agents.specialists.base import StoreTool
from switchboard.tools.db import store_connection

ORDER_TOOLS = (toolkit.list_orders, toolkit.get_order)
SHIPPING_TOOLS = (toolkit.get_shipments, toolkit.find_shipment, toolkit.delivery_options)
PAYMENT_TOOLS = (toolkit.find_duplicates, toolkit.list_payments, toolkit.list_payment_methods)
REFUND_TOOLS = (toolkit.list_refunds, toolkit.list_invoices, toolkit.find_duplicates)


CALLED: list[str] = []  # names of the store tools the baselines called (reset by the benchmark per request)


def store_tool(tool: StoreTool) -> StructuredTool:
    """A LangChain tool over one store query, bound to the run's customer (configurable.customer_id)."""

    async def call(config: RunnableConfig, **kwargs: Any) -> str:
        customer_id = str(config.get("configurable", {}).get("customer_id") or "")
        args = tool.args_schema(**kwargs).model_dump()
        CALLED.append(tool.name)
        async with store_connection() as conn:
            result = await tool.fn(conn, customer_id, **args)
        return json.dumps(result, default=str)[:6000]  # the same cap as Switchboard's LLM specialists

    return StructuredTool.from_function(
        coroutine=call, name=tool.name, description=tool.description, args_schema=tool.args_schema
    )


def _tools(*groups: tuple[StoreTool, ...]) -> list[StructuredTool]:
    seen: dict[str, StructuredTool] = {}
    for group in groups:
        for tool in group:
            seen.setdefault(tool.name, store_tool(tool))
    return list(seen.values())


def _agent(model: BaseChatModel, name: str, tools: tuple[StoreTool, ...], job: str) -> Any:
    return create_react_agent(
        model,
        _tools(tools),
        name=name,
        prompt=f"You are the {name.replace('_', ' ')} of an online store's customer support: {job}. "
        "Use your tools to look up the customer's data, then answer briefly.",
    )


def build_supervisor_hierarchy(model: BaseChatModel, checkpointer: BaseCheckpointSaver[Any] | None) -> Any:
    """Top supervisor -> {orders_team, billing_team} -> two ReAct agents each (langgraph-supervisor)."""
    orders_team = create_supervisor(
        [
            _agent(model, "order_agent", ORDER_TOOLS, "order status and order history"),
            _agent(model, "shipping_agent", SHIPPING_TOOLS, "parcel tracking and delivery options"),
        ],
        model=model,
        supervisor_name="orders_supervisor",
        prompt="You manage the orders and shipping team. Hand the request to the right agent; when the "
        "agents have answered, reply with their findings.",
    ).compile(name="orders_team")
    billing_team = create_supervisor(
        [
            _agent(model, "payments_agent", PAYMENT_TOOLS, "payments, charges and duplicate charges"),
            _agent(model, "refunds_agent", REFUND_TOOLS, "refunds and invoices"),
        ],
        model=model,
        supervisor_name="billing_supervisor",
        prompt="You manage the billing team. Hand the request to the right agent; when the agents have "
        "answered, reply with their findings.",
    ).compile(name="billing_team")
    top = create_supervisor(
        [orders_team, billing_team],
        model=model,
        supervisor_name="top_supervisor",
        prompt="You run customer support. Hand each part of the request to the team that handles it "
        "(orders_team: orders and shipping; billing_team: payments, charges, refunds, invoices); when "
        "every part is answered, reply to the customer.",
    )
    return top.compile(checkpointer=checkpointer, name="langgraph_supervisor")


def build_flat_agent(model: BaseChatModel, checkpointer: BaseCheckpointSaver[Any] | None) -> Any:
    """One ReAct agent with every tool."""
    return create_react_agent(
        model,
        _tools(ORDER_TOOLS, SHIPPING_TOOLS, PAYMENT_TOOLS, REFUND_TOOLS),
        name="flat_agent",
        prompt="You are an online store's customer support agent. Use your tools to look up the "
        "customer's data, then answer briefly.",
        checkpointer=checkpointer,
    )
