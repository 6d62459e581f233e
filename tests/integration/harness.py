"""Helpers for the end-to-end tests: the program as CGI and as FastCGI behind lighttpd,
the fake provider's control API, the test database, and the record of every secret
the tests used (for test_logs).

The services are started by tests/integration/run, which exports
SOCIALAUTH_TEST_DIR (the temp dir holding config.json, the CA, the pid and port
files), SOCIALAUTH_BUILDDIR and SOCIALAUTH_SRCDIR. Layout of SOCIALAUTH_TEST_DIR:
  config.json            the app config (0600)
  ca.pem other-ca.pem    test CAs; server.pem/key the fake provider's certificate
  fake_provider.port     the fake provider (https://127.0.0.1:PORT)
  mysql/                 MariaDB (mysqld.sock, client.cnf, admin.cnf, mariadb.env)
  lighttpd/              lighttpd with the app (lighttpd.port, lighttpd-error.log)
  cgi-stderr.log         the app's stderr of every CGI run
  secrets.txt            every token and secret the tests used, one per line

Python 3 standard library only.
"""

import base64
import hashlib
import hmac
import http.client
import json
import os
import re
import secrets
import socket
import ssl
import subprocess
import threading
import time
import unittest
import urllib.parse
import urllib.request

# ---- where things are -------------------------------------------------------------

TEST_DIR = os.environ.get("SOCIALAUTH_TEST_DIR", "")
SRCDIR = os.environ.get("SOCIALAUTH_SRCDIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
BUILDDIR = os.environ.get("SOCIALAUTH_BUILDDIR") or os.path.join(SRCDIR, "build")
SCRIPTS = os.path.join(SRCDIR, "tests", "scripts")
FCGI_BIN = os.environ.get("SOCIALAUTH_FCGI") or os.path.join(BUILDDIR, "socialauth.fcgi")
ADMIN_BIN = os.environ.get("SOCIALAUTH_ADMIN") or os.path.join(BUILDDIR, "socialauth-admin")

GOOGLE = "google-oauth2"
FACEBOOK = "facebook"
JSON_TYPE = "application/json; charset=utf-8"
FORM_TYPE = "application/x-www-form-urlencoded"
INVALID_TOKEN_BODY = {"error": "invalid_token", "errors": {"token": "Invalid token"}}
REQUIRED_BODY = {"error": "invalid_request",
                 "errors": {"access_token": "This field is required."}}
INACTIVE_BODY = {"error": "account_inactive",
                 "errors": {"non_field_errors": "This user account is inactive"}}
API_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{43,}$")
EXPIRES_AT_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
CGI_TIMEOUT = 30


def _require_test_dir():
    if not TEST_DIR or not os.path.isdir(TEST_DIR):
        raise RuntimeError(
            "SOCIALAUTH_TEST_DIR is not set: run the tests through tests/integration/run "
            "(e.g. tests/integration/run test_exchange)")


def path(*parts):
    _require_test_dir()
    return os.path.join(TEST_DIR, *parts)


def read_text(*parts):
    with open(path(*parts), encoding="utf-8") as f:
        return f.read().strip()


def load_config(config_path=None):
    with open(config_path or path("config.json"), encoding="utf-8") as f:
        return json.load(f)


def unique(prefix="u"):
    """A short unique suffix for subs, emails and names, so tests never collide."""
    return "%s%s" % (prefix, secrets.token_hex(5))


# ---- secrets the tests used (test_logs asserts none reaches a log) -----------------

_secrets_lock = threading.Lock()


def remember_secret(value):
    if not value or len(value) < 8:
        return value
    with _secrets_lock:
        with open(path("secrets.txt"), "a", encoding="utf-8") as f:
            f.write(value + "\n")
    return value


def remembered_secrets():
    try:
        with open(path("secrets.txt"), encoding="utf-8") as f:
            return sorted({line.rstrip("\n") for line in f if line.strip()})
    except FileNotFoundError:
        return []


# ---- responses -------------------------------------------------------------------

class Response:
    def __init__(self, status, headers, body, elapsed, via, stderr=b""):
        self.status = status
        self.headers = headers  # list of (name, value)
        self.body = body        # bytes
        self.elapsed = elapsed
        self.via = via          # "cgi" or "fastcgi"
        self.stderr = stderr

    def header(self, name):
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def header_names(self):
        return {key.lower() for key, _ in self.headers}

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    def json_keys(self):
        """Top-level keys in the order they were sent."""
        return [k for k, _ in json.loads(self.body.decode("utf-8"), object_pairs_hook=list)]

    def __repr__(self):
        return "<%s %d %r>" % (self.via, self.status, self.body[:300])


# ---- the program as CGI ------------------------------------------------------------

def cgi_environment(method, route, query, headers, content_type, content_length, config,
                     remote_addr, extra):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "GATEWAY_INTERFACE": "CGI/1.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "SERVER_SOFTWARE": "socialauth-e2e",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "443",
        "HTTPS": "on",
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "/cgi-bin/socialauth.fcgi",
        "PATH_INFO": route,
        "QUERY_STRING": query,
        "REQUEST_URI": "/cgi-bin/socialauth.fcgi" + route + ("?" + query if query else ""),
        "REMOTE_ADDR": remote_addr,
        "SOCIALAUTH_CONFIG": config,
    }
    for var in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "LD_LIBRARY_PATH"):
        if var in os.environ:
            env[var] = os.environ[var]
    if content_type is not None:
        env["CONTENT_TYPE"] = content_type
    if content_length is not None:
        env["CONTENT_LENGTH"] = str(content_length)
    for name, value in headers.items():
        key = "HTTP_" + name.upper().replace("-", "_")
        if key in ("HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"):
            continue
        env[key] = value
    env.update(extra or {})
    return env


def parse_cgi_output(raw):
    """Splits CGI output into (status, headers, body); the program must send Status."""
    sep = raw.find(b"\r\n\r\n")
    sep_len = 4
    if sep < 0:
        sep = raw.find(b"\n\n")
        sep_len = 2
    if sep < 0:
        raise AssertionError("CGI output without a header/body separator: %r" % raw[:500])
    head, body = raw[:sep].decode("latin-1"), raw[sep + sep_len:]
    status, headers = None, []
    for line in re.split(r"\r?\n", head):
        name, colon, value = line.partition(":")
        if not colon:
            raise AssertionError("malformed CGI header line %r in %r" % (line, raw[:500]))
        if name.lower() == "status":
            status = int(value.strip().split()[0])
        else:
            headers.append((name.strip(), value.strip()))
    if status is None:
        raise AssertionError("CGI output without a Status header: %r" % raw[:500])
    return status, headers, body


class CgiClient:
    """Runs the program once per request, as a CGI server does: variables in the
    environment, the body on stdin (a pipe, not a socket), the answer on stdout."""

    via = "cgi"

    def __init__(self, config=None):
        self.config = config

    def request(self, method, route, body=None, content_type=None, headers=None, query="",
                content_length="auto", config=None, remote_addr="127.0.0.1", env=None,
                timeout=CGI_TIMEOUT):
        headers = dict(headers or {})
        if isinstance(body, str):
            body = body.encode("utf-8")
        if content_length == "auto":
            content_length = len(body) if body is not None else None
        environ = cgi_environment(method, route, query, headers, content_type, content_length,
                                   config or self.config or path("config.json"), remote_addr, env)
        started = time.monotonic()
        proc = subprocess.run([FCGI_BIN], input=body if body is not None else b"",
                              capture_output=True, env=environ, timeout=timeout)
        elapsed = time.monotonic() - started
        with open(path("cgi-stderr.log"), "ab") as log:
            log.write(proc.stderr)
        if proc.returncode != 0:
            raise AssertionError("CGI program exited with %d; stderr: %r; stdout: %r"
                                 % (proc.returncode, proc.stderr[-2000:], proc.stdout[:500]))
        status, hdrs, out = parse_cgi_output(proc.stdout)
        return Response(status, hdrs, out, elapsed, self.via, proc.stderr)


# ---- the program as FastCGI behind lighttpd ----------------------------------------

class HttpClient:
    """Plain HTTP to a lighttpd on 127.0.0.1 that runs the program via mod_fastcgi."""

    via = "fastcgi"

    def __init__(self, port=None, lighttpd_dir="lighttpd"):
        self._port = port
        self.lighttpd_dir = lighttpd_dir

    @property
    def port(self):
        if self._port is None:
            self._port = int(read_text(self.lighttpd_dir, "lighttpd.port"))
        return self._port

    def request(self, method, route, body=None, content_type=None, headers=None, query="",
                content_length="auto", config=None, remote_addr=None, env=None, timeout=30):
        if config is not None or env:
            raise ValueError("HttpClient can't change the config per request; "
                             "use a LighttpdInstance")
        headers = dict(headers or {})
        if isinstance(body, str):
            body = body.encode("utf-8")
        if content_type is not None:
            headers["Content-Type"] = content_type
        # remote_addr, a loopback address such as 127.0.0.23, becomes the connection's
        # source address and so lighttpd's REMOTE_ADDR (per-client rate limits)
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout,
                                          source_address=(remote_addr, 0) if remote_addr else None)
        target = route + ("?" + query if query else "")
        started = time.monotonic()
        try:
            conn.putrequest(method, target, skip_accept_encoding=True)
            if content_length == "auto":
                content_length = len(body) if body is not None else (
                    0 if method in ("POST", "PUT") else None)
            if content_length is not None:
                conn.putheader("Content-Length", str(content_length))
            for name, value in headers.items():
                conn.putheader(name, value)
            conn.endheaders(body if body else None)
            resp = conn.getresponse()
            data = resp.read()
            elapsed = time.monotonic() - started
            return Response(resp.status, resp.getheaders(), data, elapsed, self.via)
        finally:
            conn.close()


def children_of(pid):
    """Process ids whose parent is pid (the FastCGI workers lighttpd spawned)."""
    found = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry, encoding="latin-1") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        if int(fields[1]) == pid:
            found.add(int(entry))
    return found


class LighttpdInstance:
    """A further lighttpd with the program under its own config (for config variants),
    in TEST_DIR/lighttpd-NAME; its error log is scanned by test_logs as well."""

    def __init__(self, name, config_path, procs=1):
        self.name = name
        self.dir = path("lighttpd-" + name)
        self.config_path = config_path
        self.procs = procs
        self.client = None

    def start(self):
        env = dict(os.environ, SOCIALAUTH_CONFIG=self.config_path, SOCIALAUTH_FCGI=FCGI_BIN,
                   FCGI_PROCS=str(self.procs))
        run_script("start_lighttpd.sh", self.dir, env=env)
        with open(os.path.join(self.dir, "lighttpd.port"), encoding="ascii") as f:
            self.client = HttpClient(int(f.read().strip()))
        return self.client

    def stop(self):
        run_script("stop_lighttpd.sh", self.dir)

    def pid(self):
        with open(os.path.join(self.dir, "lighttpd.pid"), encoding="ascii") as f:
            return int(f.read().strip())


def main_lighttpd_pid():
    return int(read_text("lighttpd", "lighttpd.pid"))


def run_script(name, *args, env=None, timeout=120):
    proc = subprocess.run([os.path.join(SCRIPTS, name), *args], capture_output=True,
                          text=True, env=env, timeout=timeout)
    if proc.returncode != 0:
        raise AssertionError("%s %s failed (%d): %s%s" % (name, " ".join(args), proc.returncode,
                                                          proc.stdout, proc.stderr))
    return proc.stdout


# ---- config variants ---------------------------------------------------------------

def write_config_variant(name, mutate):
    """A copy of config.json changed by mutate(dict), written 0600; returns its path."""
    config = load_config()
    mutate(config)
    os.makedirs(path("variants"), exist_ok=True)
    target = path("variants", name + ".json")
    fd = os.open(target + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(config, f, indent=2)
    os.replace(target + ".tmp", target)
    return target


def write_raw_config(name, text):
    os.makedirs(path("variants"), exist_ok=True)
    target = path("variants", name + ".json")
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    return target


def closed_port():
    """A loopback port nobody listens on (bound and released at once)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# ---- the fake provider -------------------------------------------------------------

class FakeProvider:
    def __init__(self):
        self._port = None
        self._context = None

    @property
    def port(self):
        if self._port is None:
            self._port = int(read_text("fake_provider.port"))
        return self._port

    @property
    def base_url(self):
        return "https://127.0.0.1:%d" % self.port

    def _call(self, method, route, payload=None):
        if self._context is None:
            self._context = ssl.create_default_context(cafile=path("ca.pem"))
        data = json.dumps(payload).encode() if payload is not None else None
        req = urllib.request.Request(self.base_url + route, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, context=self._context, timeout=10) as resp:
            return json.loads(resp.read().decode("utf-8"))

    def register(self, spec):
        remember_secret(spec["token"])
        self._call("POST", "/_fake/tokens", spec)
        return spec["token"]

    def requests(self, token=None):
        route = "/_fake/requests"
        if token is not None:
            route += "?" + urllib.parse.urlencode({"token": token})
        return self._call("GET", route)

    def all_requests_since(self, since):
        return [r for r in self.requests() if r["time"] >= since]


FAKE = FakeProvider()


def google_client_id(config=None):
    return (config or load_config())["providers"][GOOGLE]["client_ids"][0]


def facebook_app(config=None):
    fb = (config or load_config())["providers"][FACEBOOK]
    return fb["app_id"], fb["app_secret"]


def google_token(**fields):
    """Registers a Google access token with the fake provider; returns (token, spec)."""
    spec = {"provider": "google", "token": "ya29.e2e-" + secrets.token_urlsafe(24),
            "sub": "1" + str(secrets.randbelow(10 ** 20)).zfill(20),
            "aud": google_client_id()}
    spec.update(fields)
    FAKE.register(spec)
    return spec["token"], spec


def facebook_token(**fields):
    """Registers a Facebook user access token; returns (token, spec)."""
    app_id, _ = facebook_app()
    spec = {"provider": "facebook", "token": "EAAe2e" + secrets.token_urlsafe(30),
            "user_id": str(10 ** 15 + secrets.randbelow(10 ** 15)), "app_id": app_id}
    spec.update(fields)
    FAKE.register(spec)
    return spec["token"], spec


def unregistered_token(prefix="ya29.unknown-"):
    return remember_secret(prefix + secrets.token_urlsafe(24))


def appsecret_proof(secret, token):
    return hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()


# ---- Google ID tokens (RS256 JWTs signed with TEST_DIR/jwt.key) --------------------

def _b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def make_id_token(claims, kid="fake-key-1", alg="RS256", key=None, header=None):
    head = {"alg": alg, "kid": kid, "typ": "JWT"}
    head.update(header or {})
    signing_input = "%s.%s" % (_b64url(json.dumps(head).encode()),
                               _b64url(json.dumps(claims).encode()))
    if alg == "none":
        return remember_secret(signing_input + ".")
    proc = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key or path("jwt.key")],
                          input=signing_input.encode(), capture_output=True, check=True)
    return remember_secret(signing_input + "." + _b64url(proc.stdout))


def id_token_claims(**fields):
    now = int(time.time())
    claims = {"iss": "https://accounts.google.com", "azp": google_client_id(),
              "aud": google_client_id(), "sub": "1" + str(secrets.randbelow(10 ** 20)).zfill(20),
              "email": "idt.%s@example.com" % unique(), "email_verified": True,
              "given_name": "Ida", "family_name": "Token", "name": "Ida Token",
              "iat": now - 10, "exp": now + 3600}
    claims.update(fields)
    return {k: v for k, v in claims.items() if v is not None}


# ---- the database ------------------------------------------------------------------

class Database:
    """The test database through the mariadb client (no Python driver needed)."""

    def __init__(self, mysql_dir=None):
        self.mysql_dir = mysql_dir

    def _cnf(self):
        return os.path.join(self.mysql_dir or path("mysql"), "client.cnf")

    def query(self, sql):
        """Rows of tab-separated columns; NULL comes back as None."""
        proc = subprocess.run(["mariadb", "--defaults-file=" + self._cnf(), "-N", "-B",
                               "--default-character-set=utf8mb4", "-e", sql],
                              capture_output=True, timeout=30)
        if proc.returncode != 0:
            raise AssertionError("SQL failed: %s\n%s" % (sql, proc.stderr.decode("utf-8", "replace")))
        rows = []
        for line in proc.stdout.decode("utf-8").splitlines():
            rows.append([None if c == "NULL" else c for c in line.split("\t")])
        return rows

    def value(self, sql):
        rows = self.query(sql)
        return rows[0][0] if rows else None

    def count(self, table, where="1=1"):
        return int(self.value("SELECT COUNT(*) FROM %s WHERE %s" % (table, where)))

    def snapshot(self):
        """Row counts and checksums of the contract tables: any change shows."""
        tables = ("users", "social_identities", "api_tokens")
        rows = self.query("SELECT %s; CHECKSUM TABLE %s" % (
            ", ".join("(SELECT COUNT(*) FROM %s)" % t for t in tables), ", ".join(tables)))
        result = dict(zip(tables, (int(n) for n in rows[0])))
        for row in rows[1:]:
            result["checksum " + row[0]] = row[1]
        return result

    def user_id_for_token(self, api_token):
        """The PHP-side check of SPEC §5, verbatim."""
        if not API_TOKEN_RE.match(api_token):
            raise ValueError("not an API token")
        return self.value(
            "SELECT user_id FROM api_tokens WHERE token_hash = SHA2('%s', 256) "
            "AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > NOW())" % api_token)


DB = Database()


def sql_quote(value):
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"


def mysql_dir():
    return path("mysql")


# ---- test case bases ---------------------------------------------------------------

class E2ETestCase(unittest.TestCase):
    """Base of every end-to-end test: `self.client` is CGI or FastCGI; every answer
    passes the standard-header check."""

    client = None
    maxDiff = 4000

    @classmethod
    def setUpClass(cls):
        _require_test_dir()
        if not os.access(FCGI_BIN, os.X_OK):
            raise AssertionError("the program %s is not built" % FCGI_BIN)

    # every request goes through here
    def call(self, method, route, client=None, **kwargs):
        resp = (client or self.client).request(method, route, **kwargs)
        self.assert_standard_headers(resp)
        return resp

    def assert_standard_headers(self, resp):
        # A 204 has no body, so no Content-Type; when one is sent it must be JSON's.
        if resp.status != 204 or resp.header("Content-Type") is not None:
            self.assertEqual(resp.header("Content-Type"), JSON_TYPE, resp)
        self.assertEqual(resp.header("Cache-Control"), "no-store", resp)
        self.assertEqual(resp.header("X-Content-Type-Options"), "nosniff", resp)

    def exchange(self, token, backend=GOOGLE, form=False, field="access_token", **kwargs):
        if form:
            body = urllib.parse.urlencode({field: token})
            ctype = FORM_TYPE
        else:
            body = json.dumps({field: token})
            ctype = "application/json"
        resp = self.call("POST", "/social/%s/" % backend, body=body, content_type=ctype, **kwargs)
        if resp.status == 200:
            remember_secret(resp.json().get("token", ""))
        return resp

    def login(self, token, backend=GOOGLE, **kwargs):
        """A successful exchange; returns the parsed body."""
        resp = self.exchange(token, backend, **kwargs)
        self.assertEqual(resp.status, 200, resp)
        body = resp.json()
        self.assertRegex(body["token"], API_TOKEN_RE)
        return body

    def me(self, api_token, scheme="Token", **kwargs):
        return self.call("GET", "/me", headers={"Authorization": "%s %s" % (scheme, api_token)},
                         **kwargs)

    def assert_json(self, resp, status, body):
        self.assertEqual(resp.status, status, resp)
        self.assertEqual(resp.json(), body, resp)

    def assert_error(self, resp, status, error, errors_keys=None):
        """status, error code, and (when given) exactly these keys in errors."""
        self.assertEqual(resp.status, status, resp)
        body = resp.json()
        self.assertEqual(body.get("error"), error, resp)
        if errors_keys is not None:
            self.assertIsInstance(body.get("errors"), dict, resp)
            self.assertEqual(sorted(body["errors"]), sorted(errors_keys), resp)
            for value in body["errors"].values():
                self.assertIsInstance(value, str, resp)
                self.assertTrue(value, resp)
        return body

    def assert_no_content(self, resp):
        self.assertEqual(resp.status, 204, resp)
        self.assertEqual(resp.body, b"", resp)

    def assert_unchanged(self, before):
        self.assertEqual(DB.snapshot(), before, "the database changed")


class CgiCase(E2ETestCase):
    client = CgiClient()


class FastCgiCase(E2ETestCase):
    client = HttpClient()

