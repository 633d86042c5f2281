"""The service's OpenAPI document agrees with the service: schemathesis against a live `switchboard serve`.

schemathesis reads /openapi.json and sends generated requests over HTTP (examples, coverage, fuzzing and
stateful phases; a bounded number of examples per operation, a fixed seed, no example database carried
between runs). Each response is checked: no 5xx, a documented status, the documented content type and
schema (server-sent events included), 405 with an Allow header for undocumented methods, and a
schema-valid request never refused as invalid. A failure prints schemathesis's report: each case with
the curl line that reproduces it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.test_service import Server, Servers, make_key, servers  # noqa: F401  (the module's fixture)

pytestmark = pytest.mark.slow

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "unsupported_method",
    "positive_data_acceptance",
)
EXAMPLES = 25
SEED = 20261201


@pytest.fixture
def server(seeded: str, servers: Servers) -> Server:  # noqa: F811
    return servers.first(1)[0]


def _schemathesis(server: Server, key: str, report: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            str(Path(sys.executable).with_name("schemathesis")),
            "run",
            f"{server.url}/openapi.json",
            "--header",
            f"Authorization: Bearer {key}",
            "--checks",
            ",".join(CHECKS),
            "--max-examples",
            str(EXAMPLES),
            "--seed",
            str(SEED),
            "--generation-database",
            "none",
            "--workers",
            "1",
            "--request-timeout",
            "60",
            "--no-color",
            "--report-dir",
            str(report),
        ],
        capture_output=True,
        text=True,
        timeout=540,
        cwd=report,
    )


def test_schemathesis_finds_no_disagreement_between_the_document_and_the_service(
    server: Server, scenarios: dict[str, dict[str, object]], tmp_path: Path
) -> None:
    key = make_key(f"customer:{scenarios['late_parcel']['customer_id']}")
    run = _schemathesis(server, key, tmp_path)
    report = run.stdout[-12000:]
    assert run.returncode == 0, f"schemathesis found failures:\n{report}\n{run.stderr[-3000:]}"
    document = httpx.get(f"{server.url}/openapi.json", timeout=30).json()
    operations = sum(len(methods) for methods in document["paths"].values())
    assert "passed" in run.stdout and f"Operations:       {operations} selected" in run.stdout, report


def test_a_wrong_method_is_405_naming_every_allowed_one(server: Server) -> None:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        response = client.delete("/threads")
        assert response.status_code == 405
        assert response.headers["Allow"] == "GET, POST"  # two routes share the path
        assert "use GET, POST" in response.json()["error"]
        assert client.put("/health").headers["Allow"] == "GET"


def test_a_message_of_invisible_characters_is_refused_not_a_500(
    server: Server, scenarios: dict[str, dict[str, object]]
) -> None:
    """schemathesis found it: a C1 control character passed intake and crashed the router (500)."""
    key = make_key(f"customer:{scenarios['late_parcel']['customer_id']}")
    with server.client(key) as client:
        thread_id = client.post("/threads").json()["thread_id"]
        for text in ("\u008a", " \u200b\u2028 ", "\ufeff\u0085"):
            response = client.post(f"/threads/{thread_id}/messages", json={"message": text})
            assert response.status_code == 422, (text, response.text)
            assert response.json()["error"] == "message is empty"
        values = client.get(f"/threads/{thread_id}").json()["values"]
        assert "message" not in values and not values.get("turns"), values  # nothing was written
