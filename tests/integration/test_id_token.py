"""Google ID tokens (SPEC §3): RS256 against the JWKS at jwks_url (the fake provider
serves the public half of TEST_DIR/jwt.key), issuer, audience, expiry.

ID tokens arrive with a later release (README): until then every ID token is refused,
so the refusal tests hold already and the two accepting ones are expected failures.
When the feature lands they pass, unittest reports an "unexpected success" (a
failure), and the decorators must go."""

import json
import time
import unittest

import harness as h
from harness import DB


class IdTokenScenarios:
    def assert_invalid(self, id_token):
        before = DB.snapshot()
        resp = self.exchange(id_token, field="id_token")
        self.assert_json(resp, 400, h.INVALID_TOKEN_BODY)
        self.assert_unchanged(before)

    @unittest.expectedFailure
    def test_valid_id_token_logs_in(self):
        claims = h.id_token_claims()
        resp = self.exchange(h.make_id_token(claims), field="id_token")
        self.assertEqual(resp.status, 200, resp)
        body = resp.json()
        self.assertIs(body["is_new"], True)
        self.assertEqual(body["user"]["email"], claims["email"])
        self.assertEqual((body["user"]["first_name"], body["user"]["last_name"]), ("Ida", "Token"))
        me = self.me(body["token"]).json()
        self.assertEqual(me["identities"], [{"provider": h.GOOGLE, "uid": claims["sub"]}])

    @unittest.expectedFailure
    def test_id_token_in_form_body(self):
        claims = h.id_token_claims(iss="accounts.google.com")
        resp = self.exchange(h.make_id_token(claims), field="id_token", form=True)
        self.assertEqual(resp.status, 200, resp)
        self.assertIs(resp.json()["is_new"], True)

    def test_id_token_for_another_client_is_invalid(self):
        self.assert_invalid(h.make_id_token(h.id_token_claims(
            aud="someone-else.apps.googleusercontent.com")))

    def test_id_token_from_another_issuer_is_invalid(self):
        self.assert_invalid(h.make_id_token(h.id_token_claims(iss="https://evil.example.com")))

    def test_expired_id_token_is_invalid(self):
        now = int(time.time())
        self.assert_invalid(h.make_id_token(h.id_token_claims(iat=now - 7200, exp=now - 3600)))

    def test_tampered_id_token_is_invalid(self):
        good = h.make_id_token(h.id_token_claims())
        head, _, sig = good.split(".")
        forged = h._b64url(json.dumps(h.id_token_claims(email="admin@example.com")).encode())
        self.assert_invalid(h.remember_secret("%s.%s.%s" % (head, forged, sig)))

    def test_unsigned_id_token_is_invalid(self):
        self.assert_invalid(h.make_id_token(h.id_token_claims(), alg="none"))

    def test_id_token_signed_with_another_key_is_invalid(self):
        self.assert_invalid(h.make_id_token(h.id_token_claims(), key=h.path("other-jwt.key")))

    def test_unknown_key_id_is_invalid(self):
        self.assert_invalid(h.make_id_token(h.id_token_claims(), kid="no-such-key"))

    def test_id_token_without_sub_is_invalid(self):
        self.assert_invalid(h.make_id_token(h.id_token_claims(sub=None)))


class CgiIdToken(IdTokenScenarios, h.CgiCase):
    pass


class FastCgiIdToken(IdTokenScenarios, h.FastCgiCase):
    pass


if __name__ == "__main__":
    unittest.main()
