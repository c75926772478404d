"""newcomer-journey: "create a room with three modules on a level and see it live on the map",
scripted in headless Chromium as a newcomer would do it with the site's pickers — no id typed —
counting form submissions and clicks and timing it. A bench, not a test: it prints a table and
writes bench/results/newcomer-journey.json. `make bench` runs it against the release build
(BACKOFFICE_BIN overrides); targets: at most 4 forms, no id typed, under 60 s of scripted time."""
import json
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "Tests", "e2e"))
sys.path.insert(0, os.path.join(ROOT, "Tests", "RuntimeTests", "Fixtures"))
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

from conftest import free_port  # noqa: E402
from runtime_harness import Server  # noqa: E402
from site_browser import chromium  # noqa: E402

BINARY = os.environ.get("BACKOFFICE_BIN", os.path.join(ROOT, ".build", "release", "backoffice"))


class Journey:
    def __init__(self, browser):
        self.browser, self.forms, self.clicks, self.typed_ids = browser, 0, 0, 0

    def click(self, element):
        self.clicks += 1
        element.click()

    def submit(self):
        old = self.browser.find_element(By.TAG_NAME, "html")
        self.forms += 1
        self.click(self.browser.find_element(By.CSS_SELECTOR, "form.edit button.primary"))
        WebDriverWait(self.browser, 30).until(lambda d: stale(old))


def stale(element):
    try:
        element.tag_name
        return False
    except Exception:  # noqa: BLE001
        return True


def run(server, browser):
    journey = Journey(browser)
    started = time.monotonic()
    browser.get(server.url + "/backoffice/systems/new")
    browser.find_element(By.NAME, "name").send_keys("L1 Café")
    picker = browser.find_element(By.CSS_SELECTOR, '[data-input="zones"] details.picker')
    journey.click(picker.find_element(By.TAG_NAME, "summary"))
    for zone in ["Harbour Point", "Harbour Point Tower", "Harbour Point Tower Level 1"]:
        label = next(l for l in picker.find_elements(By.CSS_SELECTOR, "label") if l.text.split(" zone-")[0].strip() == zone)
        journey.click(label.find_element(By.TAG_NAME, "input"))
    journey.click(next(b for b in browser.find_elements(By.CSS_SELECTOR, '[data-input="map_id"] button') if "Level 1" in b.text))
    room = WebDriverWait(browser, 15).until(lambda d: d.find_element(By.CSS_SELECTOR, '.map-picker [id="area-l1-cafe"]'))
    journey.clicks += 1
    browser.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))", room)
    journey.submit()
    system = re.search(r"/backoffice/systems/([^/?]+)/", browser.current_url).group(1)
    for driver, address in [("Room Logic (driver-room-logic)", None), ("PJLink Projector (driver-pjlink-projector)", "127.0.0.1"),
                            ("Lutron Lighting Controller (driver-lutron-lighting)", "127.0.0.1")]:
        journey.click(browser.find_element(By.LINK_TEXT, "Add module"))
        journey.clicks += 1
        Select(browser.find_element(By.NAME, "driver_id")).select_by_visible_text(driver)
        if address:
            browser.find_element(By.NAME, "ip").send_keys(address)
        journey.submit()
        # Back to the room: its link on the new module's page.
        journey.click(browser.find_element(By.CSS_SELECTOR, 'main a[href="/backoffice/systems/%s/"]' % system))
    journey.click(browser.find_element(By.LINK_TEXT, "on the map"))
    WebDriverWait(browser, 30).until(lambda d: d.find_elements(
        By.CSS_SELECTOR, 'a.room-link[href="/backoffice/systems/%s/"]' % system))
    seconds = time.monotonic() - started
    room = json.loads(subprocess.run(["git", "-C", server.config, "show", "main:systems/%s.json" % system],
                                     check=True, capture_output=True, text=True).stdout)
    assert len(room["modules"]) == 3 and room["map_id"] == "area-l1-cafe", room
    return {"forms": journey.forms, "clicks": journey.clicks, "ids_typed": journey.typed_ids, "seconds": round(seconds, 2)}


def main():
    server = Server(BINARY, free_port(), args=["--no-simulators"])
    browser = chromium()
    try:
        result = run(server, browser)
    finally:
        browser.quit()
        server.stop()
    targets = {"forms": 4, "ids_typed": 0, "seconds": 60}
    print("newcomer journey: a room with three modules on a level, live on the map")
    print("%-12s %10s %10s" % ("measure", "value", "target"))
    for key in ["forms", "clicks", "ids_typed", "seconds"]:
        target = targets.get(key)
        print("%-12s %10s %10s" % (key, result[key], ("≤ %s" % target) if target is not None else "—"))
    os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
    with open(os.path.join(ROOT, "bench", "results", "newcomer-journey.json"), "w") as handle:
        json.dump(dict(result, binary=BINARY), handle, indent=2)
    return 0 if result["forms"] <= 4 and result["ids_typed"] == 0 and result["seconds"] < 60 else 1


if __name__ == "__main__":
    sys.exit(main())
