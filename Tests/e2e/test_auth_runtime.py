"""The runtime with identity and access on: REST state/exec, the WebSocket control API and the
site's live feed, each checked against the principal (role, per-function security, scopes),
and the access log recording control over the WebSocket."""
import json
import os
import time

import pytest
import requests
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from auth_server import USERS, AuthServer
from runtime_harness import wait_for

ENGINE = "/api/engine/v2"
SYSTEM = "sys-l1-huddle"
HVAC = "mod-l1-huddle-hvac"


@pytest.fixture(scope="module")
def auth():
    server = AuthServer()
    try:
        admin = server.browser("admin")
        # Running (exec is refused while it starts), connected, and its registers read once.
        wait_for(lambda: admin.post(server.base + f"{ENGINE}/modules/{HVAC}/ping").json()["state"] == "running"
                 and admin.get(server.base + f"{ENGINE}/modules/{HVAC}/state/connected").json() is True
                 and admin.get(server.base + f"{ENGINE}/systems/{SYSTEM}/HVAC_1/setpoint").json() is not None,
                 30, "the HVAC module running with a setpoint")
        yield server
    finally:
        server.stop()


def cookie_header(session):
    return "; ".join(f"{name}={value}" for name, value in session.cookies.items())


class Socket:
    """A synchronous WebSocket client that answers requests by id."""

    def __init__(self, auth, path=ENGINE + "/systems/control", headers=None):
        self.context = connect(f"ws://127.0.0.1:{auth.port}{path}", additional_headers=headers or {})
        self.connection = self.context.__enter__()
        self.next_id = 0

    def request(self, **members):
        self.next_id += 1
        members["id"] = self.next_id
        self.connection.send(json.dumps(members))
        return self.answer(self.next_id)

    def answer(self, request_id, timeout=15):
        deadline = time.monotonic() + timeout
        while True:
            message = json.loads(self.connection.recv(max(deadline - time.monotonic(), 0.1)))
            if message.get("id") == request_id:
                return message

    def next(self, predicate, timeout=15):
        deadline = time.monotonic() + timeout
        while True:
            message = json.loads(self.connection.recv(max(deadline - time.monotonic(), 0.1)))
            if predicate(message):
                return message

    def close(self):
        self.context.__exit__(None, None, None)


def as_role(auth, role):
    session = auth.browser(role)
    return session, {"Cookie": cookie_header(session)}


def test_anonymous_gets_401_on_rest_and_the_websocket_upgrade(auth):
    assert requests.get(auth.base + f"{ENGINE}/systems/{SYSTEM}/HVAC_1").status_code == 401
    assert requests.post(auth.base + f"{ENGINE}/systems/{SYSTEM}/HVAC_1/refresh", json=[]).status_code == 401
    for path in ["/systems/control", "/live"]:
        with pytest.raises(InvalidStatus) as refused:
            Socket(auth, ENGINE + path)
        assert refused.value.response.status_code == 401


def test_a_user_reads_and_operates_but_not_administrator_functions_nor_modules(auth):
    session, _ = as_role(auth, "user")
    state = session.get(auth.base + f"{ENGINE}/systems/{SYSTEM}/HVAC_1")
    assert state.status_code == 200 and "setpoint" in state.json()
    assert session.post(auth.base + f"{ENGINE}/systems/{SYSTEM}/HVAC_1/set_setpoint", json=[21.5]).status_code == 200
    refused = session.post(auth.base + f"{ENGINE}/systems/{SYSTEM}/HVAC_1/write_register", json=[0, 230])
    assert refused.status_code == 403 and "administrator" in refused.json()["message"]
    assert session.get(auth.base + f"{ENGINE}/modules/{HVAC}/state").status_code == 403
    assert session.post(auth.base + f"{ENGINE}/modules/{HVAC}/exec/refresh", json=[]).status_code == 403


def test_a_user_over_the_websocket(auth):
    _, headers = as_role(auth, "user")
    socket = Socket(auth, headers=headers)
    try:
        bound = socket.request(cmd="bind", sys=SYSTEM, mod="HVAC", index=1, name="setpoint")
        assert bound["type"] == "success"
        done = socket.request(cmd="exec", sys=SYSTEM, mod="HVAC", index=1, name="set_setpoint", args=[22])
        assert done["type"] == "success", done
        refused = socket.request(cmd="exec", sys=SYSTEM, mod="HVAC", index=1, name="write_register", args=[0, 230])
        assert refused["type"] == "error" and refused["error_code"] == 2 and "administrator" in refused["msg"]
        debug = socket.request(cmd="debug", mod=HVAC)
        assert debug["type"] == "error" and debug["error_code"] == 2
    finally:
        socket.close()


def user_id(auth, role):
    for name in os.listdir(os.path.join(auth.state, "config", "users")):
        with open(os.path.join(auth.state, "config", "users", name)) as handle:
            if json.load(handle).get("email") == USERS[role]:
                return name[:-5]
    raise AssertionError("no user " + USERS[role])


def test_websocket_exec_and_bind_are_in_the_access_log(auth):
    with open(os.path.join(auth.state, "auth", "access.log")) as handle:
        entries = [json.loads(line) for line in handle if line.strip()]
    mine = {(entry["system_id"], entry["action"]) for entry in entries if entry["user_id"] == user_id(auth, "user")}
    assert (SYSTEM, "control") in mine and (SYSTEM, "view") in mine
    page = auth.browser("admin").get(auth.base + f"/backoffice/users/{user_id(auth, 'user')}/").text
    assert f'data-access="{SYSTEM}"' in page


def test_support_reads_modules_and_debugs_but_only_admin_writes_raw_registers(auth):
    support, headers = as_role(auth, "support")
    assert support.get(auth.base + f"{ENGINE}/modules/{HVAC}/state").status_code == 200
    assert support.post(auth.base + f"{ENGINE}/systems/{SYSTEM}/HVAC_1/write_register", json=[0, 230]).status_code == 403
    socket = Socket(auth, headers=headers)
    try:
        assert socket.request(cmd="debug", mod=HVAC)["type"] == "success"
        line = socket.next(lambda message: message.get("type") == "debug" and message.get("mod") == HVAC)
        assert line["msg"]
    finally:
        socket.close()
    admin = auth.browser("admin")
    written = admin.post(auth.base + f"{ENGINE}/systems/{SYSTEM}/HVAC_1/write_register", json=[0, 230])
    assert written.status_code == 200, written.text
    assert admin.get(auth.base + f"{ENGINE}/systems/{SYSTEM}/HVAC_1/setpoint").json() == 23


def test_an_api_key_limited_to_systems_read_reads_but_cannot_exec(auth):
    key = {"X-API-Key": auth.narrow_key}
    assert requests.get(auth.base + f"{ENGINE}/systems/{SYSTEM}/HVAC_1", headers=key).status_code == 200
    assert requests.post(auth.base + f"{ENGINE}/systems/{SYSTEM}/HVAC_1/set_setpoint", json=[21], headers=key).status_code == 403
    socket = Socket(auth, headers=key)
    try:
        assert socket.request(cmd="bind", sys=SYSTEM, mod="HVAC", index=1, name="setpoint")["type"] == "success"
        refused = socket.request(cmd="exec", sys=SYSTEM, mod="HVAC", index=1, name="set_setpoint", args=[21])
        assert refused["type"] == "error" and refused["error_code"] == 2 and "systems.write" in refused["msg"]
    finally:
        socket.close()


def test_the_live_feed_gives_dots_to_users_and_module_state_only_to_support(auth):
    _, headers = as_role(auth, "user")
    feed = Socket(auth, ENGINE + "/live", headers=headers)
    try:
        feed.connection.send(json.dumps({"watch": "modules", "ids": [HVAC]}))
        dot = feed.next(lambda message: message.get("type") == "module")
        assert dot["id"] == HVAC and dot["dot"] == "online"
        feed.connection.send(json.dumps({"watch": "status", "module": HVAC}))
        refused = feed.next(lambda message: message.get("type") in ("error", "status"))
        assert refused["type"] == "error" and refused["error_code"] == 2
    finally:
        feed.close()
    _, headers = as_role(auth, "support")
    feed = Socket(auth, ENGINE + "/live", headers=headers)
    try:
        feed.connection.send(json.dumps({"watch": "status", "module": HVAC}))
        status = feed.next(lambda message: message.get("type") == "status")
        assert status["values"]["setpoint"] in (21.5, 22, 23)
    finally:
        feed.close()


def test_the_debug_console_hides_setting_values_above_the_readers_level(auth):
    """The Lutron driver logs what it sends, its login password included; the password is an
    admin-level setting, so support's console shows `[hidden]` in its place."""
    import subprocess
    lighting = "mod-l1-huddle-lighting"
    config = ["git", "-C", os.path.join(auth.state, "config"), "-c", "user.name=Test", "-c", "user.email=test@example.com"]
    # The working tree follows the server's own commits in the background; `commit -a` on a
    # tree behind the branch would undo them.
    wait_for(lambda: subprocess.run(config + ["status", "--porcelain"], check=True, capture_output=True, text=True).stdout == "",
             30, "the working tree to catch up with the branch")
    path = os.path.join(auth.state, "config", "modules", lighting + ".json")
    with open(path) as handle:
        document = json.load(handle)
    document["settings"] = {"admin": {"password": "integration"}}  # what the simulator expects
    with open(path, "w") as handle:
        json.dump(document, handle, indent=2, sort_keys=True)
        handle.write("\n")
    subprocess.run(config + ["commit", "-qam", "Lighting password at admin level"], check=True)
    support, headers = as_role(auth, "support")
    socket = Socket(auth, headers=headers)
    try:
        assert socket.request(cmd="debug", mod=lighting)["type"] == "success"
        # Restart the module so the driver logs in again while we watch.
        assert support.post(auth.base + f"{ENGINE}/modules/{lighting}/stop").status_code == 200
        assert support.post(auth.base + f"{ENGINE}/modules/{lighting}/start").status_code == 200
        lines = []

        def hidden_line(message):
            if message.get("type") == "debug":
                lines.append(message["msg"])
                return "[hidden]" in message["msg"]
            return False
        socket.next(hidden_line, timeout=30)
        assert not any("integration" in line for line in lines), lines
    finally:
        socket.close()


def test_a_zone_exec_runs_on_every_system_of_the_zone_within_the_callers_clearance(auth):
    systems = ["sys-l1-huddle", "sys-l1-interview", "sys-l1-reception", "sys-l1-training", "sys-l1-wharf"]
    user, _ = as_role(auth, "user")
    missing = user.post(auth.base + f"{ENGINE}/zones/zone-hp-l1/exec/Nothing_1/anything", json=[])
    assert missing.status_code == 200 and missing.json() == {"success": [], "failure": [], "module_missing": systems}
    # An administrator function is refused in every system for a user.
    refused = user.post(auth.base + f"{ENGINE}/zones/zone-hp-l1/exec/HVAC_1/write_register", json=[0, 230]).json()
    assert refused["success"] == [] and SYSTEM in refused["failure"] and refused["module_missing"] == []
    done = user.post(auth.base + f"{ENGINE}/zones/zone-hp-l1/exec/HVAC_1/set_setpoint", json=[22.5]).json()
    assert SYSTEM in done["success"] and sorted(done["success"] + done["failure"]) == systems
    wait_for(lambda: user.get(auth.base + f"{ENGINE}/systems/{SYSTEM}/HVAC_1/setpoint").json() == 22.5, 30, "the new setpoint")
    assert user.post(auth.base + f"{ENGINE}/zones/zone-nope/exec/HVAC_1/set_setpoint", json=[20]).status_code == 404


def test_a_modules_last_error_and_loading_it_again_are_supports(auth):
    user, _ = as_role(auth, "user")
    support, _ = as_role(auth, "support")
    assert user.get(auth.base + f"{ENGINE}/modules/{HVAC}/error").status_code == 403
    error = support.get(auth.base + f"{ENGINE}/modules/{HVAC}/error").json()
    assert error["id"] == HVAC and error["state"] == "running" and error["has_runtime_error"] is False and error["error"] is None
    assert support.get(auth.base + f"{ENGINE}/modules/mod-nope/error").status_code == 404
    assert user.post(auth.base + f"{ENGINE}/modules/{HVAC}/load").status_code == 403
    loaded = support.post(auth.base + f"{ENGINE}/modules/{HVAC}/load")
    assert loaded.status_code == 200 and loaded.json() is True
    wait_for(lambda: support.post(auth.base + f"{ENGINE}/modules/{HVAC}/ping").json()["state"] == "running", 30, "the module running again")
