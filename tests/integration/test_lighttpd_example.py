"""lighttpd with docs/examples/lighttpd.conf (placeholders filled), unprivileged
(tests/scripts/start_lighttpd_example.sh): lighttpd spawns the workers itself from
"bin-path" with SOCIALAUTH_CONFIG from "bin-environment", mounted at /auth. Its
error log (the workers' stderr) is scanned by test_logs with every lighttpd log."""

import unittest

import harness as h
import web_servers as ws


class LighttpdExample(ws.SiteScenarios, ws.SiteCase):
    site = ws.Site("lighttpd-example", "start_lighttpd_example.sh", "stop_lighttpd_example.sh")

    def test_lighttpd_spawns_the_examples_workers(self):
        self.assertEqual(self.call("GET", "/health").status, 200)
        workers = ws.running(self.site.file("bin", "socialauth.fcgi"))
        self.assertEqual(len(workers), 2, "the example's max-procs")
        with open(self.site.file("lighttpd.pid"), encoding="ascii") as f:
            self.assertEqual(workers, h.children_of(int(f.read())))


if __name__ == "__main__":
    unittest.main()
