"""A thread's history as LangGraph reports it, with the steps inside each domain subgraph, oldest first.

Read through the checkpointer's and the graph's own API (`alist`, `aget_state_history`), never SQL on
LangGraph's tables. Each row is one checkpoint: its id and its parent's (a fork is a second child of the
same parent), `next` exactly as `get_state_history` says (`__start__` for an input checkpoint), and what
the step that made it wrote: the nodes that ran from the parent checkpoint and the state channels they
wrote. LangGraph's internal channels (`__pregel_tasks`, `branch:to:...`, `__interrupt__`) are left out.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver, CheckpointTuple
from langgraph.types import Overwrite, StateSnapshot

from switchboard.graphs.state import DomainState, RouterState

# What a step lists as written: the state's own channels (not LangGraph's internal ones).
STATE_CHANNELS = frozenset(RouterState.__annotations__) | frozenset(DomainState.__annotations__)


def _items(value: Any) -> list[Any]:
    """A list channel's write as a list (intake's reset is an `Overwrite`)."""
    value = value.value if isinstance(value, Overwrite) else value
    return list(value) if isinstance(value, (list, tuple)) else []


def _plain(value: Any) -> Any:
    return value.model_dump(mode="json") if hasattr(value, "model_dump") else value


def _ids(item: CheckpointTuple) -> tuple[str, str, str | None]:
    ns = str(item.config["configurable"].get("checkpoint_ns", ""))
    parent = (item.parent_config or {}).get("configurable", {}).get("checkpoint_id")
    return ns, str(item.config["configurable"]["checkpoint_id"]), parent


async def thread_history(
    graph: Any, checkpointer: BaseCheckpointSaver[Any], thread_id: str
) -> list[dict[str, Any]]:
    tuples = [t async for t in checkpointer.alist({"configurable": {"thread_id": thread_id}})]
    snapshots: dict[tuple[str, str], StateSnapshot] = {}
    for ns in sorted({_ids(t)[0] for t in tuples}):
        config = {"configurable": {"thread_id": thread_id, "checkpoint_ns": ns}}
        async for snapshot in graph.aget_state_history(config):
            snapshots[(ns, str(snapshot.config["configurable"]["checkpoint_id"]))] = snapshot
    by_id = {(_ids(t)[0], _ids(t)[1]): t for t in tuples}
    children: dict[tuple[str, str], list[str]] = defaultdict(list)
    for t in sorted(tuples, key=lambda t: _ids(t)[1]):  # checkpoint ids sort in creation order
        ns, checkpoint_id, parent = _ids(t)
        if parent:
            children[(ns, parent)].append(checkpoint_id)
    steps = []
    for t in tuples:
        ns, checkpoint_id, parent = _ids(t)
        made_by = by_id.get((ns, parent)) if parent else None
        writes = [w for w in (made_by.pending_writes or []) if w[1] in STATE_CHANNELS] if made_by else []
        parent_tasks = snapshots[(ns, parent)].tasks if parent and (ns, parent) in snapshots else ()
        names = {task.id: task.name for task in parent_tasks}
        snapshot = snapshots.get((ns, checkpoint_id))
        siblings = children.get((ns, parent), []) if parent else []
        written = sorted({channel for _, channel, _ in writes})
        if t.metadata.get("source") == "input":  # an input checkpoint holds what the caller sent
            sent = t.checkpoint["channel_values"].get("__start__")
            written = sorted(sent) if isinstance(sent, dict) else written
        steps.append(
            {
                "ts": t.checkpoint["ts"],
                "namespace": ns.split(":")[0] if ns else "router",
                "checkpoint_ns": ns,
                "checkpoint_id": checkpoint_id,
                "parent_checkpoint_id": parent,
                "fork": len(siblings) > 1 and siblings[0] != checkpoint_id,
                "step": t.metadata.get("step"),
                "source": t.metadata.get("source"),
                "next": list(snapshot.next) if snapshot is not None else [],
                "nodes": sorted({names.get(task_id, task_id) for task_id, _, _ in writes}),
                "writes": written,
                # the Fallback records that step wrote (decision points whose model failed)
                "fallbacks": [
                    _plain(f) for _, channel, value in writes if channel == "fallbacks" for f in _items(value)
                ],
            }
        )
    steps.sort(key=lambda s: (s["ts"], s["checkpoint_ns"]))
    return steps
