"""Operating modules from the site in headless Chromium, without REST: a module's page lists its
driver's functions with their arguments and runs one (the result and the status it changed on
the next page); Start and Stop buttons on the module's and the system's pages are form posts
that commit `running` in words. Screenshots in artifacts/."""
import html
import os
import re
import sys

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import BACKOFFICE, free_port
from site_browser import FormClient, click_and_wait, screenshot

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "RuntimeTests", "Fixtures"))
from runtime_harness import Server, wait_for  # noqa: E402

PROJECTOR = "mod-l1-training-projector"
ROOM = "sys-l1-training"


@pytest.fixture(scope="module")
def server():
    server = Server(BACKOFFICE, free_port())
    try:
        wait_for(lambda: server.post("/api/engine/v2/modules/%s/ping" % PROJECTOR)[1]["pingable"], 30, "the projector online")
        yield server
    finally:
        server.stop()


def test_a_function_runs_from_the_module_page_and_shows_the_result_and_status_change(server, fresh_browser):
    server.post("/api/engine/v2/modules/%s/exec/power" % PROJECTOR, [False])
    fresh_browser.get(server.url + "/backoffice/modules/%s/" % PROJECTOR)
    row = fresh_browser.find_element(By.CSS_SELECTOR, '#operate tr[data-function="power"]')
    assert "state" in row.text
    screenshot(fresh_browser, "operate-module-functions")
    checkbox = row.find_element(By.CSS_SELECTOR, 'input[type=checkbox][name="arg.state"]')
    checkbox.click()
    click_and_wait(fresh_browser, row.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert "power on Projector" in fresh_browser.find_element(By.TAG_NAME, "h1").text
    change = fresh_browser.find_element(By.CSS_SELECTOR, 'table.changes tr[data-key="power"]')
    assert change.find_elements(By.TAG_NAME, "td")[2].text == "true", change.text
    screenshot(fresh_browser, "operate-function-result")
    assert server.get("/api/engine/v2/modules/%s/state/power" % PROJECTOR)[1] is True
    # A bad argument is refused in words, nothing runs.
    answer = requests.post(server.url + "/backoffice/modules/%s/exec" % PROJECTOR, data={"function": "power"})
    assert answer.status_code == 403  # no form token: refused before anything runs


def test_an_argument_that_does_not_fit_is_named(server, fresh_browser):
    fresh_browser.get(server.url + "/backoffice/modules/%s/" % PROJECTOR)
    form = fresh_browser.find_element(By.CSS_SELECTOR, '#operate tr[data-function="switch_to"]')
    click_and_wait(fresh_browser, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert "switch_to on Projector" in fresh_browser.find_element(By.TAG_NAME, "h1").text
    assert not fresh_browser.find_elements(By.CSS_SELECTOR, ".notice.error"), "a choice from the select fits"


def test_stop_and_start_buttons_on_the_module_page_commit_in_words(server, fresh_browser):
    fresh_browser.get(server.url + "/backoffice/modules/%s/" % PROJECTOR)
    stop = fresh_browser.find_element(By.CSS_SELECTOR, '#operate form[action$="/stop"] button')
    click_and_wait(fresh_browser, stop)
    assert fresh_browser.current_url.split("?")[0].endswith("/backoffice/modules/%s/" % PROJECTOR)
    assert 'stop module "Projector"' in fresh_browser.find_element(By.CSS_SELECTOR, ".notice").text
    WebDriverWait(fresh_browser, 20).until(
        lambda d: d.find_element(By.CSS_SELECTOR, 'h1 [data-module="%s"]' % PROJECTOR).get_attribute("class") == "dot stopped")
    assert fresh_browser.find_element(By.CSS_SELECTOR, '#operate form[action$="/start"] button').is_enabled()
    screenshot(fresh_browser, "operate-module-stopped")
    click_and_wait(fresh_browser, fresh_browser.find_element(By.CSS_SELECTOR, '#operate form[action$="/start"] button'))
    assert server.last_commit_subject() == 'start module "Projector"'
    wait_for(lambda: server.post("/api/engine/v2/modules/%s/ping" % PROJECTOR)[1]["pingable"], 30, "the projector online again")


def test_stop_all_and_start_all_on_the_systems_modules_page(server, fresh_browser):
    # The system's page stays the same for every reader (no form): its button leads to the
    # system's "Modules of" page, where Start all and Stop all are.
    fresh_browser.get(server.url + "/backoffice/systems/%s/" % ROOM)
    click_and_wait(fresh_browser, fresh_browser.find_element(By.LINK_TEXT, "Start or stop all…"))
    click_and_wait(fresh_browser, fresh_browser.find_element(By.CSS_SELECTOR, '#operate form[action$="/stop"] button'))
    assert server.last_commit_subject().startswith('stop ') and "L1 Training" in server.last_commit_subject()
    assert server.module_state(PROJECTOR) == "stopped"
    screenshot(fresh_browser, "operate-system-stopped")
    click_and_wait(fresh_browser, fresh_browser.find_element(By.CSS_SELECTOR, '#operate form[action$="/start"] button'))
    assert server.last_commit_subject().startswith('start ') and "L1 Training" in server.last_commit_subject()
    wait_for(lambda: server.module_state(PROJECTOR) == "running", 30, "the projector running again")


def test_a_second_logic_module_is_refused_in_words_and_the_first_cannot_just_leave(server, fresh_browser):
    client = FormClient(server.url)
    fields = client.form("/backoffice/modules/new?system=%s" % ROOM)
    fields.update({"driver_id": "driver-room-logic"})
    answer = client.post("/backoffice/modules/new", fields)
    assert answer.status_code == 422
    assert "already has a room logic module" in answer.text and "mod-l1-training-logic" in answer.text
    before = server.last_commit_subject()
    members = "/backoffice/systems/%s/modules" % ROOM
    # The list's form comes first on the page (Start all / Stop all below it have their own tokens).
    page = client.session.get(server.url + members).text
    fields = {"_csrf": html.unescape(re.search(r'name="_csrf" value="([^"]+)"', page).group(1)),
              "_version": re.search(r'name="_version" value="([^"]+)"', page).group(1),
              "member": "mod-l1-training-logic", "action": "remove"}
    answer = client.post(members, fields)
    assert answer.status_code == 422
    assert "room logic module and belongs to it alone" in answer.text and "control_system_id" not in answer.text
    assert server.last_commit_subject() == before
    fresh_browser.get(server.url + members)
    row = fresh_browser.find_element(By.CSS_SELECTOR, 'tr[data-member="mod-l1-training-logic"]')
    fresh_browser.execute_script("window.confirm = function () { return true; }")
    click_and_wait(fresh_browser, row.find_element(By.CSS_SELECTOR, 'button[value="remove"]'))
    assert "belongs to it alone" in fresh_browser.find_element(By.CSS_SELECTOR, ".notice.error").text
    screenshot(fresh_browser, "operate-logic-module-remove-refused")
