"""The HTTP layer (SPEC §2, §2.1): routes, methods, body framing, content types, body
validation, CORS. Every refused request leaves the database as it was."""

import json
import unittest

import harness as h
from harness import DB, FAKE

EXCHANGE = "/social/google-oauth2/"
ALLOWED_ORIGIN = "https://app.example.com"


class RequestScenarios:
    def post(self, body, content_type="application/json", route=EXCHANGE, **kwargs):
        return self.call("POST", route, body=body, content_type=content_type, **kwargs)

    def assert_refused(self, resp_fn, status, body):
        before = DB.snapshot()
        resp = resp_fn()
        self.assert_json(resp, status, body)
        self.assert_unchanged(before)
        return resp

    # ---- routes and methods ----------------------------------------------------------
    def test_health_is_ok(self):
        self.assert_json(self.call("GET", "/health"), 200, {"status": "ok"})

    def test_unknown_backend_is_404(self):
        token = h.unregistered_token()
        self.assert_refused(lambda: self.exchange(token, backend="github"), 404,
                            {"error": "unknown_backend"})

    def test_backend_names_are_case_sensitive(self):
        token, _ = h.google_token(email="case.%s@example.com" % h.unique())
        self.assert_refused(lambda: self.exchange(token, backend="Google-OAuth2"), 404,
                            {"error": "unknown_backend"})
        self.assertEqual(FAKE.requests(token), [])

    def test_unknown_route_is_404(self):
        self.assert_json(self.call("GET", "/nope"), 404, {"error": "not_found"})
        self.assert_json(self.call("POST", "/social/", body="{}",
                                   content_type="application/json"), 404, {"error": "not_found"})

    def test_get_on_exchange_is_405_with_allow(self):
        resp = self.call("GET", EXCHANGE)
        self.assert_json(resp, 405, {"error": "method_not_allowed"})
        self.assertIn("POST", [m.strip() for m in resp.header("Allow").split(",")])

    def test_post_on_me_is_405_with_allow(self):
        resp = self.call("POST", "/me", body="{}", content_type="application/json")
        self.assert_json(resp, 405, {"error": "method_not_allowed"})
        self.assertIn("GET", [m.strip() for m in resp.header("Allow").split(",")])

    def test_get_on_logout_is_405(self):
        resp = self.call("GET", "/logout")
        self.assert_json(resp, 405, {"error": "method_not_allowed"})
        self.assertIn("POST", resp.header("Allow"))

    # ---- body framing and content types ----------------------------------------------
    def test_body_over_the_limit_is_413(self):
        limit = h.load_config()["http"]["max_body_bytes"]
        token = h.unregistered_token()
        body = json.dumps({"access_token": token, "pad": "x" * limit})
        self.assert_refused(lambda: self.post(body), 413, {"error": "body_too_large"})
        self.assertEqual(FAKE.requests(token), [])

    def test_body_of_exactly_the_limit_is_read(self):
        limit = h.load_config()["http"]["max_body_bytes"]
        token, _ = h.google_token(email="limit.%s@example.com" % h.unique())
        body = json.dumps({"access_token": token, "pad": ""})
        body = json.dumps({"access_token": token, "pad": "x" * (limit - len(body))})
        self.assertEqual(len(body), limit)
        resp = self.post(body)
        self.assertEqual(resp.status, 200, resp)
        self.assertIs(resp.json()["is_new"], True)

    def test_wrong_content_type_is_415(self):
        token = h.unregistered_token()
        for ctype in ("text/plain", "multipart/form-data; boundary=x", "application/jsonp"):
            with self.subTest(content_type=ctype):
                self.assert_refused(lambda: self.post(json.dumps({"access_token": token}), ctype),
                                    415, {"error": "unsupported_media_type"})
        self.assertEqual(FAKE.requests(token), [])

    def test_missing_content_type_is_415(self):
        token = h.unregistered_token()
        self.assert_refused(lambda: self.post(json.dumps({"access_token": token}), None),
                            415, {"error": "unsupported_media_type"})

    # ---- the token field -------------------------------------------------------------
    def test_missing_or_blank_token_field_is_required(self):
        cases = [
            ("{}", "application/json"),
            ('{"access_token": ""}', "application/json"),
            ('{"access_token": "  \\t "}', "application/json"),
            ('{"token": "abc", "code": "xyz"}', "application/json"),
            ("", "application/x-www-form-urlencoded"),
            ("access_token=", "application/x-www-form-urlencoded"),
            ("access_token=+++", "application/x-www-form-urlencoded"),
            ("other=1", "application/x-www-form-urlencoded"),
        ]
        for body, ctype in cases:
            with self.subTest(body=body, content_type=ctype):
                self.assert_refused(lambda: self.post(body, ctype), 400, h.REQUIRED_BODY)

    def test_token_in_query_string_is_not_read(self):
        token, _ = h.google_token(email="qs.%s@example.com" % h.unique())
        self.assert_refused(lambda: self.post("{}", query="access_token=" + token), 400,
                            h.REQUIRED_BODY)
        self.assertEqual(FAKE.requests(token), [])

    def test_control_characters_in_token_are_invalid_request(self):
        cases = [
            (json.dumps({"access_token": "ya29.abc\u0000def"}), "application/json"),
            (json.dumps({"access_token": "ya29.abc\u0007def"}), "application/json"),
            ("access_token=ya29.abc%00def", "application/x-www-form-urlencoded"),
            ("access_token=ya29.abc%01def", "application/x-www-form-urlencoded"),
        ]
        for body, ctype in cases:
            with self.subTest(body=body):
                before = DB.snapshot()
                self.assert_error(self.post(body, ctype), 400, "invalid_request", ["access_token"])
                self.assert_unchanged(before)

    def test_bad_utf8_in_form_is_invalid_request(self):
        before = DB.snapshot()
        resp = self.post("access_token=ya29.%FF%FEabc", "application/x-www-form-urlencoded")
        self.assert_error(resp, 400, "invalid_request", ["access_token"])
        self.assert_unchanged(before)

    # ---- JSON ------------------------------------------------------------------------
    def test_unparsable_json_is_invalid_json(self):
        for body in ('{"access_token": ', "access_token=abc", "{'access_token': 'x'}",
                     '{"access_token": "x"} trailing'):
            with self.subTest(body=body):
                before = DB.snapshot()
                self.assert_error(self.post(body), 400, "invalid_json", ["detail"])
                self.assert_unchanged(before)

    def test_duplicate_keys_are_invalid_json(self):
        token, _ = h.google_token(email="dup.%s@example.com" % h.unique())
        other = h.unregistered_token()
        body = '{"access_token": "%s", "access_token": "%s"}' % (token, other)
        before = DB.snapshot()
        self.assert_error(self.post(body), 400, "invalid_json", ["detail"])
        self.assert_unchanged(before)
        self.assertEqual(FAKE.requests(token), [])
        nested = '{"access_token": "%s", "x": {"a": 1, "a": 2}}' % token
        self.assert_error(self.post(nested), 400, "invalid_json", ["detail"])

    def test_json_nested_40_deep_is_invalid_json(self):
        token = h.unregistered_token()
        body = '{"access_token": "%s", "x": %s%s}' % (token, "[" * 39, "]" * 39)
        before = DB.snapshot()
        self.assert_error(self.post(body), 400, "invalid_json", ["detail"])
        self.assert_unchanged(before)
        self.assertEqual(FAKE.requests(token), [])

    def test_json_nested_32_deep_is_accepted_and_33_is_not(self):
        token, _ = h.google_token(email="deep.%s@example.com" % h.unique())
        # the outer object is level 1, so 31 arrays make 32 levels
        ok = '{"access_token": "%s", "x": %s%s}' % (token, "[" * 31, "]" * 31)
        resp = self.post(ok)
        self.assertEqual(resp.status, 200, resp)
        self.assertIs(resp.json()["is_new"], True)
        too_deep = '{"access_token": "%s", "x": %s%s}' % (token, "[" * 32, "]" * 32)
        self.assert_error(self.post(too_deep), 400, "invalid_json", ["detail"])

    # ---- CORS ------------------------------------------------------------------------
    def test_preflight_from_configured_origin_gets_cors_headers(self):
        resp = self.call("OPTIONS", EXCHANGE, headers={
            "Origin": ALLOWED_ORIGIN, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type"})
        self.assert_no_content(resp)
        self.assertEqual(resp.header("Access-Control-Allow-Origin"), ALLOWED_ORIGIN)
        self.assertIn("POST", resp.header("Access-Control-Allow-Methods"))
        self.assertIn("content-type", resp.header("Access-Control-Allow-Headers").lower())
        self.assertIn("authorization", resp.header("Access-Control-Allow-Headers").lower())
        self.assertIn("Origin", resp.header("Vary") or "")
        self.assertIsNone(resp.header("Access-Control-Allow-Credentials"))

    def test_preflight_from_other_origin_gets_no_cors_headers(self):
        for origin in ("https://evil.example.com", ALLOWED_ORIGIN + ".evil.com",
                       ALLOWED_ORIGIN.upper(), "null", ALLOWED_ORIGIN + "/"):
            with self.subTest(origin=origin):
                resp = self.call("OPTIONS", EXCHANGE, headers={
                    "Origin": origin, "Access-Control-Request-Method": "POST"})
                self.assert_no_content(resp)
                cors = {n for n in resp.header_names() if n.startswith("access-control-")}
                self.assertEqual(cors, set(), resp.headers)

    def test_actual_request_from_configured_origin_gets_allow_origin(self):
        token, _ = h.google_token(email="cors.%s@example.com" % h.unique())
        resp = self.exchange(token, headers={"Origin": ALLOWED_ORIGIN})
        self.assertEqual(resp.status, 200, resp)
        self.assertEqual(resp.header("Access-Control-Allow-Origin"), ALLOWED_ORIGIN)
        error = self.exchange(h.unregistered_token(), headers={"Origin": ALLOWED_ORIGIN})
        self.assert_json(error, 400, h.INVALID_TOKEN_BODY)
        self.assertEqual(error.header("Access-Control-Allow-Origin"), ALLOWED_ORIGIN)
        other = self.exchange(h.unregistered_token(), headers={"Origin": "https://evil.example.com"})
        self.assert_json(other, 400, h.INVALID_TOKEN_BODY)
        self.assertIsNone(other.header("Access-Control-Allow-Origin"))


class CgiOnlyRequestScenarios:
    """Framing a web server would never pass on (lighttpd answers these itself)."""

    def test_missing_content_length_is_411(self):
        token = h.unregistered_token()
        before = DB.snapshot()
        resp = self.call("POST", EXCHANGE, body=json.dumps({"access_token": token}),
                         content_type="application/json", content_length=None)
        self.assert_json(resp, 411, {"error": "length_required"})
        self.assert_unchanged(before)
        self.assertEqual(FAKE.requests(token), [])

    def test_huge_content_length_is_413_without_reading(self):
        resp = self.call("POST", EXCHANGE, body=b'{"access_token": "x"}',
                         content_type="application/json", content_length=10 ** 12)
        self.assert_json(resp, 413, {"error": "body_too_large"})

    def test_body_shorter_than_content_length_is_400(self):
        resp = self.call("POST", EXCHANGE, body=b'{"access_token": "x"}',
                         content_type="application/json", content_length=100)
        self.assert_error(resp, 400, "invalid_request")

    def test_bad_content_length_is_400(self):
        for value in ("abc", "-1", "1e3", " 12"):
            with self.subTest(content_length=value):
                resp = self.call("POST", EXCHANGE, body=b"{}", content_type="application/json",
                                 content_length=value)
                self.assert_error(resp, 400, "invalid_request")


class CgiRequests(RequestScenarios, CgiOnlyRequestScenarios, h.CgiCase):
    pass


class FastCgiRequests(RequestScenarios, h.FastCgiCase):
    def test_post_without_content_length_is_refused_by_lighttpd(self):
        # Documented: lighttpd answers 411 itself (HTML) before the program sees it,
        # so the program's own 411 is covered by the CGI tests.
        resp = h.HttpClient().request("POST", EXCHANGE, body=None, content_length=None,
                                      content_type="application/json")
        self.assertEqual(resp.status, 411, resp)
        self.assertIn(b"411", resp.body)


if __name__ == "__main__":
    unittest.main()
