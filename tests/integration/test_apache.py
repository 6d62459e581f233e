"""Apache 2.4 as shared hosting runs the program (issue 5): the shipped htdocs/.htaccess
next to a copy of socialauth.fcgi, with only its SetEnv line edited, in a directory
granted exactly the AllowOverride the .htaccess says it requires, under mod_fcgid
(FastCGI) and, with mod_fcgid absent, mod_cgid (plain CGI, one process per request);
and docs/examples/apache-fcgid.conf in a vhost. Each class starts its own Apache
(tests/scripts/start_apache.sh, unprivileged) and stops it; test_logs scans the error
logs. PerRequestCost prints what CGI costs per request next to mod_fcgid."""

import os
import sys
import time
import unittest

import harness as h
import per_request_cost
import web_servers as ws
from web_servers import DB

SLOW_PROVIDER_MS = 700


class HtaccessScenarios:
    """The .htaccess alone must make the directory safe and the program work."""

    def site_dir(self, *parts):
        return self.site.file("htdocs", *parts)

    def test_only_the_program_is_served(self):
        with open(self.site_dir("auth", "notes.txt"), "w", encoding="utf-8") as f:
            f.write("not for the public\n")
        os.chmod(self.site_dir("auth", "notes.txt"), 0o644)
        for target in ("/auth/.htaccess", "/auth/notes.txt", "/auth/", "/auth/socialauth.fcgi.bak"):
            resp = self.client.raw("GET", target)
            self.assertEqual(resp.status, 403, (target, resp))
            self.assertNotIn(b"SetEnv", resp.body)
            self.assertNotIn(b"not for the public", resp.body)

    def test_the_site_is_the_shipped_htaccess_with_only_setenv_changed(self):
        with open(os.path.join(h.SRCDIR, "htdocs", ".htaccess"), encoding="utf-8") as f:
            shipped = f.read().splitlines()
        with open(self.site_dir("auth", ".htaccess"), encoding="utf-8") as f:
            used = f.read().splitlines()
        self.assertEqual(len(used), len(shipped))
        changed = [(a, b) for a, b in zip(shipped, used) if a != b]
        self.assertEqual(changed, [(
            next(l for l in shipped if l.startswith("SetEnv SOCIALAUTH_CONFIG ")),
            "SetEnv SOCIALAUTH_CONFIG " + self.site.file("config.json"))])

    def test_without_cgipassauth_the_program_gets_no_authorization(self):
        # The same directory minus that one line: Apache keeps the header back, so the
        # logins above work because of the .htaccess, not by accident.
        api_token = self.login(h.google_token(email="pa.%s@example.com" % h.unique())[0])["token"]
        other = self.site_dir("nopassauth")
        os.makedirs(other, mode=0o755, exist_ok=True)
        with open(self.site_dir("auth", ".htaccess"), encoding="utf-8") as f:
            lines = [l for l in f if l.strip() != "CGIPassAuth On"]
        with open(os.path.join(other, ".htaccess"), "w", encoding="utf-8") as f:
            f.writelines(lines)
        if not os.path.lexists(os.path.join(other, "socialauth.fcgi")):
            os.symlink(self.site_dir("auth", "socialauth.fcgi"), os.path.join(other, "socialauth.fcgi"))
        without = ws.SiteClient(self.client.host_url + "/nopassauth/socialauth.fcgi", "nopassauth")
        self.assert_json(self.me(api_token, client=without), 401, ws.NOT_AUTHENTICATED)
        self.assertEqual(self.me(api_token).status, 200)


class ApacheFcgid(ws.SiteScenarios, HtaccessScenarios, ws.SiteCase):
    site = ws.apache("apache-fcgid")

    def test_a_worker_serves_request_after_request(self):
        exe = self.site_dir("auth", "socialauth.fcgi")
        self.assertEqual(self.call("GET", "/health").status, 200)
        workers = ws.running(exe)
        self.assertTrue(workers, "no mod_fcgid worker runs the program after a request")
        for _ in range(3):
            token, _ = h.google_token(email="slow.%s@example.com" % h.unique(),
                                      endpoint="userinfo", delay_ms=SLOW_PROVIDER_MS)
            resp, seen = ws.pids_serving(lambda: self.exchange(token), exe)
            self.assertEqual(resp.status, 200, resp)
            self.assertEqual(seen, workers, "workers came or went during a request")
        self.assertEqual(ws.running(exe), workers)


class ApacheCgi(ws.SiteScenarios, HtaccessScenarios, ws.SiteCase):
    """Without mod_fcgid the same .htaccess makes it a CGI program."""

    site = ws.apache("apache-cgi", APACHE_FASTCGI="cgi")

    def test_one_process_per_request(self):
        exe = self.site_dir("auth", "socialauth.fcgi")
        served_by = []
        for _ in range(3):
            token, _ = h.google_token(email="cgi.%s@example.com" % h.unique(),
                                      endpoint="userinfo", delay_ms=SLOW_PROVIDER_MS)
            resp, seen = ws.pids_serving(lambda: self.exchange(token), exe)
            self.assertEqual(resp.status, 200, resp)
            self.assertEqual(len(seen), 1, "one program process per request, saw %s" % seen)
            served_by.append(seen.pop())
            deadline = time.monotonic() + 5
            while ws.running(exe) and time.monotonic() < deadline:
                time.sleep(0.02)
            self.assertEqual(ws.running(exe), set(), "the CGI process outlived its request")
        self.assertEqual(len(set(served_by)), 3, served_by)


class ApacheVhostExample(ws.SiteScenarios, ws.SiteCase):
    """docs/examples/apache-fcgid.conf inside a <VirtualHost>, placeholders filled."""

    site = ws.apache("apache-vhost", APACHE_SITE="vhost")


class HtaccessNeedsAuthConfig(ws.SiteCase):
    """With the AllowOverride the .htaccess used to ask for (FileInfo Options), Apache
    refuses the directory: CGIPassAuth and Require need AuthConfig."""

    site = ws.apache("apache-narrow", APACHE_ALLOW_OVERRIDE="FileInfo Options")

    def test_directory_fails_with_a_precise_log_line(self):
        resp = self.client.request("GET", "/health")
        self.assertEqual(resp.status, 500, resp)
        self.assertIn("CGIPassAuth not allowed here", self.site.read("error.log"))


class PerRequestCost(h.E2ETestCase):
    """Latency of /health and of a failed exchange through Apache with mod_fcgid and
    with plain CGI, printed; asserted is only that every answer was the program's
    right one (SOCIALAUTH_COST_REQUESTS requests each, default 50; more for the note)."""

    sites = (ws.apache("apache-cost-fcgid"), ws.apache("apache-cost-cgi", APACHE_FASTCGI="cgi"))

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for site in cls.sites:
            cls.addClassCleanup(site.stop)
            site.start()

    def test_measure_cgi_against_fastcgi(self):
        requests = int(os.environ.get("SOCIALAUTH_COST_REQUESTS", "50"))
        refused = h.unregistered_token("ya29.cost-")
        before = DB.snapshot()
        measured = []
        for site in self.sites:
            url = site.client.host_url + site.client.mount
            measured.append((site.name, per_request_cost.measure(url, requests, refused)))
        sys.stderr.write("\n" + "\n".join(per_request_cost.table(measured, requests)) + "\n")
        for name, results in measured:
            self.assertEqual(results["GET /health"]["statuses"], {200: requests}, name)
            self.assertEqual(results["failed exchange"]["statuses"], {400: requests}, name)
        self.assert_unchanged(before)


if __name__ == "__main__":
    unittest.main()
