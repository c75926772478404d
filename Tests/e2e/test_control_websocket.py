"""The WebSocket control API (/api/engine/v2/systems/control, placeos-api §5) with a Python
`websockets` client against modules of the Python test driver."""
import json
import os
import sys

import pytest

from conftest import BACKOFFICE, free_port

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "RuntimeTests", "Fixtures"))
from runtime_harness import PY_SYSTEM, Control, Server, python_building, wait_for  # noqa: E402

MODULES = {"mod-ws-a": {"settings": {"none": {"greeting": "hello"}}}, "mod-ws-b": {}}


@pytest.fixture(scope="module")
def server():
    server = Server(BACKOFFICE, free_port(), env={"BACKOFFICE_EXEC_TIMEOUT": "1"}, args=["--no-simulators"])
    server.commit(python_building(MODULES), "add the lab")
    wait_for(lambda: all(server.module_state(m) == "running" for m in MODULES), what="modules running")
    yield server
    server.stop()


@pytest.fixture
def control(server):
    control = Control(server)
    yield control
    control.close()


def meta(mod="Tester", index=1, name=""):
    return {"sys": PY_SYSTEM, "mod": mod, "index": index, "name": name}


def test_text_ping_gets_pong(control):
    control.socket.send("ping")
    assert control.socket.recv(5) == "pong"


def test_bind_answers_success_then_the_current_value_then_each_change(control):
    answer = control.call(cmd="bind", sys=PY_SYSTEM, mod="Tester", index=1, name="greeting")
    assert answer == {"id": answer["id"], "type": "success", "meta": meta(name="greeting")}
    assert control.receive() == {"type": "notify", "meta": meta(name="greeting"), "value": "hello"}
    assert control.call(cmd="exec", sys=PY_SYSTEM, mod="Tester", index=1, name="set_status", args=["greeting", "hi"])["value"] is True
    assert control.wait(lambda m: m["type"] == "notify")["value"] == "hi"
    assert control.call(cmd="unbind", sys=PY_SYSTEM, mod="Tester", index=1, name="greeting")["type"] == "success"
    control.call(cmd="exec", sys=PY_SYSTEM, mod="Tester", index=1, name="set_status", args=["greeting", "hello"])
    # After unbind no notify arrives: the next message is the pong.
    assert not control.backlog
    control.socket.send("ping")
    assert control.socket.recv(5) == "pong"


def test_exec_returns_the_value_with_meta_and_code(control):
    answer = control.call(cmd="exec", sys=PY_SYSTEM, mod="Tester", index=2, name="add", args=[1, 2])
    assert answer["type"] == "success" and answer["value"] == 3 and answer["code"] == 200
    assert answer["meta"] == meta(index=2, name="add")


@pytest.mark.parametrize("request_, code", [
    ({"cmd": "exec", "sys": PY_SYSTEM, "mod": "Tester", "name": "add", "args": ["x"]}, 1),
    ({"cmd": "exec", "sys": PY_SYSTEM, "mod": "Tester", "name": "add", "args": [1, 2, 3]}, 1),
    ({"cmd": "exec", "sys": PY_SYSTEM, "mod": "Tester", "name": "nope", "args": []}, 4),
    ({"cmd": "exec", "sys": "sys-nope", "mod": "Tester", "name": "add", "args": [1]}, 5),
    ({"cmd": "exec", "sys": PY_SYSTEM, "mod": "Tester", "index": 7, "name": "add", "args": [1]}, 6),
    ({"cmd": "bind", "sys": PY_SYSTEM, "mod": "Nope", "name": "x"}, 6),
    ({"cmd": "exec", "sys": PY_SYSTEM, "mod": "Tester", "name": "fail", "args": []}, 3),
    ({"cmd": "exec", "sys": PY_SYSTEM, "mod": "Tester", "name": "never", "args": []}, 3),
    ({"cmd": "launch", "sys": PY_SYSTEM, "mod": "Tester", "name": "x"}, 1),
    ({"cmd": "bind", "sys": PY_SYSTEM, "mod": "Tester", "name": "x", "extra": 1}, 1),
    ({"cmd": "bind", "sys": PY_SYSTEM, "mod": "Tester"}, 1),
])
def test_errors_carry_the_right_code(control, request_, code):
    answer = control.call(**request_)
    assert answer["type"] == "error" and answer["error_code"] == code, answer
    assert answer["msg"]


def test_unparseable_requests_get_code_0_and_the_session_continues(control):
    control.socket.send("{not json")
    assert control.receive()["error_code"] == 0
    control.socket.send(json.dumps({"id": "seven", "cmd": "bind"}))
    assert control.receive()["error_code"] == 0
    assert control.call(cmd="exec", sys=PY_SYSTEM, mod="Tester", name="echo", args=["still here"])["value"] == "still here"


def test_debug_streams_log_lines_until_ignore(control):
    assert control.call(cmd="debug", mod="mod-ws-a")["type"] == "success"
    control.call(cmd="exec", sys=PY_SYSTEM, mod="Tester", name="log", args=["hey"])
    line = control.wait(lambda m: m["type"] == "debug" and m["msg"] == "info says hey")
    assert line["mod"] == "mod-ws-a" and line["level"] == "info"
    control.wait(lambda m: m["type"] == "debug" and m["msg"] == "stderr says hey")
    control.wait(lambda m: m["type"] == "debug" and m["level"] == "debug" and m["msg"].startswith("exec log"))
    assert control.call(cmd="ignore", mod="mod-ws-a")["type"] == "success"


def test_bindings_follow_a_reordered_system(server, control):
    control.call(cmd="exec", sys=PY_SYSTEM, mod="Tester", index=2, name="set_status", args=["color", "blue"])
    control.call(cmd="exec", sys=PY_SYSTEM, mod="Tester", index=1, name="set_status", args=["color", "red"])
    assert control.call(cmd="bind", sys=PY_SYSTEM, mod="Tester", index=1, name="color")["type"] == "success"
    assert control.wait(lambda m: m["type"] == "notify")["value"] == "red"
    system = server.read("systems/%s.json" % PY_SYSTEM)
    system["modules"] = list(reversed(system["modules"]))
    server.commit({"systems/%s.json" % PY_SYSTEM: system}, "swap the testers")
    # Tester_1 is now mod-ws-b: the binding moves and reports its value.
    assert control.wait(lambda m: m["type"] == "notify")["value"] == "blue"
    control.call(cmd="exec", sys=PY_SYSTEM, mod="Tester", index=1, name="set_status", args=["color", "green"])
    assert control.wait(lambda m: m["type"] == "notify")["value"] == "green"
    system["modules"] = list(reversed(system["modules"]))
    server.commit({"systems/%s.json" % PY_SYSTEM: system}, "swap them back")
    assert control.wait(lambda m: m["type"] == "notify")["value"] == "red"


def test_many_clients_bound_to_one_status_all_get_the_change(server):
    clients = [Control(server) for _ in range(20)]
    try:
        for client in clients:
            client.call(cmd="bind", sys=PY_SYSTEM, mod="Tester", index=2, name="counter")
            client.wait(lambda m: m["type"] == "notify")
        clients[0].call(cmd="exec", sys=PY_SYSTEM, mod="Tester", index=2, name="set_status", args=["counter", 99])
        for client in clients:
            assert client.wait(lambda m: m["type"] == "notify")["value"] == 99
    finally:
        for client in clients:
            client.close()
