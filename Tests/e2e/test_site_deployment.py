"""The deployment file (backoffice.json) edited from the site in headless Chromium: one commit by the
acting user with the change in words, canonical bytes, the new global value in a module's effective
settings, invalid JSON with line and column, a stale form's conflict page, and who may do what."""
import json
import re

import pytest
from selenium.webdriver.common.by import By

from auth_server import AuthServer
from http_server import server  # noqa: F401 (the module's server fixture)
from site_browser import FormClient, fill, screenshot, submit

SETTINGS = '{"support_email": "support@harbourpoint.example", "timezone": "Europe/Paris", "poll_seconds": 15}'


def main_text(browser):
    return browser.find_element(By.TAG_NAME, "main").text


def test_edit_title_and_a_global_setting_in_the_browser(server, browser):
    before = server.git("rev-parse", "HEAD").strip()
    browser.get(f"{server.base}/backoffice/")
    browser.find_element(By.LINK_TEXT, "Deployment settings →").click()
    browser.find_element(By.LINK_TEXT, "Edit").click()
    assert browser.current_url.endswith("/backoffice/deployment/edit")
    fill(browser, {"title": "Harbour Point HQ", "settings.none": SETTINGS})
    submit(browser)
    assert "/backoffice/deployment/?saved=" in browser.current_url, main_text(browser)[:2000]
    assert browser.find_element(By.CSS_SELECTOR, 'td[data-field="title"]').text == "Harbour Point HQ"
    assert "Europe/Paris" in browser.find_element(By.CSS_SELECTOR, 'td[data-field="settings"]').text
    assert "Saved as commit" in browser.find_element(By.TAG_NAME, "body").text
    screenshot(browser, "deployment")

    # One commit by the acting user, its message naming the change.
    log = server.git("log", "--format=%an <%ae>|%s", f"{before}..HEAD").splitlines()
    assert log == ['Local Admin <admin@localhost>|Deployment: settings.none.poll_seconds added, settings.none.timezone changed, '
                   'title "BackOffice demo — Harbour Point" → "Harbour Point HQ"']
    assert server.git("diff", "--name-only", before, "HEAD").split() == ["backoffice.json"]
    # Stored canonically: two-space indent, keys sorted, one trailing newline.
    stored = server.git("show", "HEAD:backoffice.json")
    assert stored == json.dumps(json.loads(stored), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert json.loads(stored)["settings"]["none"]["timezone"] == "Europe/Paris"

    # The overview shows the new title; a module's merged settings have the new global value.
    browser.get(f"{server.base}/backoffice/")
    assert browser.find_element(By.CSS_SELECTOR, "h1[data-deployment-title]").text == "Harbour Point HQ"
    browser.get(f"{server.base}/backoffice/modules/mod-l1-huddle-hvac/")
    browser.find_element(By.LINK_TEXT, "Effective settings").click()
    row = browser.find_element(By.CSS_SELECTOR, 'tr[data-key="timezone"]')
    assert '"Europe/Paris"' in row.text
    assert row.find_element(By.CSS_SELECTOR, "[data-source]").get_attribute("data-source") == "global"
    assert browser.find_element(By.CSS_SELECTOR, 'tr[data-key="poll_seconds"] [data-value]').text == "15"
    screenshot(browser, "effective-settings")

    # The history shows the field changes.
    browser.get(f"{server.base}/backoffice/deployment/history")
    assert "settings.none.timezone" in browser.find_element(By.CSS_SELECTOR, "table.diff").text


def test_invalid_settings_json_shows_line_and_column_and_nothing_is_saved(server, browser):
    before = server.git("rev-parse", "HEAD").strip()
    browser.get(f"{server.base}/backoffice/deployment/edit")
    fill(browser, {"settings.none": '{"timezone": "UTC",\n  oops}'})
    submit(browser)
    error = browser.find_element(By.CSS_SELECTOR, '[data-input="settings.none"] .error').text
    assert "invalid JSON at line 2, column 3" in error
    assert "oops" in browser.find_element(By.NAME, "settings.none").get_attribute("value")
    # A value the validator refuses is named by its field; the input is kept.
    client = FormClient(server.base)
    fields = client.form("/backoffice/deployment/edit")
    fields["layout.sharded"] = "modules\nrooms"
    answer = client.post("/backoffice/deployment/edit", fields)
    assert answer.status_code == 422
    assert "layout.sharded[1]: must name a directory of objects" in answer.text
    assert server.git("rev-parse", "HEAD").strip() == before


def test_a_stale_form_gets_the_conflict_page(server, browser):
    browser.get(f"{server.base}/backoffice/deployment/edit")
    other = FormClient(server.base)
    fields = other.form("/backoffice/deployment/edit")
    fields["title"] = "Their Title"
    assert other.post("/backoffice/deployment/edit", fields).status_code == 303
    before = server.git("rev-parse", "HEAD").strip()

    fill(browser, {"title": "Our Title"})
    submit(browser)
    text = main_text(browser)
    assert "someone else changed this deployment" in text
    diff = browser.find_element(By.CSS_SELECTOR, "table.diff").text
    assert "title" in diff and "Their Title" in diff
    assert browser.find_element(By.NAME, "title").get_attribute("value") == "Our Title"
    screenshot(browser, "deployment-conflict")
    assert server.git("rev-parse", "HEAD").strip() == before
    # The same with status codes: 409 for the stale post; the conflict form (now based on their
    # version) saves ours on purpose.
    fields["title"] = "Stale Again"
    assert other.post("/backoffice/deployment/edit", fields).status_code == 409
    submit(browser)
    assert "/backoffice/deployment/?saved=" in browser.current_url
    assert json.loads(server.git("show", "HEAD:backoffice.json"))["title"] == "Our Title"


def test_revert_from_the_history_restores_the_previous_file(server):
    client = FormClient(server.base)
    fields = client.form("/backoffice/deployment/edit")
    fields["title"] = "Short-lived Title"
    assert client.post("/backoffice/deployment/edit", fields).status_code == 303
    previous = json.loads(server.git("show", "HEAD~1:backoffice.json"))
    page = client.session.get(server.base + "/backoffice/deployment/history").text
    token = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
    newest = re.search(r'name="commit" value="([0-9a-f]{40})"', page).group(1)
    assert newest == server.git("rev-parse", "HEAD").strip()
    answer = client.post("/backoffice/deployment/revert", {"_csrf": token, "commit": newest})
    assert answer.status_code == 303 and "/backoffice/deployment/?saved=" in answer.headers["Location"]
    assert json.loads(server.git("show", "HEAD:backoffice.json")) == previous
    assert server.git("log", "-1", "--format=%s").startswith('Revert "Deployment: title')


@pytest.fixture(scope="module")
def auth_server():
    running = AuthServer()
    yield running
    running.stop()


def test_support_views_without_admin_settings_and_only_admins_edit(auth_server):
    admin = auth_server.browser("admin")
    form = admin.get(auth_server.base + "/backoffice/deployment/edit")
    assert form.status_code == 200
    fields = {m.group(1): m.group(2) for m in re.finditer(r'<input type="hidden" name="(_csrf|_version)" value="([^"]*)"', form.text)}
    fields["settings.admin"] = '{"relay_password": "hunter2-global"}'
    saved = admin.post(auth_server.base + "/backoffice/deployment/edit", data=fields, allow_redirects=False)
    assert saved.status_code == 303, saved.text[:2000]
    assert "hunter2-global" in admin.get(auth_server.base + "/backoffice/deployment/").text
    assert 'action="/backoffice/deployment/revert"' in admin.get(auth_server.base + "/backoffice/deployment/history").text

    support = auth_server.browser("support")
    page = support.get(auth_server.base + "/backoffice/deployment/")
    assert page.status_code == 200
    assert "Australia/Sydney" in page.text
    for hidden in ["relay_password", "hunter2-global", "enc:v1"]:
        assert hidden not in page.text
    history = support.get(auth_server.base + "/backoffice/deployment/history").text
    # The diff rows leave out levels above the reader (the commit subject names the level, as in git log).
    assert "<th>settings.admin" not in history and "relay_password" not in history
    assert 'action="/backoffice/deployment/revert"' not in history
    assert support.get(auth_server.base + "/backoffice/deployment/edit").status_code == 403
    assert support.post(auth_server.base + "/backoffice/deployment/edit", data={"title": "x"}, allow_redirects=False).status_code == 403
    user = auth_server.browser("user")
    assert user.get(auth_server.base + "/backoffice/deployment/").status_code == 403
