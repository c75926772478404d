"""Bounded resources (issue 11, items 11 and 12), each in seconds against the real binary: a
control WebSocket client that sends and never reads, the access log under requests for systems
that do not exist, and REST control in the access history (item 19)."""
import base64
import json
import os
import socket
import time

from auth_server import USERS, auth  # noqa: F401  (fixture)


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def masked_text_frame(text):
    payload = text.encode()
    key = os.urandom(4)
    return bytes([0x81, 0x80 | len(payload)]) + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


def open_control_socket(auth):
    """A raw control WebSocket opened with the read-only API key (the cheapest principal), with a
    small receive buffer so the server's unread answers pile up at once."""
    raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    raw.connect(("127.0.0.1", auth.port))
    key = base64.b64encode(os.urandom(16)).decode()
    raw.sendall((f"GET /api/engine/v2/systems/control HTTP/1.1\r\nHost: 127.0.0.1:{auth.port}\r\nUpgrade: websocket\r\n"
                 f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                 f"X-API-Key: {auth.narrow_key}\r\n\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        head += raw.recv(1)
    assert head.startswith(b"HTTP/1.1 101"), head
    return raw


def server_unread_bytes(server_port, client_port):
    """What the server's end of our connection has received and not read yet (/proc/net/tcp)."""
    with open("/proc/net/tcp") as handle:
        for line in handle.readlines()[1:]:
            fields = line.split()
            local, remote = fields[1], fields[2]
            if local.endswith(":%04X" % server_port) and remote.endswith(":%04X" % client_port):
                return int(fields[4].split(":")[1], 16)
    return 0


def test_a_client_that_sends_and_never_reads_costs_the_server_little_memory(auth):
    before = rss_bytes(auth.process.pid)
    raw = open_control_socket(auth)
    try:
        # Every ping is answered with a pong nobody reads: without a bound, 3 million of them
        # queued hundreds of megabytes. With it, the server gives up on the client and stops
        # reading it, so our sends stall.
        burst = masked_text_frame("ping") * 10_000
        raw.settimeout(2)
        sent = 0
        try:
            while sent < 30_000_000:
                raw.sendall(burst)
                sent += len(burst)
        except (socket.timeout, ConnectionResetError, BrokenPipeError):
            pass
        grown = rss_bytes(auth.process.pid) - before
        assert sent < 30_000_000, "the server kept reading a client that never reads"
        assert grown < 48 * 1024 * 1024, f"the server grew {grown} bytes for one client"
    finally:
        raw.close()
    # The server is fine for everyone else.
    assert auth.browser("user").get(auth.base + "/backoffice/").status_code == 200


def test_a_client_that_does_not_read_is_closed_with_1008(auth):
    closed_before = auth.output().count("the client does not read")
    raw = open_control_socket(auth)
    try:
        # Pings until the server has more pongs waiting for us than it keeps for one client
        # (about 1 MiB of messages, after what the kernel buffers): it says so in its log.
        burst = masked_text_frame("ping") * 20_000
        raw.settimeout(5)
        for _ in range(150):
            raw.sendall(burst)
            if auth.output().count("the client does not read") > closed_before:
                break
        assert auth.output().count("the client does not read") > closed_before
        # Reading now brings the pongs the server kept, then its close frame.
        received = b""
        try:
            while b"\x03\xf0not reading" not in received:
                chunk = raw.recv(1 << 16)
                if not chunk:
                    break
                received += chunk
        except (socket.timeout, ConnectionResetError):
            pass
        assert b"\x88\x0d\x03\xf0not reading" in received, (received.count(b"\x81\x04pong"), received[-64:])
    finally:
        raw.close()


def access_lines(auth):
    path = os.path.join(auth.state, "auth", "access.log")
    if not os.path.exists(path):
        return []
    with open(path) as handle:
        return [json.loads(line) for line in handle if line.strip()]


def test_the_access_log_records_real_systems_only(auth):
    browser = auth.browser("support")
    before = len(access_lines(auth))
    for index in range(300):
        browser.get(auth.base + f"/api/engine/v2/systems/sys-made-up-{index}/Lighting", headers={"Accept": "application/json"})
    assert len(access_lines(auth)) == before
    assert browser.get(auth.base + "/backoffice/systems/sys-l2-ferry/").status_code == 200
    lines = access_lines(auth)
    assert lines[-1]["system_id"] == "sys-l2-ferry" and lines[-1]["action"] == "view"


def test_rest_control_is_in_the_access_history(auth):
    browser = auth.browser("support")
    answer = browser.post(auth.base + "/api/engine/v2/systems/sys-l2-buoy/start", headers={"Accept": "application/json"})
    assert answer.status_code < 500, answer.text
    controls = [line for line in access_lines(auth) if line["action"] == "control"]
    assert controls and controls[-1]["system_id"] == "sys-l2-buoy"
    user_id = controls[-1]["user_id"]
    # The user's page shows it, newest first.
    page = auth.browser("admin").get(auth.base + f"/backoffice/users/{user_id}/").text
    assert 'data-access="sys-l2-buoy"' in page and "control" in page


def test_request_and_body_limits_answer_at_once(auth):
    with socket.create_connection(("127.0.0.1", auth.port), timeout=10) as raw:
        raw.sendall(b"POST /auth/signin HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n")
        answer = raw.recv(4096)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:80]
    with socket.create_connection(("127.0.0.1", auth.port), timeout=10) as raw:
        raw.sendall(b"GET /" + b"a" * 20_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        answer = raw.recv(4096)
    assert answer.startswith(b"HTTP/1.1 414") or answer.startswith(b"HTTP/1.1 431") or answer.startswith(b"HTTP/1.1 400"), answer[:80]
