"""Single sign-on through SAML 2.0 (issue 17), against a real IdP on loopback built with pysaml2
(saml_idp.py): Chromium signs in through the domain's button, lands as a new user, and again as
the same user; a strategy pinned by certificate fingerprint; our SP metadata; and every attack
the brief lists refused with a page that says nothing of why and a log line that does."""
import base64
import calendar
import hashlib
import html
import json
import os
import re
import ssl
import subprocess
import time
import urllib.parse

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from auth_server import AuthServer
from saml_idp import SAMLIdP

DOMAIN = "authority-harbourpoint"
CORP, PINNED, STRANGER = "adfs_strat-corp", "adfs_strat-pinned", "adfs_strat-stranger"


@pytest.fixture(scope="module")
def idp():
    provider = SAMLIdP(users={
        "ann@corp.example": {"name": "Ann Assertion", "groups": ["staff"]},
        "ben@corp.example": {"name": "Ben Browser"},
        "pia@corp.example": {"name": "Pia Pinned"},
        "mal@corp.example": {"name": "Mal Icious"},
    })
    yield provider
    provider.stop()


@pytest.fixture(scope="module")
def server(idp):
    with open(idp.cert_file) as handle:
        der = ssl.PEM_cert_to_DER_cert(handle.read())
    with open(idp.other_cert) as handle:
        stranger = handle.read()
    common = {"authority_id": DOMAIN, "idp_sso_target_url": idp.sso_url,
              "name_identifier_format": "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"}
    server = AuthServer(extra_files={
        f"auth/{CORP}.json": {"name": "Corp AD FS", "issuer": "https://backoffice.example/saml/corp", "idp_cert": idp.certificate,
                              **common},
        f"auth/{PINNED}.json": {"name": "Pinned", "issuer": "https://backoffice.example/saml/pinned",
                                "idp_cert_fingerprint": ":".join(re.findall("..", hashlib.sha256(der).hexdigest().upper())), **common},
        f"auth/{STRANGER}.json": {"name": "Stranger", "issuer": "https://backoffice.example/saml/stranger", "idp_cert": stranger,
                                  **common},
    })
    idp.trust(*(requests.get(server.base + "/auth/adfs/metadata", params={"id": strategy}).text
                for strategy in (CORP, PINNED, STRANGER)))
    yield server
    server.stop()


def git(server, *args):
    return subprocess.run(["git", "-C", os.path.join(server.state, "config"), *args], check=True, capture_output=True, text=True).stdout


def users_with_email(server, email):
    found = []
    for path in git(server, "ls-tree", "--name-only", "HEAD", "users/").split():
        members = json.loads(git(server, "show", "HEAD:" + path))
        if members.get("email", "").lower() == email.lower():
            found.append((os.path.basename(path)[:-5], members))
    return found


def start(server, idp, strategy=CORP):
    """A requests session sent to the IdP: (session, the parsed AuthnRequest, RelayState)."""
    session = requests.Session()
    answer = session.get(server.base + "/auth/login", params={"provider": "adfs", "id": strategy, "continue": "/backoffice/"},
                         allow_redirects=False)
    assert answer.status_code == 302, answer.text
    assert answer.headers["Location"].startswith(idp.sso_url + "?")
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(answer.headers["Location"]).query))
    return session, idp.parse_request(query["SAMLRequest"]), query["RelayState"]


def post(session, request, relay_state, xml):
    return session.post(request.assertion_consumer_service_url, allow_redirects=False,
                        data={"SAMLResponse": base64.b64encode(xml.encode()).decode(), "RelayState": relay_state})


def refused(server, session, answer, reason):
    assert answer.status_code in (400, 401), answer.text
    assert "bo_session" not in session.cookies
    assert "Sign in" in answer.text and "Assertion" not in answer.text
    assert reason in server.output(), reason


def test_sp_metadata_names_our_entity_and_consumer(server):
    answer = requests.get(server.base + "/auth/adfs/metadata", params={"id": CORP})
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "application/samlmetadata+xml"
    assert 'entityID="https://backoffice.example/saml/corp"' in answer.text
    assert f'Location="{server.base}/auth/adfs/callback?id={CORP}"' in answer.text
    assert requests.get(server.base + "/auth/adfs/metadata", params={"id": "adfs_strat-none"}).status_code == 404


def test_browser_signs_in_through_saml_as_a_new_user_and_again_as_the_same(server, idp, fresh_browser):
    before = int(git(server, "rev-list", "--count", "HEAD"))
    fresh_browser.get(server.base + "/auth/signin?continue=/backoffice/systems")
    fresh_browser.find_element(By.LINK_TEXT, "Sign in with Corp AD FS").click()
    WebDriverWait(fresh_browser, 20).until(lambda d: d.current_url.startswith(idp.sso_url))
    fresh_browser.find_element(By.ID, "login").send_keys("ben@corp.example")
    fresh_browser.find_element(By.ID, "approve").click()
    WebDriverWait(fresh_browser, 20).until(lambda d: d.find_elements(By.ID, "continue"))
    fresh_browser.find_element(By.ID, "continue").click()   # the POST binding's form
    WebDriverWait(fresh_browser, 20).until(lambda d: d.current_url.startswith(server.base + "/backoffice/systems"))
    created = users_with_email(server, "ben@corp.example")
    assert len(created) == 1 and created[0][1]["name"] == "Ben Browser"
    assert int(git(server, "rev-list", "--count", "HEAD")) == before + 1
    assert git(server, "log", "-1", "--format=%an|%s").startswith('BackOffice|Add user ben@corp.example (user): first sign-in through "Corp AD FS"')

    fresh_browser.delete_all_cookies()
    fresh_browser.get(server.base + f"/auth/adfs?id={CORP}")
    fresh_browser.find_element(By.ID, "login").send_keys("ben@corp.example")
    fresh_browser.find_element(By.ID, "approve").click()
    WebDriverWait(fresh_browser, 20).until(lambda d: d.find_elements(By.ID, "continue"))
    fresh_browser.find_element(By.ID, "continue").click()
    WebDriverWait(fresh_browser, 20).until(lambda d: d.current_url.startswith(server.base + "/backoffice/"))
    assert users_with_email(server, "ben@corp.example") == created
    assert int(git(server, "rev-list", "--count", "HEAD")) == before + 1


def test_signed_response_only_and_groups(server, idp):
    session, request, relay = start(server, idp)
    answer = post(session, request, relay, idp.response_for(request, "ann@corp.example", sign_assertion=False))
    assert answer.status_code == 303 and answer.headers["Location"] == "/backoffice/"
    (user_id, members), = users_with_email(server, "ann@corp.example")
    assert members["groups"] == ["staff"]
    assert session.get(server.base + "/auth/authority").json()["session"] is True


def test_fingerprint_pinned_strategy(server, idp):
    session, request, relay = start(server, idp, PINNED)
    assert post(session, request, relay, idp.response_for(request, "pia@corp.example")).status_code == 303


def test_unsigned_response_is_refused(server, idp):
    session, request, relay = start(server, idp)
    xml = idp.response_for(request, "mal@corp.example", sign_response=False, sign_assertion=False)
    refused(server, session, post(session, request, relay, xml), "the response is not signed")
    assert users_with_email(server, "mal@corp.example") == []


def test_response_signed_by_another_key_is_refused(server, idp):
    session, request, relay = start(server, idp, STRANGER)
    refused(server, session, post(session, request, relay, idp.response_for(request, "mal@corp.example")),
            "does not verify with the IdP certificate")


def test_edited_assertion_is_refused(server, idp):
    session, request, relay = start(server, idp)
    xml = idp.response_for(request, "ann@corp.example", sign_response=False)
    edited = xml.replace(">ann@corp.example<", ">mal@corp.example<")
    assert edited != xml
    refused(server, session, post(session, request, relay, edited), "the signature of <Assertion> does not verify")


@pytest.mark.parametrize("forged_first", [True, False])
def test_signature_wrapping_signed_assertion_beside_an_unsigned_one(server, idp, forged_first):
    session, request, relay = start(server, idp)
    xml = idp.response_for(request, "ann@corp.example", sign_response=False)
    signed = re.search(r"<(\w+):Assertion\b.*</\1:Assertion>", xml, re.S).group(0)
    forged = re.sub(r"<(\w+):Signature\b.*?</\1:Signature>", "", signed, flags=re.S)
    forged = forged.replace(">ann@corp.example<", ">mal@corp.example<").replace('ID="', 'ID="evil-', 1)
    wrapped = xml.replace(signed, forged + signed if forged_first else signed + forged)
    refused(server, session, post(session, request, relay, wrapped), "the response has 2 assertions")
    assert users_with_email(server, "mal@corp.example") == []


def test_signed_response_whose_assertion_was_swapped(server, idp):
    session, request, relay = start(server, idp)
    xml = idp.response_for(request, "ann@corp.example", sign_assertion=False)
    other = idp.response_for(request, "mal@corp.example", sign_assertion=False, sign_response=False)
    pattern = r"<(\w+):Assertion\b.*</\1:Assertion>"
    swapped = xml.replace(re.search(pattern, xml, re.S).group(0), re.search(pattern, other, re.S).group(0))
    refused(server, session, post(session, request, relay, swapped), "the signature of <Response> does not verify")


def test_wrong_audience_is_refused(server, idp):
    session, request, relay = start(server, idp)
    xml = idp.response_for(request, "ann@corp.example", audience="https://backoffice.example/saml/stranger")
    refused(server, session, post(session, request, relay, xml), "the assertion is not for our entity id (Audience)")


def test_wrong_destination_and_recipient_are_refused(server, idp):
    session, request, relay = start(server, idp)
    xml = idp.response_for(request, "ann@corp.example", destination=server.base + f"/auth/adfs/callback?id={PINNED}")
    refused(server, session, post(session, request, relay, xml), "is not our assertion consumer URL")
    # The Recipient alone (Destination left right): a signed assertion edited and signed again.
    session, request, relay = start(server, idp)
    xml = idp.response_for(request, "ann@corp.example", sign_response=False)
    edited = idp.resign_assertion(xml.replace(f'Recipient="{request.assertion_consumer_service_url}"',
                                              'Recipient="https://evil.example/acs"'))
    refused(server, session, post(session, request, relay, edited), "the confirmation's Recipient is not our assertion consumer URL")


def shifted(xml, attribute, seconds):
    """Moves every `attribute="<time>"` by `seconds`."""
    def move(match):
        moment = time.strptime(match.group(2), "%Y-%m-%dT%H:%M:%SZ")
        return f'{match.group(1)}="{time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(calendar.timegm(moment) + seconds))}"'
    return re.sub(rf'({attribute})="([0-9T:\-]+Z)"', move, xml)


def test_expired_and_not_yet_valid_assertions_are_refused(server, idp):
    session, request, relay = start(server, idp)
    xml = idp.response_for(request, "ann@corp.example", sign_response=False)
    expired = idp.resign_assertion(shifted(shifted(xml, "NotOnOrAfter", -3600), "NotBefore", -3600))
    refused(server, session, post(session, request, relay, expired), "expired (NotOnOrAfter)")
    session, request, relay = start(server, idp)
    xml = idp.response_for(request, "ann@corp.example", sign_response=False)
    early = idp.resign_assertion(shifted(shifted(xml, "NotBefore", 3600), "NotOnOrAfter", 3600))
    refused(server, session, post(session, request, relay, early), "not valid yet (NotBefore)")


def test_replayed_response_is_refused(server, idp):
    session, request, relay = start(server, idp)
    xml = idp.response_for(request, "ann@corp.example")
    assert post(session, request, relay, xml).status_code == 303
    again = requests.Session()
    refused(server, again, post(again, request, relay, xml), "unknown, used or expired RelayState")


def test_response_for_another_request_is_refused(server, idp):
    session, first, first_relay = start(server, idp)
    xml = idp.response_for(first, "ann@corp.example")
    session, second, relay = start(server, idp)
    refused(server, session, post(session, second, relay, xml), "the response answers another request (InResponseTo)")


@pytest.mark.parametrize("doctype", [
    '<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    '<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>',
])
def test_dtds_and_entities_are_refused(server, idp, doctype):
    session, request, relay = start(server, idp)
    xml = idp.response_for(request, "ann@corp.example")
    xml = xml.replace('<?xml version="1.0"?>', '<?xml version="1.0"?>' + doctype).replace(">ann@corp.example<", ">&xxe;<" if "xxe" in doctype else ">&c;<", 1)
    answer = post(session, request, relay, xml)
    refused(server, session, answer, "has a DTD")
    assert "root:" not in answer.text
