"""Configuration (SPEC §6, §4): a bad config answers 500 server_misconfigured on every
route, as CGI and behind lighttpd; options that change behaviour do so end to end."""

import os
import subprocess
import unittest

import harness as h
from harness import DB, FACEBOOK, GOOGLE

MISCONFIGURED = {"error": "server_misconfigured"}
ROUTES = [
    ("POST", "/social/google-oauth2/", '{"access_token": "x"}', "application/json"),
    ("POST", "/social/facebook/", "access_token=x", "application/x-www-form-urlencoded"),
    ("POST", "/social/nope/", "{}", "application/json"),
    ("GET", "/me", None, None),
    ("POST", "/logout", "", "application/json"),
    ("POST", "/logout/all", "", "application/json"),
    ("GET", "/health", None, None),
    ("OPTIONS", "/social/google-oauth2/", None, None),
    ("GET", "/nope", None, None),
]


def bad_config_with_unknown_key():
    return h.write_config_variant("unknown-key", lambda c: c["database"].__setitem__("passwrd", "x"))


class BadConfigScenarios:
    def assert_every_route_misconfigured(self, client):
        for method, route, body, ctype in ROUTES:
            with self.subTest(method=method, route=route):
                resp = self.call(method, route, client=client, body=body, content_type=ctype,
                                 headers={"Authorization": "Token " + "C" * 43})
                self.assert_json(resp, 500, MISCONFIGURED)


class CgiBadConfig(BadConfigScenarios, h.CgiCase):
    def test_unknown_key_is_500_on_every_route(self):
        self.assert_every_route_misconfigured(h.CgiClient(bad_config_with_unknown_key()))

    def test_unknown_key_is_named_in_the_log(self):
        resp = h.CgiClient(bad_config_with_unknown_key()).request("GET", "/health")
        self.assert_json(resp, 500, MISCONFIGURED)
        self.assertIn(b"database.passwrd", resp.stderr)
        self.assertNotIn(h.load_config()["database"]["password"].encode(), resp.stderr)

    def test_several_problems_are_reported_at_once(self):
        def break_two(c):
            c["tokens"]["lifetime_seconds"] = "soon"
            c["pipeline"] = c["pipeline"] + ["no_such_step"]
        resp = h.CgiClient(h.write_config_variant("two-problems", break_two)).request("GET", "/health")
        self.assert_json(resp, 500, MISCONFIGURED)
        self.assertIn(b"tokens.lifetime_seconds", resp.stderr)
        self.assertIn(b"pipeline", resp.stderr)

    def test_unparsable_config_is_500(self):
        config = h.write_raw_config("unparsable", '{"database": {')
        self.assert_json(h.CgiClient(config).request("GET", "/health"), 500, MISCONFIGURED)

    def test_missing_config_file_is_500(self):
        resp = h.CgiClient(h.path("variants", "does-not-exist.json")).request("GET", "/health")
        self.assert_json(resp, 500, MISCONFIGURED)

    def test_config_readable_by_others_is_500(self):
        config = h.write_config_variant("world-readable", lambda c: None)
        os.chmod(config, 0o644)
        self.assert_json(h.CgiClient(config).request("GET", "/health"), 500, MISCONFIGURED)

    def test_config_with_comments_is_accepted(self):
        text = open(h.path("config.json"), encoding="utf-8").read()
        text = "// a comment\n" + text.replace('"http": {', '"http": { // inline comment\n', 1)
        config = h.write_raw_config("comments", text)
        self.assert_json(h.CgiClient(config).request("GET", "/health"), 200, {"status": "ok"})


class FastCgiBadConfig(BadConfigScenarios, h.E2ETestCase):
    """A lighttpd of its own whose workers load the bad config; they must stay up and
    answer 500 to everything rather than exit (which would make lighttpd respawn them
    in a loop)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.instance = h.LighttpdInstance("badconfig", bad_config_with_unknown_key(), procs=1)
        cls.client = cls.instance.start()

    @classmethod
    def tearDownClass(cls):
        cls.instance.stop()
        super().tearDownClass()

    def test_unknown_key_is_500_on_every_route_and_the_worker_stays(self):
        self.call("GET", "/health")
        workers = h.children_of(self.instance.pid())
        self.assertEqual(len(workers), 1, workers)
        self.assert_every_route_misconfigured(self.client)
        self.assertEqual(h.children_of(self.instance.pid()), workers)


class FastCgiConfigReload(h.E2ETestCase):
    """A fixed config applies without a restart: the same worker that answered 500
    answers 200 once the file is corrected (and 500 again when it breaks again)."""

    def test_fixed_config_applies_without_restart(self):
        config = h.write_config_variant("reload", lambda c: c["http"].__setitem__("bogus", 1))
        instance = h.LighttpdInstance("reload", config, procs=1)
        client = instance.start()
        try:
            self.assert_json(self.call("GET", "/health", client=client), 500, MISCONFIGURED)
            workers = h.children_of(instance.pid())
            h.write_config_variant("reload", lambda c: None)
            self.assert_json(self.call("GET", "/health", client=client), 200, {"status": "ok"})
            token, _ = h.google_token(email="reload.%s@example.com" % h.unique())
            self.assertIs(self.login(token, client=client)["is_new"], True)
            h.write_config_variant("reload", lambda c: c["http"].__setitem__("bogus", 1))
            self.assert_json(self.call("GET", "/health", client=client), 500, MISCONFIGURED)
            self.assertEqual(h.children_of(instance.pid()), workers)
        finally:
            instance.stop()


class ConfigOptions(h.CgiCase):
    """Options that change the pipeline, run as CGI with config variants."""

    def test_live_tokens_per_user_are_capped_oldest_first(self):
        config = h.write_config_variant("cap", lambda c: c["tokens"].__setitem__("max_per_user", 2))
        token, _ = h.google_token(email="cap.%s@example.com" % h.unique())
        logins = [self.login(token, config=config) for _ in range(3)]
        self.assert_json(self.me(logins[0]["token"], config=config), 401, {"error": "invalid_token"})
        for login in logins[1:]:
            self.assertEqual(self.me(login["token"], config=config).status, 200)
        self.assertEqual(DB.count("api_tokens", "user_id = %d AND revoked_at IS NULL"
                                  % logins[0]["user"]["id"]), 2)

    def test_signup_closed_refuses_new_users_but_not_existing_ones(self):
        existing = self.login(h.google_token(email="closed.%s@example.com" % h.unique())[0])
        config = h.write_config_variant("no-signup",
                                        lambda c: c["users"].__setitem__("allow_signup", False))
        before = DB.snapshot()
        resp = self.exchange(h.google_token(email="new.%s@example.com" % h.unique())[0],
                             config=config)
        self.assert_error(resp, 403, "not_allowed", ["non_field_errors"])
        self.assert_unchanged(before)
        # an existing user's identity still logs in
        uid = DB.value("SELECT uid FROM social_identities WHERE user_id = %d"
                       % existing["user"]["id"])
        self.assertTrue(uid)
        again, _ = h.google_token(email=existing["user"]["email"], sub=uid)
        body = self.login(again, config=config)
        self.assertEqual(body["user"]["id"], existing["user"]["id"])

    def test_whitelisted_domains_refuse_other_domains(self):
        config = h.write_config_variant(
            "domains", lambda c: c["providers"][GOOGLE].__setitem__("whitelisted_domains",
                                                                    ["allowed.example"]))
        before = DB.snapshot()
        resp = self.exchange(h.google_token(email="x.%s@elsewhere.example" % h.unique())[0],
                             config=config)
        self.assert_error(resp, 403, "not_allowed", ["non_field_errors"])
        self.assert_unchanged(before)
        ok = self.login(h.google_token(email="y.%s@allowed.example" % h.unique())[0],
                        config=config)
        self.assertIs(ok["is_new"], True)

    def test_protected_fields_are_not_updated(self):
        token, spec = h.google_token(email="prot.%s@example.com" % h.unique(), given_name="Old",
                                     family_name="Name")
        first = self.login(token)
        config = h.write_config_variant(
            "protected", lambda c: c["users"].__setitem__("protected_user_fields", ["first_name"]))
        changed, _ = h.google_token(email=spec["email"], sub=spec["sub"], given_name="New",
                                    family_name="Surname")
        body = self.login(changed, config=config)
        self.assertEqual(body["user"]["id"], first["user"]["id"])
        self.assertEqual((body["user"]["first_name"], body["user"]["last_name"]), ("Old", "Surname"))

    def test_names_are_updated_on_return_by_default(self):
        token, spec = h.google_token(email="upd.%s@example.com" % h.unique(), given_name="Ann",
                                     family_name="Before")
        self.login(token)
        changed, _ = h.google_token(email=spec["email"], sub=spec["sub"], given_name="Ann",
                                    family_name="After")
        body = self.login(changed)
        self.assertEqual(body["user"]["last_name"], "After")
        self.assertEqual(DB.value("SELECT last_name FROM users WHERE id = %d" % body["user"]["id"]),
                         "After")

    def test_secrets_may_come_from_the_environment(self):
        app_id, secret = h.facebook_app()
        db_password = h.load_config()["database"]["password"]

        def strip_secrets(c):
            c["providers"][FACEBOOK]["app_secret"] = ""
            c["database"]["password"] = ""
        config = h.write_config_variant("env-secrets", strip_secrets)
        env = {"SOCIAL_AUTH_FACEBOOK_SECRET": secret, "SOCIALAUTH_DB_PASSWORD": db_password}
        self.assert_json(self.call("GET", "/health", config=config, env=env), 200, {"status": "ok"})
        token, _ = h.facebook_token(email="env.%s@example.com" % h.unique())
        resp = self.exchange(token, backend=FACEBOOK, config=config, env=env)
        self.assertEqual(resp.status, 200, resp)
        self.assertIs(resp.json()["is_new"], True)
        # without the secret the half-configured backend is a config error, named in the log
        resp = self.call("GET", "/health", config=config, env={"SOCIALAUTH_DB_PASSWORD": db_password})
        self.assert_json(resp, 500, {"error": "server_misconfigured"})
        self.assertIn(b"providers.facebook.app_secret", resp.stderr)
        self.assertNotIn(secret.encode(), resp.stderr)

    def test_database_password_from_the_environment(self):
        db_password = h.load_config()["database"]["password"]
        config = h.write_config_variant("env-db-password",
                                        lambda c: c["database"].__setitem__("password", ""))
        self.assert_json(self.call("GET", "/health", config=config,
                                   env={"SOCIALAUTH_DB_PASSWORD": db_password}),
                         200, {"status": "ok"})
        # without it the database refuses the login: unavailable, not misconfigured
        resp = self.call("GET", "/health", config=config)
        self.assert_json(resp, 503, {"error": "service_unavailable"})
        self.assertNotIn(db_password.encode(), resp.stderr)

    def test_table_prefix(self):
        config = h.write_config_variant(
            "prefix", lambda c: c["database"].__setitem__("table_prefix", "sa_"))
        proc = subprocess.run([h.ADMIN_BIN, "--config", config, "migrate", "--sql-dir",
                               os.path.join(h.SRCDIR, "sql")], capture_output=True, text=True)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        token, spec = h.google_token(email="prefix.%s@example.com" % h.unique())
        body = self.login(token, config=config)
        self.assertIs(body["is_new"], True)
        self.assertEqual(DB.count("sa_users", "id = %d" % body["user"]["id"]), 1)
        self.assertEqual(DB.count("sa_social_identities", "uid = %s" % h.sql_quote(spec["sub"])), 1)
        self.assertEqual(DB.count("social_identities", "uid = %s" % h.sql_quote(spec["sub"])), 0)
        me = self.me(body["token"], config=config)
        self.assertEqual(me.status, 200, me)
        self.assertEqual(me.json()["id"], body["user"]["id"])
        # the same token means nothing to the unprefixed tables
        self.assert_json(self.me(body["token"]), 401, {"error": "invalid_token"})


if __name__ == "__main__":
    unittest.main()
