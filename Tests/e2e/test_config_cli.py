"""The configuration repository through the real `backoffice` binary and the real `git` CLI:
init, check, import, revert, pushes from a clone, and a writer killed mid-write."""
import json
import os
import random
import shutil
import signal
import stat
import subprocess
import tempfile
import time

import pytest

from conftest import BACKOFFICE

GIT_ENV = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL="/dev/null",
               GIT_AUTHOR_NAME="Engineer", GIT_AUTHOR_EMAIL="engineer@example.com",
               GIT_COMMITTER_NAME="Engineer", GIT_COMMITTER_EMAIL="engineer@example.com")


def backoffice(*args, input=None):
    return subprocess.run([BACKOFFICE, *args], capture_output=True, text=True, input=input, timeout=120)


def git(repo, *args, check=True):
    result = subprocess.run(["git", "-C", repo, *args], capture_output=True, text=True, env=GIT_ENV, timeout=60)
    if check:
        assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.fixture
def deployment():
    """A temp folder with a state directory and a repository made by `backoffice init`."""
    root = tempfile.mkdtemp(prefix="backoffice-e2e-")
    repo, state = os.path.join(root, "config"), os.path.join(root, "state")
    result = backoffice("init", repo, "--state", state)
    assert result.returncode == 0, result.stderr
    yield {"root": root, "repo": repo, "state": state}
    shutil.rmtree(root, ignore_errors=True)


def edit_json(path, change):
    with open(path) as handle:
        members = json.load(handle)
    change(members)
    with open(path, "w") as handle:
        handle.write(json.dumps(members, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


def test_init_makes_a_pushable_repository_with_sealed_secrets(deployment):
    repo, state = deployment["repo"], deployment["state"]
    assert git(repo, "log", "--format=%an <%ae>") == "BackOffice <backoffice@localhost>"
    assert git(repo, "rev-parse", "--abbrev-ref", "HEAD") == "main"
    assert git(repo, "config", "receive.denyCurrentBranch") == "updateInstead"
    assert git(repo, "status", "--porcelain") == ""
    with open(os.path.join(repo, "drivers", "driver-pjlink-projector.json")) as handle:
        password = json.load(handle)["settings"]["admin"]["password"]
    assert password.startswith("enc:v1:")
    mode = stat.S_IMODE(os.stat(os.path.join(state, "secret")).st_mode)
    assert mode == 0o600
    assert backoffice("init", repo, "--state", state).returncode != 0  # not over an existing repository


def test_check_passes_on_the_sample_building(deployment):
    result = backoffice("check", "--repo", deployment["repo"], "--state", deployment["state"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""
    assert "valid" in result.stderr


def test_check_names_file_and_field_for_hand_edited_mistakes(deployment):
    repo = deployment["repo"]
    with open(os.path.join(repo, "zones", "zone-broken.json"), "w") as handle:
        handle.write('{\n  "name": "Broken",\n  "tags": ["level"],\n}\n')
    edit_json(os.path.join(repo, "systems", "sys-l2-ferry.json"), lambda m: m.update(capacity="eight"))
    edit_json(os.path.join(repo, "modules", "mod-l2-ferry-hvac.json"), lambda m: m.update(driver_id="driver-gone"))
    edit_json(os.path.join(repo, "zones", "zone-hp-tower.json"), lambda m: m.update(parent_id="zone-hp-l2"))
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "hand edits")
    result = backoffice("check", "--repo", repo, "--state", deployment["state"])
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert "zones/zone-broken.json: line 4, column 1: invalid JSON: trailing comma before '}'" in lines
    assert 'systems/sys-l2-ferry.json: capacity: must be a whole number, found string "eight"' in lines
    assert 'modules/mod-l2-ferry-hvac.json: driver_id: refers to driver "driver-gone", which does not exist' in lines
    assert any(line.startswith("zones/zone-hp-tower.json: parent_id: zone parents form a cycle") for line in lines)
    assert "Traceback" not in result.stderr and "Fatal error" not in result.stderr
    # The commit before is still valid, and --rev selects it.
    assert backoffice("check", "--repo", repo, "--rev", "HEAD~1").returncode == 0


def test_check_usage_errors_exit_2(deployment):
    assert backoffice("check", "--repo", "/nonexistent/repo").returncode == 2
    assert backoffice("check", "--repo", deployment["repo"], "--rev", "no-such-rev").returncode == 2
    assert backoffice("check", "--frobnicate").returncode == 2
    for command in ["init", "check", "revert", "import"]:
        result = backoffice(command, "--help")
        assert result.returncode == 0 and "usage: backoffice " + command in result.stdout


def test_import_is_one_validated_commit(deployment):
    repo = deployment["repo"]
    rooms = {"zones": [{"id": "zone-annex", "name": "Annex", "parent_id": "zone-hp-tower", "tags": ["level"]}],
             "systems": [{"name": f"Annex room {n}", "zones": ["zone-annex"], "capacity": n} for n in range(1, 51)]}
    result = backoffice("import", "-", "--repo", repo, "--author", "Ivy Importer <ivy@example.com>", input=json.dumps(rooms))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[1] == "51"
    assert git(repo, "rev-list", "--count", "HEAD") == "2"
    assert git(repo, "log", "-1", "--format=%an") == "Ivy Importer"
    assert len(os.listdir(os.path.join(repo, "systems"))) == 15 + 50
    assert git(repo, "status", "--porcelain") == ""

    head = git(repo, "rev-parse", "HEAD")
    bad = {"systems": [{"name": "Orphan", "zones": ["zone-missing"]}]}
    result = backoffice("import", "-", "--repo", repo, input=json.dumps(bad))
    assert result.returncode == 1
    assert 'zones[0]: refers to zone "zone-missing", which does not exist' in result.stderr
    assert git(repo, "rev-parse", "HEAD") == head


def test_revert_from_the_cli_and_a_conflicting_revert_is_refused(deployment):
    repo = deployment["repo"]
    edit_json(os.path.join(repo, "systems", "sys-l2-ferry.json"), lambda m: m.update(capacity=9))
    git(repo, "commit", "-qam", "ferry: capacity 9")
    first = git(repo, "rev-parse", "HEAD")
    edit_json(os.path.join(repo, "systems", "sys-l2-ferry.json"), lambda m: m.update(capacity=10))
    git(repo, "commit", "-qam", "ferry: capacity 10")
    head = git(repo, "rev-parse", "HEAD")
    result = backoffice("revert", first, "--repo", repo)
    assert result.returncode == 1
    assert "systems/sys-l2-ferry.json" in result.stderr
    assert git(repo, "rev-parse", "HEAD") == head

    result = backoffice("revert", head, "--repo", repo, "--author", "Rita Reverter <rita@example.com>")
    assert result.returncode == 0, result.stderr
    assert git(repo, "log", "-1", "--format=%an|%s") == 'Rita Reverter|Revert "ferry: capacity 10"'
    with open(os.path.join(repo, "systems", "sys-l2-ferry.json")) as handle:
        assert json.load(handle)["capacity"] == 9
    assert git(repo, "status", "--porcelain") == ""
    assert subprocess.run(["git", "-C", repo, "fsck", "--strict"], capture_output=True).returncode == 0


def test_a_push_from_a_clone_lands_in_the_working_tree(deployment):
    repo, clone = deployment["repo"], os.path.join(deployment["root"], "clone")
    subprocess.run(["git", "clone", "-q", repo, clone], check=True, env=GIT_ENV)
    edit_json(os.path.join(clone, "systems", "sys-l3-tide.json"), lambda m: m.update(capacity=5))
    git(clone, "commit", "-qam", "tide: capacity 5")
    git(clone, "push", "-q", "origin", "main")
    with open(os.path.join(repo, "systems", "sys-l3-tide.json")) as handle:
        assert json.load(handle)["capacity"] == 5
    assert backoffice("check", "--repo", repo).returncode == 0


def test_the_pre_receive_gate_refuses_an_invalid_push_and_keeps_the_branch(deployment):
    repo = deployment["repo"]
    head = git(repo, "rev-parse", "HEAD")
    clone = os.path.join(deployment["root"], "clone")
    subprocess.run(["git", "clone", "-q", repo, clone], check=True, env=GIT_ENV)
    edit_json(os.path.join(clone, "modules", "mod-l1-huddle-hvac.json"), lambda m: m.update(port=70000))
    edit_json(os.path.join(clone, "systems", "sys-l1-huddle.json"), lambda m: m.update(zones=["zone-nowhere"]))
    git(clone, "commit", "-qam", "break two things")
    result = subprocess.run(["git", "-C", clone, "push", "-q", "origin", "main"], capture_output=True, text=True, env=GIT_ENV)
    assert result.returncode != 0
    assert "modules/mod-l1-huddle-hvac.json: port:" in result.stderr
    assert "systems/sys-l1-huddle.json: zones" in result.stderr
    assert git(repo, "rev-parse", "HEAD") == head
    assert git(repo, "status", "--porcelain") == ""
    # Deleting the tracked branch is refused too; a feature branch passes unchecked.
    result = subprocess.run(["git", "-C", clone, "push", "-q", "origin", ":main"], capture_output=True, text=True, env=GIT_ENV)
    assert result.returncode != 0 and git(repo, "rev-parse", "HEAD") == head
    git(clone, "push", "-q", "origin", "HEAD:refs/heads/draft")
    # A good push after fixing lands.
    edit_json(os.path.join(clone, "modules", "mod-l1-huddle-hvac.json"), lambda m: m.update(port=15099))
    edit_json(os.path.join(clone, "systems", "sys-l1-huddle.json"),
              lambda m: m.update(zones=["zone-harbourpoint", "zone-hp-tower", "zone-hp-l1"]))
    git(clone, "commit", "-qam", "fix both")
    git(clone, "push", "-q", "origin", "main")
    with open(os.path.join(repo, "modules", "mod-l1-huddle-hvac.json")) as handle:
        assert json.load(handle)["port"] == 15099


def test_a_writer_killed_mid_write_loses_no_acknowledged_write(deployment):
    """SIGKILL import processes at random moments; every acknowledged write survives and
    git fsck accepts the repository."""
    repo = deployment["repo"]
    rng = random.Random(7)
    acknowledged, killed = [], 0
    for n in range(60):
        payload = json.dumps({"systems": [{"id": f"sys-crash-{n}", "name": f"Crash room {n}", "zones": ["zone-hp-l1"]}]})
        process = subprocess.Popen([BACKOFFICE, "import", "-", "--repo", repo],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        process.stdin.write(payload)
        process.stdin.close()
        if n % 3 == 0:
            time.sleep(rng.uniform(0.0, 0.05))
            process.send_signal(signal.SIGKILL)
        out = process.stdout.read()
        process.wait(timeout=60)
        if process.returncode == 0:
            acknowledged.append((n, out.split()[0]))
        elif process.returncode == -signal.SIGKILL:
            killed += 1
        else:
            pytest.fail(f"import {n} failed: {process.stderr.read()}")
    assert killed > 0 and len(acknowledged) >= 40
    fsck = subprocess.run(["git", "-C", repo, "fsck", "--strict"], capture_output=True, text=True)
    assert fsck.returncode == 0, fsck.stdout + fsck.stderr
    for n, commit in acknowledged:
        assert git(repo, "cat-file", "-e", f"HEAD:systems/sys-crash-{n}.json", check=False) == ""
        assert subprocess.run(["git", "-C", repo, "merge-base", "--is-ancestor", commit, "HEAD"]).returncode == 0
    # The repository still takes writes after the crashes.
    result = backoffice("import", "-", "--repo", repo, input=json.dumps({"systems": [{"name": "After the storm", "zones": ["zone-hp-l1"]}]}))
    assert result.returncode == 0, result.stderr
    assert backoffice("check", "--repo", repo).returncode == 0


def test_secret_seal_encrypts_plain_values_pushed_by_an_engineer(deployment):
    repo, state = deployment["repo"], deployment["state"]
    edit_json(os.path.join(repo, "zones", "zone-hp-l2.json"),
              lambda m: m.update(settings={"none": {"a": 1}, "admin": {"door_pin": "4321"}}))
    git(repo, "commit", "-qam", "door pin")
    check = backoffice("check", "--repo", repo, "--state", state)
    assert check.returncode == 1
    assert "zones/zone-hp-l2.json: settings.admin.door_pin: plain text under an encrypted level" in check.stdout
    result = backoffice("secret", "seal", "--repo", repo, "--state", state)
    assert result.returncode == 0, result.stderr
    with open(os.path.join(repo, "zones", "zone-hp-l2.json")) as handle:
        text = handle.read()
    assert "4321" not in text and '"door_pin": "enc:v1:' in text
    assert backoffice("check", "--repo", repo, "--state", state).returncode == 0
    assert backoffice("secret", "seal", "--repo", repo, "--state", state).stdout.strip() == "nothing to seal"
