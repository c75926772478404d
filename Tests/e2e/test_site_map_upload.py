"""A level's SVG map uploaded from its zone's page in headless Chromium (issue 15): the file is
sanitised by the map sanitiser and what is left committed in one commit (the SVG and the
zone's map reference); scripts, event handlers and external references never reach git; the
level map shows the new drawing. A file that is not SVG, or that sanitising empties, is
refused with the reason and nothing committed. Screenshots in artifacts/."""
import os
import re
import subprocess
import tempfile

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import BACKOFFICE, SAMPLE_CONFIG, free_port
from site_browser import FormClient, screenshot, submit

import sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "RuntimeTests", "Fixtures"))
from runtime_harness import Server  # noqa: E402

LEVEL = "zone-hp-l1"
TOWER = "zone-hp-tower"

EVIL = """<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 400 200">
  <script>alert('map')</script>
  <style>@import url(http://evil.example/x.css);</style>
  <rect id="lobby" x="10" y="10" width="180" height="120" fill="#eef3f8" onload="alert(1)" onclick="steal()"/>
  <circle id="uploaded-marker" cx="300" cy="80" r="40" fill="url(http://evil.example/paint)"/>
  <image href="http://evil.example/tracker.png" width="10" height="10"/>
  <use xlink:href="http://evil.example/sprite.svg#x"/>
  <text x="20" y="160">Reception</text>
  <a href="javascript:alert(2)"><text x="20" y="180">Lobby</text></a>
  <foreignObject><div xmlns="http://www.w3.org/1999/xhtml">hi</div></foreignObject>
</svg>
"""


@pytest.fixture(scope="module")
def server():
    server = Server(BACKOFFICE, free_port())
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture()
def files():
    folder = tempfile.TemporaryDirectory(prefix="bo-map-upload-")

    def write(name, text):
        path = os.path.join(folder.name, name)
        with open(path, "w") as handle:
            handle.write(text)
        return path
    yield write
    folder.cleanup()


def git(server, *args):
    return subprocess.run(["git", "-C", server.config, *args], check=True, capture_output=True, text=True).stdout


def upload(fresh_browser, server, zone, path):
    fresh_browser.get(server.url + "/backoffice/zones/%s/" % zone)
    fresh_browser.find_element(By.CSS_SELECTOR, 'a[href="/backoffice/zones/%s/map/upload"]' % zone).click()
    WebDriverWait(fresh_browser, 20).until(lambda d: d.find_elements(By.CSS_SELECTOR, 'input[type=file][name="map"]'))
    fresh_browser.find_element(By.CSS_SELECTOR, 'input[type=file][name="map"]').send_keys(path)
    submit(fresh_browser)


def test_a_malicious_map_is_sanitised_and_committed_with_the_zone_in_one_commit(server, fresh_browser, files):
    before = git(server, "rev-parse", "main").strip()
    upload(fresh_browser, server, TOWER, files("tower.svg", EVIL))
    assert "/backoffice/zones/%s/map?saved=" % TOWER in fresh_browser.current_url
    # One commit: the sanitised SVG and the zone's map_id, by the user, in words.
    assert git(server, "rev-list", "--count", before + "..main").strip() == "1"
    changed = sorted(git(server, "show", "--name-only", "--format=", "main").split())
    assert changed == ["maps/%s.svg" % TOWER, "zones/%s.json" % TOWER], changed
    assert git(server, "log", "-1", "--format=%s", "main").strip() == \
        'Upload the map of zone "Harbour Point Tower" (maps/%s.svg)' % TOWER
    svg = git(server, "show", "main:maps/%s.svg" % TOWER)
    for removed in ["<script", "alert", "onload", "onclick", "evil.example", "javascript:", "foreignObject", "<image", "<style", "@import"]:
        assert removed not in svg, (removed, svg)
    for kept in ['id="lobby"', 'id="uploaded-marker"', "<circle", "Reception"]:
        assert kept in svg, (kept, svg)
    assert '"map_id": "%s.svg"' % TOWER in git(server, "show", "main:zones/%s.json" % TOWER)
    # The level map shows the drawing.
    WebDriverWait(fresh_browser, 20).until(lambda d: d.find_elements(By.CSS_SELECTOR, "svg #uploaded-marker"))
    assert not fresh_browser.find_elements(By.CSS_SELECTOR, "svg script")
    screenshot(fresh_browser, "map-uploaded")


def test_replacing_a_levels_map_keeps_its_rooms_linked(server, fresh_browser, files):
    with open(os.path.join(SAMPLE_CONFIG, "maps", "level-1.svg")) as handle:
        original = handle.read()
    replaced = original.replace("</svg>", '<circle id="new-plant" cx="600" cy="600" r="30" fill="#27ae60" onmouseover="x()"/></svg>')
    upload(fresh_browser, server, LEVEL, files("level-1.svg", replaced))
    assert "/backoffice/zones/%s/map?saved=" % LEVEL in fresh_browser.current_url
    changed = git(server, "show", "--name-only", "--format=", "main").split()
    assert changed == ["maps/level-1.svg"], changed  # the zone already named it
    svg = git(server, "show", "main:maps/level-1.svg")
    assert 'id="new-plant"' in svg and "onmouseover" not in svg
    WebDriverWait(fresh_browser, 20).until(lambda d: d.find_elements(By.CSS_SELECTOR, "svg #new-plant"))
    assert fresh_browser.find_elements(By.CSS_SELECTOR, 'a.room-link[href="/backoffice/systems/sys-l1-training/"]')
    screenshot(fresh_browser, "map-replaced")


def test_a_file_that_is_not_svg_or_is_emptied_is_refused_and_nothing_committed(server, fresh_browser, files):
    before = git(server, "rev-parse", "main").strip()
    upload(fresh_browser, server, TOWER, files("plan.svg", "<svg xmlns='http://www.w3.org/2000/svg'><rect></svg>"))
    notice = fresh_browser.find_element(By.CSS_SELECTOR, ".notice.error").text
    assert "Nothing was saved" in notice and "is not a readable SVG map" in notice, notice
    screenshot(fresh_browser, "map-upload-refused")
    upload(fresh_browser, server, TOWER, files("empty.svg", "<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script>"
                                                      "<image href='http://evil.example/x.png'/></svg>"))
    assert "Nothing drawable is left" in fresh_browser.find_element(By.CSS_SELECTOR, ".notice.error").text
    # Without the form's token, or for a kind without maps: refused.
    client = FormClient(server.url)
    fields = client.form("/backoffice/zones/%s/map/upload" % TOWER)
    answer = client.session.post(server.url + "/backoffice/zones/%s/map/upload" % TOWER, allow_redirects=False,
                                 files={"map": ("x.svg", EVIL, "image/svg+xml")})
    assert answer.status_code == 403
    answer = client.session.post(server.url + "/backoffice/zones/%s/map/upload" % TOWER, allow_redirects=False,
                                 data={"_csrf": fields["_csrf"]}, files={"map": ("x.svg", "", "image/svg+xml")})
    assert answer.status_code == 422 and "Choose an SVG file" in answer.text
    assert client.session.get(server.url + "/backoffice/systems/sys-l1-training/map/upload").status_code == 404
    assert git(server, "rev-parse", "main").strip() == before
    assert not re.search(r"evil\.example", git(server, "show", "main:maps/level-1.svg"))
