"""Single sign-on with an OpenID provider over https (issue 17): the provider's certificate is
issued by a certificate authority the test makes (openssl), which the server trusts through
`SSL_CERT_FILE`; a provider with a certificate nobody trusts, or one made for another name, is
refused before anything is sent, with a page that says it cannot be reached and a log line that
says why."""
import os
import subprocess
import tempfile

import pytest
import requests

from auth_server import AuthServer
from oidc_provider import OIDCProvider

DOMAIN = "authority-harbourpoint"
PERSON = "tia@contoso.example"


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True)


@pytest.fixture(scope="module")
def certificates():
    """A CA, a server certificate it issues for 127.0.0.1, one it issues for another name, and a
    self-signed one (OpenSSL checks the URL's IP address against the IP names)."""
    folder = tempfile.TemporaryDirectory(prefix="bo-sso-tls-")
    path = lambda name: os.path.join(folder.name, name)  # noqa: E731
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=BackOffice Test CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            "-keyout", path("ca.key"), "-out", path("ca.crt"))
    for name, alternative in (("provider", "IP:127.0.0.1"), ("elsewhere", "DNS:idp.elsewhere.example")):
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=" + name, "-keyout", path(name + ".key"), "-out", path(name + ".csr"))
        with open(path(name + ".ext"), "w") as handle:
            handle.write(f"subjectAltName={alternative}\nextendedKeyUsage=serverAuth\n")
        openssl("x509", "-req", "-in", path(name + ".csr"), "-CA", path("ca.crt"), "-CAkey", path("ca.key"), "-CAcreateserial",
                "-days", "2", "-extfile", path(name + ".ext"), "-out", path(name + ".crt"))
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1", "-addext",
            "subjectAltName=IP:127.0.0.1", "-keyout", path("self.key"), "-out", path("self.crt"))
    yield path
    folder.cleanup()


@pytest.fixture(scope="module")
def providers(certificates):
    users = {PERSON: {"sub": "0101-tia", "name": "Tia Tls"}}
    started = {name: OIDCProvider(users=users, tls=(certificates(name + ".crt"), certificates(name + ".key")))
               for name in ("provider", "elsewhere", "self")}
    yield started
    for provider in started.values():
        provider.stop()


@pytest.fixture(scope="module")
def server(providers, certificates):
    files = {f"auth/oauth_strat-{name}.json": {"name": "TLS " + name, "site": provider.base, "authority_id": DOMAIN,
                                                "client_id": provider.client_id, "client_secret": provider.client_secret}
             for name, provider in providers.items()}
    server = AuthServer(extra_files=files, env={"SSL_CERT_FILE": certificates("ca.crt")})
    yield server
    server.stop()


def login(server, strategy):
    session = requests.Session()
    answer = session.get(server.base + "/auth/login", params={"provider": "oauth2", "id": strategy, "continue": "/backoffice/"},
                         allow_redirects=False)
    return session, answer


def test_provider_with_a_certificate_of_the_configured_ca_signs_in(server, providers, certificates):
    provider = providers["provider"]
    assert provider.base.startswith("https://")
    session, answer = login(server, "oauth_strat-provider")
    assert answer.status_code == 302, answer.text
    assert answer.headers["Location"].startswith(provider.base + "/authorize?")
    back = provider.approve_directly(provider.authorize_url_params(answer.headers["Location"]), PERSON, verify=certificates("ca.crt"))
    done = session.get(back, allow_redirects=False)
    assert done.status_code == 303 and done.headers["Location"] == "/backoffice/", done.text
    assert "bo_session" in session.cookies
    # The token request went over https to the provider, with the verifier of this sign-in.
    assert provider.token_requests and provider.token_requests[-1]["code_verifier"]


@pytest.mark.parametrize("name, reason", [("self", "certificate not trusted: self-signed certificate"),
                                          ("elsewhere", "certificate not trusted: IP address mismatch")])
def test_untrusted_provider_certificate_is_refused_with_a_clear_message(server, providers, name, reason):
    before = server.output().count(reason)
    session, answer = login(server, "oauth_strat-" + name)
    assert answer.status_code == 502
    assert "cannot be reached right now" in answer.text
    assert "certificate" not in answer.text            # the visitor learns nothing of why
    assert "bo_session" not in session.cookies
    lines = [line for line in server.output().splitlines() if reason in line]
    assert len(lines) > before, server.output()[-2000:]
    assert f"oauth_strat-{name}" in lines[-1] and "TLS with 127.0.0.1" in lines[-1]
    assert providers[name].token_requests == []
