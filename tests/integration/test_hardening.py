"""Hardening of issue 3, end to end through the real binary and MariaDB:

- rate limits on the exchange (per client address, IPv6 per /64, per backend), counted
  in the rate_limits table and so shared by CGI processes and FastCGI workers, with a
  429 and an exact Retry-After, refused before the provider is asked;
- provider tokens at rest: encrypted in social_identities.extra_data, opened by the
  PHP snippet of README.md (run with php-cli exactly as printed there), not stored
  without a key, a malformed key a config error named by its key;
- deactivation: a user made inactive gets no answer from /me with an old token, and the
  README's PHP-side deactivation SQL leaves no token the SPEC's PHP check accepts;
- response headers and log lines: nothing a request sends (CR/LF included) reaches a
  response header, and the log stays one escaped line per request.
"""

import base64
import ipaddress
import json
import os
import random
import re
import subprocess
import time

import harness as h
from harness import DB, FACEBOOK, FAKE, GOOGLE

RATE_LIMITED = {"error": "rate_limited"}
MISCONFIGURED = {"error": "server_misconfigured"}


# ---- helpers ------------------------------------------------------------------------

def fresh_window(min_left=120):
    """A window length of this test's own (so its counters start at zero) whose current
    window still has min_left seconds to run (so it does not turn over mid-test)."""
    while True:
        window = random.randint(20000, 86400)
        if window - time.time() % window > min_left:
            return window


def limits_variant(per_ip=0, per_backend=0, window=None, key=None):
    window = window or fresh_window()

    def mutate(c):
        c["rate_limits"] = {
            "exchange_per_ip": {"requests": per_ip, "window_seconds": window},
            "exchange_per_backend": {"requests": per_backend, "window_seconds": window},
        }
    return h.write_config_variant(key or "limits-" + h.unique(), mutate), window


def benchmark_address():
    """An address of 198.18.0.0/15 (RFC 2544, never a real client) for one test."""
    return str(ipaddress.IPv4Address("198.18.0.0") + random.randrange(2, 2 ** 17 - 2))


def documentation_prefix():
    """A /64 of 2001:db8::/32 (documentation) for one test, as "2001:db8:x:y"."""
    return "2001:db8:%x:%x" % (random.randrange(1, 0xffff), random.randrange(1, 0xffff))


def loopback_address():
    """A 127.0.0.0/8 address for one test: through lighttpd it becomes REMOTE_ADDR."""
    return "127.%d.%d.%d" % (random.randrange(1, 255), random.randrange(0, 256),
                             random.randrange(1, 255))


def hits_in_db(bucket, window):
    return DB.value("SELECT COALESCE(SUM(hits), 0) FROM rate_limits WHERE bucket = %s AND "
                    "window_seconds = %d" % (h.sql_quote(bucket), window))


def readme_php_snippet():
    """The ```php block of README.md's "Provider tokens at rest", verbatim."""
    with open(os.path.join(h.SRCDIR, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    section = readme.split("### Provider tokens at rest", 1)[1]
    match = re.search(r"```php\n(.*?)```", section, re.S)
    if match is None:
        raise AssertionError("README.md has no php block under 'Provider tokens at rest'")
    return match.group(1)


def php_open(sealed, provider, uid, key_bytes):
    """What the README's PHP function answers for these arguments (None for null)."""
    driver = ('\n$in = json_decode(stream_get_contents(STDIN), true);\n'
              '$token = socialauth_provider_token($in["sealed"], $in["provider"], $in["uid"],\n'
              '                                   base64_decode($in["key"]));\n'
              'echo json_encode(["token" => $token]);\n')
    script = h.path("readme_snippet.php")
    with open(script, "w", encoding="utf-8") as f:
        f.write(readme_php_snippet() + driver)
    payload = {"sealed": sealed, "provider": provider, "uid": uid,
               "key": base64.b64encode(key_bytes).decode()}
    proc = subprocess.run(["php", "-n", "-d", "display_errors=stderr", script],
                          input=json.dumps(payload).encode(), capture_output=True, timeout=30)
    if proc.returncode != 0 or proc.stderr:
        raise AssertionError("php failed (%d): %r %r" % (proc.returncode, proc.stderr,
                                                        proc.stdout))
    return json.loads(proc.stdout.decode())["token"]


def configured_key(config=None):
    text = (config or h.load_config())["users"]["provider_token_key"]
    h.remember_secret(text)  # test_logs: the key never reaches a log
    return base64.b64decode(text)


def extra_data(provider, uid):
    text = DB.value("SELECT extra_data FROM social_identities WHERE provider = %s AND uid = %s"
                    % (h.sql_quote(provider), h.sql_quote(uid)))
    return text, json.loads(text)


# ---- rate limits ----------------------------------------------------------------------

class CgiRateLimits(h.CgiCase):
    """Every CGI request is a process of its own: these counts can only be in MySQL."""

    def exchange_from(self, config, addr, token=None, backend=GOOGLE):
        return self.exchange(token or h.unregistered_token(), backend=backend, config=config,
                             remote_addr=addr)

    def assert_limited(self, resp, window):
        self.assert_json(resp, 429, RATE_LIMITED)
        retry_after = resp.header("Retry-After")
        self.assertIsNotNone(retry_after, resp.headers)
        self.assertRegex(retry_after, r"^[1-9][0-9]*$")
        left = window - time.time() % window
        self.assertLessEqual(int(retry_after), window)
        self.assertAlmostEqual(int(retry_after), left, delta=5)

    def test_over_the_client_limit_is_429_with_retry_after_before_the_provider_is_asked(self):
        config, window = limits_variant(per_ip=3)
        addr = benchmark_address()
        for _ in range(3):  # refused by the provider, yet counted
            self.assert_json(self.exchange_from(config, addr), 400, h.INVALID_TOKEN_BODY)
        token, spec = h.google_token(email="rl.%s@example.com" % h.unique())
        before = DB.snapshot()
        resp = self.exchange_from(config, addr, token)
        self.assert_limited(resp, window)
        self.assertEqual(FAKE.requests(token), [], "the provider was asked anyway")
        self.assert_unchanged(before)
        # the refused hit is not counted: a full window stays full
        self.assertEqual(hits_in_db("exchange:ip:" + addr, window), "3")
        # another client is not held back by this one
        self.assertEqual(self.exchange_from(config, benchmark_address(), token).status, 200)

    def test_ipv6_clients_count_per_64_bit_prefix(self):
        config, window = limits_variant(per_ip=2)
        prefix = documentation_prefix()
        self.assertEqual(self.exchange_from(config, prefix + "::1").status, 400)
        self.assertEqual(self.exchange_from(config, prefix + ":0:0:0:2").status, 400)
        self.assert_limited(self.exchange_from(config, prefix + ":ffff:ffff:ffff:ffff"), window)
        self.assertEqual(self.exchange_from(config, documentation_prefix() + "::1").status, 400)
        self.assertEqual(hits_in_db("exchange:ip:%s::/64" % prefix, window), "2")

    def test_an_ipv4_mapped_address_is_its_ipv4_client(self):
        config, window = limits_variant(per_ip=1)
        addr = benchmark_address()
        self.assertEqual(self.exchange_from(config, addr).status, 400)
        self.assert_limited(self.exchange_from(config, "::ffff:" + addr), window)

    def test_forwarded_headers_do_not_change_the_client(self):
        config, window = limits_variant(per_ip=1)
        addr = benchmark_address()
        self.assertEqual(self.exchange_from(config, addr).status, 400)
        for header in ("X-Forwarded-For", "X-Real-IP", "Forwarded", "Client-IP"):
            resp = self.exchange(h.unregistered_token(), config=config, remote_addr=addr,
                                 headers={header: benchmark_address()})
            self.assert_limited(resp, window)

    def test_the_backend_limit_counts_every_client_together(self):
        config, window = limits_variant(per_backend=2)
        for _ in range(2):
            self.exchange_from(config, benchmark_address(), backend=FACEBOOK)
        self.assert_limited(self.exchange_from(config, benchmark_address(), backend=FACEBOOK),
                            window)
        token, _ = h.google_token(email="rlb.%s@example.com" % h.unique())
        self.assertEqual(self.exchange_from(config, benchmark_address(), token).status, 200)

    def test_requests_refused_before_the_exchange_do_not_count(self):
        config, _ = limits_variant(per_ip=1)
        addr = benchmark_address()
        for body, ctype in (("{", "application/json"), ("{}", "application/json"),
                            ("x", "text/plain")):
            resp = self.call("POST", "/social/google-oauth2/", body=body, content_type=ctype,
                             config=config, remote_addr=addr)
            self.assertIn(resp.status, (400, 415), resp)
        token, _ = h.google_token(email="rlx.%s@example.com" % h.unique())
        self.assertEqual(self.exchange_from(config, addr, token).status, 200)

    def test_zero_turns_a_limit_off(self):
        config, window = limits_variant(per_ip=0, per_backend=0)
        addr = benchmark_address()
        for _ in range(4):
            self.assertEqual(self.exchange_from(config, addr).status, 400)
        self.assertEqual(hits_in_db("exchange:ip:" + addr, window), "0")


class SharedRateLimits(h.E2ETestCase):
    """One limit, counted by CGI processes and two FastCGI workers together."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.config, cls.window = limits_variant(per_ip=4, key="limits-shared")
        cls.instance = h.LighttpdInstance("ratelimit", cls.config, procs=2)
        cls.client = cls.instance.start()

    @classmethod
    def tearDownClass(cls):
        cls.instance.stop()
        super().tearDownClass()

    def test_cgi_and_fastcgi_processes_share_the_count(self):
        addr = loopback_address()
        cgi = h.CgiClient(self.config)
        self.assertEqual(self.exchange(h.unregistered_token(), client=cgi, remote_addr=addr)
                         .status, 400)
        self.assertEqual(self.exchange(h.unregistered_token(), remote_addr=addr).status, 400)
        self.assertEqual(self.exchange(h.unregistered_token(), client=cgi, remote_addr=addr)
                         .status, 400)
        self.assertEqual(self.exchange(h.unregistered_token(), remote_addr=addr).status, 400)
        self.assertEqual(len(h.children_of(self.instance.pid())), 2)
        resp = self.exchange(h.unregistered_token(), remote_addr=addr)
        self.assert_json(resp, 429, RATE_LIMITED)
        self.assertRegex(resp.header("Retry-After") or "", r"^[1-9][0-9]*$")
        resp = self.exchange(h.unregistered_token(), client=cgi, remote_addr=addr)
        self.assert_json(resp, 429, RATE_LIMITED)
        self.assertEqual(hits_in_db("exchange:ip:" + addr, self.window), "4")
        # a client of another address behind the same lighttpd still gets in
        token, _ = h.google_token(email="rls.%s@example.com" % h.unique())
        self.assertEqual(self.exchange(token, remote_addr=loopback_address()).status, 200)


# ---- provider tokens at rest ----------------------------------------------------------

class ProviderTokenScenarios:
    def test_the_provider_token_is_stored_encrypted_and_php_opens_it(self):
        token, spec = h.google_token(email="enc.%s@example.com" % h.unique())
        self.login(token)
        text, extra = extra_data(GOOGLE, spec["sub"])
        sealed = extra["access_token"]
        self.assertRegex(sealed, r"^v1:[A-Za-z0-9_-]+$")
        self.assertNotIn(token, text)
        self.assertNotIn(token.split(".", 1)[1][:12], text)
        key = configured_key()
        self.assertEqual(php_open(sealed, GOOGLE, spec["sub"], key), token)
        # bound to the identity and the key
        self.assertIsNone(php_open(sealed, GOOGLE, spec["sub"] + "0", key))
        self.assertIsNone(php_open(sealed, FACEBOOK, spec["sub"], key))
        self.assertIsNone(php_open(sealed, GOOGLE, spec["sub"], os.urandom(32)))
        tampered = sealed[:-2] + ("AA" if sealed[-2:] != "AA" else "BA")
        self.assertIsNone(php_open(tampered, GOOGLE, spec["sub"], key))

    def test_a_facebook_token_is_stored_encrypted_too(self):
        token, spec = h.facebook_token(email="encfb.%s@example.com" % h.unique())
        self.login(token, backend=FACEBOOK)
        text, extra = extra_data(FACEBOOK, spec["user_id"])
        self.assertNotIn(token, text)
        self.assertEqual(php_open(extra["access_token"], FACEBOOK, spec["user_id"],
                                  configured_key()), token)

    def test_logging_in_again_with_the_same_token_keeps_the_stored_value(self):
        token, spec = h.google_token(email="same.%s@example.com" % h.unique())
        self.login(token)
        _, first = extra_data(GOOGLE, spec["sub"])
        self.login(token)
        _, second = extra_data(GOOGLE, spec["sub"])
        self.assertEqual(second["access_token"], first["access_token"])


class CgiProviderTokens(ProviderTokenScenarios, h.CgiCase):
    def test_without_a_key_no_token_is_stored_and_an_old_one_goes(self):
        token, spec = h.google_token(email="nokey.%s@example.com" % h.unique())
        self.login(token)  # with the key of the main config
        self.assertIn("access_token", extra_data(GOOGLE, spec["sub"])[1])
        config = h.write_config_variant(
            "no-token-key", lambda c: c["users"].__setitem__("provider_token_key", ""))
        self.login(token, config=config)
        text, extra = extra_data(GOOGLE, spec["sub"])
        self.assertNotIn("access_token", extra)
        self.assertIn("auth_time", extra)
        self.assertNotIn(token, text)

    def test_a_new_user_without_a_key_gets_no_stored_token(self):
        config = h.write_config_variant(
            "no-token-key", lambda c: c["users"].__setitem__("provider_token_key", ""))
        token, spec = h.google_token(email="nokey2.%s@example.com" % h.unique())
        self.assertIs(self.login(token, config=config)["is_new"], True)
        text, extra = extra_data(GOOGLE, spec["sub"])
        self.assertEqual(sorted(extra), ["auth_time", "expires", "token_type"])
        self.assertNotIn(token, text)

    def test_the_key_may_come_from_the_environment_in_hex(self):
        key = os.urandom(32)
        h.remember_secret(key.hex())
        config = h.write_config_variant(
            "env-token-key", lambda c: c["users"].__setitem__("provider_token_key", ""))
        token, spec = h.google_token(email="envkey.%s@example.com" % h.unique())
        self.login(token, config=config, env={"SOCIALAUTH_PROVIDER_TOKEN_KEY": key.hex()})
        sealed = extra_data(GOOGLE, spec["sub"])[1]["access_token"]
        self.assertEqual(php_open(sealed, GOOGLE, spec["sub"], key), token)

    def test_a_malformed_key_is_a_config_error_named_by_its_key(self):
        bad = "not-32-bytes-of-" + h.unique()
        h.remember_secret(bad)
        config = h.write_config_variant(
            "bad-token-key", lambda c: c["users"].__setitem__("provider_token_key", bad))
        resp = h.CgiClient(config).request("GET", "/health")
        self.assert_json(resp, 500, MISCONFIGURED)
        self.assertIn(b"users.provider_token_key", resp.stderr)
        self.assertNotIn(bad.encode(), resp.stderr)


class FastCgiProviderTokens(ProviderTokenScenarios, h.FastCgiCase):
    pass


# ---- deactivation -------------------------------------------------------------------

class DeactivationScenarios:
    def test_tokens_of_a_user_deactivated_in_the_database_are_refused(self):
        token, _ = h.google_token(email="deact.%s@example.com" % h.unique())
        body = self.login(token)
        api_token, user_id = body["token"], body["user"]["id"]
        self.assertEqual(self.me(api_token).status, 200)
        DB.query("UPDATE users SET is_active = 0 WHERE id = %d" % user_id)
        self.assert_json(self.me(api_token), 401, {"error": "invalid_token"})
        resp = self.call("POST", "/logout/all", headers={"Authorization": "Token " + api_token})
        self.assert_json(resp, 401, {"error": "invalid_token"})
        # and the exchange refuses the user too, issuing nothing
        before = DB.snapshot()
        self.assert_json(self.exchange(token), 400, h.INACTIVE_BODY)
        self.assert_unchanged(before)

    def test_the_readme_deactivation_sql_leaves_nothing_for_the_php_check(self):
        token, _ = h.google_token(email="deact2.%s@example.com" % h.unique())
        first = self.login(token)
        second = self.login(token)
        user_id = first["user"]["id"]
        self.assertEqual(DB.user_id_for_token(second["token"]), str(user_id))
        DB.query("START TRANSACTION; UPDATE users SET is_active = 0 WHERE id = %d; "
                 "UPDATE api_tokens SET revoked_at = NOW() WHERE user_id = %d AND "
                 "revoked_at IS NULL; COMMIT" % (user_id, user_id))
        self.assertIsNone(DB.user_id_for_token(first["token"]))
        self.assertIsNone(DB.user_id_for_token(second["token"]))
        # reactivated, the old tokens stay revoked
        DB.query("UPDATE users SET is_active = 1 WHERE id = %d" % user_id)
        self.assert_json(self.me(second["token"]), 401, {"error": "invalid_token"})
        self.assertEqual(self.me(self.login(token)["token"]).status, 200)


    def test_the_admin_tool_deactivates_and_revokes_every_token(self):
        token, _ = h.google_token(email="deact3.%s@example.com" % h.unique())
        first = self.login(token)
        second = self.login(token)
        user_id = first["user"]["id"]
        bystander = self.login(h.google_token(email="by.%s@example.com" % h.unique())[0])
        out = admin("users", "deactivate", str(user_id))
        self.assertIn("user %d" % user_id, out)
        self.assertEqual(DB.count("api_tokens", "user_id = %d AND revoked_at IS NULL" % user_id), 0)
        for api_token in (first["token"], second["token"]):
            self.assertIsNone(DB.user_id_for_token(api_token))
            self.assert_json(self.me(api_token), 401, {"error": "invalid_token"})
        self.assertEqual(self.me(bystander["token"]).status, 200)
        admin("users", "activate", str(user_id))
        self.assert_json(self.me(second["token"]), 401, {"error": "invalid_token"})
        self.assertEqual(self.me(self.login(token)["token"]).status, 200)


def admin(*args, expect=0):
    proc = subprocess.run([h.ADMIN_BIN, "--config", h.path("config.json"), *args],
                          capture_output=True, text=True, timeout=30)
    if proc.returncode != expect:
        raise AssertionError("socialauth-admin %s: exit %d, expected %d: %s%s"
                             % (" ".join(args), proc.returncode, expect, proc.stdout, proc.stderr))
    return proc.stdout + proc.stderr


class CgiDeactivation(DeactivationScenarios, h.CgiCase):
    def test_the_admin_tool_refuses_unknown_users_and_bad_arguments(self):
        self.assertIn("no user", admin("users", "deactivate", "999999999", expect=1))
        for args in (("users",), ("users", "deactivate"), ("users", "delete", "1"),
                     ("users", "deactivate", "1x"), ("users", "deactivate", "-1"),
                     ("users", "deactivate", "1", "2"), ("migrate", "now")):
            with self.subTest(args=args):
                admin(*args, expect=2)


class FastCgiDeactivation(DeactivationScenarios, h.FastCgiCase):
    pass


# ---- response headers and log lines -------------------------------------------------

INJECTED = "\r\nSet-Cookie: owned=1\r\nX-Injected: 1"


class CgiHeadersAndLogs(h.CgiCase):
    """Through CGI a request's headers and path are environment variables, so CR and LF
    can reach the program (a web server would refuse them on the wire)."""

    def assert_clean_headers(self, resp):
        for name, value in resp.headers:
            self.assertNotIn(name.lower(), ("set-cookie", "x-injected"), resp.headers)
            self.assertNotIn("owned", value, resp.headers)
            self.assertNotIn("Injected", value, resp.headers)

    def test_no_request_value_reaches_a_response_header(self):
        origin = h.load_config()["http"]["cors_allowed_origins"][0]
        api_token = self.login(h.google_token(email="hdr.%s@example.com" % h.unique())[0])["token"]
        cases = [
            ("POST", "/social/google-oauth2/", {"Origin": origin + INJECTED}),
            ("POST", "/social/google-oauth2/", {"Origin": INJECTED}),
            ("OPTIONS", "/social/google-oauth2/", {"Origin": origin,
                                                   "Access-Control-Request-Method":
                                                       "POST" + INJECTED,
                                                   "Access-Control-Request-Headers": INJECTED}),
            ("GET", "/me", {"Authorization": "Token " + api_token + INJECTED,
                            "Origin": origin + INJECTED}),
            ("GET", "/me" + INJECTED, {"Origin": origin}),
            ("PUT", "/me", {"Origin": origin + "\n"}),
            ("GET", "/social/google-oauth2" + INJECTED + "/", {}),
        ]
        for method, route, headers in cases:
            with self.subTest(method=method, route=route, headers=headers):
                body = '{"access_token": "x"}' if method == "POST" else None
                resp = self.call(method, route, body=body,
                                 content_type="application/json" if body else None,
                                 headers=headers)
                self.assert_clean_headers(resp)
                if "Origin" in headers and headers["Origin"] != origin:
                    self.assertIsNone(resp.header("Access-Control-Allow-Origin"), resp.headers)

    def test_a_path_with_newlines_and_escape_sequences_is_one_escaped_log_line(self):
        resp = self.call("GET", "/me\nreq=forged status=200\x1b[2J\x1b]0;owned\x07")
        self.assertEqual(resp.status, 404)
        lines = resp.stderr.split(b"\n")
        self.assertEqual(lines[-1], b"", resp.stderr)
        self.assertEqual(len(lines), 2, resp.stderr)
        self.assertFalse(any(b < 0x20 or b == 0x7f for b in lines[0]), lines[0])
        self.assertIn(b"route=/me\\x0areq=forged status=200\\x1b[2J\\x1b]0;owned\\x07", lines[0])
