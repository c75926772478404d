"""Our OAuth2 provider against a real client (authlib): authorization code + PKCE, refresh with
rotation, the JWT verified with our JWKS; client credentials, the password grant, consent."""
import re

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.jwk import KeySet

from auth_server import USERS, PASSWORD, auth  # noqa: F401 (the module's server fixture)


def authorization_code(auth, browser, client_id="app-pkce", redirect_uri="http://127.0.0.1/cb"):
    client = OAuth2Session(client_id=client_id, redirect_uri=redirect_uri, scope="public",
                           code_challenge_method="S256", token_endpoint_auth_method="none")
    verifier = generate_token(64)
    url, state = client.create_authorization_url(auth.base + "/auth/oauth/authorize", code_verifier=verifier)
    answer = browser.get(url, allow_redirects=False)
    assert answer.status_code == 302, answer.text
    location = answer.headers["Location"]
    assert location.startswith(redirect_uri + "?")
    return client, verifier, location, state


def test_code_pkce_and_refresh_with_authlib_and_jwks(auth):
    browser = auth.browser("admin")
    client, verifier, location, state = authorization_code(auth, browser)
    assert f"state={state}" in location
    token = client.fetch_token(auth.base + "/auth/oauth/token", authorization_response=location, code_verifier=verifier)
    assert token["token_type"] == "Bearer" and token["expires_in"] == 7200 and token["refresh_token"]
    discovery = requests.get(auth.base + "/.well-known/openid-configuration").json()
    assert discovery["code_challenge_methods_supported"] == ["S256"]
    keys = KeySet.import_key_set(requests.get(discovery["jwks_uri"]).json())
    decoded = jwt.decode(token["access_token"], keys, algorithms=["RS256"])
    jwt.JWTClaimsRegistry(aud={"essential": True, "value": "localhost"}, exp={"essential": True}).validate(decoded.claims)
    claims = decoded.claims
    assert decoded.header["alg"] == "RS256" and decoded.header["kid"] == keys.keys[0].kid
    assert claims["iss"] == "POS" and claims["aud"] == "localhost" and claims["sub"].startswith("user-")
    assert claims["u"]["e"] == USERS["admin"] and claims["u"]["p"] == 3 and claims["scope"] == ["public"]
    assert claims["exp"] - claims["iat"] == 7200 and claims["jti"]
    whoami = requests.get(auth.base + "/api/_test/whoami", headers={"Authorization": "Bearer " + token["access_token"]})
    assert whoami.status_code == 200 and whoami.json()["role"] == "admin" and whoami.json()["credential"] == "bearer"

    refreshed = client.refresh_token(auth.base + "/auth/oauth/token", refresh_token=token["refresh_token"])
    assert refreshed["refresh_token"] != token["refresh_token"] and refreshed["access_token"] != token["access_token"]
    jwt.decode(refreshed["access_token"], keys, algorithms=["RS256"])
    # Reusing the rotated-out refresh token is refused and revokes the family, the new one included.
    reuse = requests.post(auth.base + "/auth/oauth/token", data={"grant_type": "refresh_token", "client_id": "app-pkce",
                                                                 "refresh_token": token["refresh_token"]})
    assert reuse.status_code == 400 and reuse.json()["error"] == "invalid_grant"
    after = requests.post(auth.base + "/auth/oauth/token", data={"grant_type": "refresh_token", "client_id": "app-pkce",
                                                                 "refresh_token": refreshed["refresh_token"]})
    assert after.status_code == 400 and after.json()["error"] == "invalid_grant"


def test_consent_page_unless_skip_authorization(auth):
    browser = auth.browser("user")
    client = OAuth2Session(client_id="app-consent", redirect_uri="http://127.0.0.1/consent-cb", scope="public",
                           code_challenge_method="S256", token_endpoint_auth_method="none")
    verifier = generate_token(64)
    url, _ = client.create_authorization_url(auth.base + "/auth/oauth/authorize", code_verifier=verifier)
    page = browser.get(url, allow_redirects=False)
    assert page.status_code == 200 and "Allow Asks First?" in page.text
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', page.text))
    no_csrf = {k: v for k, v in fields.items() if k != "csrf"}
    assert browser.post(auth.base + "/auth/oauth/authorize", data={**no_csrf, "decision": "allow"}, allow_redirects=False).status_code == 403
    denied = browser.post(auth.base + "/auth/oauth/authorize", data={**fields, "decision": "deny"}, allow_redirects=False)
    assert "error=access_denied" in denied.headers["Location"]
    allowed = browser.post(auth.base + "/auth/oauth/authorize", data={**fields, "decision": "allow"}, allow_redirects=False)
    assert allowed.status_code == 302 and "code=" in allowed.headers["Location"]
    token = client.fetch_token(auth.base + "/auth/oauth/token", authorization_response=allowed.headers["Location"], code_verifier=verifier)
    assert token["access_token"]


def test_client_credentials_needs_the_secret(auth):
    good = requests.post(auth.base + "/auth/oauth/token", auth=("app-confidential", "client-secret-value"),
                         data={"grant_type": "client_credentials"})
    assert good.status_code == 200 and good.json()["scope"] == "systems.read" and "refresh_token" not in good.json()
    bad = requests.post(auth.base + "/auth/oauth/token", auth=("app-confidential", "wrong"), data={"grant_type": "client_credentials"})
    assert bad.status_code == 401 and bad.json()["error"] == "invalid_client"
    public = requests.post(auth.base + "/auth/oauth/token", data={"grant_type": "client_credentials", "client_id": "app-pkce"})
    assert public.status_code == 400 and public.json()["error"] == "unauthorized_client"


def test_password_grant_and_its_domain_switch(auth):
    grant = {"grant_type": "password", "client_id": "app-pkce", "username": USERS["support"], "password": PASSWORD}
    good = requests.post(auth.base + "/auth/oauth/token", data=grant)
    assert good.status_code == 200
    token = good.json()["access_token"]
    me = requests.get(auth.base + "/api/_test/whoami", headers={"Authorization": "Bearer " + token}).json()
    assert me["role"] == "support"
    off = requests.post(auth.base + "/auth/oauth/token", headers={"Host": "nopw.test"},
                        data={**grant, "client_id": "app-nopw"})
    assert off.status_code == 400 and off.json()["error"] == "unsupported_grant_type"


def test_revocation_and_sign_out_invalidate_tokens(auth):
    grant = {"grant_type": "password", "client_id": "app-pkce", "username": USERS["user"], "password": PASSWORD}
    first = requests.post(auth.base + "/auth/oauth/token", data=grant).json()
    revoked = requests.post(auth.base + "/auth/oauth/revoke", data={"client_id": "app-pkce", "token": first["refresh_token"]})
    assert revoked.status_code == 200
    again = requests.post(auth.base + "/auth/oauth/token", data={"grant_type": "refresh_token", "client_id": "app-pkce",
                                                                 "refresh_token": first["refresh_token"]})
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    requests.post(auth.base + "/auth/oauth/revoke", data={"client_id": "app-pkce", "token": first["access_token"]})
    gone = requests.get(auth.base + "/api/_test/whoami", headers={"Authorization": "Bearer " + first["access_token"]})
    assert gone.status_code == 401
