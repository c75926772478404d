"""A restart onto an invalid branch head: the runtime refuses it as it would a new commit,
runs the commit it applied before the restart, and the site shows the banner."""
import os
import sys

import requests

from conftest import BACKOFFICE, free_port

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "RuntimeTests", "Fixtures"))
from runtime_harness import Device, Server, python_building, wait_for  # noqa: E402


def start(state=None):
    return Server(BACKOFFICE, free_port(), args=["--no-simulators"], state=state)


def greeting(server):
    return server.get("/api/engine/v2/modules/mod-py-a/state/greeting")[1]


def test_a_restart_onto_an_invalid_head_runs_the_last_good_commit():
    device = Device()
    server = start()
    try:
        server.commit(python_building({"mod-py-a": {"port": device.port, "settings": {"none": {"greeting": "good"}}}}),
                      "add the Python lab")
        wait_for(lambda: server.module_state("mod-py-a") == "running" and greeting(server) == "good", what="the good commit to run")

        # Pushed past the gate (a commit in the working tree): a new greeting plus a dangling driver.
        module = server.read("modules/mod-py-a.json")
        module["settings"]["none"]["greeting"] = "from the invalid commit"
        server.commit({"modules/mod-py-a.json": module,
                       "modules/mod-py-broken.json": {"driver_id": "driver-does-not-exist", "ip": "127.0.0.1"}},
                      "break the configuration")
        wait_for(lambda: "is invalid" in server.output(), what="the invalid commit to be refused")
        server.stop(keep_state=True)

        server = start(state=server.state)
        log = server.output()
        assert "is invalid" in log and "the last good commit" in log, log
        wait_for(lambda: server.module_state("mod-py-a") == "running", what="mod-py-a running after the restart")
        assert greeting(server) == "good"
        assert server.module_state("mod-py-broken") != "running"
        home = requests.get(server.url + "/backoffice/", timeout=10).text
        assert "head of the branch is invalid" in home and "driver-does-not-exist" in home

        # Repairing the head applies it as usual.
        server.commit({}, "repair the configuration", delete=["modules/mod-py-broken.json"])
        wait_for(lambda: greeting(server) == "from the invalid commit", what="the repaired head to be applied")
    finally:
        server.stop()
        device.close()
