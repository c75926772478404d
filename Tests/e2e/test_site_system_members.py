"""A system's Modules and Zones tabs: add, remove and reorder with plain forms (POST + 303), each
action one commit with a message in words; stale pages and missing tokens commit nothing. And the
module list's server-side filters by name, IP and online state."""
import html
import re

import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from http_server import server  # noqa: F401 (the module's server fixture)
from site_browser import FormClient, chromium, screenshot

SYSTEM = "sys-l1-huddle"


def subjects(server):
    return server.git("log", "--format=%s").splitlines()


def members(server, name):
    """The system's list as committed at the branch head."""
    import json
    return json.loads(server.git("show", f"HEAD:systems/{SYSTEM}.json"))[name]


def page_fields(client, path):
    """The token and version of a members page (every form on it carries the same)."""
    page = client.session.get(client.base + path).text
    token = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
    version = re.search(r'name="_version" value="([^"]+)"', page).group(1)
    return {"_csrf": html.unescape(token), "_version": version}, page


def act(server, client, tab, action, member):
    path = f"/backoffice/systems/{SYSTEM}/{tab}"
    fields, _ = page_fields(client, path)
    before = len(subjects(server))
    response = client.post(path, {**fields, "action": action, "member": member})
    assert response.status_code == 303, response.text[:2000]
    assert response.headers["Location"].startswith(path + "?saved=")
    log = subjects(server)
    assert len(log) == before + 1, "one commit per action"
    return log[0], response.headers["Location"]


def test_modules_reorder_remove_add_each_one_commit(server):
    client = FormClient(server.base)
    start = members(server, "modules")
    assert start[:2] == ["mod-l1-huddle-logic", "mod-l1-huddle-occupancy"]

    message, location = act(server, client, "modules", "down", "mod-l1-huddle-logic")
    assert members(server, "modules")[:2] == ["mod-l1-huddle-occupancy", "mod-l1-huddle-logic"]
    assert message.startswith("Move module") and "down in system" in message and "mod-l1-huddle-logic" in message
    # The page the 303 points to shows the new order and the commit.
    shown = client.session.get(server.base + location).text
    assert "Saved as commit" in shown
    assert shown.index('data-member="mod-l1-huddle-occupancy"') < shown.index('data-member="mod-l1-huddle-logic"')

    message, _ = act(server, client, "modules", "up", "mod-l1-huddle-logic")
    assert members(server, "modules") == start and "up in system" in message

    message, _ = act(server, client, "modules", "remove", "mod-l1-huddle-hvac")
    assert "mod-l1-huddle-hvac" not in members(server, "modules")
    assert message.startswith("Remove module") and "from system" in message
    # The module itself still exists; the system page no longer lists it.
    assert requests.get(server.base + "/backoffice/modules/mod-l1-huddle-hvac/").status_code == 200
    assert "mod-l1-huddle-hvac" not in requests.get(server.base + f"/backoffice/systems/{SYSTEM}/").text.split('id="modules"')[1].split("</section>")[0]

    message, _ = act(server, client, "modules", "add", "mod-l1-huddle-hvac")
    assert members(server, "modules")[-1] == "mod-l1-huddle-hvac"
    assert message.startswith("Add module") and "to system" in message
    assert "Local Admin" in server.git("log", "-1", "--format=%an")


def test_zones_join_leave_reorder_each_one_commit(server):
    client = FormClient(server.base)
    assert members(server, "zones") == ["zone-harbourpoint", "zone-hp-tower", "zone-hp-l1"]
    message, _ = act(server, client, "zones", "join", "zone-hp-l2")
    assert members(server, "zones")[-1] == "zone-hp-l2" and message.startswith("Put system") and "in zone" in message
    message, _ = act(server, client, "zones", "up", "zone-hp-l2")
    assert members(server, "zones")[-2:] == ["zone-hp-l2", "zone-hp-l1"] and "up in system" in message
    message, _ = act(server, client, "zones", "leave", "zone-hp-l2")
    assert members(server, "zones") == ["zone-harbourpoint", "zone-hp-tower", "zone-hp-l1"]
    assert message.startswith("Take system") and "out of zone" in message
    # The level's page follows: the system is listed in zone-hp-l1 only.
    assert "Huddle" in requests.get(server.base + "/backoffice/zones/zone-hp-l1/").text


def test_refusals_commit_nothing(server):
    client = FormClient(server.base)
    path = f"/backoffice/systems/{SYSTEM}/zones"
    fields, _ = page_fields(client, path)
    before = len(subjects(server))
    # No token: refused.
    assert client.post(path, {"_version": fields["_version"], "action": "up", "member": "zone-hp-l1"}).status_code == 403
    # The first zone cannot move up; an unknown zone cannot join; the page says why.
    response = client.post(path, {**fields, "action": "up", "member": "zone-harbourpoint"})
    assert response.status_code == 422 and "already first" in response.text
    response = client.post(path, {**fields, "action": "join", "member": "zone-nowhere"})
    assert response.status_code == 422 and "no zone zone-nowhere" in response.text
    # A page opened before someone else's change: conflict, nothing saved.
    other = FormClient(server.base)
    act(server, other, "zones", "down", "zone-harbourpoint")
    before = len(subjects(server))
    response = client.post(path, {**fields, "action": "down", "member": "zone-hp-tower"})
    assert response.status_code == 409 and "Someone changed this system" in response.text
    assert len(subjects(server)) == before
    act(server, other, "zones", "up", "zone-harbourpoint")


def test_buttons_work_in_a_browser_without_script(server):
    driver = chromium()
    try:
        driver.get(f"{server.base}/backoffice/systems/{SYSTEM}/")
        driver.find_element(By.LINK_TEXT, "Add existing, remove, reorder").click()
        rows = driver.find_elements(By.CSS_SELECTOR, "table.members tbody tr")
        assert len(rows) == len(members(server, "modules"))
        first = rows[0].get_attribute("data-member")
        old = driver.find_element(By.TAG_NAME, "html")
        rows[0].find_element(By.CSS_SELECTOR, 'button[value="down"]').click()
        WebDriverWait(driver, 20).until(lambda d: "?saved=" in d.current_url)
        assert members(server, "modules")[1] == first
        rows = driver.find_elements(By.CSS_SELECTOR, "table.members tbody tr")
        assert rows[1].get_attribute("data-member") == first
        assert "Saved as commit" in driver.find_element(By.CSS_SELECTOR, ".notice.ok").text
        screenshot(driver, "system-modules-tab")
        del old
    finally:
        driver.quit()


def test_module_list_filters_by_name_ip_and_state(server):
    client = FormClient(server.base)
    fields = client.form("/backoffice/modules/new")
    fields.update({"driver_id": "driver-pjlink-projector", "ip": "10.77.0.5", "port": "4352", "custom_name": "Filter Beamer"})
    fields.pop("running", None)   # stopped: offline whatever the runtime finds (no device answers at 10.77.0.5)
    assert client.post("/backoffice/modules/new", fields).status_code == 303

    def rows(query):
        page = requests.get(server.base + "/backoffice/modules/?" + query).text
        body = re.findall(r'<tbody id="rows">(.*?)</tbody>', page, re.S)[0]
        return 0 if "Nothing here" in body else body.count("<tr>"), page

    count, page = rows("ip=10.77.0")
    assert count == 1 and "Filter Beamer" in page and 'value="10.77.0"' in page
    count, page = rows("name=filter+beamer")
    assert count == 1 and "10.77.0.5" in page
    count, page = rows("state=offline")
    assert count >= 2 and "mod-l2-jetty-projector" in page and "10.77.0.5" in page and "option value=\"offline\" selected" in page
    count, page = rows("state=online")
    assert "mod-l2-jetty-projector" not in page and "10.77.0.5" not in page
    count, _ = rows("state=online&ip=10.77")
    assert count == 0
    count, _ = rows("state=offline&ip=10.77")
    assert count == 1
    count, _ = rows("name=huddle&ip=127.0.0.1")
    assert count >= 2
