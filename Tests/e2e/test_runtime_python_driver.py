"""The runtime end to end with a driver written in Python from docs/driver-protocol.md alone:
exec, status, crash and kill -9 recovery, exec timeout, start failures, hot apply by git commit."""
import os
import signal
import sys

import pytest

from conftest import BACKOFFICE, free_port

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "RuntimeTests", "Fixtures"))
from runtime_harness import PY_SYSTEM, Device, Server, python_building, wait_for  # noqa: E402


@pytest.fixture(scope="module")
def device():
    device = Device()
    yield device
    device.close()


@pytest.fixture(scope="module")
def server(device):
    server = Server(BACKOFFICE, free_port(), env={"BACKOFFICE_EXEC_TIMEOUT": "3"}, args=["--no-simulators"])
    modules = {
        "mod-py-a": {"port": device.port, "settings": {"none": {"connect": True, "greeting": "hello"}}},
        "mod-py-b": {"port": device.port, "settings": {"none": {"connect": True}}},
        "mod-py-bad": {"settings": {"none": {"fail_start": True}}},
    }
    server.commit(python_building(modules), "add the Python lab")
    wait_for(lambda: server.module_state("mod-py-a") == "running" and server.module_state("mod-py-b") == "running",
             what="the Python modules to run")
    yield server
    server.stop()


def state(server, module, key=None):
    path = "/api/engine/v2/modules/%s/state" % module + ("/" + key if key else "")
    return server.get(path)[1]


def test_exec_and_status_through_rest(server):
    assert server.post("/api/engine/v2/modules/mod-py-a/exec/echo", ["hi"]) == (200, "hi")
    assert server.post("/api/engine/v2/systems/%s/Tester_2/add" % PY_SYSTEM, [40, 2]) == (200, 42)
    assert state(server, "mod-py-a", "greeting") == "hello"
    wait_for(lambda: state(server, "mod-py-a", "connected") is True, what="connected")
    assert server.post("/api/engine/v2/modules/mod-py-a/exec/set_status", ["power", True]) == (200, True)
    assert server.get("/api/engine/v2/systems/%s/Tester_1/power" % PY_SYSTEM) == (200, True)
    assert server.get("/api/engine/v2/systems/%s/types" % PY_SYSTEM) == (200, {"Tester": 3})
    status, functions = server.get("/api/engine/v2/systems/%s/functions/Tester_1" % PY_SYSTEM)
    assert status == 200 and functions["lamp_reset"]["security"] == "administrator"


def test_bad_calls_get_clear_errors(server):
    status, body = server.post("/api/engine/v2/modules/mod-py-a/exec/echo", [1, 2])
    assert status == 400 and body["error"] == "bad_arguments" and "takes 1 argument" in body["message"]
    assert server.post("/api/engine/v2/modules/mod-py-a/exec/nope", [])[1]["error"] == "unknown_method"
    assert server.post("/api/engine/v2/modules/mod-nope/exec/echo", ["x"])[0] == 404
    assert server.get("/api/engine/v2/systems/sys-nope/Tester_1")[1]["error"] == "unknown_system"
    assert server.post("/api/engine/v2/modules/mod-py-a/exec/echo", {"bogus": 1})[1]["error"] == "bad_arguments"
    status, body = server.post("/api/engine/v2/modules/mod-py-a/exec/fail", [])
    assert status == 502 and body == {"error": "failed", "message": "the device said no"}


def test_a_module_failing_start_is_marked_while_others_run(server):
    def answered():
        # Its start may be answered after the others' (the fixture waits for those two only).
        body = server.post("/api/engine/v2/modules/mod-py-bad/ping")[1]
        return body if body["state"] != "starting" else None
    body = wait_for(answered, what="mod-py-bad's start to be answered")
    assert body["state"] == "failed" and body["error"] == "fail_start is set"
    status, body = server.post("/api/engine/v2/modules/mod-py-bad/exec/echo", ["x"])
    assert status == 409 and body["error"] == "not_running"
    assert server.post("/api/engine/v2/modules/mod-py-a/exec/echo", ["ok"]) == (200, "ok")


def test_exec_timeout_answers_and_the_module_keeps_working(server):
    status, body = server.post("/api/engine/v2/modules/mod-py-a/exec/never", [])
    assert status == 504 and body["error"] == "timeout"
    assert server.post("/api/engine/v2/modules/mod-py-a/exec/echo", ["after"]) == (200, "after")


def test_a_crash_mid_exec_fails_the_call_and_modules_come_back(server):
    pid = state(server, "mod-py-a", "started_pid")
    status, body = server.post("/api/engine/v2/modules/mod-py-a/exec/crash", [])
    assert body["error"] == "driver_crashed"
    # Both modules share the crashed process: both come back.
    wait_for(lambda: state(server, "mod-py-a", "started_pid") != pid and server.module_state("mod-py-a") == "running"
             and server.module_state("mod-py-b") == "running", 5, "the modules back after a crash")
    assert server.post("/api/engine/v2/modules/mod-py-b/exec/echo", ["back"]) == (200, "back")


def test_kill_9_of_the_driver_process_brings_modules_back_within_5_seconds(server):
    pid = state(server, "mod-py-a", "started_pid")
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: state(server, "mod-py-a", "started_pid") != pid and server.module_state("mod-py-a") == "running"
             and server.module_state("mod-py-b") == "running", 5, "modules back within 5 s of kill -9")
    assert server.post("/api/engine/v2/modules/mod-py-a/exec/echo", ["alive"]) == (200, "alive")


def test_a_dropped_device_connection_shows_connected_false_then_true(server, device):
    wait_for(lambda: state(server, "mod-py-a", "connected") is True, what="connected")
    from runtime_harness import Control
    control = Control(server)
    try:
        assert control.call(cmd="bind", sys=PY_SYSTEM, mod="Tester", index=1, name="connected")["type"] == "success"
        control.wait(lambda m: m.get("type") == "notify" and m["value"] is True)
        device.drop_all()
        control.wait(lambda m: m.get("type") == "notify" and m["value"] is False)
        control.wait(lambda m: m.get("type") == "notify" and m["value"] is True)
    finally:
        control.close()


def test_hot_apply_touches_only_what_changed(server, device):
    wait_for(lambda: state(server, "mod-py-b", "connected") is True, what="b connected")
    pid = state(server, "mod-py-a", "started_pid")
    before = device.connections
    # A settings change reaches mod-py-a by `update`; no reconnect, same process.
    module = server.read("modules/mod-py-a.json")
    module["settings"]["none"]["greeting"] = "bonjour"
    server.commit({"modules/mod-py-a.json": module}, "greet in French")
    wait_for(lambda: state(server, "mod-py-a", "greeting") == "bonjour", what="the settings update")
    assert device.connections == before
    assert state(server, "mod-py-a", "started_pid") == pid
    # A port change reconnects only that module: one new connection, to the new device.
    other = Device()
    try:
        module["port"] = other.port
        server.commit({"modules/mod-py-a.json": module}, "move mod-py-a to another device")
        wait_for(lambda: other.connections == 1, what="mod-py-a to connect to the new port")
        assert device.connections == before
        assert state(server, "mod-py-a", "started_pid") == pid
    finally:
        module["port"] = device.port
        server.commit({"modules/mod-py-a.json": module}, "back to the first device")
        other.close()
    wait_for(lambda: device.connections == before + 1, what="mod-py-a back on the first device")
    # running: false stops it; the others stay untouched.
    module["running"] = False
    server.commit({"modules/mod-py-a.json": module}, "stop mod-py-a")
    wait_for(lambda: server.module_state("mod-py-a") == "stopped", what="mod-py-a stopped")
    assert server.module_state("mod-py-b") == "running"
    assert device.connections == before + 1
    del module["running"]
    server.commit({"modules/mod-py-a.json": module}, "start mod-py-a again")
    wait_for(lambda: server.module_state("mod-py-a") == "running", what="mod-py-a running again")


def test_an_invalid_commit_is_not_applied(server):
    module = server.read("modules/mod-py-b.json")
    module["driver_id"] = "driver-does-not-exist"
    server.commit({"modules/mod-py-b.json": module}, "break the configuration")
    wait_for(lambda: "is invalid" in server.output(), what="the invalid commit to be reported")
    assert server.module_state("mod-py-b") == "running"
    module["driver_id"] = "driver-python-test"
    server.commit({"modules/mod-py-b.json": module}, "repair the configuration")


def test_rest_start_and_stop_commit_the_running_field(server):
    assert server.post("/api/engine/v2/modules/mod-py-b/stop")[0] == 200
    assert server.module_state("mod-py-b") == "stopped"
    assert server.last_commit_subject() == 'stop module "Tester"'
    assert server.post("/api/engine/v2/modules/mod-py-b/start")[0] == 200
    wait_for(lambda: server.module_state("mod-py-b") == "running", what="mod-py-b running again")


def test_a_driver_setting_is_committed_by_the_module_and_comes_back_as_update(server):
    status, answer = server.post("/api/engine/v2/modules/mod-py-a/exec/save_setting", ["greeting", "saved"])
    assert status == 200 and answer["ok"] is True, answer
    assert server.last_commit_subject() == "mod-py-a saves setting greeting"
    author = __import__("subprocess").run(["git", "-C", server.config, "log", "-1", "--format=%an", "main"],
                                          capture_output=True, text=True).stdout.strip()
    assert author == "mod-py-a"
    wait_for(lambda: state(server, "mod-py-a", "greeting") == "saved", what="the update with the saved setting")


def test_rest_system_stop_and_start_commit_every_module_once(server):
    assert server.post("/api/engine/v2/systems/%s/stop" % PY_SYSTEM)[0] == 200
    assert server.last_commit_subject() == 'stop the modules of "Python Lab"'
    assert all(server.module_state(m) == "stopped" for m in ("mod-py-a", "mod-py-b", "mod-py-bad"))
    status, body = server.post("/api/engine/v2/modules/mod-py-a/exec/echo", ["x"])
    assert status == 409 and body["error"] == "not_running"
    assert server.post("/api/engine/v2/systems/%s/start" % PY_SYSTEM)[0] == 200
    wait_for(lambda: server.module_state("mod-py-a") == "running" and server.module_state("mod-py-b") == "running",
             what="the lab running again")
    assert server.post("/api/engine/v2/systems/sys-nope/stop")[0] == 404
