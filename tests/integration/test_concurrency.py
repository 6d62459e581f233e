"""Simultaneous first logins of one new identity (SPEC §4.3): exactly one user and one
identity; every response's token belongs to that user."""

import concurrent.futures
import json
import unittest

import harness as h
from harness import DB, GOOGLE

PARALLEL = 12


class ConcurrencyScenarios:
    def run_parallel(self, token):
        def one(_):
            return self.client.request("POST", "/social/google-oauth2/",
                                       body=json.dumps({"access_token": token}),
                                       content_type="application/json")
        with concurrent.futures.ThreadPoolExecutor(PARALLEL) as pool:
            return list(pool.map(one, range(PARALLEL)))

    def test_simultaneous_first_logins_create_one_user(self):
        email = "race.%s@example.com" % h.unique()
        token, spec = h.google_token(email=email)
        responses = self.run_parallel(token)
        for resp in responses:
            self.assert_standard_headers(resp)
            self.assertEqual(resp.status, 200, resp)
        bodies = [r.json() for r in responses]
        for body in bodies:
            h.remember_secret(body["token"])
        self.assertEqual(len({b["user"]["id"] for b in bodies}), 1, bodies)
        self.assertEqual(len({b["token"] for b in bodies}), PARALLEL)
        self.assertEqual(sum(1 for b in bodies if b["is_new"]), 1,
                         [b["is_new"] for b in bodies])
        user_id = bodies[0]["user"]["id"]
        self.assertEqual(DB.count("users", "email = %s" % h.sql_quote(email)), 1)
        self.assertEqual(DB.count("social_identities", "provider = %s AND uid = %s"
                                  % (h.sql_quote(GOOGLE), h.sql_quote(spec["sub"]))), 1)
        for body in bodies:
            self.assertEqual(DB.user_id_for_token(body["token"]), str(user_id))

    def test_simultaneous_logins_of_two_identities_with_one_verified_email(self):
        email = "race2.%s@example.com" % h.unique()
        tokens = [h.google_token(email=email)[0] for _ in range(2)]

        def one(i):
            return self.client.request("POST", "/social/google-oauth2/",
                                       body=json.dumps({"access_token": tokens[i % 2]}),
                                       content_type="application/json")
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            responses = list(pool.map(one, range(8)))
        for resp in responses:
            self.assertEqual(resp.status, 200, resp)
            h.remember_secret(resp.json()["token"])
        self.assertEqual(len({r.json()["user"]["id"] for r in responses}), 1)
        self.assertEqual(DB.count("users", "email = %s" % h.sql_quote(email)), 1)


class CgiConcurrency(ConcurrencyScenarios, h.CgiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Twelve programs starting at once, each with a TLS handshake of its own, answer
        # slowly on a small machine (and more slowly still when built with ASan):
        # generous provider timeouts keep a 502 from standing in for the outcome under test.
        def mutate(c):
            c["outbound"]["connect_timeout_ms"] = 10000
            c["outbound"]["timeout_ms"] = 20000
        cls.client = h.CgiClient(config=h.write_config_variant("concurrency", mutate))


class FastCgiConcurrency(ConcurrencyScenarios, h.FastCgiCase):
    pass


if __name__ == "__main__":
    unittest.main()
