"""Provider tokens the program must refuse (SPEC §2.1 invalid_token, §3), and inactive
users. Every refusal has the same body and leaves the database as it was."""

import json
import unittest

import harness as h
from harness import DB, FACEBOOK, FAKE, GOOGLE


class TokenCheckScenarios:
    def assert_invalid_token(self, token, backend=GOOGLE, **kwargs):
        before = DB.snapshot()
        resp = self.exchange(token, backend=backend, **kwargs)
        self.assert_json(resp, 400, h.INVALID_TOKEN_BODY)
        self.assert_unchanged(before)
        return resp

    # ---- Google ----------------------------------------------------------------------
    def test_unknown_google_token_is_invalid(self):
        self.assert_invalid_token(h.unregistered_token())

    def test_google_token_issued_to_another_client_is_invalid(self):
        foreign = "someone-else.apps.googleusercontent.com"
        token, _ = h.google_token(email="aud.%s@example.com" % h.unique(), aud=foreign, azp=foreign)
        self.assert_invalid_token(token)
        # refused on tokeninfo's answer: the profile was never fetched
        self.assertEqual([c["endpoint"] for c in FAKE.requests(token)], ["tokeninfo"])

    def test_expired_google_token_rejected_by_google_is_invalid(self):
        token, _ = h.google_token(email="exp.%s@example.com" % h.unique(), expires_in=-60)
        self.assert_invalid_token(token)

    def test_expired_google_token_reported_by_tokeninfo_is_invalid(self):
        # tokeninfo answers 200 with an exp in the past: the program checks exp itself
        token, _ = h.google_token(email="exp2.%s@example.com" % h.unique(), expires_in=-60,
                                  expiry_mode="report")
        self.assert_invalid_token(token)

    def test_google_userinfo_with_other_sub_than_tokeninfo_is_invalid(self):
        token, _ = h.google_token(email="sub.%s@example.com" % h.unique(),
                                  userinfo={"sub": "999999999999999999999"})
        self.assert_invalid_token(token)

    def test_google_token_without_uid_is_invalid(self):
        token, _ = h.google_token(email="nosub.%s@example.com" % h.unique(),
                                  tokeninfo={"sub": ""}, userinfo={"sub": ""})
        self.assert_invalid_token(token)

    def test_google_userinfo_refusing_the_token_is_invalid(self):
        token, _ = h.google_token(email="ui.%s@example.com" % h.unique(), endpoint="userinfo",
                                  status=401, body=json.dumps({
                                      "error": "invalid_request",
                                      "error_description": "Invalid Credentials"}),
                                  headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
        self.assert_invalid_token(token)

    # ---- Facebook --------------------------------------------------------------------
    def test_unknown_facebook_token_is_invalid(self):
        self.assert_invalid_token(h.unregistered_token("EAAunknown"), backend=FACEBOOK)

    def test_unknown_facebook_token_answered_with_oauth_exception_is_invalid(self):
        token, _ = h.facebook_token(endpoint="debug_token", status=400, body=json.dumps({
            "error": {"message": "Invalid OAuth access token.", "type": "OAuthException",
                      "code": 190, "fbtrace_id": "AbCdEf"}}))
        self.assert_invalid_token(token, backend=FACEBOOK)

    def test_facebook_token_of_another_app_is_invalid(self):
        token, _ = h.facebook_token(email="app.%s@example.com" % h.unique(), app_id="999999999999",
                                    app_secret="other-app-secret-0123456789")
        self.assert_invalid_token(token, backend=FACEBOOK)
        self.assertEqual([c["endpoint"] for c in FAKE.requests(token)], ["debug_token"])

    def test_facebook_token_marked_invalid_is_invalid(self):
        token, _ = h.facebook_token(debug={"is_valid": False})
        self.assert_invalid_token(token, backend=FACEBOOK)

    def test_expired_facebook_token_is_invalid(self):
        token, _ = h.facebook_token(email="fexp.%s@example.com" % h.unique(), expires_in=-60)
        self.assert_invalid_token(token, backend=FACEBOOK)

    def test_facebook_token_valid_but_past_expires_at_is_invalid(self):
        token, _ = h.facebook_token(email="fexp2.%s@example.com" % h.unique(), expires_in=-60,
                                    expiry_mode="report")
        self.assert_invalid_token(token, backend=FACEBOOK)

    def test_facebook_token_that_never_expires_is_accepted(self):
        token, _ = h.facebook_token(email="fnever.%s@example.com" % h.unique(), expires_in=0)
        body = self.login(token, backend=FACEBOOK)
        self.assertIs(body["is_new"], True)

    def test_facebook_me_id_differing_from_debug_token_user_is_invalid(self):
        token, _ = h.facebook_token(email="fid.%s@example.com" % h.unique(),
                                    me={"id": "1000000000000001"})
        self.assert_invalid_token(token, backend=FACEBOOK)

    def test_every_refusal_has_the_identical_body(self):
        bodies = set()
        for token, backend in [
                (h.unregistered_token(), GOOGLE),
                (h.google_token(aud="x.apps.googleusercontent.com",
                                azp="x.apps.googleusercontent.com")[0], GOOGLE),
                (h.google_token(expires_in=-5)[0], GOOGLE),
                (h.unregistered_token("EAAunknown"), FACEBOOK),
                (h.facebook_token(app_id="4242424242")[0], FACEBOOK)]:
            resp = self.exchange(token, backend=backend)
            self.assertEqual(resp.status, 400, resp)
            bodies.add(resp.body)
        self.assertEqual(len(bodies), 1, bodies)
        self.assertEqual(json.loads(bodies.pop()), h.INVALID_TOKEN_BODY)

    # ---- inactive users ----------------------------------------------------------------
    def test_inactive_user_is_refused_and_gets_no_token(self):
        token, _ = h.google_token(email="inactive.%s@example.com" % h.unique())
        first = self.login(token)
        user_id = first["user"]["id"]
        DB.query("UPDATE users SET is_active = 0 WHERE id = %d" % user_id)
        before = DB.snapshot()
        resp = self.exchange(token)
        self.assert_json(resp, 400, h.INACTIVE_BODY)
        self.assert_unchanged(before)
        self.assertEqual(DB.count("api_tokens", "user_id = %d" % user_id), 1)

    def test_inactive_user_is_refused_through_a_new_identity_too(self):
        email = "inactive2.%s@example.com" % h.unique()
        first = self.login(h.google_token(email=email)[0])
        DB.query("UPDATE users SET is_active = 0 WHERE id = %d" % first["user"]["id"])
        before = DB.snapshot()
        token, spec = h.google_token(email=email)
        self.assert_json(self.exchange(token), 400, h.INACTIVE_BODY)
        self.assert_unchanged(before)
        self.assertEqual(DB.count("social_identities", "uid = %s" % h.sql_quote(spec["sub"])), 0)


class CgiTokenChecks(TokenCheckScenarios, h.CgiCase):
    pass


class FastCgiTokenChecks(TokenCheckScenarios, h.FastCgiCase):
    pass


if __name__ == "__main__":
    unittest.main()
