"""The binary for upload (issue 5): built with ./configure --enable-portable (as
script/test builds it), socialauth.fcgi needs only libraries a shared host has, and
runs as CGI where the libraries linked into it are absent.

"Absent" is made real in a mount namespace of its own: /dev/null is bound over each
of those libraries, so any attempt to load one fails ("file too short"); a control
run shows that it does."""

import ctypes.util
import json
import os
import subprocess
import sys
import unittest

import harness as h

# What shared hosts have: the C and C++ runtimes, libcurl, OpenSSL and the MariaDB
# (or MySQL) client library.
ALLOWED = {"libc.so.6", "libm.so.6", "libstdc++.so.6", "libgcc_s.so.1", "libcurl.so.4",
           "libssl.so.3", "libcrypto.so.3", "libmariadb.so.3", "libmysqlclient.so.21"}
LINKED_IN = ("fcgi", "cgicc", "jsoncpp", "mysqlcppconn")


def needed_libraries(binary):
    out = subprocess.run(["readelf", "-d", binary], capture_output=True, text=True,
                         check=True).stdout
    return {line.split("[", 1)[1].rstrip("]") for line in out.splitlines() if "(NEEDED)" in line}


def linked_in_library_files():
    """The real files of the libraries the portable binary has inside it."""
    files = []
    for name in LINKED_IN:
        soname = ctypes.util.find_library(name)
        if soname is None:
            raise AssertionError("lib%s is not installed, so its absence proves nothing "
                                 "(script/bootstrap installs it)" % name)
        found = [os.path.realpath(os.path.join(d, soname))
                 for d in ("/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib", "/lib")
                 if os.path.exists(os.path.join(d, soname))]
        if not found:
            raise AssertionError("can't find the file of %s" % soname)
        files.append(found[0])
    return sorted(set(files))


def without_linked_in_libraries(command, env=None, stdin=b""):
    """Runs command in a mount namespace where the linked-in libraries can't load."""
    hide = " && ".join("mount --bind /dev/null '%s'" % f for f in linked_in_library_files())
    unshare = ["unshare", "--mount"] + ([] if os.geteuid() == 0 else ["--map-root-user"])
    return subprocess.run(unshare + ["sh", "-c", hide + ' && exec "$@"', "sh"] + command,
                          input=stdin, capture_output=True, env=env, timeout=60)


class PortableBinary(h.CgiCase):
    def test_it_needs_only_what_shared_hosts_have(self):
        needed = needed_libraries(h.FCGI_BIN)
        ldd = subprocess.run(["ldd", h.FCGI_BIN], capture_output=True, text=True).stdout
        sys.stderr.write("\nportable: NEEDED %s\nportable: ldd\n%s" % (" ".join(sorted(needed)), ldd))
        self.assertTrue(needed, "readelf found no NEEDED entry")
        self.assertLessEqual(needed, ALLOWED,
                             "%s is not a portable build (configure --enable-portable, as "
                             "script/test does): it needs %s"
                             % (h.FCGI_BIN, ", ".join(sorted(needed - ALLOWED))))

    def test_the_libraries_are_really_hidden_in_the_namespace(self):
        for name in LINKED_IN:
            probe = "import ctypes, ctypes.util; ctypes.CDLL(ctypes.util.find_library(%r))" % name
            proc = without_linked_in_libraries([sys.executable, "-c", probe])
            self.assertNotEqual(proc.returncode, 0, "lib%s still loads" % name)
            self.assertIn(b"file too short", proc.stderr)

    def test_an_exchange_as_cgi_without_the_linked_in_libraries(self):
        token, spec = h.google_token(email="portable.%s@example.com" % h.unique())
        body = json.dumps({"access_token": token}).encode()
        env = h.cgi_environment("POST", "/social/%s/" % h.GOOGLE, "", {}, "application/json",
                                 len(body), h.path("config.json"), "127.0.0.1", None)
        proc = without_linked_in_libraries([h.FCGI_BIN], env=env, stdin=body)
        with open(h.path("cgi-stderr.log"), "ab") as log:
            log.write(proc.stderr)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        status, _, out = h.parse_cgi_output(proc.stdout)
        self.assertEqual(status, 200, out)
        answer = json.loads(out)
        h.remember_secret(answer["token"])
        self.assertIs(answer["is_new"], True)
        self.assertEqual(answer["user"]["email"], spec["email"])
        self.assertEqual(h.DB.user_id_for_token(answer["token"]), str(answer["user"]["id"]))


if __name__ == "__main__":
    unittest.main()
