"""The binary for upload (issue 5): built with ./configure --enable-portable (as
script/test builds it), socialauth.fcgi needs nothing but glibc, and runs as CGI where
every other library it uses, all linked into it, is absent.

"Absent" is made real in a mount namespace of its own: /dev/null is bound over each
of those libraries, so any attempt to load one fails ("file too short"); a control
run shows that it does."""

import ctypes.util
import json
import os
import re
import subprocess
import sys
import unittest

import harness as h

# glibc, which every host has and which is not linked in (a static glibc breaks
# getaddrinfo and NSS): its dynamic loader, libpthread, libdl and librt (parts of it
# that older versions kept apart), and libgcc_s, which glibc itself needs (Debian's
# libc6 depends on it).
ALLOWED = {"libc.so.6", "libm.so.6", "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1",
           "libpthread.so.0", "libdl.so.2", "librt.so.1", "libgcc_s.so.1"}
# Everything else the program uses. libcurl's own dependencies (nghttp2, idn2, ...)
# need no hiding: only the shared libcurl, hidden here, would load them.
LINKED_IN = ("fcgi", "cgicc", "jsoncpp", "mysqlcppconn", "curl", "ssl", "crypto", "mariadb",
             "z", "stdc++")
# The oldest glibc it runs on: RHEL 9's and its rebuilds', on which many shared hosts run.
NEWEST_GLIBC_NEEDED = (2, 34)


def needed_libraries(binary):
    out = subprocess.run(["readelf", "-d", binary], capture_output=True, text=True,
                         check=True).stdout
    return {line.split("[", 1)[1].rstrip("]") for line in out.splitlines() if "(NEEDED)" in line}


def glibc_versions(binary):
    """The symbol versions the binary asks of glibc, as (2, 34) tuples and names."""
    out = subprocess.run(["readelf", "-V", "-W", binary], capture_output=True, text=True,
                         check=True).stdout
    names = set(re.findall(r"Name: (GLIBC_[0-9A-Z_.]+)", out))
    numbered = {tuple(int(p) for p in n[len("GLIBC_"):].split(".")) for n in names
                if re.fullmatch(r"GLIBC_[0-9.]+", n)}
    return numbered, names


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


def without_linked_in_libraries(command, env=None, stdin=b"", also=()):
    """Runs command in a mount namespace where the linked-in libraries can't load,
    after the shell commands `also` (more mounts)."""
    hide = " && ".join(["mount --bind /dev/null '%s'" % f for f in linked_in_library_files()]
                       + list(also))
    unshare = ["unshare", "--mount"] + ([] if os.geteuid() == 0 else ["--map-root-user"])
    return subprocess.run(unshare + ["sh", "-c", hide + ' && exec "$@"', "sh"] + command,
                          input=stdin, capture_output=True, env=env, timeout=60)


class PortableBinary(h.CgiCase):
    def test_it_needs_nothing_but_glibc(self):
        needed = needed_libraries(h.FCGI_BIN)
        ldd = subprocess.run(["ldd", h.FCGI_BIN], capture_output=True, text=True).stdout
        sys.stderr.write("\nportable: NEEDED %s\nportable: ldd\n%s" % (" ".join(sorted(needed)), ldd))
        self.assertTrue(needed, "readelf found no NEEDED entry")
        self.assertLessEqual(needed, ALLOWED,
                             "%s is not a portable build (configure --enable-portable, as "
                             "script/test does): it needs %s"
                             % (h.FCGI_BIN, ", ".join(sorted(needed - ALLOWED))))

    def test_it_needs_no_glibc_newer_than_2_34(self):
        numbered, names = glibc_versions(h.FCGI_BIN)
        self.assertTrue(numbered, "readelf found no GLIBC_ version")
        self.assertLessEqual(max(numbered), NEWEST_GLIBC_NEEDED,
                             "needs glibc %s" % ".".join(map(str, max(numbered))))
        # GLIBC_ABI_DT_RELR (ld -z pack-relative-relocs) would mean glibc 2.36.
        self.assertEqual(names - {"GLIBC_" + ".".join(map(str, v)) for v in numbered}, set())

    def test_the_libraries_are_really_hidden_in_the_namespace(self):
        for name in LINKED_IN:
            probe = "import ctypes, ctypes.util; ctypes.CDLL(ctypes.util.find_library(%r))" % name
            proc = without_linked_in_libraries([sys.executable, "-c", probe])
            self.assertNotEqual(proc.returncode, 0, "lib%s still loads" % name)
            self.assertIn(b"file too short", proc.stderr)

    def test_an_exchange_as_cgi_without_the_linked_in_libraries(self):
        self.assert_exchange_works()

    def test_an_exchange_on_a_host_without_debians_ca_paths(self):
        # The program carries Debian's CA bundle and directory paths; on a host that
        # has neither (an empty /etc/ssl here), outbound.ca_file alone must do.
        self.assert_exchange_works(also=("mount -t tmpfs none /etc/ssl",
                                         "test ! -e /etc/ssl/certs"))

    def assert_exchange_works(self, also=()):
        token, spec = h.google_token(email="portable.%s@example.com" % h.unique())
        body = json.dumps({"access_token": token}).encode()
        env = h.cgi_environment("POST", "/social/%s/" % h.GOOGLE, "", {}, "application/json",
                                 len(body), h.path("config.json"), "127.0.0.1", None)
        proc = without_linked_in_libraries([h.FCGI_BIN], env=env, stdin=body, also=also)
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
