"""Pickers, not ids, in headless Chromium: a room is created with its zones ticked by name, its
map element picked by clicking it on the level's map, and a module added with its driver chosen
by name — no id typed anywhere; the room then shows on the map. Names typed where an id is
expected are accepted when unique. 403 and 404 are pages of the site with a way home; with
sign-in on, every page has the sign-out button and the name of who is signed in. Modules are
reordered by dragging. Screenshots in artifacts/."""
import json
import os
import re
import socket
import subprocess
import sys

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import BACKOFFICE, free_port
from auth_server import PASSWORD, USERS, auth  # noqa: F401 (the module's signed-in server fixture)
from site_browser import FormClient, fill, gone, screenshot, submit

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "RuntimeTests", "Fixtures"))
from runtime_harness import Server  # noqa: E402


@pytest.fixture(scope="module")
def server():
    server = Server(BACKOFFICE, free_port(), args=["--no-simulators"])
    yield server
    server.stop()


def committed(server, path):
    """A file as the branch head has it (the working tree follows the server's commits later)."""
    return json.loads(subprocess.run(["git", "-C", server.config, "show", "main:" + path], check=True,
                                     capture_output=True, text=True).stdout)


def test_a_room_created_entirely_with_pickers_shows_on_the_map(server, fresh_browser):
    fresh_browser.get(server.url + "/backoffice/systems/new")
    fresh_browser.find_element(By.NAME, "name").send_keys("L1 Café")
    picker = fresh_browser.find_element(By.CSS_SELECTOR, '[data-input="zones"] details.picker')
    picker.find_element(By.TAG_NAME, "summary").click()
    for zone in ["Harbour Point", "Harbour Point Tower", "Harbour Point Tower Level 1"]:
        label = next(l for l in picker.find_elements(By.CSS_SELECTOR, "label") if l.text.split(" zone-")[0].strip() == zone)
        label.find_element(By.TAG_NAME, "input").click()
    assert fresh_browser.find_element(By.NAME, "zones").get_attribute("value").split("\n") == ["zone-harbourpoint", "zone-hp-tower", "zone-hp-l1"]
    pick = next(b for b in fresh_browser.find_elements(By.CSS_SELECTOR, '[data-input="map_id"] button') if "Level 1" in b.text)
    pick.click()
    room = WebDriverWait(fresh_browser, 15).until(lambda d: d.find_element(By.CSS_SELECTOR, '.map-picker [id="area-l1-cafe"]'))
    fresh_browser.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))", room)
    assert Select(fresh_browser.find_element(By.NAME, "map_id")).first_selected_option.get_attribute("value") == "area-l1-cafe"
    screenshot(fresh_browser, "pickers-new-room")
    submit(fresh_browser)
    match = re.search(r"/backoffice/systems/([^/?]+)/\?saved=", fresh_browser.current_url)
    assert match, fresh_browser.find_element(By.TAG_NAME, "main").text[:2000]
    system = match.group(1)
    assert system == "sys-l1-cafe", "a readable id from the name"

    fresh_browser.get(server.url + "/backoffice/modules/new?system=" + system)
    Select(fresh_browser.find_element(By.NAME, "driver_id")).select_by_visible_text("PJLink Projector (driver-pjlink-projector)")
    fresh_browser.find_element(By.NAME, "ip").send_keys("127.0.0.1")
    submit(fresh_browser)
    assert "?saved=" in fresh_browser.current_url, fresh_browser.find_element(By.TAG_NAME, "main").text[:2000]
    assert re.match(r'add module ".*" to "L1 Café"', server.last_commit_subject()), server.last_commit_subject()

    members = committed(server, "systems/%s.json" % system)
    assert members["zones"] == ["zone-harbourpoint", "zone-hp-tower", "zone-hp-l1"] and members["map_id"] == "area-l1-cafe"
    assert members["modules"] == ["mod-l1-cafe-projector"], "the module's id: its system's name and its own"
    fresh_browser.get(server.url + "/backoffice/zones/zone-hp-l1/map")
    WebDriverWait(fresh_browser, 15).until(lambda d: d.find_elements(By.CSS_SELECTOR, 'a.room-link[href="/backoffice/systems/%s/"]' % system))
    screenshot(fresh_browser, "pickers-room-on-the-map")


def test_names_typed_where_an_id_is_expected_are_accepted_when_unique(server):
    client = FormClient(server.url)
    fields = client.form("/backoffice/systems/new")
    fields.update({"name": "Typed Room", "zones": "Harbour Point\nharbour point tower level 2"})
    answer = client.post("/backoffice/systems/new", fields)
    assert answer.status_code == 303, answer.text[:2000]
    system = re.search(r"/backoffice/systems/([^/?]+)/", answer.headers["location"]).group(1)
    assert committed(server, "systems/%s.json" % system)["zones"] == ["zone-harbourpoint", "zone-hp-l2"]
    # A name whose readable id is taken (names are unique, ids fold punctuation): the form's random id.
    again = client.form("/backoffice/systems/new")
    again.update({"name": "Typed-Room"})
    answer = client.post("/backoffice/systems/new", again)
    assert answer.status_code == 303, answer.text[:2000]
    assert system == "sys-typed-room" and re.search(r"/backoffice/systems/([^/?]+)/", answer.headers["location"]).group(1) == again["_id"]


def test_a_new_object_form_posted_twice_creates_one_object(server):
    client = FormClient(server.url)
    fields = client.form("/backoffice/zones/new")
    fields.update({"name": "Twice Posted Wing"})
    first = client.post("/backoffice/zones/new", fields)
    assert first.status_code == 303, first.text[:2000]
    assert re.search(r"/backoffice/zones/zone-twice-posted-wing/", first.headers["location"]), first.headers["location"]
    # The same form again (a double click, a reload of the POST): the object the first post made.
    second = client.post("/backoffice/zones/new", fields)
    assert second.status_code == 303, second.text[:2000]
    assert re.search(r"/backoffice/zones/zone-twice-posted-wing/", second.headers["location"]), second.headers["location"]
    listing = subprocess.run(["git", "-C", server.config, "ls-tree", "-r", "--name-only", "main", "zones/"],
                             check=True, capture_output=True, text=True).stdout
    assert [line for line in listing.splitlines() if "twice-posted" in line] == ["zones/zone-twice-posted-wing.json"]
    # A new form (a new id) for the same name still creates a second object.
    other = client.form("/backoffice/zones/new")
    other.update({"name": "Twice Posted Wing 2"})
    third = client.post("/backoffice/zones/new", other)
    assert third.status_code == 303 and "zone-twice-posted-wing-2" in third.headers["location"], third.headers.get("location")


def test_not_found_is_a_site_page_with_a_way_home_and_the_nav_wraps(server, fresh_browser):
    fresh_browser.get(server.url + "/backoffice/systems/sys-nope/")
    assert "Not found" in fresh_browser.find_element(By.TAG_NAME, "h1").text
    fresh_browser.find_element(By.LINK_TEXT, "BackOffice home")
    screenshot(fresh_browser, "finishing-not-found")
    answer = requests.get(server.url + "/backoffice/nothing/here/", headers={"Accept": "text/html"})
    assert answer.status_code == 404 and 'class="top"' in answer.text and "BackOffice home" in answer.text
    assert requests.get(server.url + "/backoffice/nothing/here/", headers={"Accept": "application/json"}).json()["status"] == 404
    # --auth off: nobody signed in, so there is nothing to sign out of.
    fresh_browser.get(server.url + "/backoffice/systems/")
    assert not fresh_browser.find_elements(By.CSS_SELECTOR, "header .account")
    width = fresh_browser.execute_script("return document.querySelector('header.top').scrollWidth")
    assert width <= 1280, "the navigation overflows at 1280 px"


def test_every_page_can_sign_out_names_who_is_in_and_a_403_is_a_site_page(auth, fresh_browser):
    fresh_browser.get(auth.base + "/backoffice/")
    assert "/auth/signin" in fresh_browser.current_url
    fill(fresh_browser, {"email": USERS["user"], "password": PASSWORD})
    submit(fresh_browser)
    for page in ["/backoffice/", "/backoffice/systems/", "/backoffice/systems/sys-l1-huddle/", "/backoffice/zones/zone-hp-l1/map"]:
        fresh_browser.get(auth.base + page)
        form = fresh_browser.find_element(By.CSS_SELECTOR, 'header .account form[action="/auth/signout"]')
        assert form.get_attribute("method") == "post"
    WebDriverWait(fresh_browser, 15).until(lambda d: d.find_element(By.CSS_SELECTOR, "[data-account]").text == "User")
    screenshot(fresh_browser, "finishing-signed-in")
    fresh_browser.get(auth.base + "/backoffice/users/")
    assert "No access" in fresh_browser.find_element(By.TAG_NAME, "h1").text
    assert "you do not have access to this" in fresh_browser.find_element(By.TAG_NAME, "main").text
    assert fresh_browser.find_element(By.LINK_TEXT, "BackOffice home").get_attribute("href").endswith("/backoffice/")
    screenshot(fresh_browser, "finishing-forbidden")
    old = fresh_browser.find_element(By.TAG_NAME, "html")
    fresh_browser.find_element(By.CSS_SELECTOR, "header .account button").click()
    WebDriverWait(fresh_browser, 20).until(lambda d: gone(old))
    assert "/auth/signin" in fresh_browser.current_url
    assert fresh_browser.get_cookie("bo_session") is None
    fresh_browser.get(auth.base + "/backoffice/systems/")
    assert "/auth/signin" in fresh_browser.current_url, "still signed in after Sign out"


def test_dragging_a_module_row_reorders_the_system_in_one_commit(server, fresh_browser):
    system = "sys-l1-huddle"
    before = committed(server, "systems/%s.json" % system)["modules"]
    fresh_browser.get(server.url + "/backoffice/systems/%s/modules" % system)
    rows = fresh_browser.find_elements(By.CSS_SELECTOR, "table.members tr[data-member]")
    assert rows[-1].get_attribute("draggable") == "true"
    old = fresh_browser.find_element(By.TAG_NAME, "html")
    fresh_browser.execute_script("""
        var from = arguments[0], to = arguments[1], data = new DataTransfer();
        from.dispatchEvent(new DragEvent('dragstart', {bubbles: true, dataTransfer: data}));
        to.dispatchEvent(new DragEvent('dragover', {bubbles: true, cancelable: true, dataTransfer: data}));
        to.dispatchEvent(new DragEvent('drop', {bubbles: true, cancelable: true, dataTransfer: data}));""", rows[-1], rows[0])
    WebDriverWait(fresh_browser, 20).until(lambda d: gone(old))
    after = committed(server, "systems/%s.json" % system)["modules"]
    assert after == [before[-1]] + before[:-1]
    assert server.last_commit_subject().startswith("Move module") and "to position 1" in server.last_commit_subject()
    screenshot(fresh_browser, "reorder-dragged")


def test_move_to_a_position_works_as_a_plain_form_post(server):
    system = "sys-l1-wharf"
    before = committed(server, "systems/%s.json" % system)["zones"]
    client = FormClient(server.url)
    fields = client.form("/backoffice/systems/%s/zones" % system)
    fields.update({"action": "move", "member": before[0], "position": str(len(before))})
    assert client.post("/backoffice/systems/%s/zones" % system, fields).status_code == 303
    assert committed(server, "systems/%s.json" % system)["zones"] == before[1:] + [before[0]]


def test_the_first_admin_link_is_printed_only_by_a_server_that_listens(tmp_path):
    """A port already taken: `serve` exits 1 and prints no one-time link to a server that never ran."""
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    try:
        port = taken.getsockname()[1]
        done = subprocess.run([BACKOFFICE, "serve", "--port", str(port), "--state", str(tmp_path / "state"), "--no-simulators"],
                              capture_output=True, text=True, timeout=120)
    finally:
        taken.close()
    output = done.stdout + done.stderr
    assert done.returncode == 1 and "cannot listen on 127.0.0.1:%d" % port in output, output
    assert "first-admin" not in output and "No administrator can sign in yet" not in output, output


def test_rest_creates_readable_ids_from_names_and_keeps_ids_it_is_given(server):
    status, zone = server.post("/api/engine/v2/zones", {"name": "Pier Level 4", "parent_id": "zone-hp-tower"})
    assert status == 201 and zone["id"] == "zone-pier-level-4", zone
    status, twin = server.post("/api/engine/v2/zones", {"name": "Pier-Level 4"})
    assert status == 201 and twin["id"] != "zone-pier-level-4" and twin["id"].startswith("zone-"), twin
    status, given = server.post("/api/engine/v2/zones", {"id": "zone-my-own", "name": "Pier Level 5"})
    assert status == 201 and given["id"] == "zone-my-own", given
