"""The pre-receive gate of a served configuration repository, with the real `git` CLI (issue 11,
items 6-9): force pushes, pushes that lock everyone out, every commit of a push validated,
maps that cannot be rendered, size limits, and a working tree left behind by a crash."""
import json
import os
import shutil
import subprocess
import tempfile

import pytest

from conftest import BACKOFFICE
from http_server import ServeProcess

GIT_ENV = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL="/dev/null",
               GIT_AUTHOR_NAME="Engineer", GIT_AUTHOR_EMAIL="engineer@example.com",
               GIT_COMMITTER_NAME="Engineer", GIT_COMMITTER_EMAIL="engineer@example.com")
MiB = 1 << 20


def backoffice(*args, input=None):
    return subprocess.run([BACKOFFICE, *args], capture_output=True, text=True, input=input, timeout=120)


def git(repo, *args, check=True):
    result = subprocess.run(["git", "-C", repo, *args], capture_output=True, text=True, env=GIT_ENV, timeout=120)
    if check:
        assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def push(clone, *args):
    """`git push` from the clone; (accepted, git's stderr with the hook's lines)."""
    result = subprocess.run(["git", "-C", clone, "push", "origin", *args], capture_output=True, text=True, env=GIT_ENV,
                            timeout=120)
    return result.returncode == 0, result.stderr


def edit_json(path, change):
    with open(path) as handle:
        members = json.load(handle)
    change(members)
    with open(path, "w") as handle:
        handle.write(json.dumps(members, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


@pytest.fixture
def deployment():
    """A repository made by `backoffice init`, an admin who can sign in, and a clone of it."""
    root = tempfile.mkdtemp(prefix="backoffice-gate-")
    repo, state, clone = (os.path.join(root, name) for name in ("config", "state", "clone"))
    result = backoffice("init", repo, "--state", state)
    assert result.returncode == 0, result.stderr
    added = backoffice("user", "add", "--email", "admin@harbourpoint.example", "--name", "Admin", "--admin", "--password-stdin",
                       "--state", state, "--repo", repo, input="correct horse battery\n")
    assert added.returncode == 0, added.stderr
    subprocess.run(["git", "clone", "-q", repo, clone], check=True, env=GIT_ENV)
    yield {"root": root, "repo": repo, "state": state, "clone": clone}
    shutil.rmtree(root, ignore_errors=True)


def test_a_force_push_is_refused_and_keeps_the_acknowledged_commit(deployment):
    repo, clone = deployment["repo"], deployment["clone"]
    assert git(repo, "config", "--bool", "receive.denyNonFastForwards") == "true"
    # A form edit the server acknowledged, which the engineer's clone does not have.
    result = backoffice("import", "-", "--repo", repo, input=json.dumps({"systems": [{"id": "sys-acknowledged", "name": "Kept",
                                                                                     "zones": ["zone-hp-l1"]}]}))
    assert result.returncode == 0, result.stderr
    acknowledged = git(repo, "rev-parse", "HEAD")
    edit_json(os.path.join(clone, "systems", "sys-l3-tide.json"), lambda m: m.update(capacity=5))
    git(clone, "commit", "-qam", "tide: capacity 5")
    accepted, output = push(clone, "main")
    assert not accepted and "rejected" in output
    accepted, output = push(clone, "--force", "main")
    assert not accepted
    assert "main may only move forward" in output and acknowledged[:10] in output, output
    assert git(repo, "rev-parse", "HEAD") == acknowledged
    # Rebased on what the server has, the same change lands.
    git(clone, "pull", "-q", "--rebase", "origin", "main")
    assert push(clone, "main")[0]


def test_serve_sets_the_fast_forward_rule_on_an_existing_repository(deployment):
    repo, state = deployment["repo"], deployment["state"]
    git(repo, "config", "--unset", "receive.denyNonFastForwards")

    class Serve(ServeProcess):
        def __init__(self):
            self.tmp = tempfile.TemporaryDirectory(prefix="bo-gate-serve-")
            self.launch(["--state", state, "--repo", repo, "--no-simulators", "--auth", "off"],
                        os.path.join(self.tmp.name, "serve.log"))
    served = Serve()
    try:
        assert git(repo, "config", "--bool", "receive.denyNonFastForwards") == "true"
    finally:
        served.stop()


def test_a_push_that_deletes_everything_is_refused(deployment):
    repo, clone = deployment["repo"], deployment["clone"]
    head = git(repo, "rev-parse", "HEAD")
    git(clone, "rm", "-rq", ".")
    git(clone, "commit", "-qm", "delete everything")
    accepted, output = push(clone, "main")
    assert not accepted
    assert "no domain would be left" in output, output
    assert "no administrator who can sign in would be left" in output, output
    assert git(repo, "rev-parse", "HEAD") == head


def test_taking_admin_from_the_last_admin_who_can_sign_in_is_refused(deployment):
    repo, clone = deployment["repo"], deployment["clone"]
    git(clone, "pull", "-q")
    # A second administrator, who has no password in this deployment (cannot sign in).
    with open(os.path.join(clone, "users", "user-second-admin.json"), "w") as handle:
        json.dump({"name": "Second", "email": "second@harbourpoint.example", "authority_id": "authority-harbourpoint",
                   "sys_admin": True}, handle)
    git(clone, "add", "-A")
    git(clone, "commit", "-qm", "a second admin")
    assert push(clone, "main")[0]
    edit_json(os.path.join(clone, "users", "user-admin.json"), lambda m: m.update(sys_admin=False))
    git(clone, "commit", "-qam", "only the admin without a password is left")
    accepted, output = push(clone, "main")
    assert not accepted and "no administrator who can sign in would be left" in output, output
    # Taking it from the one who cannot sign in is fine.
    git(clone, "reset", "-q", "--hard", "origin/main")
    edit_json(os.path.join(clone, "users", "user-second-admin.json"), lambda m: m.update(sys_admin=False))
    git(clone, "commit", "-qam", "one admin less")
    assert push(clone, "main")[0]


def test_every_commit_of_a_push_is_validated_not_only_its_tip(deployment):
    repo, clone = deployment["repo"], deployment["clone"]
    head = git(repo, "rev-parse", "HEAD")
    zone = os.path.join(clone, "zones", "zone-hp-l2.json")
    edit_json(zone, lambda m: m.update(settings={"admin": {"door_pin": "4321"}}))
    git(clone, "commit", "-qam", "door pin in plain text")
    plain = git(clone, "rev-parse", "HEAD")
    edit_json(zone, lambda m: m.pop("settings"))
    git(clone, "commit", "-qam", "remove it again")
    accepted, output = push(clone, "main")
    assert not accepted
    assert plain[:10] in output and "zones/zone-hp-l2.json: settings.admin.door_pin: plain text" in output, output
    assert "4321" not in output
    assert git(repo, "rev-parse", "HEAD") == head
    # A broken file in the middle, fixed at the tip.
    git(clone, "reset", "-q", "--hard", head)
    with open(os.path.join(clone, "systems", "sys-l3-tide.json"), "a") as handle:
        handle.write("{ broken")
    git(clone, "commit", "-qam", "broken")
    git(clone, "checkout", "-q", "HEAD~1", "--", "systems/sys-l3-tide.json")
    git(clone, "commit", "-qam", "fixed")
    accepted, output = push(clone, "main")
    assert not accepted and "systems/sys-l3-tide.json: line" in output, output


def test_maps_that_cannot_be_rendered_are_refused(deployment):
    repo, clone = deployment["repo"], deployment["clone"]
    head = git(repo, "rev-parse", "HEAD")
    with open(os.path.join(clone, "maps", "level-2.svg")) as handle:
        svg = handle.read()
    broken = svg.replace("<svg ", "<svg data-x=\"1\" ", 1).replace("</svg>", "<plan:room id=\"x\"/></svg>")
    with open(os.path.join(clone, "maps", "level-2.svg"), "w") as handle:
        handle.write(broken)
    git(clone, "commit", "-qam", "undeclared prefix")
    accepted, output = push(clone, "main")
    assert not accepted and "maps/level-2.svg: " in output and "plan" in output, output
    git(clone, "reset", "-q", "--hard", head)
    os.remove(os.path.join(clone, "maps", "level-3.svg"))
    os.symlink("/etc/passwd", os.path.join(clone, "maps", "level-3.svg"))
    git(clone, "add", "-A")
    git(clone, "commit", "-qm", "a symlink map")
    accepted, output = push(clone, "main")
    assert not accepted and "maps/level-3.svg: a symbolic link" in output, output
    assert git(repo, "rev-parse", "HEAD") == head


def test_size_limits_refuse_huge_files_and_pushes(deployment):
    """Bounded resources: the limits of docs/config-format.md, each crossed by a little."""
    repo, clone = deployment["repo"], deployment["clone"]
    head = git(repo, "rev-parse", "HEAD")
    # An object file over 1 MiB (a huge description).
    edit_json(os.path.join(clone, "systems", "sys-l3-tide.json"), lambda m: m.update(description="x" * (MiB + 10)))
    git(clone, "commit", "-qam", "huge description")
    accepted, output = push(clone, "main")
    assert not accepted and "systems/sys-l3-tide.json: the file is 1,04" in output and "limit for an object file is 1 MiB" in output, output
    git(clone, "reset", "-q", "--hard", head)
    # Any other file over 8 MiB (a binary).
    with open(os.path.join(clone, "firmware.bin"), "wb") as handle:
        handle.write(os.urandom(8 * MiB + 1))
    git(clone, "add", "firmware.bin")
    git(clone, "commit", "-qm", "a binary")
    accepted, output = push(clone, "main")
    assert not accepted and "firmware.bin: the file is 8,388,609 bytes; the limit for a file is 8 MiB" in output, output
    git(clone, "reset", "-q", "--hard", head)
    # A level map over 8 MiB.
    with open(os.path.join(clone, "maps", "level-2.svg"), "a") as handle:
        handle.write("<!--" + "x" * (8 * MiB) + "-->")
    git(clone, "commit", "-qam", "a huge map")
    accepted, output = push(clone, "main")
    assert not accepted and "maps/level-2.svg: the file is 8," in output and "the limit for a map is 8 MiB" in output, output
    git(clone, "reset", "-q", "--hard", head)
    # Files each under the limit, together over the 32 MiB of one push.
    for index in range(5):
        with open(os.path.join(clone, f"asset-{index}.bin"), "wb") as handle:
            handle.write(os.urandom(7 * MiB))
    git(clone, "add", "-A")
    git(clone, "commit", "-qm", "many assets")
    accepted, output = push(clone, "main")
    assert not accepted and "the push adds 36,700,160 bytes; the limit for one push is 32 MiB" in output, output
    assert git(repo, "rev-parse", "HEAD") == head


def test_a_working_tree_left_behind_by_a_crash_is_brought_to_head_at_start(deployment):
    """`kill -9` between moving the branch and updating the working tree leaves the tree and
    index behind HEAD; `serve` resets them at start, so the next push is not refused."""
    repo, state, clone = deployment["repo"], deployment["state"], deployment["clone"]
    # The branch moves without the working tree (what a killed writer leaves behind).
    env = dict(GIT_ENV, GIT_INDEX_FILE=os.path.join(deployment["root"], "crash-index"))
    subprocess.run(["git", "-C", repo, "read-tree", "HEAD"], env=env, check=True)
    blob = subprocess.run(["git", "-C", repo, "hash-object", "-w", "--stdin"], input='{"name": "Crash Zone"}\n',
                          capture_output=True, text=True, check=True).stdout.strip()
    subprocess.run(["git", "-C", repo, "update-index", "--add", "--cacheinfo", f"100644,{blob},zones/zone-crash.json"],
                   env=env, check=True)
    tree = subprocess.run(["git", "-C", repo, "write-tree"], env=env, capture_output=True, text=True, check=True).stdout.strip()
    commit = git(repo, "commit-tree", tree, "-p", "HEAD", "-m", "written just before the crash")
    git(repo, "update-ref", "refs/heads/main", commit)
    assert git(repo, "status", "--porcelain") != ""   # behind: the new file shows as staged for deletion

    class Serve(ServeProcess):
        def __init__(self):
            self.tmp = tempfile.TemporaryDirectory(prefix="bo-gate-serve-")
            self.launch(["--state", state, "--repo", repo, "--no-simulators", "--auth", "off"],
                        os.path.join(self.tmp.name, "serve.log"))
    served = Serve()
    try:
        assert git(repo, "status", "--porcelain") == ""
        assert os.path.exists(os.path.join(repo, "zones", "zone-crash.json"))
        git(clone, "pull", "-q")
        edit_json(os.path.join(clone, "systems", "sys-l3-tide.json"), lambda m: m.update(capacity=6))
        git(clone, "commit", "-qam", "after the crash")
        accepted, output = push(clone, "main")
        assert accepted, output
    finally:
        served.stop()
