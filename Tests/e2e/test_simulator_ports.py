"""Two servers on one machine with the sample building (issue 11, "Also"): a new state directory
gets free ports of its own for its simulators, recorded in its configuration, so each server
talks to its own devices; a server never takes a simulator's port nor the other
way round; and the sample's README copied into each new repository names no password."""
import json
import os
import socket
import subprocess
import tempfile

import requests

from conftest import BACKOFFICE, SAMPLE_CONFIG, free_port
from http_server import ServeProcess
from runtime_harness import wait_for


class SampleServer(ServeProcess):
    """`backoffice serve` on a new state directory: it creates the sample building itself."""

    def __init__(self, extra=()):
        self.tmp = tempfile.TemporaryDirectory(prefix="bo-sim-ports-")
        self.state = os.path.join(self.tmp.name, "state")
        self.launch(["--state", self.state, "--auth", "off", *extra], os.path.join(self.tmp.name, "serve.log"), timeout=60)

    def module(self, module_id):
        with open(os.path.join(self.state, "config", "modules", module_id + ".json")) as handle:
            return json.load(handle)

    def endpoints(self):
        """Every local port the sample's simulated modules use (device ports and the occupancy URL)."""
        ports = {}
        folder = os.path.join(self.state, "config", "modules")
        for name in os.listdir(folder):
            with open(os.path.join(folder, name)) as handle:
                members = json.load(handle)
            if "port" in members:
                ports[name[:-5]] = members["port"]
            elif members.get("uri", "").startswith("http://127.0.0.1:"):
                ports[name[:-5]] = int(members["uri"].split(":")[2].split("/")[0])
        return ports


def test_a_second_server_gets_its_own_simulator_ports_and_talks_to_its_own_devices():
    first = SampleServer()
    try:
        second = SampleServer()
        try:
            taken, mine = first.endpoints(), second.endpoints()
            assert set(taken) == set(mine) and len(mine) > 40
            # Every port of the second building differs from the first's (those are all in use).
            clashes = [module for module in mine if mine[module] == taken[module]]
            assert clashes == [], clashes
            assert second.port not in set(mine.values())
            assert "simulators: ports in use" not in second.output()
            log = subprocess.run(["git", "-C", os.path.join(second.state, "config"), "log", "--format=%B"],
                                 capture_output=True, text=True, check=True).stdout
            assert "Simulated devices on ports of their own, free when this repository was created" in log, log
            # Its modules come online, on its own simulators (no others listen on those ports).
            hvac = "mod-l1-huddle-hvac"
            wait_for(lambda: requests.get(f"{second.base}/api/engine/v2/modules/{hvac}/state/connected").json() is True, 60,
                     "the second building's HVAC connected")
        finally:
            second.stop()
    finally:
        first.stop()


def test_serve_refuses_a_port_a_simulator_needs_and_a_simulator_port_in_use():
    root = tempfile.TemporaryDirectory(prefix="bo-sim-ports-")
    try:
        state, repo = os.path.join(root.name, "state"), os.path.join(root.name, "config")
        created = subprocess.run([BACKOFFICE, "init", repo, "--state", state], capture_output=True, text=True, timeout=120)
        assert created.returncode == 0, created.stderr
        with open(os.path.join(repo, "modules", "mod-l1-huddle-hvac.json")) as handle:
            hvac_port = json.load(handle)["port"]
        served = subprocess.run([BACKOFFICE, "serve", "--state", state, "--repo", repo, "--port", str(hvac_port)],
                                capture_output=True, text=True, timeout=60)
        assert served.returncode == 1
        assert f"port {hvac_port} is the port of a simulated device (modbus-hvac for mod-l1-huddle-hvac)" in served.stderr, served.stderr
        # A simulator whose port something else holds: refused, not silently shared.
        holder = socket.socket()
        holder.bind(("127.0.0.1", hvac_port))
        holder.listen(1)
        try:
            served = subprocess.run([BACKOFFICE, "serve", "--state", state, "--repo", repo, "--port", str(free_port())],
                                    capture_output=True, text=True, timeout=60)
            assert served.returncode == 1
            assert f"port {hvac_port} (modbus-hvac for mod-l1-huddle-hvac) is in use by another process" in served.stderr, served.stderr
        finally:
            holder.close()
    finally:
        root.cleanup()


def test_the_repository_readme_names_no_password():
    secrets = []
    for folder in ("drivers", "modules", "systems", "zones"):
        for name in os.listdir(os.path.join(SAMPLE_CONFIG, folder)):
            with open(os.path.join(SAMPLE_CONFIG, folder, name)) as handle:
                settings = json.load(handle).get("settings", {})
            for level in ("support", "admin", "never_display"):
                secrets += [value for value in settings.get(level, {}).values() if isinstance(value, str)]
    assert "harbourpoint" in secrets   # the PJLink password of the demo
    root = tempfile.TemporaryDirectory(prefix="bo-readme-")
    try:
        repo = os.path.join(root.name, "config")
        created = subprocess.run([BACKOFFICE, "init", repo, "--state", os.path.join(root.name, "state")],
                                 capture_output=True, text=True, timeout=120)
        assert created.returncode == 0, created.stderr
        with open(os.path.join(repo, "README.md")) as handle:
            readme = handle.read()
        for secret in secrets:
            assert f'"{secret}"' not in readme and f"`{secret}`" not in readme, secret
    finally:
        root.cleanup()
