"""Every notebook in `notebooks/` runs top to bottom on the test database: a failing cell fails the test.

The kernel is this interpreter (a kernelspec written for the test, so no other Python on the machine is
picked up); it inherits DATABASE_URL or DATA_DIR from the test's environment and runs in an empty
working directory, so a developer's `.env` cannot leak in.
"""

from __future__ import annotations

import base64
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from switchboard.config.settings import PROJECT_ROOT

pytestmark = pytest.mark.slow

NOTEBOOKS = sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb"))
KERNEL_NAME = "switchboard-test"
CELL_TIMEOUT = 120


def test_the_three_notebooks_exist_and_are_saved_without_outputs() -> None:
    names = [p.stem for p in NOTEBOOKS]
    assert {"01_quickstart", "02_inspect_and_time_travel", "03_approvals"} <= set(names), names
    for path in NOTEBOOKS:
        book = nbformat.read(path, as_version=4)
        nbformat.validate(book)
        for cell in book.cells:
            if cell.cell_type == "code":
                assert not cell.outputs and cell.execution_count is None, f"{path.name} has saved outputs"


@pytest.fixture
def kernel_dir(tmp_path: Path) -> Path:
    """A kernelspec whose argv is exactly this interpreter."""
    spec = tmp_path / "kernels" / KERNEL_NAME
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": "switchboard test", "language": "python"})
    )
    return tmp_path / "kernels"


def _reseed_if_written() -> None:
    from switchboard.config.database import connect
    from switchboard.tools.store.admin import reset_store
    from switchboard.tools.store.seed import seed_store

    with connect() as conn:
        row = conn.execute("select count(*) as n from store.side_effects").fetchone()
        if row and row["n"]:
            reset_store(conn)
            seed_store(conn)


@pytest.fixture
def restore_store(seeded: str) -> Iterator[str]:
    """The seeded store, untouched by other tests' write actions (the approvals notebook refunds a planted
    scenario and no longer wipes the store itself); re-seeded afterwards when a notebook wrote to it."""
    _reseed_if_written()
    yield seeded
    _reseed_if_written()


def run_notebook(path: Path, kernel_dir: Path, workdir: Path) -> None:
    book = nbformat.read(path, as_version=4)
    workdir.mkdir(exist_ok=True)
    manager = AsyncKernelManager(
        kernel_name=KERNEL_NAME, kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernel_dir)])
    )
    client = NotebookClient(
        book,
        km=manager,
        kernel_name=KERNEL_NAME,
        timeout=CELL_TIMEOUT,
        startup_timeout=60,
        resources={"metadata": {"path": str(workdir)}},
    )
    try:
        client.execute()
    except CellExecutionError as exc:
        pytest.fail(f"{path.name}: a cell failed:\n{exc}", pytrace=False)
    ran = [c for c in book.cells if c.cell_type == "code"]
    assert ran and all(c.execution_count for c in ran), f"{path.name}: not every cell ran"
    errors = [o for c in ran for o in c.outputs if o.get("output_type") == "error"]
    assert not errors, errors
    # Every picture cell (a `pictures.` call) produced a real PNG, not text.
    drawing = [c for c in ran if "pictures.show(" in c.source]
    assert drawing, f"{path.name} draws no picture"
    for cell in drawing:
        images = [o["data"]["image/png"] for o in cell.outputs if "image/png" in o.get("data", {})]
        assert images, f"{path.name}: no image from:\n{cell.source}"
        assert all(base64.b64decode(png)[:8] == b"\x89PNG\r\n\x1a\n" for png in images)
        assert all(len(base64.b64decode(png)) > 10_000 for png in images)  # a drawing, not a blank


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_top_to_bottom(
    path: Path, restore_store: str, kernel_dir: Path, tmp_path: Path
) -> None:
    run_notebook(path, kernel_dir, tmp_path / "work")


OTHER_THREADS = (
    "select count(distinct thread_id) as n from checkpoints where thread_id not like 'notebook-approvals-%'"
)


def test_approvals_notebook_twice_keeps_keys_and_other_threads(
    restore_store: str, kernel_dir: Path, tmp_path: Path
) -> None:
    """Re-running the approvals notebook takes back only its own earlier run: an API key, another thread
    and the store's customers stay."""
    from switchboard.config.database import connect
    from switchboard.tools import apikeys

    with connect() as conn:
        key = apikeys.create(conn, "staff:notebook-watcher")
        conn.commit()
        threads_before = conn.execute(OTHER_THREADS).fetchone()
        customers = conn.execute("select count(*) as n from store.customers").fetchone()
    path = PROJECT_ROOT / "notebooks" / "03_approvals.ipynb"
    run_notebook(path, kernel_dir, tmp_path / "first")
    run_notebook(path, kernel_dir, tmp_path / "second")
    with connect() as conn:
        ids = [k["id"] for k in apikeys.list_keys(conn)]
        assert key["id"] in ids
        assert conn.execute(OTHER_THREADS).fetchone() == threads_before
        own = conn.execute(
            "select count(distinct thread_id) as n from checkpoints where thread_id like 'notebook-approvals-%'"
        ).fetchone()
        assert own == {"n": 1}  # the second run took back the first's thread
        assert conn.execute("select count(*) as n from store.customers").fetchone() == customers
