"""socialauth-admin end to end: every command against the test MariaDB and the fake
provider over HTTPS, with its exit code (0 done, 1 failed, 2 usage), the --help of the
tool and of each command, and no secret in anything it prints.

Every run of the tool goes through run_admin(), which asserts that neither stdout nor
stderr holds the database password, the Facebook app secret, the provider token key or
any token the tests used (harness.remembered_secrets()).
"""

import hashlib
import os
import re
import subprocess

import harness as h
from harness import DB, FACEBOOK, GOOGLE

SQL_DIR = os.path.join(h.SRCDIR, "sql")
COMMANDS = ("migrate", "check-config", "users", "tokens", "version")
ISO_TIME = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"
CHECK_LINE = re.compile(r"^(ok  |FAIL)  (\S+(?: \S+)?) +(\S.*)$")
ONLINE_CHECKS = ["database", "schema", "google-oauth2 tokeninfo", "google-oauth2 userinfo",
                 "google-oauth2 jwks", "facebook debug_token"]


def config_secrets(config_path):
    config = h.load_config(config_path)
    found = [config["database"]["password"], config["users"]["provider_token_key"]]
    for backend, key in ((FACEBOOK, "app_secret"), (GOOGLE, "secret")):
        found.append(config["providers"].get(backend, {}).get(key, ""))
    return [s for s in found if s]


def run_admin(test, *args, config=None, expect=0, secrets=()):
    """Runs the tool with --config and --sql-dir; asserts the exit code and that no
    secret shows; returns the CompletedProcess."""
    config = config or h.path("config.json")
    command = [h.ADMIN_BIN, "--config", config, "--sql-dir", SQL_DIR, *args]
    return run_raw(test, command, expect, [*config_secrets(config), *secrets])


def run_raw(test, command, expect, secrets=()):
    proc = subprocess.run(command, capture_output=True, text=True, timeout=60)
    shown = "exit %d\n--- stdout\n%s--- stderr\n%s" % (proc.returncode, proc.stdout, proc.stderr)
    test.assertEqual(proc.returncode, expect, "%s\n%s" % (" ".join(command[1:]), shown))
    for secret in [*config_secrets(h.path("config.json")), *secrets, *h.remembered_secrets()]:
        test.assertNotIn(secret, proc.stdout + proc.stderr, "a secret was printed\n" + shown)
    return proc


def rows(text):
    """The lines of a table as lists of cells (no cell holds a blank)."""
    return [line.split() for line in text.splitlines()]


def token_id(api_token):
    return int(DB.value("SELECT id FROM api_tokens WHERE token_hash = SHA2(%s, 256)"
                        % h.sql_quote(api_token)))


class AdminCommandLine(h.CgiCase):
    def test_help_of_the_tool_and_of_every_command(self):
        for args in (["--help"], ["-h"], ["help"]):
            with self.subTest(args=args):
                out = run_raw(self, [h.ADMIN_BIN, *args], 0).stdout
                self.assertTrue(out.startswith("usage: socialauth-admin "), out)
                for command in COMMANDS:
                    self.assertRegex(out, r"\n  %s +\S" % re.escape(command))
                self.assertIn("exit status: 0 done, 1 failed", out)
                self.assertIn("2 usage error", out)
        for command in COMMANDS:
            with self.subTest(command=command):
                help_text = run_raw(self, [h.ADMIN_BIN, command, "--help"], 0).stdout
                self.assertTrue(help_text.startswith("usage: socialauth-admin "), help_text)
                self.assertIn(command, help_text.splitlines()[0])
                self.assertIn("exit status: 0 done", help_text)
                self.assertEqual(run_raw(self, [h.ADMIN_BIN, "help", command], 0).stdout, help_text)
                self.assertEqual(run_raw(self, [h.ADMIN_BIN, "--help", command], 0).stdout,
                                 help_text)
        # a subcommand's --help is its group's
        users_help = run_raw(self, [h.ADMIN_BIN, "users", "--help"], 0).stdout
        for args in (["users", "list", "--help"], ["users", "show", "-h"]):
            self.assertEqual(run_raw(self, [h.ADMIN_BIN, *args], 0).stdout, users_help)
        tokens_help = run_raw(self, [h.ADMIN_BIN, "tokens", "--help"], 0).stdout
        self.assertEqual(run_raw(self, [h.ADMIN_BIN, "tokens", "revoke", "--help"], 0).stdout,
                         tokens_help)

    def test_usage_errors_exit_2_on_stderr_and_change_nothing(self):
        before = DB.snapshot()
        for args in ((), ("bogus",), ("help", "bogus"), ("help", "users", "tokens"),
                     ("--config",), ("--bogus", "version"), ("version", "now"),
                     ("migrate", "now"), ("migrate", "--dry-run"),
                     ("check-config", "now"), ("check-config", "--online=yes"),
                     ("users",), ("users", "bogus"), ("users", "show"), ("users", "show", "x"),
                     ("users", "show", "1", "2"), ("users", "show", "-1"),
                     ("users", "deactivate", "1x"), ("users", "activate"),
                     ("users", "list", "--limit", "0"), ("users", "list", "--limit"),
                     ("users", "list", "--limit", "-3"),
                     ("users", "list", "--limit", "1", "--limit", "2"),
                     ("users", "list", "--email", " "), ("users", "list", "--bogus"),
                     ("users", "list", "extra"), ("users", "list", "--inactive=no"),
                     ("tokens",), ("tokens", "bogus"), ("tokens", "list"),
                     ("tokens", "list", "1", "2"), ("tokens", "list", "1", "--user", "1"),
                     ("tokens", "revoke"), ("tokens", "revoke", "1", "--user", "2"),
                     ("tokens", "revoke", "--user", "abc"), ("tokens", "revoke", "--user"),
                     ("tokens", "revoke", "1.5")):
            with self.subTest(args=args):
                proc = run_raw(self, [h.ADMIN_BIN, "--config", h.path("config.json"), *args], 2)
                self.assertEqual(proc.stdout, "")
                self.assertRegex(proc.stderr, r"^socialauth-admin[ :]")
                self.assertRegex(proc.stderr, r"--help|usage: socialauth-admin")
        self.assert_unchanged(before)

    def test_version(self):
        out = run_admin(self, "version").stdout
        self.assertRegex(out, r"^socialauth-fcgi \d+\.\d+\.\d+\n$")


class AdminMigrate(h.CgiCase):
    def setUp(self):
        base = h.load_config()["database"]["name"]
        self.db_name = "%s_admin_%s" % (base, h.unique(""))
        DB.query("CREATE DATABASE `%s` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
                 % self.db_name)
        self.addCleanup(DB.query, "DROP DATABASE `%s`" % self.db_name)
        self.config = h.write_config_variant(
            "admin-" + self.db_name, lambda c: c["database"].__setitem__("name", self.db_name))

    def test_migrate_applies_each_file_once_and_says_what_it_did(self):
        versions = sorted(f[:-4] for f in os.listdir(SQL_DIR) if f.endswith(".sql"))
        # the schema check sees what is pending before anything is applied
        check = run_admin(self, "check-config", "--online", config=self.config, expect=1)
        self.assertRegex(check.stdout, r"(?m)^FAIL  schema +%d pending migration\(s\): %s "
                         r"\(run socialauth-admin migrate\)$" % (len(versions), " ".join(versions)))
        self.assertEqual(run_admin(self, "migrate", config=self.config).stdout,
                         "".join("applied %s\n" % v for v in versions))
        self.assertEqual(run_admin(self, "migrate", config=self.config).stdout,
                         "schema is up to date\n")
        check = run_admin(self, "check-config", "--online", config=self.config)
        self.assertRegex(check.stdout, r"(?m)^ok    schema +up to date with ")

    def test_the_already_migrated_test_database_is_up_to_date(self):
        self.assertEqual(run_admin(self, "migrate").stdout, "schema is up to date\n")

    def test_migrate_fails_on_a_database_it_cannot_use(self):
        wrong = "wrong-password-" + h.unique()
        config = h.write_config_variant(
            "admin-migrate-wrong-password", lambda c: c["database"].__setitem__("password", wrong))
        proc = run_admin(self, "migrate", config=config, expect=1, secrets=[wrong])
        self.assertEqual(proc.stdout, "")
        self.assertRegex(proc.stderr, r"^socialauth-admin: migrate: .*MySQL error 1045")


class AdminCheckConfig(h.CgiCase):
    def online(self, config=None, expect=0, secrets=()):
        """check-config --online: {check name: (status, detail)}, in the order printed."""
        proc = run_admin(self, "check-config", "--online", config=config, expect=expect,
                         secrets=secrets)
        lines = proc.stdout.splitlines()
        self.assertEqual(lines[0], "%s: ok" % (config or h.path("config.json")))
        checks = {}
        for line in lines[1:]:
            match = CHECK_LINE.match(line)
            self.assertIsNotNone(match, line)
            checks[match.group(2)] = (match.group(1).strip(), match.group(3))
        self.assertEqual(list(checks), ONLINE_CHECKS, proc.stdout)
        failed = [name for name, (status, _) in checks.items() if status == "FAIL"]
        if failed:
            self.assertEqual(proc.stderr, "socialauth-admin: check-config: %d of %d online "
                             "check(s) failed\n" % (len(failed), len(ONLINE_CHECKS)))
        else:
            self.assertEqual(proc.stderr, "")
        return checks

    def assert_only_failed(self, checks, names):
        for name, (status, detail) in checks.items():
            self.assertEqual(status, "FAIL" if name in names else "ok", "%s: %s" % (name, detail))

    def test_offline_check_passes_the_test_config(self):
        proc = run_admin(self, "check-config")
        self.assertEqual(proc.stdout, "%s: ok\n" % h.path("config.json"))

    def test_offline_check_reports_every_problem_by_key(self):
        def spoil(c):
            c["database"]["port"] = "3306"
            c["tokens"]["lifetime_seconds"] = -1
            c["outbound"]["colour"] = "blue"
        config = h.write_config_variant("admin-bad", spoil)
        proc = run_admin(self, "check-config", "--online", config=config, expect=1)
        lines = proc.stdout.splitlines()
        self.assertEqual(lines[-1], "%s: 3 problem(s)" % config)
        for key in ("database.port", "tokens.lifetime_seconds", "outbound.colour"):
            self.assertTrue(any(line.startswith(key + ":") for line in lines[:-1]), proc.stdout)
        # no online check runs on a config with problems
        self.assertFalse([line for line in lines if CHECK_LINE.match(line)], proc.stdout)

    def test_online_checks_pass_against_the_fake_provider(self):
        checks = self.online()
        self.assert_only_failed(checks, [])
        self.assertRegex(checks["database"][1], r"^connected to database \S+ as \S+, server \S+")
        self.assertIn("HTTP 400 invalid_token", checks["google-oauth2 tokeninfo"][1])
        self.assertIn("HTTP 401", checks["google-oauth2 userinfo"][1])
        self.assertRegex(checks["google-oauth2 jwks"][1], r"^[1-9]\d* usable signing key")
        self.assertIn("app credentials accepted", checks["facebook debug_token"][1])

    def test_a_wrong_facebook_app_secret_fails_its_check(self):
        wrong = "0" * 32
        config = h.write_config_variant(
            "admin-wrong-fb-secret",
            lambda c: c["providers"][FACEBOOK].__setitem__("app_secret", wrong))
        checks = self.online(config, expect=1, secrets=[wrong])
        self.assert_only_failed(checks, ["facebook debug_token"])
        self.assertRegex(checks["facebook debug_token"][1],
                         r"^HTTP 400 with Graph error code 190: Graph refused the app access "
                         r"token; check app_id and app_secret$")

    def test_unreachable_provider_urls_fail_their_checks(self):
        dead = "https://127.0.0.1:%d" % h.closed_port()

        def point_away(c):
            c["providers"][GOOGLE]["tokeninfo_url"] = dead + "/tokeninfo"
            c["providers"][FACEBOOK]["graph_url"] = dead
        checks = self.online(h.write_config_variant("admin-unreachable", point_away), expect=1)
        self.assert_only_failed(checks, ["google-oauth2 tokeninfo", "facebook debug_token"])
        self.assertIn(dead + "/tokeninfo", checks["google-oauth2 tokeninfo"][1])
        self.assertIn(dead + "/v18.0/debug_token", checks["facebook debug_token"][1])
        # the URL is named without its query, which holds the app access token
        self.assertNotIn("access_token", checks["facebook debug_token"][1])

    def test_a_url_of_another_service_fails_its_check(self):
        # the fake's userinfo endpoint is no tokeninfo: it answers 401, not 400
        config = h.write_config_variant(
            "admin-wrong-url", lambda c: c["providers"][GOOGLE].__setitem__(
                "tokeninfo_url", h.FAKE.base_url + "/v1/userinfo"))
        checks = self.online(config, expect=1)
        self.assert_only_failed(checks, ["google-oauth2 tokeninfo"])
        self.assertIn("HTTP 401", checks["google-oauth2 tokeninfo"][1])

    def test_a_wrong_database_password_fails_database_and_schema(self):
        wrong = "wrong-password-" + h.unique()
        config = h.write_config_variant(
            "admin-wrong-db-password", lambda c: c["database"].__setitem__("password", wrong))
        checks = self.online(config, expect=1, secrets=[wrong])
        self.assert_only_failed(checks, ["database", "schema"])
        self.assertIn("MySQL error 1045", checks["database"][1])
        self.assertEqual(checks["schema"][1], "not checked: no database connection")

    def test_a_database_that_is_down_fails_database_and_schema(self):
        # a socket nobody listens on is what a stopped server leaves behind
        config = h.write_config_variant(
            "admin-db-down", lambda c: c["database"].__setitem__(
                "socket", h.path("mysql", "no-server.sock")))
        checks = self.online(config, expect=1)
        self.assert_only_failed(checks, ["database", "schema"])
        self.assertIn("cannot connect to MySQL", checks["database"][1])


class AdminUsersAndTokens(h.CgiCase):
    """Users and tokens made through the API, then looked at and changed with the tool."""

    def setUp(self):
        self.email = "admin.%s@example.com" % h.unique()
        self.google_token, self.spec = h.google_token(email=self.email, given_name="Ada",
                                                      family_name="Admin")
        logins = [self.login(self.google_token) for _ in range(3)]
        self.api_tokens = [body["token"] for body in logins]
        self.user_id = logins[0]["user"]["id"]

    def token_ids(self):
        return [token_id(t) for t in self.api_tokens]

    def test_users_list_shows_each_user_once_with_its_fields(self):
        out = run_admin(self, "users", "list").stdout
        table = rows(out)
        self.assertEqual(table[0], ["id", "username", "email", "active", "date_joined",
                                    "last_login"])
        ids = [int(row[0]) for row in table[1:]]
        self.assertEqual(ids, sorted(set(ids)))
        mine = [row for row in table[1:] if row[0] == str(self.user_id)]
        self.assertEqual(len(mine), 1, out)
        _, username, email, active, joined, last_login = mine[0]
        self.assertEqual(email, self.email)
        self.assertEqual(username, DB.value("SELECT username FROM users WHERE id = %d"
                                            % self.user_id))
        self.assertEqual(active, "yes")
        self.assertRegex(joined, "^%s$" % ISO_TIME)
        self.assertRegex(last_login, "^%s$" % ISO_TIME)
        # aligned: every line starts its second column at the same place
        self.assertEqual(len({re.match(r"\S+ +", line).end() for line in out.splitlines()}), 1,
                         out)

    def test_users_list_filters(self):
        by_email = rows(run_admin(self, "users", "list", "--email",
                                  " " + self.email.upper()).stdout)
        self.assertEqual([row[0] for row in by_email[1:]], [str(self.user_id)])
        self.assertEqual(len(rows(run_admin(self, "users", "list", "--limit", "1").stdout)), 2)
        nobody = run_admin(self, "users", "list", "--email", "nobody.%s@example.com" % h.unique())
        self.assertEqual(len(rows(nobody.stdout)), 1)
        run_admin(self, "users", "deactivate", str(self.user_id))
        inactive = rows(run_admin(self, "users", "list", "--inactive").stdout)[1:]
        self.assertIn(str(self.user_id), [row[0] for row in inactive])
        self.assertEqual({row[3] for row in inactive}, {"no"})
        run_admin(self, "users", "activate", str(self.user_id))
        inactive = rows(run_admin(self, "users", "list", "--inactive").stdout)[1:]
        self.assertNotIn(str(self.user_id), [row[0] for row in inactive])

    def test_users_show_gives_fields_identities_and_token_counts(self):
        ids = self.token_ids()
        run_admin(self, "tokens", "revoke", str(ids[0]))
        DB.query("UPDATE api_tokens SET expires_at = NOW() - INTERVAL 1 MINUTE WHERE id = %d"
                 % ids[1])
        out = run_admin(self, "users", "show", str(self.user_id)).stdout
        fields = {}
        for line in out.splitlines():
            key, _, value = line.partition(" ")
            fields.setdefault(key, []).append(value.strip())
        self.assertEqual(fields["id"], [str(self.user_id)])
        self.assertEqual(fields["email"], [self.email])
        self.assertEqual(fields["email_verified"], ["yes"])
        self.assertEqual(fields["first_name"], ["Ada"])
        self.assertEqual(fields["last_name"], ["Admin"])
        self.assertEqual(fields["active"], ["yes"])
        self.assertRegex(fields["date_joined"][0], "^%s$" % ISO_TIME)
        self.assertEqual([v.split() for v in fields["identity"]], [[GOOGLE, self.spec["sub"]]])
        # three logins: three tokens, one revoked, one expired
        self.assertEqual(fields["tokens_live"], ["1"])
        self.assertEqual(fields["tokens_revoked"], ["1"])
        self.assertEqual(fields["tokens_expired"], ["1"])
        self.assertEqual(list(fields), ["id", "username", "email", "email_verified",
                                        "first_name", "last_name", "active", "date_joined",
                                        "last_login", "identity", "tokens_live",
                                        "tokens_revoked", "tokens_expired"])

    def test_unknown_ids_exit_1(self):
        missing = str(10 ** 15 + int(h.unique("")[:6], 16))
        for args, message in ((("users", "show", missing), "no user with id " + missing),
                              (("users", "deactivate", missing), "no user with id " + missing),
                              (("users", "activate", missing), "no user with id " + missing),
                              (("tokens", "list", missing), "no user with id " + missing),
                              (("tokens", "revoke", "--user", missing),
                               "no user with id " + missing),
                              (("tokens", "revoke", missing), "no token with id " + missing)):
            with self.subTest(args=args):
                proc = run_admin(self, *args, expect=1)
                self.assertEqual(proc.stdout, "")
                self.assertRegex(proc.stderr, r"^socialauth-admin: %s %s: %s\n$"
                                 % (args[0], args[1], message))

    def test_users_deactivate_and_activate(self):
        out = run_admin(self, "users", "deactivate", str(self.user_id)).stdout
        self.assertRegex(out, r"^user %d \(\S+\) deactivated; its API tokens are revoked\n$"
                         % self.user_id)
        for api_token in self.api_tokens:
            self.assertIsNone(DB.user_id_for_token(api_token))
        self.assertEqual(self.exchange(self.google_token).status, 400)
        out = run_admin(self, "users", "activate", str(self.user_id)).stdout
        self.assertRegex(out, r"^user %d \(\S+\) activated\n$" % self.user_id)
        self.assertIsNone(DB.user_id_for_token(self.api_tokens[0]))
        self.assertEqual(self.me(self.login(self.google_token)["token"]).status, 200)

    def test_tokens_list_shows_a_hash_prefix_never_the_hash(self):
        ids = self.token_ids()
        run_admin(self, "tokens", "revoke", str(ids[0]))
        out = run_admin(self, "tokens", "list", str(self.user_id)).stdout
        table = rows(out)
        self.assertEqual(table[0], ["id", "hash_prefix", "created", "last_used", "expires_at",
                                    "revoked_at", "state"])
        self.assertEqual([int(row[0]) for row in table[1:]], ids)
        for api_token, row in zip(self.api_tokens, table[1:]):
            digest = hashlib.sha256(api_token.encode()).hexdigest()
            self.assertNotIn(digest, out)
            self.assertNotIn(digest[:9], out)
            self.assertEqual(row[1], digest[:8])
            self.assertRegex(row[2], "^%s$" % ISO_TIME)
            self.assertRegex(row[4], "^%s$" % ISO_TIME)
        self.assertEqual([row[6] for row in table[1:]], ["revoked", "live", "live"])
        self.assertRegex(table[1][5], "^%s$" % ISO_TIME)
        self.assertEqual(table[2][5], "-")

    def test_tokens_revoke_one_is_refused_by_the_php_check(self):
        first, second = self.api_tokens[:2]
        self.assertEqual(DB.user_id_for_token(first), str(self.user_id))
        out = run_admin(self, "tokens", "revoke", str(token_id(first))).stdout
        self.assertEqual(out, "token %d of user %d revoked\n" % (token_id(first), self.user_id))
        self.assertIsNone(DB.user_id_for_token(first))
        self.assert_json(self.me(first), 401, {"error": "invalid_token"})
        self.assertEqual(DB.user_id_for_token(second), str(self.user_id))
        self.assertEqual(self.me(second).status, 200)
        again = run_admin(self, "tokens", "revoke", str(token_id(first))).stdout
        self.assertRegex(again, r"^token %d of user %d was already revoked at %s\n$"
                         % (token_id(first), self.user_id, ISO_TIME))

    def test_tokens_revoke_user_revokes_every_live_token(self):
        bystander = self.login(h.google_token(email="by.%s@example.com" % h.unique())[0])
        run_admin(self, "tokens", "revoke", str(token_id(self.api_tokens[0])))
        out = run_admin(self, "tokens", "revoke", "--user", str(self.user_id)).stdout
        self.assertRegex(out, r"^revoked 2 token\(s\) of user %d \(\S+\)\n$" % self.user_id)
        for api_token in self.api_tokens:
            self.assertIsNone(DB.user_id_for_token(api_token))
        self.assertEqual(DB.user_id_for_token(bystander["token"]), str(bystander["user"]["id"]))
        # the user stays active: a new login works
        self.assertEqual(self.me(self.login(self.google_token)["token"]).status, 200)
        out = run_admin(self, "tokens", "revoke", "--user=%d" % self.user_id).stdout
        self.assertRegex(out, r"^revoked 1 token\(s\) of user %d " % self.user_id)
