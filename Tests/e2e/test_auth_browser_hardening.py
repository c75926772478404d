"""Sessions and browsers (issue 11, items 14–18) against the real binary: sign-out over POST
only (one session, or every session), cross-origin writes and WebSocket upgrades carrying the
session cookie, the security headers, the discovery issuer, and `backoffice user add` reaching
a running server."""
import base64
import os
import socket
import subprocess

import requests

from auth_server import PASSWORD, USERS, auth, run  # noqa: F401  (fixture)


def signed_in(auth, session):
    answer = session.get(auth.base + "/api/_test/whoami", headers={"Accept": "application/json"})
    return answer.status_code == 200 and answer.json().get("credential") == "session"


def test_sign_out_is_a_post_and_ends_this_session_or_all(auth):
    first, second = auth.browser("user"), auth.browser("user")
    # A link or an image on any page cannot sign anyone out.
    page = first.get(auth.base + "/auth/signout")
    assert page.status_code == 200 and 'method="post" action="/auth/signout"' in page.text
    assert signed_in(auth, first)
    assert first.post(auth.base + "/auth/signout", allow_redirects=False).status_code == 303
    assert not signed_in(auth, first) and signed_in(auth, second)
    third = auth.browser("user")
    assert third.post(auth.base + "/auth/signout", data={"everywhere": "on"}, allow_redirects=False).status_code == 303
    assert not signed_in(auth, second) and not signed_in(auth, third)


def test_cookie_writes_from_another_origin_are_refused(auth):
    browser = auth.browser("support")
    start = auth.base + "/api/engine/v2/systems/sys-l2-jetty/start"
    other_port = f"http://127.0.0.1:{auth.port + 1}"
    # The form another local service's page would post (a cross-port forgery).
    forged = browser.post(start, data={"x": "1"}, headers={"Origin": other_port})
    assert forged.status_code == 403
    assert browser.post(start, headers={"Referer": other_port + "/page"}).status_code == 403
    assert browser.post(auth.base + "/auth/signout", headers={"Origin": "http://evil.example"}).status_code == 403
    assert signed_in(auth, browser)
    own = browser.post(start, headers={"Origin": auth.base, "Accept": "application/json"})
    assert own.status_code != 403, own.text


def raw_upgrade(auth, headers):
    key = base64.b64encode(os.urandom(16)).decode()
    lines = [f"GET /api/engine/v2/systems/control HTTP/1.1", f"Host: 127.0.0.1:{auth.port}", "Upgrade: websocket",
             "Connection: Upgrade", f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13", *headers]
    with socket.create_connection(("127.0.0.1", auth.port), timeout=10) as raw:
        raw.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        return raw.recv(4096).split(b"\r\n")[0]


def test_cross_origin_websocket_upgrades_with_the_cookie_are_refused(auth):
    cookie = "bo_session=" + auth.browser("user").cookies.get("bo_session")
    assert b" 403 " in raw_upgrade(auth, [f"Cookie: {cookie}", f"Origin: http://127.0.0.1:{auth.port + 1}"])
    assert b" 101 " in raw_upgrade(auth, [f"Cookie: {cookie}", f"Origin: {auth.base}"])
    # A client that is no browser: an API key, no Origin.
    assert b" 101 " in raw_upgrade(auth, [f"X-API-Key: {auth.narrow_key}"])


def test_pages_carry_a_strict_policy(auth):
    answer = auth.browser("user").get(auth.base + "/backoffice/")
    policy = answer.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert answer.headers["X-Content-Type-Options"] == "nosniff" and answer.headers["Referrer-Policy"] == "same-origin"
    assert "<script>" not in answer.text and " onclick=" not in answer.text
    json_answer = requests.get(auth.base + "/healthz")
    assert json_answer.headers["X-Content-Type-Options"] == "nosniff"


def test_the_issuer_follows_the_configured_domain_not_the_host_header(auth):
    discovery = requests.get(auth.base + "/.well-known/openid-configuration", headers={"Host": f"evil.example:{auth.port}"}).json()
    assert discovery["issuer"] == f"http://localhost:{auth.port}"
    assert all("evil" not in str(value) for value in discovery.values())


def test_a_user_added_while_the_server_runs_can_sign_in_at_once(auth):
    email = "late@harbourpoint.example"
    added = run("user", "add", "--email", email, "--name", "Late", "--password-stdin", "--state", auth.state, stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    session = requests.Session()
    form = session.get(auth.base + "/auth/signin")
    csrf = form.text.split('name="csrf" value="')[1].split('"')[0]
    answer = session.post(auth.base + "/auth/signin", allow_redirects=False,
                          data={"email": email, "password": PASSWORD, "csrf": csrf, "continue": "/backoffice/"})
    assert answer.status_code == 303, answer.text
    # The passwords the server had are all still there.
    assert auth.browser("admin").get(auth.base + "/backoffice/").status_code == 200
