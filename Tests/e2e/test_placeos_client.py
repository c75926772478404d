"""A PlaceOS browser client starting up against the real binary, as PlaceOS's `ts-client` does:
the authority (with `version` and the public `config`), a token for an application named by
the MD5 of its redirect URI, the current user with the token in the query string, the systems
index with its paging headers, and the control WebSocket bound with the `bearer_token` cookie
and the page's Origin. A state-changing request from another origin, authenticated by that
cookie (or an `api-key` cookie), is refused and writes nothing."""
import hashlib
import json
import os
import subprocess

import pytest
import requests
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from auth_server import PASSWORD, USERS, AuthServer

ENGINE = "/api/engine/v2"
REDIRECT = "http://127.0.0.1/cb"  # app-pkce's, which has no `uid`


@pytest.fixture(scope="module")
def auth():
    server = AuthServer()
    try:
        yield server
    finally:
        server.stop()


def head(auth):
    return subprocess.run(["git", "-C", os.path.join(auth.state, "config"), "rev-parse", "HEAD"],
                          capture_output=True, text=True, check=True, timeout=60).stdout.strip()


def start_up(auth, role="admin"):
    """authority → token, as ts-client's setup does; answers (authority, access token)."""
    authority = requests.get(auth.base + "/auth/authority", timeout=30)
    assert authority.status_code == 200, authority.text
    client_id = hashlib.md5(REDIRECT.encode()).hexdigest()
    token = requests.post(auth.base + "/auth/oauth/token", timeout=30, data={
        "grant_type": "password", "client_id": client_id, "username": USERS[role], "password": PASSWORD})
    assert token.status_code == 200, token.text
    return authority.json(), token.json()["access_token"]


def test_a_ts_client_starts_up_and_binds_with_its_cookie(auth):
    authority, token = start_up(auth)
    assert authority["id"] == "authority-harbourpoint" and authority["version"] and authority["login_url"]
    assert isinstance(authority["config"], dict)
    me = requests.get(auth.base + ENGINE + "/users/current", params={"bearer_token": token}, timeout=30)
    assert me.status_code == 200 and me.json()["email"] == USERS["admin"]
    systems = requests.get(auth.base + ENGINE + "/systems", params={"limit": 2}, timeout=30,
                           headers={"Authorization": "Bearer " + token})
    assert systems.status_code == 200 and len(systems.json()) == 2
    assert int(systems.headers["X-Total-Count"]) >= 15 and 'rel="next"' in systems.headers["Link"]
    origin = "http://127.0.0.1:%d" % auth.port
    with connect("ws://127.0.0.1:%d%s/systems/control" % (auth.port, ENGINE), origin=origin,
                 additional_headers={"Cookie": "bearer_token=" + token}) as socket:
        socket.send(json.dumps({"id": 1, "cmd": "bind", "sys": "sys-l1-huddle", "mod": "HVAC", "index": 1, "name": "setpoint"}))
        answer = json.loads(socket.recv(30))
        while answer.get("id") != 1:
            answer = json.loads(socket.recv(30))
        assert answer["type"] == "success", answer
    # The same cookie from another origin opens nothing.
    with pytest.raises(InvalidStatus) as refused:
        connect("ws://127.0.0.1:%d%s/systems/control" % (auth.port, ENGINE), origin="http://evil.example",
                additional_headers={"Cookie": "bearer_token=" + token})
    assert refused.value.response.status_code == 403


def test_a_cookie_credential_changes_nothing_from_another_origin(auth):
    _, token = start_up(auth)
    bearer = {"Authorization": "Bearer " + token}
    me = requests.get(auth.base + ENGINE + "/users/current", headers=bearer, timeout=30).json()["id"]
    key = requests.post(auth.base + ENGINE + "/api_keys", json={"name": "cookie", "user_id": me, "scopes": ["public"]},
                        headers=bearer, timeout=30)
    assert key.status_code == 201, key.text
    url = auth.base + ENGINE + "/systems/sys-l1-huddle"
    before = head(auth)
    for cookie in ["bearer_token=" + token, "api-key=" + key.json()["x_api_key"]]:
        forged = requests.patch(url, json={"description": "forged"}, timeout=30,
                                headers={"Cookie": cookie, "Origin": "http://evil.example"})
        assert forged.status_code == 403, (cookie[:12], forged.text)
    assert head(auth) == before
    # Reads need no origin; the narrow key's cookie reads systems.
    read = requests.get(url, headers={"Cookie": "api-key=" + auth.narrow_key}, timeout=30)
    assert read.status_code == 200 and read.json()["id"] == "sys-l1-huddle"
    # From the server's own origin the token's cookie writes, as the caller.
    own = requests.patch(url, json={"description": "from the app"}, timeout=30,
                         headers={"Cookie": "bearer_token=" + token, "Origin": "http://127.0.0.1:%d" % auth.port})
    assert own.status_code == 200 and own.json()["description"] == "from the app"
    assert head(auth) != before


def test_a_wrong_md5_client_id_is_an_unknown_client(auth):
    token = requests.post(auth.base + "/auth/oauth/token", timeout=30, data={
        "grant_type": "password", "client_id": hashlib.md5(b"http://127.0.0.1/other").hexdigest(),
        "username": USERS["admin"], "password": PASSWORD})
    assert token.status_code == 401 and token.json()["error"] == "invalid_client"
