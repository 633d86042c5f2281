"""What a write action is: one catalogue entry with its typed arguments, policy rule, steps and notice.

- `args`: a pydantic model; the policy refuses anything it does not validate (missing, extra, wrong type).
- `rule`: decides from the arguments and the store's own rows, never from prose: `allowed` (runs at once),
  `confirm` (the customer confirms), `approve` (staff approve) or `refused`. Business rules live here.
- `steps`: the store changes the action consists of, each with its compensation where it has one; the
  executor (`tools/actions.py`) runs them once, in the ledger's transaction.
- `notice`: the customer notification the outbox worker sends once it is done (`no_notice` when none is due).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, Generic, Literal, TypeAlias, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

if TYPE_CHECKING:
    import psycopg
    from psycopg.rows import DictRow

    Conn: TypeAlias = psycopg.AsyncConnection[DictRow]
else:
    Conn = Any  # only annotations name it: psycopg loads with the first query, not with the routing
Verdict = Literal["allowed", "confirm", "approve", "refused"]
Role = Literal["customer", "staff"]


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("blank")
    return value


# Every argument a model may fill in is text: ids, amounts as decimal strings, reasons.
Text = Annotated[str, Field(strict=True, min_length=1, max_length=500), AfterValidator(_not_blank)]


class ActionArgs(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NoArgs(ActionArgs):
    """The action takes no arguments (it acts on the caller's own account)."""


@dataclass(frozen=True)
class PolicyDecision:
    verdict: Verdict
    reason: str
    description: str = ""  # what would happen, in words a person can act on

    @property
    def role(self) -> Role | None:
        return {"confirm": "customer", "approve": "staff"}.get(self.verdict)  # type: ignore[return-value]


def refused(reason: str) -> PolicyDecision:
    return PolicyDecision("refused", reason)


class StepFailed(Exception):
    """A step of a write action could not be done (the store refused it)."""


@dataclass
class Step:
    name: str
    do: Callable[[], Awaitable[dict[str, Any]]]
    undo: Callable[[dict[str, Any]], Awaitable[None]] | None = None


@dataclass(frozen=True)
class Notification:
    subject: str
    body: str


A = TypeVar("A", bound=ActionArgs)


@dataclass(frozen=True)
class WriteAction(Generic[A]):
    name: str
    args: type[A]
    rule: Callable[[Conn, str, A], Awaitable[PolicyDecision]]
    steps: Callable[[Conn, str, A], list[Step]]
    notice: Callable[[A, str, str], Notification | None]  # (arguments, outcome detail, customer's name)
    # A closed account refuses every write action but these: reaching a person stays open to everyone.
    open_to_closed_accounts: bool = False

    def parse(self, args: Mapping[str, Any]) -> A | str:
        """The validated arguments, or what is wrong with them in one line."""
        try:
            return self.args.model_validate(dict(args))
        except ValidationError as exc:
            return self._problem(exc)

    def _problem(self, exc: ValidationError) -> str:
        errors = exc.errors()
        missing = sorted(str(e["loc"][0]) for e in errors if e["type"] == "missing")
        extra = sorted(str(e["loc"][0]) for e in errors if e["type"] == "extra_forbidden")
        if missing:
            return f"{self.name} is missing {', '.join(missing)}"
        if extra:
            return f"{self.name} does not take {', '.join(extra)}"
        field = str(errors[0]["loc"][0]) if errors[0]["loc"] else "arguments"
        return f"{self.name}: {field} must be non-empty text of at most 500 characters"


# ---------------------------------------------------------------------------------- shared helpers

HELLO, BYE = "Hello {name},\n\n", "\n\nYour Switchboard customer care"
OPEN_ORDER = ("placed", "paid", "processing")


def letter(name: str, body: str) -> str:
    return HELLO.format(name=name) + body + BYE


def no_notice(args: ActionArgs, detail: str, name: str) -> Notification | None:
    """Declared by actions whose outcome the customer sees in the answer and needs no message about."""
    return None


async def one(conn: Conn, query: str, params: tuple[Any, ...]) -> dict[str, Any] | None:
    cur = await conn.execute(query, params)
    return await cur.fetchone()


async def rows(conn: Conn, query: str, params: tuple[Any, ...]) -> list[dict[str, Any]]:
    cur = await conn.execute(query, params)
    return list(await cur.fetchall())


async def store_today(conn: Conn) -> date:
    """The seeded store lives on its own calendar (its reference "now"); otherwise the wall clock."""
    row = await one(conn, "select reference_now from store.seed_info", ())
    return row["reference_now"].date() if row else date.today()


async def customer_order(conn: Conn, customer_id: str, order_id: str) -> dict[str, Any] | None:
    return await one(
        conn,
        "select id, status, total, placed_at from store.orders where id = %s and customer_id = %s",
        (order_id, customer_id),
    )
