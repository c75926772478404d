"""Status never lies: a module that failed to start shows `failed` (never green) with its reason
and since when next to its dot on every page that shows one — its own page, the module list,
the system's Modules tab and the system's "Modules of …" page — over REST, and in the server log.
Screenshots in artifacts/."""
import os
import sys

import pytest
from selenium.webdriver.common.by import By

from conftest import BACKOFFICE, free_port
from site_browser import screenshot

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "RuntimeTests", "Fixtures"))
from runtime_harness import PY_SYSTEM, Server, python_building, wait_for  # noqa: E402

BAD = "mod-py-bad"
REASON = "fail_start is set"


@pytest.fixture(scope="module")
def server():
    server = Server(BACKOFFICE, free_port(), args=["--no-simulators"])
    try:
        server.commit(python_building({BAD: {"settings": {"none": {"fail_start": True}}}}), "add the Python lab")
        wait_for(lambda: server.module_state(BAD) == "failed", 30, "the module to fail its start")
        yield server
    finally:
        server.stop()


PAGES = {
    "module page": "/backoffice/modules/%s/" % BAD,
    "module list": "/backoffice/modules/",
    "system page": "/backoffice/systems/%s/#modules" % PY_SYSTEM,
    "Modules of page": "/backoffice/systems/%s/modules" % PY_SYSTEM,
}


@pytest.mark.parametrize("name", PAGES)
def test_a_failed_module_shows_failed_and_why_on_every_page_with_its_dot(server, fresh_browser, name):
    fresh_browser.get(server.url + PAGES[name])
    dots = fresh_browser.find_elements(By.CSS_SELECTOR, '[data-module="%s"]' % BAD)
    assert dots, "no dot for the module on the " + name
    for dot in dots:
        assert dot.get_attribute("class") == "dot failed", name
        assert dot.value_of_css_property("background-color") != "rgba(45, 164, 78, 1)", "green on the " + name
    words = fresh_browser.find_element(By.CSS_SELECTOR, '[data-module-text="%s"]' % BAD).text
    assert words.startswith("failed: ") and REASON in words and "(since 20" in words and "UTC)" in words, (name, words)
    screenshot(fresh_browser, "status-failed-" + name.lower().replace(" ", "-"))


def test_rest_and_the_log_say_why_it_failed(server):
    status, body = server.post("/api/engine/v2/modules/%s/ping" % BAD)
    assert status == 200 and body["condition"]["state"] == "failed" and REASON in body["condition"]["reason"]
    assert body["condition"]["since"].startswith("20")
    status, body = server.get("/api/engine/v2/modules/%s" % BAD)
    assert status == 200 and body["condition"]["state"] == "failed" and REASON in body["condition"]["reason"]
    assert REASON in server.output()
