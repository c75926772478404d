"""A lighting controller given a wrong, non-ASCII admin-level password (issue 11, items 3 and
13): support's debug console never shows the password in any spelling (the driver logs what it
writes as `\\xNN` escapes), the driver backs off instead of logging in thousands of times a
second, and the module page says why the module is offline — read in headless Chromium."""
import json
import time

import pytest
from selenium.webdriver.common.by import By
from websockets.sync.client import connect

from auth_server import PASSWORD, USERS, AuthServer
from runtime_harness import wait_for
from site_browser import FormClient, fill, submit

ENGINE = "/api/engine/v2"
LIGHTING = "mod-l1-huddle-lighting"
SECRET = "pässwörd-9"


def spellings(secret):
    raw = secret.encode()
    escaped = "".join(chr(b) if 0x20 <= b < 0x7F else "\\x%02x" % b for b in raw)
    return [secret, escaped, escaped.upper(), json.dumps(secret)[1:-1], "p%C3%A4ssw%C3%B6rd-9", raw.hex()]


@pytest.fixture(scope="module")
def server():
    running = AuthServer()
    try:
        admin = running.browser("admin")
        wait_for(lambda: admin.get(running.base + f"{ENGINE}/modules/{LIGHTING}/state/connected").json() is True, 60,
                 "the lighting module connected")
        yield running
    finally:
        running.stop()


def test_support_sees_no_spelling_of_the_password_and_the_driver_backs_off(server, fresh_browser):
    admin = FormClient(server.base)
    admin.session = server.browser("admin")
    fields = admin.form(f"/backoffice/modules/{LIGHTING}/edit")
    fields["settings.admin"] = json.dumps({"password": SECRET})
    assert admin.post(f"/backoffice/modules/{LIGHTING}/edit", fields).status_code == 303

    support = server.browser("support")
    cookie = "; ".join(f"{name}={value}" for name, value in support.cookies.items())
    lines = []
    with connect(f"ws://127.0.0.1:{server.port}{ENGINE}/systems/control", additional_headers={"Cookie": cookie}) as socket:
        socket.send(json.dumps({"id": 1, "cmd": "debug", "mod": LIGHTING}))
        # Restart the module so the driver logs in again with the new password while we watch.
        assert support.post(server.base + f"{ENGINE}/modules/{LIGHTING}/stop").status_code == 200
        assert support.post(server.base + f"{ENGINE}/modules/{LIGHTING}/start").status_code == 200
        refusals = 0
        deadline = time.monotonic() + 30
        while refusals < 2 and time.monotonic() < deadline:
            message = json.loads(socket.recv(max(deadline - time.monotonic(), 0.1)))
            if message.get("type") == "debug":
                lines.append(message["msg"])
                refusals += "login refused" in message["msg"]
    assert refusals >= 2, lines
    writes = [line for line in lines if line.startswith("write ")]
    assert any("[hidden]" in line for line in writes), writes
    for line in lines:
        for spelling in spellings(SECRET):
            assert spelling not in line, (spelling, line)
    # Two refusals, one second apart at least: a handful of logins, not thousands.
    assert len([line for line in writes if "[hidden]" in line]) <= 4, writes

    # The module says why it is offline: over REST and on its page.
    reason = support.get(server.base + f"{ENGINE}/modules/{LIGHTING}/state/offline_reason").json()
    assert "login refused" in reason and "retrying in" in reason, reason
    fresh_browser.get(server.base + f"/backoffice/modules/{LIGHTING}/")
    fill(fresh_browser, {"email": USERS["support"], "password": PASSWORD})
    submit(fresh_browser)
    status = fresh_browser.find_element(By.CSS_SELECTOR, f'h1 [data-module-text="{LIGHTING}"]').text
    assert status.startswith("offline: login refused"), status
