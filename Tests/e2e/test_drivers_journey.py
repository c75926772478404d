"""The seed's journey with no command line (issue 14), in headless Chromium against a fresh
`serve` (auth on) of a building whose level 2 has a free room on its map, and a real git host
(nginx + git http-backend, basic auth) holding a driver repository: add the repository, pick the
driver, build it, create a room on the level, add the module, see the room live on the map. Then
pin an older commit and see the module run the old code (the room changes colour); push a new
commit and see "update available"; pin a commit that does not compile and see the error, file and
line, while the module keeps running. Each screen is saved to Tests/e2e/artifacts/journey-*.png
and each step's time to artifacts/journey-timings.json (`make bench` prints them)."""
import json
import os
import re
import shutil
import subprocess
import tempfile
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import BACKOFFICE, ROOT, free_port
from site_browser import ARTIFACTS, chromium, screenshot

BUILD_WAIT = 900  # a cold DriverKit build on a busy 2-core machine
ROOM = """import DriverKit

/// The lab room: publishes the room's state, which colours it on the level map.
final class LabRoom: DriverModule {
    static let info = DriverInfo(name: "Lab Room", description: "Colours its room on the map ({version}).",
                                 moduleName: "Room", role: .logic, defaultSettings: ["label": "lab"])
    static let functions: [Function<LabRoom>] = []
    let context: ModuleContext
    init(context: ModuleContext) { self.context = context }
    func start() async throws {
        context.set("state", "{state}")
        context.set("version", "{version}")
    }
}
"""
MAIN = "import DriverKit\n\nDriverMain.run(LabRoom.self)\n"


def room_source(version, state, broken=False):
    """The driver's source; `broken` leaves the quotes off a string (a compile error)."""
    text = ROOM.replace("{version}", version).replace("{state}", state)
    return text.replace('context.set("version", "%s")\n    }' % version, 'context.set("version", %s)\n    }' % version) if broken else text


def broken_line(source):
    return next(number for number, line in enumerate(source.split("\n"), 1) if 'context.set("version", v' in line)


class Journey:
    """The browser, the server's base URL and the step timings."""

    def __init__(self, browser, base):
        self.browser, self.base = browser, base
        self.timings = []
        self.started = time.monotonic()
        self.step_started = self.started

    def step(self, name):
        now = time.monotonic()
        self.timings.append({"step": name, "seconds": round(now - self.step_started, 2)})
        self.step_started = now
        screenshot(self.browser, "journey-%02d-%s" % (len(self.timings), name))

    def open(self, path):
        self.browser.get(self.base + path)

    def wait(self, condition, seconds, what):
        try:
            return WebDriverWait(self.browser, seconds, poll_frequency=0.25).until(condition)
        except Exception:
            screenshot(self.browser, "journey-failed")
            raise AssertionError("gave up waiting for %s on %s" % (what, self.browser.current_url))

    def text(self):
        return self.browser.find_element(By.TAG_NAME, "body").text

    def fill(self, values):
        for name, value in values.items():
            element = self.browser.find_element(By.NAME, name)
            if element.tag_name == "select":
                Select(element).select_by_value(value)
            else:
                element.clear()
                element.send_keys(value)

    def save(self):
        old = self.browser.find_element(By.TAG_NAME, "html")
        self.browser.find_element(By.CSS_SELECTOR, "form.edit button.primary").click()
        self.wait(lambda d: _stale(old), 60, "the saved page")
        assert not re.search(r"/(new|edit)$", self.browser.current_url.split("?")[0]), self.text()

    def click(self, text):
        old = self.browser.find_element(By.TAG_NAME, "html")
        self.browser.find_element(By.XPATH, "//*[self::a or self::button][normalize-space()='%s']" % text).click()
        self.wait(lambda d: _stale(old), 60, "the page after " + text)

    def current_id(self):
        """The object id of the page shown (`/backoffice/<kind>/<id>/…`)."""
        return self.browser.current_url.split("?")[0].rstrip("/").rsplit("/", 1)[1]

    def room_class(self, system):
        links = self.browser.find_elements(By.CSS_SELECTOR, 'a.room-link[href="/backoffice/systems/%s/"]' % system)
        return links[0].get_dom_attribute("class").split()[-1] if links else None


def _stale(element):
    try:
        element.tag_name
        return False
    except Exception:
        return True


def building_with_a_free_room(state):
    """The sample building whose level 2 service room is a room of its own (no system yet)."""
    source = tempfile.mkdtemp(prefix="bo-journey-config-")
    shutil.rmtree(source)
    shutil.copytree(os.path.join(ROOT, "sample-config"), source)
    level = os.path.join(source, "maps", "level-2.svg")
    svg = open(level).read().replace('<rect class="service"', '<rect id="room-l2-lab" class="room"', 1)
    open(level, "w").write(svg)
    init = subprocess.run([BACKOFFICE, "init", os.path.join(state, "config"), "--from", source, "--state", state],
                          capture_output=True, text=True)
    shutil.rmtree(source)
    assert init.returncode == 0, init.stderr


def test_the_seed_journey_from_a_git_repository_to_a_live_room(git_host):
    git_host.create("lab")
    work = git_host.clone("lab")
    old = work.commit({"room/main.swift": MAIN, "room/LabRoom.swift": room_source("v1", "free")}, "lab room: v1 shows free")
    work.commit({"room/LabRoom.swift": room_source("v2", "occupied")}, "lab room: v2 shows occupied")
    work.push()

    tmp = tempfile.mkdtemp(prefix="bo-journey-")
    state = os.path.join(tmp, "state")
    building_with_a_free_room(state)
    log_path = os.path.join(tmp, "serve.log")
    log = open(log_path, "w+")
    process = subprocess.Popen([BACKOFFICE, "serve", "--port", str(free_port()), "--state", state, "--no-simulators",
                                "--repository-poll", "0"], stdout=log, stderr=subprocess.STDOUT)
    browser = None
    try:
        deadline = time.monotonic() + 60
        while not re.search(r"BackOffice is serving (\S+)/backoffice/", open(log_path).read()):
            assert process.poll() is None and time.monotonic() < deadline, open(log_path).read()
            time.sleep(0.05)
        output = open(log_path).read()
        base = re.search(r"BackOffice is serving (\S+)/backoffice/", output).group(1)
        link = re.search(r"(http://\S+/auth/first-admin\?token=\S+)", output).group(1)
        browser = chromium()
        journey = Journey(browser, base)

        # Sign in: the first administrator.
        browser.get(link)
        journey.fill({"name": "Dee Veloper", "email": "dee@harbourpoint.example", "password": "a long enough password"})
        browser.find_element(By.CSS_SELECTOR, "form button").click()
        journey.wait(lambda d: d.current_url.rstrip("/").endswith("/backoffice"), 30, "the home page")

        # 1. Add the repository (basic auth), and see it fetched.
        journey.open("/backoffice/repositories/new")
        journey.fill({"name": "Lab drivers", "folder_name": "lab", "uri": git_host.url("lab"), "branch": "main",
                      "username": git_host.username, "password": git_host.password, "repo_type": "driver"})
        journey.save()
        assert "/backoffice/repositories/repo-" in browser.current_url, browser.current_url
        repository = journey.current_id()
        journey.click("Git and drivers")
        journey.wait(lambda d: 'data-driver-file="room/LabRoom.swift"' in d.page_source, 60, "the repository fetched")
        assert "fetched" in browser.find_element(By.CSS_SELECTOR, "[data-fetch-phase]").text
        journey.step("repository-fetched")

        # 2. Pick the driver: the form fills in from its metadata once built.
        card = browser.find_element(By.CSS_SELECTOR, '[data-driver-file="room/LabRoom.swift"]')
        card.find_element(By.LINK_TEXT, "Add driver").click()
        journey.wait(lambda d: "Filled in from room/LabRoom.swift" in d.page_source, BUILD_WAIT, "the driver built and its metadata")
        assert browser.find_element(By.NAME, "name").get_attribute("value") == "Lab Room"
        assert browser.find_element(By.NAME, "module_name").get_attribute("value") == "Room"
        journey.step("driver-form-filled")
        journey.save()
        driver = journey.current_id()
        journey.click("Build and commits")
        journey.wait(lambda d: d.find_element(By.CSS_SELECTOR, "[data-build-state]").text == "built", BUILD_WAIT, "the build")
        journey.step("driver-built")

        # 3. Create a room on level 2, on the free room of its map.
        journey.open("/backoffice/systems/new")
        journey.fill({"name": "Lab", "zones": "zone-harbourpoint\nzone-hp-tower\nzone-hp-l2", "map_id": "room-l2-lab"})
        journey.save()
        system = journey.current_id()
        assert system.startswith("sys-"), browser.current_url

        # 4. Add the module to the room.
        journey.open("/backoffice/modules/new?system=" + system)
        journey.fill({"driver_id": driver, "control_system_id": system})
        journey.save()
        journey.step("room-and-module")

        # 5. The room is live on the map: v2 says occupied.
        journey.open("/backoffice/zones/zone-hp-l2/map")
        journey.wait(lambda d: journey.room_class(system) == "room-occupied", 120, "the room occupied on the map")
        journey.step("room-live-on-the-map")

        # 6. Pin the older commit: the module runs v1, the room turns free.
        journey.open("/backoffice/drivers/%s/build" % driver)
        browser.find_element(By.CSS_SELECTOR, '#commits li[data-commit="%s"] a' % old[:10]).click()
        journey.wait(lambda d: "/edit" in d.current_url, 30, "the edit form")
        assert browser.find_element(By.NAME, "commit").get_attribute("value") == old
        journey.save()
        journey.open("/backoffice/zones/zone-hp-l2/map")
        journey.wait(lambda d: journey.room_class(system) == "room-free", BUILD_WAIT, "the room free on v1")
        journey.step("pinned-older-commit")

        # 7. A new commit on the branch: Pull, and the driver says "update available".
        work.commit({"room/LabRoom.swift": room_source("v3", "in_use")}, "lab room: v3 shows in use")
        work.push()
        journey.open("/backoffice/repositories/%s/git" % repository)
        journey.click("Pull")
        journey.wait(lambda d: work.git("rev-parse", "--short=10", "HEAD") in d.page_source
                     and "fetched" in d.find_element(By.CSS_SELECTOR, "[data-fetch-phase]").text, 60, "the pull")
        journey.open("/backoffice/drivers/%s/build" % driver)
        update = browser.find_element(By.ID, "update").text
        assert "Update available" in update and "lab room: v3 shows in use" in update and "lab room: v2" in update
        journey.step("update-available")

        # 8. A commit that does not compile: pinned, it shows the error while the module runs on.
        typo = room_source("v4", "occupied", broken=True)
        broken = work.commit({"room/LabRoom.swift": typo}, "lab room: v4 has a typo")
        work.push()
        journey.open("/backoffice/repositories/%s/git" % repository)
        journey.click("Pull")
        journey.wait(lambda d: broken[:10] in d.page_source, 60, "the second pull")
        journey.open("/backoffice/drivers/%s/edit?commit=%s" % (driver, broken))
        journey.save()
        journey.click("Build and commits")
        journey.wait(lambda d: d.find_element(By.CSS_SELECTOR, "[data-build-state]").text == "failed", BUILD_WAIT, "the failed build")
        errors = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "[data-build-error]")]
        assert errors and errors[0].startswith("room/LabRoom.swift:%d:" % broken_line(typo)), errors
        assert browser.find_element(By.CSS_SELECTOR, "[data-running-commit]").text == old[:10]
        journey.step("compile-error-shown")
        journey.open("/backoffice/zones/zone-hp-l2/map")
        journey.wait(lambda d: journey.room_class(system) == "room-free", 30, "the room still free (v1 runs on)")
        journey.step("module-kept-running")

        total = round(time.monotonic() - journey.started, 2)
        os.makedirs(ARTIFACTS, exist_ok=True)
        with open(os.path.join(ARTIFACTS, "journey-timings.json"), "w") as handle:
            json.dump({"steps": journey.timings, "total_seconds": total}, handle, indent=2)
    finally:
        if browser:
            browser.quit()
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        shutil.rmtree(tmp, ignore_errors=True)
