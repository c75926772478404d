"""Chromium signs in through the form and edits a system as that user (the commit is theirs);
a support user is refused a driver edit; a plain user sees no users page. Auth is on."""
import subprocess

from selenium.webdriver.common.by import By

from auth_server import PASSWORD, USERS, auth  # noqa: F401 (the module's server fixture)
from site_browser import FormClient, fill, submit


def sign_in(fresh_browser, auth, role, target="/backoffice/systems/sys-l2-jetty/edit"):
    fresh_browser.get(auth.base + target)
    assert "/auth/signin?continue=" in fresh_browser.current_url
    fill(fresh_browser, {"email": USERS[role], "password": PASSWORD})
    submit(fresh_browser)
    cookie = fresh_browser.get_cookie("bo_session")
    assert cookie and cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    return fresh_browser


def test_chromium_signs_in_and_edits_a_system(auth, fresh_browser):
    sign_in(fresh_browser, auth, "support")
    assert fresh_browser.current_url.endswith("/backoffice/systems/sys-l2-jetty/edit")
    fill(fresh_browser, {"capacity": "13"})
    submit(fresh_browser)
    assert "?saved=" in fresh_browser.current_url, fresh_browser.find_element(By.TAG_NAME, "main").text[:1000]
    newest = subprocess.run(["git", "-C", auth.state + "/config", "log", "-1", "--format=%an <%ae>", "--", "systems/sys-l2-jetty.json"],
                            check=True, capture_output=True, text=True).stdout.strip()
    assert newest == f"Support <{USERS['support']}>"


def test_support_is_refused_a_driver_edit_and_user_the_users_page(auth, fresh_browser):
    sign_in(fresh_browser, auth, "support", "/backoffice/")
    fresh_browser.get(auth.base + "/backoffice/drivers/driver-pjlink-projector/edit")
    form = FormClient(auth.base)
    form.session.cookies.set("bo_session", fresh_browser.get_cookie("bo_session")["value"])
    refused = form.session.post(auth.base + "/backoffice/drivers/driver-pjlink-projector/edit", data={"name": "x"},
                                headers={"Accept": "text/html"})
    assert refused.status_code == 403 and "do not have access" in refused.text
    fresh_browser.delete_all_cookies()
    sign_in(fresh_browser, auth, "user", "/backoffice/")
    fresh_browser.get(auth.base + "/backoffice/users/")
    assert "403" in fresh_browser.title or "do not have access" in fresh_browser.find_element(By.TAG_NAME, "body").text
