"""The program behind the web servers a site owner deploys it with (Apache with the
shipped .htaccess or the vhost example, nginx + spawn-fcgi, lighttpd with its example),
each started by a tests/scripts/start_*.sh of its own in TEST_DIR/<name>/, and the
scenarios every one of them must pass.

The servers run unprivileged: as root, the scripts run them as "nobody" (Apache
refuses root), so that user must be able to search TEST_DIR to reach the CA file and
the MariaDB socket the config names (prepare_test_dir).

Not named test_*.py: the runner loads it only through the modules that use it.
"""

import os
import stat
import threading
import time
import urllib.parse

import harness as h
from harness import DB, FACEBOOK

NOT_AUTHENTICATED = {"error": "not_authenticated"}
UNKNOWN_TOKEN = {"error": "invalid_token"}


def prepare_test_dir():
    """Lets the unprivileged server user search (not list) TEST_DIR, which mktemp made
    0700. Running as another user, the servers run as that user and need nothing."""
    if os.geteuid() == 0:
        mode = os.stat(h.TEST_DIR).st_mode
        os.chmod(h.TEST_DIR, stat.S_IMODE(mode) | stat.S_IXOTH)


class SiteClient(h.HttpClient):
    """HTTP to a server whose app is mounted below a path (base_url, e.g.
    http://127.0.0.1:PORT/auth): routes are appended to that path."""

    def __init__(self, base_url, via):
        parts = urllib.parse.urlsplit(base_url)
        super().__init__(parts.port)
        self.host_url = "http://127.0.0.1:%d" % parts.port
        self.mount = parts.path
        self.via = via

    def request(self, method, route, **kwargs):
        return super().request(method, self.mount + route, **kwargs)

    def raw(self, method, target, **kwargs):
        """A request for a path outside the app (target is the whole path)."""
        return super().request(method, target, **kwargs)


class Site:
    """One server started by tests/scripts/start_<kind>.sh in TEST_DIR/<name>."""

    def __init__(self, name, start_script, stop_script, env=None):
        self.name = name
        self.start_script = start_script
        self.stop_script = stop_script
        self.env = env or {}
        self.client = None

    @property
    def dir(self):
        return h.path(self.name)

    def start(self):
        prepare_test_dir()
        env = dict(os.environ, SOCIALAUTH_CONFIG=h.path("config.json"),
                   SOCIALAUTH_FCGI=h.FCGI_BIN, **self.env)
        h.run_script(self.start_script, self.dir, env=env)
        with open(os.path.join(self.dir, "base_url"), encoding="ascii") as f:
            self.client = SiteClient(f.read().strip(), self.name)
        return self.client

    def stop(self):
        h.run_script(self.stop_script, self.dir)

    def file(self, *parts):
        return os.path.join(self.dir, *parts)

    def read(self, *parts):
        with open(self.file(*parts), "rb") as f:
            return f.read().decode("utf-8", "replace")


def apache(name, **env):
    return Site(name, "start_apache.sh", "stop_apache.sh", env)


def _parent(pid):
    with open("/proc/%d/stat" % pid, encoding="latin-1") as f:
        stat = f.read()
    return int(stat[stat.rfind(")") + 2:].split()[1])


def running(exe):
    """Pids of the processes running the program file exe (zombies have no exe), less
    those a program process started itself: in a sanitizer build LeakSanitizer checks
    for leaks at exit from a clone of the process."""
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.readlink("/proc/%s/exe" % entry) == exe:
                    found.add(int(entry))
            except OSError:
                continue
    children = set()
    for pid in found:
        try:
            if _parent(pid) in found:
                children.add(pid)
        except OSError:
            continue
    return found - children


def pids_serving(request, exe, poll=0.01):
    """Runs request() in a thread and returns (its result, the pids running exe while
    it ran). The request must take a while (a slow provider) to be seen."""
    result = {}

    def run():
        try:
            result["value"] = request()
        except BaseException as exc:  # re-raised below, in the test's thread
            result["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    seen = set()
    while thread.is_alive():
        seen |= running(exe)
        time.sleep(poll)
    thread.join()
    if "error" in result:
        raise result["error"]
    return result["value"], seen


class SiteCase(h.E2ETestCase):
    """Starts cls.site before the class and stops it after, even when setUpClass
    fails half-way; self.client speaks to it."""

    site = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.addClassCleanup(cls.site.stop)
        cls.client = cls.site.start()


class SiteScenarios:
    """What must work through every server: both providers, /me with both schemes
    (so the server passes Authorization on), /logout, PATH_INFO routing, and nothing
    but the app below its mount."""

    def test_google_login_me_with_token_and_bearer_then_logout(self):
        email = "srv.%s@example.com" % h.unique()
        token, _ = h.google_token(email=email, given_name="Sam", family_name="Server")
        body = self.login(token)
        self.assertIs(body["is_new"], True)
        self.assertEqual(body["user"]["email"], email)
        api_token = body["token"]
        for scheme in ("Token", "Bearer"):
            me = self.me(api_token, scheme=scheme)
            self.assertEqual(me.status, 200, me)
            self.assertEqual((me.json()["id"], me.json()["email"], me.json()["first_name"]),
                             (body["user"]["id"], email, "Sam"))
        self.assertEqual(DB.user_id_for_token(api_token), str(body["user"]["id"]))
        self.assert_no_content(self.call("POST", "/logout", body="",
                                         content_type="application/json",
                                         headers={"Authorization": "Token " + api_token}))
        self.assert_json(self.me(api_token), 401, UNKNOWN_TOKEN)
        self.assertIsNone(DB.user_id_for_token(api_token))

    def test_facebook_login_and_me(self):
        email = "srvfb.%s@example.com" % h.unique()
        token, spec = h.facebook_token(email=email, first_name="Fay")
        body = self.login(token, backend=FACEBOOK)
        me = self.me(body["token"], scheme="Bearer")
        self.assertEqual(me.status, 200, me)
        self.assertEqual(me.json()["email"], email)
        self.assertEqual(me.json()["identities"], [{"provider": FACEBOOK, "uid": spec["user_id"]}])

    def test_me_without_authorization_is_not_authenticated(self):
        self.assert_json(self.call("GET", "/me"), 401, NOT_AUTHENTICATED)

    def test_failed_exchange_is_the_programs_answer_and_changes_nothing(self):
        before = DB.snapshot()
        self.assert_json(self.exchange(h.unregistered_token()), 400, h.INVALID_TOKEN_BODY)
        self.assert_unchanged(before)

    def test_routes_come_from_path_info(self):
        self.assert_json(self.call("GET", "/health"), 200, {"status": "ok"})
        self.assert_json(self.call("GET", "/health/"), 200, {"status": "ok"})
        self.assert_error(self.call("GET", "/no/such/route"), 404, "not_found")
        resp = self.call("GET", "/social/google-oauth2/")
        self.assert_error(resp, 405, "method_not_allowed")
        self.assertIn("POST", [m.strip() for m in resp.header("Allow").split(",")])

    def test_a_path_next_to_the_mount_is_not_the_app(self):
        # e.g. /authors/ on the same site stays the site's
        resp = self.client.raw("GET", self.client.mount + "x/health")
        self.assertIn(resp.status, (403, 404), resp)
        self.assertNotEqual(resp.header("Cache-Control"), "no-store", resp)
