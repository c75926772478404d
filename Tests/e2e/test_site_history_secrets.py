"""History pages hide secrets by field, even where an older commit held them in plain text
before `backoffice secret seal` (issue 11, item 4), and commit subjects name no settings key
above the reader (item 5). Read in headless Chromium as a user and as support."""
import json
import os
import subprocess

import pytest
from selenium.webdriver.common.by import By

from auth_server import PASSWORD, USERS, AuthServer, run
from site_browser import FormClient, fill, submit

HOOK = "hook-plain-4711"
REPO_PASSWORD = "repo-plain-4712"
ALARM = "alarm-plain-4713"


def git(server, *args, env=None):
    return subprocess.run(["git", "-C", os.path.join(server.state, "config"), *args], check=True, capture_output=True,
                          text=True, env=env).stdout


def plant_plain_commit(server, files):
    """A commit of `files` (path → members) on the branch, made with git's plumbing as an older
    server or a hand edit would have left it: nothing of ours validated it."""
    env = dict(os.environ, GIT_INDEX_FILE=os.path.join(server.tmp.name, "plant-index"),
               GIT_AUTHOR_NAME="Engineer", GIT_AUTHOR_EMAIL="eng@example.com",
               GIT_COMMITTER_NAME="Engineer", GIT_COMMITTER_EMAIL="eng@example.com")
    head = git(server, "rev-parse", "HEAD").strip()
    git(server, "read-tree", head, env=env)
    for path, members in files.items():
        blob = subprocess.run(["git", "-C", os.path.join(server.state, "config"), "hash-object", "-w", "--stdin"],
                              input=json.dumps(members, indent=2, sort_keys=True) + "\n", check=True, capture_output=True,
                              text=True).stdout.strip()
        git(server, "update-index", "--add", "--cacheinfo", f"100644,{blob},{path}", env=env)
    tree = git(server, "write-tree", env=env).strip()
    commit = git(server, "commit-tree", tree, "-p", head, "-m", "engineer: plain secrets, sealed next", env=env).strip()
    git(server, "update-ref", "refs/heads/main", commit, head)
    return commit


@pytest.fixture(scope="module")
def server():
    running = AuthServer()
    try:
        config = os.path.join(running.state, "config")
        system = json.loads(git(running, "show", "HEAD:systems/sys-l2-jetty.json"))
        system["triggers"] = [{"id": "trig-hook", "trigger_id": "trigger-vacant-hvac-standby", "enabled": True,
                               "webhook_secret": HOOK}]
        system.setdefault("settings", {})["admin"] = {"alarm_code": ALARM}
        repository = json.loads(git(running, "show", "HEAD:repositories/repo-bundled.json"))
        repository["password"] = REPO_PASSWORD
        buoy = json.loads(git(running, "show", "HEAD:systems/sys-l2-buoy.json"))
        buoy["settings"] = {"none": {"volume": 3}, "admin": {}}
        plant_plain_commit(running, {"systems/sys-l2-jetty.json": system, "repositories/repo-bundled.json": repository,
                                     "systems/sys-l2-buoy.json": buoy})
        sealed = run("secret", "seal", "--repo", config, "--state", running.state)
        assert sealed.returncode == 0, sealed.stderr
        shown = git(running, "show", "HEAD:systems/sys-l2-jetty.json")
        assert HOOK not in shown and ALARM not in shown
        # An admin edits an admin-level setting through the form: its commit subject is read by all.
        admin = FormClient(running.base)
        admin.session = running.browser("admin")
        fields = admin.form("/backoffice/systems/sys-l2-buoy/edit")
        fields["settings.admin"] = json.dumps({"door_code": "4714"})
        assert admin.post("/backoffice/systems/sys-l2-buoy/edit", fields).status_code == 303
        assert "door_code" not in git(running, "log", "-1", "--format=%B")
        yield running
    finally:
        running.stop()


def page_text(browser, server, role, path):
    browser.get(server.base + path)
    if "/auth/signin" in browser.current_url:
        fill(browser, {"email": USERS[role], "password": PASSWORD})
        submit(browser)
    assert browser.current_url.endswith(path), browser.current_url
    return browser.find_element(By.TAG_NAME, "body").text + browser.page_source


def test_a_user_sees_no_webhook_secret_or_admin_key_in_a_systems_history(server, fresh_browser):
    text = page_text(fresh_browser, server, "user", "/backoffice/systems/sys-l2-jetty/history")
    assert "engineer: plain secrets, sealed next" in text   # the planted commit is listed
    assert "trig-hook" in text                              # with its trigger instance
    for secret in [HOOK, ALARM, "alarm_code", "enc:v1"]:
        assert secret not in text, secret
    text = page_text(fresh_browser, server, "user", "/backoffice/systems/sys-l2-buoy/history")
    assert "systems: admin settings of" in text and "door_code" not in text and "4714" not in text


def test_support_sees_no_repository_password_in_its_history(server, fresh_browser):
    text = page_text(fresh_browser, server, "support", "/backoffice/repositories/repo-bundled/history")
    # In the words of `backoffice diff`: the field is named, its value never.
    assert "<th>password</th><td>changed</td>" in text
    assert REPO_PASSWORD not in text
    text = page_text(fresh_browser, server, "support", "/backoffice/systems/sys-l2-jetty/history")
    for secret in [HOOK, ALARM, "alarm_code"]:
        assert secret not in text, secret


def test_an_admin_sees_that_secrets_changed_but_never_their_values(server, fresh_browser):
    # History pages use the words of `backoffice diff` for every reader: an encrypted level is one
    # "changed" line without keys or values (an admin reads the values on the object's page).
    text = page_text(fresh_browser, server, "admin", "/backoffice/systems/sys-l2-jetty/history")
    assert "<th>admin settings</th><td>changed</td>" in text
    assert ALARM not in text and "alarm_code" not in text
    assert HOOK not in text       # a webhook secret is shown to nobody
    text = page_text(fresh_browser, server, "admin", "/backoffice/repositories/repo-bundled/history")
    assert REPO_PASSWORD not in text
