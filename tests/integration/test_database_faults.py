"""Database faults with the real MariaDB, made real (issue 4): a server stopped or
restarted under running workers, a session killed in the middle of an exchange, an
idle session killed between requests, a lock wait timeout, a deadlock, retries that
run out, and max_connections / max_user_connections reached. Each scenario runs the
built program as CGI and as FastCGI behind lighttpd and checks the JSON answer, that
no partial row was written (never a user without its identity, an identity or token
without its user), that the FastCGI workers were not restarted, and that the next
request works. Every fault prints one "[db-fault]" line (status, elapsed time,
retries) to stderr, for the record.

The faults are made from administrator sessions of the mariadb client kept open with
stdin piped (SqlSession), so they can hold a lock across steps; every step waits for
state the server shows (PROCESSLIST, INNODB_TRX), never for a fixed time.
"""

import contextlib
import queue
import re
import subprocess
import sys
import threading
import time
import unittest

import harness as h
from harness import DB, GOOGLE

DB_DOWN = {"error": "service_unavailable"}
# How long any awaited state may take to show; generous, as CI machines are slow.
WAIT = 30
EXCHANGE_ROUTE = "/social/%s/" % GOOGLE


def database_name():
    return h.load_config()["database"]["name"]


def app_user():
    return h.load_config()["database"]["user"]


def report(fault, resp, retries, note=""):
    """The observed outcome, one line in the test output, for the record."""
    sys.stderr.write("\n[db-fault] %-44s via=%-7s status=%d elapsed=%.2fs retries=%s%s\n"
                     % (fault, resp.via, resp.status, resp.elapsed, retries,
                        (" " + note) if note else ""))
    sys.stderr.flush()


def wait_for(what, probe, timeout=WAIT, interval=0.02):
    """Polls probe() until it returns something true, and returns that."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out after %d s waiting for %s" % (timeout, what))
        time.sleep(interval)


class SqlError(AssertionError):
    pass


class SqlSession:
    """One mariadb client session kept open (stdin piped, output read by a thread), so
    that a lock or transaction it takes lasts until the test lets go. stderr is merged
    into stdout so that an error arrives in order, before the marker that ends the
    statement's output."""

    _markers = 0
    _marker_lock = threading.Lock()

    def __init__(self, cnf=None, database=None):
        args = ["mariadb", "--defaults-file=" + (cnf or h.path("mysql", "admin.cnf")), "-N", "-B",
                "--unbuffered", "--force", "--skip-reconnect", "--default-character-set=utf8mb4"]
        if database is not False:
            args.append(database or database_name())
        self._proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT)
        self._lines = queue.Queue()
        self._pump_thread = threading.Thread(target=self._pump, daemon=True)
        self._pump_thread.start()
        self._pending = []
        try:
            self.id, self.user = self.run("SELECT CONNECTION_ID(), CURRENT_USER()")[0]
            self.id = int(self.id)
            self.user = self.user.split("@")[0]
        except Exception:
            self.close()
            raise

    def _pump(self):
        for raw in self._proc.stdout:
            self._lines.put(raw.decode("utf-8", "replace").rstrip("\n"))
        self._lines.put(None)

    @classmethod
    def _marker(cls):
        with cls._marker_lock:
            cls._markers += 1
            return "--marker-%d--" % cls._markers

    def start(self, sql):
        """Sends a statement without waiting for it (it may block); result() waits."""
        marker = self._marker()
        statement = " ".join(sql.split()).rstrip(";")
        try:
            self._proc.stdin.write(("%s;\nSELECT '%s';\n" % (statement, marker)).encode("utf-8"))
            self._proc.stdin.flush()
        except BrokenPipeError:
            raise SqlError("the session ended before: %s" % statement) from None
        self._pending.append((marker, statement))
        return marker

    def result(self, marker, timeout=WAIT):
        """The rows of a started statement; SqlError when the server refused it."""
        expected, statement = self._pending.pop(0)
        assert expected == marker, "results are collected in the order the statements were sent"
        deadline = time.monotonic() + timeout
        lines = []
        while True:
            try:
                line = self._lines.get(timeout=max(0.05, deadline - time.monotonic()))
            except queue.Empty:
                raise SqlError("no answer within %d s to: %s" % (timeout, statement)) from None
            if line is None:
                raise SqlError("the session ended during: %s\n%s" % (statement, "\n".join(lines)))
            if line == marker:
                break
            lines.append(line)
        errors = [line for line in lines if re.match(r"^ERROR \d+", line)]
        if errors:
            raise SqlError("%s\n  in: %s" % ("; ".join(errors), statement))
        return [[None if c == "NULL" else c for c in line.split("\t")] for line in lines]

    def run(self, sql, timeout=WAIT):
        return self.result(self.start(sql), timeout)

    def value(self, sql):
        rows = self.run(sql)
        return rows[0][0] if rows else None

    def close(self):
        if self._proc.poll() is None:
            try:
                self._proc.stdin.close()
                self._proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self._proc.kill()  # our own child, by its handle
                self._proc.wait()
        self._pump_thread.join(timeout=WAIT)
        self._proc.stdout.close()


def try_app_connection():
    """Connects once as the program's database user; returns the client's error
    text, or None when it got in."""
    proc = subprocess.run(["mariadb", "--defaults-file=" + h.path("mysql", "client.cnf"), "-N",
                           "-B", "-e", "SELECT 1"], capture_output=True, timeout=WAIT)
    return None if proc.returncode == 0 else proc.stderr.decode("utf-8", "replace").strip()


class Background:
    """Runs one request in a thread, so the test can act on the server meanwhile."""

    def __init__(self, fn):
        self._done = queue.Queue(maxsize=1)
        threading.Thread(target=self._run, args=(fn,), daemon=True).start()

    def _run(self, fn):
        try:
            self._done.put((True, fn()))
        except BaseException as e:  # handed to the test's thread by result()
            self._done.put((False, e))

    def result(self, timeout=WAIT + 30):
        try:
            ok, value = self._done.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError("the request did not finish within %d s" % timeout) from None
        if not ok:
            raise value
        return value


class AppLog:
    """The program's log lines of the requests made after it was created: a CGI run's
    stderr, or what the FastCGI workers appended to lighttpd's error log."""

    def __init__(self, via):
        self.via = via
        self.file = h.path("lighttpd", "lighttpd-error.log")
        self.offset = self._size() if via == "fastcgi" else 0

    def _size(self):
        with open(self.file, "rb") as f:
            f.seek(0, 2)
            return f.tell()

    def lines(self, resp):
        if self.via == "cgi":
            data = resp.stderr
        else:
            with open(self.file, "rb") as f:
                f.seek(self.offset)
                data = f.read()
        return data.decode("utf-8", "replace").splitlines()

    def request_line(self, resp, route=EXCHANGE_ROUTE):
        found = [line for line in self.lines(resp)
                 if " route=%s " % route in line and " status=%d " % resp.status in line]
        if len(found) != 1:
            raise AssertionError("expected one log line for %s %d, got %r"
                                 % (route, resp.status, self.lines(resp)))
        return found[0]


def retries_in(line):
    match = re.search(r" retries=(\d+) ", line)
    return int(match.group(1)) if match else 0


class DatabaseFaultScenarios:
    """Mixed into a CGI and a FastCGI test case."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = SqlSession()

    @classmethod
    def tearDownClass(cls):
        cls.admin.close()
        super().tearDownClass()

    def setUp(self):
        self.sessions = []
        self.fastcgi = self.client.via == "fastcgi"
        self.workers = h.children_of(h.main_lighttpd_pid()) if self.fastcgi else None
        if self.fastcgi:
            self.assertTrue(self.workers, "lighttpd has no FastCGI workers")

    def tearDown(self):
        for session in self.sessions:
            session.close()

    # ---- tools -------------------------------------------------------------------

    def reopen_admin(self):
        """A new administrator session, after a restart ended the old one."""
        type(self).admin.close()
        type(self).admin = SqlSession()

    def session(self, **kwargs):
        """An administrator session closed at the end of the test (which also ends
        its locks, should the test fail half-way)."""
        session = SqlSession(**kwargs)
        self.sessions.append(session)
        return session

    def app_sessions(self):
        rows = self.admin.run("SELECT ID FROM information_schema.PROCESSLIST WHERE USER = %s"
                              % h.sql_quote(app_user()))
        return {int(r[0]) for r in rows}

    def kill_app_sessions(self):
        """Kills every session of the program's database user (idle: tests run one
        at a time) and waits until the server has ended them all."""
        for session_id in self.app_sessions():
            try:
                self.admin.run("KILL %d" % session_id)
            except SqlError as e:
                if "Unknown thread id" not in str(e):  # it ended by itself meanwhile
                    raise
        wait_for("the program's sessions to end", lambda: not self.app_sessions())

    def blocked_app_session(self, state, statement, user=None):
        """The id of the session of `user` (the program's by default) that waits in
        `state` while running a statement that starts with `statement`; the test
        makes sure there is only one."""
        def probe():
            rows = self.admin.run(
                "SELECT ID FROM information_schema.PROCESSLIST WHERE USER = %s AND STATE = %s"
                " AND INFO LIKE %s" % (h.sql_quote(user or app_user()), h.sql_quote(state),
                                       h.sql_quote(statement + "%")))
            return int(rows[0][0]) if len(rows) == 1 else None
        return wait_for("a session waiting (%s) in %s" % (state, statement), probe)

    def lock_waiting_transaction(self, other_than=None):
        """(session id, trx id) of the program's transaction that waits for a row lock."""
        def probe():
            rows = self.admin.run(
                "SELECT t.trx_mysql_thread_id, t.trx_id FROM information_schema.INNODB_TRX t"
                " JOIN information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id"
                " WHERE p.USER = %s AND t.trx_state = 'LOCK WAIT'" % h.sql_quote(app_user()))
            rows = [(int(a), b) for a, b in rows if b != other_than]
            return rows[0] if len(rows) == 1 else None
        # InnoDB refreshes what INNODB_TRX shows only when it was not read for 0.1 s:
        # polling it faster would see the same old rows for ever.
        return wait_for("a transaction of the program waiting for a row lock"
                        + (" (after %s)" % other_than if other_than else ""), probe,
                        interval=0.25)

    @contextlib.contextmanager
    def global_variable(self, name, value):
        """SET GLOBAL for the duration; the program's sessions are ended before and
        after, so that FastCGI workers take the value up (a session copies it when it
        starts) and give it up again."""
        original = self.admin.value("SELECT @@GLOBAL.%s" % name)
        self.kill_app_sessions()
        self.admin.run("SET GLOBAL %s = %s" % (name, value))
        try:
            yield
        finally:
            self.admin.run("SET GLOBAL %s = %s" % (name, original))
            self.kill_app_sessions()

    def new_login(self, prefix):
        token, spec = h.google_token(email="%s.%s@example.com" % (prefix, h.unique()))
        return token, spec

    def assert_no_orphans(self):
        """SPEC §2.1: no failure leaves a user without its identity, or an identity or
        token whose user is not there."""
        counts = DB.query(
            "SELECT (SELECT COUNT(*) FROM users u WHERE NOT EXISTS"
            "  (SELECT 1 FROM social_identities i WHERE i.user_id = u.id)),"
            " (SELECT COUNT(*) FROM social_identities i WHERE NOT EXISTS"
            "  (SELECT 1 FROM users u WHERE u.id = i.user_id)),"
            " (SELECT COUNT(*) FROM api_tokens t WHERE NOT EXISTS"
            "  (SELECT 1 FROM users u WHERE u.id = t.user_id))")[0]
        self.assertEqual([int(n) for n in counts], [0, 0, 0],
                         "users without identity, identities without user, tokens without user")

    def assert_one_complete_login(self, spec, body):
        """Exactly one user with this email, its one identity, and the answered token
        (its only one) is live for that user."""
        email = h.sql_quote(spec["email"])
        users = DB.query("SELECT id FROM users WHERE email = %s" % email)
        self.assertEqual(len(users), 1, "users with %s" % spec["email"])
        user_id = int(users[0][0])
        self.assertEqual(body["user"]["id"], user_id)
        identities = DB.query(
            "SELECT user_id FROM social_identities WHERE provider = %s AND uid = %s"
            % (h.sql_quote(GOOGLE), h.sql_quote(spec["sub"])))
        self.assertEqual(identities, [[str(user_id)]])
        self.assertEqual(DB.count("api_tokens", "user_id = %d" % user_id), 1)
        self.assertEqual(DB.user_id_for_token(body["token"]), str(user_id))

    def assert_same_workers_serve(self):
        """The workers that lived through the fault answer the next requests."""
        token, _ = self.new_login("after")
        body = self.login(token)
        self.assertEqual(self.me(body["token"]).status, 200)
        if self.fastcgi:
            self.assertEqual(h.children_of(h.main_lighttpd_pid()), self.workers,
                             "FastCGI workers were restarted")

    def uncommitted_rows(self, spec):
        """(users, identities) of this login that a READ UNCOMMITTED reader sees: the
        rows an exchange wrote in its still open transaction."""
        reader = self.session()
        reader.run("SET SESSION TRANSACTION ISOLATION LEVEL READ UNCOMMITTED")
        users = int(reader.value("SELECT COUNT(*) FROM users WHERE email = %s"
                                 % h.sql_quote(spec["email"])))
        identities = int(reader.value(
            "SELECT COUNT(*) FROM social_identities WHERE provider = %s AND uid = %s"
            % (h.sql_quote(GOOGLE), h.sql_quote(spec["sub"]))))
        return users, identities

    # ---- 1. the server stopped or restarted ------------------------------------------

    def test_database_stopped_is_503_and_the_same_workers_recover(self):
        token, spec = self.new_login("stopped")
        warm, _ = self.new_login("warm")
        api_token = self.login(warm)["token"]
        h.run_script("stop_mariadb.sh", h.mysql_dir())
        try:
            log = AppLog(self.client.via)
            resp = self.exchange(token)
            self.assert_json(resp, 503, DB_DOWN)
            self.assertLess(resp.elapsed, 10)
            self.assertRegex(log.request_line(resp), r"detail=service_unavailable: ")
            self.assert_json(self.me(api_token), 503, DB_DOWN)
            logout = self.call("POST", "/logout", headers={"Authorization": "Token " + api_token})
            self.assert_json(logout, 503, DB_DOWN)
            report("server stopped: exchange", resp, retries_in(log.request_line(resp)))
        finally:
            h.run_script("start_mariadb.sh", h.mysql_dir())
            self.reopen_admin()
        # This test's rows only: with the server down nothing can be written, and a
        # whole-database snapshot around the seconds of a restart once caught a
        # write from outside this module in a full run.
        self.assertEqual(DB.count("users", "email = %s" % h.sql_quote(spec["email"])), 0)
        self.assertIsNotNone(DB.user_id_for_token(api_token), "the refused logout revoked it")
        body = self.login(token)
        self.assertIs(body["is_new"], True)
        self.assert_one_complete_login(spec, body)
        self.assertEqual(self.me(api_token).status, 200)
        self.assert_no_orphans()
        self.assert_same_workers_serve()

    def test_database_restarted_between_requests_costs_no_failed_request(self):
        # Nothing asks the database while it is down, so a FastCGI worker learns only
        # from its next statement that its session is gone: that request must still
        # succeed (the statement could not be sent, so it is run on a new session).
        warm, _ = self.new_login("warm")
        api_token = self.login(warm)["token"]
        h.run_script("stop_mariadb.sh", h.mysql_dir())
        try:
            h.run_script("start_mariadb.sh", h.mysql_dir())
        finally:
            self.reopen_admin()
        token, spec = self.new_login("restarted")
        log = AppLog(self.client.via)
        resp = self.exchange(token)
        self.assertEqual(resp.status, 200, resp)
        self.assert_one_complete_login(spec, resp.json())
        report("server restarted between requests", resp, retries_in(log.request_line(resp)))
        self.assertEqual(self.me(api_token).status, 200)
        self.assert_same_workers_serve()

    # ---- 2. the session killed ---------------------------------------------------

    def kill_during_exchange(self, fault, hold, release, state, statement, user=None):
        """An exchange of a new user blocks on `statement` (hold() makes it), with the
        user (and for the token step the identity) already written in its
        transaction; its session is killed, then release() lets go."""
        token, spec = self.new_login("killed")
        before = DB.snapshot()
        log = AppLog(self.client.via)
        hold()
        try:
            request = Background(lambda: self.exchange(token))
            victim = self.blocked_app_session(state, statement, user)
            written = self.uncommitted_rows(spec)
            self.admin.run("KILL %d" % victim)
        finally:
            release()
        resp = request.result()
        line = log.request_line(resp)
        report(fault, resp, retries_in(line), "(uncommitted users/identities when killed: %d/%d)"
               % written)
        return token, spec, before, written, resp, line

    def assert_recovered_from_the_kill(self, spec, resp, line):
        # The server rolled the killed session's transaction back, so the program runs
        # the exchange again on a new session, once: the user gets a token.
        self.assertEqual(resp.status, 200, resp)
        body = resp.json()
        self.assertIs(body["is_new"], True)
        self.assertEqual(retries_in(line), 1, line)
        self.assertRegex(line, r" retried=service_unavailable: MySQL error (2013|2006|1927)\b")
        self.assert_one_complete_login(spec, body)
        self.assert_no_orphans()

    def test_session_killed_while_the_token_insert_waits(self):
        # LOCK TABLES ... READ, not WRITE: with WRITE, MariaDB makes the users insert
        # wait already (a parent table's DML takes metadata locks on the child tables
        # of its foreign keys), before anything is written.
        locker = self.session()
        _, spec, _, written, resp, line = self.kill_during_exchange(
            "session killed before the token insert",
            lambda: locker.run("LOCK TABLES api_tokens READ"),
            lambda: locker.run("UNLOCK TABLES"),
            "Waiting for table metadata lock", "INSERT INTO api_tokens")
        self.assertEqual(written, (1, 1), "user and identity written when the session died")
        self.assert_recovered_from_the_kill(spec, resp, line)
        self.assert_same_workers_serve()

    def test_session_killed_while_the_identity_insert_waits(self):
        # A trigger that waits for a named lock this test holds stops the exchange
        # inside its identity insert, after its user insert: a lock on the table
        # would stop it at its first read of social_identities instead. While the
        # trigger runs, PROCESSLIST shows its statement and its definer (the
        # administrator) for the exchange's session.
        holder = self.session()
        lock_name = "socialauth_fault_%s" % h.unique()
        holder.run("CREATE TRIGGER fault_hold_identity BEFORE INSERT ON social_identities"
                   " FOR EACH ROW SET @fault_hold = IF(GET_LOCK(%s, 20), RELEASE_LOCK(%s), 0)"
                   % (h.sql_quote(lock_name), h.sql_quote(lock_name)))
        try:
            self.assertEqual(holder.value("SELECT GET_LOCK(%s, 5)" % h.sql_quote(lock_name)), "1")
            _, spec, _, written, resp, line = self.kill_during_exchange(
                "session killed before the identity insert", lambda: None,
                lambda: holder.run("DO RELEASE_LOCK(%s)" % h.sql_quote(lock_name)),
                "User lock", "SET @fault_hold", user=holder.user)
        finally:
            holder.run("DROP TRIGGER IF EXISTS fault_hold_identity")
        self.assertEqual(written, (1, 0), "the user was written, its identity not yet")
        self.assert_recovered_from_the_kill(spec, resp, line)
        self.assert_same_workers_serve()

    def test_session_killed_while_idle_is_replaced_without_a_failed_request(self):
        warm, _ = self.new_login("warm")
        api_token = self.login(warm)["token"]
        self.kill_app_sessions()
        token, spec = self.new_login("idlekill")
        log = AppLog(self.client.via)
        resp = self.exchange(token)
        self.assertEqual(resp.status, 200, resp)
        self.assert_one_complete_login(spec, resp.json())
        report("idle session killed between requests", resp, retries_in(log.request_line(resp)))
        self.kill_app_sessions()
        self.assertEqual(self.me(api_token).status, 200)
        self.assert_same_workers_serve()

    # ---- 3. lock wait timeout and deadlock ------------------------------------------

    def returning_user(self, prefix):
        token, spec = self.new_login(prefix)
        body = self.login(token)
        identity = int(DB.value("SELECT id FROM social_identities WHERE provider = %s AND uid = %s"
                                % (h.sql_quote(GOOGLE), h.sql_quote(spec["sub"]))))
        return token, body["user"]["id"], identity

    def test_lock_wait_timeout_is_retried(self):
        token, user_id, _ = self.returning_user("lockwait")
        with self.global_variable("innodb_lock_wait_timeout", 2):
            holder = self.session()
            holder.run("START TRANSACTION")
            holder.run("SELECT id FROM users WHERE id = %d FOR UPDATE" % user_id)
            log = AppLog(self.client.via)
            request = Background(lambda: self.exchange(token))
            session, first = self.lock_waiting_transaction()
            # an attempt timed out and the next one waits on the same lock
            again = self.lock_waiting_transaction(other_than=first)
            self.assertEqual(again[0], session, "the retry ran in the same session")
            holder.run("ROLLBACK")
            resp = request.result()
        self.assertEqual(resp.status, 200, resp)
        self.assertIs(resp.json()["is_new"], False)
        self.assertEqual(resp.json()["user"]["id"], user_id)
        line = log.request_line(resp)
        # One retry, unless a very slow machine let the first wait pass unseen.
        self.assertIn(retries_in(line), (1, 2), line)
        self.assertRegex(line, r" retried=retry: MySQL error 1205 ")
        self.assertGreaterEqual(resp.elapsed, 2.0 * retries_in(line) - 0.1)
        self.assertEqual(DB.count("api_tokens", "user_id = %d" % user_id), 2)
        report("lock wait timeout (2 s) once", resp, retries_in(line))
        self.assert_no_orphans()
        self.assert_same_workers_serve()

    def test_deadlock_victim_is_retried(self):
        token, user_id, identity = self.returning_user("deadlock")
        scratch = database_name() + "_faults"
        self.admin.run("CREATE DATABASE IF NOT EXISTS `%s`" % scratch)
        self.addCleanup(self.admin.run, "DROP DATABASE IF EXISTS `%s`" % scratch)
        self.admin.run("CREATE TABLE `%s`.ballast (id INT AUTO_INCREMENT PRIMARY KEY,"
                       " pad CHAR(32) NOT NULL) ENGINE=InnoDB" % scratch)
        holder = self.session()
        holder.run("START TRANSACTION")
        # InnoDB rolls back the transaction that changed and locked less; a thousand
        # rows make this one heavier than any exchange, so the exchange is the victim.
        holder.run("INSERT INTO `%s`.ballast (pad) SELECT 'ballast' FROM seq_1_to_1000" % scratch)
        holder.run("SELECT id FROM users WHERE id = %d FOR UPDATE" % user_id)
        log = AppLog(self.client.via)
        request = Background(lambda: self.exchange(token))
        # The exchange locked its identity row (social_user) and now waits for the user row.
        _, first = self.lock_waiting_transaction()
        holder.run("UPDATE social_identities SET modified = modified WHERE id = %d" % identity)
        # The cycle was broken by rolling the exchange back; its retry waits for the
        # identity row this transaction now holds.
        self.lock_waiting_transaction(other_than=first)
        holder.run("ROLLBACK")
        resp = request.result()
        self.assertEqual(resp.status, 200, resp)
        self.assertEqual(resp.json()["user"]["id"], user_id)
        line = log.request_line(resp)
        self.assertEqual(retries_in(line), 1, line)
        self.assertRegex(line, r" retried=retry: MySQL error 1213 ")
        self.assertEqual(DB.count("api_tokens", "user_id = %d" % user_id), 2)
        report("deadlock, exchange chosen as victim", resp, retries_in(line))
        self.assert_no_orphans()
        self.assert_same_workers_serve()

    def test_lock_wait_timeout_on_every_attempt_is_503_with_nothing_written(self):
        token, user_id, _ = self.returning_user("exhaust")
        with self.global_variable("innodb_lock_wait_timeout", 1):
            holder = self.session()
            holder.run("START TRANSACTION")
            holder.run("SELECT id FROM users WHERE id = %d FOR UPDATE" % user_id)
            before = DB.snapshot()
            log = AppLog(self.client.via)
            resp = self.exchange(token)
            holder.run("ROLLBACK")
        self.assert_json(resp, 503, DB_DOWN)
        line = log.request_line(resp)
        self.assertEqual(retries_in(line), 4, line)  # five attempts in all
        self.assertRegex(line, r" detail=retry: MySQL error 1205 ")
        self.assertGreaterEqual(resp.elapsed, 4.5)
        self.assertEqual(DB.snapshot(), before, "a failed exchange changed the database")
        report("lock wait timeout (1 s) on every attempt", resp, retries_in(line))
        self.assert_no_orphans()
        self.assert_same_workers_serve()

    # ---- 4. no connection to be had ----------------------------------------------

    def connection_limit_reached(self, fault, limit_on, code):
        """limit_on(room) lowers a limit so that `room` more sessions of the program's
        user fit, and returns a function that restores it; filler sessions then take
        that room, and the program must connect anew."""
        token, spec = self.new_login("full")
        warm, _ = self.new_login("warm")
        api_token = self.login(warm)["token"]
        before = DB.snapshot()
        self.kill_app_sessions()
        # Room for three: after the fillers leave, the two FastCGI workers and one
        # mariadb client of the checks below fit in.
        restore = limit_on(3)
        try:
            fillers = []
            refusal = None
            while refusal is None and len(fillers) < 50:
                refusal = try_app_connection()
                if refusal is None:
                    fillers.append(self.session(cnf=h.path("mysql", "client.cnf"), database=False))
            self.assertIsNotNone(refusal, "the limit was never reached")
            self.assertIn("ERROR %d " % code, refusal)
            log = AppLog(self.client.via)
            resp = self.exchange(token)
            self.assert_json(resp, 503, DB_DOWN)
            self.assertLess(resp.elapsed, 5)
            line = log.request_line(resp)
            self.assertRegex(line, r" detail=service_unavailable: .*cannot connect to MySQL: "
                                   r"MySQL error %d " % code)
            self.assertNotIn(b"MySQL", resp.body)
            self.assert_json(self.me(api_token), 503, DB_DOWN)
            self.assert_json(self.call("GET", "/health"), 503, DB_DOWN)
            report(fault, resp, retries_in(line), "(%d filler sessions)" % len(fillers))
            for filler in fillers:
                filler.close()
            wait_for("the filler sessions to end", lambda: not self.app_sessions())
            # connections are free again while the limit stays
            self.assertEqual(DB.snapshot(), before, "a refused request changed the database")
            resp = self.exchange(token)
            self.assertEqual(resp.status, 200, resp)
            self.assertEqual(self.me(api_token).status, 200)
        finally:
            restore()
        self.assert_one_complete_login(spec, resp.json())
        self.assert_no_orphans()
        self.assert_same_workers_serve()

    def test_max_connections_reached_is_503_until_connections_are_free(self):
        def limit(room):
            original = self.admin.value("SELECT @@GLOBAL.max_connections")
            in_use = int(self.admin.value("SELECT COUNT(*) FROM information_schema.PROCESSLIST"
                                          " WHERE COMMAND <> 'Daemon'"))
            self.admin.run("SET GLOBAL max_connections = %d" % (in_use + room))
            return lambda: self.admin.run("SET GLOBAL max_connections = %s" % original)
        self.connection_limit_reached("max_connections reached", limit, 1040)

    def test_max_user_connections_reached_is_503_until_connections_are_free(self):
        # Shared hosts often cap the sessions of one database user.
        account = "%s@'localhost'" % h.sql_quote(app_user())

        def limit(room):
            original = self.admin.value("SELECT max_user_connections FROM mysql.user"
                                        " WHERE User = %s AND Host = 'localhost'"
                                        % h.sql_quote(app_user()))
            self.admin.run("ALTER USER %s WITH MAX_USER_CONNECTIONS %d" % (account, room))
            return lambda: self.admin.run("ALTER USER %s WITH MAX_USER_CONNECTIONS %s"
                                          % (account, original))
        self.connection_limit_reached("max_user_connections reached", limit, 1226)


class CgiDatabaseFaults(DatabaseFaultScenarios, h.CgiCase):
    pass


class FastCgiDatabaseFaults(DatabaseFaultScenarios, h.FastCgiCase):
    pass


if __name__ == "__main__":
    unittest.main()
