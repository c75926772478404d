"""The runtime with the bundled Swift drivers against the device simulators: hot apply proven by
the simulators' connection counters, a dropped connection, kill -9 of a driver process."""
import os
import signal
import subprocess
import sys

import pytest

from conftest import BACKOFFICE, free_port

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "RuntimeTests", "Fixtures"))
from runtime_harness import Control, Server, Simulator, wait_for  # noqa: E402

HUDDLE_HVAC, INTERVIEW_HVAC, HUDDLE_LIGHTING = "mod-l1-huddle-hvac", "mod-l1-interview-hvac", "mod-l1-huddle-lighting"


def simulator(kind):
    return Simulator(BACKOFFICE, kind, free_port(), free_port())


@pytest.fixture(scope="module")
def sims():
    started = {"hvac_a": simulator("modbus-hvac"), "hvac_b": simulator("modbus-hvac"),
               "hvac_c": simulator("modbus-hvac"), "lutron": simulator("lutron")}
    yield started
    for sim in started.values():
        sim.stop()


@pytest.fixture(scope="module")
def server(sims):
    server = Server(BACKOFFICE, free_port(), args=["--no-simulators"])
    files = {}
    for module, sim in ((HUDDLE_HVAC, sims["hvac_a"]), (INTERVIEW_HVAC, sims["hvac_b"]), (HUDDLE_LIGHTING, sims["lutron"])):
        members = server.read("modules/%s.json" % module)
        members["port"] = sim.port
        files["modules/%s.json" % module] = members
    server.commit(files, "point three modules at the test simulators")
    # Connected to *these* simulators (the sample's own ports may be served by someone else's).
    for module, name in ((HUDDLE_HVAC, "hvac_a"), (INTERVIEW_HVAC, "hvac_b"), (HUDDLE_LIGHTING, "lutron")):
        wait_for(lambda: sims[name].stats()["connections_open"] >= 1, 20, "%s on its test simulator" % module)
        wait_for(lambda: state(server, module, "connected") is True, 20, "%s connected" % module)
    yield server
    server.stop()


def state(server, module, key):
    return server.get("/api/engine/v2/modules/%s/state/%s" % (module, key))[1]


def test_a_port_change_reconnects_only_that_module(server, sims):
    counts = {name: sim.accepted() for name, sim in sims.items()}
    members = server.read("modules/%s.json" % HUDDLE_HVAC)
    members["port"] = sims["hvac_c"].port
    server.commit({"modules/%s.json" % HUDDLE_HVAC: members}, "move the huddle HVAC")
    wait_for(lambda: sims["hvac_c"].accepted() == counts["hvac_c"] + 1, what="the HVAC on its new controller")
    wait_for(lambda: state(server, HUDDLE_HVAC, "connected") is True, what="connected again")
    assert sims["hvac_b"].accepted() == counts["hvac_b"]
    assert sims["lutron"].accepted() == counts["lutron"]
    assert sims["hvac_b"].stats()["connections_open"] >= 1


def test_a_settings_change_updates_without_reconnecting(server, sims):
    counts = {name: sim.accepted() for name, sim in sims.items()}
    driver = server.read("drivers/driver-lutron-lighting.json")
    driver["settings"]["none"]["fade_seconds"] = 3
    applied = server.output().count("runtime: applying")
    server.commit({"drivers/driver-lutron-lighting.json": driver}, "slower fades")
    wait_for(lambda: server.output().count("runtime: applying") > applied, what="the commit applied")
    # An exec goes down the same pipe after the update, so the update has been handled by then.
    status, answer = server.post("/api/engine/v2/modules/%s/exec/query" % HUDDLE_LIGHTING, [1])
    assert status == 200, answer
    assert {name: sim.accepted() for name, sim in sims.items()} == counts


def test_a_dropped_connection_shows_connected_false_then_true(server, sims):
    control = Control(server)
    try:
        assert control.call(cmd="bind", sys="sys-l1-interview", mod="HVAC", index=1, name="connected")["type"] == "success"
        control.wait(lambda m: m.get("type") == "notify" and m["value"] is True)
        sims["hvac_b"].faults(drop_connections=True)
        control.wait(lambda m: m.get("type") == "notify" and m["value"] is False, 20)
        control.wait(lambda m: m.get("type") == "notify" and m["value"] is True, 20)
    finally:
        control.close()


def test_exec_reaches_the_device_through_the_websocket(server):
    control = Control(server)
    try:
        answer = control.call(cmd="exec", sys="sys-l1-interview", mod="HVAC", index=1, name="set_setpoint", args=[21.5])
        assert answer["type"] == "success", answer
        assert control.call(cmd="bind", sys="sys-l1-interview", mod="HVAC", index=1, name="setpoint")["type"] == "success"
        wait_for(lambda: state(server, INTERVIEW_HVAC, "setpoint") == 21.5, what="the new setpoint")
    finally:
        control.close()


def test_kill_9_of_a_bundled_driver_brings_its_modules_back_within_5_seconds(server):
    pids = subprocess.run(["pgrep", "-P", str(server.process.pid), "-f", "driver-modbus-hvac"],
                          capture_output=True, text=True).stdout.split()
    assert len(pids) == 1
    os.kill(int(pids[0]), signal.SIGKILL)
    wait_for(lambda: server.module_state(INTERVIEW_HVAC) != "running" or
             subprocess.run(["pgrep", "-P", str(server.process.pid), "-f", "driver-modbus-hvac"],
                            capture_output=True, text=True).stdout.split() != pids, 5, "the crash noticed")
    wait_for(lambda: server.module_state(INTERVIEW_HVAC) == "running" and state(server, INTERVIEW_HVAC, "connected") is True,
             5, "the HVAC back within 5 s")


def test_a_device_that_never_answers_gives_an_error_not_a_hang(server, sims):
    sims["hvac_b"].faults(silent=True)
    control = Control(server)
    try:
        answer = control.call(cmd="exec", sys="sys-l1-interview", mod="HVAC", index=1, name="set_setpoint", args=[20.5],
                              timeout=30)
        assert answer["type"] == "error" and answer["error_code"] == 3, answer
    finally:
        sims["hvac_b"].faults()
        control.close()
    wait_for(lambda: server.post("/api/engine/v2/modules/%s/exec/set_setpoint" % INTERVIEW_HVAC, [21])[0] == 200, 30,
             "the HVAC answering again")
