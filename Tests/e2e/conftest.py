"""Shared helpers for the end-to-end tests: where the binary is, free ports, temp dirs."""
import os
import random
import socket
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BACKOFFICE = os.environ.get("BACKOFFICE_BIN", os.path.join(ROOT, ".build", "debug", "backoffice"))
SAMPLE_CONFIG = os.path.join(ROOT, "sample-config")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# The runtime's test harness (`wait_for`, `Server`, `Control`…) is shared with the e2e tests.
sys.path.insert(0, os.path.join(ROOT, "Tests", "RuntimeTests", "Fixtures"))


def _unassigned_range():
    """Ports the kernel never picks for outgoing connections (below its ephemeral range) and
    above the sample building's device ports (12300-18080)."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as handle:
            low = int(handle.read().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768
    return range(20000, min(low, 32768))


_HANDED_OUT = set()
_PICK = random.Random()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing uses right now, handed out once per test session.

    Taken from a range the kernel does not give to outgoing connections, so none of the many
    client sockets of the suite takes it between this call and the bind of whoever gets it,
    and never the same port twice, so two ports asked for in a row always differ."""
    candidates = _unassigned_range()
    for _ in range(1000):
        port = _PICK.choice(candidates) if len(candidates) > 100 else 0
        if port in _HANDED_OUT:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))   # no SO_REUSEADDR: a port in TIME_WAIT is refused too
            except OSError:
                continue
            port = probe.getsockname()[1]
        if port not in _HANDED_OUT:
            _HANDED_OUT.add(port)
            return port
    raise RuntimeError("no free TCP port on 127.0.0.1")


def move_sample_ports(source):
    """Give a copy of the sample building (`source`) free ports for its simulated devices and its
    broker, the same new port wherever an old one was shared, so a server made from it with
    `backoffice init --from` never meets another server's simulators (`serve` moves them only
    for a repository it created itself)."""
    import json
    import re
    moved = {}

    def new(port):
        if port not in moved:
            moved[port] = free_port()
        return moved[port]

    for folder in ("modules", "brokers"):
        directory = os.path.join(source, folder)
        for name in sorted(os.listdir(directory)) if os.path.isdir(directory) else []:
            path = os.path.join(directory, name)
            with open(path) as handle:
                members = json.load(handle)
            local = members.get("ip", members.get("host")) == "127.0.0.1"
            if local and isinstance(members.get("port"), int):
                members["port"] = new(members["port"])
            uri = members.get("uri")
            if isinstance(uri, str):
                members["uri"] = re.sub(r"//127\.0\.0\.1:(\d+)", lambda match: "//127.0.0.1:%d" % new(int(match.group(1))), uri)
            with open(path, "w") as handle:
                json.dump(members, handle, indent=2, sort_keys=True)
                handle.write("\n")
    return moved


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium, one per test module (site_browser.chromium)."""
    from site_browser import chromium
    driver = chromium()
    yield driver
    driver.quit()


@pytest.fixture()
def fresh_browser():
    """Headless Chromium for one test (no cookies from the tests before it)."""
    from site_browser import chromium
    driver = chromium()
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def git_host():
    """A git host over smart HTTP with basic auth (git_host.GitHost), one per test module."""
    from git_host import GitHost
    host = GitHost()
    yield host
    host.stop()
