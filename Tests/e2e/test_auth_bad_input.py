"""The bad-input list of issue 6 over HTTP: each refused with the right status, a message that
leaks nothing, and a line in the server log."""
import asyncio
import base64
import json
import re
import time
import urllib.parse

import pytest
import requests
import websockets
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from auth_server import PASSWORD, USERS, auth  # noqa: F401 (the module's server fixture)

LEAKS = ("signature", "audience", "\"alg", "hmac", "scrypt", "key-", "token family", "client secret", "sign-out")


def b64(data):
    return base64.urlsafe_b64encode(data if isinstance(data, bytes) else json.dumps(data).encode()).rstrip(b"=").decode()


def sign(header, claims, key):
    signing_input = b64(header) + "." + b64(claims)
    signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return signing_input + "." + b64(signature)


def claims(**overrides):
    now = int(time.time())
    base = {"iss": "POS", "iat": now, "exp": now + 600, "jti": generate_token(8), "aud": "localhost",
            "sub": "", "scope": ["public"], "u": {"n": "x", "e": "x", "p": 3, "r": []}}
    base.update(overrides)
    return base


def admin_id(auth):
    token = requests.post(auth.base + "/auth/oauth/token", data={"grant_type": "password", "client_id": "app-pkce",
                                                                 "username": USERS["admin"], "password": PASSWORD}).json()
    payload = token["access_token"].split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["sub"]


def refused_quietly(auth, response, status, before):
    assert response.status_code == status, response.text
    # A form's random token can spell a word of LEAKS (`value="alg7…`): it is no leak.
    lowered = re.sub(r'name="csrf" value="[^"]*"', "", response.text).lower()
    for word in LEAKS:
        assert word not in lowered, f"response leaks {word!r}: {response.text}"
    assert auth.refusals() > before, "refusal was not logged"


def bearer(auth, token):
    return requests.get(auth.base + "/api/_test/whoami", headers={"Authorization": "Bearer " + token})


def test_forged_none_expired_wrong_audience_and_wrong_key_tokens(auth):
    key = serialization.load_pem_private_key(auth.signing_key_pem(), password=None)
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    kid = requests.get(auth.base + "/.well-known/jwks.json").json()["keys"][0]["kid"]
    sub = admin_id(auth)
    header = {"alg": "RS256", "typ": "JWT", "kid": kid}
    good = sign(header, claims(sub=sub), key)
    assert bearer(auth, good).status_code == 200   # the crafted token is right, so the refusals below are for their flaw
    cases = {
        "forged": good.split(".")[0] + "." + b64(claims(sub=sub, u={"n": "x", "e": "x", "p": 3, "r": ["root"]})) + "." + good.split(".")[2],
        "alg none": b64({"alg": "none", "typ": "JWT"}) + "." + b64(claims(sub=sub)) + ".",
        "alg HS256": b64({"alg": "HS256", "typ": "JWT"}) + "." + b64(claims(sub=sub)) + "." + good.split(".")[2],
        "expired": sign(header, claims(sub=sub, iat=int(time.time()) - 9000, exp=int(time.time()) - 1800), key),
        "wrong audience": sign(header, claims(sub=sub, aud="evil.example"), key),
        "wrong key": sign({"alg": "RS256", "typ": "JWT"}, claims(sub=sub), other),
        "malformed": "not.a.jwt",
        "oversized": "a" * 9000,
    }
    for name, token in cases.items():
        before = auth.refusals()
        response = bearer(auth, token)
        refused_quietly(auth, response, 401, before)
        assert response.json()["error"] == "invalid or expired credentials", name
        assert "invalid_token" in response.headers["WWW-Authenticate"]


def test_wrong_password_and_unknown_user_look_the_same(auth):
    def attempt(email, password):
        session = requests.Session()
        csrf = re.search(r'name="csrf" value="([^"]+)"', session.get(auth.base + "/auth/signin").text).group(1)
        return session.post(auth.base + "/auth/signin", data={"email": email, "password": password, "csrf": csrf}, allow_redirects=False)
    before = auth.refusals()
    wrong = attempt(USERS["user"], "not the password")
    refused_quietly(auth, wrong, 401, before)
    before = auth.refusals()
    unknown = attempt("ghost@harbourpoint.example", "not the password")
    refused_quietly(auth, unknown, 401, before)
    assert "Wrong email or password." in wrong.text and "Wrong email or password." in unknown.text
    assert "bo_session" not in wrong.headers.get("Set-Cookie", "")


def test_missing_csrf_token(auth):
    before = auth.refusals()
    response = requests.post(auth.base + "/auth/signin", data={"email": USERS["admin"], "password": PASSWORD}, allow_redirects=False)
    refused_quietly(auth, response, 403, before)
    assert "bo_session" not in response.headers.get("Set-Cookie", "")


def test_session_fixation_attempt(auth):
    planted = generate_token(43)[:43]
    session = requests.Session()
    session.cookies.set("bo_session", planted)
    csrf = re.search(r'name="csrf" value="([^"]+)"', session.get(auth.base + "/auth/signin").text).group(1)
    answer = session.post(auth.base + "/auth/signin", allow_redirects=False,
                          data={"email": USERS["user"], "password": PASSWORD, "csrf": csrf})
    assert answer.status_code == 303
    issued = answer.cookies.get("bo_session")
    assert issued and issued != planted
    before = auth.refusals()
    attacker = requests.get(auth.base + "/api/_test/whoami", cookies={"bo_session": planted})
    refused_quietly(auth, attacker, 401, before)
    assert requests.get(auth.base + "/api/_test/whoami", cookies={"bo_session": issued}).status_code == 200


def code_flow(auth, redirect_uri="http://127.0.0.1/cb"):
    browser = auth.browser("user")
    client = OAuth2Session(client_id="app-pkce", redirect_uri="http://127.0.0.1/cb", scope="public",
                           code_challenge_method="S256", token_endpoint_auth_method="none")
    verifier = generate_token(64)
    url, _ = client.create_authorization_url(auth.base + "/auth/oauth/authorize", code_verifier=verifier)
    if redirect_uri != "http://127.0.0.1/cb":
        url = url.replace(urllib.parse.quote("http://127.0.0.1/cb", safe=""), urllib.parse.quote(redirect_uri, safe=""))
    answer = browser.get(url, allow_redirects=False)
    return answer, verifier


def exchange(auth, code, verifier, redirect_uri="http://127.0.0.1/cb"):
    return requests.post(auth.base + "/auth/oauth/token", data={"grant_type": "authorization_code", "client_id": "app-pkce",
                                                                "code": code, "redirect_uri": redirect_uri, "code_verifier": verifier})


def code_of(answer):
    return urllib.parse.parse_qs(urllib.parse.urlparse(answer.headers["Location"]).query)["code"][0]


def test_reused_authorization_code(auth):
    answer, verifier = code_flow(auth)
    code = code_of(answer)
    first = exchange(auth, code, verifier)
    assert first.status_code == 200
    before = auth.refusals()
    second = exchange(auth, code, verifier)
    refused_quietly(auth, second, 400, before)
    assert second.json()["error"] == "invalid_grant"
    # The replay revoked the refresh token the first exchange gave.
    refresh = requests.post(auth.base + "/auth/oauth/token", data={"grant_type": "refresh_token", "client_id": "app-pkce",
                                                                   "refresh_token": first.json()["refresh_token"]})
    assert refresh.status_code == 400


def test_mismatched_redirect_uris(auth):
    before = auth.refusals()
    answer, _ = code_flow(auth, redirect_uri="http://evil.example/cb")
    refused_quietly(auth, answer, 400, before)
    assert "Location" not in answer.headers
    answer, verifier = code_flow(auth)
    before = auth.refusals()
    response = exchange(auth, code_of(answer), verifier, redirect_uri="http://127.0.0.1/other")
    refused_quietly(auth, response, 400, before)
    assert response.json()["error"] == "invalid_grant"


def test_pkce_verifier_mismatch(auth):
    answer, _ = code_flow(auth)
    before = auth.refusals()
    response = exchange(auth, code_of(answer), generate_token(64))
    refused_quietly(auth, response, 400, before)
    assert response.json()["error"] == "invalid_grant"


def test_revoked_refresh_token(auth):
    token = requests.post(auth.base + "/auth/oauth/token", data={"grant_type": "password", "client_id": "app-pkce",
                                                                 "username": USERS["user"], "password": PASSWORD}).json()
    assert requests.post(auth.base + "/auth/oauth/revoke", data={"client_id": "app-pkce", "token": token["refresh_token"]}).status_code == 200
    before = auth.refusals()
    response = requests.post(auth.base + "/auth/oauth/token", data={"grant_type": "refresh_token", "client_id": "app-pkce",
                                                                    "refresh_token": token["refresh_token"]})
    refused_quietly(auth, response, 400, before)


def test_oversized_and_malformed_api_keys(auth):
    for key in ["x" * 4000, "garbage", auth.narrow_key[:-2] + "zz", "key-nothere.secret"]:
        before = auth.refusals()
        refused_quietly(auth, requests.get(auth.base + "/api/_test/systems/sys-1", headers={"X-API-Key": key}), 401, before)


def test_api_key_scope_and_roles_on_api_routes(auth):
    key = {"X-API-Key": auth.narrow_key}
    assert requests.get(auth.base + "/api/_test/systems/sys-1", headers=key).status_code == 200
    assert requests.post(auth.base + "/api/_test/systems/sys-1", headers=key).status_code == 403   # needs systems.write
    assert requests.get(auth.base + "/api/_test/whoami", headers=key).status_code == 403          # needs users.read
    assert requests.get(auth.base + f"/api/_test/systems/sys-1?api-key={urllib.parse.quote(auth.narrow_key)}").status_code == 200
    support, admin = auth.browser("support"), auth.browser("admin")
    assert support.post(auth.base + "/api/_test/systems/sys-1").status_code == 200
    assert support.post(auth.base + "/api/_test/drivers").status_code == 403   # support is refused a driver edit
    assert admin.post(auth.base + "/api/_test/drivers").status_code == 200
    anonymous = requests.get(auth.base + "/backoffice/", headers={"Accept": "text/html"}, allow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["Location"] == "/auth/signin?continue=%2Fbackoffice%2F"
    assert requests.get(auth.base + "/api/_test/whoami").status_code == 401


def test_websocket_credentials_by_query_parameter(auth):
    token = requests.post(auth.base + "/auth/oauth/token", data={"grant_type": "password", "client_id": "app-pkce",
                                                                 "username": USERS["user"], "password": PASSWORD}).json()["access_token"]

    async def talk(query):
        async with websockets.connect(f"ws://127.0.0.1:{auth.port}/api/_test/control{query}") as socket:
            return await socket.recv()

    assert asyncio.run(talk("?bearer_token=" + token)).startswith("hello user-")
    with pytest.raises(websockets.exceptions.InvalidStatus) as refused:
        asyncio.run(talk(""))
    assert refused.value.response.status_code == 401
    with pytest.raises(websockets.exceptions.InvalidStatus) as forged:
        asyncio.run(talk("?bearer_token=" + token[:-4] + "AAAA"))
    assert forged.value.response.status_code == 401
