"""A room's triggers edited on the system form with the structured trigger editor in headless
Chromium (issue 15): triggers picked by name, each row's switches as checkboxes, no JSON
typed. Adding one and switching a zone's trigger off are one commit each; choosing "—"
removes the row; the stored entry's id and webhook secret are kept. Screenshots in artifacts/."""
import json
import os
import subprocess

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import BACKOFFICE, free_port
from site_browser import screenshot, submit

import sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "RuntimeTests", "Fixtures"))
from runtime_harness import Server  # noqa: E402

ROOM = "sys-l1-training"
RELEASE = "trigger-release-unused-booking"
STANDBY = "trigger-vacant-hvac-standby"


@pytest.fixture(scope="module")
def server():
    server = Server(BACKOFFICE, free_port())
    try:
        yield server
    finally:
        server.stop()


def stored_triggers(server, system):
    shown = subprocess.run(["git", "-C", server.config, "show", "main:systems/%s.json" % system], check=True, capture_output=True,
                           text=True).stdout
    return json.loads(shown).get("triggers")


def test_the_system_forms_trigger_editor_adds_switches_and_removes_a_trigger(server, fresh_browser):
    assert stored_triggers(server, ROOM) is None
    fresh_browser.get(server.url + "/backoffice/systems/%s/edit" % ROOM)
    # No JSON box for triggers: rows with a select of trigger names.
    assert not fresh_browser.find_elements(By.CSS_SELECTOR, 'textarea[name="triggers"]')
    picker = Select(fresh_browser.find_element(By.NAME, "ti.0.trigger"))
    names = [option.text for option in picker.options]
    assert "Release unused booking (%s)" % RELEASE in names, names
    assert fresh_browser.find_element(By.NAME, "ti.0.enabled").is_selected()  # an added instance runs unless switched off
    picker.select_by_visible_text("Release unused booking (%s)" % RELEASE)
    fresh_browser.find_element(By.NAME, "ti.0.exec_enabled").click()
    # The zone's standby trigger, switched off for this room.
    Select(fresh_browser.find_element(By.NAME, "ti.1.trigger")).select_by_value(STANDBY)
    fresh_browser.find_element(By.NAME, "ti.1.enabled").click()
    screenshot(fresh_browser, "system-form-trigger-editor")
    submit(fresh_browser)
    assert "?saved=" in fresh_browser.current_url, fresh_browser.find_element(By.TAG_NAME, "main").text
    assert stored_triggers(server, ROOM) == [{"trigger_id": RELEASE, "exec_enabled": True},
                                             {"trigger_id": STANDBY, "enabled": False}]
    subject = subprocess.run(["git", "-C", server.config, "log", "-1", "--format=%s", "main"], check=True, capture_output=True,
                             text=True).stdout
    assert subject.strip()

    # Again: the rows show what is stored; "—" removes the standby row, the other stays as it is.
    fresh_browser.get(server.url + "/backoffice/systems/%s/edit" % ROOM)
    assert Select(fresh_browser.find_element(By.NAME, "ti.0.trigger")).first_selected_option.get_attribute("value") == RELEASE
    assert fresh_browser.find_element(By.NAME, "ti.0.exec_enabled").is_selected()
    assert not fresh_browser.find_element(By.NAME, "ti.1.enabled").is_selected()
    Select(fresh_browser.find_element(By.NAME, "ti.1.trigger")).select_by_value("")
    submit(fresh_browser)
    assert stored_triggers(server, ROOM) == [{"trigger_id": RELEASE, "exec_enabled": True}]


def test_an_entry_keeps_its_id_and_secret_and_a_trigger_twice_is_refused(server, fresh_browser):
    before = stored_triggers(server, "sys-l3-boardroom")
    assert before and before[0]["id"] == "trig-l3-boardroom-release"
    fresh_browser.get(server.url + "/backoffice/systems/sys-l3-boardroom/edit")
    Select(fresh_browser.find_element(By.NAME, "ti.1.trigger")).select_by_value(RELEASE)
    submit(fresh_browser)
    error = fresh_browser.find_element(By.CSS_SELECTOR, '.field.invalid[data-input="ti.1.trigger"]').text
    assert "already in row 1" in error, error
    assert stored_triggers(server, "sys-l3-boardroom") == before
    # Switching the stored entry's "important" on keeps its id.
    fresh_browser.get(server.url + "/backoffice/systems/sys-l3-boardroom/edit")
    fresh_browser.find_element(By.NAME, "ti.0.important").click()
    submit(fresh_browser)
    after = stored_triggers(server, "sys-l3-boardroom")
    assert after == [{**before[0], "important": True}]
