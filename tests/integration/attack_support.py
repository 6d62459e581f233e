"""Shared by the black-box attack suite (test_attacks.py and the attacks_*.py modules it
gathers): victims, snapshots of a victim's rows, the one assertion every attack ends
with, and a client address of its own per test.

Every attack test follows one shape: make a victim through an ordinary login, snapshot
the victim's rows (users, social_identities, api_tokens — every column) and the whole
contract tables (row counts and checksums), send the attack, then assert the status,
the exact body, and that neither snapshot changed.

Every request comes from a client address of its own (REMOTE_ADDR for CGI; a 127.x.y.z
source address, which lighttpd reports as REMOTE_ADDR, for FastCGI) unless the test
names one, so the per-client rate limit (on by default) never turns an attack test into
a rate limit test.
"""

import os
import random
import re
import secrets
import socket
import subprocess
import threading

import harness as h
from harness import DB, FACEBOOK, GOOGLE

EMAIL_IN_USE_BODY = {"error": "email_in_use",
                     "errors": {"email": "This email address belongs to an existing account. "
                                         "Sign in with that account first to connect this login."}}
NOT_AUTHENTICATED = {"error": "not_authenticated"}
INVALID_API_TOKEN = {"error": "invalid_token"}
UNAVAILABLE = {"error": "provider_unavailable"}
RATE_LIMITED = {"error": "rate_limited"}
SERVICE_UNAVAILABLE = {"error": "service_unavailable"}
LOG_LINE_RE = re.compile(rb"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ socialauth (info|warning|error) ")


class Session:
    """One long-lived mariadb client for the many snapshots the attacks take: a
    process per query (harness.Database) costs more than the request under test."""

    def __init__(self):
        self._lock = threading.Lock()
        self._proc = None

    def _start(self):
        self._proc = subprocess.Popen(
            ["mariadb", "--defaults-file=" + os.path.join(h.mysql_dir(), "client.cnf"), "-N", "-B",
             "--unbuffered", "--default-character-set=utf8mb4"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def query(self, sql):
        """The raw tab-separated output of the statements in sql."""
        with self._lock:
            for attempt in (1, 2):
                if self._proc is None or self._proc.poll() is not None:
                    self._start()
                marker = "--end-%s--" % secrets.token_hex(8)
                try:
                    self._proc.stdin.write(("%s;\nSELECT '%s';\n" % (sql, marker)).encode("utf-8"))
                    self._proc.stdin.flush()
                    out = []
                    for line in iter(self._proc.stdout.readline, b""):
                        if line.rstrip(b"\n") == marker.encode():
                            return b"".join(out).decode("utf-8")
                        out.append(line)
                except (BrokenPipeError, OSError):
                    pass
                err = self._proc.stderr.read().decode("utf-8", "replace") if self._proc.poll() \
                    is not None else ""
                self._proc = None
                if attempt == 2:
                    raise AssertionError("SQL failed: %s\n%s" % (sql, err))
        return ""


SESSION = Session()


def state(victims=()):
    """Counts and checksums of the contract tables, and every row of each victim."""
    sql = ["SELECT (SELECT COUNT(*) FROM users), (SELECT COUNT(*) FROM social_identities), "
           "(SELECT COUNT(*) FROM api_tokens)",
           "CHECKSUM TABLE users, social_identities, api_tokens"]
    for v in victims:
        sql += rows_sql(v.user_id)
    return SESSION.query(";\n".join(sql))


def rows_sql(user_id):
    return ["SELECT 'user', u.* FROM users u WHERE id = %d" % user_id,
            "SELECT 'identity', i.* FROM social_identities i WHERE user_id = %d ORDER BY id"
            % user_id,
            "SELECT 'token', t.* FROM api_tokens t WHERE user_id = %d ORDER BY id" % user_id]


def client_addr():
    """A loopback address of its own (127.0.0.1 is everybody else's)."""
    return "127.%d.%d.%d" % (random.randint(1, 254), random.randint(0, 255), random.randint(1, 254))


def admin(*args):
    """Runs socialauth-admin with the test config; its output, or AssertionError."""
    proc = subprocess.run([h.ADMIN_BIN, "--config", h.path("config.json"), *args],
                          capture_output=True, text=True, timeout=30)
    if proc.returncode != 0:
        raise AssertionError("socialauth-admin %s failed (%d): %s%s"
                             % (" ".join(args), proc.returncode, proc.stdout, proc.stderr))
    return proc.stdout


def set_user_active(user_id, active):
    """Deactivates or reactivates a user the supported way, through the admin tool
    (issue 3: deactivating revokes every API token of the user)."""
    return admin("users", "activate" if active else "deactivate", str(user_id))


class Victim:
    """Someone who logged in the ordinary way; attacks must leave them alone."""

    def __init__(self, backend, provider_token, spec, login):
        self.backend = backend
        self.provider_token = provider_token
        self.spec = spec
        self.login = login
        self.user_id = login["user"]["id"]
        self.api_token = login["token"]
        self.email = spec.get("email", "")
        self.uid = spec.get("sub") if backend == GOOGLE else spec.get("user_id")

    def rows(self):
        """Every column of every row that belongs to the victim."""
        return SESSION.query(";\n".join(rows_sql(self.user_id)))


class TrapListener:
    """A loopback port that accepts connections and records them (a would-be proxy):
    the program must never connect to it."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = False
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def _serve(self):
        self.sock.settimeout(0.2)
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            self.connections += 1
            conn.close()

    def close(self):
        self._stop = True
        self._thread.join(2)
        self.sock.close()


class AttackCase:
    """Mixed in before h.CgiCase / h.FastCgiCase."""

    def call(self, method, route, client=None, **kwargs):
        if kwargs.get("remote_addr") is None:
            kwargs["remote_addr"] = client_addr()
        return super().call(method, route, client=client, **kwargs)

    def pick(self, variants):
        """The variants of one attack to send: all of them through FastCGI; every third
        (from the first) through CGI, where each request costs a process. The decision
        under test is the same code either way; the attacks that go through the
        adapter itself (headers, environment, paths) send every variant both ways."""
        variants = list(variants)
        return variants if self.client.via == "fastcgi" else variants[::3]

    # ---- victims -------------------------------------------------------------------
    def google_victim(self, **fields):
        fields.setdefault("email", "victim.%s@example.com" % h.unique())
        token, spec = h.google_token(**fields)
        return Victim(GOOGLE, token, spec, self.login(token))

    def facebook_victim(self, **fields):
        fields.setdefault("email", "fbvictim.%s@example.com" % h.unique())
        token, spec = h.facebook_token(**fields)
        return Victim(FACEBOOK, token, spec, self.login(token, backend=FACEBOOK))

    def shared_victim(self, backend=GOOGLE):
        """One ordinary victim per class and backend: every attack snapshots the
        victim's rows itself, and a login per test would cost more than the attacks."""
        cls = type(self)
        if "_shared_victims" not in cls.__dict__:
            cls._shared_victims = {}
        if backend not in cls._shared_victims:
            cls._shared_victims[backend] = (self.google_victim() if backend == GOOGLE
                                            else self.facebook_victim())
        return cls._shared_victims[backend]

    # ---- the attack ------------------------------------------------------------------
    def attack(self, send, status, body, *victims, headers=None):
        """Runs send() and asserts status, exact JSON body (None: no body), and that
        no row anywhere and no row of a victim changed. Returns the response."""
        before = state(victims)
        resp = send()
        self.assertEqual(resp.status, status, resp)
        if body is None:
            self.assertEqual(resp.body, b"", resp)
        else:
            self.assertEqual(resp.json(), body, resp)
        for name, value in (headers or {}).items():
            self.assertEqual(resp.header(name), value, (name, resp.headers))
        self.assertEqual(state(victims), before, "the database changed (a victim's rows are "
                                                 "the lines after the checksums)")
        return resp

    def attack_exchange(self, token, status, body, *victims, backend=GOOGLE, **kwargs):
        return self.attack(lambda: self.exchange(token, backend=backend, **kwargs), status, body,
                           *victims)

    def assert_victim_intact(self, victim):
        """The victim's own token still works and still names only the victim."""
        resp = self.me(victim.api_token)
        self.assertEqual(resp.status, 200, resp)
        me = resp.json()
        self.assertEqual(me["id"], victim.user_id)
        self.assertEqual(me["identities"], [{"provider": victim.backend, "uid": victim.uid}])

    def assert_separate_account(self, resp, victim, email=None):
        """A login that had to get an account of its own, never the victim's."""
        self.assertEqual(resp.status, 200, resp)
        body = resp.json()
        h.remember_secret(body["token"])
        self.assertIs(body["is_new"], True, body)
        self.assertNotEqual(body["user"]["id"], victim.user_id)
        if email is not None:
            self.assertEqual(body["user"]["email"], email)
            self.assertEqual(DB.value("SELECT email FROM users WHERE id = %d" % body["user"]["id"]),
                             email)
        me = self.me(body["token"]).json()
        self.assertEqual(me["id"], body["user"]["id"])
        self.assertNotIn(victim.uid, [i["uid"] for i in me["identities"]])
        return body
