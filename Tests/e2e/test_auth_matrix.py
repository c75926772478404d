"""The permission matrix, walked on the real server: every route of the running `serve` (its own
route table, `GET /api/_test/routes`) × (anonymous, user, support, admin, API key with only
`systems.read`) gets one request, and the gate's answer must be the one the route's rule
prescribes. The expectations are computed here from the roles of DESIGN §6 (which kinds each
role may view and edit, how scopes combine), not by asking the server; fixed points at the end
do not come from the table at all, so the test cannot pass by agreeing with itself.

Whether the *gate* refused a request is read from the server's log (`auth: refused access …
(request <id>)`, the id we send as `X-Request-ID`), so a 403 of a handler behind the gate (a
site form without its CSRF token, a driver function's security) is told apart from an access 403.
Requests carry no form tokens, so no site form writes anything; routes that would stop or
start things get ids that do not exist, and signing out comes last.
"""
import itertools
import re
import subprocess
from urllib.parse import quote

import pytest
import requests

from auth_server import AuthServer
from conftest import BACKOFFICE

ENGINE = "/api/engine/v2"
SYSTEM = "sys-l1-huddle"
MODULE = "mod-l1-huddle-hvac"
KINDS = ["domains", "applications", "auth", "users", "api-keys", "repositories", "drivers", "zones", "systems",
         "modules", "triggers", "schemas", "metadata"]
# DESIGN §6: admins edit and view everything; support edits systems, zones, modules and metadata
# and views everything; users edit nothing and view systems, zones and metadata.
EDITS = {"user": set(), "support": {"systems", "zones", "modules", "metadata"}, "admin": set(KINDS)}
VIEWS = {"user": {"systems", "zones", "metadata"}, "support": set(KINDS), "admin": set(KINDS)}
RANK = {"user": 0, "support": 1, "admin": 2}
# A sample object per site kind, for `/backoffice/:kind/:id/…`.
SAMPLE_IDS = {"systems": SYSTEM, "drivers": "driver-lutron-lighting", "users": "user-jamie", "zones": "zone-hp-l1"}
# Routes that would change running things get an id that does not exist (the request still has
# to pass the gate to be told so).
THROWAWAY = {"/systems/:sys/start", "/systems/:sys/stop", "/modules/:id/start", "/modules/:id/stop", "/modules/:id/load"}


class Caller:
    def __init__(self, name, session, role=None, scopes=None):
        self.name, self.session, self.role, self.scopes = name, session, role, scopes


@pytest.fixture(scope="module")
def world():
    server = AuthServer()
    try:
        key = requests.Session()
        key.headers["X-API-Key"] = server.narrow_key
        callers = [Caller("anonymous", requests.Session()),
                   Caller("user", server.browser("user"), "user"),
                   Caller("support", server.browser("support"), "support"),
                   Caller("admin", server.browser("admin"), "admin"),
                   # The key's owner is the admin; the key only grants systems.read.
                   Caller("narrow key", key, "admin", ["systems.read"])]
        table = callers[3].session.get(server.base + "/api/_test/routes")
        assert table.status_code == 200, table.text
        yield server, callers, table.json()
    finally:
        server.stop()


# MARK: - What the rule says (independent of the server's own decision code)

def scope_allows(granted, required):
    if granted is None or "public" in granted:
        return True
    if required is None:
        return False
    resource, _, access = required.partition(".")
    for scope in granted:
        g_resource, _, g_access = scope.partition(".")
        if g_resource == resource and (not g_access or g_access == access):
            return True
    return False


def expected(row, caller, path):
    """allow, signin or forbidden for `caller` sending to `path` under the route's rule."""
    rule = row["rule"]
    access = rule["access"]
    if access == "public":
        return "allow"
    if caller.role is None:
        return "signin"
    if access == "role" and RANK[caller.role] < RANK[rule["role"]]:
        return "forbidden"
    if access == "role_or_scope":
        if caller.scopes is not None and scope_allows([s for s in caller.scopes if s != "public"], rule["scope"]):
            return "allow"
        if RANK[caller.role] < RANK[rule["role"]]:
            return "forbidden"
    if access == "editor_of_kind":
        kind = path_parameter(row["pattern"], path, rule["parameter"])
        allowed = caller.role == "admin" if kind not in KINDS else kind in EDITS[caller.role]
        if not allowed:
            return "forbidden"
    if access == "viewer_of_kind":
        segments = [part for part in path.split("?")[0].split("/") if part]
        index = rule["segment"]
        if index < len(segments) and segments[index] in KINDS and segments[index] not in VIEWS[caller.role]:
            return "forbidden"
    return "allow" if scope_allows(caller.scopes, rule["scope"]) else "forbidden"


def path_parameter(pattern, path, name):
    """The value `path` gives the `:name` of `pattern`."""
    for part, value in zip(pattern.split("/"), path.split("/")):
        if part == ":" + name:
            return value
    return None


# MARK: - Concrete requests for a route pattern

def concrete_paths(pattern, method="GET"):
    """One or more paths for `pattern`: real sample ids, several kinds for `:kind` and the site's
    `*`, ids that do not exist where a request would stop or start something or change a REST
    resource."""
    throwaway = any(pattern.endswith(suffix) for suffix in THROWAWAY) \
        or (pattern.startswith(ENGINE) and method in ("PUT", "PATCH", "DELETE"))
    if pattern == "/backoffice/*":
        # (Form pages such as …/edit have routes, and rows, of their own: `/backoffice/:kind/:id/edit`.)
        return ["/backoffice/systems/", "/backoffice/users/", "/backoffice/drivers/", "/backoffice/zones/",
                f"/backoffice/systems/{SYSTEM}/", "/backoffice/index.html"]
    if pattern.endswith("/*"):
        rest = {"/backoffice/assets/*": "site.css"}.get(pattern, "anything")
        return [pattern[:-1] + rest]
    kinds = ["systems", "drivers", "users"] if ":kind" in pattern else [None]
    paths = []
    for kind in kinds:
        values = {"kind": kind, "id": SAMPLE_IDS.get(kind, MODULE if "/modules/" in pattern else SYSTEM),
                  "sys": SYSTEM, "mod": "HVAC_1", "key": "setpoint", "method": "matrix_probe", "mod_id": MODULE,
                  "first": "a", "second": "b", "code": "204",
                  "trig_id": "trig-matrix-none", "secret": "matrix-not-the-secret", "index": "1",
                  "parent_id": "zone-hp-tower", "name": "features"}
        if throwaway:
            values.update(sys="sys-matrix-none", id="mod-matrix-none", parent_id="zone-matrix-none")

        def fill(part):
            return values[part[1:]] if part.startswith(":") else part
        paths.append("/" + "/".join(fill(part) for part in pattern.split("/") if part))
    return paths


def signs_out(pattern):
    return pattern == "/auth/signout"


def test_route_table_is_the_whole_server(world):
    _, _, table = world
    keys = {(row["method"], row["pattern"]) for row in table}
    assert len(keys) == len(table), "a route is listed twice"
    assert [row for row in table if row["rule"] is None] == []
    # Routes from every part of the server, registered in different places.
    for key in [("GET", "/healthz"), ("GET", "/"), ("GET", "/backoffice"), ("GET", "/backoffice/*"),
                ("POST", "/backoffice/:kind/:id/edit"), ("GET", "/backoffice/:kind/:id/edit"),
                ("POST", "/backoffice/users/:id/permissions"),
                ("POST", "/backoffice/:kind/:id/modules"), ("GET", "/auth/signin"), ("POST", "/auth/oauth/token"),
                ("GET", "/.well-known/jwks.json"), ("GET", ENGINE + "/systems/control"), ("GET", ENGINE + "/live"),
                ("POST", ENGINE + "/systems/:sys/:mod/:method"), ("POST", ENGINE + "/modules/:id/exec/:method"),
                ("GET", "/api/_test/routes")]:
        assert key in keys, f"{key} missing from the route table"
    # 53 registrations today: health 1, "/" 1, site 23, auth 13, engine REST 13, control and live sockets 2.
    product = [row for row in table if not row["pattern"].startswith(("/_test/", "/api/_test/"))]
    assert len(product) >= 40, f"only {len(product)} product routes"


def test_every_route_for_every_caller_gets_the_answer_its_rule_prescribes(world):
    server, callers, table = world
    rows = sorted(table, key=lambda row: signs_out(row["pattern"]))  # signing out last
    sent = []
    counter = itertools.count()
    for row in rows:
        for path in concrete_paths(row["pattern"], row["method"]):
            for caller in callers:
                request_id = f"matrix-{next(counter)}"
                response = caller.session.request(row["method"], server.base + path, allow_redirects=False, timeout=30,
                                                  headers={"X-Request-ID": request_id})
                sent.append((row, path, caller, request_id, response, expected(row, caller, path)))
    log = server.output()
    refused = set(re.findall(r"auth: refused access for .* \(request (matrix-\d+)\)", log))
    failures = []
    for row, path, caller, request_id, response, want in sent:
        got = gate_answer(response, path, request_id, refused)
        if got != want:
            failures.append(f"{row['method']} {path} ({row['text']}) as {caller.name}: expected {want}, "
                            f"got {got} ({response.status_code} {response.text[:120]!r})")
        elif want == "signin":
            api = path.startswith(("/api/", "/auth/oauth/")) or row["method"] != "GET"
            if (response.status_code == 401) != api:
                failures.append(f"{row['method']} {path} as {caller.name}: a sign-in answer of the wrong shape "
                                f"({response.status_code})")
        elif want == "forbidden" and "you do not have access to this" not in response.text:
            failures.append(f"{row['method']} {path} as {caller.name}: 403 without the access message")
        elif want == "allow" and response.status_code in (401, 403) and not handler_refusal(row["method"], path, response):
            failures.append(f"{row['method']} {path} as {caller.name}: passed the gate, then an unexplained "
                            f"{response.status_code} {response.text[:120]!r}")
    assert not failures, f"{len(failures)} of {len(sent)} requests:\n" + "\n".join(failures)
    assert len(sent) >= 5 * len(table)
    outcomes = {want for *_, want in sent}
    assert outcomes == {"allow", "signin", "forbidden"}


# What handlers behind the gate may refuse with 401/403 in the matrix's requests: a site form
# without its token, the sign-in and first-admin forms without theirs (or without the link's
# token), OAuth client authentication, the site's own check that form pages are for editors, and
# another user's SSO token asked for with a credential that does not name the users scope.
HANDLER_REFUSALS = re.compile(r"missing or wrong form token|sign-in form expired|This link is invalid|"
                              r"The form expired; open the link again|invalid_client|users scope named explicitly")


def handler_refusal(method, path, response):
    if HANDLER_REFUSALS.search(response.text):
        return True
    return method == "GET" and path.rstrip("/").endswith(("/edit", "/new", "/delete")) \
        and "you do not have access to this" in response.text


def gate_answer(response, path, request_id, refused):
    """What the gate did: signin (401 asking for credentials, or the redirect to the sign-in
    page), forbidden (a 403 the gate logged), or allow (the request reached its handler)."""
    if response.status_code == 401 and response.headers.get("WWW-Authenticate", "").startswith("Bearer") \
            and re.search(r"sign in required|invalid or expired credentials", response.text):
        return "signin"
    if response.status_code == 303 and response.headers.get("Location") == "/auth/signin?continue=" + quote(path, safe=""):
        return "signin"
    if response.status_code == 403 and request_id in refused:
        return "forbidden"
    return "allow"


def test_fixed_points_not_taken_from_the_table(world):
    server, callers, _ = world
    # Fresh sessions: the matrix may have signed the others out already.
    anonymous, key = callers[0].session, callers[4].session
    user, support, admin = (server.browser(role) for role in ("user", "support", "admin"))
    base = server.base
    # A user may not edit a driver; support may edit a system (the gate lets the POST through,
    # and the site then refuses it for the missing form token).
    answer = user.post(f"{base}/backoffice/drivers/driver-lutron-lighting/edit", data={"name": "x"}, allow_redirects=False)
    assert answer.status_code == 403 and "you do not have access to this" in answer.text
    answer = support.post(f"{base}/backoffice/systems/{SYSTEM}/edit", data={"name": "x"}, allow_redirects=False)
    assert answer.status_code == 403 and "form token" in answer.text
    answer = support.post(f"{base}/backoffice/drivers/driver-lutron-lighting/edit", data={"name": "x"}, allow_redirects=False)
    assert "you do not have access to this" in answer.text
    # The narrow key reads systems but cannot exec, control modules or see the site's users.
    assert key.get(f"{base}{ENGINE}/systems/{SYSTEM}/HVAC_1").status_code == 200
    assert key.post(f"{base}{ENGINE}/systems/{SYSTEM}/HVAC_1/set_setpoint", json=[21]).status_code == 403
    assert key.post(f"{base}{ENGINE}/modules/{MODULE}/ping").status_code == 403
    assert key.get(f"{base}/backoffice/users/").status_code == 403
    # Module control is support's; users are refused, support pings.
    assert user.post(f"{base}{ENGINE}/modules/{MODULE}/ping").status_code == 403
    assert support.post(f"{base}{ENGINE}/modules/{MODULE}/ping").status_code == 200
    # Anonymous: 401 for the API, the sign-in page for pages.
    assert anonymous.get(f"{base}{ENGINE}/systems/{SYSTEM}/HVAC_1").status_code == 401
    page = anonymous.get(f"{base}/backoffice/systems/", allow_redirects=False)
    assert page.status_code == 303 and page.headers["Location"].startswith("/auth/signin?continue=")
    assert anonymous.get(f"{base}/healthz").status_code == 200
    # Users see systems, not users or API keys; only admins change permissions or read the table.
    assert user.get(f"{base}/backoffice/systems/").status_code == 200
    assert user.get(f"{base}/backoffice/users/").status_code == 403
    assert support.get(f"{base}/backoffice/users/").status_code == 200
    assert support.post(f"{base}/backoffice/users/user-jamie/permissions", data={}).status_code == 403
    assert "you do not have access to this" in support.post(f"{base}/backoffice/users/user-jamie/permissions", data={}).text
    assert user.get(f"{base}/api/_test/routes").status_code == 403
    assert admin.get(f"{base}/api/_test/routes").status_code == 200


def test_serve_refuses_to_start_with_a_route_without_a_rule(tmp_path):
    state = tmp_path / "state"
    started = subprocess.run([BACKOFFICE, "serve", "--port", "0", "--state", str(state), "--no-simulators", "--test-routes",
                              "--test-unruled-route", "/api/_test/unruled"],
                             capture_output=True, text=True, timeout=120)
    assert started.returncode != 0
    assert "routes without an access rule" in started.stderr and "GET /api/_test/unruled" in started.stderr
