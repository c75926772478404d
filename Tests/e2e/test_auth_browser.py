"""Chromium signs in through the form and edits a system as that user (the commit is theirs);
a support user is refused a driver edit; a plain user sees no users page. Auth is on."""
import subprocess

import pytest
from selenium.webdriver.common.by import By

from auth_server import PASSWORD, USERS, AuthServer
from site_browser import FormClient, chromium, fill, submit


@pytest.fixture(scope="module")
def auth():
    server = AuthServer()
    yield server
    server.stop()


@pytest.fixture()
def browser():
    driver = chromium()
    yield driver
    driver.quit()


def sign_in(browser, auth, role, target="/backoffice/systems/sys-l2-jetty/edit"):
    browser.get(auth.base + target)
    assert "/auth/signin?continue=" in browser.current_url
    fill(browser, {"email": USERS[role], "password": PASSWORD})
    submit(browser)
    cookie = browser.get_cookie("bo_session")
    assert cookie and cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    return browser


def test_chromium_signs_in_and_edits_a_system(auth, browser):
    sign_in(browser, auth, "support")
    assert browser.current_url.endswith("/backoffice/systems/sys-l2-jetty/edit")
    fill(browser, {"capacity": "13"})
    submit(browser)
    assert "?saved=" in browser.current_url, browser.find_element(By.TAG_NAME, "main").text[:1000]
    newest = subprocess.run(["git", "-C", auth.state + "/config", "log", "-1", "--format=%an <%ae>", "--", "systems/sys-l2-jetty.json"],
                            check=True, capture_output=True, text=True).stdout.strip()
    assert newest == f"Support <{USERS['support']}>"


def test_support_is_refused_a_driver_edit_and_user_the_users_page(auth, browser):
    sign_in(browser, auth, "support", "/backoffice/")
    browser.get(auth.base + "/backoffice/drivers/driver-pjlink-projector/edit")
    form = FormClient(auth.base)
    form.session.cookies.set("bo_session", browser.get_cookie("bo_session")["value"])
    refused = form.session.post(auth.base + "/backoffice/drivers/driver-pjlink-projector/edit", data={"name": "x"},
                                headers={"Accept": "text/html"})
    assert refused.status_code == 403 and "do not have access" in refused.text
    browser.delete_all_cookies()
    sign_in(browser, auth, "user", "/backoffice/")
    browser.get(auth.base + "/backoffice/users/")
    assert "403" in browser.title or "do not have access" in browser.find_element(By.TAG_NAME, "body").text
