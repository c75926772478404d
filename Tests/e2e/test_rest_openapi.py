"""The generated OpenAPI document of /api/engine/v2 on the real binary: it covers every
operation of the route table with schemas and security, and schemathesis, driven by it as an
admin, finds no 5xx and no answer that breaks its schema (bounded examples)."""
import os
import subprocess
import sys

import pytest
import requests

from auth_server import AuthServer
from test_rest_crud import token

API = "/api/engine/v2"
SCHEMATHESIS = os.path.join(os.path.dirname(sys.executable), "schemathesis")


@pytest.fixture(scope="module")
def auth():
    server = AuthServer()
    try:
        yield server
    finally:
        server.stop()


def test_the_document_covers_every_operation_of_the_route_table(auth):
    answer = requests.get(auth.base + API + "/openapi.json", timeout=30)
    assert answer.status_code == 200
    document = answer.json()
    assert document["openapi"].startswith("3.") and {"oauth2", "apiKey"} <= set(document["components"]["securitySchemes"])
    table = auth.browser("admin").get(auth.base + "/api/_test/routes").json()
    sockets = {API + "/systems/control", API + "/live"}
    expected = {(row["method"].lower(), row["pattern"]) for row in table
                if row["pattern"].startswith(API) and row["pattern"] not in sockets}
    documented = set()
    for path, operations in document["paths"].items():
        pattern = "/".join(":" + part[1:-1] if part.startswith("{") else part for part in path.split("/"))
        for method, operation in operations.items():
            documented.add((method, pattern))
            assert operation["responses"], f"{method} {path} has no responses"
            assert "security" in operation, f"{method} {path} says nothing of access"
            if method in ("post", "put", "patch") and not path.endswith(("/start", "/stop", "/ping", "}/module/{mod_id}")):
                assert "requestBody" in operation, f"{method} {path} has no request schema"
    assert expected == documented
    systems = document["paths"][API + "/systems"]
    assert systems["post"]["security"][0]["oauth2"] == ["systems.write"]
    assert "capacity" in systems["post"]["requestBody"]["content"]["application/json"]["schema"]["properties"]
    assert {"X-Total-Count", "Link"} <= set(systems["get"]["responses"]["200"]["headers"])
    assert document["paths"][API + "/openapi.json"]["get"]["x-backoffice"] is True


def test_schemathesis_finds_no_server_error_and_no_answer_off_its_schema(auth, tmp_path):
    result = subprocess.run(
        [SCHEMATHESIS, "run", auth.base + API + "/openapi.json", "--url", auth.base,
         "--phases", "examples,fuzzing", "--max-examples", "4", "--seed", "7", "--workers", "2",
         "--checks", "not_a_server_error,response_schema_conformance",
         "--header", "Authorization: Bearer " + token(auth, "admin"), "--request-timeout", "30",
         "--report", "junit", "--report-dir", str(tmp_path), "--no-color"],
        capture_output=True, text=True, timeout=600, cwd=tmp_path)
    failures = result.stdout.split("SUMMARY")[0].split("FAILURES")[-1]
    assert result.returncode == 0, failures[-8000:] + result.stderr[-2000:]
    assert "passed" in result.stdout.lower()
