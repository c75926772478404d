"""PlaceOS's `POST users/resource_token` on the real binary against a real OpenID provider on
loopback (oidc_provider.py): after an SSO sign-in the caller gets the provider's access token;
one about to expire is refreshed at the provider with the refresh token (client authenticated);
a user who never signed in through a provider gets 404; the kept tokens never appear in clear
in the state directory."""
import os

import pytest
import requests

from auth_server import PASSWORD, USERS, AuthServer
from oidc_provider import OIDCProvider
from test_rest_crud import token

DOMAIN = "authority-harbourpoint"
PATH = "/api/engine/v2/users/resource_token"


@pytest.fixture(scope="module")
def provider():
    idp = OIDCProvider(users={"rae@contoso.example": {"sub": "0101-rae", "name": "Rae Resource"},
                              "ren@contoso.example": {"sub": "0102-ren", "name": "Ren Refresh"}})
    yield idp
    idp.stop()


@pytest.fixture(scope="module")
def server(provider):
    server = AuthServer(extra_files={"auth/oauth_strat-contoso.json": {
        "name": "Contoso", "site": provider.base, "authority_id": DOMAIN,
        "client_id": provider.client_id, "client_secret": provider.client_secret}})
    yield server
    server.stop()


def sso_session(server, provider, login):
    session = requests.Session()
    answer = session.get(server.base + "/auth/login", params={"provider": "oauth2", "id": "oauth_strat-contoso"}, allow_redirects=False)
    assert answer.status_code == 302, answer.text
    back = provider.approve_directly(provider.authorize_url_params(answer.headers["Location"]), login)
    signed_in = session.get(back, allow_redirects=False)
    assert signed_in.status_code == 303, signed_in.text
    return session


def resource_token(server, session):
    # A state-changing request on a session cookie: same origin, as a browser app sends it.
    return session.post(server.base + PATH, headers={"Origin": server.base})


def userinfo(provider, token):
    return requests.get(provider.base + "/userinfo", headers={"Authorization": "Bearer " + token})


def test_the_provider_token_after_sso_sign_in_kept_sealed(server, provider):
    provider.expires_in = 3600
    session = sso_session(server, provider, "rae@contoso.example")
    answer = resource_token(server, session)
    assert answer.status_code == 200, answer.text
    token, expires = answer.json()["token"], answer.json()["expires"]
    assert userinfo(provider, token).json()["email"] == "rae@contoso.example"
    assert isinstance(expires, int) and expires > 0
    # Asked again well before expiry: the same token, nothing sent to the provider.
    requests_before = len(provider.token_requests)
    assert resource_token(server, session).json()["token"] == token
    assert len(provider.token_requests) == requests_before
    # The state directory keeps it sealed, and the configuration repository never sees it.
    with open(os.path.join(server.state, "auth", "resource-tokens.json")) as handle:
        kept = handle.read()
    assert token not in kept and "enc:v1:" in kept
    for root, _, files in os.walk(os.path.join(server.state, "config")):
        if "/.git" in root:
            continue
        for name in files:
            with open(os.path.join(root, name), "rb") as handle:
                assert token.encode() not in handle.read()


def test_a_token_about_to_expire_is_refreshed_at_the_provider(server, provider):
    provider.expires_in = 60  # inside the five-minute margin: the next ask refreshes
    try:
        session = sso_session(server, provider, "ren@contoso.example")
    finally:
        provider.expires_in = 3600
    first_sign_in_token = provider.token_requests[-1]
    assert first_sign_in_token["grant_type"] == "authorization_code"
    answer = resource_token(server, session)
    assert answer.status_code == 200, answer.text
    refresh = provider.token_requests[-1]
    assert refresh["grant_type"] == "refresh_token" and refresh["client_secret"] == provider.client_secret
    fresh = answer.json()["token"]
    assert userinfo(provider, fresh).json()["email"] == "ren@contoso.example"
    # The new tokens were kept: the next ask answers the refreshed token without the provider.
    count = len(provider.token_requests)
    again = resource_token(server, session).json()
    assert again["token"] == fresh and len(provider.token_requests) == count


def test_no_sso_token_is_404_and_sign_in_is_required(server):
    answer = requests.post(server.base + PATH, headers={"Authorization": "Bearer " + token(server, "user")})
    assert answer.status_code == 404 and "sign in through" in answer.json()["error"]
    assert requests.post(server.base + PATH).status_code == 401


def scoped_token(server, role, scope):
    answer = requests.post(server.base + "/auth/oauth/token", data={"grant_type": "password", "client_id": "app-pkce",
                                                                    "username": USERS[role], "password": PASSWORD, "scope": scope})
    assert answer.status_code == 200, answer.text
    return answer.json()["access_token"]


def test_an_admin_with_the_users_scope_reads_and_forgets_another_users_token(server, provider):
    provider.expires_in = 3600
    session = sso_session(server, provider, "rae@contoso.example")
    own = resource_token(server, session).json()["token"]
    path = "/api/engine/v2/users/rae@contoso.example/resource_token"
    scoped = {"Authorization": "Bearer " + scoped_token(server, "admin", "users.write")}
    answer = requests.post(server.base + path, headers=scoped)
    assert answer.status_code == 200, answer.text
    assert answer.json()["token"] == own
    # Without the users scope named (a public token), as support, or signed out: refused.
    public = requests.post(server.base + path, headers={"Authorization": "Bearer " + token(server, "admin")})
    assert public.status_code == 403 and "users scope" in public.json()["error"]
    assert requests.post(server.base + path, headers={"Authorization": "Bearer " + scoped_token(server, "support", "users.read")}).status_code == 403
    assert requests.post(server.base + path).status_code == 401
    assert requests.post(server.base + "/api/engine/v2/users/nobody@contoso.example/resource_token", headers=scoped).status_code == 404
    # Forgotten: Rae's own ask is 404 until she signs in through the provider again.
    assert requests.delete(server.base + path, headers={"Authorization": "Bearer " + token(server, "support")}).status_code == 403
    assert requests.delete(server.base + path, headers=scoped).status_code == 202
    assert resource_token(server, session).status_code == 404
    assert own not in server.output()


def test_single_sign_on_does_not_bring_back_a_deleted_user(server, provider):
    admin = {"Authorization": "Bearer " + token(server, "admin")}
    users = "/api/engine/v2/users/"
    rae = requests.get(server.base + users + "rae@contoso.example", headers=admin).json()["id"]
    assert requests.patch(server.base + users + rae, json={"deleted": True}, headers=admin).status_code == 200
    session = requests.Session()
    answer = session.get(server.base + "/auth/login", params={"provider": "oauth2", "id": "oauth_strat-contoso"}, allow_redirects=False)
    back = provider.approve_directly(provider.authorize_url_params(answer.headers["Location"]), "rae@contoso.example")
    refused = session.get(back, allow_redirects=False)
    assert refused.status_code != 303 and "was deleted" in refused.text, refused.text[:1000]
    everyone = requests.get(server.base + users, params={"include_deleted": "true", "q": "contoso"}, headers=admin).json()
    assert [user["id"] for user in everyone if user["email"] == "rae@contoso.example"] == [rae]
