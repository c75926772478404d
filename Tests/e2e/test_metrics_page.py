"""The Metrics page in headless Chromium: touch panels (control sockets opened with
`fixed_device=true`) counted per system against `installed_ui_devices`, with the warning where
fewer are connected; modules offline by building and level; driver processes; the SVG charts.
The screenshot goes to Tests/e2e/artifacts/metrics-page.png."""
import json
import os
import re
import time

import pytest
from selenium.webdriver.common.by import By
from websockets.sync.client import connect

from auth_server import PASSWORD, USERS, AuthServer
from runtime_harness import wait_for
from conftest import free_port
from site_browser import FormClient, fill, screenshot, submit

ENGINE = "/api/engine/v2"
BOARDROOM = "sys-l3-boardroom"   # two panels installed
HUDDLE = "sys-l1-huddle"         # one panel installed


# Three hours of history as an earlier run of the server left it in the state directory.
NOW = int(time.time())
KEPT = [{"time": NOW - 10800 + minute * 60, "online": 60 + (minute // 20) % 14, "offline": 0,
         "execs_per_minute": float((minute * 7) % 23)} for minute in range(180)]


class KeptHistoryServer(AuthServer):
    """The identity test server, started on a state directory that already holds chart history."""

    def launch(self, args, log_path, **options):
        os.makedirs(os.path.join(self.state, "metrics"), exist_ok=True)
        with open(os.path.join(self.state, "metrics", "history.json"), "w") as handle:
            json.dump(KEPT, handle)
        super().launch(args, log_path, **options)


@pytest.fixture(scope="module")
def auth():
    server = KeptHistoryServer()
    yield server
    server.stop()


class Panel:
    """A touch panel: a control socket with `fixed_device=true` bound to a system's logic."""

    def __init__(self, auth, session, system, fixed=True):
        cookie = "; ".join(f"{name}={value}" for name, value in session.cookies.items())
        query = "?fixed_device=true" if fixed else ""
        self.context = connect(f"ws://127.0.0.1:{auth.port}{ENGINE}/systems/control{query}", additional_headers={"Cookie": cookie})
        self.socket = self.context.__enter__()
        self.socket.send(json.dumps({"id": 1, "cmd": "bind", "sys": system, "mod": "RoomLogic", "index": 1, "name": "state"}))
        deadline = time.monotonic() + 15
        while True:
            message = json.loads(self.socket.recv(max(deadline - time.monotonic(), 0.1)))
            if message.get("id") == 1:
                assert message["type"] == "success", message
                return

    def close(self):
        self.context.__exit__(None, None, None)


def row(browser, system):
    return browser.find_element(By.CSS_SELECTOR, f'tr[data-panels="{system}"]')


def test_metrics_page_warns_where_fewer_panels_are_connected_than_installed(auth, fresh_browser):
    admin = auth.browser("admin")
    panels = [Panel(auth, admin, BOARDROOM), Panel(auth, admin, HUDDLE),
              # A phone or laptop (no fixed_device) is not a touch panel.
              Panel(auth, admin, BOARDROOM, fixed=False)]
    try:
        browser = fresh_browser
        browser.get(auth.base + "/backoffice/metrics")
        fill(browser, {"email": USERS["admin"], "password": PASSWORD})
        submit(browser)
        assert browser.current_url.endswith("/backoffice/metrics"), browser.current_url

        boardroom = row(browser, BOARDROOM)
        assert boardroom.find_element(By.CSS_SELECTOR, "td[data-connected]").text == "1"
        assert "warn" in boardroom.get_attribute("class") and "fewer connected than installed" in boardroom.text
        huddle = row(browser, HUDDLE)
        assert huddle.find_element(By.CSS_SELECTOR, "td[data-connected]").text == "1"
        assert "warn" not in (huddle.get_attribute("class") or "")
        warning = browser.find_element(By.CSS_SELECTOR, "[data-panel-warning]").text
        assert "fewer touch panels connected than installed" in warning

        # Counts and the server-drawn charts (no script needed).
        online = int(browser.find_element(By.CSS_SELECTOR, "[data-modules-online]").text)
        assert online >= 1
        # The kept history was loaded and this run's samples follow it: more points than were kept.
        charts = browser.find_elements(By.CSS_SELECTOR, "svg.chart")
        assert len(charts) == 2
        for chart in charts:
            points = chart.find_element(By.CSS_SELECTOR, "polyline.chart-line").get_attribute("points").split()
            assert len(points) > len(KEPT)
        with open(os.path.join(auth.state, "metrics", "history.json")) as handle:
            assert json.load(handle)[:len(KEPT)] == KEPT
        processes = browser.find_element(By.ID, "driver-processes").text
        assert "driver-modbus-hvac" in processes and "driver-room-logic" in processes
        path = screenshot(browser, "metrics-page")

        # The panel that leaves is no longer counted.
        panels[1].close()
        def huddle_empty(driver):
            driver.refresh()
            return row(driver, HUDDLE).find_element(By.CSS_SELECTOR, "td[data-connected]").text == "0"
        wait_for(lambda: huddle_empty(browser), 15, "the huddle panel gone")
        assert "warn" in row(browser, HUDDLE).get_attribute("class")
        assert path.endswith("metrics-page.png")
    finally:
        for panel in panels:
            panel.close()


def test_offline_modules_are_listed_by_building_and_level(auth):
    # Point one module at a port nobody listens on (a site form edit): it runs, but offline.
    module = "mod-l1-huddle-hvac"
    client = FormClient(auth.base)
    client.session = auth.browser("admin")
    fields = client.form(f"/backoffice/modules/{module}/edit")
    fields["port"] = str(free_port())
    assert client.post(f"/backoffice/modules/{module}/edit", fields).status_code == 303

    def offline_row():
        page = client.session.get(auth.base + "/backoffice/metrics").text
        section = page.split('id="offline-modules"')[1].split("</section>")[0]
        rows = [row for row in section.split("<tr>") if f"/backoffice/modules/{module}/" in row]
        return rows[0] if rows else None
    row = wait_for(offline_row, 30, "the module listed offline")
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
    assert cells[0] == "Harbour Point Tower" and cells[1] == "Harbour Point Tower Level 1"
    assert re.fullmatch(r"[1-9]\d* of \d+", cells[2])


def test_only_support_and_admins_see_the_metrics_page(auth):
    assert auth.browser("user").get(auth.base + "/backoffice/metrics").status_code == 403
    assert auth.browser("support").get(auth.base + "/backoffice/metrics").status_code == 200
