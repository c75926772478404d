"""The main job, as a newcomer does it: a fresh `serve` of the sample building (auth on, the
demo's simulators) prints its URL and a first-admin link; following the link in Chromium,
creating the admin and clicking a level map on the home page shows the rooms coloured by their
live state, and a room changes colour when its occupancy changes (pinned on the simulator)."""
import json
import os
import re
import signal
import subprocess
import tempfile
import time

import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import BACKOFFICE, free_port
from site_browser import chromium, screenshot



def occupancy_url(state, system):
    """The occupancy simulator's URL for `system`, as the new repository records it (a port in use
    when it was created is moved to a free one)."""
    folder = os.path.join(state, "config", "modules")
    for name in os.listdir(folder):
        with open(os.path.join(folder, name)) as handle:
            uri = json.load(handle).get("uri", "")
        if uri.endswith("/rooms/" + system):
            return uri
    raise AssertionError("no occupancy module for " + system)


def test_a_newcomer_follows_the_printed_link_to_a_live_level_map():
    tmp = tempfile.TemporaryDirectory(prefix="bo-newcomer-")
    log_path = os.path.join(tmp.name, "serve.log")
    log = open(log_path, "w+")
    process = subprocess.Popen([BACKOFFICE, "serve", "--port", str(free_port()), "--state", os.path.join(tmp.name, "state")],
                               stdout=log, stderr=subprocess.STDOUT)
    browser = None
    pinned = None
    try:
        deadline = time.monotonic() + 30
        while not re.search(r"BackOffice is serving (\S+)", open(log_path).read()):
            assert process.poll() is None and time.monotonic() < deadline, open(log_path).read()
            time.sleep(0.05)
        output = open(log_path).read()
        link = re.search(r"(http://\S+/auth/first-admin\?token=\S+)", output).group(1)
        browser = chromium()
        browser.get(link)
        browser.find_element(By.NAME, "name").send_keys("New Comer")
        browser.find_element(By.NAME, "email").send_keys("newcomer@harbourpoint.example")
        browser.find_element(By.NAME, "password").send_keys("a long enough password")
        browser.find_element(By.CSS_SELECTOR, "form button").click()
        WebDriverWait(browser, 20).until(lambda d: d.current_url.rstrip("/").endswith("/backoffice"))
        browser.find_element(By.LINK_TEXT, "Harbour Point Tower Level 2").click()
        assert browser.current_url.endswith("/zones/zone-hp-l2/map")

        def rooms(d):
            return {link.get_dom_attribute("href").rstrip("/").rsplit("/", 1)[1]: link.get_dom_attribute("class").split()[-1]
                    for link in d.find_elements(By.CSS_SELECTOR, "a.room-link")}
        WebDriverWait(browser, 20).until(lambda d: rooms(d) and "room-unknown" not in rooms(d).values())
        system, state = sorted(rooms(browser).items())[0]
        busy = state == "room-free"
        pinned = system
        occupancy = occupancy_url(os.path.join(tmp.name, "state"), system)
        requests.put(occupancy, data=json.dumps({"presence": busy, "people_count": 2 if busy else 0}), timeout=5)
        WebDriverWait(browser, 30).until(lambda d: rooms(d)[system] == ("room-occupied" if busy else "room-free"))
        screenshot(browser, "newcomer-level-2")
    finally:
        if pinned:
            requests.delete(occupancy_url(os.path.join(tmp.name, "state"), pinned), timeout=5)
        if browser:
            browser.quit()
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        tmp.cleanup()
