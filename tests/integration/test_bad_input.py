"""Bad request input (issue 4, SPEC §2.1): every malformed exchange request gets its
SPEC error before any provider call, changes nothing in the database, and the worker
that refused it serves the next request.

Each bad body carries a token the fake provider knows, so a parser that let any of
them through would show up as a provider request for that token. The same cases run
against the program as CGI, as a FastCGI worker of our own (fcgi_client.DirectWorker:
it alone can be sent a CONTENT_LENGTH that lies) and behind lighttpd (which refuses a
bad Content-Length itself, so only the body cases go through it)."""

import json
import unittest

import fcgi_client
import harness as h
from harness import DB, FAKE, GOOGLE

EXCHANGE = "/social/%s/" % GOOGLE
JSON = "application/json"
FORM = h.FORM_TYPE
ONE_MEGABYTE = 1024 * 1024


def nested(depth, inner):
    return "[" * depth + inner + "]" * depth


def body_cases(token):
    """(name, body bytes, content type, status, error) for bad bodies."""
    quoted = json.dumps(token)
    return [
        ("json nested 40 deep", '{"access_token": %s, "x": %s}' % (quoted, nested(40, "1")),
         JSON, 400, "invalid_json"),
        ("json duplicate keys", '{"access_token": %s, "access_token": %s}' % (quoted, quoted),
         JSON, 400, "invalid_json"),
        ("json trailing garbage", '{"access_token": %s} x' % quoted, JSON, 400, "invalid_json"),
        ("json second document", '{"access_token": %s}{}' % quoted, JSON, 400, "invalid_json"),
        ("json array", "[%s]" % quoted, JSON, 400, "invalid_json"),
        ("json string", quoted, JSON, 400, "invalid_json"),
        ("json number", "42", JSON, 400, "invalid_json"),
        ("json null", "null", JSON, 400, "invalid_json"),
        ("json empty body", "", JSON, 400, "invalid_json"),
        ("json token not a string", '{"access_token": [%s]}' % quoted, JSON, 400,
         "invalid_request"),
        ("json not utf-8", b'{"access_token": "' + token.encode() + b'\xff\xfe"}', JSON, 400,
         "invalid_request"),
        ("json overlong utf-8", b'{"access_token": "' + token.encode() + b'\xc0\xaf"}', JSON,
         400, "invalid_request"),
        ("json escaped NUL in token", '{"access_token": "%s\\u0000"}' % token, JSON, 400,
         "invalid_request"),
        ("json raw NUL in string", b'{"access_token": "' + token.encode() + b'\x00"}', JSON, 400,
         "invalid_request"),
        ("json raw NUL after object", b'{"access_token": ' + quoted.encode() + b'}\x00', JSON, 400,
         "invalid_json"),
        ("json comment", '{"access_token": %s /* hi */}' % quoted, JSON, 400, "invalid_json"),
        ("form repeated key", "access_token=%s&access_token=%s" % (token, token), FORM, 400,
         "invalid_request"),
        ("form empty keys", "=%s&=&access_token=" % token, FORM, 400, "invalid_request"),
        ("form only separators", "&&&", FORM, 400, "invalid_request"),
        ("form not utf-8", "access_token=%s%%FF" % token, FORM, 400, "invalid_request"),
        ("form NUL in token", "access_token=%s%%00" % token, FORM, 400, "invalid_request"),
        ("token of 1 MB", json.dumps({"access_token": token + "a" * ONE_MEGABYTE}), JSON, 413,
         "body_too_large"),
        ("form token of 1 MB", "access_token=%s%s" % (token, "a" * ONE_MEGABYTE), FORM, 413,
         "body_too_large"),
        ("text/plain", json.dumps({"access_token": token}), "text/plain", 415,
         "unsupported_media_type"),
        ("no content type", json.dumps({"access_token": token}), None, 415,
         "unsupported_media_type"),
        ("multipart", "--b\r\nContent-Disposition: form-data; name=\"access_token\"\r\n\r\n%s\r\n"
                      "--b--\r\n" % token, "multipart/form-data; boundary=b", 415,
         "unsupported_media_type"),
        ("json look-alike type", json.dumps({"access_token": token}), "application/jsonx", 415,
         "unsupported_media_type"),
    ]


def length_cases(token):
    """(name, body, CONTENT_LENGTH as sent, status, error): lengths that are missing or
    lie, which only a CGI or FastCGI peer of our own can send."""
    body = json.dumps({"access_token": token}).encode()
    n = len(body)
    return [
        ("missing", body, None, 411, "length_required"),
        ("negative", body, "-1", 400, "invalid_request"),
        ("negative zero", body, "-0", 400, "invalid_request"),
        ("not a number", body, "12abc", 400, "invalid_request"),
        ("empty", body, "", 411, "length_required"),
        ("plus sign", body, "+%d" % n, 400, "invalid_request"),
        ("leading space", body, " %d" % n, 400, "invalid_request"),
        ("hexadecimal", body, hex(n), 400, "invalid_request"),
        ("exponent", body, "1e2", 400, "invalid_request"),
        ("huge", body, "9" * 30, 413, "body_too_large"),
        ("over the limit", body, str(h.load_config()["http"]["max_body_bytes"] + 1), 413,
         "body_too_large"),
        ("longer than the body", body, str(n + 10), 400, "invalid_request"),
        ("shorter than the body", body, str(n - 2), 400, "invalid_json"),
        ("zero with a body", body, "0", 400, "invalid_json"),
    ]


class BadInputScenarios:
    """Body cases for every way the program runs; self.client is set by the subclass."""

    def setUp(self):
        self.token, _ = h.google_token(email="bad.%s@example.com" % h.unique())
        self.workers_before = self.worker_ids()

    def tearDown(self):
        self.assertEqual(self.worker_ids(), self.workers_before,
                         "a worker died or was replaced while refusing bad input")

    def worker_ids(self):
        """The processes serving this client; CGI has none that outlive a request."""
        return set()

    def cases(self):
        return body_cases(self.token)

    def assert_refused(self, case, status, error, **request):
        before = DB.snapshot()
        resp = self.call("POST", EXCHANGE, **request)
        self.assertEqual((resp.status, resp.json().get("error")), (status, error),
                         "%s: %r" % (case, resp))
        self.assertEqual(FAKE.requests(self.token), [], "%s reached the provider" % case)
        self.assert_unchanged(before)

    def test_bad_bodies_are_refused_before_the_provider_is_asked(self):
        for case, body, ctype, status, error in self.cases():
            with self.subTest(case):
                self.assert_refused(case, status, error, body=body, content_type=ctype)

    def test_the_same_worker_exchanges_a_good_token_after_every_kind_of_bad_input(self):
        for case, body, ctype, status, error in self.cases():
            self.assert_refused(case, status, error, body=body, content_type=ctype)
        self.assertIs(self.login(self.token)["is_new"], True)

    def test_empty_form_pairs_around_the_token_are_ignored(self):
        resp = self.call("POST", EXCHANGE, body="&&access_token=%s&&" % self.token,
                         content_type=FORM)
        self.assertEqual(resp.status, 200, resp)
        h.remember_secret(resp.json()["token"])
        self.assertIs(resp.json()["is_new"], True)


class LengthScenarios:
    def test_missing_and_lying_content_lengths_are_refused_before_the_provider_is_asked(self):
        for case, body, length, status, error in length_cases(self.token):
            with self.subTest(case):
                self.assert_refused(case, status, error, body=body, content_type=JSON,
                                    content_length=length)
        self.assertIs(self.login(self.token)["is_new"], True)


class CgiBadInput(BadInputScenarios, LengthScenarios, h.CgiCase):
    pass


class DirectFastCgiBadInput(BadInputScenarios, LengthScenarios, h.E2ETestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.client = fcgi_client.DirectWorker("bad-input").start()

    @classmethod
    def tearDownClass(cls):
        cls.client.stop()
        super().tearDownClass()

    def worker_ids(self):
        return {self.client.pid} if self.client.alive() else set()


class LighttpdBadInput(BadInputScenarios, h.FastCgiCase):
    # server.max-request-size of tests/scripts/start_lighttpd.sh, in bytes
    WEB_SERVER_BODY_LIMIT = 1024 * 1024

    def worker_ids(self):
        workers = h.children_of(h.main_lighttpd_pid())
        self.assertTrue(workers, "lighttpd has no FastCGI workers")
        return workers

    def cases(self):
        return [case for case in body_cases(self.token)
                if len(case[1]) <= self.WEB_SERVER_BODY_LIMIT]

    def test_bodies_over_the_web_servers_limit_never_reach_a_worker(self):
        big = [case for case in body_cases(self.token) if len(case[1]) > self.WEB_SERVER_BODY_LIMIT]
        self.assertTrue(big)
        for case, body, ctype, _, _ in big:
            with self.subTest(case):
                before = DB.snapshot()
                # lighttpd's own 413 page is HTML: the standard JSON headers don't apply
                resp = self.client.request("POST", EXCHANGE, body=body, content_type=ctype)
                self.assertEqual(resp.status, 413, resp)
                self.assertEqual(FAKE.requests(self.token), [])
                self.assert_unchanged(before)


if __name__ == "__main__":
    unittest.main()
