"""`backoffice diff BASE HEAD` through the real binary on a repository made by `backoffice init`
and edited with the real git CLI: the change in words per object, the validation result and
the runtime plan, compared with golden files (Tests/e2e/golden/diff) in every format.

Commit ids differ from run to run (the sealed secret is random), so they are replaced by
<BASE> and <HEAD> before comparing. `UPDATE_GOLDEN=1` rewrites the golden files."""
import json
import os
import shutil
import subprocess
import tempfile

import pytest

from conftest import BACKOFFICE

GOLDEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden", "diff")
GIT_ENV = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL="/dev/null",
               GIT_AUTHOR_NAME="Erin Engineer", GIT_AUTHOR_EMAIL="erin@example.com",
               GIT_COMMITTER_NAME="Erin Engineer", GIT_COMMITTER_EMAIL="erin@example.com",
               GIT_AUTHOR_DATE="2026-01-02T03:04:05Z", GIT_COMMITTER_DATE="2026-01-02T03:04:05Z")


def run(*args, cwd=None):
    return subprocess.run(list(args), capture_output=True, text=True, env=GIT_ENV, timeout=120, cwd=cwd)


def git(repo, *args):
    result = run("git", "-C", repo, *args)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def edit_json(path, change):
    members = {}
    if os.path.exists(path):
        with open(path) as handle:
            members = json.load(handle)
    change(members)
    with open(path, "w") as handle:
        handle.write(json.dumps(members, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


@pytest.fixture(scope="module")
def reviewed():
    """A repository with a base commit, a valid head (many kinds of change) and an invalid head."""
    root = tempfile.mkdtemp(prefix="backoffice-e2e-diff-")
    repo, state = os.path.join(root, "config"), os.path.join(root, "state")
    result = run(BACKOFFICE, "init", repo, "--state", state)
    assert result.returncode == 0, result.stderr
    base = git(repo, "rev-parse", "HEAD")

    path = lambda *parts: os.path.join(repo, *parts)
    edit_json(path("backoffice.json"), lambda m: m.update(title="Harbour Point (staging)"))
    edit_json(path("systems", "sys-l2-ferry.json"), lambda m: m.update(
        capacity=12, triggers=[{"id": "trig-l2-ferry-release", "trigger_id": "trigger-release-unused-booking"}]))
    edit_json(path("systems", "sys-l2-buoy.json"), lambda m: m.update(settings={"none": {"default_volume": 40}}))
    edit_json(path("zones", "zone-hp-l4.json"), lambda m: m.update(
        name="Harbour Point Tower Level 4", display_name="Level 4", parent_id="zone-hp-tower", tags=["level"]))
    edit_json(path("modules", "mod-l2-ferry-projector.json"), lambda m: m.update(
        ip="127.0.0.2", settings={"admin": {"password": "projector-2"}}))
    edit_json(path("systems", "sys-l1-reception.json"),
              lambda m: m.update(modules=[x for x in m["modules"] if x != "mod-l1-reception-signage"]))
    os.remove(path("modules", "mod-l1-reception-signage.json"))
    with open(path("maps", "level-4.svg"), "w") as handle:
        handle.write('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect id="room-l4" width="5" height="5"/></svg>\n')
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "Level 4, a bigger Ferry room, a new projector port")
    # The plain password is sealed by the CLI, as an engineer would.
    result = run(BACKOFFICE, "secret", "seal", "--repo", repo, "--state", state, "--author", "Erin Engineer <erin@example.com>")
    assert result.returncode == 0, result.stderr
    head = git(repo, "rev-parse", "HEAD")

    edit_json(path("systems", "sys-l2-ferry.json"), lambda m: m.update(capacity="twelve"))
    edit_json(path("zones", "zone-hp-l4.json"), lambda m: m.update(parent_id="zone-gone"))
    git(repo, "commit", "-qam", "broken: capacity in words, a parent that does not exist")
    invalid = git(repo, "rev-parse", "HEAD")
    yield {"repo": repo, "state": state, "base": base, "head": head, "invalid": invalid}
    shutil.rmtree(root, ignore_errors=True)


def diff(reviewed, base, head, fmt):
    result = run(BACKOFFICE, "diff", reviewed[base], reviewed[head], "--repo", reviewed["repo"],
                 "--state", reviewed["state"], "--format", fmt)
    assert result.returncode == 0, result.stderr
    text = result.stdout
    for name, label in ((base, "<BASE>"), (head, "<HEAD>")):
        text = text.replace(reviewed[name], label).replace(reviewed[name][:10], label)
    return text


def golden(name, actual):
    path = os.path.join(GOLDEN, name)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        with open(path, "w") as handle:
            handle.write(actual)
    with open(path) as handle:
        assert actual == handle.read(), f"{name} differs from the golden file (UPDATE_GOLDEN=1 rewrites it)"


@pytest.mark.parametrize("fmt,extension", [("text", "txt"), ("markdown", "md"), ("json", "json")])
def test_valid_head_in_every_format(reviewed, fmt, extension):
    golden(f"valid.{extension}", diff(reviewed, "base", "head", fmt))


@pytest.mark.parametrize("fmt,extension", [("text", "txt"), ("markdown", "md"), ("json", "json")])
def test_invalid_head_in_every_format(reviewed, fmt, extension):
    golden(f"invalid.{extension}", diff(reviewed, "head", "invalid", fmt))


def test_the_words_name_each_object_and_hide_secrets(reviewed):
    text = diff(reviewed, "base", "head", "text")
    assert "systems/sys-l2-ferry: capacity 8 → 12" in text
    assert 'zones: + zone-hp-l4 "Harbour Point Tower Level 4"' in text
    assert 'modules: - mod-l1-reception-signage' in text
    assert 'modules/mod-l2-ferry-projector: ip "127.0.0.1" → "127.0.0.2"; admin settings changed' in text
    assert 'systems/sys-l1-reception: modules: - "mod-l1-reception-signage"' in text
    assert "systems/sys-l2-ferry: capacity 8 → 12; triggers: + trig-l2-ferry-release" in text
    assert "projector-2" not in text and "enc:v1:" not in text and "password" not in text
    assert "<HEAD> passes validation" in text
    assert "reconnect mod-l2-ferry-projector" in text and "stop mod-l1-reception-signage" in text
    report = json.loads(diff(reviewed, "base", "head", "json"))
    assert report["valid"] is True
    assert {"action": "start", "instance": "trig-l2-ferry-release", "trigger": "trigger-release-unused-booking",
            "system": "sys-l2-ferry"} in report["runtime"]["triggers"]
    secret = [f for c in report["changes"] for f in c["fields"] if f["secret"]]
    assert secret and all("old" not in f and "new" not in f for f in secret)


def test_the_invalid_head_lists_its_problems_and_is_not_applied(reviewed):
    report = json.loads(diff(reviewed, "head", "invalid", "json"))
    assert report["valid"] is False and report["runtime"]["applied"] is False
    paths = {(p["path"], p["field"]) for p in report["problems"]}
    assert ("systems/sys-l2-ferry.json", "capacity") in paths and ("zones/zone-hp-l4.json", "parent_id") in paths
    markdown = diff(reviewed, "head", "invalid", "markdown")
    assert "❌" in markdown and "| `systems/sys-l2-ferry.json` | `capacity` |" in markdown


def test_usage_errors(reviewed):
    repo = reviewed["repo"]
    assert run(BACKOFFICE, "diff", "HEAD~1", "HEAD", "--repo", repo, "--format", "yaml").returncode == 2
    assert run(BACKOFFICE, "diff", "no-such-rev", "HEAD", "--repo", repo).returncode == 2
    assert run(BACKOFFICE, "diff", "HEAD", "--repo", repo).returncode == 2
    assert run(BACKOFFICE, "diff", "HEAD~1", "HEAD", "--repo", "/nonexistent").returncode == 2
    result = run(BACKOFFICE, "diff", "--help")
    assert result.returncode == 0 and "usage: backoffice diff" in result.stdout
