"""First-login races (SPEC §4.3, issue 3 "Races"); run through test_attacks.py.

Twenty requests fired at once (Python threads released by one barrier): as twenty CGI
processes, and through a lighttpd of its own with several FastCGI workers. Whatever the
interleaving, exactly one user and one identity per (provider, uid) come out, every
answer is 200 or a retryable 503, and every token issued belongs to that one user
(checked through /me and through the PHP-side query of SPEC §5).

Each request comes from a client address of its own, so no per-client rate limit can
turn the race into a test of the rate limiter.
"""

import json
import threading

import harness as h
from harness import DB, FACEBOOK, GOOGLE
from attack_support import AttackCase, SERVICE_UNAVAILABLE, SESSION, client_addr

PARALLEL = 20
FASTCGI_WORKERS = 6


def race_config():
    # Facebook vouches for addresses here (trust_email), so that a Google and a
    # Facebook login with one address both count as verified. Twenty processes at once
    # on a small machine answer slowly: generous provider timeouts keep a 502 from
    # standing in for the outcome under test.
    def mutate(c):
        c["providers"][FACEBOOK]["trust_email"] = True
        c["outbound"]["connect_timeout_ms"] = 10000
        c["outbound"]["timeout_ms"] = 20000
    return h.write_config_variant("race-trust-email", mutate)


class RaceAttacks(AttackCase):
    race_client = None

    def fire(self, logins):
        """Sends the exchanges in logins [(provider token, backend)] all at once."""
        barrier = threading.Barrier(len(logins))
        results = [None] * len(logins)

        def one(i):
            token, backend = logins[i]
            addr = client_addr()
            body = json.dumps({"access_token": token})
            try:
                barrier.wait(30)
                results[i] = self.race_client.request("POST", "/social/%s/" % backend, body=body,
                                                      content_type="application/json",
                                                      remote_addr=addr, timeout=60)
            except Exception as e:  # noqa: BLE001 - reported below with the others
                results[i] = e
        threads = [threading.Thread(target=one, args=(i,)) for i in range(len(logins))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(90)
        for r in results:
            self.assertIsInstance(r, h.Response, results)
            self.assert_standard_headers(r)
            self.assertIn(r.status, (200, 503), r)
            if r.status == 503:
                self.assertEqual(r.json(), SERVICE_UNAVAILABLE, r)
            else:
                h.remember_secret(r.json()["token"])
        ok = [r.json() for r in results if r.status == 200]
        self.assertTrue(ok, "no request of the race succeeded: %r" % results)
        return ok, len(results) - len(ok)

    def assert_one_user(self, email, ok, retried, identities):
        """Exactly one user holds email, with exactly these identities; every token of
        the race is that user's."""
        users = DB.query("SELECT id FROM users WHERE email = %s" % h.sql_quote(email))
        self.assertEqual(len(users), 1, users)
        user_id = int(users[0][0])
        for provider, uid in identities:
            rows = DB.query("SELECT user_id FROM social_identities WHERE provider = %s AND uid = %s"
                            % (h.sql_quote(provider), h.sql_quote(uid)))
            self.assertEqual(rows, [[str(user_id)]], (provider, uid))
        self.assertEqual({b["user"]["id"] for b in ok}, {user_id})
        # the creator's answer is always a 200: a 503 is a request that gave up retrying
        self.assertEqual(sum(1 for b in ok if b["is_new"]), 1, [b["is_new"] for b in ok])
        self.assertEqual(len({b["token"] for b in ok}), len(ok))
        self.assertEqual(DB.count("api_tokens", "user_id = %d" % user_id), len(ok))
        expected = sorted([{"provider": p, "uid": u} for p, u in identities],
                          key=lambda i: (i["provider"], i["uid"]))
        # the PHP-side check of SPEC §5, for every token at once
        hashes = ", ".join("SHA2(%s, 256)" % h.sql_quote(b["token"]) for b in ok)
        owners = SESSION.query(
            "SELECT user_id FROM api_tokens WHERE token_hash IN (%s) AND revoked_at IS NULL "
            "AND (expires_at IS NULL OR expires_at > NOW())" % hashes).split()
        self.assertEqual(owners, [str(user_id)] * len(ok))
        # and /me, through the main lighttpd: the database is the same, and the race's
        # own client, when it is CGI, would cost a process per token
        for body in ok:
            resp = self.call("GET", "/me", client=h.HttpClient(),
                             headers={"Authorization": "Token " + body["token"]})
            self.assertEqual(resp.status, 200, resp)
            me = resp.json()
            self.assertEqual(me["id"], user_id)
            self.assertEqual(sorted(me["identities"], key=lambda i: (i["provider"], i["uid"])),
                             expected)

    def test_twenty_first_logins_of_one_new_identity(self):
        email = "race20.%s@example.com" % h.unique()
        token, spec = h.google_token(email=email)
        ok, retried = self.fire([(token, GOOGLE)] * PARALLEL)
        self.assert_one_user(email, ok, retried, [(GOOGLE, spec["sub"])])

    def test_first_logins_of_two_providers_sharing_one_verified_email(self):
        email = "race2p.%s@example.com" % h.unique()
        google, gspec = h.google_token(email=email)
        facebook, fspec = h.facebook_token(email=email)
        logins = [(google, GOOGLE) if i % 2 == 0 else (facebook, FACEBOOK) for i in range(PARALLEL)]
        ok, retried = self.fire(logins)
        self.assert_one_user(email, ok, retried, [(GOOGLE, gspec["sub"]),
                                                  (FACEBOOK, fspec["user_id"])])

    def test_first_logins_of_two_google_identities_sharing_one_verified_email(self):
        email = "race2g.%s@example.com" % h.unique()
        first, spec1 = h.google_token(email=email)
        second, spec2 = h.google_token(email=email.upper())
        logins = [(first if i % 2 == 0 else second, GOOGLE) for i in range(PARALLEL)]
        ok, retried = self.fire(logins)
        self.assert_one_user(email, ok, retried, [(GOOGLE, spec1["sub"]), (GOOGLE, spec2["sub"])])


    def test_simultaneous_sign_ups_that_want_one_username(self):
        # ten new people whose addresses share the local part: ten users, ten distinct
        # usernames, nobody handed another's account (the username key's retry path)
        u = h.unique()
        logins = [h.google_token(email="jane.%s@d%d.example" % (u, i)) for i in range(10)]
        ok, _ = self.fire([(token, GOOGLE) for token, _ in logins])
        self.assertEqual(len(ok), len(logins), "a sign-up gave up: %r" % ok)
        self.assertEqual(len({b["user"]["id"] for b in ok}), len(logins))
        self.assertEqual(len({b["user"]["username"].lower() for b in ok}), len(logins))
        self.assertTrue(all(b["is_new"] for b in ok))
        by_email = {b["user"]["email"]: b for b in ok}
        for token, spec in logins:
            body = by_email[spec["email"]]
            rows = DB.query("SELECT user_id FROM social_identities WHERE provider = %s AND uid = %s"
                            % (h.sql_quote(GOOGLE), h.sql_quote(spec["sub"])))
            self.assertEqual(rows, [[str(body["user"]["id"])]], spec["email"])


class CgiRaceAttacks(RaceAttacks, h.CgiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.race_client = h.CgiClient(race_config())


class FastCgiRaceAttacks(RaceAttacks, h.FastCgiCase):
    instance = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.instance = h.LighttpdInstance("race", race_config(), procs=FASTCGI_WORKERS)
        cls.race_client = cls.instance.start()

    @classmethod
    def tearDownClass(cls):
        if cls.instance is not None:
            cls.instance.stop()
        super().tearDownClass()
