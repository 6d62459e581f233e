"""nginx with docs/examples/nginx.conf (placeholders filled) and the program on a unix
socket started by spawn-fcgi, both unprivileged (tests/scripts/start_nginx.sh): the
example must pass the route as PATH_INFO, SOCIALAUTH_CONFIG and the Authorization
header. test_logs scans nginx's error log and the program's log (DIR/app.log)."""

import unittest

import web_servers as ws


class NginxExample(ws.SiteScenarios, ws.SiteCase):
    site = ws.Site("nginx", "start_nginx.sh", "stop_nginx.sh")

    def test_one_long_lived_worker_answers(self):
        exe = self.site.file("bin", "socialauth.fcgi")
        with open(self.site.file("app.pid"), encoding="ascii") as f:
            pid = int(f.read())
        self.assertEqual(self.call("GET", "/health").status, 200)
        self.assertEqual(ws.running(exe), {pid})
        self.assertIn("route=/health status=200", self.site.read("app.log"))


if __name__ == "__main__":
    unittest.main()
