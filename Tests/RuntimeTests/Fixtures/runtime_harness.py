"""Helpers for the runtime's end-to-end tests: a running `backoffice serve`, a building of
Python-driver modules committed into its configuration, a TCP device double, a control client."""
import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request

FIXTURES = os.path.dirname(os.path.abspath(__file__))


def wait_for(condition, timeout=15.0, what="condition"):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            last = condition()
            if last:
                return last
        except Exception as error:  # noqa: BLE001 - keep polling through transient errors
            last = error
        time.sleep(0.05)
    raise AssertionError("timed out waiting for %s (last: %r)" % (what, last))


class Server:
    """`backoffice serve` on a free port with a temporary state directory."""

    def __init__(self, binary, port, env=None, args=(), state=None):
        """`state`: the state directory of an earlier server (stopped with `keep_state`) to start on."""
        self.state = state or tempfile.mkdtemp(prefix="backoffice-runtime-")
        self.port = port
        self.url = "http://127.0.0.1:%d" % port
        full_env = dict(os.environ, **(env or {}))
        self.log_path = os.path.join(self.state, "serve.log")
        self.log = open(self.log_path, "w")
        # --auth off: these tests are about the runtime; test_auth_runtime.py covers its access rules.
        self.process = subprocess.Popen([binary, "serve", "--state", self.state, "--port", str(port), "--auth", "off", *args],
                                        stdout=self.log, stderr=subprocess.STDOUT, env=full_env)
        wait_for(lambda: "is serving" in open(self.log_path).read(), 30, "the server to start")

    @property
    def config(self):
        return os.path.join(self.state, "config")

    def stop(self, keep_state=False):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        if not keep_state:
            shutil.rmtree(self.state, ignore_errors=True)

    def last_commit_subject(self):
        return subprocess.run(["git", "-C", self.config, "log", "-1", "--format=%s", "main"], check=True,
                              capture_output=True, text=True).stdout.strip()

    def output(self):
        return open(self.log_path).read()

    # REST
    def request(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, body=None):
        return self.request("POST", path, body)

    def module_state(self, module):
        return self.post("/api/engine/v2/modules/%s/ping" % module)[1].get("state")

    # Configuration
    def commit(self, files, message="test change", delete=()):
        """Writes JSON files into <state>/config and commits them with git, once the working
        tree has caught up with the server's own commits (it follows them in the background;
        `git add -A` on a tree behind the branch would undo them)."""
        wait_for(lambda: self.working_tree_clean(), 30, "the working tree to catch up with the branch")
        for path, members in files.items():
            full = os.path.join(self.config, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "w") as handle:
                json.dump(members, handle, indent=2, sort_keys=True)
                handle.write("\n")
        for path in delete:
            os.remove(os.path.join(self.config, path))
        git = ["git", "-C", self.config, "-c", "user.name=Test", "-c", "user.email=test@example.com"]
        subprocess.run(git + ["add", "-A"], check=True)
        subprocess.run(git + ["commit", "-q", "-m", message], check=True)

    def working_tree_clean(self):
        return subprocess.run(["git", "-C", self.config, "status", "--porcelain"], check=True,
                              capture_output=True, text=True).stdout == ""

    def read(self, path):
        with open(os.path.join(self.config, path)) as handle:
            return json.load(handle)


PY_SYSTEM = "sys-py-lab"


def python_building(modules):
    """Files for a `file://` driver repository holding the Python driver, and one system of
    `modules` (id → extra module fields) on it, named Tester_1, Tester_2… in order."""
    files = {
        "repositories/repo-pytest.json": {"name": "Python test drivers", "repo_type": "driver", "folder_name": "pytest",
                                           "uri": "file://" + FIXTURES},
        "drivers/driver-python-test.json": {"name": "Python Test Driver", "repository_id": "repo-pytest",
                                             "file_name": "python_driver.py", "role": 1, "module_name": "Tester",
                                             "default_port": 9},
        "systems/%s.json" % PY_SYSTEM: {"name": "Python Lab", "modules": list(modules)},
    }
    for module, extra in modules.items():
        files["modules/%s.json" % module] = dict({"driver_id": "driver-python-test", "ip": "127.0.0.1"}, **extra)
    return files


class Simulator:
    """`backoffice simulate KIND` with its control port (connection counters, faults)."""

    def __init__(self, binary, kind, port, control_port):
        self.port, self.control_port = port, control_port
        self.process = subprocess.Popen([binary, "simulate", kind, "--port", str(port), "--control-port", str(control_port)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: self.stats() is not None, 15, "the %s simulator" % kind)

    def _control(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request("http://127.0.0.1:%d%s" % (self.control_port, path), data=data, method=method)
        with urllib.request.urlopen(request, timeout=5) as response:
            return json.loads(response.read())

    def stats(self):
        try:
            return self._control("GET", "/stats")
        except OSError:
            return None

    def accepted(self):
        return self.stats()["connections_accepted"]

    def faults(self, **faults):
        return self._control("POST", "/faults", faults)

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Device:
    """A TCP device double: counts connections and can drop them all."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.connections = 0
        self.open = []
        self.lock = threading.Lock()
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.closed:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            with self.lock:
                self.connections += 1
                self.open.append(connection)

    def drop_all(self):
        with self.lock:
            for connection in self.open:
                try:
                    connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                connection.close()
            self.open = []

    def close(self):
        self.closed = True
        self.drop_all()
        self.listener.close()


class Control:
    """A client of /api/engine/v2/systems/control (websockets, synchronous API)."""

    def __init__(self, server):
        from websockets.sync.client import connect
        self.connection = connect("ws://127.0.0.1:%d/api/engine/v2/systems/control" % server.port, max_size=None)
        self.socket = self.connection.__enter__()
        self.next_id = 0
        self.backlog = []

    def close(self):
        self.connection.__exit__(None, None, None)

    def send(self, **request):
        self.next_id += 1
        request["id"] = self.next_id
        self.socket.send(json.dumps(request))
        return self.next_id

    def receive(self, timeout=15):
        if self.backlog:
            return self.backlog.pop(0)
        return json.loads(self.socket.recv(timeout))

    def wait(self, predicate, timeout=15):
        """The first message matching `predicate`; others are kept for later."""
        deadline = time.time() + timeout
        kept = []
        try:
            for message in list(self.backlog):
                if predicate(message):
                    self.backlog.remove(message)
                    return message
            while True:
                remaining = deadline - time.time()
                if remaining <= 0:
                    raise AssertionError("no matching message within %s s (saw %r)" % (timeout, kept[-5:]))
                message = json.loads(self.socket.recv(remaining))
                if predicate(message):
                    return message
                kept.append(message)
        finally:
            self.backlog.extend(kept)

    def call(self, timeout=15, **request):
        """Sends a request and returns its answer (success or error with that id)."""
        ident = self.send(**request)
        return self.wait(lambda m: m.get("id") == ident and m.get("type") in ("success", "error"), timeout)
