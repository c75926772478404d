"""A SAML 2.0 identity provider on loopback for the SSO tests, built with pysaml2 (which signs
with the `xmlsec1` program): it takes an AuthnRequest by the redirect binding, shows a page
with a form a browser fills in (who signs in), and answers by the POST binding with a signed
Response. Its key and self-signed certificate are made by `openssl` in a temporary directory.

The tests also ask it for responses directly (`response_for`) to tamper with them."""
import base64
import html
import os
import subprocess
import tempfile
import threading
import urllib.parse
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.saml import NAMEID_FORMAT_EMAILADDRESS, NAME_FORMAT_URI, NameID
from saml2.server import Server

from conftest import free_port


def make_certificate(folder, name):
    key, cert = os.path.join(folder, name + ".key"), os.path.join(folder, name + ".crt")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=" + name,
                    "-keyout", key, "-out", cert], check=True, capture_output=True)
    return key, cert


class SAMLIdP:
    def __init__(self, users):
        self.users = users
        self.tmp = tempfile.TemporaryDirectory(prefix="bo-saml-idp-")
        self.key_file, self.cert_file = make_certificate(self.tmp.name, "idp")
        self.other_key, self.other_cert = make_certificate(self.tmp.name, "stranger")
        with open(self.cert_file) as handle:
            self.certificate = handle.read()
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.entity_id = self.base + "/idp"
        self.sso_url = self.base + "/sso"
        self.server = None
        self.requests = []
        idp = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                idp._get(self)

            def do_POST(self):
                idp._post(self)

        self.http = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def stop(self):
        self.http.shutdown()
        self.http.server_close()
        self.tmp.cleanup()

    def trust(self, *sp_metadata):
        """Loads the service providers' metadata (our /auth/adfs/metadata of each strategy)."""
        paths = []
        for index, text in enumerate(sp_metadata):
            paths.append(os.path.join(self.tmp.name, "sp-%d.xml" % index))
            with open(paths[-1], "w") as handle:
                handle.write(text)
        config = IdPConfig()
        config.load({
            "entityid": self.entity_id,
            "service": {"idp": {
                "endpoints": {"single_sign_on_service": [(self.sso_url, BINDING_HTTP_REDIRECT)]},
                "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                "policy": {"default": {"lifetime": {"minutes": 15}, "attribute_restrictions": None, "name_form": NAME_FORMAT_URI}},
                "want_authn_requests_signed": False,
            }},
            "key_file": self.key_file, "cert_file": self.cert_file,
            "metadata": {"local": paths},
            "xmlsec_binary": "/usr/bin/xmlsec1",
        })
        self.server = Server(config=config)

    def parse_request(self, saml_request):
        info = self.server.parse_authn_request(saml_request, BINDING_HTTP_REDIRECT)
        self.requests.append(info.message)
        return info.message

    def response_for(self, request, login, sign_response=True, sign_assertion=True, audience=None, destination=None):
        """A signed Response (XML text) to `request` for the user `login` (`audience`: another SP
        the IdP knows; `destination`: another consumer URL)."""
        user = self.users[login]
        identity = {"mail": [login], "displayName": [user["name"]], "groups": user.get("groups", [])}
        response = self.server.create_authn_response(
            identity, in_response_to=request.id, destination=destination or request.assertion_consumer_service_url,
            sp_entity_id=audience or request.issuer.text, name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=user.get("uid", login)),
            userid=login, sign_response=sign_response, sign_assertion=sign_assertion,
            authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:Password", "authn_auth": self.entity_id})
        return str(response)

    def resign_assertion(self, xml):
        """Signs the (edited) assertion again with the IdP's key, as the IdP would have: for
        tests of what a validly signed assertion may still not say."""
        path = os.path.join(self.tmp.name, "edited.xml")
        with open(path, "w") as handle:
            handle.write(xml)
        signed = subprocess.run(["xmlsec1", "--sign", "--privkey-pem", f"{self.key_file},{self.cert_file}",
                                 "--id-attr:ID", "urn:oasis:names:tc:SAML:2.0:assertion:Assertion", path],
                                capture_output=True, text=True)
        assert signed.returncode == 0, signed.stderr
        return signed.stdout

    def _get(self, handler):
        url = urllib.parse.urlsplit(handler.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        if url.path != "/sso" or "SAMLRequest" not in query:
            return self._send(handler, 404, "not found")
        self.parse_request(query["SAMLRequest"])
        hidden = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in query.items())
        self._send(handler, 200, f'<h1>Test SAML IdP</h1><form method="post" action="/sso">{hidden}'
                                 '<input id="login" name="login" type="email"><button id="approve" type="submit">Approve</button></form>')

    def _post(self, handler):
        length = int(handler.headers.get("Content-Length") or 0)
        form = dict(urllib.parse.parse_qsl(handler.rfile.read(length).decode()))
        request = self.parse_request(form["SAMLRequest"])
        xml = self.response_for(request, form["login"])
        # The POST binding: a page whose form the browser posts to the assertion consumer.
        page = (f'<form id="post" method="post" action="{html.escape(request.assertion_consumer_service_url)}">'
                f'<input type="hidden" name="SAMLResponse" value="{base64.b64encode(xml.encode()).decode()}">'
                f'<input type="hidden" name="RelayState" value="{html.escape(form.get("RelayState", ""))}">'
                '<button id="continue" type="submit">Continue</button></form>')
        self._send(handler, 200, page)

    @staticmethod
    def _send(handler, status, body):
        data = ("<!doctype html><html><body>" + body + "</body></html>").encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)


def redirect_request(request_xml):
    """What our server sends: deflate + base64 (the redirect binding), for tests that build one."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return base64.b64encode(compressor.compress(request_xml.encode()) + compressor.flush()).decode()
