"""Matching an existing user by email (SPEC §4.2): only when the provider vouches for
the address and the user's own email is verified; ASCII case folds, nothing else."""

import unittest

import harness as h
from harness import DB, FACEBOOK, GOOGLE


class EmailMatchingScenarios:
    def test_second_google_identity_with_same_verified_email_links_to_the_user(self):
        email = "link.%s@example.com" % h.unique()
        first_token, first_spec = h.google_token(email=email)
        first = self.login(first_token)
        token, spec = h.google_token(email=email)
        resp = self.exchange(token)
        self.assertEqual(resp.status, 200, resp)
        body = resp.json()
        self.assertIs(body["is_new"], False)
        self.assertEqual(body["user"]["id"], first["user"]["id"])
        me = self.me(body["token"]).json()
        self.assertEqual(sorted(i["uid"] for i in me["identities"]),
                         sorted([first_spec["sub"], spec["sub"]]))
        self.assertEqual({i["provider"] for i in me["identities"]}, {GOOGLE})
        self.assertEqual(DB.count("users", "email = %s" % h.sql_quote(email)), 1)

    def test_email_case_differences_match(self):
        u = h.unique()
        first = self.login(h.google_token(email="Jane.%s@Example.com" % u)[0])
        resp = self.exchange(h.google_token(email="jane.%s@example.com" % u)[0])
        self.assertEqual(resp.status, 200, resp)
        self.assertIs(resp.json()["is_new"], False)
        self.assertEqual(resp.json()["user"]["id"], first["user"]["id"])

    def test_lookalike_email_does_not_match(self):
        u = h.unique()
        first = self.login(h.google_token(email="jane.%s@example.com" % u)[0])
        # Cyrillic small a (U+0430) instead of the Latin one
        resp = self.exchange(h.google_token(email="j\u0430ne.%s@example.com" % u)[0])
        self.assertEqual(resp.status, 200, resp)
        self.assertIs(resp.json()["is_new"], True)
        self.assertNotEqual(resp.json()["user"]["id"], first["user"]["id"])
        self.assertEqual(resp.json()["user"]["email"], "j\u0430ne.%s@example.com" % u)
        # and the stored address keeps its exact characters
        self.assertEqual(DB.value("SELECT email FROM users WHERE id = %d" % resp.json()["user"]["id"]),
                         "j\u0430ne.%s@example.com" % u)

    def test_unverified_email_of_existing_user_is_409_and_creates_nothing(self):
        email = "unv.%s@example.com" % h.unique()
        first = self.login(h.google_token(email=email)[0])
        before = DB.snapshot()
        token, spec = h.google_token(email=email, email_verified=False)
        resp = self.exchange(token)
        body = self.assert_error(resp, 409, "email_in_use", ["email"])
        self.assertEqual(set(body), {"error", "errors"})
        self.assert_unchanged(before)
        self.assertEqual(DB.count("social_identities", "uid = %s" % h.sql_quote(spec["sub"])), 0)
        self.assertEqual(DB.count("users", "email = %s" % h.sql_quote(email)), 1)
        self.assertEqual(self.me(first["token"]).status, 200)

    def test_facebook_email_of_existing_user_is_409_because_facebook_does_not_vouch(self):
        email = "fbdup.%s@example.com" % h.unique()
        self.login(h.google_token(email=email)[0])
        before = DB.snapshot()
        resp = self.exchange(h.facebook_token(email=email)[0], backend=FACEBOOK)
        self.assert_error(resp, 409, "email_in_use", ["email"])
        self.assert_unchanged(before)

    def test_user_with_unverified_email_is_not_captured_by_a_later_verified_login(self):
        # pre-account-takeover: an attacker signs up through Facebook with the
        # victim's address; the victim's later verified Google login must not link.
        email = "victim.%s@example.com" % h.unique()
        attacker = self.login(h.facebook_token(email=email)[0], backend=FACEBOOK)
        self.assertIs(attacker["is_new"], True)
        before = DB.snapshot()
        resp = self.exchange(h.google_token(email=email)[0])
        self.assert_error(resp, 409, "email_in_use", ["email"])
        self.assert_unchanged(before)
        self.assertEqual(DB.value("SELECT email_verified FROM users WHERE id = %d"
                                  % attacker["user"]["id"]), "0")

    def test_new_user_from_unverified_google_email_is_marked_unverified(self):
        email = "newunv.%s@example.com" % h.unique()
        body = self.login(h.google_token(email=email, email_verified=False)[0])
        self.assertIs(body["is_new"], True)
        self.assertEqual(DB.value("SELECT email_verified FROM users WHERE id = %d"
                                  % body["user"]["id"]), "0")


class CgiEmailMatching(EmailMatchingScenarios, h.CgiCase):
    pass


class FastCgiEmailMatching(EmailMatchingScenarios, h.FastCgiCase):
    pass


if __name__ == "__main__":
    unittest.main()
