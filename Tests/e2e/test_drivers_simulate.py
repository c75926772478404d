"""`backoffice simulate`: simulators speak their protocols and obey their control port."""
import hashlib
import socket
import subprocess
import time

import pytest
import requests

from conftest import BACKOFFICE, free_port


def start(kind, *extra):
    port, control = free_port(), free_port()
    proc = subprocess.Popen([BACKOFFICE, "simulate", kind, "--port", str(port), "--control-port", str(control), *extra],
                            stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 15
    while True:
        try:
            requests.get(f"http://127.0.0.1:{control}/stats", timeout=1)
            break
        except requests.ConnectionError:
            assert proc.poll() is None, proc.stderr.read()
            assert time.time() < deadline, "simulator did not start"
            time.sleep(0.05)
    return proc, port, f"http://127.0.0.1:{control}"


def stop(proc):
    proc.terminate()
    assert proc.wait(10) == 0


@pytest.fixture(scope="module")
def occupancy():
    proc, port, control = start("occupancy", "--cycle", "3600")
    yield f"http://127.0.0.1:{port}", control
    stop(proc)


@pytest.fixture(scope="module")
def pjlink():
    proc, port, control = start("pjlink", "--password", "harbourpoint")
    yield port, control
    stop(proc)


def test_occupancy_rooms_can_be_read_pinned_and_released(occupancy):
    base, control = occupancy
    reading = requests.get(f"{base}/rooms/sys-a").json()
    assert set(reading) == {"presence", "people_count"}
    assert requests.put(f"{base}/rooms/sys-a", json={"people_count": 4}).json() == {"presence": True, "people_count": 4}
    assert requests.get(f"{base}/rooms/sys-a").json() == {"presence": True, "people_count": 4}
    assert requests.post(f"{base}/rooms/sys-a", json={"presence": False}).json() == {"presence": False, "people_count": 0}
    assert requests.put(f"{base}/rooms/sys-a", json={"people_count": -1}).status_code == 400
    assert requests.get(f"{base}/nowhere").status_code == 404
    requests.delete(f"{base}/rooms/sys-a")
    stats = requests.get(f"{control}/stats").json()
    assert stats["requests"] >= 6 and stats["connections_accepted"] >= 1


def test_occupancy_faults(occupancy):
    base, control = occupancy
    assert requests.post(f"{control}/faults", json={"error": True}).json()["error"] is True
    assert requests.get(f"{base}/rooms/sys-b").status_code == 500
    assert requests.post(f"{control}/faults", json={"delay_ms": "soon"}).status_code == 400
    requests.post(f"{control}/faults", json={})
    assert requests.get(f"{base}/rooms/sys-b").status_code == 200


def test_pjlink_password_handshake_and_dropped_connections(pjlink):
    port, control = pjlink
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        greeting = s.recv(64).decode()
        assert greeting.startswith("PJLINK 1 ") and greeting.endswith("\r")
        digest = hashlib.md5((greeting.split()[2] + "harbourpoint").encode()).hexdigest()
        s.sendall((digest + "%1POWR ?\r").encode())
        assert s.recv(64) == b"%1POWR=0\r"
        s.sendall(b"%1LAMP ?\r")
        assert s.recv(64) == b"%1LAMP=1234 0\r"
        s.sendall(b"%1XXXX ?\r")
        assert s.recv(64) == b"%1XXXX=ERR1\r"
        assert requests.get(f"{control}/stats").json()["connections_open"] == 1
        requests.post(f"{control}/faults", json={"drop_connections": True})
        assert s.recv(64) == b""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.recv(64)
        s.sendall(b"0" * 32 + b"%1POWR ?\r")
        assert s.recv(64) == b"PJLINK ERRA\r"
        assert s.recv(64) == b""


def test_unknown_kind_is_a_usage_error():
    result = subprocess.run([BACKOFFICE, "simulate", "toaster", "--port", "1"], capture_output=True, text=True)
    assert result.returncode == 2
    assert "unknown simulator \"toaster\"" in result.stderr
