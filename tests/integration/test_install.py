"""make install (issue 5): socialauth-admin to bindir, socialauth.fcgi and its .htaccess
to htdocsdir (--with-htdocsdir), the schema and the annotated config example to
datadir, with nothing else and the shipped .htaccess unchanged."""

import os
import subprocess
import tempfile
import unittest

import harness as h


def make_install(destdir, *variables):
    proc = subprocess.run(["make", "-C", h.BUILDDIR, "install", "DESTDIR=" + destdir, *variables],
                          capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise AssertionError("make install failed: %s%s" % (proc.stdout[-3000:], proc.stderr[-3000:]))


class MakeInstall(unittest.TestCase):
    def setUp(self):
        self.destdir = tempfile.mkdtemp(prefix="install-", dir=h.path())

    def installed(self):
        found = set()
        for root, _, files in os.walk(self.destdir):
            for name in files:
                found.add(os.path.relpath(os.path.join(root, name), self.destdir))
        return found

    def test_the_layout(self):
        make_install(self.destdir, "prefix=/opt/sa", "htdocsdir=/srv/www/auth")
        sql = {"opt/sa/share/socialauth-fcgi/sql/" + f
               for f in os.listdir(os.path.join(h.SRCDIR, "sql")) if f.endswith(".sql")}
        self.assertEqual(self.installed(), {
            "opt/sa/bin/socialauth-admin",
            "srv/www/auth/socialauth.fcgi",
            "srv/www/auth/.htaccess",
            "opt/sa/share/socialauth-fcgi/config.example.json",
        } | sql)
        for program in ("opt/sa/bin/socialauth-admin", "srv/www/auth/socialauth.fcgi"):
            self.assertTrue(os.access(os.path.join(self.destdir, program), os.X_OK), program)
        with open(os.path.join(h.SRCDIR, "htdocs", ".htaccess"), "rb") as shipped, \
                open(os.path.join(self.destdir, "srv/www/auth/.htaccess"), "rb") as installed:
            self.assertEqual(installed.read(), shipped.read())


if __name__ == "__main__":
    unittest.main()
