"""A `backoffice serve` prepared for the identity tests: a repository from the sample building
plus test OAuth apps and a second domain, users made with `backoffice user add`, an API key
made with `backoffice api-key create`."""
import json
import os
import re
import shutil
import subprocess
import tempfile

import pytest
import requests

from conftest import BACKOFFICE, SAMPLE_CONFIG, move_sample_ports
from http_server import ServeProcess

PASSWORD = "correct horse battery"
USERS = {"admin": "ada@harbourpoint.example", "support": "sam@harbourpoint.example", "user": "uma@harbourpoint.example"}


def run(*args, stdin=None):
    return subprocess.run([BACKOFFICE, *args], input=stdin, capture_output=True, text=True, timeout=120)


class AuthServer(ServeProcess):
    def __init__(self, extra_files=None, env=None):
        """`extra_files`: more configuration files, {relative path: JSON members}; a file that
        exists already gets the members merged in (top level). `env`: more environment
        variables for `serve`."""
        self.tmp = tempfile.TemporaryDirectory(prefix="bo-auth-")
        self.state = os.path.join(self.tmp.name, "state")
        source = os.path.join(self.tmp.name, "src")
        shutil.copytree(SAMPLE_CONFIG, source)
        move_sample_ports(source)
        apps = {
            "app-pkce": {"name": "PKCE SPA", "owner_id": "authority-harbourpoint", "redirect_uri": "http://127.0.0.1/cb",
                         "scopes": "public", "skip_authorization": True},
            "app-consent": {"name": "Asks First", "owner_id": "authority-harbourpoint", "redirect_uri": "http://127.0.0.1/consent-cb",
                            "scopes": "public"},
            "app-confidential": {"name": "Back End", "owner_id": "authority-harbourpoint", "redirect_uri": "http://127.0.0.1/svc",
                                 "scopes": "systems.read", "secret": "client-secret-value", "confidential": True},
            "app-nopw": {"name": "No Password Grant", "owner_id": "authority-nopw", "redirect_uri": "http://nopw.test/cb",
                         "scopes": "public"},
        }
        for name, members in apps.items():
            with open(os.path.join(source, "applications", name + ".json"), "w") as handle:
                json.dump(members, handle)
        with open(os.path.join(source, "domains", "authority-nopw.json"), "w") as handle:
            json.dump({"name": "No password grant", "domain": "nopw.test", "config": {"password_grant": False}}, handle)
        for relative, members in (extra_files or {}).items():
            path = os.path.join(source, relative)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            if os.path.exists(path):
                with open(path) as handle:
                    members = {**json.load(handle), **members}
            with open(path, "w") as handle:
                json.dump(members, handle)
        created = run("init", os.path.join(self.state, "config"), "--from", source, "--state", self.state)
        assert created.returncode == 0, created.stderr
        for role, email in USERS.items():
            flags = ["--admin"] if role == "admin" else ["--support"] if role == "support" else []
            added = run("user", "add", "--email", email, "--name", role.title(), *flags, "--password-stdin",
                        "--state", self.state, stdin=PASSWORD + "\n")
            assert added.returncode == 0, added.stderr
        key = run("api-key", "create", "--user", USERS["admin"], "--name", "narrow", "--scope", "systems.read", "--state", self.state)
        assert key.returncode == 0, key.stderr
        self.narrow_key = key.stdout.strip()
        self.launch(["--state", self.state, "--test-routes", "--log-level", "info"], os.path.join(self.tmp.name, "serve.log"), env=env)

    def refusals(self):
        return self.output().count("auth: refused")

    def signing_key_pem(self):
        with open(os.path.join(self.state, "auth", "signing-key.pem"), "rb") as handle:
            return handle.read()

    def browser(self, role="admin", password=PASSWORD):
        """A requests.Session signed in through the form."""
        session = requests.Session()
        form = session.get(self.base + "/auth/signin")
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
        answer = session.post(self.base + "/auth/signin", allow_redirects=False,
                              data={"email": USERS[role], "password": password, "csrf": csrf, "continue": "/backoffice/"})
        assert answer.status_code == 303, answer.text
        return session


@pytest.fixture(scope="module")
def auth():
    """One prepared server per test module."""
    server = AuthServer()
    yield server
    server.stop()
