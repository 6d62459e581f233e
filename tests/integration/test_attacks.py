"""The black-box negative suite of issue 3: one test per attack, against the real
binary (as CGI, and as FastCGI behind lighttpd), the real MariaDB and the fake
provider. Each attack asserts the status, the exact body, and that no user, identity
or token was created and no row of the victim changed (attack_support.py).

This module holds the attacks with provider access tokens, emails, usernames, API
tokens, tokens at rest, CORS, httpoxy and log injection, and gathers the rest so that
`tests/integration/run test_attacks` runs the whole suite:
  attacks_id_token.py    forged, foreign and malformed Google ID tokens
  attacks_race.py        20-way first-login races, two providers sharing one email
  attacks_rate_limit.py  the exchange's rate limits
(Those modules are not named test_*.py, so the full run does not load them twice.)
"""

import base64
import json
import os
import re
import unittest

import harness as h
from harness import DB, FACEBOOK, FAKE, GOOGLE
from attack_support import (AttackCase, EMAIL_IN_USE_BODY, INVALID_API_TOKEN, LOG_LINE_RE,
                            NOT_AUTHENTICATED, SESSION, TrapListener, UNAVAILABLE, client_addr,
                            set_user_active)

# the other attack modules, gathered here (see the docstring)
from attacks_id_token import CgiIdTokenAttacks, FastCgiIdTokenAttacks  # noqa: F401
from attacks_race import CgiRaceAttacks, FastCgiRaceAttacks  # noqa: F401
from attacks_rate_limit import CgiRateLimitAttacks, FastCgiRateLimitAttacks  # noqa: F401

INVALID = h.INVALID_TOKEN_BODY
FOREIGN_CLIENT = "attacker-site.apps.googleusercontent.com"


# ---- provider access tokens ----------------------------------------------------------

class ProviderTokenAttacks(AttackCase):
    def test_google_access_token_of_another_client(self):
        # the attacker's own site obtained a token for the victim's Google account
        victim = self.shared_victim()
        token, _ = h.google_token(sub=victim.uid, email=victim.email, aud=FOREIGN_CLIENT,
                                  azp=FOREIGN_CLIENT)
        self.attack_exchange(token, 400, INVALID, victim)
        self.assertEqual([r["endpoint"] for r in FAKE.requests(token)], ["tokeninfo"])
        self.assert_victim_intact(victim)

    def test_google_access_token_of_a_lookalike_client(self):
        victim = self.shared_victim()
        ours = h.google_client_id()
        lookalikes = (ours + ".evil.example", ours.upper(), " " + ours, ours + " ", ours[:-1],
                      ours.split(".")[0], "x" + ours, "*", ours + "\u200b")
        for aud in self.pick(lookalikes):
            with self.subTest(aud=aud):
                token, _ = h.google_token(sub=victim.uid, email=victim.email, aud=aud, azp=aud)
                self.attack_exchange(token, 400, INVALID, victim)

    def test_google_access_token_with_audience_list(self):
        # tokeninfo never sends a list; one that does is a malformed answer
        victim = self.shared_victim()
        token, _ = h.google_token(sub=victim.uid, email=victim.email,
                                  tokeninfo={"aud": [h.google_client_id(), FOREIGN_CLIENT],
                                             "azp": FOREIGN_CLIENT})
        self.attack_exchange(token, 502, UNAVAILABLE, victim)

    def test_google_userinfo_naming_the_victim(self):
        # the attacker's own valid token, but the profile names the victim's sub
        victim = self.shared_victim()
        token, _ = h.google_token(email="att.%s@example.com" % h.unique(),
                                  userinfo={"sub": victim.uid, "email": victim.email})
        self.attack_exchange(token, 400, INVALID, victim)

    def test_expired_google_access_token(self):
        victim = self.shared_victim()
        for mode in ("reject", "report"):
            with self.subTest(expiry_mode=mode):
                token, _ = h.google_token(sub=victim.uid, email=victim.email, expires_in=-120,
                                          expiry_mode=mode)
                self.attack_exchange(token, 400, INVALID, victim)

    def test_google_access_token_identifying_nobody(self):
        # an empty uid must never be linked by email to the verified victim
        victim = self.shared_victim()
        for sub in ("", None):
            with self.subTest(sub=sub):
                token, _ = h.google_token(email=victim.email, tokeninfo={"sub": sub},
                                          userinfo={"sub": sub})
                self.attack_exchange(token, 400, INVALID, victim)

    def test_google_uid_differing_only_in_case_or_white_space(self):
        # uids compare byte for byte: "1234 " or a differently cased uid is somebody else
        victim = self.google_victim(sub="g%sAbC" % h.unique())
        variants = (victim.uid + " ", " " + victim.uid, victim.uid.upper(), victim.uid.lower(),
                    victim.uid + "\u00a0")
        for sub in self.pick(variants):
            with self.subTest(sub=sub):
                token, _ = h.google_token(sub=sub, email="uid.%s@example.com" % h.unique())
                before = victim.rows()
                resp = self.exchange(token)
                self.assertEqual(victim.rows(), before)
                if resp.status == 200:
                    self.assert_separate_account(resp, victim)
                else:
                    self.assert_json(resp, 400, INVALID)
        self.assert_victim_intact(victim)

    def test_facebook_token_of_another_app(self):
        victim = self.shared_victim(FACEBOOK)
        token, _ = h.facebook_token(user_id=victim.uid, email=victim.email, app_id="999999999999",
                                    app_secret="other-app-secret-" + h.unique())
        self.attack_exchange(token, 400, INVALID, victim, backend=FACEBOOK)
        self.assertEqual([r["endpoint"] for r in FAKE.requests(token)], ["debug_token"])
        self.assert_victim_intact(victim)

    def test_facebook_token_of_a_lookalike_app(self):
        victim = self.shared_victim(FACEBOOK)
        ours, _ = h.facebook_app()
        for app_id in self.pick((ours + "0", "0" + ours, ours[:-1], ours + " ", "", ours + ".0")):
            with self.subTest(app_id=app_id):
                token, _ = h.facebook_token(user_id=victim.uid, email=victim.email,
                                            debug={"app_id": app_id})
                self.attack_exchange(token, 400, INVALID, victim, backend=FACEBOOK)

    def test_invalid_facebook_debug_token(self):
        victim = self.shared_victim(FACEBOOK)
        cases = {
            "is_valid false": dict(debug={"is_valid": False}),
            "no user_id": dict(debug={"user_id": None}),
            "empty user_id": dict(debug={"user_id": ""}, me={"id": ""}),
            "OAuthException": dict(endpoint="debug_token", status=400, body=json.dumps({
                "error": {"message": "Invalid OAuth access token.", "type": "OAuthException",
                          "code": 190, "fbtrace_id": "AbCd"}})),
        }
        for name, fields in self.pick(cases.items()):
            with self.subTest(name):
                token, _ = h.facebook_token(user_id=victim.uid, email=victim.email, **fields)
                self.attack_exchange(token, 400, INVALID, victim, backend=FACEBOOK)
        with self.subTest("unregistered"):
            self.attack_exchange(h.unregistered_token("EAAforged"), 400, INVALID, victim,
                                 backend=FACEBOOK)

    def test_facebook_debug_token_validity_of_the_wrong_type(self):
        # "false" is a non-empty string, so a lax reader would take it as true; Graph
        # sends a JSON boolean, so anything else (or none) is a malformed answer
        victim = self.shared_victim(FACEBOOK)
        for value in self.pick(("false", "true", 1, 0, None)):
            with self.subTest(is_valid=value):
                token, _ = h.facebook_token(user_id=victim.uid, email=victim.email,
                                            debug={"is_valid": value})
                self.attack_exchange(token, 502, UNAVAILABLE, victim, backend=FACEBOOK)

    def test_expired_facebook_token(self):
        victim = self.shared_victim(FACEBOOK)
        for mode in ("reject", "report"):
            with self.subTest(expiry_mode=mode):
                token, _ = h.facebook_token(user_id=victim.uid, email=victim.email,
                                            expires_in=-120, expiry_mode=mode)
                self.attack_exchange(token, 400, INVALID, victim, backend=FACEBOOK)

    def test_facebook_me_naming_the_victim(self):
        victim = self.shared_victim(FACEBOOK)
        token, _ = h.facebook_token(email="fbatt.%s@example.com" % h.unique(),
                                    me={"id": victim.uid, "email": victim.email})
        self.attack_exchange(token, 400, INVALID, victim, backend=FACEBOOK)


class CgiProviderTokenAttacks(ProviderTokenAttacks, h.CgiCase):
    pass


class FastCgiProviderTokenAttacks(ProviderTokenAttacks, h.FastCgiCase):
    pass


# ---- emails ------------------------------------------------------------------------------

LOOKALIKES = {
    # name: (victim's address, the attacker's verified address), "U" replaced by a unique tag
    "cyrillic a in the local part": ("jane.U@example.com", "j\u0430ne.U@example.com"),
    "cyrillic a in the domain": ("jane.U@example.com", "jane.U@ex\u0430mple.com"),
    "cyrillic palochka for l": ("jane.U@example.com", "jane.U@examp\u04cfe.com"),
    "greek omicron": ("jane.U@example.com", "jane.U@example.c\u03bfm"),
    "greek epsilon": ("jane.U@example.com", "jane.U@exampl\u03b5.com"),
    "fullwidth letter": ("jane.U@example.com", "\uff4aane.U@example.com"),
    "fullwidth at sign": ("jane.U@example.com", "jane.U\uff20example.com"),
    "accented letter (equal under utf8mb4_unicode_ci)": ("jane.U@example.com",
                                                         "j\u00e4ne.U@example.com"),
    "combining accent": ("jane.U@example.com", "ja\u0301ne.U@example.com"),
    "zero-width space": ("jane.U@example.com", "ja\u200bne.U@example.com"),
    "trailing dot of the domain": ("jane.U@example.com", "jane.U@example.com."),
    "plus addressing": ("jane.U@example.com", "jane.U+x@example.com"),
    "dots in the local part": ("jane.U@example.com", "j.a.n.e.U@example.com"),
    "kelvin sign (case-folds to k)": ("kate.U@example.com", "\u212aate.U@example.com"),
    "long s (upper-cases to S)": ("sam.U@example.com", "\u017fam.U@example.com"),
    "dotless i (upper-cases to I)": ("iris.U@example.com", "\u0131ris.U@example.com"),
    "sharp s (case-folds to ss)": ("jess.U@example.com", "je\u00df.U@example.com"),
    "IDN in Unicode against its punycode": ("jane.U@xn--bcher-kva.example",
                                            "jane.U@b\u00fccher.example"),
    "IDN punycode against its Unicode": ("joe.U@b\u00fccher.example",
                                         "joe.U@xn--bcher-kva.example"),
}


class EmailAttacks(AttackCase):
    def test_unverified_google_email_of_the_victim(self):
        victim = self.shared_victim()
        token, spec = h.google_token(email=victim.email, email_verified=False)
        self.attack_exchange(token, 409, EMAIL_IN_USE_BODY, victim)
        self.assertEqual(DB.count("social_identities", "uid = %s" % h.sql_quote(spec["sub"])), 0)
        self.assert_victim_intact(victim)

    def test_unverified_google_email_of_the_wrong_type(self):
        # userinfo's email_verified as the string "false" is not a vouch
        victim = self.shared_victim()
        token, _ = h.google_token(email=victim.email,
                                  tokeninfo={"email": None, "email_verified": None},
                                  userinfo={"email_verified": "false"})
        self.attack_exchange(token, 409, EMAIL_IN_USE_BODY, victim)

    def test_facebook_email_of_the_victim(self):
        # Facebook does not vouch for addresses unless trust_email is on
        victim = self.shared_victim()
        token, _ = h.facebook_token(email=victim.email)
        self.attack_exchange(token, 409, EMAIL_IN_USE_BODY, victim, backend=FACEBOOK)
        self.assert_victim_intact(victim)

    def test_case_different_unvouched_email_of_the_victim(self):
        u = h.unique()
        victim = self.google_victim(email="Grace.%s@Example.com" % u)
        google, _ = h.google_token(email="grace.%s@example.COM" % u, email_verified=False)
        self.attack_exchange(google, 409, EMAIL_IN_USE_BODY, victim)
        facebook, _ = h.facebook_token(email="GRACE.%s@EXAMPLE.COM" % u.upper())
        self.attack_exchange(facebook, 409, EMAIL_IN_USE_BODY, victim, backend=FACEBOOK)
        self.assert_victim_intact(victim)

    def test_verified_login_cannot_capture_an_unverified_account(self):
        # pre-account-takeover with a case-different address: the account made from the
        # unvouched address must not be handed to (or merged with) the verified login
        u = h.unique()
        squatter = self.facebook_victim(email="Grace.%s@Example.com" % u)
        token, spec = h.google_token(email="grace.%s@example.com" % u)
        self.attack_exchange(token, 409, EMAIL_IN_USE_BODY, squatter)
        self.assertEqual(DB.count("social_identities", "uid = %s" % h.sql_quote(spec["sub"])), 0)

    def test_lookalike_emails_never_reach_the_victim(self):
        u = h.unique()
        victims = {}
        for name, (victim_email, attacker_email) in self.pick(LOOKALIKES.items()):
            with self.subTest(name):
                victim_email = victim_email.replace("U", u)
                attacker_email = attacker_email.replace("U", u)
                if victim_email not in victims:
                    victims[victim_email] = self.google_victim(email=victim_email)
                victim = victims[victim_email]
                before = victim.rows()
                token, _ = h.google_token(email=attacker_email)
                self.assert_separate_account(self.exchange(token), victim, email=attacker_email)
                self.assertEqual(victim.rows(), before, "the victim's rows changed")
        for victim in victims.values():
            self.assert_victim_intact(victim)


class CgiEmailAttacks(EmailAttacks, h.CgiCase):
    pass


class FastCgiEmailAttacks(EmailAttacks, h.FastCgiCase):
    pass


# ---- usernames -----------------------------------------------------------------------------

class UsernameAttacks(AttackCase):
    def username_of(self, user_id):
        return DB.value("SELECT username FROM users WHERE id = %d" % user_id)

    def test_username_collision_never_links_to_its_holder(self):
        u = h.unique()
        victim = self.google_victim(email="jane.%s@example.com" % u)
        held = self.username_of(victim.user_id)
        for backend, email in ((GOOGLE, "jane.%s@evil1.example" % u),
                               (GOOGLE, "JANE.%s@evil2.example" % u.upper()),
                               (GOOGLE, "jane.%s!@evil3.example" % u),
                               (FACEBOOK, "jane.%s@evil4.example" % u)):
            with self.subTest(backend=backend, email=email):
                before = victim.rows()
                token = (h.google_token if backend == GOOGLE else h.facebook_token)(email=email)[0]
                body = self.assert_separate_account(self.exchange(token, backend=backend), victim,
                                                    email=email)
                self.assertNotEqual(body["user"]["username"].lower(), held.lower())
                self.assertEqual(victim.rows(), before, "the victim's rows changed")
        self.assertEqual(self.username_of(victim.user_id), held)
        self.assert_victim_intact(victim)

    def test_username_collision_after_truncation(self):
        # two local parts that agree in their first username_max_length characters
        limit = h.load_config()["users"]["username_max_length"]
        stem = h.unique("t") + "a" * (limit + 10)
        victim = self.google_victim(email=stem + "@example.com")
        held = self.username_of(victim.user_id)
        self.assertLessEqual(len(held), limit)
        before = victim.rows()
        token, _ = h.google_token(email=stem + "b@evil.example")
        body = self.assert_separate_account(self.exchange(token), victim)
        self.assertLessEqual(len(body["user"]["username"]), limit)
        self.assertNotEqual(body["user"]["username"].lower(), held.lower())
        self.assertEqual(victim.rows(), before)


class CgiUsernameAttacks(UsernameAttacks, h.CgiCase):
    pass


class FastCgiUsernameAttacks(UsernameAttacks, h.FastCgiCase):
    pass


# ---- API tokens ----------------------------------------------------------------------------

class ApiTokenAttacks(AttackCase):
    def use(self, method, route, api_token=None, **kwargs):
        headers = dict(kwargs.pop("headers", {}))
        if api_token is not None:
            headers["Authorization"] = "Token " + api_token
        if method == "POST":
            kwargs.setdefault("body", "")
            kwargs.setdefault("content_type", "application/json")
        return lambda: self.call(method, route, headers=headers, **kwargs)

    def assert_dead(self, api_token, *victims):
        """Every API route refuses the token and changes nothing."""
        for method, route in (("GET", "/me"), ("POST", "/logout"), ("POST", "/logout/all")):
            with self.subTest(route=route):
                self.attack(self.use(method, route, api_token), 401, INVALID_API_TOKEN, *victims,
                            headers={"WWW-Authenticate": "Token"})

    def two_tokens(self):
        victim = self.google_victim()
        second = self.login(victim.provider_token)
        return victim, second["token"]

    def test_token_after_logout(self):
        victim, other = self.two_tokens()
        self.assert_no_content(self.use("POST", "/logout", victim.api_token)())
        self.assert_dead(victim.api_token, victim)
        self.assertEqual(self.me(other).status, 200)  # logging out everyone was refused

    def test_token_after_logout_all(self):
        victim, other = self.two_tokens()
        self.assert_no_content(self.use("POST", "/logout/all", other)())
        self.assert_dead(victim.api_token, victim)
        self.assert_dead(other, victim)

    def test_token_after_its_expiry(self):
        victim, other = self.two_tokens()
        DB.query("UPDATE api_tokens SET expires_at = NOW() - INTERVAL 1 SECOND "
                 "WHERE token_hash = SHA2('%s', 256)" % victim.api_token)
        self.assert_dead(victim.api_token, victim)
        self.assertEqual(self.me(other).status, 200)

    def test_token_after_its_idle_lifetime(self):
        victim, other = self.two_tokens()
        idle = h.load_config()["tokens"]["idle_seconds"]
        DB.query("UPDATE api_tokens SET last_used = NOW() - INTERVAL %d SECOND, "
                 "created = NOW() - INTERVAL %d SECOND WHERE token_hash = SHA2('%s', 256)"
                 % (idle + 60, idle + 60, victim.api_token))
        self.assert_dead(victim.api_token, victim)

    def test_token_of_a_deactivated_user(self):
        # deactivated the way a PHP admin page on the same database would
        victim, other = self.two_tokens()
        DB.query("UPDATE users SET is_active = 0 WHERE id = %d" % victim.user_id)
        self.assert_dead(victim.api_token, victim)
        self.assert_dead(other, victim)
        # and a new login gets no token either
        self.attack_exchange(victim.provider_token, 400, h.INACTIVE_BODY, victim)

    def test_tokens_of_a_deactivated_user_stay_revoked_after_reactivation(self):
        # issue 3: deactivation revokes every token; reactivating must not revive them
        victim, other = self.two_tokens()
        set_user_active(victim.user_id, False)
        self.assertEqual(DB.count("api_tokens", "user_id = %d AND revoked_at IS NULL"
                                  % victim.user_id), 0)
        set_user_active(victim.user_id, True)
        self.assert_dead(victim.api_token, victim)
        self.assert_dead(other, victim)
        self.assertIsNone(DB.user_id_for_token(victim.api_token))  # the PHP check agrees

    def test_token_in_query_string(self):
        victim, _ = self.two_tokens()
        for name in self.pick(("token", "access_token", "auth_token", "Authorization", "api_key")):
            for method, route in (("GET", "/me"), ("POST", "/logout"), ("POST", "/logout/all")):
                with self.subTest(name=name, route=route):
                    self.attack(self.use(method, route, query="%s=%s" % (name, victim.api_token)),
                                401, NOT_AUTHENTICATED, victim,
                                headers={"WWW-Authenticate": "Token"})
        self.assert_victim_intact(victim)

    def test_token_in_body(self):
        victim, _ = self.two_tokens()
        t = victim.api_token
        bodies = [(json.dumps({"token": t}), "application/json"),
                  (json.dumps({"access_token": t}), "application/json"),
                  (json.dumps({"Authorization": "Token " + t}), "application/json"),
                  ("token=" + t, h.FORM_TYPE), ("auth_token=" + t, h.FORM_TYPE)]
        for route in ("/logout", "/logout/all"):
            for body, ctype in self.pick(bodies):
                with self.subTest(route=route, body=body[:20]):
                    self.attack(self.use("POST", route, body=body, content_type=ctype), 401,
                                NOT_AUTHENTICATED, victim, headers={"WWW-Authenticate": "Token"})
        self.assert_victim_intact(victim)

    def test_token_in_other_headers(self):
        victim, _ = self.two_tokens()
        t = victim.api_token
        for headers in ({"X-Auth-Token": t}, {"X-Api-Key": t}, {"Cookie": "token=" + t},
                        {"X-Authorization": "Token " + t}, {"Proxy-Authorization": "Token " + t},
                        {"Authentication": "Token " + t}):
            with self.subTest(header=list(headers)[0]):
                self.attack(self.use("POST", "/logout/all", headers=headers), 401,
                            NOT_AUTHENTICATED, victim, headers={"WWW-Authenticate": "Token"})

    def test_altered_and_derived_tokens(self):
        victim, _ = self.two_tokens()
        t = victim.api_token
        token_hash = DB.value("SELECT SHA2('%s', 256)" % t)
        forgeries = (t.swapcase(), t[:-1], t + "A", t[1:] + t[0], token_hash, token_hash.upper(),
                     "A" * len(t))
        for forged in self.pick(forgeries):
            with self.subTest(forged=forged[:8]):
                h.remember_secret(forged)
                self.assert_dead(forged, victim)


class CgiApiTokenAttacks(ApiTokenAttacks, h.CgiCase):
    pass


class FastCgiApiTokenAttacks(ApiTokenAttacks, h.FastCgiCase):
    pass


# ---- tokens at rest ----------------------------------------------------------------------

class DataAtRestAttacks(AttackCase):
    """Somebody who reads the database (a backup, an SQL injection in a neighbouring PHP
    script) finds neither a usable API token nor a provider token in it."""

    def dump(self):
        return SESSION.query("SELECT * FROM users; SELECT * FROM social_identities; "
                             "SELECT * FROM api_tokens")

    def test_a_database_dump_holds_no_usable_token(self):
        google = self.google_victim()
        facebook = self.facebook_victim()
        dump = self.dump()
        for victim in (google, facebook):
            with self.subTest(victim.backend):
                token = victim.provider_token.encode()
                for encoded in (token, base64.b64encode(token), base64.urlsafe_b64encode(token),
                                token.hex().encode()):
                    self.assertNotIn(encoded.decode().rstrip("="), dump,
                                     "a provider token in plaintext (or merely encoded)")
                self.assertNotIn(victim.api_token, dump, "an API token in plaintext")
                # and only the hash of the API token is there, as SPEC §5 has it
                self.assertEqual(DB.user_id_for_token(victim.api_token), str(victim.user_id))


class CgiDataAtRestAttacks(DataAtRestAttacks, h.CgiCase):
    pass


class FastCgiDataAtRestAttacks(DataAtRestAttacks, h.FastCgiCase):
    pass


# ---- CORS --------------------------------------------------------------------------------

def listed_origin():
    return h.load_config()["http"]["cors_allowed_origins"][0]


def unlisted_origins(listed):
    host = listed.split("://", 1)[1]
    return [
        "https://evil.example",
        listed + ".evil.example",            # suffix lookalike
        "https://evil-" + host,              # prefix lookalike
        listed.replace("https://", "http://"),
        listed.upper(),
        listed + "/",
        listed + ":443",
        "null",
        "*",
    ]


class CorsAttacks(AttackCase):
    def assert_no_cors(self, resp):
        leaked = [k for k, _ in resp.headers if k.lower().startswith("access-control-")]
        self.assertEqual(leaked, [], resp.headers)
        vary = [v.strip().lower() for k, val in resp.headers if k.lower() == "vary"
                for v in val.split(",")]
        self.assertIn("origin", vary, resp.headers)

    def test_unlisted_origins_get_no_cors_headers(self):
        victim = self.shared_victim()
        listed = listed_origin()
        for origin in self.pick(unlisted_origins(listed)):
            with self.subTest(origin=origin):
                headers = {"Origin": origin}
                pre = self.attack(lambda: self.call(
                    "OPTIONS", "/social/google-oauth2/",
                    headers=dict(headers, **{"Access-Control-Request-Method": "POST",
                                             "Access-Control-Request-Headers": "authorization"})),
                    204, None, victim)
                self.assert_no_cors(pre)
                me = self.call("GET", "/me", headers=dict(
                    headers, Authorization="Token " + victim.api_token))
                self.assertEqual(me.status, 200, me)
                self.assert_no_cors(me)
                bad = self.attack(lambda: self.exchange(h.unregistered_token(), headers=headers),
                                  400, INVALID, victim)
                self.assert_no_cors(bad)

    def test_origin_with_a_line_break_is_not_reflected(self):
        # CGI only in effect: lighttpd refuses such a header itself
        victim = self.shared_victim()
        listed = listed_origin()
        for origin in (listed + "\r\nX-Injected: 1", "https://evil.example\r\nX-Injected: 1",
                       listed + "\nSet-Cookie: a=b"):
            with self.subTest(origin=origin):
                try:
                    resp = self.call("OPTIONS", "/me", headers={
                        "Origin": origin, "Access-Control-Request-Method": "GET"})
                except ValueError:  # http.client refuses to send it: nothing to test
                    continue
                if resp.status == 400 and self.client.via == "fastcgi":
                    continue  # refused by lighttpd before the program saw it
                self.assertEqual(resp.status, 204, resp)
                self.assert_no_cors(resp)
                self.assertNotIn("x-injected", resp.header_names())
                self.assertNotIn("set-cookie", resp.header_names())
        self.assert_victim_intact(victim)

    def test_listed_origin_gets_exactly_itself(self):
        # the control: without it the tests above could pass on a program with no CORS
        listed = listed_origin()
        resp = self.call("OPTIONS", "/social/google-oauth2/",
                         headers={"Origin": listed, "Access-Control-Request-Method": "POST"})
        self.assertEqual(resp.status, 204, resp)
        self.assertEqual(resp.header("Access-Control-Allow-Origin"), listed)
        self.assertIsNone(resp.header("Access-Control-Allow-Credentials"))


class CgiCorsAttacks(CorsAttacks, h.CgiCase):
    pass


class FastCgiCorsAttacks(CorsAttacks, h.FastCgiCase):
    pass


# ---- httpoxy -----------------------------------------------------------------------------

class HttpoxyAttacks(AttackCase):
    """A request's Proxy: header arrives as HTTP_PROXY, which libcurl would take as its
    proxy. The program must reach the provider directly anyway."""

    def setUp(self):
        super().setUp()
        self.trap = TrapListener()
        self.addCleanup(self.trap.close)

    def proxied(self, backend):
        maker = h.google_token if backend == GOOGLE else h.facebook_token
        token, _ = maker(email="oxy.%s@example.com" % h.unique())
        kwargs = {"headers": {"Proxy": self.trap.url}}
        if self.client.via == "cgi":
            # and every other proxy variable a CGI environment might carry
            kwargs["env"] = {name: self.trap.url for name in (
                "HTTPS_PROXY", "https_proxy", "http_proxy", "ALL_PROXY", "all_proxy")}
        resp = self.exchange(token, backend=backend, **kwargs)
        self.assertEqual(resp.status, 200, resp)
        self.assertTrue(FAKE.requests(token), "the provider was not asked directly")
        self.assertEqual(self.trap.connections, 0, "the program connected to the proxy")
        return resp

    def test_proxy_header_does_not_reach_libcurl_google(self):
        self.proxied(GOOGLE)

    def test_proxy_header_does_not_reach_libcurl_facebook(self):
        self.proxied(FACEBOOK)


class CgiHttpoxyAttacks(HttpoxyAttacks, h.CgiCase):
    pass


class FastCgiHttpoxyAttacks(HttpoxyAttacks, h.FastCgiCase):
    pass


# ---- log injection -----------------------------------------------------------------------

FORGED = "2030-01-01T00:00:00Z socialauth info req=FORGED method=POST route=/x status=200"
# what can reach the program through a CGI environment (no NUL: no environment holds one)
NASTY = ["\n" + FORGED, "\r" + FORGED, "\r\n" + FORGED, "\x1b[2J\x1b[31m", "\x7f", "\u2028",
         "\x1b]0;title\x07", "\t"]
# and through a body (a shorter list: each costs provider round trips)
NASTY_BODY = ["\n" + FORGED, "\r\n" + FORGED, "\x1b[2J\x1b[31m", "\x7f", "\u2028", "\x00", "\x85"]


class LogInjection(AttackCase):
    """Every request writes exactly one log line (SPEC §7), whatever it carries: control
    characters arrive escaped, never raw, and never start a line of their own."""

    def logged(self, send):
        """(response, the log bytes the request produced)."""
        if self.client.via == "cgi":
            resp = send()
            return resp, resp.stderr
        log = h.path("lighttpd", "lighttpd-error.log")
        size = os.path.getsize(log)
        resp = send()
        with open(log, "rb") as f:
            f.seek(size)
            return resp, f.read()

    def assert_one_clean_line(self, send, status=None):
        resp, log = self.logged(send)
        if status is not None:
            self.assertEqual(resp.status, status, resp)
        lines = log.split(b"\n")
        self.assertEqual(lines[-1], b"", log)  # ends with a newline
        self.assertEqual(len(lines), 2, log)   # and has exactly one
        line = lines[0]
        self.assertRegex(line, LOG_LINE_RE)
        self.assertFalse(any(b < 0x20 or b == 0x7f for b in line), line)
        self.assertNotIn("\u2028".encode(), line)
        self.assertNotIn(b"\xc2\x85", line)
        return resp

    def test_provider_tokens(self):
        for nasty in self.pick(NASTY_BODY):
            with self.subTest(nasty=nasty):
                # secrets.txt holds one secret a line: remember the part before the nasty
                prefix = h.remember_secret("ya29.inject-" + h.unique())
                token = prefix + nasty + "x"
                self.assert_one_clean_line(lambda: self.exchange(token), 400)
                self.assert_one_clean_line(lambda: self.exchange(token, form=True), 400)
                self.assert_one_clean_line(lambda: self.exchange(token, field="id_token"), 400)

    def test_provider_error_messages(self):
        # what a provider answers may reach the log's detail; it must stay one line
        for nasty in self.pick(NASTY_BODY):
            with self.subTest(nasty=nasty):
                token, _ = h.facebook_token(endpoint="debug_token", status=400, body=json.dumps({
                    "error": {"message": "bad" + nasty, "type": "OAuthException" + nasty,
                              "code": 190, "fbtrace_id": "A" + nasty}}))
                resp = self.assert_one_clean_line(lambda: self.exchange(token, backend=FACEBOOK))
                self.assert_json(resp, 400, INVALID)
                token, _ = h.google_token(endpoint="userinfo", status=500, body="oops" + nasty)
                resp = self.assert_one_clean_line(lambda: self.exchange(token))
                self.assert_json(resp, 502, UNAVAILABLE)
                token, _ = h.google_token(tokeninfo={"sub": "1" + nasty, "aud": "x" + nasty})
                self.assert_one_clean_line(lambda: self.exchange(token), 400)

    def test_json_keys_and_values(self):
        for nasty in self.pick(NASTY_BODY):
            with self.subTest(nasty=nasty):
                body = json.dumps({"access_token" + nasty: "x", "id_token": 5, nasty: nasty})
                self.assert_one_clean_line(lambda: self.call(
                    "POST", "/social/google-oauth2/", body=body,
                    content_type="application/json"), 400)


class LogInjectionCgi(LogInjection, h.CgiCase):
    """Through CGI everything in the environment is under the attacker's control too."""

    def test_path(self):
        for nasty in NASTY:
            with self.subTest(nasty=nasty):
                self.assert_one_clean_line(lambda: self.call("GET", "/me" + nasty), 404)
                self.assert_one_clean_line(lambda: self.call(
                    "POST", "/social/google-oauth2" + nasty + "/", body="{}",
                    content_type="application/json"), 404)

    def test_method(self):
        for nasty in NASTY:
            with self.subTest(nasty=nasty):
                self.assert_one_clean_line(lambda: self.call("GET" + nasty, "/health"), 405)

    def test_headers(self):
        for nasty in NASTY:
            with self.subTest(nasty=nasty):
                headers = {"Authorization": "Token abc" + nasty, "Origin": "https://x" + nasty,
                           "User-Agent": "ua" + nasty, "X-Forwarded-For": "1.2.3.4" + nasty}
                self.assert_one_clean_line(lambda: self.call("GET", "/me", headers=headers), 401)
                self.assert_one_clean_line(lambda: self.call(
                    "POST", "/social/google-oauth2/", body='{"access_token": "x"}',
                    content_type="application/json" + nasty, headers=headers))
                self.assert_one_clean_line(lambda: self.call(
                    "POST", "/social/google-oauth2/", body='{"access_token": "x"}',
                    content_type="application/json", content_length="1" + nasty), 400)
                self.assert_one_clean_line(lambda: self.call(
                    "GET", "/health", remote_addr="192.0.2.1" + nasty))


class LogInjectionFastCgi(LogInjection, h.FastCgiCase):
    """Through lighttpd: what it lets through of a percent-encoded path reaches the
    program decoded in PATH_INFO; what it refuses itself never reaches the program."""

    def test_path(self):
        for encoded in ("%0a", "%0d", "%0d%0a", "%1b%5b2J", "%7f", "%09", "%e2%80%a8", "%c2%85"):
            with self.subTest(encoded=encoded):
                injected = "/me" + encoded + FORGED.replace(" ", "%20")
                resp, log = self.logged(lambda: self.client.request(
                    "GET", injected, remote_addr=client_addr()))
                ours = [l for l in log.split(b"\n") if re.match(LOG_LINE_RE, l)]
                if resp.status == 404:  # the program answered: one line of its own
                    self.assert_standard_headers(resp)
                    self.assertEqual(len(ours), 1, log)
                else:                   # lighttpd refused it: the program never saw it
                    self.assertEqual(resp.status, 400, resp)
                    self.assertEqual(ours, [], log)
                for line in log.split(b"\n"):
                    self.assertFalse(any(b < 0x20 and b != 0x09 or b == 0x7f for b in line), log)
                    self.assertNotIn("\u2028".encode(), line)
                    self.assertFalse(line.startswith(FORGED[:30].encode()), log)


if __name__ == "__main__":
    unittest.main()
