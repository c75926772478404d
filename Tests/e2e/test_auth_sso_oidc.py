"""Single sign-on through OpenID Connect (issue 17), against a real provider on loopback
(oidc_provider.py): Chromium signs in through the domain's SSO button and lands as a new user;
a second sign-in finds the same user; an Azure AD B2C-style policy URL works; an existing user
is adopted by email; IdP groups map to roles; key rotation; and every bad answer is refused
with a page that says nothing of why, and a log line that does."""
import html
import json
import os
import re
import subprocess
import urllib.parse

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from auth_server import USERS, AuthServer
from oidc_provider import B2C_PREFIX, OIDCProvider

DOMAIN = "authority-harbourpoint"


@pytest.fixture(scope="module")
def provider():
    idp = OIDCProvider(users={
        "nia@contoso.example": {"sub": "0001-nia", "name": "Nia Newcomer"},
        "noa@contoso.example": {"sub": "0002-noa", "name": "Noa Again"},
        "bea@contoso.example": {"sub": "0003-bea", "name": "Bea B2C"},
        USERS["user"]: {"sub": "0004-uma", "name": "Uma From SSO"},
        "gil@contoso.example": {"sub": "0005-gil", "name": "Gil Groups", "groups": ["bo-admins", "staff"]},
        "ray@contoso.example": {"sub": "0006-ray", "name": "Ray Rotated"},
        "eve@contoso.example": {"sub": "0007-eve", "name": "Eve Tries"},
        "cat@contoso.example": {"sub": "0008-cat", "name": "Cat Continue"},
    })
    yield idp
    idp.stop()


@pytest.fixture(scope="module")
def server(provider):
    common = {"authority_id": DOMAIN, "client_id": provider.client_id, "client_secret": provider.client_secret}
    server = AuthServer(extra_files={
        "auth/oauth_strat-contoso.json": {"name": "Contoso", "site": provider.base, **common},
        "auth/oauth_strat-b2c.json": {"name": "Contoso B2C", "site": provider.base + B2C_PREFIX + "/.well-known/openid-configuration",
                                      "auth_scheme": "basic_auth", **common},
        f"domains/{DOMAIN}.json": {"internals": {"sso_admin_groups": ["bo-admins"]}},
        "domains/authority-nopw.json": {"config": {"password_grant": False, "password_sign_in": False}},
        "auth/oauth_strat-nopw.json": {"name": "Only SSO", "site": provider.base, **common, "authority_id": "authority-nopw"},
    })
    yield server
    server.stop()


def git(server, *args):
    return subprocess.run(["git", "-C", os.path.join(server.state, "config"), *args], check=True, capture_output=True, text=True).stdout


def users_with_email(server, email):
    """(id, members) of the users with this email at the branch head (the working tree follows
    the head a moment later)."""
    found = []
    for path in git(server, "ls-tree", "--name-only", "HEAD", "users/").split():
        members = json.loads(git(server, "show", "HEAD:" + path))
        if members.get("email", "").lower() == email.lower():
            found.append((os.path.basename(path)[:-5], members))
    return found


def start(server, strategy="oauth_strat-contoso", continue_to="/backoffice/"):
    """A requests session at the provider's door: (session, the authorize query)."""
    session = requests.Session()
    answer = session.get(server.base + "/auth/login", params={"provider": "oauth2", "id": strategy, "continue": continue_to},
                         allow_redirects=False)
    assert answer.status_code == 302, answer.text
    return session, answer.headers["Location"]


def sign_in(server, provider, login, strategy="oauth_strat-contoso", continue_to="/backoffice/", prefix=""):
    """The whole flow without a browser; the answer of our callback."""
    session, location = start(server, strategy, continue_to)
    back = provider.approve_directly(provider.authorize_url_params(location), login, prefix=prefix)
    return session, session.get(back, allow_redirects=False)


def test_browser_signs_in_through_the_sso_button_as_a_new_user_and_again_as_the_same(server, provider, fresh_browser):
    before = git(server, "rev-list", "--count", "HEAD")
    fresh_browser.get(server.base + "/backoffice/")
    assert "/auth/signin" in fresh_browser.current_url
    fresh_browser.find_element(By.LINK_TEXT, "Sign in with Contoso").click()
    WebDriverWait(fresh_browser, 20).until(lambda d: d.current_url.startswith(provider.base))
    fresh_browser.find_element(By.ID, "login").send_keys("nia@contoso.example")
    fresh_browser.find_element(By.ID, "approve").click()
    WebDriverWait(fresh_browser, 20).until(lambda d: d.current_url.startswith(server.base + "/backoffice/"))
    assert "Sign in" not in fresh_browser.title
    created = users_with_email(server, "nia@contoso.example")
    assert len(created) == 1
    user_id, members = created[0]
    assert members["name"] == "Nia Newcomer" and members["authority_id"] == DOMAIN
    assert members["sys_admin"] is False and members["support"] is False
    assert int(git(server, "rev-list", "--count", "HEAD")) == int(before) + 1
    log = git(server, "log", "-1", "--format=%an|%s")
    assert log.startswith("BackOffice|Add user nia@contoso.example (user): first sign-in through \"Contoso\"")
    # PKCE and the state reached the provider; the client secret went in the body.
    last = provider.token_requests[-1]
    assert last["code_verifier"] and last["client_secret"] == provider.client_secret

    # The second sign-in (a new browser session) finds the same user; nothing is committed.
    fresh_browser.delete_all_cookies()
    fresh_browser.get(server.base + "/auth/login?provider=oauth2&id=oauth_strat-contoso&continue=/backoffice/systems")
    fresh_browser.find_element(By.ID, "login").send_keys("nia@contoso.example")
    fresh_browser.find_element(By.ID, "approve").click()
    WebDriverWait(fresh_browser, 20).until(lambda d: d.current_url.startswith(server.base + "/backoffice/systems"))
    assert users_with_email(server, "nia@contoso.example") == created
    assert int(git(server, "rev-list", "--count", "HEAD")) == int(before) + 1


def test_sso_session_is_a_real_session_with_tokens(server, provider):
    session, answer = sign_in(server, provider, "noa@contoso.example")
    assert answer.status_code == 303 and answer.headers["Location"] == "/backoffice/"
    assert "bo_session" in session.cookies
    page = session.get(server.base + "/backoffice/", allow_redirects=False)
    assert page.status_code == 200
    authority = session.get(server.base + "/auth/authority").json()
    assert authority["session"] is True


def test_b2c_policy_metadata_url_and_basic_client_authentication(server, provider):
    session, location = start(server, "oauth_strat-b2c")
    assert location.startswith(provider.base + B2C_PREFIX + "/authorize?")
    back = provider.approve_directly(provider.authorize_url_params(location), "bea@contoso.example", prefix=B2C_PREFIX)
    answer = session.get(back, allow_redirects=False)
    assert answer.status_code == 303, answer.text
    assert "client_secret" not in provider.token_requests[-1]   # sent as HTTP Basic
    assert len(users_with_email(server, "bea@contoso.example")) == 1


def test_existing_user_of_the_same_email_is_adopted_and_updated(server, provider):
    existing = users_with_email(server, USERS["user"])
    assert len(existing) == 1
    session, answer = sign_in(server, provider, USERS["user"])
    assert answer.status_code == 303
    after = users_with_email(server, USERS["user"])
    assert len(after) == 1 and after[0][0] == existing[0][0]
    assert after[0][1]["name"] == "Uma From SSO"
    assert "name of " + USERS["user"] in git(server, "log", "-1", "--format=%s")


def test_idp_groups_map_to_admin(server, provider):
    session, answer = sign_in(server, provider, "gil@contoso.example")
    assert answer.status_code == 303
    (user_id, members), = users_with_email(server, "gil@contoso.example")
    assert members["sys_admin"] is True and members["groups"] == ["bo-admins", "staff"]
    assert session.get(server.base + "/backoffice/users/", allow_redirects=False).status_code == 200


def test_rotated_key_is_fetched_again(server, provider):
    assert sign_in(server, provider, "ray@contoso.example")[1].status_code == 303
    provider.rotate()
    assert sign_in(server, provider, "ray@contoso.example")[1].status_code == 303


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "%2F%2Fevil.example",
                                    "/%5Cevil.example", "\t//evil.example", "http:evil.example"])
def test_continue_never_leaves_the_domain(server, provider, target):
    session, answer = sign_in(server, provider, "cat@contoso.example", continue_to=target)
    assert answer.status_code == 303
    location = answer.headers["Location"]
    assert location.startswith("/") and not location.startswith("//") and "\\" not in location
    if not target.startswith("/%5C"):
        assert location == "/backoffice/"
    assert urllib.parse.urlsplit(location).netloc == ""


def test_continue_within_the_domain_is_followed(server, provider):
    session, answer = sign_in(server, provider, "cat@contoso.example", continue_to="/backoffice/systems/sys-l2-jetty")
    assert answer.headers["Location"] == "/backoffice/systems/sys-l2-jetty"


def refused(server, answer, session, reason):
    assert answer.status_code in (400, 401), answer.text
    assert "bo_session" not in session.cookies
    assert "Sign in" in answer.text
    for secret in ("provider-secret", "id_token", "nonce"):
        assert secret not in answer.text
    assert reason in server.output()


@pytest.mark.parametrize("mode,reason", [
    ("alg_none", 'ID token algorithm "none" is not allowed'),
    ("hs256_public_key", 'ID token algorithm "HS256" is not allowed'),
    ("wrong_issuer", "ID token issuer \"https://evil.example/\" is not the provider's"),
    ("wrong_audience", "ID token audience is not our client id"),
    ("wrong_nonce", "ID token nonce differs"),
    ("expired", "ID token expired"),
    ("unknown_key", "ID token signed with a key the provider's JWKS does not have"),
])
def test_bad_id_tokens_are_refused(server, provider, mode, reason):
    provider.mode = mode
    session, answer = sign_in(server, provider, "eve@contoso.example")
    refused(server, answer, session, reason)
    assert users_with_email(server, "eve@contoso.example") == []


def test_provider_error_is_refused(server, provider):
    provider.deny = True
    session, answer = sign_in(server, provider, "eve@contoso.example")
    refused(server, answer, session, 'the provider answered error "access_denied"')
    assert "did not sign you in" in answer.text


def test_state_mismatch_replay_and_foreign_browser_are_refused(server, provider):
    session, location = start(server)
    back = provider.approve_directly(provider.authorize_url_params(location), "eve@contoso.example")
    # Another browser (no state cookie) carrying this callback: refused, and the sign-in is spent.
    stranger = requests.Session()
    refused(server, stranger.get(back, allow_redirects=False), stranger, "state does not match this browser's sign-in")
    refused(server, session.get(back, allow_redirects=False), session, "unknown, used or expired state")
    # A made-up state.
    session, location = start(server)
    back = provider.approve_directly(provider.authorize_url_params(location), "eve@contoso.example")
    forged = re.sub(r"state=[^&]+", "state=forged", back)
    refused(server, session.get(forged, allow_redirects=False), session, "unknown, used or expired state")


def test_unknown_strategy_and_wrong_provider_are_refused(server):
    for params in ({"provider": "oauth2", "id": "oauth_strat-nope"}, {"provider": "adfs", "id": "oauth_strat-contoso"}, {}):
        answer = requests.get(server.base + "/auth/login", params=params, allow_redirects=False)
        assert answer.status_code == 404 and "does not exist" in answer.text


def test_signin_page_shows_the_buttons_and_the_password_form(server):
    page = html.unescape(requests.get(server.base + "/auth/signin?continue=/backoffice/systems").text)
    assert "Sign in with Contoso" in page and "Sign in with Contoso B2C" in page
    assert 'href="/auth/login?provider=oauth2&id=oauth_strat-contoso&continue=%2Fbackoffice%2Fsystems"' in page
    assert 'name="password"' in page


def test_domain_page_configures_strategies_through_forms(server, provider):
    from site_browser import FormClient
    admin = FormClient(server.base)
    admin.session = server.browser("admin")
    page = html.unescape(admin.session.get(server.base + f"/backoffice/domains/{DOMAIN}/").text)
    assert f"/backoffice/auth/new?domain={DOMAIN}&type=oauth" in page and f"/backoffice/auth/new?domain={DOMAIN}&type=saml" in page
    assert "Sign-in methods" in page and "Contoso B2C" in page   # the domain's strategies are listed

    saml_form = admin.session.get(server.base + f"/backoffice/auth/new?domain={DOMAIN}&type=saml").text
    assert 'name="idp_cert"' in saml_form and 'name="client_id"' not in saml_form and 'value="adfs_strat-' in saml_form

    path = f"/backoffice/auth/new?domain={DOMAIN}&type=oauth"
    form_page = admin.session.get(server.base + path).text
    assert 'name="client_secret"' in form_page and 'name="idp_cert"' not in form_page and 'name="host"' not in form_page
    fields = admin.form(path)
    assert fields["_id"].startswith("oauth_strat-") and fields["authority_id"] == DOMAIN
    # Missing site: refused with the field named, nothing committed.
    head = git(server, "rev-parse", "HEAD")
    refused = admin.post("/backoffice/auth/new", dict(fields, name="Form Made", client_id=provider.client_id))
    assert refused.status_code == 422 and "is required" in html.unescape(refused.text) and "site" in refused.text
    assert git(server, "rev-parse", "HEAD") == head

    fields = admin.form(path)
    made = admin.post("/backoffice/auth/new", dict(fields, name="Form Made", client_id=provider.client_id, site=provider.base,
                                                   client_secret=provider.client_secret))
    assert made.status_code == 303, made.text
    stored = json.loads(git(server, "show", f"HEAD:auth/{fields['_id']}.json"))
    assert stored["client_secret"].startswith("enc:v1:") and provider.client_secret not in json.dumps(stored)
    signin = requests.get(server.base + "/auth/signin").text
    assert "Sign in with Form Made" in signin
    assert sign_in(server, provider, "noa@contoso.example", strategy=fields["_id"])[1].status_code == 303


def test_a_domain_can_hide_the_password_form(server):
    page = requests.get(server.base + "/auth/signin", headers={"Host": f"nopw.test:{server.port}"}).text
    assert "Sign in with Only SSO" in page and "Sign in with Contoso" not in page
    assert 'name="password"' not in page
