"""`backoffice serve` on the sample building with its simulators: every running module comes
online, room states come from the logic modules, and the status snapshot survives a restart.
How fast it goes live (the 10 s promise of `make run`) is measured by runtime-bench, not here."""
import json
import os
import subprocess
import sys

from conftest import BACKOFFICE, free_port

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "RuntimeTests", "Fixtures"))
from runtime_harness import Server, wait_for  # noqa: E402

ROOM_STATES = {"free", "occupied", "in_use"}


def module_ids(server):
    return sorted(name[:-5] for name in os.listdir(os.path.join(server.config, "modules")) if name.endswith(".json"))


def running_modules(server):
    return [m for m in module_ids(server) if server.read("modules/%s.json" % m).get("running", True)]


def test_the_sample_building_goes_live_and_its_status_survives_a_restart():
    server = Server(BACKOFFICE, free_port())
    try:
        assert len(module_ids(server)) == 74
        modules = running_modules(server)
        assert len(modules) >= 60

        def all_online():
            return all(server.post("/api/engine/v2/modules/%s/ping" % m)[1]["pingable"] for m in modules)
        wait_for(all_online, 60, "every running module online")
        # The logic module is online once running; its first room state follows its first occupancy reading.
        room = wait_for(lambda: server.get("/api/engine/v2/systems/sys-l1-huddle/RoomLogic_1/state")[1],
                        what="the huddle room's first state")
        assert room in ROOM_STATES
        hvac = server.get("/api/engine/v2/modules/mod-l1-huddle-hvac/state")[1]
        assert hvac["connected"] is True and "setpoint" in hvac
        # The demo's MQTT broker: a real mosquitto on the port recorded in the new repository,
        # carrying the air sensors' readings in and every status out.
        air = wait_for(lambda: server.get("/api/engine/v2/systems/sys-l2-openplan/AirQuality_1")[1].get("co2"),
                       what="the level 2 air sensor's first reading")
        assert 420 <= air <= 810
        broker_port = server.read("brokers/broker-harbourpoint-demo.json")["port"]
        assert broker_port != 18830 and server.read("modules/mod-l2-air-quality.json")["uri"] == "mqtt://127.0.0.1:%d" % broker_port
        from mqtt_broker import Recorder
        recorder = Recorder(type("Broker", (), {"port": broker_port}), "placeos/+/state/+/+/+/+/sys-l1-huddle/+/HVAC/1/setpoint")
        try:
            topic = "placeos/zone-harbourpoint/state/_/zone-hp-tower/zone-hp-l1/_/sys-l1-huddle/driver-modbus-hvac/HVAC/1/setpoint"
            wait_for(lambda: recorder.last(topic), what="the huddle room's setpoint on the demo broker")
        finally:
            recorder.close()
        server.process.terminate()
        assert server.process.wait(15) == 0
        saved = os.path.join(server.state, "status", "modules.json")
        assert os.path.exists(saved)
        # The room logic may move the setpoint while the test runs: what must survive is the
        # value the runtime held when it stopped, which it saved.
        last_setpoint = json.load(open(saved))["mod-l1-huddle-hvac"]["setpoint"]
        assert isinstance(last_setpoint, (int, float))
        # Restart without simulators: the last known values are there before any driver reports.
        log = open(server.log_path, "a")
        server.process = subprocess.Popen([BACKOFFICE, "serve", "--state", server.state, "--port", str(server.port),
                                           "--no-simulators", "--auth", "off"], stdout=log, stderr=subprocess.STDOUT)
        wait_for(lambda: server.output().count("is serving") == 2, 30, "the second start")
        assert server.get("/api/engine/v2/modules/mod-l1-huddle-hvac/state/setpoint")[1] == last_setpoint
    finally:
        server.stop()
