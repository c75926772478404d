"""Shared helpers for the end-to-end tests: where the binary is, free ports, temp dirs."""
import os
import socket
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BACKOFFICE = os.environ.get("BACKOFFICE_BIN", os.path.join(ROOT, ".build", "debug", "backoffice"))
SAMPLE_CONFIG = os.path.join(ROOT, "sample-config")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# The runtime's test harness (`wait_for`, `Server`, `Control`…) is shared with the e2e tests.
sys.path.insert(0, os.path.join(ROOT, "Tests", "RuntimeTests", "Fixtures"))


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
