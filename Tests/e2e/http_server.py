"""Helpers for the web-server end-to-end tests: start `backoffice serve`, talk raw HTTP over sockets."""
import json
import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request

import pytest

from conftest import BACKOFFICE, free_port
from runtime_harness import wait_for


class ServeProcess:
    """A running `backoffice serve` with its log in a temporary directory (`self.tmp`), which
    `stop` removes. Subclasses prepare the state and call `launch`."""

    def launch(self, args, log_path, timeout=30, preexec_fn=None, env=None):
        """Starts `backoffice serve ARGS --port P` and waits until `/healthz` answers (`env`:
        variables added to the server's environment)."""
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(log_path, "w+")
        self.process = subprocess.Popen([BACKOFFICE, "serve", "--port", str(self.port), *args],
                                        stdout=self.log, stderr=subprocess.STDOUT, preexec_fn=preexec_fn,
                                        env={**os.environ, **env} if env else None)
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=1):
                    return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    output = self.output()
                    self.stop()
                    raise RuntimeError("server did not start:\n" + output)
                time.sleep(0.05)

    def output(self):
        self.log.flush()
        with open(self.log.name) as handle:
            return handle.read()

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        self.tmp.cleanup()


class Server(ServeProcess):
    """`backoffice serve --auth off --test-routes` on a free loopback port with its own state directory."""

    def __init__(self, extra_args=(), preexec_fn=None):
        self.tmp = tempfile.TemporaryDirectory(prefix="bo-http-")
        self.state = self.tmp.name
        self.site = os.path.join(self.state, "site")
        level = [] if "--log-level" in extra_args else ["--log-level", "warning"]
        self.launch(["--state", self.state, *level, "--test-routes", "--auth", "off", *extra_args],
                    os.path.join(self.state, "serve.log"), timeout=20, preexec_fn=preexec_fn)

    def git(self, *args):
        """Runs git in the server's configuration repository; its standard output."""
        return subprocess.run(["git", "-C", os.path.join(self.state, "config"), *args], check=True,
                              capture_output=True, text=True).stdout

    def write_site_file(self, relative, content):
        path = os.path.join(self.site, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        mode = "wb" if isinstance(content, bytes) else "w"
        with open(path, mode) as handle:
            handle.write(content)
        return path

    def open_fds(self):
        return len(os.listdir(f"/proc/{self.process.pid}/fd"))

    def settled_fds(self):
        """The descriptor count once no module is starting any more (a module starting later
        opens its driver's pipes): the baseline of a leak check. Start such a server with
        `--no-simulators`, so no device connections come and go inside it."""
        folder = os.path.join(self.state, "config", "modules")
        modules = [name[:-5] for name in os.listdir(folder) if name.endswith(".json")]

        def state(module):
            request = urllib.request.Request(f"{self.base}/api/engine/v2/modules/{module}/ping", data=b"", method="POST")
            with urllib.request.urlopen(request, timeout=10) as response:
                return json.loads(response.read())["state"]
        wait_for(lambda: all(state(module) != "starting" for module in modules), 60, "every module started")
        return self.open_fds()

    def fds_back_to(self, baseline):
        """The descriptor count once it is back at `baseline` or below (closed connections and
        the server's short-lived files, such as its status snapshot, come and go); the count
        at the deadline if it never gets there."""
        counts = []

        def back():
            counts.append(self.open_fds())
            return counts[-1] <= baseline
        try:
            wait_for(back, 30, "the descriptors back to %d" % baseline)
        except AssertionError:
            pass
        return counts[-1]

@pytest.fixture(scope="module")
def server():
    running = Server()
    yield running
    running.stop()


def connect(port, timeout=5.0):
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


class Conn:
    """A raw HTTP connection that keeps unread bytes between responses."""

    def __init__(self, port, timeout=5.0):
        self.sock = connect(port, timeout)
        self.buffer = b""

    def send(self, data):
        if isinstance(data, str):
            data = data.encode("latin-1")
        self.sock.sendall(data)

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError
        self.buffer += chunk

    def response(self, head_request=False):
        """(status, headers, body) of the next response; None if the server closed first."""
        try:
            while b"\r\n\r\n" not in self.buffer:
                self._fill()
        except EOFError:
            return None
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ")[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if head_request or status < 200 or status in (204, 304):
            return status, headers, b""
        length = int(headers.get("content-length", "0"))
        while len(self.buffer) < length:
            self._fill()
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return status, headers, body

    def wait_until_read(self):
        """Returns once the server has read everything sent so far: its end of the connection
        has an empty receive queue (/proc/net/tcp, both ends being on this machine)."""
        client, server = self.sock.getsockname()[1], self.sock.getpeername()[1]

        def received_queue():
            with open("/proc/net/tcp") as handle:
                for line in handle.readlines()[1:]:
                    fields = line.split()
                    local, remote = int(fields[1].split(":")[1], 16), int(fields[2].split(":")[1], 16)
                    if (local, remote) == (server, client):
                        return int(fields[4].split(":")[1], 16)
            return None
        wait_for(lambda: received_queue() == 0, 10, "the server to read what was sent")

    def is_closed(self):
        """True when the server has closed the connection (EOF or reset) with nothing more to read."""
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return True
                self.buffer += chunk
        except ConnectionResetError:
            return True
        except socket.timeout:
            return False

    def close(self):
        self.sock.close()


def exchange(port, raw):
    """Sends raw bytes and reads one response: (status, headers, body)."""
    conn = Conn(port)
    try:
        conn.send(raw)
        response = conn.response()
        assert response is not None, "server closed without answering"
        return response
    finally:
        conn.close()


def expect_refused(port, raw, status):
    """Sends raw bytes; asserts the answer has `status`, says `Connection: close`, and the socket closes."""
    conn = Conn(port)
    try:
        conn.send(raw)
        response = conn.response()
        assert response is not None, "server closed without answering"
        assert response[0] == status, response
        assert response[1].get("connection") == "close", response[1]
        assert conn.is_closed(), "connection left open after a refused request"
        return response
    finally:
        conn.close()
