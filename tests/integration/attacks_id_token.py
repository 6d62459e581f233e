"""Attacks with Google ID tokens (issue 3, "Google ID tokens"); run through
test_attacks.py.

The victim (one per class) logs in the ordinary way, with an access token; every
attack token names the victim's sub and verified email and differs from a token the
program must accept in one respect only. The control
test_valid_id_token_logs_the_victim_in shows that such a token is accepted, so each
refusal below is owed to its one defect.

Tokens are signed like harness.make_id_token does (the openssl CLI with TEST_DIR/
jwt.key, whose public half the fake provider serves at .../certs as kid fake-key-1);
the attacker's key is TEST_DIR/other-jwt.key.
"""

import base64
import hashlib
import hmac
import json
import os
import shutil
import subprocess
import sys
import time

import harness as h
from harness import FACEBOOK, GOOGLE
from attack_support import AttackCase

sys.path.insert(0, os.path.join(h.SRCDIR, "tests", "fake_provider"))
import fake_provider  # noqa: E402  (load_jwks: a key file's JWK, through the openssl CLI)

INVALID = h.INVALID_TOKEN_BODY
REAL_KID = "fake-key-1"
ATTACKER_KID = "attacker-key-1"
FOREIGN_CLIENT = "attacker-site.apps.googleusercontent.com"


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def segment(value):
    """A JWS segment: dicts and lists as JSON, str as raw JSON text, bytes as they are."""
    if isinstance(value, (dict, list)):
        value = json.dumps(value)
    if isinstance(value, str):
        value = value.encode("utf-8")
    return b64(value)


def rs256(signing_input, key_file):
    return subprocess.run(["openssl", "dgst", "-sha256", "-sign", key_file],
                          input=signing_input.encode("ascii"), capture_output=True,
                          check=True).stdout


def jwt(header, claims, key=None, signer=None):
    """A compact JWS. signer(signing_input) -> signature bytes; default RS256 with key
    (default: the real signing key)."""
    signing_input = "%s.%s" % (segment(header), segment(claims))
    if signer is None:
        key_file = key or h.path("jwt.key")
        signature = rs256(signing_input, key_file)
    else:
        signature = signer(signing_input)
    return h.remember_secret(signing_input + "." + b64(signature))


def header(**fields):
    head = {"alg": "RS256", "kid": REAL_KID, "typ": "JWT"}
    head.update(fields)
    return {k: v for k, v in head.items() if v is not None}


_public_forms = {}


def public_key_forms():
    """The real key's public half in every form an HS256-with-public-key attack uses."""
    if not _public_forms:
        key = h.path("jwt.key")

        def out(*args):
            return subprocess.run(["openssl", "rsa", "-in", key, *args], capture_output=True,
                                  check=True).stdout
        jwks = fake_provider.load_jwks(key, REAL_KID)
        jwk = jwks["keys"][0]
        n = base64.urlsafe_b64decode(jwk["n"] + "=" * (-len(jwk["n"]) % 4))
        _public_forms.update({
            "PEM SubjectPublicKeyInfo": out("-pubout"),
            "PEM SubjectPublicKeyInfo without final newline": out("-pubout").rstrip(b"\n"),
            "PEM PKCS#1": out("-RSAPublicKey_out"),
            "DER SubjectPublicKeyInfo": out("-pubout", "-outform", "DER"),
            "DER PKCS#1": out("-RSAPublicKey_out", "-outform", "DER"),
            "JWKS document": json.dumps(jwks, indent=2).encode(),
            "JWK": json.dumps(jwk).encode(),
            "modulus bytes": n,
            "modulus base64url": jwk["n"].encode(),
        })
    return _public_forms


def attacker_certificate_der():
    path = h.path("other-jwt-cert.der")
    if not os.path.exists(path):
        subprocess.run(["openssl", "req", "-x509", "-key", h.path("other-jwt.key"), "-days", "2",
                        "-subj", "/CN=accounts.google.com", "-outform", "DER", "-out", path],
                       capture_output=True, check=True)
    with open(path, "rb") as f:
        return f.read()


class AttackerJwksServer:
    """A second fake provider, trusted by the program's CA file like the real one, that
    serves the attacker's public key as a JWKS (kid ATTACKER_KID): what a jku or x5u
    header would point at. Any request to it is a failure."""

    def __init__(self, name):
        self.dir = h.path("fake-" + name)

    def start(self):
        os.makedirs(self.dir, exist_ok=True)
        shutil.copy(h.path("other-jwt.key"), os.path.join(self.dir, "jwt.key"))
        env = dict(os.environ, FAKE_PROVIDER_CERT=h.path("server.pem"),
                   FAKE_PROVIDER_KEY=h.path("server.key"))
        h.run_script("start_fake_provider.sh", self.dir, "--jwks-kid", ATTACKER_KID, env=env)
        with open(os.path.join(self.dir, "fake_provider.port"), encoding="ascii") as f:
            self.port = int(f.read())
        self.base_url = "https://127.0.0.1:%d" % self.port
        self.client = h.FakeProvider()
        self.client._port = self.port
        return self

    def requests(self):
        return self.client.requests()

    def stop(self):
        h.run_script("stop_fake_provider.sh", self.dir)


class IdTokenAttacks(AttackCase):
    attacker_server = None
    victim = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.attacker_server = AttackerJwksServer("jku-" + cls.client.via).start()

    @classmethod
    def tearDownClass(cls):
        if cls.attacker_server is not None:
            cls.attacker_server.stop()
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        # one victim per class: each attack snapshots the victim's rows itself, and a
        # login per test would cost more than the attacks
        if type(self).victim is None:
            type(self).victim = self.google_victim()

    def claims(self, **fields):
        claims = h.id_token_claims(sub=self.victim.uid, email=self.victim.email,
                                   given_name="Vic", family_name="Tim")
        claims.update(fields)
        return {k: v for k, v in claims.items() if v is not None}

    def refused(self, id_token, status=400, body=INVALID, backend=GOOGLE, **kwargs):
        kwargs.setdefault("field", "id_token")
        return self.attack_exchange(id_token, status, body, self.victim, backend=backend,
                                    **kwargs)

    # ---- the control -------------------------------------------------------------------
    def test_valid_id_token_logs_the_victim_in(self):
        # not an attack: the token every attack below differs from in one respect
        for iss, aud in (("https://accounts.google.com", h.google_client_id()),
                         ("accounts.google.com", h.load_config()["providers"][GOOGLE]
                          ["client_ids"][-1])):
            with self.subTest(iss=iss, aud=aud):
                resp = self.exchange(jwt(header(), self.claims(iss=iss, aud=aud, azp=aud)),
                                     field="id_token")
                self.assertEqual(resp.status, 200, resp)
                body = resp.json()
                self.assertEqual(body["user"]["id"], self.victim.user_id)
                self.assertIs(body["is_new"], False)

    # ---- signature and header ------------------------------------------------------------
    def test_alg_none(self):
        real = jwt(header(), self.claims())
        for alg in ("none", "None", "NONE", "nOnE"):
            for signature in ("", real.rsplit(".", 1)[1]):
                with self.subTest(alg=alg, signature=bool(signature)):
                    head = segment(header(alg=alg))
                    token = "%s.%s.%s" % (head, segment(self.claims()), signature)
                    self.refused(h.remember_secret(token))

    def test_alg_missing_or_not_rs256(self):
        algs = (None, "RS512", "PS256", "ES256", "EdDSA", "rs256", "RS256 ", ["RS256"], 256)
        for alg in self.pick(algs):
            with self.subTest(alg=alg):
                # signed with the real key by RS256 whatever the header claims
                self.refused(jwt(header(alg=alg), self.claims()))

    def test_hmac_keyed_with_the_public_key(self):
        digests = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}
        for form, key in self.pick(public_key_forms().items()):
            for alg in ("HS256", "HS512") if "PEM SubjectPublicKeyInfo" == form else ("HS256",):
                with self.subTest(key=form, alg=alg):
                    def signer(signing_input, key=key, alg=alg):
                        return hmac.new(key, signing_input.encode(), digests[alg]).digest()
                    self.refused(jwt(header(alg=alg), self.claims(), signer=signer))

    def test_attacker_key_with_a_real_kid(self):
        self.refused(jwt(header(), self.claims(), key=h.path("other-jwt.key")))

    def test_attacker_key_with_an_unknown_kid(self):
        self.refused(jwt(header(kid=ATTACKER_KID), self.claims(), key=h.path("other-jwt.key")))

    def test_jku_header(self):
        jku = self.attacker_server.base_url + "/oauth2/v3/certs"
        for kid in (ATTACKER_KID, REAL_KID):
            with self.subTest(kid=kid):
                self.refused(jwt(header(kid=kid, jku=jku), self.claims(),
                                 key=h.path("other-jwt.key")))
        self.assertEqual(self.attacker_server.requests(), [], "the program fetched the jku")

    def test_x5u_header(self):
        x5u = self.attacker_server.base_url + "/certs/attacker.pem"
        for kid in (ATTACKER_KID, REAL_KID):
            with self.subTest(kid=kid):
                self.refused(jwt(header(kid=kid, x5u=x5u), self.claims(),
                                 key=h.path("other-jwt.key")))
        self.assertEqual(self.attacker_server.requests(), [], "the program fetched the x5u")

    def test_embedded_jwk_and_x5c_headers(self):
        jwk = fake_provider.load_jwks(h.path("other-jwt.key"), ATTACKER_KID)["keys"][0]
        x5c = [base64.b64encode(attacker_certificate_der()).decode("ascii")]
        for name, fields in (("jwk", {"jwk": jwk}),
                             ("jwk, real kid", {"jwk": dict(jwk, kid=REAL_KID)}),
                             ("x5c", {"x5c": x5c}), ("x5c, no kid", {"x5c": x5c, "kid": None})):
            with self.subTest(name):
                self.refused(jwt(header(**fields), self.claims(), key=h.path("other-jwt.key")))

    def test_critical_header_extension(self):
        # the real key, but a crit the program can't honour (RFC 7515 §4.1.11)
        self.refused(jwt(header(crit=["exp"], exp=1), self.claims()))
        self.refused(jwt(header(crit=["http://example.com/x"]), self.claims()))

    def test_kid_injection(self):
        kids = ("../../../../etc/passwd", "' OR '1'='1", "fake-key-1' -- ", REAL_KID + "\u0000",
                REAL_KID + " ", REAL_KID.upper(), "k" * 400, "", 1, None, [REAL_KID])
        for kid in self.pick(kids):
            with self.subTest(kid=kid):
                self.refused(jwt(header(kid=kid), self.claims()))

    def test_signature_spliced_from_another_token(self):
        other = jwt(header(), h.id_token_claims())  # a valid token of somebody else
        forged = "%s.%s.%s" % (segment(header()), segment(self.claims()), other.rsplit(".", 1)[1])
        self.refused(h.remember_secret(forged))

    def test_payload_changed_after_signing(self):
        mine = h.id_token_claims(email="attacker.%s@example.com" % h.unique())
        head, _, sig = jwt(header(), mine).split(".")
        self.refused(h.remember_secret("%s.%s.%s" % (head, segment(self.claims()), sig)))

    # ---- claims ---------------------------------------------------------------------------
    def test_wrong_audience(self):
        ours = h.google_client_id()
        wrong = (FOREIGN_CLIENT, ours + ".evil.example", ours.upper(), " " + ours, ours[:-1], "",
                 "*")
        for aud in self.pick(wrong):
            with self.subTest(aud=aud):
                self.refused(jwt(header(), self.claims(aud=aud, azp=aud)))
        with self.subTest("foreign aud, our azp"):
            self.refused(jwt(header(), self.claims(aud=FOREIGN_CLIENT, azp=ours)))

    def test_missing_audience(self):
        self.refused(jwt(header(), self.claims(aud=None)))
        self.refused(jwt(header(), self.claims(aud=None, azp=None)))

    def test_audience_array(self):
        ours = h.google_client_id()
        for aud in self.pick(([FOREIGN_CLIENT], [ours, FOREIGN_CLIENT], [FOREIGN_CLIENT, ours], [],
                    [ours, ours + ".evil.example"], [[ours]])):
            with self.subTest(aud=aud):
                self.refused(jwt(header(), self.claims(aud=aud, azp=ours)))

    def test_audience_of_another_type(self):
        ours = h.google_client_id()
        for aud in self.pick((123, True, {"aud": ours}, {ours: True})):
            with self.subTest(aud=aud):
                self.refused(jwt(header(), self.claims(aud=aud)))

    def test_foreign_azp(self):
        ours = h.google_client_id()
        for azp in self.pick((FOREIGN_CLIENT, "", ours.upper(), [ours], 1)):
            with self.subTest(azp=azp):
                self.refused(jwt(header(), self.claims(aud=ours, azp=azp)))

    def test_wrong_issuer(self):
        for iss in self.pick(("https://evil.example", "accounts.google.com.evil.example",
                    "https://accounts.google.com.evil.example", "https://accounts.google.com/",
                    "http://accounts.google.com", "HTTPS://ACCOUNTS.GOOGLE.COM",
                    "Accounts.Google.com", "https://accounts.google.com ", "accounts.google.co",
                    "https://securetoken.google.com/" + h.google_client_id(), "", None,
                    ["https://accounts.google.com"], {"iss": "accounts.google.com"}, 1)):
            with self.subTest(iss=iss):
                self.refused(jwt(header(), self.claims(iss=iss)))

    def test_expired(self):
        now = int(time.time())
        expired = (now - 3600, now - 600, None, str(now + 3600), "9999999999", [now + 3600], True)
        for exp in self.pick(expired):
            with self.subTest(exp=exp):
                self.refused(jwt(header(), self.claims(iat=now - 7200, exp=exp)))

    def test_issued_in_the_future(self):
        now = int(time.time())
        for fields in self.pick(({"iat": now + 3600, "exp": now + 7200}, {"iat": now + 600},
                       {"iat": None}, {"iat": str(now)}, {"nbf": now + 3600},
                       {"nbf": str(now + 3600)})):
            with self.subTest(**{k: str(v) for k, v in fields.items()}):
                self.refused(jwt(header(), self.claims(**fields)))

    def test_empty_or_odd_sub(self):
        subs = ("", None, 12345, [self.victim.uid], {"id": self.victim.uid}, "1" * 300)
        for sub in self.pick(subs):
            with self.subTest(sub=str(sub)[:20]):
                self.refused(jwt(header(), self.claims(sub=sub)))

    def test_duplicate_claims(self):
        # one parser takes the first "sub", another the last: JSON with duplicate keys is
        # refused outright, signature or not
        claims = json.dumps(self.claims(sub="attacker-%s" % h.unique()))
        doubled = claims[:-1] + ', "sub": %s}' % json.dumps(self.victim.uid)
        self.refused(jwt(header(), doubled))
        head = json.dumps(header())
        self.refused(jwt(head[:-1] + ', "alg": "none"}', self.claims()))

    # ---- size and shape ---------------------------------------------------------------------
    def test_huge_jwt(self):
        limit = h.load_config()["http"]["max_body_bytes"]
        with self.subTest("over the body limit"):
            big = jwt(header(), self.claims(pad="x" * (limit * 6)))
            self.refused(big, status=413, body={"error": "body_too_large"})
        with self.subTest("huge header"):
            self.refused(jwt(header(kid="k" * 10000), self.claims()))
        with self.subTest("huge signature"):
            head_claims = "%s.%s" % (segment(header()), segment(self.claims()))
            self.refused(h.remember_secret(head_claims + "." + b64(os.urandom(4096))))
        with self.subTest("deeply nested claim"):
            deep = json.dumps(self.claims())[:-1] + ', "x": ' + "[" * 3000 + "]" * 3000 + "}"
            self.refused(jwt(header(), deep))
        with self.subTest("many segments"):
            self.refused(h.remember_secret("." * 12000))

    def test_malformed_jwt(self):
        good = jwt(header(), self.claims())
        head, payload, sig = good.split(".")
        std_b64 = lambda s: s.replace("-", "+").replace("_", "/")  # noqa: E731
        cases = {
            "one segment": head,
            "two segments": head + "." + payload,
            "trailing dot": head + "." + payload + ".",
            "four segments": good + "." + sig,
            "five segments (JWE shape)": ".".join([head, payload, sig, sig, sig]),
            "empty header": "." + payload + "." + sig,
            "empty payload": head + ".." + sig,
            "padded base64": head + "=." + payload + "==." + sig,
            "standard base64 alphabet": "%s+/.%s.%s" % (std_b64(head), std_b64(payload),
                                                        std_b64(sig)),
            "not base64": head + ".@@@@." + sig,
            "header not JSON": segment(b"RS256") + "." + payload + "." + sig,
            "header a JSON array": segment(["RS256"]) + "." + payload + "." + sig,
            "payload a JSON string": head + "." + segment('"%s"' % self.victim.uid) + "." + sig,
            "payload null": head + "." + segment("null") + "." + sig,
            "payload with trailing garbage": head + "." + segment(
                json.dumps(self.claims()) + "x") + "." + sig,
            "payload with a NUL": head + "." + segment(
                json.dumps(self.claims())[:-1] + ', "x": "\x00"}') + "." + sig,
            "payload not UTF-8": head + "." + segment(
                json.dumps(self.claims())[:-1].encode() + b', "x": "\xff\xfe"}') + "." + sig,
            "payload with a comment": head + "." + segment(
                "/* c */" + json.dumps(self.claims())) + "." + sig,
            "Bearer prefix": "Bearer " + good,
            "spaces inside": head + ". " + payload + "." + sig,
            "unicode dot": head + "\u2024" + payload + "\u2024" + sig,
        }
        for name, token in self.pick(cases.items()):
            with self.subTest(name):
                self.refused(h.remember_secret(token))

    def test_id_token_to_another_backend(self):
        # a valid Google ID token is no Facebook login
        self.refused(jwt(header(), self.claims()), backend=FACEBOOK)

    def test_id_token_in_the_access_token_field(self):
        # tokeninfo refuses a JWT as access token; it must not be checked as an ID token
        # signed by nobody either
        self.refused(jwt(header(alg="none"), self.claims()), field="access_token")


class CgiIdTokenAttacks(IdTokenAttacks, h.CgiCase):
    pass


class FastCgiIdTokenAttacks(IdTokenAttacks, h.FastCgiCase):
    pass
