"""The two older OAuth2 flows PlaceOS's ts-client apps may use — the implicit flow
(`response_type=token`) and the authorization code without PKCE — each only for an application
that opts in (`allow_implicit_flow`, `allow_code_without_pkce`); every other application is
refused with an error that says why."""
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from auth_server import USERS, PASSWORD, AuthServer

APPS = {
    "applications/app-implicit.json": {"name": "Implicit SPA", "owner_id": "authority-harbourpoint",
                                       "redirect_uri": "http://127.0.0.1/implicit-cb", "scopes": "public",
                                       "skip_authorization": True, "allow_implicit_flow": True},
    "applications/app-nopkce.json": {"name": "Code Without PKCE", "owner_id": "authority-harbourpoint",
                                     "redirect_uri": "http://127.0.0.1/nopkce-cb", "scopes": "public",
                                     "skip_authorization": True, "allow_code_without_pkce": True},
}


@pytest.fixture(scope="module")
def auth():
    server = AuthServer(extra_files=APPS)
    yield server
    server.stop()


def authorize(auth, browser, **parameters):
    answer = browser.get(auth.base + "/auth/oauth/authorize", params=parameters, allow_redirects=False)
    assert answer.status_code == 302, answer.text
    return urlsplit(answer.headers["Location"])


def whoami(auth, token):
    return requests.get(auth.base + "/api/_test/whoami", headers={"Authorization": "Bearer " + token})


def test_implicit_flow_puts_a_token_in_the_fragment_only_for_an_app_that_allows_it(auth):
    browser = auth.browser("support")
    location = authorize(auth, browser, client_id="app-implicit", redirect_uri="http://127.0.0.1/implicit-cb",
                         response_type="token", state="s-1", scope="public")
    assert location.query == "" and location.path == "/implicit-cb"
    fragment = {name: values[0] for name, values in parse_qs(location.fragment).items()}
    assert fragment["state"] == "s-1" and fragment["token_type"] == "Bearer" and fragment["expires_in"] == "7200"
    assert "refresh_token" not in fragment
    me = whoami(auth, fragment["access_token"])
    assert me.status_code == 200 and me.json()["role"] == "support" and me.json()["credential"] == "bearer"

    # An application that has not opted in: refused, the error in the fragment, no token anywhere.
    refused = authorize(auth, browser, client_id="app-pkce", redirect_uri="http://127.0.0.1/cb", response_type="token", state="s-2")
    error = parse_qs(refused.fragment)
    assert error["error"] == ["unauthorized_client"] and error["state"] == ["s-2"]
    assert "implicit flow" in error["error_description"][0]
    assert "access_token" not in refused.fragment and "access_token" not in refused.query
    # Nor may an application that allows a code without PKCE use the implicit flow.
    other = authorize(auth, browser, client_id="app-nopkce", redirect_uri="http://127.0.0.1/nopkce-cb", response_type="token")
    assert parse_qs(other.fragment)["error"] == ["unauthorized_client"]


def test_code_without_pkce_only_for_an_app_that_allows_it(auth):
    browser = auth.browser("user")
    location = authorize(auth, browser, client_id="app-nopkce", redirect_uri="http://127.0.0.1/nopkce-cb",
                         response_type="code", state="s-3")
    query = parse_qs(location.query)
    assert query["state"] == ["s-3"] and "error" not in query
    token = requests.post(auth.base + "/auth/oauth/token", data={
        "grant_type": "authorization_code", "client_id": "app-nopkce", "code": query["code"][0],
        "redirect_uri": "http://127.0.0.1/nopkce-cb"})
    assert token.status_code == 200, token.text
    assert token.json()["refresh_token"]
    assert whoami(auth, token.json()["access_token"]).json()["role"] == "user"

    # PKCE required everywhere else: the code flow without a challenge is refused before any code is made.
    refused = authorize(auth, browser, client_id="app-pkce", redirect_uri="http://127.0.0.1/cb", response_type="code", state="s-4")
    error = parse_qs(refused.query)
    assert error["error"] == ["invalid_request"] and "code" not in error
    assert "PKCE" in error["error_description"][0]
    assert "does not allow the code flow without PKCE" in error["error_description"][0]

    # An app allowed to skip PKCE that sends a challenge anyway is held to it.
    with_challenge = authorize(auth, browser, client_id="app-nopkce", redirect_uri="http://127.0.0.1/nopkce-cb",
                               response_type="code", code_challenge="E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                               code_challenge_method="S256")
    code = parse_qs(with_challenge.query)["code"][0]
    wrong = requests.post(auth.base + "/auth/oauth/token", data={
        "grant_type": "authorization_code", "client_id": "app-nopkce", "code": code,
        "redirect_uri": "http://127.0.0.1/nopkce-cb", "code_verifier": "x" * 43})
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"


def test_the_opt_in_members_are_validated(auth):
    grant = {"grant_type": "password", "client_id": "app-pkce", "username": USERS["admin"], "password": PASSWORD}
    token = requests.post(auth.base + "/auth/oauth/token", data=grant).json()["access_token"]
    headers = {"Authorization": "Bearer " + token}
    bad = requests.post(auth.base + "/api/engine/v2/oauth_apps", headers=headers, json={
        "name": "Bad", "owner_id": "authority-harbourpoint", "redirect_uri": "http://127.0.0.1/bad",
        "allow_implicit_flow": "yes"})
    assert bad.status_code == 422, bad.text
    assert any(failure["field"] == "allow_implicit_flow" for failure in bad.json()["failures"])
    apps = requests.get(auth.base + "/api/engine/v2/oauth_apps", headers=headers).json()
    assert not any(app["name"] == "Bad" for app in apps)
    # The discovery document names the implicit flow's response type.
    discovery = requests.get(auth.base + "/.well-known/openid-configuration").json()
    assert discovery["response_types_supported"] == ["code", "token"]
