"""The backoffice site end to end in headless Chromium: build a building, edit it, see the commits,
revert, conflicts, invalid JSON, hostile names, CSRF; screenshots of the main pages in artifacts/."""
import re
import subprocess

import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import BACKOFFICE
from http_server import server  # noqa: F401 (the module's server fixture)
from site_browser import FormClient, fill, screenshot, submit


def git_log(server, path=None):
    args = ["git", "-C", server.state + "/config", "log", "--format=%an <%ae>|%s"]
    if path:
        args += ["--", path]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout.splitlines()


def field_text(browser, name):
    return browser.find_element(By.CSS_SELECTOR, f'td[data-field="{name}"]').text.strip()


def create(browser, server, kind, values):
    browser.get(f"{server.base}/backoffice/{kind}/new")
    fill(browser, values)
    submit(browser)
    match = re.search(rf"/backoffice/{kind}/([^/?]+)/\?saved=", browser.current_url)
    assert match, f"not saved: {browser.current_url}\n{browser.find_element(By.TAG_NAME, 'main').text[:2000]}"
    return match.group(1)


def test_build_a_building_edit_capacity_and_revert(server, browser):
    org = create(browser, server, "zones", {"name": "E2E Estate", "tags": "org"})
    building = create(browser, server, "zones", {"name": "E2E House", "tags": "building", "parent_id": org})
    level = create(browser, server, "zones", {"name": "E2E Level 1", "tags": "level", "parent_id": building, "map_id": "level-1.svg"})
    system = create(browser, server, "systems", {"name": "E2E Room", "zones": f"{org}\n{building}\n{level}", "capacity": "6",
                                                 "bookable": True, "email": "e2e-room@example.com"})
    assert field_text(browser, "capacity") == "6"

    # Add two modules from the system page; each is appended to the system in the same commit.
    for driver_id, ip in [("driver-room-logic", ""), ("driver-pjlink-projector", "10.9.9.9")]:
        browser.get(f"{server.base}/backoffice/systems/{system}/")
        browser.find_element(By.LINK_TEXT, "Add module").click()
        values = {"driver_id": driver_id}
        if ip:
            values.update({"ip": ip, "port": "4352"})
        fill(browser, values)
        submit(browser)
        assert "?saved=" in browser.current_url
    browser.get(f"{server.base}/backoffice/systems/{system}/")
    rows = browser.find_elements(By.CSS_SELECTOR, "#modules tbody tr")
    assert len(rows) == 2 and "10.9.9.9:4352" in rows[1].text
    # New modules run once the runtime has applied the commit (live: pending, then starting, online or offline).
    def dots_running(driver):
        driver.refresh()
        classes = [dot.get_attribute("class") for dot in driver.find_elements(By.CSS_SELECTOR, "#modules .dot")]
        return len(classes) == 2 and not any("stopped" in c or "pending" in c for c in classes)
    WebDriverWait(browser, 30, poll_frequency=0.5).until(dots_running)

    # The zone tree and the level's page show the new system.
    browser.get(f"{server.base}/backoffice/zones/{level}/")
    assert "E2E Room" in browser.find_element(By.TAG_NAME, "main").text

    # Edit the capacity: one commit by the local admin, message in words.
    browser.get(f"{server.base}/backoffice/systems/{system}/edit")
    fill(browser, {"capacity": "10"})
    submit(browser)
    assert field_text(browser, "capacity") == "10"
    assert "Saved as commit" in browser.find_element(By.CSS_SELECTOR, ".notice.ok").text
    newest = git_log(server, f"systems/{system}.json")[0]
    assert newest.startswith("Local Admin <admin@localhost>|")
    assert "capacity" in newest and "6 → 10" in newest and "E2E Room" in newest

    # History shows the change as a field diff; revert brings the old value back.
    browser.get(f"{server.base}/backoffice/systems/{system}/history")
    first = browser.find_element(By.CSS_SELECTOR, "section.commit")
    assert "capacity" in first.find_element(By.CSS_SELECTOR, "table.diff").text
    old = browser.find_element(By.TAG_NAME, "html")
    first.find_element(By.CSS_SELECTOR, "button.danger").click()
    WebDriverWait(browser, 10).until(lambda d: d.switch_to.alert).accept()
    WebDriverWait(browser, 20).until(lambda d: "?saved=" in d.current_url)
    assert field_text(browser, "capacity") == "6"
    assert git_log(server, f"systems/{system}.json")[0].startswith("Local Admin <admin@localhost>|Revert")
    del old


def test_stale_form_gets_a_conflict_page_with_the_other_change(server, browser):
    browser.get(f"{server.base}/backoffice/systems/sys-l2-jetty/edit")
    # Someone else saves first.
    other = FormClient(server.base)
    fields = other.form("/backoffice/systems/sys-l2-jetty/edit")
    fields["capacity"] = "99"
    assert other.post("/backoffice/systems/sys-l2-jetty/edit", fields).status_code == 303
    # Our stale form: refused, their change shown, our input kept.
    fill(browser, {"description": "Our own words"})
    submit(browser)
    main = browser.find_element(By.TAG_NAME, "main").text
    assert "someone else changed this system" in main
    assert "capacity" in browser.find_element(By.CSS_SELECTOR, "table.diff").text and "99" in main
    assert browser.find_element(By.NAME, "description").get_attribute("value") == "Our own words"
    screenshot(browser, "conflict")
    # The same with status codes: 409, and nothing committed.
    before = len(git_log(server))
    fields["capacity"] = "98"
    assert other.post("/backoffice/systems/sys-l2-jetty/edit", fields).status_code == 409
    assert len(git_log(server)) == before


def test_invalid_settings_json_shows_where(server, browser):
    browser.get(f"{server.base}/backoffice/systems/sys-l1-training/edit")
    fill(browser, {"settings.none": '{"volume": 30,\n  oops}'})
    submit(browser)
    error = browser.find_element(By.CSS_SELECTOR, '[data-input="settings.none"] .error').text
    assert "invalid JSON at line 2, column 3" in error
    assert "oops" in browser.find_element(By.NAME, "settings.none").get_attribute("value")
    screenshot(browser, "invalid-json")
    client = FormClient(server.base)
    fields = client.form("/backoffice/systems/sys-l1-training/edit")
    fields["settings.none"] = "[1,"
    before = len(git_log(server))
    assert client.post("/backoffice/systems/sys-l1-training/edit", fields).status_code == 422
    assert len(git_log(server)) == before


def test_hostile_name_renders_inert(server, browser):
    hostile = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'
    system = create(browser, server, "systems", {"name": hostile, "zones": "zone-hp-l3"})
    assert browser.execute_script("return window.__pwned") is None
    assert browser.find_element(By.TAG_NAME, "h1").text == hostile
    for path in [f"/backoffice/systems/{system}/", "/backoffice/systems/", f"/backoffice/systems/?q=pwned",
                 "/backoffice/zones/zone-hp-l3/", f"/backoffice/systems/{system}/history", f"/backoffice/systems/{system}/edit"]:
        browser.get(server.base + path)
        assert browser.execute_script("return window.__pwned") is None, path
        assert not browser.find_elements(By.CSS_SELECTOR, "main img[src='x']"), path


def test_post_without_token_is_refused(server):
    before = len(git_log(server))
    response = requests.post(server.base + "/backoffice/systems/sys-l1-huddle/edit", data={"name": "x"}, allow_redirects=False)
    assert response.status_code == 403
    forged = FormClient(server.base)
    fields = forged.form("/backoffice/systems/sys-l1-huddle/edit")
    fields["_csrf"] = "0" * 64
    assert forged.post("/backoffice/systems/sys-l1-huddle/edit", fields).status_code == 403
    # A token is bound to its form: the edit token does not delete.
    fields = forged.form("/backoffice/systems/sys-l1-huddle/edit")
    assert forged.post("/backoffice/systems/sys-l1-huddle/delete", {"_csrf": fields["_csrf"]}).status_code == 403
    assert len(git_log(server)) == before


def test_maps_link_rooms_and_pages_look_right(server, browser):
    browser.get(server.base + "/backoffice/zones/zone-hp-l1/map")
    links = browser.find_elements(By.CSS_SELECTOR, ".map a.room-link")
    assert len(links) >= 4
    assert any((link.get_dom_attribute("href") or "").endswith("/backoffice/systems/sys-l1-huddle/") for link in links)
    for name, path in [("home", "/backoffice/"), ("systems", "/backoffice/systems/"), ("system", "/backoffice/systems/sys-l3-boardroom/"),
                       ("zones", "/backoffice/zones/"), ("zone", "/backoffice/zones/zone-hp-tower/"), ("map", "/backoffice/zones/zone-hp-l1/map"),
                       ("modules", "/backoffice/modules/"), ("module-edit", "/backoffice/modules/mod-l1-huddle-hvac/edit"),
                       ("history", "/backoffice/systems/sys-l2-jetty/history"), ("drivers", "/backoffice/drivers/")]:
        browser.get(server.base + path)
        assert browser.find_element(By.TAG_NAME, "h1").text
        screenshot(browser, name)


def wait_for(predicate, timeout=15):
    import time
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_commits_from_git_rerender_and_an_invalid_head_shows_a_banner(server):
    import json
    import os
    server.git("config", "user.name", "Engineer")
    server.git("config", "user.email", "engineer@example.com")
    # Wait until the store's working tree has caught up with the forms' commits.
    assert wait_for(lambda: server.git("status", "--porcelain") == "")
    path = os.path.join(server.state, "config", server.git("ls-files", "*sys-l3-boardroom.json").strip())
    with open(path) as handle:
        document = json.load(handle)
    document["name"] = "Boardroom (renamed by git)"
    with open(path, "w") as handle:
        json.dump(document, handle, indent=2, sort_keys=True)
        handle.write("\n")
    server.git("commit", "-qam", "Rename the boardroom from the command line")
    assert wait_for(lambda: "Boardroom (renamed by git)" in requests.get(server.base + "/backoffice/systems/sys-l3-boardroom/").text)
    assert "Boardroom (renamed by git)" in requests.get(server.base + "/backoffice/zones/zone-hp-l3/").text

    # An invalid head: every page shows the banner with the problem, until it is fixed.
    with open(path, "w") as handle:
        handle.write('{"name": "broken",')
    server.git("commit", "-qam", "Break the boardroom")
    assert wait_for(lambda: "head of the branch is invalid" in requests.get(server.base + "/backoffice/").text)
    page = requests.get(server.base + "/backoffice/drivers/").text
    assert "head of the branch is invalid" in page and "sys-l3-boardroom" in page
    server.git("revert", "--no-edit", "HEAD")
    assert wait_for(lambda: "head of the branch is invalid" not in requests.get(server.base + "/backoffice/").text)


def test_prerendered_pages_have_validators_and_canonical_urls(server):
    first = requests.get(server.base + "/backoffice/systems/sys-l1-huddle/")
    assert first.status_code == 200 and first.headers.get("ETag")
    again = requests.get(server.base + "/backoffice/systems/sys-l1-huddle/", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    moved = requests.get(server.base + "/backoffice/systems/sys-l1-huddle", allow_redirects=False)
    assert moved.status_code == 301 and moved.headers["Location"] == "/backoffice/systems/sys-l1-huddle/"
    assert requests.get(server.base + "/backoffice/systems/sys-nope/").status_code == 404
    assert requests.get(server.base + "/backoffice/modules/?q=10.9.9.9").text.count("<tr>") >= 2
    assert "Projector" in requests.get(server.base + "/backoffice/modules/?state=stopped").text


def test_site_command_renders_a_static_copy(server, tmp_path):
    out = tmp_path / "site"
    result = subprocess.run([BACKOFFICE, "site", "--out", str(out), "--repo", server.state + "/config", "--state", server.state],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "rendered" in result.stdout
    assert (out / "index.html").exists() and (out / "systems" / "sys-l1-huddle.html").exists()
    assert (out / "zones" / "zone-hp-l1.map.html").exists() and (out / "assets" / "site.css").exists()
