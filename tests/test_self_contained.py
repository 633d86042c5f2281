"""A clone anywhere works: nothing in the repository reads or links files outside it."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTSIDE = re.compile(r"\.\./shared|/work/shared|\bshared/(benchmarks|DESIGN\.md|STYLE\.md)")


def _tracked() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return [ROOT / name for name in listed if (ROOT / name).is_file()]


def test_no_file_refers_to_the_shared_folder_beside_the_repository() -> None:
    offenders = []
    for path in _tracked():
        if path == Path(__file__).resolve() or path.suffix in (".png", ".csv", ".lock"):
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        offenders += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in OUTSIDE.finditer(text)]
    assert offenders == []


def test_every_relative_link_of_the_readme_and_docs_resolves() -> None:
    broken = []
    for doc in [ROOT / "README.md", *(ROOT / "docs").glob("*.md"), *(ROOT / "bench").rglob("README.md")]:
        for target in re.findall(r"\]\(([^)#\s]+)", doc.read_text(encoding="utf-8")):
            if "://" in target or target.startswith("mailto:"):
                continue
            if not (doc.parent / target).exists():
                broken.append(f"{doc.relative_to(ROOT)} -> {target}")
    assert broken == []


def test_the_public_routing_sample_ships_with_its_licence_note() -> None:
    from switchboard.agents.router.evaluate import DEFAULT_CSV

    assert DEFAULT_CSV == ROOT / "bench" / "data" / "bitext_routing_sample.csv"
    assert DEFAULT_CSV.stat().st_size > 50_000
    note = (ROOT / "bench" / "data" / "README.md").read_text(encoding="utf-8")
    assert "CDLA-Sharing-1.0" in note and "Bitext Innovations" in note
    assert (ROOT / "docs" / "DESIGN.md").read_text(encoding="utf-8").strip()
