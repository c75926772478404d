"""Trigger instances where people use them, end to end on the real `backoffice serve`: webhooks
in (a pulse, an exec whose driver answers the HTTP response, bad secrets and verbs that fire
nothing), the REST instance routes, a `_TRIGGER_` binding on the control WebSocket, the site's
switches (form posts with CSRF tokens that become commits), "fire now", screenshots of the
pages in headless Chromium; and, signed in as support and user, that the webhook secret is
nowhere they can see (pages, REST) and never in the server's log."""
import asyncio
import json
import os
import re
import subprocess
import sys

import pytest
import requests
import websockets

from conftest import BACKOFFICE, free_port
from site_browser import ARTIFACTS, FormClient, chromium, screenshot

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "RuntimeTests", "Fixtures"))
from runtime_harness import PY_SYSTEM, Server, python_building, wait_for  # noqa: E402

ENGINE = "/api/engine/v2"
INSTANCE = "trig-lab-level"
TRIGGER = "trigger-lab-level"


@pytest.fixture(scope="module")
def lab():
    """The Python lab with a trigger that fires when Tester_1's `level` exceeds 5 and a webhook
    call comes (POST or PUT; all conditions must hold, PlaceOS), and marks Tester_2 through an
    action; its instance has webhook exec on."""
    server = Server(BACKOFFICE, free_port(), args=["--no-simulators"])
    try:
        files = python_building({"mod-py-a": {}, "mod-py-b": {}})
        files["triggers/%s.json" % TRIGGER] = {
            "name": "Lab level high", "enable_webhook": True, "supported_methods": ["POST", "PUT"],
            "conditions": {"comparisons": [{"left": {"mod": "Tester_1", "status": "level", "keys": []},
                                            "operator": "greater_than", "right": 5}]},
            "actions": {"functions": [{"mod": "Tester_2", "method": "set_status", "args": {"key": "marked", "value": True}}]},
        }
        files["systems/%s.json" % PY_SYSTEM]["triggers"] = [{"id": INSTANCE, "trigger_id": TRIGGER, "exec_enabled": True}]
        server.commit(files, "add the Python lab and its trigger")
        wait_for(lambda: server.module_state("mod-py-a") == "running" and server.module_state("mod-py-b") == "running",
                 what="the Python modules to run")
        wait_for(lambda: server.get("%s/systems/%s/triggers/%s" % (ENGINE, PY_SYSTEM, INSTANCE))[0] == 200, what="the instance")
        yield server
    finally:
        server.stop()


def instance(server):
    status, body = server.get("%s/systems/%s/triggers/%s" % (ENGINE, PY_SYSTEM, INSTANCE))
    assert status == 200, body
    return body


def secret(server):
    # --auth off: every request is the local administrator, who gets the secret.
    return instance(server)["webhook_secret"]


def test_a_webhook_pulse_is_accepted_and_bad_secrets_and_verbs_fire_nothing(lab):
    key = secret(lab)
    assert len(key) == 43
    notify = lab.url + "%s/webhook/%s/notify" % (ENGINE, INSTANCE)
    before = instance(lab)
    for wrong in [requests.post(notify, params={"secret": key[::-1]}), requests.post(notify + "/" + key[:-1] + "x"),
                  requests.post(lab.url + ENGINE + "/webhook/trig-nope/notify/" + key), requests.post(notify)]:
        assert wrong.status_code == 404
    wrong_verb = requests.get(notify + "/" + key)
    assert wrong_verb.status_code == 405 and wrong_verb.headers["Allow"] == "POST, PUT"
    assert requests.delete(notify, params={"secret": key}).status_code == 405
    after = instance(lab)
    assert after["conditions"]["webhook"] is False and after["trigger_count"] == before["trigger_count"]
    # The right secret: a pulse.
    assert requests.post(notify, params={"secret": key}).status_code == 202
    assert requests.put(notify + "/" + key, data=b"{}").status_code == 202
    # The secret is a credential: the log names the path by its prefix only.
    assert key not in lab.output()


def test_a_webhook_exec_answers_with_what_the_function_returns(lab):
    key = secret(lab)
    url = lab.url + "%s/webhook/%s/notify/%s/Tester/1/webhook" % (ENGINE, INSTANCE, key)
    answer = requests.post(url, params={"room": "l1"}, data="ping from the door", headers={"X-Door": "front"})
    assert answer.status_code == 201, answer.text
    assert answer.headers["X-Handled-By"] == "mod-py-a"
    assert answer.text == "handled POST ping from the door"
    call = lab.get("%s/modules/mod-py-a/state/webhook_call" % ENGINE)[1]
    assert call == {"method": "POST", "query": "room=l1", "cookie": False, "body": "ping from the door"}
    # The query form works the same, and the secret is not passed on.
    query = requests.put(lab.url + "%s/webhook/%s/notify" % (ENGINE, INSTANCE),
                         params={"secret": key, "exec": "true", "mod": "Tester", "index": "1", "method": "webhook"}, data="q")
    assert query.status_code == 201 and query.text == "handled PUT q"
    forwarded = lab.get("%s/modules/mod-py-a/state/webhook_call" % ENGINE)[1]["query"]
    assert key not in forwarded and "method=webhook" in forwarded


def bind_and_watch(url, change, count):
    """Binds `_TRIGGER_`, then makes the change; returns the notifications until the count is `count`."""
    async def run():
        async with websockets.connect(url) as socket:
            await socket.send(json.dumps({"id": 1, "cmd": "bind", "sys": PY_SYSTEM, "mod": "_TRIGGER_", "name": INSTANCE}))
            answer = json.loads(await asyncio.wait_for(socket.recv(), 10))
            assert answer["type"] == "success" and answer["id"] == 1, answer
            first = json.loads(await asyncio.wait_for(socket.recv(), 10))
            assert first["type"] == "notify" and first["meta"]["mod"] == "_TRIGGER_"
            seen = [first]
            await asyncio.get_running_loop().run_in_executor(None, change)
            while seen[-1]["value"]["trigger_count"] < count:
                seen.append(json.loads(await asyncio.wait_for(socket.recv(), 15)))
            return seen
    return asyncio.run(run())


def test_instance_state_over_rest_and_a_trigger_binding_that_follows_a_status(lab):
    listed = lab.get("%s/systems/%s/triggers" % (ENGINE, PY_SYSTEM))
    assert listed[0] == 200 and [item["id"] for item in listed[1]] == [INSTANCE]
    state = instance(lab)
    for field in ["triggered", "trigger_count", "action_errors", "comparison_errors", "conditions", "enabled",
                  "exec_enabled", "last_fired", "control_system_id", "trigger_id"]:
        assert field in state, field
    assert lab.get("%s/triggers/%s/instances" % (ENGINE, TRIGGER))[1][0]["id"] == INSTANCE
    assert lab.post("%s/modules/mod-py-a/exec/set_status" % ENGINE, ["level", 1]) == (200, True)
    wait_for(lambda: instance(lab)["triggered"] is False, what="the level to be low")
    count = instance(lab)["trigger_count"]
    url = "ws://127.0.0.1:%d%s/systems/control" % (lab.port, ENGINE)
    key = secret(lab)

    def level_high_then_webhook():
        assert lab.post("%s/modules/mod-py-a/exec/set_status" % ENGINE, ["level", 9]) == (200, True)
        wait_for(lambda: instance(lab)["conditions"]["comparison_0"] is True, what="the comparison to hold")
        assert instance(lab)["trigger_count"] == count   # the webhook condition does not hold yet
        assert requests.post(lab.url + "%s/webhook/%s/notify/%s" % (ENGINE, INSTANCE, key)).status_code == 202
    seen = bind_and_watch(url, level_high_then_webhook, count + 1)
    assert seen[0]["value"]["trigger_count"] == count and seen[0]["value"]["conditions"]["comparison_0"] is False
    assert any(item["value"]["conditions"]["comparison_0"] for item in seen[1:])
    assert seen[-1]["value"]["trigger_count"] == count + 1 and seen[-1]["value"]["last_fired"]
    # The action ran: Tester_2 is marked.
    wait_for(lambda: lab.get("%s/modules/mod-py-b/state/marked" % ENGINE)[1] is True, what="the action")


def test_rest_put_and_delete_are_commits(lab):
    status, body = lab.request("PUT", "%s/systems/%s/triggers/%s" % (ENGINE, PY_SYSTEM, INSTANCE), {"important": True})
    assert status == 200 and body["important"] is True
    assert lab.last_commit_subject() == 'systems: trigger "Lab level high" in "Python Lab" important'
    status, body = lab.request("PUT", "%s/systems/%s/triggers/%s" % (ENGINE, PY_SYSTEM, INSTANCE), {"enabled": "no"})
    assert status == 400 and "true or false" in body["error"] and body["parameter"] == "enabled"
    status, body = lab.request("PUT", "%s/systems/%s/triggers/%s" % (ENGINE, PY_SYSTEM, INSTANCE), {"name": "x"})
    assert status == 400 and "cannot be changed" in body["error"] and body["parameter"] == "name"
    assert lab.request("PUT", "%s/systems/%s/triggers/trig-nope" % (ENGINE, PY_SYSTEM), {"enabled": False})[0] == 404
    assert lab.request("PUT", "%s/systems/%s/triggers/%s" % (ENGINE, PY_SYSTEM, INSTANCE), {"important": False})[0] == 200


def test_switches_on_the_site_are_commits_and_fire_now_shows_each_action(lab):
    client = FormClient(lab.url)
    # The system's page is the same for every reader (live state only, no form); the switches
    # and the webhook URL are on the trigger's page.
    shared = client.session.get(lab.url + "/backoffice/systems/%s/" % PY_SYSTEM)
    assert 'data-trigger="%s"' % INSTANCE in shared.text and "_csrf" not in shared.text and shared.headers.get("ETag")
    assert secret(lab) not in shared.text
    page = client.session.get(lab.url + "/backoffice/triggers/%s/" % TRIGGER).text
    row = re.search(r'<tr data-trigger="%s">.*?</tr>' % INSTANCE, page, re.S).group(0)
    token = re.search(r'name="_csrf" value="([^"]+)"', row).group(1)
    assert "/api/engine/v2/webhook/%s/notify/%s" % (INSTANCE, secret(lab)) in page   # an admin sees the URL
    action = "/backoffice/systems/%s/triggers" % PY_SYSTEM
    # Without the form token nothing is written.
    assert client.post(action, {"instance": INSTANCE, "action": "disable"}).status_code == 403
    head = subprocess.run(["git", "-C", lab.config, "rev-parse", "main"], capture_output=True, text=True).stdout
    answer = client.post(action, {"_csrf": token, "instance": INSTANCE, "action": "disable", "back": "system"})
    assert answer.status_code == 303 and "saved=" in answer.headers["Location"]
    assert lab.last_commit_subject() == 'systems: trigger "Lab level high" in "Python Lab" disabled'
    assert subprocess.run(["git", "-C", lab.config, "rev-parse", "main~1"], capture_output=True, text=True).stdout == head
    wait_for(lambda: instance(lab)["enabled"] is False, what="the instance to stop")
    assert requests.post(lab.url + "%s/webhook/%s/notify/%s" % (ENGINE, INSTANCE, secret(lab))).status_code == 404
    answer = client.post(action, {"_csrf": token, "instance": INSTANCE, "action": "enable"})
    assert answer.status_code == 303 and lab.last_commit_subject().endswith(" enabled")
    wait_for(lambda: instance(lab)["enabled"] is True, what="the instance to run again")
    # Fire now: the actions run whatever the conditions, and the page says how each went.
    count = instance(lab)["trigger_count"]
    fired = client.post(action, {"_csrf": token, "instance": INSTANCE, "action": "fire", "back": "trigger"})
    assert fired.status_code == 200 and "Tester_2.set_status" in fired.text and "done" in fired.text
    assert instance(lab)["trigger_count"] == count + 1


def test_the_trigger_page_and_triggers_tab_show_live_state_in_chromium(lab):
    driver = chromium()
    try:
        driver.get(lab.url + "/backoffice/triggers/%s/" % TRIGGER)
        wait_for(lambda: INSTANCE in driver.page_source, what="the instance on the trigger's page")
        count = instance(lab)["trigger_count"]
        # Fired from elsewhere (an admin's "fire now" in another browser): this page updates
        # itself through the live feed, no reload.
        client = FormClient(lab.url)
        page = client.session.get(lab.url + "/backoffice/triggers/%s/" % TRIGGER).text
        token = re.search(r'<tr data-trigger="%s">.*?name="_csrf" value="([^"]+)"' % INSTANCE, page, re.S).group(1)
        fired = client.post("/backoffice/systems/%s/triggers" % PY_SYSTEM, {"_csrf": token, "instance": INSTANCE, "action": "fire"})
        assert fired.status_code == 200
        cell = '[data-trigger="%s"] [data-trigger-field="trigger_count"]' % INSTANCE
        wait_for(lambda: driver.execute_script("return document.querySelector(arguments[0]).textContent", cell) == str(count + 1),
                 what="the count to update live")
        screenshot(driver, "trigger-page")
        driver.get(lab.url + "/backoffice/systems/%s/#triggers" % PY_SYSTEM)
        wait_for(lambda: 'data-trigger="%s"' % INSTANCE in driver.page_source, what="the Triggers tab")
        driver.execute_script("document.getElementById('triggers').scrollIntoView()")
        path = screenshot(driver, "system-triggers-tab")
        assert os.path.getsize(path) > 10_000
    finally:
        driver.quit()


# MARK: - Who sees the secret (signed in, the sample building)

def test_support_and_users_never_see_the_webhook_secret():
    from auth_server import AuthServer
    server = AuthServer()
    try:
        admin, support, user = (server.browser(role) for role in ("admin", "support", "user"))
        system = "sys-l1-huddle"
        listed = admin.get(server.base + "%s/systems/%s/triggers" % (ENGINE, system))
        assert listed.status_code == 200, listed.text
        instances = listed.json()
        assert instances and all(len(item["webhook_secret"]) == 43 for item in instances)
        secrets = [item["webhook_secret"] for item in instances]
        trigger = instances[0]["trigger_id"]
        for session in (support, user):
            rest = session.get(server.base + "%s/systems/%s/triggers" % (ENGINE, system))
            assert rest.status_code == 200 and all("webhook_secret" not in item for item in rest.json())
            one = session.get(server.base + "%s/systems/%s/triggers/%s" % (ENGINE, system, instances[0]["id"]))
            pages = [rest.text, one.text, session.get(server.base + "/backoffice/systems/%s/" % system).text,
                     session.get(server.base + "/backoffice/triggers/%s/" % trigger).text,
                     session.get(server.base + "/backoffice/systems/%s/history" % system).text]
            for text in pages:
                assert not any(secret in text for secret in secrets)
        # Support sees the instances on the trigger's page, with switches but no "fire now".
        tab = support.get(server.base + "/backoffice/triggers/%s/" % trigger).text
        assert 'data-trigger="%s"' % instances[0]["id"] in tab and "Disable" in tab and "Fire now" not in tab
        # A user sees the state and no switches; a user's switch post is refused at the gate.
        mine = user.get(server.base + "/backoffice/systems/%s/" % system).text
        assert 'data-trigger="%s"' % instances[0]["id"] in mine and "Disable" not in mine
        refused = user.post(server.base + "/backoffice/systems/%s/triggers" % system,
                            data={"instance": instances[0]["id"], "action": "disable"}, allow_redirects=False)
        assert refused.status_code == 403
        put = user.put(server.base + "%s/systems/%s/triggers/%s" % (ENGINE, system, instances[0]["id"]), json={"enabled": False})
        assert put.status_code == 403
        assert not any(secret in server.output() for secret in secrets)
    finally:
        server.stop()
