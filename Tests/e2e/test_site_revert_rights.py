"""Reverts and form saves check every path they would change against the caller's role (issue 11,
items 1 and 2). An admin makes commits support may not undo (a demotion, a user edited together
with a system, the deployment file, an admin-level setting, a deleted API key, a projector's
address); then every revert route of the server's own route table is posted, as support and as
a user, with each of those commits, through every object history it could be named from: nothing
is committed. A revert through a history the commit is not in is refused even to an admin."""
import json
import os
import re
import subprocess
import tempfile

import pytest

from auth_server import USERS, AuthServer
from site_browser import FormClient

SYSTEM = "sys-l2-ferry"
PROJECTOR = "mod-l2-ferry-projector"
LIGHTING = "mod-l2-ferry-lighting"


class Rig:
    def __init__(self):
        self.server = AuthServer()
        self.clone = tempfile.TemporaryDirectory(prefix="bo-revert-clone-")
        self.callers = {role: self.client(role) for role in ("admin", "support", "user")}

    def client(self, role):
        form = FormClient(self.server.base)
        form.session = self.server.browser(role)
        return form

    def git(self, *args, cwd=None):
        return subprocess.run(["git", "-C", cwd or os.path.join(self.server.state, "config"), *args], check=True,
                              capture_output=True, text=True).stdout

    def head(self):
        return self.git("rev-parse", "HEAD").strip()

    def user_id(self, role):
        folder = os.path.join(self.server.state, "config", "users")
        for name in sorted(os.listdir(folder)):
            with open(os.path.join(folder, name)) as handle:
                if json.load(handle).get("email") == USERS[role]:
                    return name[:-5]
        raise AssertionError("no user " + USERS[role])

    def push(self, message, edits):
        """An engineer's commit: `edits` maps a path to its new members (None deletes it)."""
        work = self.clone.name
        if not os.path.isdir(os.path.join(work, ".git")):
            subprocess.run(["git", "clone", "-q", os.path.join(self.server.state, "config"), work], check=True)
            self.git("config", "user.email", USERS["admin"], cwd=work)
            self.git("config", "user.name", "Admin", cwd=work)
        self.git("pull", "-q", "--ff-only", cwd=work)
        for path, members in edits.items():
            full = os.path.join(work, path)
            if members is None:
                os.remove(full)
                continue
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "w") as handle:
                json.dump(members, handle, indent=2, sort_keys=True)
                handle.write("\n")
        self.git("add", "-A", cwd=work)
        self.git("commit", "-q", "-m", message, cwd=work)
        pushed = subprocess.run(["git", "-C", work, "push", "-q", "origin", "HEAD:main"], capture_output=True, text=True)
        assert pushed.returncode == 0, pushed.stderr
        return self.git("rev-parse", "HEAD", cwd=work).strip()

    def members(self, path):
        return json.loads(self.git("show", f"HEAD:{path}"))

    def stop(self):
        self.clone.cleanup()
        self.server.stop()


@pytest.fixture(scope="module")
def rig():
    made = Rig()
    yield made
    made.stop()


def token(client, history_path):
    page = client.session.get(client.base + history_path)
    if page.status_code != 200:
        return ""
    found = re.search(r'name="_csrf" value="([^"]+)"', page.text)
    return found.group(1) if found else ""


def revert(client, route, commit):
    """POSTs a revert of `commit` to `route` with this caller's own form token for it."""
    fields = {"_csrf": token(client, route[:-len("revert")] + "history"), "commit": commit}
    return client.session.post(client.base + route, data=fields, allow_redirects=False, headers={"Accept": "text/html"})


def test_support_cannot_undo_their_demotion_through_a_system(rig):
    admin, support = rig.callers["admin"], rig.callers["support"]
    sam = rig.user_id("support")
    for granted in ({"admin": "on", "support": "on"}, {"support": "on"}):
        fields = admin.form(f"/backoffice/users/{sam}/")
        fields.pop("admin", None)
        fields.pop("support", None)
        answer = admin.post(f"/backoffice/users/{sam}/permissions", {**fields, **granted})
        assert answer.status_code == 303, answer.text[:500]
    demotion = rig.head()
    assert rig.members(f"users/{sam}.json")["sys_admin"] is False
    support = rig.client("support")   # signed in again: a support session now
    refused = revert(support, f"/backoffice/systems/{SYSTEM}/revert", demotion)
    assert refused.status_code == 422, refused.text[:500]
    assert "not in the history of this system" in refused.text
    assert revert(support, f"/backoffice/users/{sam}/revert", demotion).status_code == 403
    assert rig.head() == demotion
    assert rig.members(f"users/{sam}.json")["sys_admin"] is False


def test_every_revert_route_checks_every_path_of_the_revert(rig):
    admin = rig.callers["admin"]
    jamie = "user-jamie"
    # Commits support may not undo, each in the history of the objects it touches.
    system = rig.members(f"systems/{SYSTEM}.json")
    user = rig.members(f"users/{jamie}.json")
    both = rig.push("a system and a user together", {
        f"systems/{SYSTEM}.json": {**system, "capacity": 11},
        f"users/{jamie}.json": {**user, "department": "Facilities"}})
    fields = admin.form("/backoffice/deployment/edit")
    fields["title"] = "Harbour Point (revert test)"
    assert admin.post("/backoffice/deployment/edit", fields).status_code == 303
    deployment = rig.head()
    fields = admin.form("/backoffice/systems/sys-l2-buoy/edit")
    fields["settings.admin"] = json.dumps({"alarm_code": "4711"})
    assert admin.post("/backoffice/systems/sys-l2-buoy/edit", fields).status_code == 303
    secret = rig.head()
    rig.push("an API key", {"api-keys/key-revert-probe.json": {"name": "probe", "user_id": "user-admin"}})
    deleted_key = rig.push("delete the API key", {"api-keys/key-revert-probe.json": None})
    projector = rig.members(f"modules/{PROJECTOR}.json")
    moved = rig.push("move the projector", {f"modules/{PROJECTOR}.json": {**projector, "ip": "127.0.0.2"}})
    forbidden = {"system+user": both, "deployment": deployment, "admin setting": secret, "deleted key": deleted_key,
                 "projector address": moved}

    table = admin.session.get(rig.server.base + "/api/_test/routes").json()
    patterns = sorted(row["pattern"] for row in table if row["method"] == "POST" and row["pattern"].endswith("/revert"))
    assert patterns == ["/backoffice/:kind/:id/revert", "/backoffice/deployment/revert", "/backoffice/metadata/:parent_id/:name/revert"]
    ids = {"systems": [SYSTEM, "sys-l2-buoy"], "users": [jamie], "api-keys": ["key-revert-probe"], "modules": [PROJECTOR],
           "drivers": ["driver-pjlink-projector"], "zones": ["zone-hp-l2"]}
    routes = ["/backoffice/deployment/revert"] + [f"/backoffice/{kind}/{id}/revert" for kind, some in ids.items() for id in some]
    # Metadata entries: a zone's, a system's, and the user's own (which the user may edit and revert).
    uma = rig.user_id("user")
    own = rig.client("user")
    fields = own.form(f"/backoffice/metadata/{uma}/prefs/edit")
    assert own.post(f"/backoffice/metadata/{uma}/prefs/edit", {**fields, "_mode": "json", "details": '{"theme": "dark"}'}).status_code == 303
    routes += ["/backoffice/metadata/zone-hp-tower/features/revert", "/backoffice/metadata/sys-l3-boardroom/av-notes/revert",
               f"/backoffice/metadata/{uma}/prefs/revert"]
    head = rig.head()
    tried = 0
    for role in ("support", "user"):
        caller = rig.client(role)
        for route in routes:
            for name, commit in forbidden.items():
                answer = revert(caller, route, commit)
                tried += 1
                assert answer.status_code in (403, 422), f"{role} reverting {name} through {route}: {answer.status_code}"
                assert rig.head() == head, f"{role} reverting {name} through {route} made a commit"
    assert tried == 2 * len(routes) * len(forbidden)
    # Even an admin names only a commit of the history the button is on.
    for route, commit in [(f"/backoffice/systems/{SYSTEM}/revert", deployment), ("/backoffice/deployment/revert", both),
                          (f"/backoffice/modules/{LIGHTING}/revert", moved)]:
        answer = revert(admin, route, commit)
        assert answer.status_code == 422 and "not in the history" in answer.text, route
    assert rig.head() == head
    # What support may change, support may revert: the module form check lets this through.
    support = rig.client("support")
    fields = support.form(f"/backoffice/modules/{LIGHTING}/edit")
    fields["ip"] = "127.0.0.3"
    assert support.post(f"/backoffice/modules/{LIGHTING}/edit", fields).status_code == 303
    lighting_moved = rig.head()
    answer = revert(support, f"/backoffice/modules/{LIGHTING}/revert", lighting_moved)
    assert answer.status_code == 303, answer.text[:500]
    assert rig.members(f"modules/{LIGHTING}.json")["ip"] == "127.0.0.1"


def test_support_cannot_point_a_secret_receiving_module_elsewhere(rig):
    support = rig.client("support")
    path = f"/backoffice/modules/{PROJECTOR}/edit"
    head = rig.head()
    fields = support.form(path)
    fields["ip"] = "127.0.0.9"
    answer = support.post(path, fields)
    assert answer.status_code == 403, answer.text[:500]
    assert "the most secret settings it receives (admin level)" in answer.text
    assert 'value="127.0.0.9"' in answer.text   # the input is kept
    assert rig.head() == head
    # Creating a PJLink module is choosing where it connects, too.
    form = support.form("/backoffice/modules/new")
    form.update({"driver_id": "driver-pjlink-projector", "ip": "127.0.0.9", "port": "4352"})
    assert support.post("/backoffice/modules/new", form).status_code == 403
    assert rig.head() == head
