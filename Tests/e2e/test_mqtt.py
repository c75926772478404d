"""MQTT both ways with a real mosquitto and Python paho-mqtt: module status published to a broker
in PlaceOS's topic layout (retained, {"time", "value"}, old topics cleared, filters hashing,
resuming after a broker restart), and the bundled MQTT sensor driver turning messages into
statuses seen over the WebSocket control API and publishing commands. docs/mqtt.md."""
import hashlib
import hmac
import json
import os
import subprocess
import sys
import time

import pytest

from conftest import BACKOFFICE, free_port

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "RuntimeTests", "Fixtures"))
from runtime_harness import PY_SYSTEM, Control, Server, python_building, wait_for  # noqa: E402
from mqtt_broker import Mosquitto, Recorder  # noqa: E402

LEVEL = "placeos/zone-harbourpoint/state/_/zone-hp-tower/zone-hp-l2/_/" + PY_SYSTEM
TESTER = LEVEL + "/driver-python-test/Tester/1"
AIR_TOPIC = "e2e/level-2/air"
MODULES = {"mod-mqtt-py": {}}


def lab_files(broker_port, broker_extra=None, tester=None):
    """The Python lab system, under the sample's org/building/level zones, with an MQTT air
    sensor on the test broker, and a broker file for it."""
    files = python_building({"mod-mqtt-py": tester or {}})
    files["systems/%s.json" % PY_SYSTEM]["zones"] = ["zone-harbourpoint", "zone-hp-tower", "zone-hp-l2"]
    files["systems/%s.json" % PY_SYSTEM]["modules"].append("mod-mqtt-air")
    files["modules/mod-mqtt-air.json"] = {
        "driver_id": "driver-mqtt-air-quality", "uri": "mqtt://127.0.0.1:%d" % broker_port,
        "settings": {"none": {
            "command_topic": AIR_TOPIC + "/command", "max_message_bytes": 4096,
            "statuses": {"co2": {"topic": AIR_TOPIC, "path": "$.co2"},
                         "temperature": {"topic": AIR_TOPIC, "path": "$.readings[0].celsius"}}}}}
    files["brokers/broker-e2e.json"] = dict({"name": "E2E broker", "host": "127.0.0.1", "port": broker_port}, **(broker_extra or {}))
    return files


def backoffice(*args):
    return subprocess.run([BACKOFFICE, *args], capture_output=True, text=True, timeout=60)


def broker_state(server):
    """The runtime's view of the broker, from its log (the REST route comes with the site's pages)."""
    return server.output()


@pytest.fixture(scope="module")
def broker():
    running = Mosquitto()
    yield running
    running.close()


@pytest.fixture(scope="module")
def server(broker):
    server = Server(BACKOFFICE, free_port(), args=["--no-simulators"])
    server.commit(lab_files(broker.port), "the lab, its air sensor and the e2e broker")
    wait_for(lambda: server.module_state("mod-mqtt-py") == "running" and server.module_state("mod-mqtt-air") == "running",
             30, "the lab's modules running")
    wait_for(lambda: "mqtt broker-e2e: connected" in server.output(), 30, "the publisher connected")
    yield server
    server.stop()


def connections(server, broker="broker-e2e"):
    """How often the publisher has connected to a broker so far (from the server log)."""
    return server.output().count("mqtt %s: connected" % broker)


def set_status(server, key, value):
    status, answer = server.post("/api/engine/v2/systems/%s/Tester_1/set_status" % PY_SYSTEM, [key, value])
    assert (status, answer) == (200, True)


def test_a_status_change_arrives_on_its_retained_topic_with_time_and_value(server, broker):
    before = int(time.time())
    set_status(server, "greeting", {"text": "hello", "n": 1})
    # A client that connects afterwards gets the value from the broker's retained store.
    late = Recorder(broker, TESTER + "/#")
    try:
        wait_for(lambda: late.last(TESTER + "/greeting"), 15, "the retained greeting")
        topic, payload, retained = [m for m in late.messages if m[0] == TESTER + "/greeting"][-1]
        assert retained
        message = json.loads(payload)
        assert list(message) == ["time", "value"]
        assert message["value"] == {"text": "hello", "n": 1}
        assert before <= message["time"] <= int(time.time())
    finally:
        late.close()
    # Metadata topics carry the system and its driver (without settings).
    meta = Recorder(broker, "placeos/zone-harbourpoint/metadata/#")
    try:
        wait_for(lambda: meta.last("placeos/zone-harbourpoint/metadata/" + PY_SYSTEM), 15, "the system's metadata")
        system = json.loads(meta.last("placeos/zone-harbourpoint/metadata/" + PY_SYSTEM))
        assert system["id"] == PY_SYSTEM and system["name"] == "Python Lab" and "mod-mqtt-py" in system["modules"]
        driver = json.loads(meta.last("placeos/zone-harbourpoint/metadata/driver-pjlink-projector"))
        assert driver["module_name"] == "Projector" and "settings" not in driver
    finally:
        meta.close()


def test_a_renamed_module_clears_its_old_topic(server, broker):
    set_status(server, "power", True)
    live = Recorder(broker, LEVEL + "/#")
    try:
        wait_for(lambda: live.last(TESTER + "/power") is not None, 15, "the power topic")
        server.commit({"modules/mod-mqtt-py.json": {"driver_id": "driver-python-test", "ip": "127.0.0.1", "custom_name": "Renamed"}},
                      "rename the tester")
        renamed = LEVEL + "/driver-python-test/Renamed/1/power"
        wait_for(lambda: live.last(TESTER + "/power") == b"", 30, "the old topic cleared (zero-length retained)")
        wait_for(lambda: live.last(renamed) is not None, 15, "the new topic")
        assert json.loads(live.last(renamed))["value"] is True
    finally:
        live.close()
    fresh = Recorder(broker, LEVEL + "/#")
    try:
        wait_for(lambda: fresh.last(LEVEL + "/driver-python-test/Renamed/1/power") is not None, 15, "the retained new topic")
        assert fresh.payloads(TESTER + "/power") == []   # nothing retained under the old name
    finally:
        fresh.close()
        server.commit({"modules/mod-mqtt-py.json": {"driver_id": "driver-python-test", "ip": "127.0.0.1"}}, "name it back")
        wait_for(lambda: server.get("/api/engine/v2/systems/%s/Tester_1" % PY_SYSTEM)[0] == 200, 30, "Tester_1 again")


def test_filters_hash_an_email(server, broker):
    email = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"
    before = connections(server)
    # An engineer commits a plain secret; the runtime refuses that head until it is sealed.
    server.commit({"brokers/broker-e2e.json": {"name": "E2E broker", "host": "127.0.0.1", "port": broker.port,
                                               "secret": "correlate-not-read", "filters": [email]}}, "hash emails")
    sealed = backoffice("secret", "seal", "--repo", server.config, "--state", server.state)
    assert sealed.returncode == 0, sealed.stderr
    assert server.read("brokers/broker-e2e.json")["secret"].startswith("enc:v1:")
    wait_for(lambda: connections(server) > before, 30, "the broker reconnected with its filters")
    set_status(server, "organiser", "Jamie Lee <jamie@harbourpoint.example>")
    recorder = Recorder(broker, TESTER + "/organiser")
    try:
        wait_for(lambda: recorder.last(TESTER + "/organiser"), 15, "the organiser")
        value = json.loads(recorder.last(TESTER + "/organiser"))["value"]
        digest = hmac.new(b"correlate-not-read", b"jamie@harbourpoint.example", hashlib.sha256).hexdigest()
        assert value == "Jamie Lee <%s>" % digest
        assert b"jamie@" not in recorder.last(TESTER + "/organiser")
    finally:
        recorder.close()


def test_the_broker_restarted_mid_stream_and_publishing_resumes(server, broker):
    before = connections(server)
    set_status(server, "before_restart", "kept")
    set_status(server, "count", 1)
    live = Recorder(broker, TESTER + "/count")
    wait_for(lambda: live.last(TESTER + "/count"), 15, "count 1")
    live.close()
    broker.stop()
    for count in range(2, 40):   # while the broker is down: queued, the newest per topic kept
        set_status(server, "count", count)
    broker.start()   # an empty broker: no persistence, nothing retained
    wait_for(lambda: connections(server) > before, 60, "the publisher reconnected")
    resumed = Recorder(broker, TESTER + "/#")
    try:
        wait_for(lambda: resumed.last(TESTER + "/count") and json.loads(resumed.last(TESTER + "/count"))["value"] == 39,
                 15, "the latest count, retained")
        # The whole state was published again on reconnect, not only what changed while down.
        wait_for(lambda: resumed.last(TESTER + "/before_restart"), 15, "a value set before the restart, republished")
        assert json.loads(resumed.last(TESTER + "/before_restart"))["value"] == "kept"
        set_status(server, "count", 40)
        wait_for(lambda: json.loads(resumed.last(TESTER + "/count"))["value"] == 40, 15, "a change after the restart")
    finally:
        resumed.close()


def test_mqtt_sensor_messages_become_statuses_over_the_websocket_api(server, broker):
    control = Control(server)
    publisher = Recorder(broker, "e2e/unused")
    try:
        wait_for(lambda: server.get("/api/engine/v2/modules/mod-mqtt-air/state/connected")[1] is True, 30, "the sensor connected")
        answer = control.call(cmd="bind", sys=PY_SYSTEM, mod="AirQuality", index=1, name="co2")
        assert answer["type"] == "success"
        publisher.publish(AIR_TOPIC, json.dumps({"co2": 777, "readings": [{"celsius": 22.5}]}))
        notify = control.wait(lambda m: m.get("type") == "notify" and m.get("value") == 777, 15)
        assert notify["meta"] == {"sys": PY_SYSTEM, "mod": "AirQuality", "index": 1, "name": "co2"}
        # The same message's other status, set just after (each status is its own driver message).
        wait_for(lambda: server.get("/api/engine/v2/systems/%s/AirQuality_1/temperature" % PY_SYSTEM) == (200, 22.5), 15,
                 "the temperature from the same message")
        # And, being a status, it is published back out in PlaceOS's layout.
        out = Recorder(broker, LEVEL + "/driver-mqtt-air-quality/AirQuality/1/co2")
        wait_for(lambda: out.last(LEVEL + "/driver-mqtt-air-quality/AirQuality/1/co2"), 15, "the co2 status published")
        assert json.loads(out.last(LEVEL + "/driver-mqtt-air-quality/AirQuality/1/co2"))["value"] == 777
        out.close()
    finally:
        publisher.close()
        control.close()


def test_a_function_publishes_a_command(server, broker):
    commands = Recorder(broker, AIR_TOPIC + "/command")
    control = Control(server)
    try:
        answer = control.call(cmd="exec", sys=PY_SYSTEM, mod="AirQuality", index=1, name="send_command", args=["set_interval", 30])
        assert answer["type"] == "success", answer
        wait_for(lambda: commands.last(AIR_TOPIC + "/command"), 15, "the command")
        assert json.loads(commands.last(AIR_TOPIC + "/command")) == {"command": "set_interval", "value": 30}
    finally:
        control.close()
        commands.close()


def test_malformed_huge_and_flooding_messages_leave_clear_errors_and_the_latest_value(server, broker):
    publisher = Recorder(broker, "e2e/unused")
    state = "/api/engine/v2/modules/mod-mqtt-air/state"
    try:
        publisher.publish(AIR_TOPIC, "{co2: not json")
        wait_for(lambda: "not JSON" in (server.get(state + "/last_error")[1] or ""), 15, "the malformed message reported")
        assert server.get(state + "/last_error")[1].startswith(AIR_TOPIC + ": the payload is not JSON")
        publisher.publish(AIR_TOPIC, json.dumps({"co2": 1, "pad": "x" * 10000}))   # over max_message_bytes (4096)
        publisher.publish(AIR_TOPIC, json.dumps({"co2": 2, "readings": [{"celsius": 20}]}))
        wait_for(lambda: server.get(state + "/co2")[1] == 2, 15, "the small message after the huge one")
        for value in range(3, 20003):
            publisher.client.publish(AIR_TOPIC, json.dumps({"co2": value, "readings": [{"celsius": 20}]}))
        wait_for(lambda: server.get(state + "/co2")[1] == 20002, 60, "the flood's last value")
        # Nothing else was disturbed: the Python module still answers.
        assert server.post("/api/engine/v2/systems/%s/Tester_1/add" % PY_SYSTEM, [2, 3]) == (200, 5)
    finally:
        publisher.close()


def test_wrong_credentials_are_reported_and_fixed_by_a_commit(server):
    locked = Mosquitto(users={"backoffice": "right horse"})
    try:
        server.commit({"brokers/broker-locked.json": {"name": "Locked broker", "host": "127.0.0.1", "port": locked.port,
                                                      "auth_type": 2, "username": "backoffice", "password": "wrong horse"}},
                      "a broker with the wrong password")
        assert backoffice("secret", "seal", "--repo", server.config, "--state", server.state).returncode == 0
        wait_for(lambda: "mqtt broker-locked: the broker refused the connection: not authorised" in server.output(), 30,
                 "the refusal in the log")
        assert "wrong horse" not in server.output()
        assert server.post("/api/engine/v2/systems/%s/Tester_1/add" % PY_SYSTEM, [1, 1]) == (200, 2)
        server.commit({"brokers/broker-locked.json": {"name": "Locked broker", "host": "127.0.0.1", "port": locked.port,
                                                      "auth_type": 2, "username": "backoffice", "password": "right horse"}},
                      "the right password")
        assert backoffice("secret", "seal", "--repo", server.config, "--state", server.state).returncode == 0
        wait_for(lambda: "mqtt broker-locked: connected" in server.output(), 30, "connected with the right password")
        set_status(server, "locked_test", "seen")
        reader = Recorder(locked, TESTER + "/#", username="backoffice", password="right horse")
        try:
            wait_for(lambda: reader.last(TESTER + "/locked_test"), 15, "the state published to the second broker")
        finally:
            reader.close()
    finally:
        server.commit({}, "drop the locked broker", delete=["brokers/broker-locked.json"])
        locked.close()


def test_a_filter_that_does_not_compile_is_refused_at_check_and_push(server, tmp_path):
    clone = str(tmp_path / "clone")
    env = dict(os.environ, GIT_AUTHOR_NAME="T", GIT_AUTHOR_EMAIL="t@example.com", GIT_COMMITTER_NAME="T", GIT_COMMITTER_EMAIL="t@example.com")
    subprocess.run(["git", "clone", "-q", server.config, clone], check=True, env=env)
    with open(os.path.join(clone, "brokers", "broker-bad.json"), "w") as handle:
        json.dump({"name": "Bad", "host": "mqtt://broker.example.com", "port": 99999, "filters": ["[a-z+@"]}, handle)
    subprocess.run(["git", "-C", clone, "add", "-A"], check=True, env=env)
    subprocess.run(["git", "-C", clone, "commit", "-q", "-m", "a bad broker"], check=True, env=env)
    check = backoffice("check", "--repo", clone)
    assert check.returncode == 1
    lines = check.stdout.splitlines() + check.stderr.splitlines()
    assert "brokers/broker-bad.json: filters[0]: is not a valid regular expression: expected ']'" in lines
    assert "brokers/broker-bad.json: port: must be from 1 to 65535, found 99999" in lines
    assert "brokers/broker-bad.json: secret: is required with filters: their matches are replaced by HMAC-SHA256(secret, match)" in lines
    push = subprocess.run(["git", "-C", clone, "push", "-q", "origin", "main"], capture_output=True, text=True, env=env)
    assert push.returncode != 0
    assert "brokers/broker-bad.json: filters[0]: is not a valid regular expression" in push.stderr
    assert not os.path.exists(os.path.join(server.config, "brokers", "broker-bad.json"))
