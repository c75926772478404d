"""DriverKit's TLS transport: the PJLink driver with `tls: true` against a TLS device (Python ssl)."""
import os
import socket
import ssl
import subprocess
import tempfile
import threading

import pytest

from conftest import BACKOFFICE, free_port
from test_drivers_modbus import Driver


@pytest.fixture(scope="module")
def tls_projector():
    """A PJLink device without a password behind TLS, with a self-signed certificate."""
    directory = tempfile.mkdtemp()
    cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
                    "-keyout", key, "-out", cert, "-days", "1"], check=True, capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    port = free_port()
    listener = socket.create_server(("127.0.0.1", port))
    stop = threading.Event()

    def serve(raw):
        try:
            with context.wrap_socket(raw, server_side=True) as conn:
                conn.sendall(b"PJLINK 0\r")
                buffer = b""
                while not stop.is_set():
                    data = conn.recv(1024)
                    if not data:
                        return
                    buffer += data
                    while b"\r" in buffer:
                        line, buffer = buffer.split(b"\r", 1)
                        if line == b"%1NAME ?":
                            conn.sendall(b"%1NAME=TLS Projector\r")
                        elif line == b"%1POWR ?":
                            conn.sendall(b"%1POWR=0\r")
                        else:
                            conn.sendall(line[:6] + b"=ERR1\r")
        except (ssl.SSLError, OSError):
            pass

    def accept():
        while not stop.is_set():
            try:
                raw, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=serve, args=(raw,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    yield port
    stop.set()
    listener.close()


def start_module(port, settings):
    driver = Driver(os.path.join(os.path.dirname(BACKOFFICE), "driver-pjlink"))
    assert driver.next(lambda m: True)["type"] == "ready"
    result = driver.request({"type": "start", "module": "p", "config": {
        "module": "p", "ip": "127.0.0.1", "port": port, "tls": True, "settings": settings}})
    assert result["ok"] is True
    return driver


def test_tls_device_answers_through_the_driver(tls_projector):
    driver = start_module(tls_projector, {"poll_every_seconds": 60})
    try:
        assert driver.wait_status("connected", True)
        result = driver.request({"type": "exec", "module": "p", "method": "name", "args": []})
        assert result == {"type": "result", "seq": result["seq"], "ok": True, "value": "TLS Projector"}
    finally:
        driver.stop()


def test_untrusted_certificate_is_refused_when_verifying(tls_projector):
    driver = start_module(tls_projector, {"tls_verify": True})
    try:
        log = driver.next(lambda m: m.get("type") == "log" and "certificate" in m["message"])
        assert log is not None and "certificate not trusted" in log["message"]
        assert driver.status.get("connected") is False
    finally:
        driver.stop()
