"""The branches page (issue 16), in headless Chromium against the real server: an engineer pushes
branches with git; the page shows each one's change in the words of `backoffice diff` and whether
merging it passes the gate; an admin merges one from the site (one merge commit by them, the change
live) and deletes it; an invalid branch and a conflicting branch are refused with their problems and
nothing is committed."""
import json
import os
import re
import shutil
import subprocess
import tempfile

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from http_server import Server
from runtime_harness import wait_for
from site_browser import FormClient, screenshot

GIT_ENV = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL="/dev/null",
               GIT_AUTHOR_NAME="Engineer", GIT_AUTHOR_EMAIL="engineer@example.com",
               GIT_COMMITTER_NAME="Engineer", GIT_COMMITTER_EMAIL="engineer@example.com")


def git(repo, *args):
    result = subprocess.run(["git", "-C", repo, *args], capture_output=True, text=True, env=GIT_ENV, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.fixture(scope="module")
def deployment():
    """`backoffice serve` (auth off: the local admin) and an engineer's clone of its repository."""
    server = Server()
    root = tempfile.mkdtemp(prefix="bo-branches-")
    clone = os.path.join(root, "clone")
    try:
        git(root, "clone", "-q", os.path.join(server.state, "config"), clone)
        yield server, clone
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


def push_branch(clone, name, path, change, base="origin/main"):
    """A branch `name` from `base` with one commit that edits the JSON file `path`, pushed."""
    git(clone, "fetch", "-q", "origin")
    git(clone, "checkout", "-q", "-B", name, base)
    file = os.path.join(clone, path)
    with open(file) as handle:
        members = json.load(handle)
    change(members)
    with open(file, "w") as handle:
        handle.write(json.dumps(members, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    git(clone, "commit", "-q", "-am", f"{name}: edit {path}")
    git(clone, "push", "-q", "origin", f"{name}:refs/heads/{name}")
    return git(clone, "rev-parse", "HEAD")


def capacity(server, system):
    return requests.get(f"{server.base}/api/engine/v2/systems/{system}", timeout=30).json()["capacity"]


def panel(browser, name):
    return browser.find_element(By.CSS_SELECTOR, f'section.branch[data-branch="{name}"]')


def merge_form_fields(page):
    """The merge form's token (tokens are per form action, not per branch)."""
    token = re.search(r'action="/backoffice/branches/merge"[^>]*>\s*<input type="hidden" name="_csrf" value="([^"]+)"', page)
    assert token, "no merge form on the page"
    return {"_csrf": token.group(1)}


def test_a_pushed_branch_is_reviewed_merged_from_the_site_and_deleted(deployment, browser):
    server, clone = deployment
    head = push_branch(clone, "feature/jetty-capacity", "systems/sys-l2-jetty.json", lambda m: m.update(capacity=42))
    before = git(clone, "rev-parse", "origin/main")

    browser.get(server.base + "/backoffice/deployment/")
    browser.find_element(By.LINK_TEXT, "Branches").click()
    section = panel(browser, "feature/jetty-capacity")
    assert "systems/sys-l2-jetty: capacity 6 → 42" in section.find_element(By.CSS_SELECTOR, "[data-changes]").text
    assert section.find_element(By.CSS_SELECTOR, "[data-verdict]").text == "Merges cleanly and passes validation."
    assert head[:7] in section.text
    screenshot(browser, "branches")

    old = browser.find_element(By.TAG_NAME, "html")
    section.find_element(By.CSS_SELECTOR, "button[data-merge]").click()
    WebDriverWait(browser, 10).until(lambda d: d.switch_to.alert).accept()
    WebDriverWait(browser, 30).until(lambda d: "?saved=" in d.current_url)
    del old
    assert "Merge branch 'feature/jetty-capacity'" in browser.find_element(By.CSS_SELECTOR, ".notice.ok").text

    # One merge commit by the admin: first parent the old head, second the branch.
    config = os.path.join(server.state, "config")
    assert git(config, "log", "-1", "--format=%P|%an|%s", "main") == f"{before} {head}|Local Admin|Merge branch 'feature/jetty-capacity'"
    assert capacity(server, "sys-l2-jetty") == 42
    # The working tree follows (in the background), and the change is in the system's history in diff's words.
    def checked_out_capacity():
        with open(os.path.join(config, "systems", "sys-l2-jetty.json")) as handle:
            return json.load(handle)["capacity"]
    wait_for(lambda: checked_out_capacity() == 42, 30, "the working tree to follow the merge")
    browser.get(server.base + "/backoffice/systems/sys-l2-jetty/history")
    first = browser.find_element(By.CSS_SELECTOR, "section.commit")
    assert "Merge branch 'feature/jetty-capacity'" in first.text and "6 → 42" in first.text

    # Now merged: said so, no merge button; delete removes the branch from git.
    browser.get(server.base + "/backoffice/branches/")
    section = panel(browser, "feature/jetty-capacity")
    assert section.find_element(By.CSS_SELECTOR, "[data-verdict]").text.startswith("Merged")
    assert section.find_elements(By.CSS_SELECTOR, "button[data-merge]") == []
    section.find_element(By.CSS_SELECTOR, "button[data-delete]").click()
    WebDriverWait(browser, 10).until(lambda d: d.switch_to.alert).accept()
    WebDriverWait(browser, 30).until(lambda d: not d.find_elements(By.CSS_SELECTOR, 'section.branch[data-branch="feature/jetty-capacity"]'))
    assert git(config, "branch", "--list", "feature/jetty-capacity") == ""


def test_an_invalid_branch_is_shown_with_its_problems_and_refused(deployment, browser):
    server, clone = deployment
    push_branch(clone, "feature/ok", "systems/sys-l2-buoy.json", lambda m: m.update(description="Buoy room"))
    bad = push_branch(clone, "feature/bad-zone", "systems/sys-l2-ferry.json",
                      lambda m: m.update(zones=m["zones"] + ["zone-does-not-exist"]))
    head = git(os.path.join(server.state, "config"), "rev-parse", "main")

    browser.get(server.base + "/backoffice/branches/")
    section = panel(browser, "feature/bad-zone")
    assert "fails validation with 1 problem" in section.find_element(By.CSS_SELECTOR, "[data-verdict]").text
    problems = section.find_element(By.CSS_SELECTOR, "[data-problems]").text
    assert "systems/sys-l2-ferry.json" in problems and "zone-does-not-exist" in problems
    assert section.find_elements(By.CSS_SELECTOR, "button[data-merge]") == []
    screenshot(browser, "branches-invalid")

    # Posted anyway (the form of another branch gives a token): 422, the problems, nothing committed.
    client = FormClient(server.base)
    fields = merge_form_fields(client.session.get(server.base + "/backoffice/branches/").text)
    answer = client.post("/backoffice/branches/merge", dict(fields, branch="feature/bad-zone", head=bad))
    assert answer.status_code == 422, answer.text[:500]
    assert "zone-does-not-exist" in answer.text
    assert git(os.path.join(server.state, "config"), "rev-parse", "main") == head
    # A head the admin did not review (the branch moved since): 409, nothing merged.
    answer = client.post("/backoffice/branches/merge", dict(fields, branch="feature/ok", head="0" * 40))
    assert answer.status_code == 409 and "moved since you looked at it" in answer.text
    # Without the form token: refused.
    assert client.post("/backoffice/branches/merge", {"branch": "feature/ok", "head": head}).status_code == 403
    assert git(os.path.join(server.state, "config"), "rev-parse", "main") == head


def test_a_conflicting_branch_is_refused_and_nothing_is_committed(deployment, browser):
    server, clone = deployment
    config = os.path.join(server.state, "config")
    branch = push_branch(clone, "feature/buoy-7", "systems/sys-l2-buoy.json", lambda m: m.update(capacity=7))
    # Meanwhile the same line changes on main through a form.
    client = FormClient(server.base)
    fields = client.form("/backoffice/systems/sys-l2-buoy/edit")
    fields["capacity"] = "9"
    assert client.post("/backoffice/systems/sys-l2-buoy/edit", fields).status_code == 303
    head = git(config, "rev-parse", "main")

    browser.get(server.base + "/backoffice/branches/")
    section = panel(browser, "feature/buoy-7")
    assert "both sides changed systems/sys-l2-buoy.json" in section.find_element(By.CSS_SELECTOR, "[data-verdict]").text
    # What the branch itself changed, since it forked.
    assert "systems/sys-l2-buoy: capacity 4 → 7" in section.find_element(By.CSS_SELECTOR, "[data-changes]").text
    assert section.find_elements(By.CSS_SELECTOR, "button[data-merge]") == []
    screenshot(browser, "branches-conflict")

    page = client.session.get(server.base + "/backoffice/branches/").text
    answer = client.post("/backoffice/branches/merge", dict(merge_form_fields(page), branch="feature/buoy-7", head=branch))
    assert answer.status_code == 409, answer.text[:500]
    assert "both changed systems/sys-l2-buoy.json" in answer.text
    assert git(config, "rev-parse", "main") == head
    assert capacity(server, "sys-l2-buoy") == 9
