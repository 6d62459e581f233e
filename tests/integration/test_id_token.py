"""Google ID tokens (SPEC §3): RS256 against the JWKS at jwks_url (the fake provider
serves the public half of TEST_DIR/jwt.key as kid fake-key-1), issuer, audience,
expiry; the key set cached in the provider_cache table for every process, refetched
once per window on an unknown kid, and a 502 when no current keys can be had.

The attack suite (attacks_id_token.py) has one test per forgery; this file covers
what a legitimate frontend sees, and the key cache."""

import hashlib
import json
import os
import sys
import time
import unittest

import harness as h
from harness import DB, FAKE

sys.path.insert(0, os.path.join(h.SRCDIR, "tests", "fake_provider"))
import fake_provider  # noqa: E402  (load_jwks: a key file's JWK, through the openssl CLI)


class IdTokenScenarios:
    def assert_invalid(self, id_token):
        before = DB.snapshot()
        resp = self.exchange(id_token, field="id_token")
        self.assert_json(resp, 400, h.INVALID_TOKEN_BODY)
        self.assert_unchanged(before)

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

    def test_id_token_in_form_body(self):
        claims = h.id_token_claims(iss="accounts.google.com")
        resp = self.exchange(h.make_id_token(claims), field="id_token", form=True)
        self.assertEqual(resp.status, 200, resp)
        self.assertIs(resp.json()["is_new"], True)

    def test_id_token_of_each_configured_client_logs_in(self):
        for client in h.load_config()["providers"][h.GOOGLE]["client_ids"]:
            claims = h.id_token_claims(aud=client, azp=client)
            self.login(h.make_id_token(claims), field="id_token")

    def test_second_login_finds_the_same_user(self):
        claims = h.id_token_claims()
        first = self.login(h.make_id_token(claims), field="id_token")
        claims.update(iat=int(time.time()) - 5, given_name="Idina")
        second = self.login(h.make_id_token(claims), field="id_token")
        self.assertIs(second["is_new"], False)
        self.assertEqual(second["user"]["id"], first["user"]["id"])
        self.assertEqual(second["user"]["first_name"], "Idina")

    def test_id_token_and_access_token_of_one_person_are_one_identity(self):
        claims = h.id_token_claims()
        first = self.login(h.make_id_token(claims), field="id_token")
        access, _ = h.google_token(sub=claims["sub"], email=claims["email"])
        second = self.login(access)
        self.assertEqual(second["user"]["id"], first["user"]["id"])

    def test_the_id_token_decides_when_an_access_token_comes_too(self):
        claims = h.id_token_claims()
        access = h.unregistered_token()
        body = json.dumps({"access_token": access, "id_token": h.make_id_token(claims)})
        resp = self.call("POST", "/social/%s/" % h.GOOGLE, body=body,
                         content_type="application/json")
        self.assertEqual(resp.status, 200, resp)
        h.remember_secret(resp.json()["token"])
        self.assertEqual(self.me(resp.json()["token"]).json()["identities"],
                         [{"provider": h.GOOGLE, "uid": claims["sub"]}])
        self.assertEqual(FAKE.requests(token=access), [])  # never sent to Google
        # ... and no provider access token is kept for an ID token login
        extra = json.loads(DB.value(
            "SELECT extra_data FROM social_identities WHERE provider = 'google-oauth2' "
            "AND uid = %s" % h.sql_quote(claims["sub"])))
        self.assertNotIn("access_token", extra)
        self.assertNotIn(access, json.dumps(extra))

    def test_unverified_email_is_not_vouched_for(self):
        claims = h.id_token_claims(email_verified=False)
        body = self.login(h.make_id_token(claims), field="id_token")
        self.assertEqual(DB.value("SELECT email_verified FROM users WHERE id = %d"
                                  % body["user"]["id"]), "0")

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


# ---- the key cache, across CGI processes ----------------------------------------------

def cache_key(kind, url):
    return "%s:%s" % (kind, hashlib.sha256(url.encode("utf-8")).hexdigest())


class CgiIdTokenKeyCache(h.CgiCase):
    """Each CGI request is a new process, so whatever one request learnt reaches the
    next only through the database. Every test gets a jwks_url of its own (the fake
    provider answers .../certs under any prefix), hence empty cache rows of its own."""

    def setUp(self):
        self.prefix = "/" + h.unique("jwks") + "/oauth2/v3/certs"
        self.jwks_url = FAKE.base_url + self.prefix
        self.config = self.variant(jwks_url=self.jwks_url)

    def variant(self, **google):
        return h.write_config_variant(h.unique("idt"),
                                      lambda c: c["providers"][h.GOOGLE].update(google))

    def exchange_id_token(self, claims=None, config=None, **token_options):
        token = h.make_id_token(claims or h.id_token_claims(), **token_options)
        return self.exchange(token, field="id_token", config=config or self.config)

    def fetches(self, path=None):
        return [r for r in FAKE.requests() if r["path"] == (path or self.prefix)]

    def cache_row(self, kind, url=None):
        rows = DB.query("SELECT JSON_VALUE(value, '$.keys[0].kid'), UNIX_TIMESTAMP(fetched_at), "
                        "UNIX_TIMESTAMP(expires_at) "
                        "FROM provider_cache WHERE cache_key = '%s'"
                        % cache_key(kind, url or self.jwks_url))
        return rows[0] if rows else None

    def age_cache(self, seconds):
        DB.query("UPDATE provider_cache SET fetched_at = fetched_at - INTERVAL %d SECOND "
                 "WHERE cache_key IN ('%s', '%s')" % (seconds, cache_key("jwks", self.jwks_url),
                                                      cache_key("jwks-refetch", self.jwks_url)))

    def test_cgi_processes_share_one_fetch_of_the_keys(self):
        for _ in range(3):
            self.assertEqual(self.exchange_id_token().status, 200)
        self.assertEqual(len(self.fetches()), 1)
        first_kid, fetched_at, expires_at = self.cache_row("jwks")
        self.assertEqual(first_kid, "fake-key-1")
        # the fake provider sends "Cache-Control: public, max-age=3600"
        self.assertEqual(int(expires_at) - int(fetched_at), 3600)
        self.assertLess(abs(int(fetched_at) - time.time()), 60)

    def test_keys_in_the_database_need_no_fetch(self):
        # The keys are cached for a URL nobody answers at: only the cache can help.
        dead_url = "https://127.0.0.1:%d/oauth2/v3/certs" % h.closed_port()
        jwks = json.dumps(fake_provider.load_jwks(h.path("jwt.key"), "fake-key-1"))
        DB.query("INSERT INTO provider_cache (cache_key, value, fetched_at, expires_at) "
                 "VALUES ('%s', %s, NOW(), NOW() + INTERVAL 1 HOUR)"
                 % (cache_key("jwks", dead_url), h.sql_quote(jwks)))
        resp = self.exchange_id_token(config=self.variant(jwks_url=dead_url))
        self.assertEqual(resp.status, 200, resp)

    def test_expired_keys_are_not_used_when_the_url_is_down(self):
        dead_url = "https://127.0.0.1:%d/oauth2/v3/certs" % h.closed_port()
        jwks = json.dumps(fake_provider.load_jwks(h.path("jwt.key"), "fake-key-1"))
        DB.query("INSERT INTO provider_cache (cache_key, value, fetched_at, expires_at) "
                 "VALUES ('%s', %s, NOW() - INTERVAL 2 HOUR, NOW() - INTERVAL 1 HOUR)"
                 % (cache_key("jwks", dead_url), h.sql_quote(jwks)))
        before = DB.snapshot()
        resp = self.exchange_id_token(config=self.variant(jwks_url=dead_url))
        self.assert_error(resp, 502, "provider_unavailable")
        self.assert_unchanged(before)

    def test_no_keys_reachable_and_none_cached_is_502_never_an_accept(self):
        dead_url = "https://127.0.0.1:%d/oauth2/v3/certs" % h.closed_port()
        before = DB.snapshot()
        resp = self.exchange_id_token(config=self.variant(jwks_url=dead_url))
        self.assert_error(resp, 502, "provider_unavailable")
        self.assert_unchanged(before)
        self.assertIsNone(self.cache_row("jwks", dead_url))

    def test_a_url_that_answers_no_key_set_is_502(self):
        # .../userinfo answers 401 JSON to a request without a token: no key set.
        resp = self.exchange_id_token(config=self.variant(jwks_url=FAKE.base_url + "/v1/userinfo"))
        self.assert_error(resp, 502, "provider_unavailable")

    def test_a_rotated_key_is_fetched_once_and_the_window_holds(self):
        self.assertEqual(self.exchange_id_token().status, 200)
        self.age_cache(120)  # the set is older than the refetch window now
        rotated = fake_provider.load_jwks(h.path("jwt.key"), "fake-key-1")
        new_kid = h.unique("rotated-key-")
        rotated["keys"] += fake_provider.load_jwks(h.path("other-jwt.key"), new_kid)["keys"]
        FAKE._call("POST", "/_fake/jwks", {"jwks": rotated})
        try:
            resp = self.exchange_id_token(kid=new_kid, key=h.path("other-jwt.key"))
            self.assertEqual(resp.status, 200, resp)
            self.assertEqual(len(self.fetches()), 2)
            # Made-up kids within the window: refused without another fetch, also by
            # new processes.
            for i in range(3):
                before = DB.snapshot()
                resp = self.exchange_id_token(kid="made-up-%d" % i, key=h.path("other-jwt.key"))
                self.assert_json(resp, 400, h.INVALID_TOKEN_BODY)
                self.assert_unchanged(before)
            self.assertEqual(len(self.fetches()), 2)
            self.assertIsNotNone(self.cache_row("jwks-refetch"))
            # Both keys work, from the cache.
            self.assertEqual(self.exchange_id_token().status, 200)
            resp = self.exchange_id_token(kid=new_kid, key=h.path("other-jwt.key"))
            self.assertEqual(resp.status, 200, resp)
            self.assertEqual(len(self.fetches()), 2)
        finally:
            FAKE._call("POST", "/_fake/jwks",
                       {"jwks": fake_provider.load_jwks(h.path("jwt.key"), "fake-key-1")})

    def test_an_unknown_kid_after_the_window_refetches_once_more(self):
        self.assertEqual(self.exchange_id_token().status, 200)
        self.age_cache(120)
        self.assert_json(self.exchange_id_token(kid="made-up"), 400, h.INVALID_TOKEN_BODY)
        self.assertEqual(len(self.fetches()), 2)
        self.assert_json(self.exchange_id_token(kid="made-up"), 400, h.INVALID_TOKEN_BODY)
        self.assertEqual(len(self.fetches()), 2)
        self.age_cache(120)
        self.assert_json(self.exchange_id_token(kid="made-up"), 400, h.INVALID_TOKEN_BODY)
        self.assertEqual(len(self.fetches()), 3)

    def test_every_configured_client_id_is_accepted(self):
        ours = h.google_client_id()
        ios = "ios-client.apps.googleusercontent.com"
        config = self.variant(jwks_url=self.jwks_url, client_ids=[ours, ios])
        for aud, azp in ((ours, ours), (ios, ios), (ours, ios)):
            resp = self.exchange_id_token(h.id_token_claims(aud=aud, azp=azp), config=config)
            self.assertEqual(resp.status, 200, (aud, azp, resp))
        resp = self.exchange_id_token(h.id_token_claims(aud=ios, azp=ios))  # not configured here
        self.assert_json(resp, 400, h.INVALID_TOKEN_BODY)

    def test_leeway_comes_from_config(self):
        now = int(time.time())
        claims = h.id_token_claims(iat=now - 3700, exp=now - 100)
        self.assert_json(self.exchange_id_token(claims), 400, h.INVALID_TOKEN_BODY)
        config = self.variant(jwks_url=self.jwks_url, leeway_seconds=300)
        self.assertEqual(self.exchange_id_token(claims, config=config).status, 200)


if __name__ == "__main__":
    unittest.main()
