"""The configuration REST API on the real binary: CRUD round-trips per kind, each write one
commit with the caller as author (checked with git), PlaceOS's versions, statuses and paging
headers, settings shown by role, and the same refusals as the forms."""
import os
import subprocess

import pytest
import requests

from auth_server import PASSWORD, USERS, AuthServer

API = "/api/engine/v2"


@pytest.fixture(scope="module")
def auth():
    server = AuthServer()
    try:
        yield server
    finally:
        server.stop()


def token(auth, role):
    answer = requests.post(auth.base + "/auth/oauth/token", data={"grant_type": "password", "client_id": "app-pkce",
                                                                  "username": USERS[role], "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return answer.json()["access_token"]


class Client:
    """requests with a bearer token of one role."""

    def __init__(self, auth, role):
        self.base = auth.base + API
        self.headers = {"Authorization": "Bearer " + token(auth, role)}

    def __getattr__(self, method):
        return lambda path, **kwargs: requests.request(method, self.base + path, headers=self.headers, timeout=60, **kwargs)


def git(auth, *args):
    result = subprocess.run(["git", "-C", os.path.join(auth.state, "config"), *args], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def commits(auth):
    return int(git(auth, "rev-list", "--count", "HEAD"))


def last_author(auth):
    return git(auth, "log", "-1", "--format=%an <%ae>")


BODIES = {
    "systems": ({"name": "REST Room", "capacity": 4, "zones": ["zone-harbourpoint"], "x_note": {"kept": True}}, {"capacity": 6}),
    "zones": ({"name": "REST Zone", "parent_id": "zone-hp-tower", "tags": ["level"]}, {"description": "by REST"}),
    "modules": ({"driver_id": "driver-pjlink-projector", "ip": "127.0.0.1", "port": 1, "running": False}, {"notes": "by REST"}),
    "drivers": ({"name": "REST Driver", "repository_id": "repo-bundled", "file_name": "pjlink/PJLinkProjector.swift",
                 "role": 1, "module_name": "Thing"}, {"description": "by REST"}),
    "repositories": ({"name": "R", "repo_type": "driver", "folder_name": "rest-r", "uri": "https://example.com/r.git"},
                     {"description": "by REST"}),
    "triggers": ({"name": "REST trigger"}, {"description": "by REST"}),
    "users": ({"name": "Rest User", "email": "rest-user@harbourpoint.example", "authority_id": "authority-harbourpoint"},
              {"department": "REST"}),
    # An id that sorts before the sample's: the default domain (for 127.0.0.1, which no domain
    # claims) stays the oldest, so the tokens of the rest of this module keep working.
    "domains": ({"id": "authority-000-rest", "name": "REST domain", "domain": "rest.example"}, {"description": "by REST"}),
    "oauth_apps": ({"name": "REST app", "owner_id": "authority-harbourpoint", "redirect_uri": "https://rest.example/cb"},
                   {"scopes": "public"}),
    "schema": ({"name": "REST schema", "schema": {"type": "object"}}, {"description": "by REST"}),
    "oauth_auths": ({"name": "REST OAuth", "authority_id": "authority-harbourpoint", "client_id": "rest", "site": "https://idp.example"},
                    {"site": "https://idp2.example"}),
    "saml_auths": ({"name": "REST SAML", "authority_id": "authority-harbourpoint", "issuer": "https://rest.example/saml",
                    "idp_sso_target_url": "https://idp.example/sso", "idp_cert_fingerprint": "AB:CD"}, {"issuer": "rest"}),
    "ldap_auths": ({"name": "REST LDAP", "authority_id": "authority-harbourpoint", "port": 636}, {"base": "dc=example"}),
}


@pytest.mark.parametrize("kind", list(BODIES))
def test_crud_round_trip_is_one_commit_per_write_by_the_caller(auth, kind):
    admin = Client(auth, "admin")
    create, change = BODIES[kind]
    before = commits(auth)
    created = admin.post("/" + kind, json=create)
    assert created.status_code == 201, created.text
    item = created.json()
    assert item["version"] == 0 and item["created_at"] > 1_600_000_000 and item["updated_at"] >= item["created_at"]
    assert commits(auth) == before + 1 and last_author(auth) == f"Admin <{USERS['admin']}>"
    path = f"/{kind}/{item['id']}"
    assert os.path.basename(git(auth, "log", "-1", "--name-only", "--format=")) == item["id"] + ".json"

    shown = admin.get(path)
    assert shown.status_code == 200 and shown.json()["id"] == item["id"]
    updated = admin.put(path + "?version=0", json=change)
    assert updated.status_code == 200, updated.text
    assert updated.json()["version"] == 1 and all(updated.json()[key] == value for key, value in change.items())
    assert commits(auth) == before + 2

    stale = admin.put(path, json={**change, "version": 0})
    assert stale.status_code == 409 and stale.json()["version"] == 1, "a stale version gets the current object"
    assert commits(auth) == before + 2

    gone = admin.delete(path)
    assert gone.status_code == 202
    assert commits(auth) == before + 3 and last_author(auth) == f"Admin <{USERS['admin']}>"
    assert admin.get(path).status_code == 404


def test_api_keys_users_root_and_cluster(auth):
    admin, user = Client(auth, "admin"), Client(auth, "user")
    created = admin.post("/api_keys", json={"name": "rest script", "user_id": "user-jamie", "scopes": ["systems.read"]})
    assert created.status_code == 201, created.text
    key = created.json()["x_api_key"]
    assert "secret_hash" not in created.json() and key.startswith(created.json()["id"] + ".")
    assert requests.get(auth.base + API + "/systems", headers={"X-API-Key": key}, timeout=30).status_code == 200
    assert requests.get(auth.base + API + "/zones", headers={"X-API-Key": key}, timeout=30).status_code == 403
    assert admin.delete("/api_keys/" + created.json()["id"]).status_code == 202
    current = user.get("/users/current")
    assert current.status_code == 200 and current.json()["email"] == USERS["user"]
    assert admin.get("/users/" + USERS["user"]).json()["id"] == current.json()["id"]
    assert requests.get(auth.base + API, timeout=30).status_code == 200
    assert requests.get(auth.base + API + "/version", timeout=30).json()["version"]
    assert "systems" in user.get("/scopes").json()
    assert user.get("/cluster").status_code == 403
    node = admin.get("/cluster", params={"include_status": "true"}).json()[0]
    assert node["module_instances"] > 0 and isinstance(node["driver_processes"], list)


def test_index_headers_search_and_the_zones_sub_route(auth):
    user = Client(auth, "user")
    page = user.get("/systems", params={"limit": 2})
    assert page.status_code == 200 and len(page.json()) == 2
    total = int(page.headers["X-Total-Count"])
    assert total > 2 and page.headers["Content-Range"] == f"systems 0-1/{total}"
    assert page.headers["Link"] == f'<{API}/systems?offset=2&limit=2>; rel="next"'
    following = user.get("/systems", params={"offset": 2, "limit": 2}).json()
    assert {item["id"] for item in following}.isdisjoint(item["id"] for item in page.json())
    found = user.get("/systems", params={"q": "boardroom"}).json()
    assert "sys-l3-boardroom" in [item["id"] for item in found]
    zones = user.get("/systems/sys-l3-boardroom/zones")
    assert zones.status_code == 200, zones.text
    assert [zone["id"] for zone in zones.json()] == ["zone-harbourpoint", "zone-hp-tower", "zone-hp-l3"]
    by_email = user.get("/systems/l3-boardroom@harbourpoint.example")
    assert by_email.status_code == 200 and by_email.json()["id"] == "sys-l3-boardroom"


def test_invalid_input_names_its_fields_and_writes_nothing(auth):
    admin = Client(auth, "admin")
    before = commits(auth)
    answer = admin.post("/systems", json={"name": "Bad", "capacity": "many", "zones": ["zone-missing"]})
    assert answer.status_code == 422, answer.text
    fields = [failure["field"] for failure in answer.json()["failures"]]
    assert "capacity" in fields and any(field.startswith("zones") for field in fields)
    assert admin.post("/systems", data="{not json").status_code == 400
    assert commits(auth) == before


def test_a_user_never_reads_an_admin_level_setting(auth):
    admin, user = Client(auth, "admin"), Client(auth, "user")
    answer = admin.patch("/systems/sys-l1-huddle", json={"settings": {"none": {"shown": 1}, "admin": {"pin": "4711-secret"}}})
    assert answer.status_code == 200, answer.text
    assert answer.json()["settings"]["admin"]["pin"] == "4711-secret"
    seen = user.get("/systems/sys-l1-huddle")
    assert seen.status_code == 200 and "4711-secret" not in seen.text
    assert seen.json()["settings"]["none"]["shown"] == 1
    assert "4711-secret" not in git(auth, "show", "HEAD:systems/sys-l1-huddle.json"), "sealed in the repository"
    support = Client(auth, "support")
    driver = support.get("/drivers/driver-pjlink-projector")
    assert driver.status_code == 200 and "harbourpoint\"" not in driver.text.replace("harbourpoint.example", "")
    assert user.get("/drivers/driver-pjlink-projector").status_code == 403


def test_support_cannot_write_what_the_form_would_refuse(auth):
    support = Client(auth, "support")
    before = commits(auth)
    assert support.patch("/drivers/driver-pjlink-projector", json={"description": "x"}).status_code == 403
    assert support.post("/drivers", json={"name": "x"}).status_code == 403
    assert support.patch("/systems/sys-l1-wharf", json={"settings": {"admin": {"pin": "1"}}}).status_code == 403
    assert Client(auth, "user").patch("/systems/sys-l1-wharf", json={"capacity": 2}).status_code == 403
    narrow = {"X-API-Key": auth.narrow_key}
    assert requests.get(auth.base + API + "/systems", headers=narrow, timeout=30).status_code == 200
    assert requests.post(auth.base + API + "/systems", headers=narrow, json={"name": "x"}, timeout=30).status_code == 403
    assert commits(auth) == before
    allowed = support.patch("/systems/sys-l1-wharf", json={"capacity": 9})
    assert allowed.status_code == 200 and commits(auth) == before + 1
    assert last_author(auth) == f"Support <{USERS['support']}>"
