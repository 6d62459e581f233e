"""Successful exchanges: new and returning users, both body encodings, both providers,
and what lands in the database (SPEC §2.1, §2.2, §3, §5)."""

import datetime
import json
import time
import unittest
import urllib.parse

import harness as h
from harness import DB, FAKE, GOOGLE, FACEBOOK


class ExchangeScenarios:
    def test_new_google_user_gets_token_first_and_user_object(self):
        u = h.unique()
        token, spec = h.google_token(email="jane.%s@example.com" % u, given_name="Jane",
                                     family_name="Doe")
        before = time.time()
        resp = self.exchange(token)
        self.assertEqual(resp.status, 200, resp)
        body = resp.json()
        self.assertEqual(resp.json_keys()[0], "token")
        self.assertEqual(set(body), {"token", "token_type", "expires_at", "is_new", "user"})
        self.assertRegex(body["token"], h.API_TOKEN_RE)
        self.assertEqual(body["token_type"], "Token")
        self.assertIs(body["is_new"], True)
        self.assertRegex(body["expires_at"], h.EXPIRES_AT_RE)
        expires = datetime.datetime.strptime(body["expires_at"], "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=datetime.timezone.utc).timestamp()
        lifetime = h.load_config()["tokens"]["lifetime_seconds"]
        self.assertAlmostEqual(expires, before + lifetime, delta=120)
        user = body["user"]
        self.assertEqual(set(user), {"id", "username", "email", "first_name", "last_name"})
        self.assertIsInstance(user["id"], int)
        self.assertEqual(user["username"], "jane.%s" % u)
        self.assertEqual(user["email"], "jane.%s@example.com" % u)
        self.assertEqual((user["first_name"], user["last_name"]), ("Jane", "Doe"))
        # the rows behind it
        row = DB.query("SELECT username, email, email_verified, first_name, last_name, "
                       "is_active, last_login IS NOT NULL FROM users WHERE id = %d" % user["id"])
        self.assertEqual(row, [["jane.%s" % u, "jane.%s@example.com" % u, "1", "Jane", "Doe",
                                "1", "1"]])
        self.assertEqual(DB.query("SELECT user_id, provider FROM social_identities WHERE uid = %s"
                                  % h.sql_quote(spec["sub"])),
                         [[str(user["id"]), GOOGLE]])

    def test_returning_user_gets_same_user_and_a_new_token(self):
        token, _ = h.google_token(email="ret.%s@example.com" % h.unique())
        first = self.login(token)
        second = self.exchange(token)
        self.assertEqual(second.status, 200, second)
        body = second.json()
        self.assertIs(body["is_new"], False)
        self.assertEqual(body["user"], first["user"])
        self.assertNotEqual(body["token"], first["token"])
        # both tokens work: one per device
        for api_token in (first["token"], body["token"]):
            me = self.me(api_token)
            self.assertEqual(me.status, 200, me)
            self.assertEqual(me.json()["id"], first["user"]["id"])
        self.assertEqual(DB.count("users", "email = %s" % h.sql_quote(first["user"]["email"])), 1)
        self.assertEqual(DB.count("api_tokens", "user_id = %d" % first["user"]["id"]), 2)

    def test_form_body_works_like_json(self):
        email = "form.%s@example.com" % h.unique()
        token, _ = h.google_token(email=email)
        resp = self.exchange(token, form=True)
        self.assertEqual(resp.status, 200, resp)
        self.assertEqual(resp.json_keys()[0], "token")
        self.assertEqual(resp.json()["user"]["email"], email)
        self.assertIs(resp.json()["is_new"], True)

    def test_form_content_type_with_charset_is_accepted(self):
        token, _ = h.google_token(email="cs.%s@example.com" % h.unique())
        resp = self.call("POST", "/social/google-oauth2/",
                         body=urllib.parse.urlencode({"access_token": token}),
                         content_type="application/x-www-form-urlencoded; charset=UTF-8")
        self.assertEqual(resp.status, 200, resp)
        self.assertIs(resp.json()["is_new"], True)

    def test_surrounding_white_space_is_trimmed(self):
        token, _ = h.google_token(email="trim.%s@example.com" % h.unique())
        resp = self.exchange("  \t%s \n" % token)
        self.assertEqual(resp.status, 200, resp)
        self.assertIs(resp.json()["is_new"], True)
        self.assertEqual([r["form"].get("access_token") or r["query"].get("access_token")
                          for r in FAKE.requests(token) if r["endpoint"] == "tokeninfo"], [token])

    def test_unknown_fields_are_ignored(self):
        token, _ = h.google_token(email="extra.%s@example.com" % h.unique())
        body = json.dumps({"access_token": token, "backend": "facebook", "is_staff": True,
                           "user": {"id": 1}})
        resp = self.call("POST", "/social/google-oauth2/", body=body,
                         content_type="application/json")
        self.assertEqual(resp.status, 200, resp)
        self.assertIs(resp.json()["is_new"], True)
        self.assertNotEqual(resp.json()["user"]["id"], 1)

    def test_trailing_slash_is_optional(self):
        token, _ = h.google_token(email="slash.%s@example.com" % h.unique())
        resp = self.call("POST", "/social/google-oauth2", body=json.dumps({"access_token": token}),
                         content_type="application/json")
        self.assertEqual(resp.status, 200, resp)
        self.assertIs(resp.json()["is_new"], True)

    def test_second_configured_client_id_is_accepted(self):
        second = h.load_config()["providers"][GOOGLE]["client_ids"][1]
        token, _ = h.google_token(email="c2.%s@example.com" % h.unique(), aud=second, azp=second)
        resp = self.exchange(token)
        self.assertEqual(resp.status, 200, resp)
        self.assertIs(resp.json()["is_new"], True)

    def test_google_calls_tokeninfo_then_userinfo_with_bearer_header(self):
        token, _ = h.google_token(email="calls.%s@example.com" % h.unique())
        self.login(token)
        calls = FAKE.requests(token)
        self.assertEqual([c["endpoint"] for c in calls], ["tokeninfo", "userinfo"])
        userinfo = calls[1]
        self.assertEqual(userinfo["headers"].get("Authorization"), "Bearer " + token)
        self.assertNotIn("access_token", userinfo["query"])
        self.assertNotIn(token, calls[0]["path"])

    def test_new_facebook_user_and_appsecret_proof_is_sent(self):
        u = h.unique()
        token, spec = h.facebook_token(email="fb.%s@example.com" % u, first_name="Fiona",
                                       last_name="Book")
        resp = self.exchange(token, backend=FACEBOOK)
        self.assertEqual(resp.status, 200, resp)
        body = resp.json()
        self.assertEqual(resp.json_keys()[0], "token")
        self.assertIs(body["is_new"], True)
        self.assertEqual(body["user"]["email"], "fb.%s@example.com" % u)
        self.assertEqual((body["user"]["first_name"], body["user"]["last_name"]), ("Fiona", "Book"))
        # Facebook does not vouch for emails by default
        self.assertEqual(DB.value("SELECT email_verified FROM users WHERE id = %d"
                                  % body["user"]["id"]), "0")
        app_id, secret = h.facebook_app()
        calls = FAKE.requests(token)
        self.assertEqual([c["endpoint"] for c in calls], ["debug_token", "me"])
        self.assertEqual(calls[0]["query"]["input_token"], token)
        self.assertEqual(calls[0]["query"]["access_token"], "%s|%s" % (app_id, secret))
        self.assertEqual(calls[1]["query"]["appsecret_proof"], h.appsecret_proof(secret, token))
        self.assertTrue(calls[1]["path"].endswith("/v18.0/me"), calls[1])
        h.remember_secret(calls[1]["query"]["appsecret_proof"])
        me = self.me(body["token"])
        self.assertEqual(me.status, 200, me)
        self.assertEqual(me.json()["identities"], [{"provider": FACEBOOK, "uid": spec["user_id"]}])

    def test_proxy_variables_are_ignored(self):
        # httpoxy: a "Proxy:" request header becomes HTTP_PROXY; the program must not
        # send provider calls (with the tokens) through it, nor through proxies of its
        # own environment (CGI: the process environment is the request's).
        trap = "http://127.0.0.1:%d" % h.closed_port()
        token, _ = h.google_token(email="proxy.%s@example.com" % h.unique())
        extra = {}
        if self.client.via == "cgi":
            extra["env"] = {"HTTP_PROXY": trap, "HTTPS_PROXY": trap, "https_proxy": trap,
                            "http_proxy": trap, "ALL_PROXY": trap, "all_proxy": trap}
        resp = self.exchange(token, headers={"Proxy": trap}, **extra)
        self.assertEqual(resp.status, 200, resp)
        self.assertIs(resp.json()["is_new"], True)

    def test_api_token_is_stored_only_as_its_sha256(self):
        token, _ = h.google_token(email="hash.%s@example.com" % h.unique())
        body = self.login(token)
        api_token = body["token"]
        # the PHP check of SPEC §5 finds the user
        self.assertEqual(DB.user_id_for_token(api_token), str(body["user"]["id"]))
        rows = DB.query("SELECT token_hash FROM api_tokens WHERE user_id = %d" % body["user"]["id"])
        self.assertEqual(len(rows), 1)
        self.assertRegex(rows[0][0], r"^[0-9a-f]{64}$")
        self.assertEqual(DB.count("api_tokens", "token_hash = %s" % h.sql_quote(api_token)), 0)

    def test_provider_data_is_stored_in_extra_data(self):
        token, spec = h.google_token(email="extra.%s@example.com" % h.unique())
        body = self.login(token)
        extra = DB.value("SELECT extra_data FROM social_identities WHERE provider = %s AND uid = %s"
                         % (h.sql_quote(GOOGLE), h.sql_quote(spec["sub"])))
        data = json.loads(extra)
        self.assertIsInstance(data, dict)
        self.assertIn("auth_time", data)
        # store_provider_tokens is on and the test config has a provider_token_key: the
        # token is kept, encrypted (test_hardening opens it as PHP would)
        self.assertTrue(data["access_token"].startswith("v1:"), data)
        self.assertNotIn(token, extra)
        self.assertEqual(DB.count("social_identities", "user_id = %d" % body["user"]["id"]), 1)

    def test_username_collision_gets_a_suffix(self):
        u = h.unique()
        first = self.login(h.google_token(email="same.%s@example.com" % u)[0])
        second = self.login(h.google_token(email="same.%s@example.org" % u)[0])
        self.assertEqual(first["user"]["username"], "same.%s" % u)
        self.assertNotEqual(second["user"]["username"], first["user"]["username"])
        self.assertTrue(second["user"]["username"].startswith("same.%s" % u), second)
        self.assertRegex(second["user"]["username"], r"^[A-Za-z0-9.@+_-]{1,150}$")
        self.assertNotEqual(second["user"]["id"], first["user"]["id"])


class CgiExchange(ExchangeScenarios, h.CgiCase):
    pass


class FastCgiExchange(ExchangeScenarios, h.FastCgiCase):
    pass


if __name__ == "__main__":
    unittest.main()
