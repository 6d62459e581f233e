"""valgrind memcheck (issue 4) over the real binary: as a FastCGI worker serving a few
hundred mixed requests (workload.py) until SIGTERM ends it, and as a handful of CGI
runs. Each valgrind log must show no invalid read or write, no use of uninitialised
memory, and nothing definitely or indirectly lost; valgrind's own exit code
(--error-exitcode) says the same.

Needs a build without sanitizers (ASan can't run under valgrind): the runner leaves this
module out of a sanitizer build, and run there by name it fails. A missing valgrind
fails too (script/bootstrap installs it).
"""

import json
import re
import shutil
import subprocess
import sys
import time

import fcgi_client
import harness as h
import workload as w
from harness import GOOGLE

VALGRIND_ERROR_EXIT = 97
CYCLES = 16  # 16 requests each
# Everything runs some 20 to 50 times slower under memcheck.
OUTBOUND_CONNECT_MS = 15000
OUTBOUND_TOTAL_MS = 30000
REQUEST_TIMEOUT = 120
STOP_TIMEOUT = 120
MEMCHECK_ERRORS = re.compile(
    r"Invalid (read|write|free)|uninitialised|Mismatched free|overlap|"
    r"Syscall param .* points to unaddressable|Process terminating")


def valgrind_command(log_file):
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        raise AssertionError("valgrind not found (Debian package valgrind; run script/bootstrap)")
    return [valgrind, "--tool=memcheck", "--leak-check=full",
            "--show-leak-kinds=definite,indirect", "--errors-for-leak-kinds=definite,indirect",
            "--error-exitcode=%d" % VALGRIND_ERROR_EXIT, "--track-origins=yes",
            "--num-callers=40", "--log-file=" + log_file, h.FCGI_BIN]


def leak_bytes(log, kind):
    """Bytes of one leak kind from valgrind's LEAK SUMMARY; 0 when nothing was left."""
    if "All heap blocks were freed -- no leaks are possible" in log:
        return 0
    found = re.search(r"%s: ([\d,]+) bytes" % kind, log)
    if found is None:
        raise AssertionError("valgrind log without a LEAK SUMMARY (%s):\n%s" % (kind, log[-3000:]))
    return int(found.group(1).replace(",", ""))


class MemcheckLog:
    def __init__(self, path):
        with open(path, encoding="utf-8", errors="replace") as f:
            self.text = f.read()
        self.path = path

    def summary(self):
        found = re.search(r"ERROR SUMMARY: ([\d,]+) errors", self.text)
        return {
            "errors": int(found.group(1).replace(",", "")) if found else None,
            "definitely_lost": leak_bytes(self.text, "definitely lost"),
            "indirectly_lost": leak_bytes(self.text, "indirectly lost"),
            "possibly_lost": leak_bytes(self.text, "possibly lost"),
            "still_reachable": leak_bytes(self.text, "still reachable"),
        }

    def assert_clean(self, case):
        case.assertIsNone(MEMCHECK_ERRORS.search(self.text),
                          "memcheck found errors (%s):\n%s" % (self.path, self.text[-6000:]))
        summary = self.summary()
        case.assertEqual(summary["errors"], 0, "%s:\n%s" % (self.path, self.text[-6000:]))
        case.assertEqual(summary["definitely_lost"], 0, self.path)
        case.assertEqual(summary["indirectly_lost"], 0, self.path)
        return summary


class ValgrindWorker(fcgi_client.DirectWorker):
    """fcgi_client.DirectWorker with the program under memcheck."""

    via = "valgrind-fastcgi"

    def __init__(self, name, config_path):
        super().__init__(name, config_path)
        self.valgrind_log = h.path("valgrind-%s.log" % name)

    def command(self):
        return valgrind_command(self.valgrind_log)

    def request(self, *args, timeout=REQUEST_TIMEOUT, **kwargs):
        return super().request(*args, timeout=timeout, **kwargs)


def slow_config():
    def mutate(config):
        config["outbound"]["connect_timeout_ms"] = OUTBOUND_CONNECT_MS
        config["outbound"]["timeout_ms"] = OUTBOUND_TOTAL_MS
    return h.write_config_variant("valgrind", mutate)


class ValgrindFastCgi(h.E2ETestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        w.require_uninstrumented("test_valgrind")
        cls.worker = ValgrindWorker("valgrind", slow_config())
        cls.worker.start()

    @classmethod
    def tearDownClass(cls):
        cls.worker.stop()
        super().tearDownClass()

    def test_worker_serves_mixed_requests_and_exits_clean_on_sigterm(self):
        started = time.monotonic()
        self.assert_json(self.call("GET", "/health", client=self.worker), 200, {"status": "ok"})
        load = w.MixedWorkload(self, self.worker)
        load.run(CYCLES)
        self.assertTrue(self.worker.alive(), "the worker died")
        self.worker.terminate()
        code = self.worker.wait(STOP_TIMEOUT)
        seconds = time.monotonic() - started
        log = MemcheckLog(self.worker.valgrind_log)
        summary = log.summary()
        print("\nvalgrind: fastcgi requests=%d seconds=%.0f exit=%d %s"
              % (load.requests + 1, seconds, code,
                 " ".join("%s=%s" % kv for kv in summary.items())), file=sys.stderr, flush=True)
        log.assert_clean(self)
        self.assertEqual(code, 0, "valgrind's exit code (%d means memcheck errors)"
                         % VALGRIND_ERROR_EXIT)


class ValgrindCgi(h.E2ETestCase):
    """A few CGI runs, one valgrind process each."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        w.require_uninstrumented("test_valgrind")
        cls.config = slow_config()

    def run_cgi(self, name, method, route, body=b"", content_type=None, headers=None):
        log_file = h.path("valgrind-cgi-%s.log" % name)
        environ = h.cgi_environment(method, route, "", headers or {}, content_type,
                                     len(body) if method == "POST" else None, self.config,
                                     "127.0.0.1", None)
        proc = subprocess.run(valgrind_command(log_file), input=body, capture_output=True,
                              env=environ, timeout=STOP_TIMEOUT)
        with open(h.path("cgi-stderr.log"), "ab") as f:
            f.write(proc.stderr)
        log = MemcheckLog(log_file)
        summary = log.assert_clean(self)
        self.assertEqual(proc.returncode, 0, "valgrind's exit code (%d means memcheck errors)"
                         % VALGRIND_ERROR_EXIT)
        status, _, out = h.parse_cgi_output(proc.stdout)
        print("\nvalgrind: cgi %s status=%d %s" % (name, status, " ".join(
            "%s=%s" % kv for kv in summary.items())), file=sys.stderr, flush=True)
        return status, json.loads(out.decode("utf-8")) if out else None

    def test_cgi_runs_are_clean(self):
        status, body = self.run_cgi("health", "GET", "/health")
        self.assertEqual((status, body), (200, {"status": "ok"}))

        token, _ = h.google_token(email="vg.%s@example.com" % h.unique())
        status, body = self.run_cgi("exchange", "POST", "/social/%s/" % GOOGLE,
                                    json.dumps({"access_token": token}).encode(),
                                    "application/json")
        self.assertEqual(status, 200, body)
        api_token, user_id = h.remember_secret(body["token"]), body["user"]["id"]

        status, body = self.run_cgi("me", "GET", "/me",
                                    headers={"Authorization": "Token " + api_token})
        self.assertEqual((status, body["id"]), (200, user_id))

        status, body = self.run_cgi("bad-json", "POST", "/social/%s/" % GOOGLE,
                                    b'{"access_token": ', "application/json")
        self.assertEqual((status, body["error"]), (400, "invalid_json"))

        status, body = self.run_cgi("provider-rejects", "POST", "/social/%s/" % GOOGLE,
                                    json.dumps({"access_token": h.unregistered_token()}).encode(),
                                    "application/json")
        self.assertEqual((status, body), (400, h.INVALID_TOKEN_BODY))
