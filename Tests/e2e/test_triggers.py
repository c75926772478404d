"""Triggers that run, end to end: the real `backoffice serve` on the sample building, its rooms
pointed at device simulators started by the test; HVAC standby read from the Modbus simulator
with pymodbus, trigger mail received by a real SMTP server (aiosmtpd, STARTTLS and AUTH), the
signed outgoing webhook received by a real HTTP server, configuration changed by git commits
and a git push while the server runs."""
import base64
import email
import email.policy
import hashlib
import hmac
import http.server
import json
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import threading
import urllib.request

import pytest

from conftest import BACKOFFICE, free_port

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "RuntimeTests", "Fixtures"))
from runtime_harness import Server, Simulator, wait_for  # noqa: E402

VACANCY = "triggers/trigger-vacant-hvac-standby.json"
OFFLINE = "triggers/trigger-hvac-offline.json"
STANDBY, AUTO = 5, 1    # the Modbus HVAC's mode register (holding register 1)


def simulator(kind):
    return Simulator(BACKOFFICE, kind, free_port(), free_port())


def hvac_mode(sim):
    from pymodbus.client import ModbusTcpClient
    client = ModbusTcpClient("127.0.0.1", port=sim.port)
    try:
        assert client.connect()
        return client.read_holding_registers(1, count=1, device_id=1).registers[0]
    finally:
        client.close()


def pin_room(occupancy, room, people):
    body = json.dumps({"people_count": people, "presence": people > 0}).encode()
    request = urllib.request.Request("http://127.0.0.1:%d/rooms/%s" % (occupancy.port, room), data=body, method="PUT")
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 200


def state(server, module, key):
    return server.get("/api/engine/v2/modules/%s/state/%s" % (module, key))[1]


def commit_if_changed(server, files, message):
    if any(server.read(path) != members for path, members in files.items()):
        server.commit(files, message)


def point_room_at(server, room, occupancy, hvac):
    """The room's occupancy module polls the test's occupancy simulator; its HVAC module talks to `hvac`."""
    prefix = "mod-" + room[len("sys-"):]
    occupancy_module = server.read("modules/%s-occupancy.json" % prefix)
    occupancy_module["uri"] = "http://127.0.0.1:%d/rooms/%s" % (occupancy.port, room)
    hvac_module = server.read("modules/%s-hvac.json" % prefix)
    hvac_module["port"] = hvac.port
    return {"modules/%s-occupancy.json" % prefix: occupancy_module, "modules/%s-hvac.json" % prefix: hvac_module}


class Receiver:
    """A real HTTP server on a free port that keeps every request it gets."""

    def __init__(self):
        self.requests = []
        received = self.requests

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server API
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                received.append((self.path, self.headers, body))   # header names are case-insensitive
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = "http://127.0.0.1:%d/hooks/backoffice" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def hkdf_sha256(key, info, length=32):
    """RFC 5869 with no salt: the derivation docs/triggers.md names."""
    prk = hmac.new(b"\0" * 32, key, hashlib.sha256).digest()
    out, block, counter = b"", b"", 1
    while len(out) < length:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        out += block
        counter += 1
    return out[:length]


def signing_secret(state_directory, trigger):
    """What an admin would give the webhook's receiver, computed from the deployment secret alone."""
    with open(os.path.join(state_directory, "secret"), "rb") as handle:
        root = handle.read()
    settings_key = hkdf_sha256(root, b"backoffice settings v1")
    derived = hkdf_sha256(settings_key, b"backoffice derived v1\0trigger webhook signing\0" + trigger.encode())
    return base64.urlsafe_b64encode(derived).rstrip(b"=").decode()


@pytest.fixture(scope="module")
def sims():
    started = {"occupancy": simulator("occupancy"), "huddle_hvac": simulator("modbus-hvac"), "lab_hvac": simulator("modbus-hvac")}
    yield started
    for sim in started.values():
        sim.stop()


@pytest.fixture(scope="module")
def building(sims):
    server = Server(BACKOFFICE, free_port(), args=["--no-simulators"])
    try:
        pin_room(sims["occupancy"], "sys-l1-huddle", 3)
        server.commit(point_room_at(server, "sys-l1-huddle", sims["occupancy"], sims["huddle_hvac"]), "huddle room on the test's simulators")
        wait_for(lambda: state(server, "mod-l1-huddle-hvac", "connected") is True, 30, "the huddle HVAC connected")
        wait_for(lambda: state(server, "mod-l1-huddle-occupancy", "people_count") == 3, 30, "the huddle room occupied")
        yield server
    finally:
        server.stop()


def test_a_vacant_room_goes_to_standby_once_an_edit_shortens_the_wait_without_a_restart(building, sims):
    server = building
    receiver = Receiver()
    try:
        assert hvac_mode(sims["huddle_hvac"]) == AUTO
        pid = server.process.pid
        trigger = server.read(VACANCY)
        trigger["conditions"]["time_dependents"] = [{"type": "for", "seconds": 2}]
        trigger["actions"]["webhooks"] = [{"url": receiver.url, "method": "POST"}]
        server.commit({VACANCY: trigger}, "vacancy: two seconds, and tell the receiver")

        pin_room(sims["occupancy"], "sys-l1-huddle", 0)
        wait_for(lambda: hvac_mode(sims["huddle_hvac"]) == STANDBY, 40, "the huddle HVAC in standby on its simulator")
        assert server.process.pid == pid and server.process.poll() is None
        assert server.output().count("is serving") == 1
        assert 'trigger "Vacant room: HVAC to standby" fired in L1 Huddle Room' in server.output()

        # Other rooms of the zone may fire too (their sensors are whatever answers on the sample's
        # ports): take the huddle room's call.
        def huddle_call():
            return next((call for call in receiver.requests
                         if json.loads(call[2]).get("control_system_id") == "sys-l1-huddle"), None)
        path, headers, body = wait_for(huddle_call, 20, "the huddle room's webhook")
        assert path == "/hooks/backoffice"
        expected = "sha256=" + hmac.new(signing_secret(server.state, "trigger-vacant-hvac-standby").encode(), body,
                                        hashlib.sha256).hexdigest()
        assert headers["X-BackOffice-Signature"] == expected
        sent = json.loads(body)
        assert sent["control_system_id"] == "sys-l1-huddle" and sent["system_name"] == "L1 Huddle Room"
        assert sent["triggered"] is True and sent["trigger_count"] >= 1 and sent["manual"] is False
        assert sent["conditions"] == {"comparison_0": True, "time_0": True}
    finally:
        pin_room(sims["occupancy"], "sys-l1-huddle", 3)
        receiver.stop()


def test_a_zone_trigger_reaches_a_room_pushed_into_its_zone(building, sims):
    server = building
    trigger = server.read(VACANCY)
    trigger["conditions"]["time_dependents"] = [{"type": "for", "seconds": 2}]
    trigger["actions"].pop("webhooks", None)
    commit_if_changed(server, {VACANCY: trigger}, "vacancy: two seconds")
    lab = {
        "systems/sys-e2e-lab.json": {"name": "E2E Lab", "modules": ["mod-e2e-lab-occupancy", "mod-e2e-lab-hvac"], "zones": []},
        "modules/mod-e2e-lab-occupancy.json": {"driver_id": "driver-occupancy-sensor",
                                               "uri": "http://127.0.0.1:%d/rooms/sys-e2e-lab" % sims["occupancy"].port},
        "modules/mod-e2e-lab-hvac.json": {"driver_id": "driver-modbus-hvac", "ip": "127.0.0.1", "port": sims["lab_hvac"].port},
    }
    pin_room(sims["occupancy"], "sys-e2e-lab", 0)
    server.commit(lab, "a lab outside the tower")
    wait_for(lambda: state(server, "mod-e2e-lab-hvac", "connected") is True, 30, "the lab HVAC connected")
    wait_for(lambda: state(server, "mod-e2e-lab-occupancy", "people_count") == 0, 30, "the lab reported empty")
    assert hvac_mode(sims["lab_hvac"]) == AUTO      # no zone applies the trigger to it yet

    clone = tempfile.mkdtemp(prefix="backoffice-trigger-clone-")
    try:
        git = ["git", "-C", clone, "-c", "user.name=Engineer", "-c", "user.email=engineer@example.com"]
        subprocess.run(["git", "clone", "-q", server.config, clone], check=True)
        path = os.path.join(clone, "systems", "sys-e2e-lab.json")
        with open(path) as handle:
            system = json.load(handle)
        system["zones"] = ["zone-harbourpoint", "zone-hp-tower"]
        with open(path, "w") as handle:
            json.dump(system, handle, indent=2, sort_keys=True)
            handle.write("\n")
        subprocess.run(git + ["commit", "-qam", "the lab joins the tower"], check=True)
        subprocess.run(git + ["push", "-q", "origin", "HEAD:main"], check=True, capture_output=True)
    finally:
        shutil.rmtree(clone, ignore_errors=True)
    wait_for(lambda: hvac_mode(sims["lab_hvac"]) == STANDBY, 40, "the lab HVAC in standby after the push")
    assert "fired in E2E Lab" in server.output()


@pytest.fixture()
def smtp_server():
    """aiosmtpd on a free port: STARTTLS required (a certificate for localhost, made by openssl),
    AUTH required over TLS, every accepted message kept."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    directory = tempfile.mkdtemp(prefix="backoffice-smtp-")
    cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                   check=True, capture_output=True)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)

    class Mailbox:
        messages, logins = [], []

        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's API
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content, session.ssl is not None))
            return "250 Message accepted for delivery"

    mailbox = Mailbox()

    def authenticate(server, session, envelope, mechanism, auth_data):
        mailbox.logins.append((mechanism, auth_data.login, auth_data.password))
        return AuthResult(success=(auth_data.login, auth_data.password) == (b"backoffice", b"s3cret-Pa55"))

    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port(), tls_context=context, require_starttls=True,
                            authenticator=authenticate, auth_require_tls=True)
    controller.start()
    try:
        yield controller, mailbox, cert
    finally:
        controller.stop()
        shutil.rmtree(directory, ignore_errors=True)


def test_an_offline_hvac_mails_the_team_through_starttls_and_auth(smtp_server):
    controller, mailbox, cert = smtp_server
    occupancy, hvac = simulator("occupancy"), simulator("modbus-hvac")
    # The test's certificate authority for the server's TLS client (OpenSSL reads SSL_CERT_FILE).
    server = Server(BACKOFFICE, free_port(), args=["--no-simulators"], env={"SSL_CERT_FILE": cert})
    try:
        pin_room(occupancy, "sys-l1-huddle", 2)
        files = point_room_at(server, "sys-l1-huddle", occupancy, hvac)
        trigger = server.read(OFFLINE)
        trigger["enabled"] = True
        trigger["conditions"]["time_dependents"] = [{"type": "for", "seconds": 1}]
        # Only the huddle room runs it: the sample's other rooms have no simulators here.
        files[OFFLINE] = trigger
        zone = server.read("zones/zone-hp-tower.json")
        zone["triggers"] = ["trigger-vacant-hvac-standby"]
        files["zones/zone-hp-tower.json"] = zone
        huddle = server.read("systems/sys-l1-huddle.json")
        huddle["triggers"] = [{"trigger_id": "trigger-hvac-offline"}]
        files["systems/sys-l1-huddle.json"] = huddle
        server.commit(files, "huddle room on the test's simulators, offline mail on")
        wait_for(lambda: state(server, "mod-l1-huddle-hvac", "connected") is True, 30, "the huddle HVAC connected")

        # The mail server, with its password in plain text: refused until `secret seal` seals it.
        deployment = server.read("backoffice.json")
        deployment["mail"] = {"host": "localhost", "port": controller.port, "security": "starttls", "username": "backoffice",
                              "password": "s3cret-Pa55", "from": "backoffice@harbourpoint.example", "timeout_seconds": 5}
        server.commit({"backoffice.json": deployment}, "mail through the test's SMTP server")
        wait_for(lambda: "is invalid" in server.output(), 15, "the plain password refused")
        seal = subprocess.run([BACKOFFICE, "secret", "seal", "--repo", server.config, "--state", server.state],
                              capture_output=True, text=True)
        assert seal.returncode == 0, seal.stderr
        wait_for(lambda: server.working_tree_clean(), 15, "the sealed commit checked out")
        assert server.read("backoffice.json")["mail"]["password"].startswith("enc:v1:")

        hvac.stop()   # the controller goes away: the module reports connected false
        wait_for(lambda: mailbox.messages, 60, "the offline mail")
        sender, recipients, content, over_tls = mailbox.messages[0]
        assert sender == "backoffice@harbourpoint.example"
        assert recipients == ["facilities@harbourpoint.example"]
        assert over_tls
        assert mailbox.logins[0][1:] == (b"backoffice", b"s3cret-Pa55")
        message = email.message_from_bytes(content, policy=email.policy.default)
        assert message["Subject"] == "HVAC controller offline: mail the facilities team"
        body = message.get_content()
        assert body.startswith("The HVAC controller of this room stopped answering BackOffice a minute ago.")
        assert "System: L1 Huddle Room (sys-l1-huddle)" in body
        assert "s3cret-Pa55" not in server.output()
    finally:
        server.stop()
        occupancy.stop()
        hvac.stop()
