"""The mixed request cycle that test_long_life and test_valgrind drive one FastCGI worker
through, and what they need around it: a keep-alive HTTP client (so the cost per
request is the program's, not a TCP handshake's) and a look at a process in /proc.

One cycle, every answer checked: logins of a new and a returning Google user (access
token, then ID token), of a new and a returning Facebook user, /me with a live, an
unknown and a revoked API token, bad JSON, a wrong content type, an unknown backend, a
provider answering 500, a token the provider rejects, /logout, /health. The tokens of
new users are registered with the fake provider in batches, ahead of the cycles.

Not named test_*.py: the runner loads it only through the modules that use it.
"""

import http.client
import json
import os
import secrets
import ssl
import time
import urllib.request

import harness as h
from harness import FACEBOOK, GOOGLE

REGISTER_BATCH_CYCLES = 100


def require_uninstrumented(what):
    """Refuses (never skips) to run against a sanitizer build: ASan can't run under
    valgrind, and its shadow memory makes RSS meaningless."""
    with open(h.FCGI_BIN, "rb") as f:
        if b"__asan_init" in f.read():
            raise AssertionError(
                "%s needs socialauth.fcgi built without --enable-sanitizers; %s is "
                "instrumented (tests/integration/run leaves %s out of a sanitizer build)"
                % (what, h.FCGI_BIN, what))


def rss_kb(pid):
    with open("/proc/%d/status" % pid, encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS for pid %d" % pid)


def idle_fd_count(pid, readings=10, pause=0.02):
    """The worker's open file descriptors while it waits for a request: the fewest of a
    few readings. Right after an answer the worker may still hold the connection of
    that request for a moment (the client has the answer before the worker closes);
    a leaked descriptor stays in every reading."""
    fewest = None
    for _ in range(readings):
        count = len(os.listdir("/proc/%d/fd" % pid))
        fewest = count if fewest is None else min(fewest, count)
        time.sleep(pause)
    return fewest


def only_worker(lighttpd_pid):
    workers = h.children_of(lighttpd_pid)
    if len(workers) != 1:
        raise AssertionError("expected one FastCGI worker under lighttpd %d, found %r"
                             % (lighttpd_pid, sorted(workers)))
    return next(iter(workers))


class KeepAliveClient:
    """HTTP/1.1 to a lighttpd on 127.0.0.1 over one connection, reopened whenever the
    server closes it (lighttpd does after server.max-keep-alive-requests). Same
    request() as harness.HttpClient, so E2ETestCase.call checks every answer."""

    via = "fastcgi"

    def __init__(self, port, timeout=30):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)

    def request(self, method, route, body=None, content_type=None, headers=None, query="",
                content_length="auto", config=None, remote_addr=None, env=None, timeout=None):
        if config is not None or env or remote_addr is not None or timeout is not None:
            raise ValueError("KeepAliveClient sends plain requests only")
        headers = dict(headers or {})
        if isinstance(body, str):
            body = body.encode("utf-8")
        if content_type is not None:
            headers["Content-Type"] = content_type
        if content_length == "auto":
            content_length = len(body) if body is not None else (0 if method == "POST" else None)
        if content_length is not None:
            headers["Content-Length"] = str(content_length)
        target = route + ("?" + query if query else "")
        started = time.monotonic()
        self.conn.request(method, target, body=body, headers=headers)
        resp = self.conn.getresponse()
        data = resp.read()
        return h.Response(resp.status, resp.getheaders(), data, time.monotonic() - started,
                          self.via)

    def close(self):
        self.conn.close()


def _register(specs):
    """Registers many tokens with the fake provider in one control call."""
    for spec in specs:
        h.remember_secret(spec["token"])
    context = ssl.create_default_context(cafile=h.path("ca.pem"))
    req = urllib.request.Request(h.FAKE.base_url + "/_fake/tokens",
                                 data=json.dumps(specs).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, context=context, timeout=30) as resp:
        resp.read()


class MixedWorkload:
    """Runs whole cycles through `client`, asserting with the E2ETestCase `case`."""

    def __init__(self, case, client):
        self.case = case
        self.client = client
        self.requests = 0
        self.cycles = 0
        self.fresh = []  # (google spec, facebook spec) of new users, registered
        self.google_client_id = h.google_client_id()
        self.facebook_app_id, _ = h.facebook_app()
        self.returning_google, self.returning_google_spec = h.google_token(
            email="ll-g.%s@example.com" % h.unique(), email_verified=True)
        self.returning_facebook, _ = h.facebook_token(email="ll-f.%s@example.com" % h.unique())
        # one ID token for the whole run: issued now, valid for longer than any run
        self.id_token = h.make_id_token(h.id_token_claims(
            sub=self.returning_google_spec["sub"], email=self.returning_google_spec["email"],
            exp=int(time.time()) + 12 * 3600))
        self.failing_google, _ = h.google_token(endpoint="tokeninfo", status=500,
                                                body='{"error": "backendError"}')
        self.unknown_facebook = h.unregistered_token("EAAll")
        self.google_user = self._login(self.returning_google, GOOGLE, None)["user"]["id"]
        self.facebook_user = self._login(self.returning_facebook, FACEBOOK, None)["user"]["id"]

    def _new_specs(self, cycles):
        specs = []
        for _ in range(cycles):
            tag = h.unique()
            google = {"provider": "google", "token": "ya29.ll-" + secrets.token_urlsafe(24),
                      "sub": "3" + str(secrets.randbelow(10 ** 20)).zfill(20),
                      "aud": self.google_client_id, "email": "ll-ng.%s@example.com" % tag,
                      "email_verified": True}
            facebook = {"provider": "facebook", "token": "EAAll" + secrets.token_urlsafe(30),
                        "user_id": str(2 * 10 ** 15 + secrets.randbelow(10 ** 15)),
                        "app_id": self.facebook_app_id, "email": "ll-nf.%s@example.com" % tag}
            specs.append((google, facebook))
        _register([s for pair in specs for s in pair])
        return specs

    def _call(self, method, route, **kwargs):
        resp = self.case.call(method, route, client=self.client, **kwargs)
        self.requests += 1
        return resp

    def _expect(self, step, resp, status, error=None):
        where = "request %d (cycle %d, %s)" % (self.requests, self.cycles, step)
        self.case.assertEqual(resp.status, status, "%s: %r" % (where, resp))
        if error is not None:
            self.case.assertEqual(resp.json().get("error"), error, "%s: %r" % (where, resp))

    def _exchange(self, step, backend, field, token, status, error=None):
        resp = self._call("POST", "/social/%s/" % backend,
                          body=json.dumps({field: token}), content_type="application/json")
        self._expect(step, resp, status, error)
        if status != 200:
            return None
        body = resp.json()
        h.remember_secret(body["token"])
        return body

    def _login(self, token, backend, is_new, field="access_token", step="login"):
        body = self._exchange(step, backend, field, token, 200)
        if is_new is not None:
            self.case.assertIs(body["is_new"], is_new, "%s: %r" % (step, body))
        return body

    def _me(self, step, api_token, scheme, status, user_id=None):
        resp = self._call("GET", "/me",
                          headers={"Authorization": "%s %s" % (scheme, api_token)})
        self._expect(step, resp, status, None if status == 200 else "invalid_token")
        if user_id is not None:
            self.case.assertEqual(resp.json()["id"], user_id, step)

    def cycle(self):
        if not self.fresh:
            self.fresh = self._new_specs(REGISTER_BATCH_CYCLES)
        new_google, new_facebook = self.fresh.pop()
        self.cycles += 1

        body = self._login(new_google["token"], GOOGLE, True, step="google new user")
        self._me("me", body["token"], "Token", 200, body["user"]["id"])
        body = self._login(self.returning_google, GOOGLE, False, step="google returning user")
        self.case.assertEqual(body["user"]["id"], self.google_user)
        body = self._login(self.id_token, GOOGLE, False, field="id_token",
                           step="google returning user, ID token")
        self.case.assertEqual(body["user"]["id"], self.google_user)
        self._login(new_facebook["token"], FACEBOOK, True, step="facebook new user")
        body = self._login(self.returning_facebook, FACEBOOK, False,
                           step="facebook returning user")
        self.case.assertEqual(body["user"]["id"], self.facebook_user)
        live = body["token"]
        self._me("me, Bearer", live, "Bearer", 200, self.facebook_user)
        self._me("me, unknown token", h.unregistered_token("LLnotatoken"), "Token", 401)

        resp = self._call("POST", "/social/google-oauth2/",
                          body='{"access_token": "x",', content_type="application/json")
        self._expect("bad json", resp, 400, "invalid_json")
        resp = self._call("POST", "/social/google-oauth2/",
                          body="access_token=x", content_type="text/plain")
        self._expect("wrong content type", resp, 415, "unsupported_media_type")
        resp = self._call("POST", "/social/myspace/",
                          body='{"access_token": "x"}', content_type="application/json")
        self._expect("unknown backend", resp, 404, "unknown_backend")
        self._exchange("provider 500", GOOGLE, "access_token", self.failing_google, 502,
                       "provider_unavailable")
        self._exchange("provider rejects token", FACEBOOK, "access_token",
                       self.unknown_facebook, 400, "invalid_token")

        resp = self._call("POST", "/logout", body="", content_type="application/json",
                          headers={"Authorization": "Token " + live})
        self._expect("logout", resp, 204)
        self._me("me, revoked token", live, "Token", 401)
        resp = self._call("GET", "/health")
        self._expect("health", resp, 200)
        self.case.assertEqual(resp.json(), {"status": "ok"})

    def run(self, cycles):
        for _ in range(cycles):
            self.cycle()
