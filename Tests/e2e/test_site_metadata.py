"""Metadata edited from the site in headless Chromium (issue 15): a zone's feature toggles
through the form generated from their schema and through the JSON editor, each save one
commit by the user with a message in words, then reverted from the entry's history (the file
back in git as it was); bad JSON comes back with the error beside the field and nothing
committed; a user cannot edit another user's metadata (the 403 page) but edits their own.
Screenshots in artifacts/."""
import json
import os
import re
import subprocess

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from auth_server import AuthServer
from conftest import BACKOFFICE, free_port
from site_browser import FormClient, gone, screenshot, submit

import sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "RuntimeTests", "Fixtures"))
from runtime_harness import Server  # noqa: E402

ZONE = "zone-hp-tower"
FEATURES = "metadata/%s/features.json" % ZONE
EDITOR = "/backoffice/metadata/%s/features/edit" % ZONE


@pytest.fixture(scope="module")
def server():
    server = Server(BACKOFFICE, free_port())
    try:
        yield server
    finally:
        server.stop()


def git(server, *args):
    return subprocess.run(["git", "-C", server.config, *args], check=True, capture_output=True, text=True).stdout


def committed(server, path):
    return json.loads(git(server, "show", "main:" + path))


def head(server):
    return git(server, "rev-parse", "main").strip()


def test_feature_toggles_through_the_schema_form_and_json_then_reverted(server, fresh_browser):
    original = committed(server, FEATURES)
    assert original["details"]["desk_booking"] is False
    # The zone's page lists its metadata with Edit and History.
    fresh_browser.get(server.url + "/backoffice/zones/%s/" % ZONE)
    fresh_browser.find_element(By.CSS_SELECTOR, 'a[href="%s"]' % EDITOR).click()
    WebDriverWait(fresh_browser, 20).until(lambda d: d.find_elements(By.ID, "schema-form"))
    # Booleans of the schema are checkboxes: switch desk booking on.
    toggle = fresh_browser.find_element(By.CSS_SELECTOR, '#schema-form input[type=checkbox][name="details.desk_booking"]')
    assert not toggle.is_selected()
    screenshot(fresh_browser, "metadata-schema-form")
    toggle.click()
    submit(fresh_browser, "#schema-form button.primary")
    assert "?saved=" in fresh_browser.current_url and "/backoffice/zones/%s/" % ZONE in fresh_browser.current_url
    saved = committed(server, FEATURES)
    assert saved["details"]["desk_booking"] is True
    assert {k: v for k, v in saved["details"].items() if k != "desk_booking"} == \
        {k: v for k, v in original["details"].items() if k != "desk_booking"}
    subject = git(server, "log", "-1", "--format=%s|%an", "main").strip()
    assert subject == 'Edit metadata "features" of zone "Harbour Point Tower"|Local Admin', subject
    schema_commit = head(server)

    # The JSON editor: parking on, typed as JSON.
    fresh_browser.get(server.url + EDITOR)
    details = fresh_browser.find_element(By.CSS_SELECTOR, '#json-form textarea[name="details"]')
    text = json.loads(details.get_attribute("value"))
    assert text["desk_booking"] is True
    text["parking"] = True
    details.clear()
    details.send_keys(json.dumps(text, indent=2))
    screenshot(fresh_browser, "metadata-json-editor")
    submit(fresh_browser, "#json-form button.primary")
    assert committed(server, FEATURES)["details"]["parking"] is True
    assert git(server, "rev-list", "--count", "%s..main" % schema_commit).strip() == "1"
    json_commit = head(server)

    # History: both commits; revert the two, newest first, and the file is back as it was.
    fresh_browser.get(server.url + "/backoffice/metadata/%s/features/history" % ZONE)
    commits = fresh_browser.find_elements(By.CSS_SELECTOR, "section.commit")
    assert len(commits) >= 2
    assert "features" in fresh_browser.find_element(By.TAG_NAME, "h1").text
    screenshot(fresh_browser, "metadata-history")
    for commit in (json_commit, schema_commit):
        fresh_browser.get(server.url + "/backoffice/metadata/%s/features/history" % ZONE)
        old = fresh_browser.find_element(By.TAG_NAME, "html")
        form = fresh_browser.find_element(By.CSS_SELECTOR, 'section.commit form:has(input[name="commit"][value="%s"])' % commit)
        form.find_element(By.CSS_SELECTOR, "button.danger").click()
        alert = WebDriverWait(fresh_browser, 5).until(lambda d: _alert(d))
        if alert:
            alert.accept()
        WebDriverWait(fresh_browser, 20).until(lambda d: gone(old))
        assert "?saved=" in fresh_browser.current_url
    assert committed(server, FEATURES) == original
    assert git(server, "log", "-1", "--format=%s", "main").startswith("Revert")


def _alert(driver):
    try:
        return driver.switch_to.alert
    except Exception:  # noqa: BLE001 - no confirm dialog (no script): the form posts directly
        return None


def test_bad_json_shows_the_error_beside_the_field_and_commits_nothing(server, fresh_browser):
    before = head(server)
    fresh_browser.get(server.url + EDITOR)
    details = fresh_browser.find_element(By.CSS_SELECTOR, '#json-form textarea[name="details"]')
    details.clear()
    details.send_keys('{"booking_panels": true,\n "desk_booking": tru}')
    submit(fresh_browser, "#json-form button.primary")
    field = fresh_browser.find_element(By.CSS_SELECTOR, '#json-form .field.invalid[data-input="details"]')
    assert "invalid JSON at line 2, column" in field.text, field.text
    assert "Nothing was saved" in fresh_browser.find_element(By.CSS_SELECTOR, ".notice.error").text
    # The input is kept as typed.
    assert "tru}" in fresh_browser.find_element(By.CSS_SELECTOR, '#json-form textarea[name="details"]').get_attribute("value")
    screenshot(fresh_browser, "metadata-bad-json")
    # Against the schema: a member it does not allow, named beside the field.
    details = fresh_browser.find_element(By.CSS_SELECTOR, '#json-form textarea[name="details"]')
    details.clear()
    details.send_keys('{"booking_panels": true, "desk_booking": true, "visitor_kiosk": "yes", "sauna": true}')
    submit(fresh_browser, "#json-form button.primary")
    field = fresh_browser.find_element(By.CSS_SELECTOR, '#json-form .field.invalid[data-input="details"]')
    assert "visitor_kiosk: must be of type boolean" in field.text and "sauna: is not allowed" in field.text, field.text
    assert head(server) == before


@pytest.fixture(scope="module")
def auth():
    server = AuthServer()
    yield server
    server.stop()


def _user_id(auth, email):
    folder = os.path.join(auth.state, "config", "users")
    for name in sorted(os.listdir(folder)):
        with open(os.path.join(folder, name)) as handle:
            if json.load(handle).get("email") == email:
                return name[:-5]
    raise AssertionError("no user " + email)


def test_a_user_edits_their_own_metadata_and_not_anothers(auth):
    from auth_server import USERS
    user = FormClient(auth.base)
    user.session = auth.browser("user")
    own, other = _user_id(auth, USERS["user"]), _user_id(auth, USERS["support"])
    config = os.path.join(auth.state, "config")

    def head():
        return subprocess.run(["git", "-C", config, "rev-parse", "main"], check=True, capture_output=True, text=True).stdout.strip()

    # Another user's metadata: the editor is a 403 page in the site's words, and a post commits nothing.
    refused = user.session.get(auth.base + "/backoffice/metadata/%s/prefs/edit" % other)
    assert refused.status_code == 403
    assert "do not have access" in refused.text
    before = head()
    fields = user.form("/backoffice/metadata/%s/prefs/edit" % own)  # a token of the user's own form
    posted = user.post("/backoffice/metadata/%s/prefs/edit" % other, {**fields, "_mode": "json", "details": '{"x": 1}'})
    assert posted.status_code == 403
    assert head() == before
    # A zone's metadata is support's to edit: refused to a user too.
    assert user.session.get(auth.base + EDITOR).status_code == 403
    # Their own: one commit by them.
    saved = user.post("/backoffice/metadata/%s/prefs/edit" % own, {**fields, "_mode": "json", "details": '{"theme": "dark"}'})
    assert saved.status_code == 303, saved.text
    author = subprocess.run(["git", "-C", config, "log", "-1", "--format=%ae|%s", "main"], check=True, capture_output=True,
                            text=True).stdout.strip()
    assert author.startswith(USERS["user"] + "|Add metadata \"prefs\" of user"), author
    shown = subprocess.run(["git", "-C", config, "show", "main:metadata/%s/prefs.json" % own], check=True, capture_output=True,
                           text=True).stdout
    assert json.loads(shown)["details"] == {"theme": "dark"}
    # The user reverts their own change from the entry's history.
    created = head()
    history = user.session.get(auth.base + "/backoffice/metadata/%s/prefs/history" % own)
    assert history.status_code == 200 and created in history.text
    token = re.search(r'name="_csrf" value="([^"]+)"', history.text).group(1)
    undone = user.session.post(auth.base + "/backoffice/metadata/%s/prefs/revert" % own, data={"_csrf": token, "commit": created},
                               allow_redirects=False)
    assert undone.status_code == 303, undone.text[:500]
    assert subprocess.run(["git", "-C", config, "cat-file", "-e", "main:metadata/%s/prefs.json" % own]).returncode != 0
    saved = user.post("/backoffice/metadata/%s/prefs/edit" % own, {**fields, "_mode": "json", "details": '{"theme": "dark"}'})
    assert saved.status_code == 303, saved.text
    # A user may not give their entry a schema or editors (support's): refused beside the field.
    fields = user.form("/backoffice/metadata/%s/prefs/edit" % own)
    assert "schema_id" not in fields
    before = head()
    sneaky = user.post("/backoffice/metadata/%s/prefs/edit" % own, {**fields, "_mode": "json", "schema_id": "schema-zone-features"})
    assert head() == before or json.loads(subprocess.run(["git", "-C", config, "show", "main:metadata/%s/prefs.json" % own],
                                                          check=True, capture_output=True, text=True).stdout).get("schema_id") is None
    assert sneaky.status_code in (303, 403)


def test_a_plain_user_finds_their_account_and_adds_metadata_from_it(auth, fresh_browser):
    from auth_server import PASSWORD, USERS
    from site_browser import fill
    fresh_browser.get(auth.base + "/auth/signin")
    fill(fresh_browser, {"email": USERS["user"], "password": PASSWORD})
    submit(fresh_browser)
    WebDriverWait(fresh_browser, 15).until(lambda d: d.find_element(By.CSS_SELECTOR, "header [data-account]").text == "User")
    # The bar keeps only the sections a plain user may open.
    shown = [link.text for link in fresh_browser.find_elements(By.CSS_SELECTOR, "nav.nav a") if link.is_displayed()]
    assert "Systems" in shown and "Zones" in shown, shown
    assert not {"Users", "Drivers", "API keys", "Deployment", "Metrics"} & set(shown), shown
    fresh_browser.find_element(By.CSS_SELECTOR, "header a[data-account]").click()
    WebDriverWait(fresh_browser, 15).until(lambda d: d.current_url.endswith("/backoffice/account"))
    assert fresh_browser.find_element(By.CSS_SELECTOR, "[data-account-email]").text == USERS["user"]
    assert fresh_browser.find_element(By.CSS_SELECTOR, "[data-account-role]").text == "user"
    assert not fresh_browser.find_elements(By.LINK_TEXT, "User page"), "users' pages are support's"
    fresh_browser.find_element(By.ID, "f-new-metadata").send_keys("desk")
    fresh_browser.find_element(By.CSS_SELECTOR, "#metadata form.inline button").click()
    WebDriverWait(fresh_browser, 15).until(lambda d: "/desk/" in d.current_url or "name=desk" in d.current_url)
    editor = fresh_browser.find_element(By.NAME, "details")
    editor.clear()
    editor.send_keys('{"desk": "L2-14"}')
    submit(fresh_browser)
    fresh_browser.get(auth.base + "/backoffice/account")
    shown = fresh_browser.find_element(By.ID, "metadata").text
    assert "desk" in shown and "L2-14" in shown, shown
    screenshot(fresh_browser, "account-page")
