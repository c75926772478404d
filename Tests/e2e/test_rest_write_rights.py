"""Generated from the server's route table (issue 11, "Tests"): every REST write route that
names an object by id (`PUT|PATCH|DELETE /api/engine/v2/<resource>/:id`, the system-module
routes) or creates one (`POST /api/engine/v2/<resource>`) is called by a user, support staff
and a read-only API key with writes that touch what each may not change — a driver, a module
that receives admin-level secrets moved elsewhere, an object of a kind above the caller — and
nothing may be committed. What support may change still goes through, so the refusals are the
rule's, not a blanket."""
import json
import os
import subprocess

import pytest
import requests

from auth_server import AuthServer

ENGINE = "/api/engine/v2"
# An object of each resource the sample has, and one that receives an admin-level password.
SAMPLE = {"systems": "sys-l2-ferry", "modules": "mod-l2-ferry-lighting", "zones": "zone-hp-l2", "drivers": "driver-pjlink-projector"}
PROJECTOR = "mod-l2-ferry-projector"


@pytest.fixture(scope="module")
def server():
    made = AuthServer()
    yield made
    made.stop()


def head(server):
    return subprocess.run(["git", "-C", os.path.join(server.state, "config"), "rev-parse", "HEAD"], check=True,
                          capture_output=True, text=True).stdout.strip()


def callers(server):
    key = requests.Session()
    key.headers["X-API-Key"] = server.narrow_key
    return {"user": server.browser("user"), "support": server.browser("support"), "narrow key": key}


def write_routes(server):
    table = server.browser("admin").get(server.base + "/api/_test/routes").json()
    def names_or_creates_an_object(pattern):
        parts = pattern.split("/")[4:]   # after /api/engine/v2
        return parts[0] in SAMPLE and (parts[1:] in ([], [":id"]) or parts[1:] == [":id", "module", ":mod_id"])

    return sorted({(row["method"], row["pattern"]) for row in table
                   if row["method"] in ("POST", "PUT", "PATCH", "DELETE") and row["pattern"].startswith(ENGINE + "/")
                   and names_or_creates_an_object(row["pattern"])})


def attempts(method, pattern):
    """Writes through this route, each touching something above support (and so above a user)."""
    resource = pattern.split("/")[4]
    if pattern.endswith("/module/:mod_id"):
        # Membership is support's (the site's members form); callers below support are refused.
        yield pattern.replace(":id", "sys-l2-buoy").replace(":mod_id", SAMPLE["modules"]), None
        return
    if pattern.endswith("/:id"):
        if resource == "drivers":
            yield pattern.replace(":id", SAMPLE["drivers"]), {"description": "probe"}
        if resource == "modules" and method != "DELETE":   # support may delete a module, not move this one
            yield pattern.replace(":id", PROJECTOR), {"ip": "203.0.113.9"}
            yield pattern.replace(":id", PROJECTOR), {"port": 4353}
        return
    if method == "POST":
        if resource == "drivers":
            yield pattern, {"name": "Probe", "file_name": "probe", "module_name": "Probe", "role": 1}
        if resource == "modules":
            yield pattern, {"driver_id": "driver-pjlink-projector", "ip": "203.0.113.9", "port": 4352}


def test_every_rest_write_route_checks_the_caller_against_what_it_touches(server):
    routes = write_routes(server)
    patterns = {pattern for _, pattern in routes}
    for resource in SAMPLE:
        assert f"{ENGINE}/{resource}/:id" in patterns, f"no write route for {resource}"
    before = head(server)
    tried = 0
    for role, session in callers(server).items():
        for method, pattern in routes:
            for path, body in attempts(method, pattern):
                if role == "support" and pattern.endswith("/module/:mod_id"):
                    continue
                answer = session.request(method, server.base + path, json=body, headers={"Accept": "application/json"})
                tried += 1
                assert answer.status_code in (401, 403), f"{role}: {method} {path} {body} → {answer.status_code} {answer.text[:200]}"
                assert head(server) == before, f"{role}: {method} {path} committed"
    assert tried >= 3 * 6
    # What support may change goes through (the refusals above are the rule's).
    support = callers(server)["support"]
    moved = support.patch(server.base + f"{ENGINE}/modules/{SAMPLE['modules']}", json={"ip": "127.0.0.3"},
                          headers={"Accept": "application/json"})
    assert moved.status_code == 200, moved.text[:300]
    assert head(server) != before
