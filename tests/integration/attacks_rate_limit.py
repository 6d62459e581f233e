"""Rate limits on the exchange (issue 3, "Abuse"); run through test_attacks.py.

Config: rate_limits.exchange_per_ip and rate_limits.exchange_per_backend, each
{"requests": N, "window_seconds": W}, fixed windows aligned to the epoch, counted in
MySQL so that CGI and FastCGI processes share them; a refused exchange is a 429
{"error": "rate_limited"} with Retry-After and is refused before the provider is asked.

Every test uses a window length of its own (so its counters start at zero and no other
test's hits count) far from its end (so the window does not turn over mid-test), and
client addresses of its own.
"""

import json
import random
import time

import harness as h
from harness import DB, FACEBOOK, FAKE, GOOGLE
from attack_support import AttackCase, RATE_LIMITED, client_addr

LIMIT = 3
INVALID = h.INVALID_TOKEN_BODY


def fresh_window(min_left=300):
    """A window length whose current window has at least min_left seconds to run."""
    while True:
        window = random.randint(40000, 86400)
        if window - time.time() % window > min_left:
            return window


def limits_config(per_ip=0, per_backend=0):
    window = fresh_window()

    def mutate(c):
        c["rate_limits"] = {
            "exchange_per_ip": {"requests": per_ip, "window_seconds": window},
            "exchange_per_backend": {"requests": per_backend, "window_seconds": window},
        }
    return h.write_config_variant("ratelimit-" + h.unique(), mutate), window


class RateLimitAttacks(AttackCase):
    per_client = None  # (client, window) under a per-client limit, shared by the tests

    def limited_client(self, config):
        raise NotImplementedError

    def per_client_limit(self):
        """A client of a config with a per-client limit of LIMIT, shared by the tests
        of a class: each test counts under client addresses of its own."""
        cls = type(self)
        if cls.per_client is None:
            config, window = limits_config(per_ip=LIMIT)
            cls.per_client = (cls.start_client(config), window, config)
        return cls.per_client

    def send(self, client, token, addr, backend=GOOGLE, headers=None):
        return lambda: self.call("POST", "/social/%s/" % backend, client=client,
                                 body=json.dumps({"access_token": token}),
                                 content_type="application/json", remote_addr=addr,
                                 headers=headers or {})

    def use_up(self, client, addrs, backend=GOOGLE):
        """LIMIT exchanges with unknown tokens: refused by the provider, yet counted."""
        for addr in addrs:
            resp = self.send(client, h.unregistered_token(), addr, backend)()
            self.assert_json(resp, 400, INVALID)

    def assert_limited(self, resp, window):
        retry_after = resp.header("Retry-After")
        self.assertIsNotNone(retry_after, resp.headers)
        self.assertRegex(retry_after, r"^[1-9][0-9]*$")
        left = window - time.time() % window
        self.assertLessEqual(int(retry_after), window)
        self.assertAlmostEqual(int(retry_after), left, delta=5)

    def test_exchange_limit_per_client(self):
        client, window, _ = self.per_client_limit()
        addr = client_addr()
        self.use_up(client, [addr] * LIMIT)
        victim_token, spec = h.google_token(email="rl.%s@example.com" % h.unique())
        resp = self.attack(self.send(client, victim_token, addr), 429, RATE_LIMITED)
        self.assert_limited(resp, window)
        self.assertEqual(FAKE.requests(victim_token), [], "the provider was asked anyway")
        self.assertEqual(DB.count("social_identities", "uid = %s" % h.sql_quote(spec["sub"])), 0)
        # per client: another address still gets in
        ok = self.send(client, victim_token, client_addr())()
        self.assertEqual(ok.status, 200, ok)
        h.remember_secret(ok.json()["token"])

    def test_forwarded_headers_do_not_reset_the_limit(self):
        client, window, _ = self.per_client_limit()
        addr = client_addr()
        self.use_up(client, [addr] * LIMIT)
        token, _ = h.google_token(email="rlxff.%s@example.com" % h.unique())
        for name in ("X-Forwarded-For", "X-Real-IP", "Forwarded", "Client-IP", "True-Client-IP",
                     "X-Client-IP", "CF-Connecting-IP"):
            with self.subTest(header=name):
                fake = "198.51.100.%d" % random.randint(1, 254)
                value = "for=%s" % fake if name == "Forwarded" else fake
                resp = self.attack(self.send(client, token, addr, headers={name: value}), 429,
                                   RATE_LIMITED)
                self.assert_limited(resp, window)
        self.assertEqual(FAKE.requests(token), [])

    def test_exchange_limit_per_backend(self):
        config, window = limits_config(per_backend=LIMIT)
        client = self.limited_client(config)
        self.use_up(client, [client_addr() for _ in range(LIMIT)])
        token, _ = h.google_token(email="rlbe.%s@example.com" % h.unique())
        resp = self.attack(self.send(client, token, client_addr()), 429, RATE_LIMITED)
        self.assert_limited(resp, window)
        self.assertEqual(FAKE.requests(token), [])
        # per backend: Facebook is not held back by Google's count
        fb, _ = h.facebook_token(email="rlbefb.%s@example.com" % h.unique())
        ok = self.send(client, fb, client_addr(), backend=FACEBOOK)()
        self.assertEqual(ok.status, 200, ok)
        h.remember_secret(ok.json()["token"])


class CgiRateLimitAttacks(RateLimitAttacks, h.CgiCase):
    @classmethod
    def start_client(cls, config):
        return h.CgiClient(config)

    def limited_client(self, config):
        return h.CgiClient(config)

    def test_ipv6_clients_count_per_64_block(self):
        # rotating addresses within one /64, or writing an IPv4 address IPv4-mapped,
        # does not escape the per-client limit
        client, window, _ = self.per_client_limit()
        prefix = "2001:db8:%x:%x" % (random.randint(1, 0xffff), random.randint(1, 0xffff))
        self.use_up(client, ["%s::%x" % (prefix, i + 1) for i in range(LIMIT)])
        token, _ = h.google_token(email="rl6.%s@example.com" % h.unique())
        resp = self.attack(self.send(client, token, "%s:1:2:3:4" % prefix), 429, RATE_LIMITED)
        self.assert_limited(resp, window)
        v4 = "203.0.113.%d" % random.randint(1, 254)
        self.use_up(client, [v4] * LIMIT)
        resp = self.attack(self.send(client, token, "::ffff:" + v4), 429, RATE_LIMITED)
        self.assertEqual(FAKE.requests(token), [])


class FastCgiRateLimitAttacks(RateLimitAttacks, h.FastCgiCase):
    instances = []

    @classmethod
    def start_client(cls, config):
        instance = h.LighttpdInstance("rl-" + h.unique(), config, procs=1)
        cls.instances.append(instance)
        return instance.start()

    @classmethod
    def tearDownClass(cls):
        while cls.instances:
            cls.instances.pop().stop()
        super().tearDownClass()

    def limited_client(self, config):
        return self.start_client(config)

    def test_limit_is_shared_by_cgi_and_fastcgi(self):
        fastcgi, window, config = self.per_client_limit()
        cgi = h.CgiClient(config)
        addr = client_addr()
        self.use_up(cgi, [addr] * (LIMIT - 1))
        self.use_up(fastcgi, [addr])
        token, _ = h.google_token(email="rlshared.%s@example.com" % h.unique())
        for client in (cgi, fastcgi):
            with self.subTest(via=client.via):
                resp = self.attack(self.send(client, token, addr), 429, RATE_LIMITED)
                self.assert_limited(resp, window)
        self.assertEqual(FAKE.requests(token), [])
