"""Drivers from git, end to end: a real git host (nginx + git http-backend, basic auth) holds a
driver repository made from Drivers/Templates plus a broken driver; the configuration names it
(committed with git, password sealed with `backoffice secret seal`), and the runtime fetches it,
builds the Swift driver against this checkout's DriverKit, runs the Python driver as it is, keeps
a module on its last good binary when a new commit does not compile, moves it when one does,
runs an older pinned commit beside the branch's head, and says clearly what is wrong with
wrong credentials, an unreachable URL, a missing branch, a file that is not a driver and a
driver whose --metadata is garbage. Interface repositories are checked out at their commit."""
import glob
import json
import os
import shutil
import subprocess
import urllib.error
import urllib.request
from html import unescape

import pytest

from conftest import BACKOFFICE, ROOT, free_port
from runtime_harness import Server, wait_for

TEMPLATES = os.path.join(ROOT, "Drivers", "Templates")
BUILD_WAIT = 900  # a cold DriverKit build on a busy 2-core machine

BROKEN_MAIN = "import DriverKit\n\nDriverMain.run(Broken.self)\n"
BROKEN = """import DriverKit

final class Broken: DriverModule {
    static let info = DriverInfo(name: "Broken", description: "Does not compile.", moduleName: "Broken", role: .logic)
    static let functions: [Function<Broken>] = []
    let context: ModuleContext
    init(context: ModuleContext) { self.context = context }
    func start() async throws { let count: Int = "three" }
}
"""
GARBAGE = "#!/bin/sh\necho 'this is not metadata'\n"


def template_files():
    files = {}
    for path in glob.glob(os.path.join(TEMPLATES, "**", "*"), recursive=True):
        if os.path.isfile(path):
            with open(path) as handle:
                files[os.path.relpath(path, TEMPLATES)] = handle.read()
    return files


def greeter_source(greeting, broken=False):
    with open(os.path.join(TEMPLATES, "greeter", "Greeter.swift")) as handle:
        text = handle.read()
    text = text.replace('defaultSettings: ["greeting": "Hello"]', 'defaultSettings: ["greeting": "%s"]' % greeting)
    if broken:
        text = text.replace("count += 1", "count += \"one\"")
    return text


@pytest.fixture(scope="module")
def lab(git_host):
    git_host.create("drivers")
    work = git_host.clone("drivers")
    first = work.commit(dict(template_files(), **{"broken/main.swift": BROKEN_MAIN, "broken/Broken.swift": BROKEN,
                                                   "tools/garbage.sh": GARBAGE}),
                        "drivers: greeter, python echo, a broken one", executable=("python/echo_driver.py", "tools/garbage.sh"))
    work.push()
    git_host.create("ui")
    ui = git_host.clone("ui")
    ui.commit({"index.html": "<h1>v1</h1>\n", "app.js": "1\n"}, "ui v1")
    ui.push()

    server = Server(BACKOFFICE, free_port(), args=["--no-simulators", "--repository-poll", "1"])
    auth = {"username": git_host.username, "password": git_host.password}
    modules = {"mod-greeter": "driver-greeter", "mod-echo": "driver-echo", "mod-broken": "driver-broken",
               "mod-not-driver": "driver-not-driver", "mod-garbage": "driver-garbage"}
    files = {
        "repositories/repo-git.json": dict(auth, name="Git drivers", repo_type="driver", folder_name="gitdrivers",
                                           uri=git_host.url("drivers"), branch="main", commit_hash="HEAD"),
        "repositories/repo-ui.json": dict(auth, name="UI", repo_type="interface", folder_name="ui",
                                          uri=git_host.url("ui"), branch="main", commit_hash="HEAD"),
        "drivers/driver-greeter.json": {"name": "Greeter", "repository_id": "repo-git", "file_name": "greeter/Greeter.swift",
                                        "role": 99, "module_name": "Greeter"},
        "drivers/driver-echo.json": {"name": "Echo", "repository_id": "repo-git", "file_name": "python/echo_driver.py",
                                     "role": 99, "module_name": "Echo"},
        "drivers/driver-broken.json": {"name": "Broken", "repository_id": "repo-git", "file_name": "broken/Broken.swift",
                                       "role": 99, "module_name": "Broken"},
        "drivers/driver-not-driver.json": {"name": "Readme", "repository_id": "repo-git", "file_name": "README.md",
                                           "role": 99, "module_name": "Readme"},
        "drivers/driver-garbage.json": {"name": "Garbage", "repository_id": "repo-git", "file_name": "tools/garbage.sh",
                                        "role": 99, "module_name": "Garbage"},
        "systems/sys-git-lab.json": {"name": "Git Lab", "modules": list(modules)},
    }
    for module, driver in modules.items():
        files["modules/%s.json" % module] = {"driver_id": driver, "control_system_id": "sys-git-lab"}
    try:
        server.commit(files, "add the git driver lab (passwords still plain)")
        seal = subprocess.run([BACKOFFICE, "secret", "seal", "--repo", server.config, "--state", server.state],
                              capture_output=True, text=True)
        assert seal.returncode == 0, seal.stderr
        yield server, work, first, git_host
    finally:
        server.stop()


def ping(server, module):
    return server.post("/api/engine/v2/modules/%s/ping" % module)[1]


def running(server, module):
    return ping(server, module).get("state") == "running"


def greet(server, module="mod-greeter", name="Ada"):
    return server.post("/api/engine/v2/modules/%s/exec/greet" % module, [name])


def failure(server, module, text):
    body = ping(server, module)
    return body if body.get("state") == "failed" and text in body.get("error", "") else None


def test_the_sealed_password_is_not_in_the_file(lab):
    server, _, _, git_host = lab
    wait_for(lambda: server.working_tree_clean(), 30, "the seal commit in the working tree")
    assert server.read("repositories/repo-git.json")["password"].startswith("enc:v1:")
    assert git_host.password not in open(os.path.join(server.config, "repositories", "repo-git.json")).read()


def test_a_python_driver_runs_from_git_without_a_build(lab):
    server = lab[0]
    # The first fetch of the lab starts here; on a loaded machine it and the Swift builds queued
    # beside it take minutes, so this waits long (a readiness wait, not a timing assertion).
    wait_for(lambda: running(server, "mod-echo"), 240, "mod-echo running from git")
    assert server.post("/api/engine/v2/modules/mod-echo/exec/echo", ["from git"]) == (200, "from git")


def test_a_swift_driver_is_built_against_this_driverkit_and_runs(lab):
    server = lab[0]
    wait_for(lambda: running(server, "mod-greeter"), BUILD_WAIT, "mod-greeter built and running")
    assert greet(server) == (200, "Hello, Ada!")
    assert glob.glob(os.path.join(server.state, "drivers", "driverkit", "*", "libDriverKit.a"))
    built = glob.glob(os.path.join(server.state, "drivers", "builds", "repo-git", "greeter_Greeter_swift-*", "driver"))
    assert len(built) == 1 and os.access(built[0], os.X_OK)


def test_a_driver_that_does_not_compile_says_where(lab):
    server = lab[0]
    body = wait_for(lambda: failure(server, "mod-broken", "did not build"), BUILD_WAIT, "mod-broken's build error")
    assert "broken/Broken.swift:8:" in body["error"] and "error:" in body["error"], body
    record = glob.glob(os.path.join(server.state, "drivers", "builds", "repo-git", "broken_Broken_swift-*", "result.json"))
    result = json.load(open(record[0]))
    assert result["state"] == "failed" and result["diagnostics"][0]["file"] == "broken/Broken.swift"
    assert result["diagnostics"][0]["line"] == 8


def test_files_that_are_not_drivers_are_refused_clearly(lab):
    server = lab[0]
    wait_for(lambda: failure(server, "mod-not-driver", "README.md is not a driver"), 120, "README refused")
    wait_for(lambda: failure(server, "mod-garbage", "not driver metadata") or failure(server, "mod-garbage", "no JSON object"),
             120, "garbage metadata refused")
    assert "this is not metadata" in ping(server, "mod-garbage")["error"]


def test_a_commit_that_does_not_compile_leaves_the_module_on_its_last_good_binary(lab):
    server, work, _, _ = lab
    wait_for(lambda: running(server, "mod-greeter"), BUILD_WAIT, "mod-greeter running")
    bad = work.commit({"greeter/Greeter.swift": greeter_source("Hello", broken=True)}, "greeter: a typo")
    work.push()
    line = "drivers: greeter/Greeter.swift at %s of repo-git: did not build: greeter/Greeter.swift:" % bad[:10]
    wait_for(lambda: line in server.output(), BUILD_WAIT, "the failed build in the log")
    assert running(server, "mod-greeter") and greet(server) == (200, "Hello, Ada!")


def test_a_commit_that_compiles_moves_the_module_to_it(lab):
    server, work, _, _ = lab
    work.commit({"greeter/Greeter.swift": greeter_source("Bonjour")}, "greeter: French")
    work.push()
    wait_for(lambda: greet(server) == (200, "Bonjour, Ada!"), BUILD_WAIT, "the module on the new commit")
    # The push moves every driver of the repository to the new commit, so mod-echo restarts on
    # it too (its binary is keyed by commit); it answers again once its new process is up.
    wait_for(lambda: server.post("/api/engine/v2/modules/mod-echo/exec/echo", ["still"]) == (200, "still"), 60,
             "mod-echo on the new commit")


def test_a_pinned_older_commit_runs_beside_the_branch_head(lab):
    server, _, first, _ = lab
    server.commit({
        "drivers/driver-greeter-pinned.json": {"name": "Greeter (pinned)", "repository_id": "repo-git", "commit": first,
                                               "file_name": "greeter/Greeter.swift", "role": 99, "module_name": "Greeter"},
        "modules/mod-greeter-old.json": {"driver_id": "driver-greeter-pinned", "control_system_id": "sys-git-old"},
        "systems/sys-git-old.json": {"name": "Git Lab (old)", "modules": ["mod-greeter-old"]},
    }, "pin a greeter to the first commit")
    wait_for(lambda: greet(server, "mod-greeter-old") == (200, "Hello, Ada!"), BUILD_WAIT, "the pinned module on the old code")
    assert greet(server) == (200, "Bonjour, Ada!")


def test_pinning_the_driver_back_rolls_its_modules_back(lab):
    server, _, first, _ = lab
    driver = server.read("drivers/driver-greeter.json")
    driver["commit"] = first[:12]
    server.commit({"drivers/driver-greeter.json": driver}, "roll the greeter back")
    wait_for(lambda: greet(server) == (200, "Hello, Ada!"), BUILD_WAIT, "the module rolled back")


def test_bad_repositories_give_clear_errors(lab):
    server, _, _, git_host = lab
    unreachable = "http://127.0.0.1:%d/nothing.git" % free_port()
    repositories = {
        "repo-wrong-password": dict(uri=git_host.url("drivers"), username=git_host.username, password="not-the-pass-7731"),
        "repo-unreachable": dict(uri=unreachable),
        "repo-no-branch": dict(uri=git_host.url("drivers"), branch="nope", username=git_host.username,
                               password=git_host.password),
        "repo-no-credentials": dict(uri=git_host.url("drivers")),
    }
    files = {}
    for repository, fields in repositories.items():
        name = repository[len("repo-"):]
        files["repositories/%s.json" % repository] = dict(fields, name=name, repo_type="driver", folder_name=name)
        files["drivers/driver-%s.json" % name] = {"name": "Echo " + name, "repository_id": repository, "role": 99,
                                                 "file_name": "python/echo_driver.py", "module_name": "Echo"}
        files["modules/mod-%s.json" % name] = {"driver_id": "driver-" + name, "control_system_id": "sys-git-bad"}
    files["systems/sys-git-bad.json"] = {"name": "Git Lab (bad)", "modules": ["mod-" + r[len("repo-"):] for r in repositories]}
    server.commit(files, "repositories that cannot work")
    seal = subprocess.run([BACKOFFICE, "secret", "seal", "--repo", server.config, "--state", server.state],
                          capture_output=True, text=True)
    assert seal.returncode == 0, seal.stderr
    wait_for(lambda: failure(server, "mod-wrong-password", 'refused the user name and password (user "builder")'), 60,
             "wrong credentials")
    wait_for(lambda: failure(server, "mod-unreachable", "failed to connect to 127.0.0.1"), 60, "unreachable")
    wait_for(lambda: failure(server, "mod-no-branch", 'branch "nope" does not exist'), 60, "missing branch")
    assert "branches: main" in ping(server, "mod-no-branch")["error"]
    wait_for(lambda: failure(server, "mod-no-credentials", "asks for a user name and password"), 60, "no credentials")
    assert "not-the-pass-7731" not in server.output() and git_host.password not in server.output()
    # The working module still answers (once any restart from an earlier test's push is over).
    wait_for(lambda: server.post("/api/engine/v2/modules/mod-echo/exec/echo", ["unharmed"]) == (200, "unharmed"), 60,
             "mod-echo unharmed")


def test_an_interface_repository_is_checked_out_and_follows_its_branch(lab):
    server, _, _, git_host = lab
    index = os.path.join(server.state, "interfaces", "ui", "index.html")
    wait_for(lambda: open(index).read() == "<h1>v1</h1>\n", 60, "the interface checked out")
    ui = git_host.clone("ui")
    ui.commit({"index.html": "<h1>v2</h1>\n"}, "ui v2")
    ui.push()
    wait_for(lambda: open(index).read() == "<h1>v2</h1>\n", 60, "the interface updated")
    assert open(os.path.join(server.state, "interfaces", "ui", "app.js")).read() == "1\n"


# MARK: - The web side: REST routes (PlaceOS shapes), interface apps, the repository and driver pages

ENGINE = "/api/engine/v2"


def page(server, path):
    """A site page's status and HTML (`--auth off`: the local administrator)."""
    request = urllib.request.Request(server.url + path)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read().decode(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), error.headers


def test_rest_pull_branches_commits_drivers_and_details(lab):
    server, work, first, _ = lab
    head = work.git("rev-parse", "HEAD").strip()
    status, body = server.post(ENGINE + "/repositories/repo-git/pull")
    assert (status, body) == (200, {"commit_hash": head})
    assert server.get(ENGINE + "/repositories/repo-git/branches") == (200, ["main"])
    assert server.get(ENGINE + "/repositories/repo-git/default_branch") == (200, "main")
    status, commits = server.get(ENGINE + "/repositories/repo-git/commits?driver=greeter/Greeter.swift&limit=2")
    assert status == 200 and [c["subject"] for c in commits] == ["greeter: French", "greeter: a typo"]
    assert commits[0]["commit"] == head and commits[0]["author"] and commits[0]["date"]
    status, everything = server.get(ENGINE + "/repositories/repo-git/commits")
    assert everything[-1]["commit"] == first
    status, drivers = server.get(ENGINE + "/repositories/repo-git/drivers")
    assert status == 200 and {"greeter/Greeter.swift", "python/echo_driver.py", "broken/Broken.swift"} <= set(drivers)
    assert "README.md" not in drivers
    status, details = server.get(ENGINE + "/repositories/repo-git/details?driver=python/echo_driver.py&commit=" + first)
    assert status == 200 and details["name"] and "echo" in details["functions"]
    status, details = server.get(ENGINE + "/repositories/repo-git/details?driver=greeter/Greeter.swift")
    assert status == 200 and details["default_settings"] == {"greeting": "Bonjour"}
    assert server.get(ENGINE + "/repositories/repo-ui/branches") == (200, ["main"])


def test_rest_bad_input_says_what_is_wrong(lab):
    server = lab[0]
    status, body = server.get(ENGINE + "/repositories/repo-git/commits?branch=nope")
    assert status == 404 and 'no branch or commit "nope"' in body["error"]
    status, body = server.get(ENGINE + "/repositories/repo-git/details?driver=greeter/Greeter.swift&commit=0123abcd")
    assert status == 404 and "0123abcd" in body["error"]
    status, body = server.get(ENGINE + "/repositories/repo-git/details?driver=README.md")
    assert status == 422 and "README.md is not a driver" in body["error"] and body["failures"][0]["field"] == "driver"
    status, body = server.get(ENGINE + "/repositories/repo-git/details?driver=broken/Broken.swift")
    assert status == 422 and body["errors"][0]["file"] == "broken/Broken.swift" and body["errors"][0]["line"] == 8
    assert "error:" in body["compilation_output"] and body["failures"][0]["field"].startswith("broken/Broken.swift:8:")
    status, body = server.get(ENGINE + "/repositories/repo-git/details")
    assert status == 400 and "driver=" in body["error"]
    assert body["parameter"] == "driver"
    status, body = server.get(ENGINE + "/repositories/repo-git/commits?limit=0")
    assert status == 400 and body["parameter"] == "limit" and body["restriction"] == "1...1000"
    status, body = server.post(ENGINE + "/repositories/repo-nothing/pull")
    assert status == 404 and body == {"error": "repository repo-nothing does not exist"}
    status, body = server.post(ENGINE + "/repositories/repo-unreachable/pull")
    assert status == 502 and "failed to connect to 127.0.0.1" in body["error"]
    status, body = server.post(ENGINE + "/repositories/repo-wrong-password/pull")
    assert status == 502 and "refused the user name and password" in body["error"]
    assert "not-the-pass-7731" not in json.dumps(body)
    status, body = server.get(ENGINE + "/repositories/repo-no-branch/drivers")
    assert status == 409 and 'branch "nope" does not exist' in body["error"]


def test_rest_readme_is_the_repositorys(lab):
    server = lab[0]
    with urllib.request.urlopen(server.url + ENGINE + "/drivers/driver-greeter/readme", timeout=30) as response:
        assert response.headers["Content-Type"].startswith("text/markdown")
        with open(os.path.join(TEMPLATES, "README.md"), "rb") as handle:
            assert response.read() == handle.read()
    status, body = server.get(ENGINE + "/drivers/driver-nope/readme")
    assert status == 404 and body == {"error": "driver driver-nope does not exist"}


def test_rest_compiled_recompile_and_reload(lab):
    server = lab[0]
    status, body = server.get(ENGINE + "/drivers/driver-broken/compiled")
    assert status == 503 and "broken/Broken.swift:8:" in body["compilation_output"]
    assert body["errors"][0]["line"] == 8 and body["state"] == "failed"
    status, body = server.get(ENGINE + "/drivers/driver-echo/compiled")
    assert (status, body["state"]) == (200, "built")
    status, body = server.post(ENGINE + "/drivers/driver-broken/recompile")
    assert status == 202 and body["state"] in ("queued", "building", "failed")
    status, body = server.post(ENGINE + "/drivers/driver-broken/reload")
    assert status == 503 and "broken/Broken.swift:8:" in body["compilation_output"]
    status, body = server.post(ENGINE + "/drivers/driver-echo/reload")
    assert (status, body["state"]) == (200, "built")
    wait_for(lambda: server.post(ENGINE + "/modules/mod-echo/exec/echo", ["after reload"]) == (200, "after reload"), 30,
             "mod-echo answering after the reload")
    assert server.get(ENGINE + "/drivers/driver-nothing/compiled")[0] == 404


def test_interface_apps_are_served_at_their_folder(lab):
    server, _, _, git_host = lab
    status, interfaces = server.get(ENGINE + "/repositories/interfaces")
    ui_head = subprocess.run(["git", "-C", git_host.path("ui"), "rev-parse", "main"], capture_output=True, text=True).stdout.strip()
    assert status == 200 and interfaces == {"ui": ui_head}
    status, text, headers = page(server, "/ui/")
    assert (status, text) == (200, "<h1>v2</h1>\n") and headers["Content-Type"].startswith("text/html")
    status, text, headers = page(server, "/ui/app.js")
    assert (status, text) == (200, "1\n") and headers["Content-Type"].startswith("text/javascript")
    assert page(server, "/ui/rooms/42")[:2] == (200, "<h1>v2</h1>\n")  # a client-side route: the app
    assert page(server, "/ui/missing.js")[0] == 404
    assert page(server, "/ui/%2e%2e/%2e%2e/config/backoffice.json")[0] in (400, 404)  # the parser refuses it first
    assert page(server, "/ui/.git/config")[0] == 404
    assert page(server, "/nothing/")[0] == 404
    assert page(server, "/backoffice/")[0] == 200  # the site is never an interface
    ui = git_host.clone("ui")
    ui.commit({"index.html": "<h1>v3</h1>\n"}, "ui v3")
    ui.push()
    assert server.post(ENGINE + "/repositories/repo-ui/pull")[0] == 200
    wait_for(lambda: page(server, "/ui/")[1] == "<h1>v3</h1>\n", 30, "the served app updated on pull")


def test_the_repository_page_shows_the_fetch_and_the_drivers(lab):
    server, work, _, _ = lab
    status, html, _ = page(server, "/backoffice/repositories/repo-git/git")
    assert status == 200, html
    assert "data-fetch-phase>fetched<" in html and work.git("rev-parse", "--short=10", "HEAD").strip() in html
    assert ">Pull</button>" in html and 'data-driver-file="greeter/Greeter.swift"' in html
    assert "/backoffice/drivers/new?repository=repo-git&file=python%2Fecho_driver.py&commit=" in unescape(html)
    assert "<b>Python Echo</b> · Logic · module <code>Echo</code>" in html  # its metadata, built
    status, html, _ = page(server, "/backoffice/repositories/repo-git/git?at=nope")
    assert status == 200 and "data-drivers-error>no branch or commit &quot;nope&quot;" in html
    status, html, _ = page(server, "/backoffice/repositories/repo-unreachable/git")
    assert status == 200 and "data-fetch-error>" in html and "failed to connect to 127.0.0.1" in html
    status, html, _ = page(server, "/backoffice/repositories/repo-git/")
    assert 'href="/backoffice/repositories/repo-git/git"' in html


def test_add_driver_fills_the_form_from_its_metadata(lab):
    server, _, first, _ = lab
    path = "/backoffice/drivers/new?repository=repo-git&file=greeter%2FGreeter.swift&commit=" + first
    status, html, _ = page(server, path)
    assert status == 200 and "Filled in from greeter/Greeter.swift" in html, html
    assert 'value="' + first + '"' in html and "Hello" in html  # pinned, default settings of that commit
    status, html, _ = page(server, "/backoffice/drivers/new?repository=repo-git&file=broken%2FBroken.swift")
    assert "cannot be added" in html and "broken/Broken.swift:8:" in html


def test_the_driver_page_shows_the_build_update_available_and_pins(lab):
    server, work, first, _ = lab
    status, html, _ = page(server, "/backoffice/drivers/driver-broken/build")
    assert status == 200 and "data-build-state>failed<" in html and "broken/Broken.swift:8:" in html
    assert ">Recompile</button>" in html
    # driver-greeter is pinned to the first commit (test_pinning_the_driver_back…): the branch moved on.
    status, html, _ = page(server, "/backoffice/drivers/driver-greeter/build")
    assert "data-build-state>built<" in html and "Update available" in html
    assert "greeter: French" in html and "greeter: a typo" in html
    head = work.git("rev-parse", "HEAD").strip()
    assert "/backoffice/drivers/driver-greeter/edit?commit=" + head in unescape(html)
    status, html, _ = page(server, "/backoffice/drivers/driver-greeter/edit?commit=" + head)
    assert 'value="' + head + '"' in html
