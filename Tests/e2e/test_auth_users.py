"""The users page, API keys from the site, form tokens bound to the session, and settings
visibility by role on pre-rendered pages. Auth is on; one server for the module."""
import html
import json
import os
import re
import subprocess

import requests
from selenium.webdriver.common.by import By

from auth_server import PASSWORD, USERS, auth  # noqa: F401 (the module's server fixture)
from site_browser import FormClient, fill, screenshot, submit


def client(auth, role):
    """A FormClient whose requests session signed in through the form as `role`."""
    form = FormClient(auth.base)
    form.session = auth.browser(role)
    return form


def user_id(auth, role):
    for name in os.listdir(os.path.join(auth.state, "config", "users")):
        with open(os.path.join(auth.state, "config", "users", name)) as handle:
            if json.load(handle).get("email") == USERS[role]:
                return name[:-5]
    raise AssertionError("no user " + USERS[role])


def git(auth, *args):
    return subprocess.run(["git", "-C", os.path.join(auth.state, "config"), *args], check=True, capture_output=True, text=True).stdout


def test_sign_in_page_uses_the_site_look(auth, fresh_browser):
    fresh_browser.get(auth.base + "/auth/signin")
    assert fresh_browser.find_element(By.CSS_SELECTOR, "link[rel=stylesheet]").get_attribute("href").endswith("/backoffice/assets/site.css")
    assert fresh_browser.find_element(By.CSS_SELECTOR, "header.top .brand").text.strip() == "BackOffice"
    assert fresh_browser.find_element(By.CSS_SELECTOR, "section.panel.auth h1").text == "Sign in"
    screenshot(fresh_browser, "auth-signin")


def test_admin_searches_users_and_edits_permissions(auth, fresh_browser):
    target = user_id(auth, "user")
    client(auth, "user").session.get(auth.base + "/backoffice/systems/sys-l1-reception/")
    fresh_browser.get(auth.base + "/backoffice/users/?q=uma%40")
    fill(fresh_browser, {"email": USERS["admin"], "password": PASSWORD})
    submit(fresh_browser)
    rows = fresh_browser.find_elements(By.CSS_SELECTOR, "table.list tbody tr")
    assert rows, fresh_browser.current_url + fresh_browser.find_element(By.TAG_NAME, "body").text[:500]
    assert len(rows) == 1 and USERS["user"] in rows[0].text
    rows[0].find_element(By.CSS_SELECTOR, "a").click()
    assert fresh_browser.current_url.endswith(f"/backoffice/users/{target}/")
    assert fresh_browser.find_element(By.ID, "perm-support").is_selected() is False
    fill(fresh_browser, {"support": True})
    submit(fresh_browser)
    assert "?saved=" in fresh_browser.current_url, fresh_browser.find_element(By.TAG_NAME, "main").text[:800]
    assert fresh_browser.find_element(By.ID, "perm-support").is_selected()
    author = git(auth, "log", "-1", "--format=%an <%ae>|%s", "--", f"users/{target}.json").strip()
    assert author == f"Admin <{USERS['admin']}>|Set permissions of {USERS['user']}: support"
    assert json.loads(git(auth, "show", f"HEAD:users/{target}.json"))["support"] is True
    commits_before = git(auth, "rev-list", "--count", "HEAD")
    # Taking the support permission away again is another single commit.
    fill(fresh_browser, {"support": False})
    submit(fresh_browser)
    assert int(git(auth, "rev-list", "--count", "HEAD")) == int(commits_before) + 1
    screenshot(fresh_browser, "auth-users-page")


def test_support_sees_permissions_but_cannot_change_them(auth):
    target = user_id(auth, "user")
    support = client(auth, "support")
    page = support.session.get(auth.base + f"/backoffice/users/{target}/")
    assert page.status_code == 200 and "data-permissions" in page.text and 'name="admin"' not in page.text
    head = git(auth, "rev-parse", "HEAD").strip()
    refused = support.session.post(auth.base + f"/backoffice/users/{target}/permissions",
                                   data={"admin": "on", "support": "on", "_csrf": "x"}, headers={"Accept": "text/html"})
    assert refused.status_code == 403
    # Not even with an admin's token: the token belongs to the admin's session.
    admin = client(auth, "admin")
    fields = admin.form(f"/backoffice/users/{target}/")
    refused = support.session.post(auth.base + f"/backoffice/users/{target}/permissions", data={**fields, "admin": "on"})
    assert refused.status_code == 403
    assert git(auth, "rev-parse", "HEAD").strip() == head


def test_access_history_lists_systems_newest_first(auth):
    plain = client(auth, "user")
    for system in ["sys-l2-jetty", "sys-l3-boardroom"]:
        assert plain.session.get(auth.base + f"/backoffice/systems/{system}/").status_code == 200
    page = client(auth, "admin").session.get(auth.base + f"/backoffice/users/{user_id(auth, 'user')}/").text
    seen = re.findall(r'data-access="([^"]+)"', page)
    assert seen[:2] == ["sys-l3-boardroom", "sys-l2-jetty"]


def test_api_key_is_shown_once_and_works_as_x_api_key(auth):
    admin = client(auth, "admin")
    fields = admin.form(f"/backoffice/api-keys/new?user={user_id(auth, 'support')}")
    assert fields["user"] == USERS["support"]
    head = git(auth, "rev-parse", "HEAD").strip()
    answer = admin.post("/backoffice/api-keys/new", {**fields, "name": "site key", "scopes": "systems.read users.read",
                                                     "expires": "7", "permissions": ""})
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    key = html.unescape(re.search(r"<pre[^>]*data-key>([^<]+)</pre>", answer.text).group(1))
    key_id, secret = key.split(".", 1)
    assert git(auth, "rev-list", "--count", f"{head}..HEAD").strip() == "1"
    stored = json.loads(git(auth, "show", f"HEAD:api-keys/{key_id}.json"))
    assert stored["secret_hash"].startswith("hmac-sha512$") and secret not in json.dumps(stored)
    assert stored["scopes"] == ["systems.read", "users.read"] and "expires_at" in stored
    assert git(auth, "log", "-1", "--format=%ae").strip() == USERS["admin"]
    # Never shown again: not on the key's page, the list, its history, nor anywhere in the repository.
    for path in [f"/backoffice/api-keys/{key_id}/", "/backoffice/api-keys/", f"/backoffice/api-keys/{key_id}/history"]:
        page = admin.session.get(auth.base + path)
        assert page.status_code == 200 and secret not in page.text
    assert subprocess.run(["git", "-C", os.path.join(auth.state, "config"), "grep", "-q", "-F", "-e", secret, "HEAD"]).returncode == 1
    # Usable as X-API-Key, with its scopes and the owner's role.
    who = requests.get(auth.base + "/api/_test/whoami", headers={"X-API-Key": key})
    assert who.status_code == 200 and who.json()["user_id"] == user_id(auth, "support") and who.json()["role"] == "support"
    assert requests.post(auth.base + "/api/_test/systems/sys-1", headers={"X-API-Key": key}).status_code == 403
    assert requests.get(auth.base + "/api/_test/whoami", headers={"X-API-Key": key_id + ".wrong"}).status_code == 401


def test_api_key_form_errors_and_refusals(auth):
    admin = client(auth, "admin")
    fields = admin.form("/backoffice/api-keys/new")
    head = git(auth, "rev-parse", "HEAD").strip()
    bad = admin.post("/backoffice/api-keys/new", {**fields, "user": USERS["user"], "name": "x", "scopes": "everything!"})
    assert bad.status_code == 422 and "everything!" in bad.text
    assert git(auth, "rev-parse", "HEAD").strip() == head
    support = client(auth, "support")
    assert support.session.get(auth.base + "/backoffice/api-keys/new").status_code == 403
    assert support.session.post(auth.base + "/backoffice/api-keys/new", data=fields).status_code == 403


def test_form_token_of_one_session_is_refused_in_another(auth):
    first, second = client(auth, "admin"), client(auth, "admin")
    fields = first.form("/backoffice/systems/sys-l1-reception/edit")
    fields["capacity"] = "21"
    head = git(auth, "rev-parse", "HEAD").strip()
    refused = second.post("/backoffice/systems/sys-l1-reception/edit", fields)
    assert refused.status_code == 403 and "form token" in refused.text
    assert git(auth, "rev-parse", "HEAD").strip() == head
    accepted = first.post("/backoffice/systems/sys-l1-reception/edit", fields)
    assert accepted.status_code == 303
    # Signing out ends the session and with it every form token it had.
    fields = first.form("/backoffice/systems/sys-l1-reception/edit")
    first.session.post(auth.base + "/auth/signout")
    again = client(auth, "admin")
    again.session.cookies.set("bo_session", first.session.cookies.get("bo_session") or "gone")
    assert again.post("/backoffice/systems/sys-l1-reception/edit", fields).status_code in (401, 403)


def test_settings_shown_by_role_on_pre_rendered_pages(auth):
    admin = client(auth, "admin")
    fields = admin.form("/backoffice/systems/sys-l2-jetty/edit")
    fields["settings.support"] = json.dumps({"support_pin": "pin-4711"})
    fields["settings.admin"] = json.dumps({"admin_password": "pw-hunter2"})
    assert admin.post("/backoffice/systems/sys-l2-jetty/edit", fields).status_code == 303
    system = "/backoffice/systems/sys-l2-jetty/"
    driver = "/backoffice/drivers/driver-pjlink-projector/"
    module = "/backoffice/modules/mod-l2-jetty-projector/"

    plain = client(auth, "user").session
    page = plain.get(auth.base + system)
    assert page.status_code == 200 and 'data-settings' in page.text
    for hidden in ["pin-4711", "support_pin", "pw-hunter2", "admin_password", "enc:v1"]:
        assert hidden not in page.text, hidden
    for path in [driver, module, "/backoffice/systems/sys-l2-jetty/edit"]:
        assert plain.get(auth.base + path).status_code == 403
    history = plain.get(auth.base + system + "history").text
    for hidden in ["pin-4711", "pw-hunter2", "enc:v1"]:
        assert hidden not in history, hidden
    # The changes never name a key of an encrypted level (commit subjects name keys, never values).
    diffs = re.findall(r"<table class=\"diff[^\"]*\">.*?</table>", history, re.S)
    assert diffs and not any("admin_password" in diff or "support_pin" in diff for diff in diffs)

    support = client(auth, "support").session
    page = support.get(auth.base + system).text
    assert "pin-4711" in page and "pw-hunter2" not in page and "admin_password" not in page
    assert "harbourpoint" not in support.get(auth.base + driver).text.replace("harbourpoint.example", "")
    form = support.get(auth.base + "/backoffice/systems/sys-l2-jetty/edit").text
    assert "pin-4711" in form and "pw-hunter2" not in form

    page = admin.session.get(auth.base + system).text
    assert "pin-4711" in page and "pw-hunter2" in page
    assert '"password":"harbourpoint"' in html.unescape(admin.session.get(auth.base + driver).text).replace(" ", "")
    # The pre-rendered file holds no setting at all.
    with open(os.path.join(auth.state, "site", "systems", "sys-l2-jetty.html")) as handle:
        stored = handle.read()
    assert "support_pin" not in stored and "pin-4711" not in stored and "<!--settings-->" in stored
