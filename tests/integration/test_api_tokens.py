"""Using and revoking the API token (SPEC §2, §2.2): /me, /logout, /logout/all."""

import unittest

import harness as h
from harness import DB, FACEBOOK

NOT_AUTHENTICATED = {"error": "not_authenticated"}
INVALID_API_TOKEN = {"error": "invalid_token"}


class ApiTokenScenarios:
    def assert_401(self, resp, body):
        self.assert_json(resp, 401, body)
        self.assertEqual(resp.header("WWW-Authenticate"), "Token", resp.headers)

    def new_user(self, **fields):
        fields.setdefault("email", "tok.%s@example.com" % h.unique())
        token, spec = h.google_token(**fields)
        return self.login(token), spec

    def test_me_with_token_scheme(self):
        body, spec = self.new_user(given_name="Mia", family_name="Meyer")
        resp = self.me(body["token"], "Token")
        self.assertEqual(resp.status, 200, resp)
        me = resp.json()
        for key, value in body["user"].items():
            self.assertEqual(me[key], value, key)
        self.assertIs(me["is_active"], True)
        self.assertRegex(me["date_joined"], h.EXPIRES_AT_RE)
        self.assertRegex(me["last_login"], h.EXPIRES_AT_RE)
        self.assertEqual(me["identities"], [{"provider": h.GOOGLE, "uid": spec["sub"]}])
        self.assertEqual(set(me), {"id", "username", "email", "first_name", "last_name",
                                   "is_active", "date_joined", "last_login", "identities"})

    def test_me_with_bearer_scheme(self):
        body, spec = self.new_user()
        resp = self.me(body["token"], "Bearer")
        self.assertEqual(resp.status, 200, resp)
        self.assertEqual(resp.json()["id"], body["user"]["id"])
        self.assertEqual(resp.json()["identities"], [{"provider": h.GOOGLE, "uid": spec["sub"]}])

    def test_me_lists_every_identity(self):
        email = "multi.%s@example.com" % h.unique()
        first = self.login(h.google_token(email=email)[0])
        token, fb = h.facebook_token(email="other.%s@example.com" % h.unique())
        fb_login = self.login(token, backend=FACEBOOK)
        self.assertNotEqual(fb_login["user"]["id"], first["user"]["id"])
        me = self.me(first["token"]).json()
        self.assertEqual(len(me["identities"]), 1)
        self.assertEqual(self.me(fb_login["token"]).json()["identities"],
                         [{"provider": FACEBOOK, "uid": fb["user_id"]}])

    def test_me_without_authorization_is_not_authenticated(self):
        self.assert_401(self.call("GET", "/me"), NOT_AUTHENTICATED)

    def test_me_with_unknown_token_is_invalid_token(self):
        self.assert_401(self.me(h.remember_secret("A" * 43)), INVALID_API_TOKEN)
        self.assert_401(self.me(h.unregistered_token("garbage-")), INVALID_API_TOKEN)

    def test_me_with_other_scheme_or_empty_token_is_refused(self):
        body, _ = self.new_user()
        for value in ("Basic " + body["token"], "Token", "Token ", body["token"]):
            with self.subTest(authorization=value):
                resp = self.call("GET", "/me", headers={"Authorization": value})
                self.assertEqual(resp.status, 401, resp)
                self.assertIn(resp.json(), (NOT_AUTHENTICATED, INVALID_API_TOKEN))
                self.assertEqual(resp.header("WWW-Authenticate"), "Token")

    def test_token_in_query_string_is_not_accepted(self):
        body, _ = self.new_user()
        for query in ("token=" + body["token"], "access_token=" + body["token"],
                      "auth_token=" + body["token"]):
            with self.subTest(query=query.split("=")[0]):
                self.assert_401(self.call("GET", "/me", query=query), NOT_AUTHENTICATED)
        resp = self.call("POST", "/logout", query="token=" + body["token"], body="",
                         content_type="application/json")
        self.assert_401(resp, NOT_AUTHENTICATED)
        self.assertEqual(self.me(body["token"]).status, 200)

    def test_token_in_body_is_not_accepted(self):
        body, _ = self.new_user()
        resp = self.call("POST", "/logout", body='{"token": "%s"}' % body["token"],
                         content_type="application/json")
        self.assert_401(resp, NOT_AUTHENTICATED)
        self.assertEqual(self.me(body["token"]).status, 200)

    def test_logout_revokes_the_presented_token_only(self):
        token, _ = h.google_token(email="lo.%s@example.com" % h.unique())
        first = self.login(token)
        second = self.login(token)
        resp = self.call("POST", "/logout", body="", content_type="application/json",
                         headers={"Authorization": "Token " + first["token"]})
        self.assert_no_content(resp)
        self.assert_401(self.me(first["token"]), INVALID_API_TOKEN)
        self.assertEqual(self.me(second["token"]).status, 200)
        self.assertIsNone(DB.user_id_for_token(first["token"]))
        self.assertEqual(DB.user_id_for_token(second["token"]), str(first["user"]["id"]))
        # a second logout with the revoked token is refused
        again = self.call("POST", "/logout", body="", content_type="application/json",
                          headers={"Authorization": "Token " + first["token"]})
        self.assert_401(again, INVALID_API_TOKEN)

    def test_logout_without_body_framing_works(self):
        body, _ = self.new_user()
        resp = self.call("POST", "/logout", headers={"Authorization": "Bearer " + body["token"]})
        self.assert_no_content(resp)
        self.assert_401(self.me(body["token"]), INVALID_API_TOKEN)

    def test_logout_all_revokes_every_token_of_the_user(self):
        email = "loa.%s@example.com" % h.unique()
        token, _ = h.google_token(email=email)
        logins = [self.login(token) for _ in range(3)]
        # a second identity of the same user
        logins.append(self.login(h.google_token(email=email)[0]))
        user_id = logins[0]["user"]["id"]
        self.assertEqual({l["user"]["id"] for l in logins}, {user_id})
        other = self.new_user()[0]
        resp = self.call("POST", "/logout/all", body="", content_type="application/json",
                         headers={"Authorization": "Token " + logins[1]["token"]})
        self.assert_no_content(resp)
        for login in logins:
            self.assert_401(self.me(login["token"]), INVALID_API_TOKEN)
        self.assertEqual(DB.count("api_tokens", "user_id = %d AND revoked_at IS NULL" % user_id), 0)
        self.assertEqual(self.me(other["token"]).status, 200)
        # logging in again still works and gives a working token
        fresh = self.login(token)
        self.assertEqual(fresh["user"]["id"], user_id)
        self.assertEqual(self.me(fresh["token"]).status, 200)

    def test_expired_token_is_invalid(self):
        body, _ = self.new_user()
        DB.query("UPDATE api_tokens SET expires_at = NOW() - INTERVAL 1 SECOND "
                 "WHERE token_hash = SHA2('%s', 256)" % body["token"])
        self.assert_401(self.me(body["token"]), INVALID_API_TOKEN)

    def test_token_unused_past_idle_lifetime_is_invalid(self):
        body, _ = self.new_user()
        idle = h.load_config()["tokens"]["idle_seconds"]
        DB.query("UPDATE api_tokens SET last_used = NOW() - INTERVAL %d SECOND, "
                 "created = NOW() - INTERVAL %d SECOND WHERE token_hash = SHA2('%s', 256)"
                 % (idle + 60, idle + 60, body["token"]))
        self.assert_401(self.me(body["token"]), INVALID_API_TOKEN)

    def test_revoked_in_database_is_invalid(self):
        body, _ = self.new_user()
        DB.query("UPDATE api_tokens SET revoked_at = NOW() WHERE token_hash = SHA2('%s', 256)"
                 % body["token"])
        self.assert_401(self.me(body["token"]), INVALID_API_TOKEN)


class CgiApiTokens(ApiTokenScenarios, h.CgiCase):
    pass


class FastCgiApiTokens(ApiTokenScenarios, h.FastCgiCase):
    pass


if __name__ == "__main__":
    unittest.main()
