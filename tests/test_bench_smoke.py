"""The benchmark runs end to end (tiny numbers) and reports every figure. No timing is asserted here:
timings belong in the benchmark's own output, not in the test suite."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from bench.run import SYSTEMS, main


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def test_quick_benchmark_reports_every_metric(db: str, tmp_path: Path) -> None:
    from switchboard.config.database import database_target

    out = tmp_path / "bench.json"
    main(
        [
            "--quick",
            "--reps",
            "1",
            "--turns",
            "10",
            "--levels",
            "1,2",
            "--latency-ms",
            "20",
            "--server",
            database_target().url,
            "--profile",
            str(tmp_path / "profiles"),
            "--out",
            str(out),
        ]
    )
    results = json.loads(out.read_text())
    assert out.with_suffix(".png").stat().st_size > 0

    for name in SYSTEMS:
        system = results["systems"][name]
        for key in ("model_calls", "critical_path", "framework_ms", "framework_cpu_ms", "peak_memory_kb"):
            assert _number(system[key]), (name, key, system[key])
        assert set(system["wall_ms"]) == {"0", "20"}
        assert all(_number(v) for v in system["wall_ms"].values())
        for key in ("checkpoints", "blobs", "writes", "bytes"):
            assert _number(system["storage"][key]), (name, key)
        assert system["outcome"]["status"] == "done"

    kept = results["retention"]
    for key in ("storage_ratio", "storage_ratio_without_retention", "turn_record_bytes_per_turn"):
        assert _number(kept[key]), (key, kept[key])
    assert kept["marks"]["10"]["kept_bytes"] < kept["marks"]["10"]["unpruned_bytes"]
    assert _number(kept["prune_throughput"]["threads_per_second"])

    long = results["long_thread"]
    for key in (
        "storage_bytes_mid",
        "storage_bytes_end",
        "storage_ratio",
        "turn_ms_early",
        "turn_ms_mid",
        "turn_ms_end",
        "turn_ratio",
    ):
        assert _number(long[key]), key

    conc = results["concurrency"]
    for latency in ("0", "20"):
        for level in ("1", "2"):
            assert _number(conc["throughput_rps"][latency][level])
        assert _number(conc["speedup"][latency])

    targets = {t["target"] for t in results["targets"]}
    assert targets == {
        "model_calls",
        "wall_slow",
        "framework",
        "checkpoint_bytes",
        "storage_growth",
        "storage_growth_retention",
        "turn_time_growth",
        "throughput_scaling",
        "observability_overhead",
    }
    obs = results["observability"]
    assert all(_number(obs["framework_ms"][mode]) for mode in ("off", "metrics", "traced"))
    assert obs["spans_per_request"] > 20  # graph, nodes, domains, decisions, model calls, store queries
    for target in results["targets"]:
        assert _number(target["ratio"]) and isinstance(target["pass"], bool), target

    for profile in results["profiles"].values():
        assert Path(profile["file"]).exists() and profile["breakdown_ms"]

    # the scripted model answered every decision point (no LLM decider fell back to its deterministic twin)
    assert results["app_warnings"] == []


def test_the_framework_section_measures_both_systems_with_and_without_checkpoint_io(
    db: str, capsys: Any
) -> None:
    from switchboard.config.database import database_target

    section = main(["--only", "framework", "--reps", "2", "--server", database_target().url])
    assert json.loads(capsys.readouterr().out.split("\n", 1)[1])["ratio"] == section["ratio"]
    for key in ("switchboard_llm", "flat_agent"):
        on_postgres = section["systems"][key]
        assert on_postgres["checkpoints"] > 0 and on_postgres["sql_statements"] > 0
        bare = section["without_checkpoint_io"]["systems"][key]
        assert _number(bare["framework_ms"]) and _number(bare["framework_cpu_ms"])
    assert _number(section["without_checkpoint_io"]["ratio"]) and _number(section["ratio_cpu"])
