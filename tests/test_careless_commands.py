"""Careless commands: nothing deletes data it did not create without `--yes` (or a "yes" at a terminal).

`db seed --replace` and `db reset` need --yes when there is no terminal; `./run demo` run twice takes back
only what its own earlier tour wrote; the notebooks never wipe the store. Each test runs on its own
scratch database on the external server, never the session's shared one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from switchboard.config.settings import PROJECT_ROOT
from switchboard.tools.store.testing import scratch_database
from tests.cli import ok_json, one_error_line, run_switchboard


@pytest.fixture
def scratch(db: str, tmp_path: Path) -> Any:
    with scratch_database("sbcareless") as url:
        yield {"DATABASE_URL": url}


def _counts(env: dict[str, str], workdir: Path) -> dict[str, int]:
    status = ok_json(run_switchboard(["db", "status", "--json"], workdir, env=env))
    counts: dict[str, int] = status["row_counts"]
    return counts


def test_seed_replace_and_reset_need_yes_without_a_terminal(scratch: dict[str, str], tmp_path: Path) -> None:
    ok_json(run_switchboard(["db", "seed", "--customers", "20", "--json"], tmp_path, env=scratch))
    ok_json(run_switchboard(["keys", "create", "--as", "staff:ops", "--json"], tmp_path, env=scratch))
    before = _counts(scratch, tmp_path)
    assert before["api_keys"] == 1

    for args, stdin in (
        (["db", "seed", "--replace", "--customers", "20"], ""),
        (["db", "seed", "--replace", "--customers", "20"], "y\n"),  # piped "y" is not a person saying yes
        (["db", "seed", "--replace", "--customers", "20", "--json"], ""),
        (["db", "reset"], "y\n"),
        (["db", "reset", "--json"], ""),
    ):
        line = one_error_line(run_switchboard(args, tmp_path, env=scratch, stdin=stdin))
        assert "--yes" in line and "deletes" in line, (args, line)
    assert _counts(scratch, tmp_path) == before

    replaced = ok_json(
        run_switchboard(
            ["db", "seed", "--replace", "--yes", "--customers", "20", "--json"], tmp_path, env=scratch
        )
    )
    assert replaced["replaced"] is True
    assert _counts(scratch, tmp_path)["api_keys"] == 0  # asked for explicitly


def test_demo_twice_leaves_keys_approvals_and_other_threads_alone(
    scratch: dict[str, str], tmp_path: Path
) -> None:
    first = ok_json(run_switchboard(["demo", "--json"], tmp_path, env=scratch))
    assert first[-1]["approval"]["decision"] == "approved"
    demo_threads = [step["result"]["thread_id"] for step in first]
    assert all(t.startswith("demo-") for t in demo_threads)

    # Someone else's data, written after the first tour: a key, a thread, a pending approval.
    key = ok_json(run_switchboard(["keys", "create", "--as", "staff:ops", "--json"], tmp_path, env=scratch))
    scenarios = {
        s["name"]: s for s in ok_json(run_switchboard(["db", "scenarios", "--json"], tmp_path, env=scratch))
    }
    other = str(scenarios["multi_issue"]["customer_id"])
    paused = ok_json(
        run_switchboard(
            ["ask", "I was charged twice for my order, please refund me.", "--customer", other, "--json"],
            tmp_path,
            env=scratch,
        )
    )
    assert paused["status"] == "paused"
    chat = ok_json(
        run_switchboard(
            [
                "ask",
                "where is my parcel?",
                "--customer",
                str(scenarios["late_parcel"]["customer_id"]),
                "--json",
            ],
            tmp_path,
            env=scratch,
        )
    )
    before = _counts(scratch, tmp_path)

    second = ok_json(run_switchboard(["demo", "--json"], tmp_path, env=scratch))
    assert second[-1]["result"]["status"] == "paused"  # the tour's refund pauses again: it was taken back
    assert second[-1]["approval"]["decision"] == "approved"

    after = _counts(scratch, tmp_path)
    assert after["api_keys"] == before["api_keys"] == 1
    assert after["customers"] == before["customers"] and after["orders"] == before["orders"]
    assert after["refunds"] == before["refunds"]  # the first tour's refund went, the second's came
    keys = ok_json(run_switchboard(["keys", "list", "--json"], tmp_path, env=scratch))
    assert [k["id"] for k in keys] == [key["id"]]
    pending = ok_json(run_switchboard(["approvals", "--json"], tmp_path, env=scratch))
    assert paused["thread_id"] in [p["thread_id"] for p in pending]
    threads = {t["thread_id"] for t in ok_json(run_switchboard(["threads", "--json"], tmp_path, env=scratch))}
    assert {paused["thread_id"], chat["thread_id"]} <= threads
    assert not set(demo_threads) & threads  # the first tour's own threads were taken back with it


NOTEBOOK_WIPES = (
    "reset_store",
    "seed_store",
    "replace=True",
    "db reset",
    "TRUNCATE",
    "DROP ",
    "delete from",
)


@pytest.mark.parametrize("path", sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb")), ids=lambda p: p.stem)
def test_notebooks_never_wipe_the_store(path: Path) -> None:
    """What the notebooks call: migrate, seed an empty store, take back their own threads' writes."""
    book = json.loads(path.read_text())
    code = "\n".join("".join(c["source"]) for c in book["cells"] if c["cell_type"] == "code")
    found = [w for w in NOTEBOOK_WIPES if w.lower() in code.lower()]
    assert found == [], f"{path.name} calls {found}"
