#!/usr/bin/env python3
"""A loopback HTTPS server that answers like Google's and Facebook's token endpoints.

The end-to-end tests (and script/server, and the benchmark) point the program's
provider URLs at this server. It knows only the tokens registered through its control
API (or preloaded with --tokens); every other token gets the provider's real
invalid-token answer. Every provider request is recorded so tests can assert what
the program sent (for example Facebook's appsecret_proof).

Provider endpoints (matched on the end of the path, so any prefix works):
  POST|GET .../tokeninfo          Google tokeninfo (form or query access_token=)
  GET      .../userinfo           Google OIDC userinfo (Authorization: Bearer)
  GET      .../certs              Google JWKS (when started with --jwks-key)
  GET      .../debug_token        Facebook debug_token?input_token=&access_token=ID|SECRET
  GET      .../me                 Facebook Graph /me?fields=&access_token=&appsecret_proof=

Control API (JSON):
  POST   /_fake/tokens     register one token object or a list of them (see below)
  DELETE /_fake/tokens     forget every token (and the recorded requests)
  GET    /_fake/tokens     the registered tokens
  POST   /_fake/apps       {"app_id": "...", "app_secret": "..."}: a Facebook app
  GET    /_fake/requests   recorded provider requests; ?token=T filters by token
  DELETE /_fake/requests   forget the recorded requests
  GET    /_fake/health     {"status": "ok", "port": N}

With --pattern-tokens, unregistered tokens "pattern.google.SUB.ANY" and
"pattern.facebook.ID.ANY" (SUB, ID digits) are valid tokens of that user.

A token object:
  {"token": "...", "provider": "google" | "facebook",
   # identity and profile (all optional, with defaults derived from the token)
   "sub" | "user_id" | "id", "email", "email_verified" (bool), "name", "given_name",
   "family_name", "first_name", "last_name", "picture", "locale", "hd",
   # whom the token was issued to
   "aud", "azp" (Google client id), "app_id" (Facebook app id), "scopes",
   # lifetime: seconds from now; negative means expired. "expiry_mode": "reject"
   # (default: the provider itself refuses an expired token, as the real ones do) or
   # "report" (the provider answers normally with the past expiry, so the program's
   # own check is exercised)
   "expires_in", "expiry_mode",
   # raw overrides merged into the answer (null deletes a key)
   "tokeninfo": {...}, "userinfo": {...}, "debug": {...}, "me": {...},
   # faults: "endpoint" is one of tokeninfo, userinfo, debug_token, me or "*" (default)
   "status": 500, "delay_ms": 3000, "body": "not json", "headers": {"Location": "..."},
   "content_type": "text/html", "endpoint": "userinfo",
   # misbehaviour instead of an answer: "hang_up" (close the connection without a
   # word), "endless" (200, no length, JSON that never ends, as fast as it goes),
   # "trickle" (the same at one byte per 100 ms), "short_body" (a Content-Length
   # of 1000 and 10 bytes, then close); each stops when the client goes or after
   # MISBEHAVE_SECONDS
   "action": "endless"}
  A list "faults": [{"endpoint": ..., "status": ..., ...}, ...] sets faults for
  several endpoints at once.

Python 3 standard library only (Debian's /usr/bin/python3 is enough). Quiet unless
--verbose, as the benchmark uses it too.
"""

import argparse
import base64
import copy
import hashlib
import hmac
import ipaddress
import json
import os
import secrets
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

GOOGLE_INVALID_TOKEN = {"error": "invalid_token", "error_description": "Invalid Value"}
GOOGLE_INVALID_CREDENTIALS = {
    "error": "invalid_request",
    "error_description": "Invalid Credentials",
}
GOOGLE_WWW_AUTHENTICATE = (
    'Bearer realm="https://accounts.google.com/", error="invalid_token"'
)
PROVIDER_ENDPOINTS = ("tokeninfo", "userinfo", "certs", "debug_token", "me")
MISBEHAVE_SECONDS = 60
MAX_RECORDED = 20000


def _fbtrace():
    return "A" + secrets.token_urlsafe(8)


def _fb_error(message, code, type_="OAuthException", subcode=None):
    error = {"message": message, "type": type_, "code": code, "fbtrace_id": _fbtrace()}
    if subcode is not None:
        error["error_subcode"] = subcode
    return {"error": error}


def _merge(base, overrides):
    """Shallow merge where a None value deletes the key."""
    result = dict(base)
    for key, value in (overrides or {}).items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = value
    return result


def _b64url_uint(value):
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def load_jwks(key_file, kid):
    """A JWKS with the public half of an RSA key file, read through the openssl CLI."""
    out = subprocess.run(
        ["openssl", "rsa", "-in", key_file, "-noout", "-modulus"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()
    modulus = int(out.split("=", 1)[1], 16)
    text = subprocess.run(
        ["openssl", "rsa", "-in", key_file, "-noout", "-text"],
        check=True, capture_output=True, text=True,
    ).stdout
    exponent = 65537
    for line in text.splitlines():
        if line.startswith("publicExponent:"):
            exponent = int(line.split()[1])
    return {"keys": [{"kty": "RSA", "alg": "RS256", "use": "sig", "kid": kid,
                      "n": _b64url_uint(modulus), "e": _b64url_uint(exponent)}]}


class State:
    """Registered tokens, Facebook apps and recorded requests, shared by all threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.tokens = {}
        self.apps = {}
        self.requests = []
        self.jwks = None
        self.jwks_cache_control = "public, max-age=3600"
        self.recording = True
        self.pattern_tokens = False

    def register(self, spec):
        if not isinstance(spec, dict) or not isinstance(spec.get("token"), str) \
                or not spec["token"]:
            raise ValueError("a token object needs a non-empty string \"token\"")
        provider = spec.get("provider", "google")
        if provider not in ("google", "facebook"):
            raise ValueError("provider must be google or facebook")
        spec = copy.deepcopy(spec)
        spec["provider"] = provider
        spec["registered_at"] = time.time()
        if provider == "facebook" and spec.get("app_secret") and spec.get("app_id"):
            with self.lock:
                self.apps[str(spec["app_id"])] = spec["app_secret"]
        with self.lock:
            self.tokens[spec["token"]] = spec

    def token(self, value):
        with self.lock:
            spec = self.tokens.get(value)
        if spec is None and self.pattern_tokens:
            spec = pattern_token(value)
        return spec

    def record(self, entry):
        if not self.recording:
            return
        with self.lock:
            if len(self.requests) >= MAX_RECORDED:
                del self.requests[: MAX_RECORDED // 2]
            self.requests.append(entry)


def pattern_token(value):
    """The token object a --pattern-tokens token stands for, or None.

    "pattern.google.SUB.ANY" and "pattern.facebook.ID.ANY" are valid, unexpired tokens
    of that user for the default client or app, with a verified email SUB@example.com:
    a benchmark can mint a fresh token for every request without registering it."""
    parts = value.split(".", 3)
    if len(parts) != 4 or parts[0] != "pattern" or parts[1] not in ("google", "facebook") \
            or not parts[2].isdigit():
        return None
    spec = {"token": value, "provider": parts[1], "email": parts[2] + "@example.com",
            "email_verified": True, "registered_at": time.time()}
    spec["sub" if parts[1] == "google" else "user_id"] = parts[2]
    return spec


def fault_for(spec, endpoint):
    """The fault settings that apply to this endpoint, or None."""
    if spec is None:
        return None
    for fault in spec.get("faults", []):
        if fault.get("endpoint", "*") in ("*", endpoint):
            return fault
    if any(k in spec for k in ("status", "delay_ms", "body", "headers", "content_type", "action")):
        if spec.get("endpoint", "*") in ("*", endpoint):
            return spec
    return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so clients can reuse connections
    server_version = "FakeProvider/1.0"

    def version_string(self):
        return self.server_version

    # ---- plumbing -----------------------------------------------------------------
    def log_message(self, format, *args):  # noqa: A002 - signature of the base class
        if self.server.verbose:
            sys.stderr.write("fake_provider: %s - %s\n" % (self.address_string(), format % args))

    def _read_body(self):
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        try:
            n = int(length)
        except ValueError:
            return b""
        return self.rfile.read(n) if n > 0 else b""

    def _send(self, status, payload, headers=None, content_type="application/json; charset=UTF-8"):
        if isinstance(payload, (dict, list)):
            body = json.dumps(payload, indent=2).encode("utf-8")
        elif isinstance(payload, str):
            body = payload.encode("utf-8")
        else:
            body = payload or b""
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _fault(self, spec, endpoint):
        """Applies delay and forced answers; True when the answer was sent."""
        fault = fault_for(spec, endpoint)
        if fault is None:
            return False
        delay = fault.get("delay_ms")
        if delay:
            time.sleep(float(delay) / 1000.0)
        if "action" in fault:
            self._misbehave(fault["action"])
            return True
        if "status" in fault or "body" in fault:
            status = int(fault.get("status", 200))
            body = fault.get("body")
            if body is None:
                body = {"error": "fake forced status %d" % status}
            self._send(status, body, fault.get("headers"),
                       fault.get("content_type", "application/json; charset=UTF-8"))
            return True
        return False

    def _misbehave(self, action):
        """The ways a real server breaks mid-answer; the connection ends with it."""
        self.close_connection = True
        if action == "hang_up":
            return
        if action == "short_body":
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b'{"sub": "1')
            return
        if action not in ("endless", "trickle"):
            raise ValueError("fake provider: unknown action %r" % action)
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Connection", "close")
        self.end_headers()
        chunk, pause = (b"x" * 65536, 0) if action == "endless" else (b"x", 0.1)
        deadline = time.monotonic() + MISBEHAVE_SECONDS
        try:
            self.wfile.write(b'{"padding": "')
            while time.monotonic() < deadline:
                self.wfile.write(chunk)
                self.wfile.flush()
                if pause:
                    time.sleep(pause)
        except OSError:
            pass  # the client gave up, as it should

    def _dispatch(self):
        parsed = urllib.parse.urlsplit(self.path)
        path = parsed.path
        query = urllib.parse.parse_qs(parsed.query, keep_blank_values=True)
        body = self._read_body()
        if path.startswith("/_fake/"):
            return self._control(path, query, body)
        endpoint = path.rstrip("/").rsplit("/", 1)[-1]
        if endpoint not in PROVIDER_ENDPOINTS:
            return self._send(404, {"error": "fake provider: no such endpoint %s" % path})
        form = {}
        content_type = self.headers.get("Content-Type", "")
        if body and content_type.startswith("application/x-www-form-urlencoded"):
            form = urllib.parse.parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
        token = self._token_of(endpoint, query, form)
        self.server.state.record({
            "time": time.time(),
            "method": self.command,
            "path": path,
            "query": {k: v[0] if len(v) == 1 else v for k, v in query.items()},
            "form": {k: v[0] if len(v) == 1 else v for k, v in form.items()},
            "headers": {k: v for k, v in self.headers.items()},
            "body": body.decode("utf-8", "replace"),
            "endpoint": endpoint,
            "token": token,
        })
        spec = self.server.state.token(token) if token else None
        if self._fault(spec, endpoint):
            return None
        handler = getattr(self, "_" + endpoint)
        return handler(spec, token, query, form, path)

    def _token_of(self, endpoint, query, form):
        def first(d, key):
            values = d.get(key)
            return values[0] if values else None
        if endpoint == "tokeninfo":
            return first(form, "access_token") or first(query, "access_token") \
                or first(form, "id_token") or first(query, "id_token")
        if endpoint == "userinfo":
            auth = self.headers.get("Authorization", "")
            if auth[:7].lower() == "bearer ":
                return auth[7:].strip()
            return first(query, "access_token")
        if endpoint == "debug_token":
            return first(query, "input_token")
        if endpoint == "me":
            return first(query, "access_token")
        return None

    do_GET = do_POST = do_DELETE = do_PUT = do_HEAD = lambda self: self._dispatch()

    # ---- control API ----------------------------------------------------------------
    def _control(self, path, query, body):
        state = self.server.state
        try:
            payload = json.loads(body.decode("utf-8")) if body else None
        except ValueError:
            return self._send(400, {"error": "control API: body is not JSON"})
        if path == "/_fake/health":
            return self._send(200, {"status": "ok", "port": self.server.server_address[1]})
        if path == "/_fake/tokens":
            if self.command == "POST":
                items = payload if isinstance(payload, list) else [payload]
                try:
                    for item in items:
                        state.register(item)
                except ValueError as e:
                    return self._send(400, {"error": str(e)})
                return self._send(201, {"registered": len(items)})
            if self.command == "DELETE":
                with state.lock:
                    state.tokens.clear()
                    state.requests.clear()
                return self._send(200, {"status": "reset"})
            if self.command == "GET":
                with state.lock:
                    return self._send(200, list(state.tokens.values()))
        if path == "/_fake/apps" and self.command == "POST":
            if not isinstance(payload, dict) or not payload.get("app_id") \
                    or not payload.get("app_secret"):
                return self._send(400, {"error": "need app_id and app_secret"})
            with state.lock:
                state.apps[str(payload["app_id"])] = str(payload["app_secret"])
            return self._send(201, {"status": "ok"})
        if path == "/_fake/requests":
            if self.command == "DELETE":
                with state.lock:
                    state.requests.clear()
                return self._send(200, {"status": "reset"})
            if self.command == "GET":
                token = query.get("token", [None])[0]
                with state.lock:
                    items = [r for r in state.requests if token is None or r["token"] == token]
                return self._send(200, items)
        if path == "/_fake/jwks" and self.command == "POST":
            with state.lock:
                state.jwks = payload.get("jwks", state.jwks)
                state.jwks_cache_control = payload.get("cache_control", state.jwks_cache_control)
            return self._send(200, {"status": "ok"})
        return self._send(404, {"error": "control API: no such route %s %s" % (self.command, path)})

    # ---- Google ---------------------------------------------------------------------
    @staticmethod
    def _google_identity(spec, token):
        sub = str(spec.get("sub") or spec.get("id") or
                  ("1" + hashlib.sha256(token.encode()).hexdigest()[:20]))
        given = spec.get("given_name", "Test")
        family = spec.get("family_name", "User")
        return sub, given, family

    @staticmethod
    def _expiry(spec, default=3599):
        expires_in = int(spec.get("expires_in", default))
        return int(spec["registered_at"]) + expires_in, expires_in

    def _google_usable(self, spec):
        if spec is None or spec["provider"] != "google":
            return False
        exp, _ = self._expiry(spec)
        if exp <= time.time() and spec.get("expiry_mode", "reject") == "reject":
            return False
        return True

    def _tokeninfo(self, spec, token, query, form, path):
        if not self._google_usable(spec):
            return self._send(400, GOOGLE_INVALID_TOKEN)
        sub, _, _ = self._google_identity(spec, token)
        client = spec.get("aud", "test-client.apps.googleusercontent.com")
        exp, _ = self._expiry(spec)
        answer = {
            "azp": spec.get("azp", client),
            "aud": client,
            "sub": sub,
            "scope": spec.get("scope", "openid https://www.googleapis.com/auth/userinfo.email "
                                       "https://www.googleapis.com/auth/userinfo.profile"),
            "exp": str(exp),
            "expires_in": str(max(0, int(exp - time.time()))),
            "access_type": "online",
        }
        if spec.get("email"):
            answer["email"] = spec["email"]
            answer["email_verified"] = "true" if spec.get("email_verified", True) else "false"
        return self._send(200, _merge(answer, spec.get("tokeninfo")))

    def _userinfo(self, spec, token, query, form, path):
        if not self._google_usable(spec):
            return self._send(401, GOOGLE_INVALID_CREDENTIALS,
                              {"WWW-Authenticate": GOOGLE_WWW_AUTHENTICATE})
        sub, given, family = self._google_identity(spec, token)
        answer = {
            "sub": sub,
            "name": spec.get("name", ("%s %s" % (given, family)).strip()),
            "given_name": given,
            "family_name": family,
            "picture": spec.get("picture", "https://lh3.googleusercontent.com/a/fake"),
            "locale": spec.get("locale", "en"),
        }
        if spec.get("email"):
            answer["email"] = spec["email"]
            answer["email_verified"] = bool(spec.get("email_verified", True))
        if spec.get("hd"):
            answer["hd"] = spec["hd"]
        return self._send(200, _merge(answer, spec.get("userinfo")))

    def _certs(self, spec, token, query, form, path):
        state = self.server.state
        with state.lock:
            jwks, cache_control = state.jwks, state.jwks_cache_control
        if jwks is None:
            return self._send(404, {"error": "fake provider started without --jwks-key"})
        return self._send(200, jwks, {"Cache-Control": cache_control})

    # ---- Facebook -------------------------------------------------------------------
    def _fb_app_token_ok(self, query):
        app_token = query.get("access_token", [""])[0]
        if "|" not in app_token:
            return False
        app_id, _, secret = app_token.partition("|")
        with self.server.state.lock:
            known = self.server.state.apps.get(app_id)
        return known is not None and hmac.compare_digest(known, secret)

    def _debug_token(self, spec, token, query, form, path):
        if not self._fb_app_token_ok(query):
            return self._send(400, _fb_error("Invalid OAuth access token signature.", 190))
        if spec is None or spec["provider"] != "facebook":
            if self.server.fb_invalid_style == "error400":
                return self._send(400, _fb_error("Invalid OAuth access token.", 190))
            return self._send(200, {"data": {
                "error": {"code": 190, "message": "Invalid OAuth access token."},
                "is_valid": False, "scopes": []}})
        now = int(time.time())
        exp, expires_in = self._expiry(spec, default=5183999)
        never = spec.get("expires_in") == 0 and "expires_in" in spec
        data = {
            "app_id": str(spec.get("app_id", self.server.default_app_id or "")),
            "type": "USER",
            "application": spec.get("application", "Fake App"),
            "data_access_expires_at": now + 7776000,
            "expires_at": 0 if never else exp,
            "is_valid": True,
            "issued_at": int(spec["registered_at"]),
            "scopes": spec.get("scopes", ["email", "public_profile"]),
            "user_id": str(self._fb_uid(spec, token)),
        }
        if not never and exp <= now:
            if spec.get("expiry_mode", "reject") == "reject":
                data["is_valid"] = False
                data["error"] = {"code": 190, "subcode": 463,
                                 "message": "Error validating access token: Session has "
                                            "expired on some day in the past."}
        return self._send(200, {"data": _merge(data, spec.get("debug"))})

    @staticmethod
    def _fb_uid(spec, token):
        return spec.get("user_id") or spec.get("id") or \
            str(int(hashlib.sha256(token.encode()).hexdigest()[:13], 16))

    def _me(self, spec, token, query, form, path):
        if spec is None or spec["provider"] != "facebook":
            return self._send(400, _fb_error("Invalid OAuth access token data.", 190))
        exp, _ = self._expiry(spec, default=5183999)
        never = spec.get("expires_in") == 0 and "expires_in" in spec
        if not never and exp <= time.time() and spec.get("expiry_mode", "reject") == "reject":
            return self._send(400, _fb_error(
                "Error validating access token: Session has expired.", 190, subcode=463))
        app_id = str(spec.get("app_id", self.server.default_app_id or ""))
        with self.server.state.lock:
            secret = self.server.state.apps.get(app_id)
        proof = query.get("appsecret_proof", [None])[0]
        if secret is not None:
            expected = hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()
            if proof is None or not hmac.compare_digest(proof.lower(), expected):
                return self._send(400, _fb_error(
                    "Invalid appsecret_proof provided in the API argument", 100))
        first = spec.get("first_name", spec.get("given_name", "Test"))
        last = spec.get("last_name", spec.get("family_name", "User"))
        fields = query.get("fields", ["id,name"])[0].split(",")
        everything = {
            "id": str(self._fb_uid(spec, token)),
            "name": spec.get("name", ("%s %s" % (first, last)).strip()),
            "first_name": first,
            "last_name": last,
        }
        if spec.get("email"):
            everything["email"] = spec["email"]
        answer = {k: v for k, v in everything.items() if k in fields or k == "id"}
        return self._send(200, _merge(answer, spec.get("me")))


class FakeProviderServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address, context, state, verbose=False, default_app_id=None,
                 fb_invalid_style="data"):
        super().__init__(address, Handler)
        self.context = context
        self.state = state
        self.verbose = verbose
        self.default_app_id = default_app_id
        self.fb_invalid_style = fb_invalid_style

    def finish_request(self, request, client_address):
        # The TLS handshake runs in the request's thread, so a slow client can't stall
        # the accept loop.
        request.settimeout(30)
        # headers and body leave in separate writes: without this, Nagle's algorithm
        # and the client's delayed ACK cost 40 ms per answer
        request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            tls = self.context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as e:
            if self.verbose:
                sys.stderr.write("fake_provider: TLS handshake failed: %s\n" % e)
            return
        try:
            super().finish_request(tls, client_address)
        finally:
            try:
                tls.close()
            except OSError:
                pass

    def handle_error(self, request, client_address):
        if self.verbose:
            super().handle_error(request, client_address)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1", help="a loopback address")
    parser.add_argument("--port", type=int, default=0, help="0: choose a free port")
    parser.add_argument("--port-file", help="write the port here once listening")
    parser.add_argument("--pid-file", help="write the process id here")
    parser.add_argument("--cert", required=True, help="server certificate (PEM)")
    parser.add_argument("--key", required=True, help="its private key (PEM)")
    parser.add_argument("--tokens", help="JSON file: a list of token objects to preload")
    parser.add_argument("--facebook-app", action="append", default=[], metavar="ID:SECRET",
                        help="a Facebook app the fake knows (the first is the default)")
    parser.add_argument("--jwks-key", help="RSA key whose public half /certs serves")
    parser.add_argument("--jwks-kid", default="fake-key-1")
    parser.add_argument("--facebook-invalid-style", choices=("data", "error400"),
                        default="data", help="debug_token answer shape for unknown tokens")
    parser.add_argument("--no-record", action="store_true",
                        help="keep no record of provider requests (for benchmarks)")
    parser.add_argument("--pattern-tokens", action="store_true",
                        help="also accept pattern.google.SUB.ANY and pattern.facebook.ID.ANY "
                             "tokens without registration (for benchmarks)")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)

    if not ipaddress.ip_address(args.host).is_loopback:
        parser.error("--host must be a loopback address")

    state = State()
    state.recording = not args.no_record
    state.pattern_tokens = args.pattern_tokens
    default_app_id = None
    for item in args.facebook_app:
        app_id, sep, secret = item.partition(":")
        if not sep or not app_id or not secret:
            parser.error("--facebook-app wants ID:SECRET")
        state.apps[app_id] = secret
        default_app_id = default_app_id or app_id
    if args.jwks_key:
        state.jwks = load_jwks(args.jwks_key, args.jwks_kid)
    if args.tokens:
        with open(args.tokens, encoding="utf-8") as f:
            items = json.load(f)
        for item in items if isinstance(items, list) else [items]:
            state.register(item)

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(args.cert, args.key)

    server = FakeProviderServer((args.host, args.port), context, state, args.verbose,
                                default_app_id, args.facebook_invalid_style)
    port = server.server_address[1]
    if args.pid_file:
        _write_atomically(args.pid_file, "%d\n" % os.getpid())
    if args.port_file:
        _write_atomically(args.port_file, "%d\n" % port)
    print("fake_provider listening on https://%s:%d" % (args.host, port), flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def _write_atomically(path, text):
    tmp = "%s.%d.tmp" % (path, os.getpid())
    with open(tmp, "w", encoding="ascii") as f:
        f.write(text)
    os.replace(tmp, path)


if __name__ == "__main__":
    import signal
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    sys.exit(main())
