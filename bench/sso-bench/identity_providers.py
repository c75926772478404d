"""The e2e tests' identity providers (Tests/e2e: oidc_provider.py, saml_idp.py), started for
sso-bench as one subprocess: an authlib OpenID provider and a pysaml2 SAML IdP on loopback.

    .venv-e2e/bin/python bench/sso-bench/identity_providers.py

Prints one JSON line (the OpenID provider's base URL, client id and secret; the SAML IdP's SSO
URL and certificate; the person each signs in), then reads commands, one a line, and answers each with one line:
`trust URL` loads our SP metadata from URL into the IdP (`ok`). End of input stops both."""
import json
import os
import sys
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Tests", "e2e"))

from oidc_provider import OIDCProvider  # noqa: E402
from saml_idp import SAMLIdP  # noqa: E402

OIDC_PERSON, SAML_PERSON = "oidc-person@bench.example", "saml-person@bench.example"


def main():
    oidc = OIDCProvider(users={OIDC_PERSON: {"sub": "bench-0001", "name": "Bench OIDC"}})
    saml = SAMLIdP(users={SAML_PERSON: {"name": "Bench SAML", "groups": ["staff"]}})
    try:
        print(json.dumps({"oidc": {"base": oidc.base, "client_id": oidc.client_id, "client_secret": oidc.client_secret,
                                   "login": OIDC_PERSON},
                          "saml": {"sso_url": saml.sso_url, "certificate": saml.certificate, "login": SAML_PERSON}}), flush=True)
        for line in sys.stdin:
            command, _, argument = line.strip().partition(" ")
            if command == "trust":
                with urllib.request.urlopen(argument, timeout=10) as answer:
                    saml.trust(answer.read().decode())
                print("ok", flush=True)
            else:
                print("unknown command " + command, flush=True)
    finally:
        oidc.stop()
        saml.stop()


if __name__ == "__main__":
    main()
