"""A FastCGI worker's life (issue 4): SIGTERM during a request finishes that request
and then exits; a client that goes away before the answer (SIGPIPE/EPIPE on the
worker's write) does not kill it. The worker is our own (fcgi_client.DirectWorker), so
the signal reaches exactly the process that serves the request; the hang-up is also
tried through lighttpd, whose workers must stay the same."""

import json
import os
import socket
import time
import unittest

import fcgi_client
import harness as h
from harness import DB, FAKE, GOOGLE

EXCHANGE = "/social/%s/" % GOOGLE
PROVIDER_DELAY_MS = 1500


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError("timed out after %.1f s waiting for %s" % (timeout, what))


def slow_google_token(tag):
    """A token whose userinfo answer takes PROVIDER_DELAY_MS: the worker is in the middle
    of the exchange (tokeninfo done, transaction not begun) while it waits."""
    return h.google_token(email="%s.%s@example.com" % (tag, h.unique()), endpoint="userinfo",
                          delay_ms=PROVIDER_DELAY_MS)[0]


def exchange_request(token):
    body = json.dumps({"access_token": token}).encode()
    return fcgi_client.cgi_environment("POST", EXCHANGE, len(body), "application/json"), body


def log_lines(path):
    with open(path, "rb") as f:
        return f.read().count(b"\n")


class DirectWorkerLifecycle(h.E2ETestCase):
    def setUp(self):
        self.worker = fcgi_client.DirectWorker(self.id().rsplit(".", 1)[-1]).start()
        self.addCleanup(self.worker.stop)

    def wait_until_the_provider_is_asked(self, token):
        wait_for(lambda: any(r["endpoint"] == "userinfo" for r in FAKE.requests(token)), 10,
                 "the worker to call userinfo")

    def test_sigterm_while_idle_exits_at_once(self):
        self.assertEqual(self.worker.request("GET", "/health").status, 200)
        started = time.monotonic()
        self.worker.terminate()
        self.assertEqual(self.worker.wait(5), 0)
        self.assertLess(time.monotonic() - started, 2.0)

    def test_sigterm_during_an_exchange_finishes_it_then_exits(self):
        token = slow_google_token("sigterm")
        conn = self.worker.connect()
        self.addCleanup(conn.close)
        conn.send(*exchange_request(token))
        self.wait_until_the_provider_is_asked(token)
        self.worker.terminate()

        stdout, _, _ = conn.receive()
        status, _, body = h.parse_cgi_output(stdout)
        self.assertEqual(status, 200, body)
        answer = json.loads(body)
        h.remember_secret(answer["token"])
        self.assertEqual(DB.user_id_for_token(answer["token"]), str(answer["user"]["id"]))
        self.assertEqual(self.worker.wait(10), 0)
        with self.assertRaises(OSError):
            self.worker.connect(timeout=2)

    def test_a_client_that_hangs_up_does_not_kill_the_worker(self):
        token = slow_google_token("hangup")
        lines = log_lines(self.worker.log_path)
        conn = self.worker.connect()
        conn.send(*exchange_request(token))
        self.wait_until_the_provider_is_asked(token)
        conn.close()
        # the request's log line is written after its answer, so the write to the
        # closed socket has happened once the line is there
        wait_for(lambda: log_lines(self.worker.log_path) > lines, 10, "the request's log line")

        self.assertTrue(self.worker.alive(), "the worker died writing to a closed socket")
        resp = self.worker.request("GET", "/health")
        self.assertEqual(resp.status, 200, resp)
        self.assertTrue(self.worker.alive())

    def test_a_client_that_hangs_up_mid_request_does_not_kill_the_worker(self):
        environ, body = exchange_request(h.unregistered_token())
        # the parameters, then only half of the body, then gone
        conn = self.worker.connect()
        conn.sock.sendall(fcgi_client.begin_and_params(environ) + body[:5])
        conn.close()
        resp = self.worker.request("GET", "/health")
        self.assertEqual(resp.status, 200, resp)
        self.assertTrue(self.worker.alive())


class LighttpdClientHangUp(h.FastCgiCase):
    def test_a_browser_that_goes_away_leaves_the_workers_serving(self):
        workers = h.children_of(h.main_lighttpd_pid())
        token = slow_google_token("lhangup")
        body = json.dumps({"access_token": token}).encode()
        sock = socket.create_connection(("127.0.0.1", self.client.port), timeout=10)
        sock.sendall(b"POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     b"Content-Length: %d\r\n\r\n%s" % (EXCHANGE.encode(), len(body), body))
        wait_for(lambda: any(r["endpoint"] == "userinfo" for r in FAKE.requests(token)), 10,
                 "the worker to call userinfo")
        sock.close()
        time.sleep(PROVIDER_DELAY_MS / 1000.0 + 0.5)

        self.assertEqual(h.children_of(h.main_lighttpd_pid()), workers)
        good, _ = h.google_token(email="after.%s@example.com" % h.unique())
        for _ in range(len(workers) * 2):
            self.assertEqual(self.call("GET", "/health").status, 200)
        self.assertIs(self.login(good)["is_new"], True)
        self.assertEqual(h.children_of(h.main_lighttpd_pid()), workers)


if __name__ == "__main__":
    unittest.main()
