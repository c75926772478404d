"""MQTT brokers as configuration, end to end: PlaceOS's REST CRUD under /api/engine/v2/brokers
(secrets sealed, left out below admin, bad input refused with nothing written) and the site's
pages (navigation, form, live connection state from a real mosquitto, history)."""
import html
import json
import os
import re
import subprocess

import pytest
import requests

from auth_server import AuthServer
from mqtt_broker import Mosquitto
from runtime_harness import wait_for

BROKERS = "/api/engine/v2/brokers"


@pytest.fixture(scope="module")
def world():
    mosquitto = Mosquitto(users={"backoffice": "hunter2-never-in-clear"})
    server = AuthServer()
    try:
        yield server, mosquitto
    finally:
        server.stop()
        mosquitto.stop()


def git(server, *args):
    return subprocess.run(["git", "-C", os.path.join(server.state, "config"), *args], check=True, capture_output=True,
                          text=True).stdout


def commit_count(server):
    return int(git(server, "rev-list", "--count", "HEAD").strip())


def page_field(page, name):
    match = re.search(rf'<td {name}>(.*?)</td>', page, re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip() if match else None


def test_broker_crud_over_rest(world):
    server, mosquitto = world
    admin = server.browser("admin")
    created = admin.post(server.base + BROKERS, json={
        "name": "E2E Broker", "description": "made over REST", "host": "127.0.0.1", "port": mosquitto.port, "auth_type": 2,
        "username": "backoffice", "password": "hunter2-never-in-clear", "secret": "hmac-key-never-in-clear", "filters": ["[a-z]+@example\\.com"],
        "created_at": 5, "version": 9})
    assert created.status_code == 201, created.text
    broker = created.json()
    broker_id = broker["id"]
    assert broker_id.startswith("broker-") and broker["name"] == "E2E Broker" and broker["port"] == mosquitto.port
    # Secrets come back sealed to admins; times and version are PlaceOS's, derived, never stored.
    assert broker["password"].startswith("enc:v1:") and broker["secret"].startswith("enc:v1:")
    assert broker["version"] == 0 and broker["created_at"] > 5
    stored = git(server, "show", f"HEAD:brokers/{broker_id}.json")
    assert "never-in-clear" not in stored and json.loads(stored)["password"].startswith("enc:v1:")
    assert "created_at" not in json.loads(stored) and "version" not in json.loads(stored)
    assert git(server, "log", "-1", "--format=%ae").strip() == "ada@harbourpoint.example"

    listed = admin.get(server.base + BROKERS, params={"q": "e2e broker"})
    assert listed.status_code == 200 and [b["id"] for b in listed.json()] == [broker_id]
    assert listed.headers["X-Total-Count"] == "1" and listed.headers["Content-Range"] == "brokers 0-0/1"
    everything = admin.get(server.base + BROKERS, params={"limit": 1})
    assert len(everything.json()) == 1 and int(everything.headers["X-Total-Count"]) == 2  # with the sample's demo broker

    # Support reads brokers without their secrets and cannot write; users see nothing.
    support = server.browser("support")
    seen = support.get(server.base + f"{BROKERS}/{broker_id}")
    assert seen.status_code == 200 and "password" not in seen.json() and "secret" not in seen.json()
    assert seen.json()["host"] == "127.0.0.1"
    assert support.patch(server.base + f"{BROKERS}/{broker_id}", json={"port": 1}).status_code == 403
    assert support.post(server.base + BROKERS, json={"name": "x", "host": "h"}).status_code == 403
    assert server.browser("user").get(server.base + BROKERS).status_code == 403

    # Bad input: a clear error naming the field, and nothing committed.
    commits = commit_count(server)
    refused = admin.patch(server.base + f"{BROKERS}/{broker_id}", json={"port": 70000})
    assert refused.status_code == 422, refused.text
    assert [failure["field"] for failure in refused.json()["failures"]] == ["port"]
    assert admin.post(server.base + BROKERS, data="{not json", headers={"Content-Type": "application/json"}).status_code == 400
    assert admin.post(server.base + BROKERS, json={"description": "no name, no host"}).status_code == 422
    assert commit_count(server) == commits

    # PATCH and PUT merge member by member (PlaceOS): the sealed secrets sent back as they came stay,
    # `null` removes a member.
    patched = admin.patch(server.base + f"{BROKERS}/{broker_id}", json={"description": "patched"})
    assert patched.status_code == 200 and patched.json()["description"] == "patched"
    assert patched.json()["password"] == broker["password"] and patched.json()["version"] == 1
    replaced = admin.put(server.base + f"{BROKERS}/{broker_id}", json={**patched.json(), "description": None, "secret": None, "filters": None})
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["password"] == broker["password"] and "description" not in replaced.json() and "secret" not in replaced.json()
    # A stale version is refused with the current broker.
    stale = admin.patch(server.base + f"{BROKERS}/{broker_id}", params={"version": 0}, json={"description": "late"})
    assert stale.status_code == 409 and stale.json()["id"] == broker_id

    # Live: the runtime opens the sealed password, connects and publishes the building's statuses.
    def connected_page():
        page = admin.get(server.base + f"/backoffice/brokers/{broker_id}/").text
        return page if page_field(page, "data-broker-state") is None and "data-broker-state>connected<" in page \
            and int(page_field(page, "data-broker-published") or 0) > 0 else None
    page = wait_for(connected_page, 30, "the broker connected with messages published")
    assert page_field(page, "data-broker-dropped") == "0"

    assert admin.delete(server.base + f"{BROKERS}/{broker_id}").status_code == 202
    assert admin.get(server.base + f"{BROKERS}/{broker_id}").status_code == 404
    assert f"brokers/{broker_id}.json" not in git(server, "ls-tree", "-r", "--name-only", "HEAD")
    assert admin.delete(server.base + f"{BROKERS}/{broker_id}").status_code == 404


def test_brokers_in_the_site_with_live_state_and_history(world):
    server, mosquitto = world
    admin = server.browser("admin")
    home = admin.get(server.base + "/backoffice/").text
    assert re.search(r'<a href="/backoffice/brokers/"[^>]*>Brokers</a>', home), "Brokers is in the nav bar"

    # The site's form makes the commit, the page shows the broker's live state.
    form = admin.get(server.base + "/backoffice/brokers/new").text
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
    fields.update({"name": "Site Broker", "host": "127.0.0.1", "port": str(mosquitto.port), "auth_type": "2",
                   "username": "backoffice", "password": "hunter2-never-in-clear"})
    saved = admin.post(server.base + "/backoffice/brokers/new", data=fields, allow_redirects=False)
    assert saved.status_code == 303, saved.text[:2000]
    broker_id = re.search(r"/backoffice/brokers/([^/?]+)/", saved.headers["Location"]).group(1)
    assert "never-in-clear" not in git(server, "show", f"HEAD:brokers/{broker_id}.json")
    wait_for(lambda: "data-broker-state>connected<" in admin.get(server.base + f"/backoffice/brokers/{broker_id}/").text,
             30, "the site broker connected")
    listing = admin.get(server.base + "/backoffice/brokers/").text
    assert "Site Broker" in listing and "broker-harbourpoint-demo" in listing

    # A broker nobody runs shows why: the address refuses connections.
    closed = admin.patch(server.base + f"{BROKERS}/{broker_id}", json={"port": 1})
    assert closed.status_code == 200
    def refused():
        page = admin.get(server.base + f"/backoffice/brokers/{broker_id}/").text
        return page if "data-broker-state>connected<" not in page and page_field(page, "data-broker-last-error") not in (None, "none") else None
    page = refused()
    page = page or wait_for(refused, 30, "the refused connection shown")
    assert int(page_field(page, "data-broker-errors")) >= 1

    history = admin.get(server.base + f"/backoffice/brokers/{broker_id}/history").text
    assert history.count('class="panel commit"') == 2 and "port" in history and "Revert" in history
    # Support sees the page but not the secret, and has no edit form.
    support = server.browser("support")
    assert support.get(server.base + f"/backoffice/brokers/{broker_id}/").status_code == 200
    assert support.get(server.base + f"/backoffice/brokers/{broker_id}/edit").status_code == 403
