"""A small OpenID Connect provider on loopback for the SSO tests: discovery (also under an
Azure AD B2C-style policy path), an authorize page with a form a browser fills in,
authorization code with PKCE, a token endpoint that checks the client and the verifier, a JWKS
that can rotate, userinfo. Keys and tokens are made with authlib's JOSE parts.

`provider.mode` makes the next ID tokens wrong on purpose (alg none, HS256 keyed with the
public key, wrong issuer/audience/nonce, expired, signed by a key the JWKS lacks), and
`provider.deny = True` answers the next authorization with `error=access_denied`.

`tls=(certificate file, key file)` serves https instead of http (test_auth_sso_tls.py)."""
import base64
import hashlib
import hmac
import html
import json
import secrets
import ssl
import threading
import time
import urllib.parse
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from authlib.jose import JsonWebKey, jwt

from conftest import free_port

B2C_PREFIX = "/tenant/B2C_1_signin/v2.0"


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class OIDCProvider:
    def __init__(self, client_id="backoffice-client", client_secret="provider-secret", users=None, tls=None):
        self.client_id = client_id
        self.client_secret = client_secret
        self.users = users or {}
        self.port = free_port()
        self.base = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        self.issuer = self.base
        self.b2c_issuer = self.base + "/tenant-id/v2.0/"
        self.mode = None
        self.deny = False
        self.lock = threading.Lock()
        self.codes = {}
        self.access_tokens = {}
        self.refresh_tokens = {}
        self.expires_in = 600
        self.redirect_uris = set()
        self.token_requests = []
        self.keys = [self._new_key()]
        self.stray_key = self._new_key()
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                provider._get(self)

            def do_POST(self):
                provider._post(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    @staticmethod
    def _new_key():
        return JsonWebKey.generate_key("RSA", 2048, is_private=True, options={"kid": secrets.token_hex(8)})

    def rotate(self):
        """A new signing key replaces the old one in the JWKS."""
        with self.lock:
            self.keys = [self._new_key()]

    # discovery ----------------------------------------------------------------------------

    def metadata(self, prefix="", issuer=None):
        base = self.base + prefix
        return {
            "issuer": issuer or self.issuer,
            "authorization_endpoint": base + "/authorize",
            "token_endpoint": base + "/token",
            "jwks_uri": base + "/jwks",
            "userinfo_endpoint": base + "/userinfo",
            "response_types_supported": ["code"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
        }

    def _prefix_of(self, path):
        return (B2C_PREFIX, path[len(B2C_PREFIX):]) if path.startswith(B2C_PREFIX + "/") else ("", path)

    def _get(self, request):
        url = urllib.parse.urlsplit(request.path)
        prefix, path = self._prefix_of(url.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        if path == "/.well-known/openid-configuration":
            issuer = self.b2c_issuer if prefix else self.issuer
            return self._json(request, 200, self.metadata(prefix, issuer))
        if path == "/jwks":
            with self.lock:
                keys = [key.as_dict(is_private=False) | {"use": "sig", "alg": "RS256", "kid": key.kid} for key in self.keys]
            return self._json(request, 200, {"keys": keys})
        if path == "/authorize":
            return self._authorize_page(request, prefix, query)
        if path == "/userinfo":
            token = request.headers.get("Authorization", "").removeprefix("Bearer ")
            with self.lock:
                claims = self.access_tokens.get(token)
            if claims is None:
                return self._json(request, 401, {"error": "invalid_token"})
            return self._json(request, 200, claims)
        return self._json(request, 404, {"error": "not_found"})

    def _post(self, request):
        url = urllib.parse.urlsplit(request.path)
        prefix, path = self._prefix_of(url.path)
        length = int(request.headers.get("Content-Length") or 0)
        form = dict(urllib.parse.parse_qsl(request.rfile.read(length).decode()))
        if path == "/authorize":
            return self._approve(request, prefix, form)
        if path == "/token":
            return self._token(request, prefix, form)
        return self._json(request, 404, {"error": "not_found"})

    # authorization ----------------------------------------------------------------------------

    def _authorize_page(self, request, prefix, query):
        problems = []
        if query.get("client_id") != self.client_id:
            problems.append("unknown client_id")
        if query.get("response_type") != "code":
            problems.append("response_type must be code")
        if query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
            problems.append("PKCE S256 is required")
        if not query.get("state") or not query.get("nonce"):
            problems.append("state and nonce are required")
        if problems:
            return self._html(request, 400, "<p id='problem'>" + html.escape("; ".join(problems)) + "</p>")
        hidden = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in query.items())
        page = (f'<h1>Test IdP</h1><form method="post" action="{prefix}/authorize">{hidden}'
                '<input id="login" name="login" type="email"><button id="approve" type="submit">Approve</button></form>')
        return self._html(request, 200, page)

    def _approve(self, request, prefix, form):
        redirect = form["redirect_uri"]
        self.redirect_uris.add(redirect)
        if self.deny:
            self.deny = False
            target = redirect + "?" + urllib.parse.urlencode({"error": "access_denied", "state": form["state"]})
        else:
            code = secrets.token_urlsafe(24)
            with self.lock:
                self.codes[code] = {"form": form, "prefix": prefix, "user": form.get("login", "")}
            target = redirect + "?" + urllib.parse.urlencode({"code": code, "state": form["state"]})
        request.send_response(302)
        request.send_header("Location", target)
        request.send_header("Content-Length", "0")
        request.end_headers()

    def authorize_url_params(self, location):
        """The query of a redirect to our authorize page."""
        return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))

    def approve_directly(self, query, login, prefix="", verify=True):
        """What the approve button does, for a client without a browser: the redirect back
        (`verify`: the CA bundle that trusts an https provider)."""
        import requests
        answer = requests.post(self.base + prefix + "/authorize", data=dict(query, login=login), allow_redirects=False, timeout=10,
                               verify=verify)
        assert answer.status_code == 302, answer.text
        return answer.headers["Location"]

    # token ----------------------------------------------------------------------------------

    def _token(self, request, prefix, form):
        with self.lock:
            self.token_requests.append(form)
            grant = self.codes.pop(form.get("code", ""), None)
        client_id, secret = form.get("client_id"), form.get("client_secret")
        authorization = request.headers.get("Authorization", "")
        if authorization.startswith("Basic "):
            client_id, secret = (urllib.parse.unquote(part) for part in base64.b64decode(authorization[6:]).decode().split(":", 1))
        if client_id != self.client_id or secret != self.client_secret:
            return self._json(request, 401, {"error": "invalid_client"})
        if form.get("grant_type") == "refresh_token":
            return self._refresh(request, form)
        if grant is None or grant["prefix"] != prefix:
            return self._json(request, 400, {"error": "invalid_grant"})
        asked = grant["form"]
        if form.get("redirect_uri") != asked["redirect_uri"]:
            return self._json(request, 400, {"error": "invalid_grant", "error_description": "redirect_uri"})
        verifier = form.get("code_verifier", "")
        if b64url(hashlib.sha256(verifier.encode()).digest()) != asked["code_challenge"]:
            return self._json(request, 400, {"error": "invalid_grant", "error_description": "PKCE"})
        user = self.users.get(grant["user"])
        if user is None:
            return self._json(request, 400, {"error": "invalid_grant", "error_description": "unknown user"})
        now = int(time.time())
        claims = {"iss": self.b2c_issuer if prefix else self.issuer, "aud": self.client_id, "sub": user["sub"],
                  "iat": now, "exp": now + 600, "nonce": asked["nonce"], "email": grant["user"], "name": user["name"]}
        if "groups" in user:
            claims["groups"] = user["groups"]
        access_token, refresh_token = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        with self.lock:
            self.access_tokens[access_token] = {"sub": user["sub"], "email": grant["user"], "name": user["name"],
                                                **({"groups": user["groups"]} if "groups" in user else {})}
            self.refresh_tokens[refresh_token] = self.access_tokens[access_token]
        mode, self.mode = self.mode, None
        return self._json(request, 200, {"access_token": access_token, "token_type": "Bearer", "expires_in": self.expires_in,
                                         "refresh_token": refresh_token, "id_token": self.id_token(claims, mode)})

    def _refresh(self, request, form):
        """A refresh_token grant: a new access token for the same user, the refresh token rotated."""
        with self.lock:
            claims = self.refresh_tokens.pop(form.get("refresh_token", ""), None)
            if claims is None:
                return self._json(request, 400, {"error": "invalid_grant"})
            access_token, refresh_token = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
            self.access_tokens[access_token] = claims
            self.refresh_tokens[refresh_token] = claims
        return self._json(request, 200, {"access_token": access_token, "token_type": "Bearer", "expires_in": self.expires_in,
                                         "refresh_token": refresh_token})

    def id_token(self, claims, mode=None):
        key = self.keys[0]
        header = {"alg": "RS256", "kid": key.kid, "typ": "JWT"}
        if mode == "wrong_issuer":
            claims["iss"] = "https://evil.example/"
        elif mode == "wrong_audience":
            claims["aud"] = "someone-else"
        elif mode == "wrong_nonce":
            claims["nonce"] = "not-the-nonce"
        elif mode == "expired":
            claims["iat"], claims["exp"] = claims["iat"] - 7200, claims["iat"] - 3600
        elif mode == "unknown_key":
            key = self.stray_key
            header["kid"] = key.kid
        if mode == "alg_none":
            head = b64url(json.dumps({"alg": "none", "typ": "JWT"}).encode())
            return head + "." + b64url(json.dumps(claims).encode()) + "."
        if mode == "hs256_public_key":
            head = b64url(json.dumps({"alg": "HS256", "kid": key.kid, "typ": "JWT"}).encode())
            body = b64url(json.dumps(claims).encode())
            secret = key.as_pem(is_private=False)
            return head + "." + body + "." + b64url(hmac.new(secret, (head + "." + body).encode(), hashlib.sha256).digest())
        return jwt.encode(header, claims, key).decode()

    # answers ----------------------------------------------------------------------------------

    @staticmethod
    def _json(request, status, body):
        data = json.dumps(body).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)

    @staticmethod
    def _html(request, status, body):
        data = ("<!doctype html><html><body>" + body + "</body></html>").encode()
        request.send_response(status)
        request.send_header("Content-Type", "text/html; charset=utf-8")
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)
