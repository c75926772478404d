"""`/metrics` on the real server: parsed by Prometheus's own text parser (prometheus-client), its
values checked against what the test does (a module stopped and started, an exec, a control
socket, requests), and who may read it (admins, or an API key granted the `metrics` scope)."""
import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families
from websockets.sync.client import connect

from auth_server import USERS, AuthServer, run
from runtime_harness import wait_for

ENGINE = "/api/engine/v2"
SYSTEM = "sys-l1-huddle"
HVAC = "mod-l1-huddle-hvac"
HVAC_DRIVER = "driver-modbus-hvac"


def scrape(session, base):
    """{(sample name, frozenset(labels)): value} of one scrape, through the real parser."""
    answer = session.get(base + "/metrics")
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    samples = {}
    for family in text_string_to_metric_families(answer.text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def value(samples, name, **labels):
    return samples.get((name, frozenset(labels.items())), 0)


def total(samples, name, **labels):
    """The sum over every series of `name` whose labels include `labels`."""
    wanted = set(labels.items())
    return sum(v for (n, series), v in samples.items() if n == name and wanted <= series)


def stopped_hvac(samples):
    return value(samples, "backoffice_modules", driver=HVAC_DRIVER, state="stopped")


def test_metrics_move_with_what_happens(auth):
    admin = auth.browser("admin")
    wait_for(lambda: admin.post(auth.base + f"{ENGINE}/modules/{HVAC}/ping").json()["state"] == "running"
             and admin.get(auth.base + f"{ENGINE}/modules/{HVAC}/state/connected").json() is True,
             30, "the HVAC module running and connected")
    before = scrape(admin, auth.base)
    assert value(before, "backoffice_build_info", version="0.1.0") == 1
    assert value(before, "backoffice_commits_applied_total") >= 1
    assert value(before, "backoffice_driver_processes") >= 5
    assert total(before, "backoffice_modules") >= 70, "every module of the sample building counted"
    assert value(before, "backoffice_modules", driver=HVAC_DRIVER, state="online") >= 1
    assert ("backoffice_driver_process_restarts_total", frozenset({("executable", "driver-modbus-hvac")})) in before
    assert ("backoffice_mqtt_published_total", frozenset({("broker", "broker-harbourpoint-demo")})) in before

    # Trigger firings and errors, summed over the sample building's instances: counts only grow,
    # so the scrape can be no more than what REST says each instance has fired since.
    events = {event: value(before, "backoffice_trigger_events_total", event=event)
              for event in ("fires", "action_errors", "comparison_errors")}
    assert all(("backoffice_trigger_events_total", frozenset({("event", e)})) in before for e in events)
    triggers = admin.get(auth.base + f"{ENGINE}/triggers").json()
    fired = sum(instance["trigger_count"] for trigger in triggers
                for instance in admin.get(auth.base + f"{ENGINE}/triggers/{trigger['id']}/instances").json())
    assert triggers and events["fires"] <= fired

    # An exec: counted under its driver, with its latency in the histogram.
    answer = admin.post(auth.base + f"{ENGINE}/modules/{HVAC}/exec/refresh", json=[])
    assert answer.status_code == 200, answer.text
    after_exec = scrape(admin, auth.base)
    execs = "backoffice_exec_seconds_count"
    assert value(after_exec, execs, driver=HVAC_DRIVER) == value(before, execs, driver=HVAC_DRIVER) + 1
    assert value(after_exec, "backoffice_exec_seconds_bucket", driver=HVAC_DRIVER, le="+Inf") == value(after_exec, execs, driver=HVAC_DRIVER)
    route = ENGINE + "/modules/:id/exec/:method"
    assert value(after_exec, "backoffice_http_requests_total", method="POST", route=route, status="200") >= 1
    # The id in the path never becomes a label: only patterns do.
    assert not any(HVAC in label for (_, series) in after_exec for (_, label) in series)

    # Stopping a module is a commit: one more applied, one more module stopped; and back.
    assert admin.post(auth.base + f"{ENGINE}/modules/{HVAC}/stop").status_code == 200
    stopped = wait_for(lambda: (lambda s: s if stopped_hvac(s) == stopped_hvac(before) + 1 else None)(scrape(admin, auth.base)),
                       30, "the HVAC module counted as stopped")
    assert value(stopped, "backoffice_commits_applied_total") == value(before, "backoffice_commits_applied_total") + 1
    assert admin.post(auth.base + f"{ENGINE}/modules/{HVAC}/start").status_code == 200
    wait_for(lambda: stopped_hvac(scrape(admin, auth.base)) == stopped_hvac(before), 30, "the HVAC module counted as started")

    # An open control socket is a session while it is open.
    cookie = "; ".join(f"{name}={value}" for name, value in admin.cookies.items())
    with connect(f"ws://127.0.0.1:{auth.port}{ENGINE}/systems/control", additional_headers={"Cookie": cookie}):
        assert value(scrape(admin, auth.base), "backoffice_websocket_sessions", endpoint="control") == 1
    wait_for(lambda: value(scrape(admin, auth.base), "backoffice_websocket_sessions", endpoint="control") == 0,
             15, "the control session closed")


def test_only_admins_and_keys_granted_metrics_may_scrape(auth):
    # Like any page: a browser is sent to sign in, a client with a refused credential gets 401.
    anonymous = requests.get(auth.base + "/metrics", allow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["Location"].startswith("/auth/signin")
    assert requests.get(auth.base + "/metrics", headers={"X-API-Key": "key-none.wrong"}).status_code == 401
    for role in ("user", "support"):
        answer = auth.browser(role).get(auth.base + "/metrics")
        assert answer.status_code == 403, f"{role}: {answer.status_code}"
    # The admin's key limited to systems.read: not enough.
    narrow = requests.get(auth.base + "/metrics", headers={"X-API-Key": auth.narrow_key})
    assert narrow.status_code == 403
    # A plain user's key granted `metrics` may scrape, and only that.
    created = run("api-key", "create", "--user", USERS["user"], "--name", "prometheus", "--scope", "metrics", "--state", auth.state)
    assert created.returncode == 0, created.stderr
    headers = {"X-API-Key": created.stdout.strip()}
    scraped = wait_for(lambda: (lambda r: r if r.status_code == 200 else None)(requests.get(auth.base + "/metrics", headers=headers)),
                       15, "the new key accepted")
    assert "backoffice_modules" in scraped.text
    assert requests.get(auth.base + f"{ENGINE}/systems/{SYSTEM}/types", headers=headers).status_code == 403


@pytest.fixture(scope="module")
def auth():
    server = AuthServer()
    yield server
    server.stop()
