"""A real git host for end-to-end tests: nginx + fcgiwrap + `git http-backend` serving bare
repositories over smart HTTP with basic auth, on a free loopback port.

    host = GitHost()                      # or the `git_host` fixture (conftest.py)
    url = host.create("drivers")          # an empty bare repository; its URL without credentials
    work = host.clone("drivers")          # a working copy whose pushes authenticate
    work.commit({"echo/Echo.swift": "…"}, "add echo"); work.push()
    host.stop()

Every repository needs the user name and password (`host.username`, `host.password`), for fetch
and push alike. Debian packages: nginx-light, fcgiwrap, git."""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.parse

from conftest import free_port

NGINX_CONFIG = """
daemon off;
master_process off;
worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/nginx-error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log {root}/nginx-access.log;
    client_body_temp_path {root}/tmp/body;
    fastcgi_temp_path {root}/tmp/fastcgi;
    proxy_temp_path {root}/tmp/proxy;
    uwsgi_temp_path {root}/tmp/uwsgi;
    scgi_temp_path {root}/tmp/scgi;
    client_max_body_size 0;
    server {{
        listen 127.0.0.1:{port};
        location / {{
            auth_basic "git";
            auth_basic_user_file {root}/htpasswd;
            fastcgi_pass unix:{root}/fcgiwrap.sock;
            include /etc/nginx/fastcgi_params;
            fastcgi_param SCRIPT_FILENAME /usr/lib/git-core/git-http-backend;
            fastcgi_param GIT_PROJECT_ROOT {root}/repos;
            fastcgi_param GIT_HTTP_EXPORT_ALL "";
            fastcgi_param PATH_INFO $uri;
            fastcgi_param REMOTE_USER $remote_user;
        }}
    }}
}}
"""


def _wait_for_port(port, process, what, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("%s exited with %s" % (what, process.returncode))
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("%s did not listen on %d" % (what, port))


class GitHost:
    def __init__(self, username="builder", password="s3cret-pass"):
        self.username, self.password = username, password
        self.root = tempfile.mkdtemp(prefix="bo-githost-")
        os.makedirs(os.path.join(self.root, "repos"))
        os.makedirs(os.path.join(self.root, "tmp"))
        with open(os.path.join(self.root, "htpasswd"), "w") as handle:
            handle.write("%s:{PLAIN}%s\n" % (username, password))
        self.port = free_port()
        self.base = "http://127.0.0.1:%d" % self.port
        self.processes = []
        try:
            socket_path = os.path.join(self.root, "fcgiwrap.sock")
            self.fcgiwrap = self._start(["fcgiwrap", "-c", "2", "-s", "unix:" + socket_path], "fcgiwrap.log")
            deadline = time.monotonic() + 10
            while not os.path.exists(socket_path):
                if self.fcgiwrap.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("fcgiwrap did not start: " + self._log("fcgiwrap.log"))
                time.sleep(0.02)
            config = os.path.join(self.root, "nginx.conf")
            with open(config, "w") as handle:
                handle.write(NGINX_CONFIG.format(root=self.root, port=self.port))
            self.nginx = self._start(["nginx", "-c", config, "-p", self.root, "-e", os.path.join(self.root, "nginx-error.log")],
                                     "nginx.log")
            _wait_for_port(self.port, self.nginx, "nginx")
        except BaseException:
            self.stop()
            raise

    def _start(self, command, log):
        process = subprocess.Popen(command, stdout=open(os.path.join(self.root, log), "w"), stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
        self.processes.append(process)
        return process

    def _log(self, name):
        try:
            with open(os.path.join(self.root, name)) as handle:
                return handle.read()
        except OSError:
            return ""

    def path(self, name):
        """The bare repository's directory on disk."""
        return os.path.join(self.root, "repos", name + ".git")

    def url(self, name, username=None, password=None):
        """The repository's URL; with `username`/`password`, carrying them (for the git CLI)."""
        if username is None:
            return "%s/%s.git" % (self.base, name)
        credentials = "%s:%s@" % (urllib.parse.quote(username, safe=""), urllib.parse.quote(password or "", safe=""))
        return "http://%s127.0.0.1:%d/%s.git" % (credentials, self.port, name)

    def create(self, name, branch="main"):
        """An empty bare repository whose HEAD is `branch`; returns its URL (no credentials)."""
        path = self.path(name)
        subprocess.run(["git", "init", "-q", "--bare", "-b", branch, path], check=True)
        subprocess.run(["git", "-C", path, "config", "http.receivepack", "true"], check=True)
        return self.url(name)

    def clone(self, name, branch="main"):
        """A working copy of the repository (in this host's temp dir) that pushes with the credentials;
        the same one on every call for a repository."""
        return WorkingCopy(self.url(name, self.username, self.password), os.path.join(self.root, "work", name), branch)

    def stop(self):
        for process in reversed(self.processes):
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
        self.processes = []
        shutil.rmtree(self.root, ignore_errors=True)


class WorkingCopy:
    """A clone of a hosted repository, for committing and pushing as a developer would."""

    def __init__(self, url, path, branch):
        self.path, self.branch = path, branch
        if os.path.isdir(os.path.join(path, ".git")):
            return  # the same working copy as an earlier clone() of this repository
        os.makedirs(path, exist_ok=True)
        self.git("init", "-q", "-b", branch)
        self.git("remote", "add", "origin", url)

    def git(self, *args):
        return subprocess.run(["git", "-C", self.path, "-c", "user.name=Dev", "-c", "user.email=dev@example.com", *args],
                              check=True, capture_output=True, text=True).stdout.strip()

    def write(self, files, executable=()):
        for relative, content in files.items():
            full = os.path.join(self.path, relative)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "w") as handle:
                handle.write(content)
            if relative in executable:
                os.chmod(full, 0o755)

    def commit(self, files, message, executable=(), remove=()):
        """Writes `files` (path → text), removes `remove`, commits; returns the commit id."""
        self.write(files, executable)
        for relative in remove:
            self.git("rm", "-q", relative)
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)
        return self.git("rev-parse", "HEAD")

    def push(self, branch=None):
        self.git("push", "-q", "origin", "HEAD:refs/heads/%s" % (branch or self.branch))
