"""No secret in any log (SPEC §7): no provider token, API token, app secret, appsecret
proof or database password appears in the program's stderr of the CGI runs, in any
lighttpd error log (where the FastCGI workers' stderr goes), in the logs of the Apache
and nginx (+ spawn-fcgi) servers of test_apache and test_nginx, or in the stderr of the
workers the tests started themselves (fcgi_client.DirectWorker). The runner runs this
module last, after every other test recorded the values it used; run alone, it first
makes a round of requests of its own."""

import glob
import os
import unittest

import harness as h
from harness import FACEBOOK


class LogRound:
    """Requests touching every route, success and failure, with fresh secrets."""

    def make_round(self, client):
        google, _ = h.google_token(email="log.%s@example.com" % h.unique())
        facebook, _ = h.facebook_token(email="logfb.%s@example.com" % h.unique())
        ok = self.exchange(google, client=client)
        self.assertEqual(ok.status, 200, ok)
        fb = self.exchange(facebook, backend=FACEBOOK, client=client)
        self.assertEqual(fb.status, 200, fb)
        api_token = ok.json()["token"]
        self.assertEqual(self.me(api_token, client=client).status, 200)
        self.assertEqual(self.call("GET", "/me", client=client, query="token=" + api_token).status, 401)
        self.assertEqual(self.exchange(h.unregistered_token(), client=client).status, 400)
        self.assertEqual(self.exchange(h.unregistered_token("EAAlog"), backend=FACEBOOK,
                                       client=client).status, 400)
        bad_json = self.call("POST", "/social/google-oauth2/", client=client,
                             body='{"access_token": "%s", "access_token": "x"}' % google,
                             content_type="application/json")
        self.assertEqual(bad_json.status, 400)
        failing, _ = h.google_token(endpoint="userinfo", status=500)
        self.assertEqual(self.exchange(failing, client=client).status, 502)
        resp = self.call("POST", "/logout/all", client=client, body="",
                         content_type="application/json",
                         headers={"Authorization": "Bearer " + fb.json()["token"]})
        self.assertEqual(resp.status, 204)
        self.assertEqual(self.me(api_token, client=client, scheme="Bearer").status, 200)
        self.assertEqual(self.call("POST", "/logout", client=client, body="",
                                   content_type="application/json",
                                   headers={"Authorization": "Token " + api_token}).status, 204)
        self.assertEqual(self.me(api_token, client=client).status, 401)


class NoSecretsInLogs(LogRound, h.E2ETestCase):
    client = h.CgiClient()

    def log_files(self):
        files = [h.path("cgi-stderr.log")]
        files += glob.glob(h.path("lighttpd*", "lighttpd-error.log"))
        files += glob.glob(h.path("direct-*.log"))
        # the servers of test_apache, test_nginx (and test_lighttpd_example, above)
        files += glob.glob(h.path("apache-*", "error.log"))
        files += glob.glob(h.path("nginx*", "error.log")) + glob.glob(h.path("nginx*", "app.log"))
        return [f for f in files if os.path.exists(f)]

    def fixed_secrets(self):
        config = h.load_config()
        _, app_secret = h.facebook_app(config)
        values = [config["database"]["password"], app_secret]
        with open(h.path("mysql", "mariadb.env"), encoding="utf-8") as f:
            for line in f:
                if line.startswith("DB_PASSWORD="):
                    values.append(line.split("=", 1)[1].strip().strip("'"))
        return [v for v in values if v]

    def test_no_secret_appears_in_any_log(self):
        self.make_round(h.CgiClient())
        self.make_round(h.HttpClient())
        secrets = set(h.remembered_secrets()) | set(self.fixed_secrets())
        self.assertGreater(len(secrets), 10, "too few secrets recorded to mean anything")
        files = self.log_files()
        self.assertIn(h.path("cgi-stderr.log"), files)
        self.assertIn(h.path("lighttpd", "lighttpd-error.log"), files)
        leaks = []
        total = 0
        for name in files:
            with open(name, "rb") as f:
                text = f.read().decode("utf-8", "replace")
            total += len(text)
            for secret in secrets:
                if secret in text:
                    line = next(l for l in text.splitlines() if secret in l)
                    leaks.append("%s: %s...: %s" % (os.path.relpath(name, h.TEST_DIR),
                                                     secret[:6], line[:200]))
                # a URL-encoded form (e.g. "|" in the Facebook app token) counts too
                encoded = secret.replace("|", "%7C").replace("/", "%2F").replace("+", "%2B")
                if encoded != secret and encoded in text:
                    leaks.append("%s: %s... (URL-encoded)" % (name, secret[:6]))
        self.assertEqual(leaks, [])
        self.assertGreater(total, 0, "the program logged nothing at all")

    def test_one_log_line_per_request(self):
        before = open(h.path("cgi-stderr.log"), "rb").read().count(b"\n") \
            if os.path.exists(h.path("cgi-stderr.log")) else 0
        resp = self.call("GET", "/health")
        self.assert_json(resp, 200, {"status": "ok"})
        lines = resp.stderr.decode("utf-8", "replace").splitlines()
        self.assertEqual(len(lines), 1, lines)
        self.assertIn("status=200", lines[0])
        self.assertIn("route=/health", lines[0])
        after = open(h.path("cgi-stderr.log"), "rb").read().count(b"\n")
        self.assertEqual(after, before + 1)

    def test_fastcgi_requests_are_logged_to_the_error_log(self):
        log = h.path("lighttpd", "lighttpd-error.log")
        size = os.path.getsize(log)
        marker = "/health"
        resp = self.call("GET", marker, client=h.HttpClient())
        self.assert_json(resp, 200, {"status": "ok"})
        with open(log, "rb") as f:
            f.seek(size)
            new = f.read().decode("utf-8", "replace")
        self.assertIn("route=/health", new)
        self.assertIn("status=200", new)


if __name__ == "__main__":
    unittest.main()
