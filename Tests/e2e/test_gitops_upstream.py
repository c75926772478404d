"""Following an upstream, end to end: the configuration's upstream is a real git host (nginx +
git http-backend, basic auth; git_host.py) and `backoffice serve --upstream URL` follows its
`main`. An engineer pushes to the upstream; a signed webhook (GitHub, Gitea or GitLab form) makes
the deployment fetch, gate and apply it. Forged, unsigned and replayed webhooks are refused, a
flood is rate-limited, an invalid head is not applied (banner with commit, author and problems),
a force push is refused, and credentials that stop working are reported."""
import hashlib
import hmac
import json
import os
import re
import shutil
import subprocess
import tempfile
import uuid

import pytest
import requests

from conftest import BACKOFFICE, free_port
from runtime_harness import Server, wait_for

SECRET = "webhook-shared-secret"


def git(path, *args):
    result = subprocess.run(["git", "-C", path, "-c", "user.name=Erin Engineer", "-c", "user.email=erin@example.com", *args],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def edit_json(path, change):
    with open(path) as handle:
        members = json.load(handle)
    change(members)
    with open(path, "w") as handle:
        handle.write(json.dumps(members, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


class Upstream:
    """The upstream repository on the git host and an engineer's clone of it."""

    def __init__(self, host, name):
        self.host, self.name = host, name
        host.create(name)
        self.url = host.url(name)
        self.work = tempfile.mkdtemp(prefix="bo-upstream-work-")

    def seed_from(self, repo):
        """Pushes the deployment's repository to the (empty) upstream, then clones it for the engineer."""
        git(repo, "push", "-q", self.host.url(self.name, self.host.username, self.host.password), "main:refs/heads/main")
        subprocess.run(["git", "clone", "-q", self.host.url(self.name, self.host.username, self.host.password), self.work],
                       check=True, capture_output=True)

    def change(self, message, edit):
        git(self.work, "pull", "-q", "--ff-only")
        edit(self.work)
        git(self.work, "commit", "-qam", message)
        git(self.work, "push", "-q", "origin", "HEAD:main")
        return git(self.work, "rev-parse", "HEAD")

    def head(self):
        return subprocess.run(["git", "-C", self.host.path(self.name), "rev-parse", "main"], capture_output=True, text=True).stdout.strip()


def github_headers(body, secret=SECRET, delivery=None):
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"X-Hub-Signature-256": signature, "X-GitHub-Event": "push", "X-GitHub-Delivery": delivery or str(uuid.uuid4()),
            "Content-Type": "application/json"}


@pytest.fixture(scope="module")
def deployment(git_host):
    state = tempfile.mkdtemp(prefix="bo-upstream-state-")
    repo = os.path.join(state, "config")
    result = subprocess.run([BACKOFFICE, "init", repo, "--state", state], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    upstream = Upstream(git_host, "config")
    upstream.seed_from(repo)
    credentials = os.path.join(state, "upstream.json")
    with open(os.open(credentials, os.O_WRONLY | os.O_CREAT, 0o600), "w") as handle:
        json.dump({"username": git_host.username, "password": git_host.password, "webhook_secret": SECRET}, handle)
    server = Server(BACKOFFICE, free_port(), state=state,
                    args=["--no-simulators", "--upstream", upstream.url, "--upstream-poll", "0"])
    wait_for(lambda: server.get("/api/engine/v2/upstream")[1].get("last_fetch"), 30, "the first fetch")
    yield server, upstream
    server.stop()
    shutil.rmtree(upstream.work, ignore_errors=True)


def webhook(server, body=b'{"ref": "refs/heads/main"}', headers=None):
    return requests.post(server.url + "/api/engine/v2/upstream/webhook", data=body,
                         headers=headers if headers is not None else github_headers(body), timeout=30)


def capacity(server, system="sys-l2-ferry"):
    return server.get("/api/engine/v2/systems/" + system)[1].get("capacity")


def local_head(server):
    return git(server.config, "rev-parse", "main")


def test_a_push_and_a_signed_webhook_make_the_change_live(deployment):
    server, upstream = deployment
    commit = upstream.change("ferry: capacity 12", lambda work: edit_json(
        os.path.join(work, "systems", "sys-l2-ferry.json"), lambda m: m.update(capacity=12)))
    response = webhook(server)
    assert response.status_code == 202, response.text
    wait_for(lambda: capacity(server) == 12, 30, "the upstream change to be live")
    assert local_head(server) == commit
    # The follower records what it took just after moving the branch.
    wait_for(lambda: server.get("/api/engine/v2/upstream")[1]["synced"] == commit, 30, "the follower's record")
    status = server.get("/api/engine/v2/upstream")[1]
    assert status["behind"] == 0 and status["refused"] is None


def test_the_deployment_page_shows_the_upstream_state_in_one_line(deployment):
    server, upstream = deployment
    wait_for(lambda: server.get("/api/engine/v2/upstream")[1]["ahead"] == 0, 30, "no commit waiting")
    status = server.get("/api/engine/v2/upstream")[1]
    page = requests.get(server.url + "/backoffice/deployment/", timeout=30).text
    line = re.search(r'<div class="notice (ok|warn)">(Upstream [^<]*)</div>', page)
    assert line, page[:3000]
    kind, text = line.groups()
    assert kind == "ok"
    assert text.startswith(f"Upstream {upstream.url} (main); last fetch 20")
    assert f"upstream at {status['upstream_head'][:10]}" in text
    assert text.endswith("0 commits waiting to be pushed, 0 behind.")
    assert "last error" not in text and "refused" not in text
    # The page never shows the credentials.
    assert upstream.host.password not in page


def test_gitea_and_gitlab_webhooks_are_verified_too(deployment):
    server, upstream = deployment
    body = b'{"ref": "refs/heads/main"}'
    gitea = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    commit = upstream.change("ferry: capacity 13", lambda work: edit_json(
        os.path.join(work, "systems", "sys-l2-ferry.json"), lambda m: m.update(capacity=13)))
    assert webhook(server, body, {"X-Gitea-Signature": gitea, "X-Gitea-Delivery": str(uuid.uuid4())}).status_code == 202
    wait_for(lambda: local_head(server) == commit, 30, "the Gitea-notified change")
    commit = upstream.change("ferry: capacity 14", lambda work: edit_json(
        os.path.join(work, "systems", "sys-l2-ferry.json"), lambda m: m.update(capacity=14)))
    assert webhook(server, body, {"X-Gitlab-Token": SECRET, "X-Gitlab-Event-UUID": str(uuid.uuid4())}).status_code == 202
    wait_for(lambda: local_head(server) == commit, 30, "the GitLab-notified change")


def test_forged_unsigned_and_replayed_webhooks_are_refused(deployment):
    server, _ = deployment
    body = b'{"ref": "refs/heads/main"}'
    assert webhook(server, body, github_headers(body, secret="guessed")).status_code == 401
    assert webhook(server, body, {"X-Gitea-Signature": "00" * 32}).status_code == 401
    assert webhook(server, body, {"X-Gitlab-Token": "guessed"}).status_code == 401
    unsigned = webhook(server, body, {"Content-Type": "application/json"})
    assert unsigned.status_code == 401 and "X-Hub-Signature-256" in unsigned.json()["message"]
    # The signature covers the body: a signed body with another payload is a forgery.
    headers = github_headers(body)
    assert webhook(server, b'{"ref": "refs/heads/other"}', headers).status_code == 401
    delivery = str(uuid.uuid4())
    assert webhook(server, body, github_headers(body, delivery=delivery)).status_code == 202
    replay = webhook(server, body, github_headers(body, delivery=delivery))
    assert replay.status_code == 409 and delivery in replay.json()["message"]
    assert "wrong signature" in server.output() and "guessed" not in server.output()


def test_a_flood_of_forgeries_is_rate_limited_and_the_host_still_gets_through(deployment):
    server, upstream = deployment
    body = b"{}"
    statuses = [webhook(server, body, github_headers(body, secret="flood")).status_code for _ in range(60)]
    assert 429 in statuses and set(statuses) <= {401, 429}
    commit = upstream.change("ferry: capacity 15", lambda work: edit_json(
        os.path.join(work, "systems", "sys-l2-ferry.json"), lambda m: m.update(capacity=15)))
    assert webhook(server).status_code == 202
    wait_for(lambda: local_head(server) == commit, 30, "the real host's change after the flood")


def test_an_invalid_upstream_head_is_not_applied_and_named_in_a_banner(deployment):
    server, upstream = deployment
    good = local_head(server)
    bad = upstream.change("ferry: capacity in words", lambda work: edit_json(
        os.path.join(work, "systems", "sys-l2-ferry.json"), lambda m: m.update(capacity="sixteen")))
    assert webhook(server).status_code == 202
    wait_for(lambda: (server.get("/api/engine/v2/upstream")[1].get("refused") or {}).get("commit") == bad, 30, "the refusal")
    refused = server.get("/api/engine/v2/upstream")[1]["refused"]
    assert refused["author"] == "Erin Engineer <erin@example.com>"
    assert any("systems/sys-l2-ferry.json: capacity" in problem for problem in refused["problems"])
    assert local_head(server) == good and capacity(server) == 15
    page = requests.get(server.url + "/backoffice/", timeout=30).text
    assert bad[:10] in page and "Erin Engineer" in page and "capacity" in page
    # The fix on top is taken: the gate looks at the head.
    fixed = upstream.change("ferry: capacity 16", lambda work: edit_json(
        os.path.join(work, "systems", "sys-l2-ferry.json"), lambda m: m.update(capacity=16)))
    assert webhook(server).status_code == 202
    wait_for(lambda: local_head(server) == fixed, 30, "the fixed head")
    assert capacity(server) == 16
    wait_for(lambda: server.get("/api/engine/v2/upstream")[1]["refused"] is None, 30, "the refusal to end")


def test_a_force_push_is_refused_with_a_banner(deployment):
    server, upstream = deployment
    applied = local_head(server)
    git(upstream.work, "pull", "-q", "--ff-only")
    git(upstream.work, "reset", "-q", "--hard", "HEAD~2")
    edit_json(os.path.join(upstream.work, "systems", "sys-l2-ferry.json"), lambda m: m.update(capacity=99))
    git(upstream.work, "commit", "-qam", "rewritten history")
    git(upstream.work, "push", "-q", "--force", "origin", "HEAD:main")
    rewritten = git(upstream.work, "rev-parse", "HEAD")
    assert webhook(server).status_code == 202
    wait_for(lambda: (server.get("/api/engine/v2/upstream")[1].get("refused") or {}).get("commit") == rewritten, 30, "the refusal")
    assert "force push" in server.get("/api/engine/v2/upstream")[1]["refused"]["reason"]
    assert local_head(server) == applied and capacity(server) == 16
    assert "force push" in requests.get(server.url + "/backoffice/", timeout=30).text
    # Putting the history back ends the refusal.
    git(upstream.work, "push", "-q", "--force", "origin", applied + ":refs/heads/main")
    git(upstream.work, "reset", "-q", "--hard", applied)
    assert webhook(server).status_code == 202
    wait_for(lambda: server.get("/api/engine/v2/upstream")[1].get("refused") is None, 30, "the refusal to end")


def test_credentials_that_stop_working_are_reported(deployment, git_host):
    server, _ = deployment
    htpasswd = os.path.join(git_host.root, "htpasswd")
    with open(htpasswd) as handle:
        original = handle.read()
    try:
        with open(htpasswd, "w") as handle:
            handle.write("%s:{PLAIN}rotated-password\n" % git_host.username)
        assert webhook(server).status_code == 202
        wait_for(lambda: "refused the user name and password" in (server.get("/api/engine/v2/upstream")[1].get("last_error") or ""),
                 30, "the credential error")
        assert git_host.password not in json.dumps(server.get("/api/engine/v2/upstream")[1])
    finally:
        with open(htpasswd, "w") as handle:
            handle.write(original)
    assert webhook(server).status_code == 202
    wait_for(lambda: server.get("/api/engine/v2/upstream")[1].get("last_error") is None, 30, "the error to clear")


def test_a_poll_takes_upstream_changes_without_a_webhook(git_host):
    state = tempfile.mkdtemp(prefix="bo-upstream-state-")
    repo = os.path.join(state, "config")
    assert subprocess.run([BACKOFFICE, "init", repo, "--state", state], capture_output=True).returncode == 0
    upstream = Upstream(git_host, "polled")
    upstream.seed_from(repo)
    with open(os.open(os.path.join(state, "upstream.json"), os.O_WRONLY | os.O_CREAT, 0o600), "w") as handle:
        json.dump({"username": git_host.username, "password": git_host.password}, handle)
    server = Server(BACKOFFICE, free_port(), state=state,
                    args=["--no-simulators", "--upstream", upstream.url, "--upstream-poll", "1"])
    try:
        commit = upstream.change("buoy: capacity 3", lambda work: edit_json(
            os.path.join(work, "systems", "sys-l2-buoy.json"), lambda m: m.update(capacity=3)))
        wait_for(lambda: local_head(server) == commit, 30, "the polled change")
        assert capacity(server, "sys-l2-buoy") == 3
        # No webhook secret configured: the endpoint refuses every call.
        assert webhook(server).status_code == 403
    finally:
        server.stop()
        shutil.rmtree(upstream.work, ignore_errors=True)


def test_bad_upstream_options_are_refused_at_start(tmp_path):
    for args, message in [(["--upstream", "http://user:pw@127.0.0.1:1/x.git"], "not in the URL"),
                          (["--upstream", "not a url"], "not a git URL")]:
        result = subprocess.run([BACKOFFICE, "serve", "--state", str(tmp_path), "--port", "0", "--no-simulators", *args],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 2 and message in result.stderr


# Pushing the deployment's own commits (docs/git-workflows.md, "Our commits go upstream").

def patch(server, system, members, version=None):
    query = "" if version is None else "?version=%d" % version
    return requests.patch(server.url + "/api/engine/v2/systems/%s%s" % (system, query), json=members, timeout=30)


def upstream_log(upstream, count):
    return subprocess.run(["git", "-C", upstream.host.path(upstream.name), "log", "-%d" % count, "--format=%an|%s", "main"],
                          capture_output=True, text=True, check=True).stdout.splitlines()


def test_z1_a_rest_edit_reaches_the_upstream_with_its_author(deployment):
    server, upstream = deployment
    response = patch(server, "sys-l1-huddle", {"capacity": 5})
    assert response.status_code == 200, response.text
    wait_for(lambda: upstream.head() == local_head(server), 30, "the edit on the upstream")
    author = git(server.config, "log", "-1", "--format=%an", "main")
    assert upstream_log(upstream, 1)[0].startswith(author + "|") and author != "BackOffice"
    wait_for(lambda: server.get("/api/engine/v2/upstream")[1]["ahead"] == 0, 30, "no commit waiting")


def test_z2_an_upstream_push_and_an_edit_of_another_object_both_land_the_same_object_is_409(deployment):
    server, upstream = deployment
    version = server.get("/api/engine/v2/systems/sys-l2-ferry")[1]["version"]
    theirs = upstream.change("ferry: capacity 20", lambda work: edit_json(
        os.path.join(work, "systems", "sys-l2-ferry.json"), lambda m: m.update(capacity=20)))
    assert webhook(server).status_code == 202
    wait_for(lambda: capacity(server) == 20, 30, "the upstream change")
    assert patch(server, "sys-l1-huddle", {"capacity": 6}).status_code == 200
    wait_for(lambda: upstream.head() == local_head(server), 30, "our edit on the upstream")
    subjects = [line.split("|", 1)[1] for line in upstream_log(upstream, 2)]
    assert subjects[1] == "ferry: capacity 20" and "capacity" in subjects[0]
    stale = patch(server, "sys-l2-ferry", {"capacity": 21}, version=version)
    assert stale.status_code == 409 and capacity(server) == 20


def test_z3_while_the_upstream_is_away_edits_wait_and_arrive_in_order(deployment):
    server, upstream = deployment
    path = upstream.host.path(upstream.name)
    os.rename(path, path + ".away")
    try:
        for value in (7, 8, 9):
            assert patch(server, "sys-l1-huddle", {"capacity": value}).status_code == 200
        wait_for(lambda: server.get("/api/engine/v2/upstream")[1]["ahead"] == 3
                 and "failed" in (server.get("/api/engine/v2/upstream")[1]["last_error"] or ""), 30, "three waiting commits")
        assert upstream.head() != local_head(server)
        # The banner follows the status once the follower has told the site.
        wait_for(lambda: "3 commits of this deployment are waiting" in requests.get(server.url + "/backoffice/", timeout=30).text,
                 30, "the waiting banner")
    finally:
        os.rename(path + ".away", path)
    wait_for(lambda: upstream.head() == local_head(server), 60, "the waiting commits on the upstream")
    local = git(server.config, "log", "-3", "--format=%s", "main").splitlines()
    assert [line.split("|", 1)[1] for line in upstream_log(upstream, 3)] == local
    assert [line for line in local if "capacity" in line] == local and "9" in local[0] and "7" in local[2]
    # The follower records the push just after the upstream has it.
    wait_for(lambda: server.get("/api/engine/v2/upstream")[1]["ahead"] == 0, 30, "no commit waiting")
    assert server.get("/api/engine/v2/upstream")[1]["last_error"] is None



def test_z4_waiting_commits_are_replayed_on_a_moved_upstream_and_both_land(deployment):
    server, upstream = deployment
    # The upstream moves and nobody tells us (no webhook, no poll).
    theirs = upstream.change("buoy: capacity 5", lambda work: edit_json(
        os.path.join(work, "systems", "sys-l2-buoy.json"), lambda m: m.update(capacity=5)))
    # Our edit of another object is acknowledged here; its push meets the moved upstream.
    assert patch(server, "sys-l1-huddle", {"capacity": 11}).status_code == 200
    ours = git(server.config, "log", "-1", "--format=%an|%s", "main")
    wait_for(lambda: upstream.head() == local_head(server), 60, "our commit replayed onto theirs and pushed")
    # Theirs first, ours on top with its author and message; both live.
    assert git(server.config, "rev-parse", "main~1") == theirs
    assert upstream_log(upstream, 2) == [ours, "Erin Engineer|buoy: capacity 5"]
    assert capacity(server, "sys-l2-buoy") == 5 and capacity(server, "sys-l1-huddle") == 11
    wait_for(lambda: server.get("/api/engine/v2/upstream")[1]["ahead"] == 0, 30, "no commit waiting")
    assert server.get("/api/engine/v2/upstream")[1]["refused"] is None


def test_z5_an_acknowledged_edit_of_an_object_the_upstream_changed_too_waits_named_in_a_banner(deployment):
    server, upstream = deployment
    theirs = upstream.change("huddle: capacity 30", lambda work: edit_json(
        os.path.join(work, "systems", "sys-l1-huddle.json"), lambda m: m.update(capacity=30)))
    # Acknowledged: the version we edited was current here.
    assert patch(server, "sys-l1-huddle", {"capacity": 31}).status_code == 200
    ours = local_head(server)
    wait_for(lambda: (server.get("/api/engine/v2/upstream")[1].get("refused") or {}).get("commit") == theirs, 60, "the conflict")
    reason = server.get("/api/engine/v2/upstream")[1]["refused"]["reason"]
    assert "systems/sys-l1-huddle.json" in reason and ours[:10] in reason and "nothing is overwritten" in reason
    # Nothing lost, nothing overwritten: ours stays live and waiting, theirs stays upstream.
    assert local_head(server) == ours and capacity(server, "sys-l1-huddle") == 31
    assert upstream.head() == theirs
    page = requests.get(server.url + "/backoffice/", timeout=30).text
    assert ours[:10] in page and "sys-l1-huddle.json" in page

    # An admin resolves it in git: merges the upstream into the deployment's branch, keeping our
    # value, and pushes the merge to the deployment; the follower then pushes it upstream.
    work = tempfile.mkdtemp(prefix="bo-upstream-resolve-")
    try:
        subprocess.run(["git", "clone", "-q", server.config, work], check=True, capture_output=True)
        git(work, "fetch", "-q", upstream.host.url(upstream.name, upstream.host.username, upstream.host.password), "main")
        git(work, "merge", "-q", "-X", "ours", "FETCH_HEAD", "-m", "merge the upstream, keeping capacity 31")
        git(work, "push", "-q", "origin", "HEAD:main")
        merged = git(work, "rev-parse", "HEAD")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    wait_for(lambda: upstream.head() == merged, 60, "the resolved history on the upstream")
    wait_for(lambda: server.get("/api/engine/v2/upstream")[1]["refused"] is None, 30, "the refusal to end")
    assert capacity(server, "sys-l1-huddle") == 31
