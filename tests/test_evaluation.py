"""`switchboard eval`: the scoring rules, the sets' shape, a run on the stub model, and the held-out gates.

The gates run the frozen blind sets' ``test`` split (never tuned on) through the real graph on a
scratch database and fail below floors set from the figures measured before any tuning.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from switchboard.agents.evaluation import DEFAULT_E2E, DEFAULT_ROUTING, evaluate, split_of
from switchboard.agents.evaluation.cases import Expect, RoutingCase, load_e2e, load_routing
from switchboard.agents.evaluation.report import print_tables
from switchboard.agents.evaluation.scoring import live_actions, route_correct, score_turn
from switchboard.config.errors import InputError
from tests.cli import ok_json, one_error_line, run_switchboard
from tests.openai_stub import OpenAIStub, stub_tool_call

# ------------------------------------------------------------------ the frozen sets


def test_the_frozen_sets_load_and_their_split_is_the_hash_rule() -> None:
    routing, e2e = load_routing(DEFAULT_ROUTING), load_e2e(DEFAULT_E2E)
    assert len(routing) >= 240 and len(e2e) >= 150
    for case in [*routing, *e2e]:
        assert case.split == split_of(case.id)
    # both splits are substantial: the held-out half is a real figure
    for cases in (routing, e2e):
        test = sum(c.split == "test" for c in cases)
        assert 0.35 < test / len(cases) < 0.65


def test_split_of_is_sha1_parity() -> None:
    import hashlib

    for case_id in ("rb-0001", "e2e-001", "x"):
        even = int(hashlib.sha1(case_id.encode()).hexdigest()[-1], 16) % 2 == 0
        assert split_of(case_id) == ("test" if even else "dev")


# ------------------------------------------------------------------ scoring rules


def case(kind: str, domains: list[str] | None = None) -> RoutingCase:
    return RoutingCase.model_validate({"id": "c", "text": "t", "domains": domains or [], "kind": kind})


@pytest.mark.parametrize(
    ("kind", "gold", "domains", "route", "ok"),
    [
        ("single", ["orders"], ["orders"], {}, True),
        ("single", ["orders"], ["orders", "billing"], {}, False),
        ("multi", ["billing", "shipping"], ["shipping", "billing"], {}, True),
        ("multi", ["billing", "shipping"], ["shipping"], {}, False),
        ("out_of_scope", [], [], {"out_of_scope": True}, True),
        ("out_of_scope", [], [], {"needs_clarification": True}, False),
        ("out_of_scope", [], ["care"], {}, False),
        ("clarify", [], [], {"needs_clarification": True}, True),
        ("clarify", [], [], {"out_of_scope": True}, False),
        # no greeting notion in the decision: the out-of-scope apology is not a greeting
        ("greeting", [], [], {"out_of_scope": True}, False),
        ("greeting", [], [], {"out_of_scope": False, "needs_clarification": False}, True),
        # once the decision flags greetings, the flag is required
        ("greeting", [], [], {"greeting": True, "out_of_scope": True}, True),
        ("greeting", [], [], {"greeting": False}, False),
        ("greeting", [], [], {"kind": "greeting"}, True),
        ("greeting", [], ["care"], {"greeting": True}, False),
    ],
)
def test_routing_is_scored_by_exact_set_and_kind(
    kind: str, gold: list[str], domains: list[str], route: dict[str, Any], ok: bool
) -> None:
    assert route_correct(case(kind, gold), domains, route) is ok


def expect(**fields: Any) -> Expect:
    return Expect.model_validate({"domains": ["shipping"], **fields})


def test_a_turn_is_scored_on_routing_facts_forbidden_claims_and_actions() -> None:
    e = expect(must_mention=[["late", "delayed"], ["ORD-102656"]], must_not_mention=["delivered"])
    answer = "Order ord-102656 is\n  DELAYED at the sorting centre."
    good = score_turn(e, ["shipping"], answer, [])
    assert [good[k] for k in ("routing", "facts", "forbidden", "action")] == [True] * 4
    bad = score_turn(e, ["shipping", "orders"], "Order ORD-102656 was delivered.", ["open_lost_parcel_claim"])
    assert not bad["routing"] and bad["missing"] == [["late", "delayed"]]
    assert bad["forbidden_said"] == ["delivered"] and not bad["action"]  # null: no write action at all


def test_actions_count_when_pending_or_done_only() -> None:
    path = [
        {
            "actions": [
                {"action": "issue_refund", "status": "pending"},
                {"action": "cancel_order", "status": "refused"},
            ]
        },
        {"actions": [{"action": "escalate_to_human", "status": "done"}]},
    ]
    live = live_actions(path)
    assert live == ["issue_refund", "escalate_to_human"]
    proposed = expect(action={"name": "issue_refund", "outcome": "proposed"})
    not_done = expect(action={"name": "cancel_order", "outcome": "not_done"})
    refused_refund = expect(action={"name": "issue_refund", "outcome": "not_done"})
    assert score_turn(proposed, ["shipping"], "", live)["action"]
    assert score_turn(not_done, ["shipping"], "", live)["action"]  # refused is not done
    assert not score_turn(refused_refund, ["shipping"], "", live)["action"]


def test_a_malformed_set_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    good = {"id": "a", "text": "hi", "domains": [], "kind": "greeting"}
    path.write_text(json.dumps(good) + "\n" + json.dumps({**good, "id": "b", "domains": ["ordrs"]}) + "\n")
    with pytest.raises(InputError, match=r"r.jsonl:2: domains.0"):
        load_routing(path)
    path.write_text(json.dumps(good) + "\n" + json.dumps(good) + "\n")
    with pytest.raises(InputError, match="id 'a' repeats"):
        load_routing(path)


def test_cli_refuses_bad_options_in_one_line(tmp_path: Path) -> None:
    assert "--split" in one_error_line(run_switchboard(["eval", "--split", "train"], tmp_path))
    line = one_error_line(run_switchboard(["eval", "--cases", str(tmp_path / "one.jsonl")], tmp_path))
    assert "give 2 file(s)" in line
    missing = run_switchboard(["eval", "--set", "routing", "--cases", str(tmp_path / "none.jsonl")], tmp_path)
    assert "no such file" in one_error_line(missing)
    nonsense = run_switchboard(["eval", "--set", "routing", "--route-decider", "nonsense"], tmp_path)
    assert "decider 'nonsense'" in one_error_line(nonsense)


# ------------------------------------------------------------------ a whole run, with a model over HTTP


def _databases() -> set[str]:
    from switchboard.config.database import connect

    with connect() as conn:
        return {r["datname"] for r in conn.execute("select datname from pg_database").fetchall()}


def test_eval_runs_end_to_end_with_a_model_decider_on_a_scratch_database(
    seeded: str, scenarios: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    """The route decider is the real ChatOpenAI client talking to the stub: its answers are what is
    scored (it routes a billing request to shipping, so that case fails), and the user's store and
    server are left as they were."""
    from switchboard.config.database import connect
    from switchboard.tools.store.testing import table_digests

    late = scenarios["late_parcel"]
    routing = [
        {"id": "r1", "text": "where is my parcel?", "domains": ["shipping"], "kind": "single", "lang": "en"},
        {"id": "r2", "text": "send me my invoice", "domains": ["billing"], "kind": "single", "lang": "en"},
    ]
    e2e = [
        {
            "id": "e1",
            "customer": "late_parcel",
            "kind": "single",
            "lang": "en",
            "turns": [
                {
                    "text": "where is my parcel?",
                    "expect": {
                        "domains": ["shipping"],
                        "must_mention": [[str(late["tracking_number"])]],
                        "must_not_mention": ["has been delivered"],
                        "action": None,
                    },
                }
            ],
        }
    ]
    (tmp_path / "r.jsonl").write_text("".join(json.dumps(c) + "\n" for c in routing))
    (tmp_path / "e.jsonl").write_text("".join(json.dumps(c) + "\n" for c in e2e))
    with connect() as conn:
        before = table_digests(conn)
    databases = _databases()

    with OpenAIStub() as stub:
        shipping = stub_tool_call(
            "RouteChoice", {"domains": [{"domain": "shipping", "request": "the parcel"}], "confidence": 0.9}
        )
        stub.script("You route customer messages", shipping, shipping, shipping)
        env = {k: os.environ[k] for k in ("DATABASE_URL", "DATA_DIR") if k in os.environ}
        env |= {"OPENAI_BASE_URL": stub.base_url}
        args = ["eval", "--json", "--cases", str(tmp_path / "r.jsonl"), "--cases", str(tmp_path / "e.jsonl")]
        result = ok_json(run_switchboard([*args, "--route-decider", "openai:stub-model"], tmp_path, env=env))
        assert stub.remaining() == {} and len(stub.requests_for("You route customer messages")) == 3

    assert result["deciders"]["route"] == "openai:stub-model"
    assert result["deciders"]["specialist"] == "deterministic"
    assert result["routing"]["overall"] == {"cases": 2, "correct": 1, "accuracy": 0.5}
    assert [e["id"] for e in result["routing"]["errors"]] == ["r2"]
    overall = result["e2e"]["overall"]
    assert overall["cases"] == 1 and overall["turns"] == 1 and overall["routing"] == 1.0
    assert set(result["e2e"]["by_split"]) == {split_of("e1")}
    with connect() as conn:
        assert table_digests(conn) == before  # the user's store was not touched
    assert _databases() == databases  # the scratch database is gone

    # the same figures, as tables for a person on an 80-column terminal
    console = Console(width=80, record=True)
    print_tables(result, console, errors=5)
    text = console.export_text()
    assert "Routing: exact set of domains" in text and "End to end" in text and "r2 [single, en]" in text
    assert max(len(line) for line in text.splitlines()) <= 80


# ------------------------------------------------------------------ gates on the held-out split

# Floors on the blind sets' held-out (test) split, set at measured figures minus about two points
# (README "How well it routes and answers"). Routing: after the second round of router work of issue 11
# (2026-12-01 11:51 UTC: overall 0.907, single 0.952, multi 0.872, out of scope 0.846, greeting 0.909
# of 11 cases, clarify 1.000 of 13 cases, where one case is 8 points, so those two floors sit one case
# lower). End to end: 0.500 before any tuning; 0.750 after the specialists' work of issue 11 (2026-12-01
# 11:45 UTC, `switchboard eval --set e2e --split test`); 0.795 after the third and fourth rounds (2026-12-01
# 14:27 UTC), so the floor is 0.77. A change that lowers a figure below its floor fails the suite.
ROUTING_FLOORS = {
    "overall": 0.88,
    "single": 0.93,
    "multi": 0.85,
    "out_of_scope": 0.82,
    "greeting": 0.81,
    "clarify": 0.92,
}
E2E_FULLY_CORRECT_FLOOR = 0.77


@pytest.mark.slow  # about 20 s alone, a minute on a busy machine: the whole held-out split, end to end
def test_held_out_figures_stay_above_their_floors(db: str) -> None:
    result = evaluate(split="test")
    routing, e2e = result["routing"], result["e2e"]
    figures = {"overall": routing["overall"]["accuracy"]} | {
        kind: routing["by_kind"][kind]["accuracy"] for kind in ROUTING_FLOORS if kind != "overall"
    }
    low = {k: v for k, v in figures.items() if v < ROUTING_FLOORS[k]}
    assert not low, f"routing below its floors {ROUTING_FLOORS}: {low}"
    full = e2e["overall"]["fully_correct"]
    assert full >= E2E_FULLY_CORRECT_FLOOR, f"end to end fully correct {full} < {E2E_FULLY_CORRECT_FLOOR}"


# The later blind batches (tests/data/eval/batch2/, batch3/, batch4/), held-out halves, each written by a
# session that read only docs/DESIGN.md and the scenario customers' rows. Measured 2026-12-01 after the
# third and fourth rounds of issue 11 (tuned on the dev halves only): batch 2 routing 0.976 of 84, end to
# end 0.833 of 30; batch 3 0.910 of 67 and 0.812 of 32 (blind, before tuning: 0.910 and 0.750); batch 4
# 0.974 of 77 and 0.694 of 36 (blind: the same). After the general fixes of 2026-12-01 17:20 UTC (the
# lost-parcel claim confirmed, "where is my stuff", what was done to an order describing it, "if I wanted
# to", two orders in one question) end to end is 0.867, 0.844 and 0.778 (routing unchanged; set 1's
# held-out end to end 0.784). Batches 5 and 6 (written the same way, frozen before any run) measured
# 2026-12-01 17:47 UTC after session 5's fixes: batch 5 routing 0.959 of 73, end to end 0.806 of 36
# (blind 0.959 and 0.778); batch 6 0.911 of 79 and 0.651 of 43 (blind 0.911 and 0.628); batches 3 and 4
# end to end 0.875 and 0.806; set 1 0.795. Batches 7-10 (the same way) measured 2026-12-01 20:19 UTC
# after session 6's fixes: batch 7 routing 0.952 of 83, end to end 0.905 of 42 (blind the same); batch 8
# 0.938 of 64 and 0.846 of 39 (blind 0.938 and 0.821); batch 9 0.928 of 69 and 0.861 of 43 (blind the
# same); batch 10 0.972 of 72 and 0.757 of 37 (blind 0.972 and 0.730); batch 4 then 0.833, batch 6 0.924
# and 0.721. Batches 11 (mobile chat) and 12 (e-mails) at 20:45 UTC: batch 11 routing 0.986 of 69, end to
# end 0.854 of 48 (blind the same); batch 12 0.714 of 70 and 0.649 of 37 (blind 0.629 and 0.541); batch 13
# (e-mails, web forms, chat) at 21:10 UTC 0.909 of 66 and 0.889 of 36 (blind 0.894 and 0.861). The floors
# sit about two cases lower.
BATCHES = Path(DEFAULT_ROUTING).parent
BATCH_FLOORS = {
    "batch2": (0.95, 0.80),
    "batch3": (0.91, 0.81),
    "batch4": (0.94, 0.77),
    "batch5": (0.93, 0.83),
    "batch6": (0.92, 0.69),
    "batch7": (0.93, 0.85),
    "batch8": (0.91, 0.84),
    "batch9": (0.90, 0.83),
    "batch10": (0.94, 0.75),
    "batch11": (0.96, 0.80),
    "batch12": (0.74, 0.60),
    "batch13": (0.88, 0.83),
    "batch14": (0.86, 0.57),
    "batch15": (0.83, 0.79),
    "batch16": (0.89, 0.61),
    "batch17": (0.88, 0.40),
    # batch 18 ("an ordinary week of the inbox", frozen 2026-12-03 before its first run): held out 0.969
    # of 32 routing, 0.882 of 17 end to end, blind and after session 11's fixes alike
    "batch18": (0.90, 0.76),
    # batch 19 ("the week after a sale", frozen 2026-12-03 before its first run): held out 0.914 of 35
    # routing, 0.786 of 28 end to end, blind and after session 12's fixes alike
    "batch19": (0.88, 0.75),
    # batch 20 ("the live-chat widget on a Sunday evening", frozen 2026-12-03 before its first run): held
    # out 0.923 of 26 routing, 0.679 of 28 end to end, blind and after session 12's fixes alike
    "batch20": (0.88, 0.64),
    # batch 21 ("the Monday after a long weekend", frozen 2026-12-03 before its first run): held out 0.880
    # of 25 routing and 0.636 of 22 end to end blind, 0.920 and 0.636 after session 13's fixes
    "batch21": (0.88, 0.59),
}


@pytest.mark.slow  # about 10-30 s each alone: a batch's held-out split, end to end
@pytest.mark.parametrize("batch", sorted(BATCH_FLOORS))
def test_later_blind_batches_held_out_figures_stay_above_their_floors(db: str, batch: str) -> None:
    routing_floor, e2e_floor = BATCH_FLOORS[batch]
    where = BATCHES / batch
    result = evaluate(split="test", routing_path=where / "routing.jsonl", e2e_path=where / "e2e.jsonl")
    routing = result["routing"]["overall"]["accuracy"]
    assert routing >= routing_floor, f"{batch} routing {routing} < {routing_floor}"
    full = result["e2e"]["overall"]["fully_correct"]
    assert full >= e2e_floor, f"{batch} end to end fully correct {full} < {e2e_floor}"
