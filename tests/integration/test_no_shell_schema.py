"""A host without a shell (issue 5): the schema files import through a web SQL tool as
plain SQL, and "auto_migrate": true lets the program bring a fresh database up to date
itself at its first request, once, even when several workers start at once."""

import json
import os
import subprocess
import threading
import unittest
import urllib.parse

import harness as h
from harness import DB, GOOGLE

SQL_FILES = sorted(f for f in os.listdir(os.path.join(h.SRCDIR, "sql")) if f.endswith(".sql"))
CONTRACT_TABLES = ("users", "social_identities", "api_tokens")


def fresh_database(tag):
    name = "%s_%s_%s" % (os.environ["SOCIALAUTH_TEST_DB_NAME"], tag, h.unique(""))
    DB.query("CREATE DATABASE `%s` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci" % name)
    return name


def auto_migrate_config(name, database):
    def change(config):
        config["database"]["name"] = database
        config["database"]["auto_migrate"] = True
    return h.write_config_variant(name, change)


def create_statements(database):
    """SHOW CREATE TABLE of every table but the migrator's own bookkeeping."""
    tables = [row[0] for row in DB.query(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = '%s' "
        "AND table_name <> 'schema_migrations' ORDER BY table_name" % database)]
    return {t: DB.query("SHOW CREATE TABLE `%s`.`%s`" % (database, t))[0][1] for t in tables}


def applied_versions(database):
    return [row[0] for row in DB.query("SELECT version FROM `%s`.schema_migrations ORDER BY version"
                                       % database)]


class WebSqlToolImport(h.E2ETestCase):
    """What phpMyAdmin or Adminer do with an uploaded file: send its text to the
    server as it is (here PHP's PDO, a multi-statement exec per file), no client."""

    def import_with_php(self, database):
        dsn = "mysql:unix_socket=%s;dbname=%s;charset=utf8mb4" % (
            os.environ["SOCIALAUTH_TEST_DB_SOCKET"], database)
        files = [os.path.join(h.SRCDIR, "sql", f) for f in SQL_FILES]
        script = h.path("php-import.php")
        with open(script, "w", encoding="utf-8") as f:
            f.write("""<?php
$pdo = new PDO(%s, %s, %s, [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]);
foreach (json_decode(%s, true) as $file) {
    $pdo->exec(file_get_contents($file));
}
echo "imported\\n";
""" % tuple(json.dumps(v) for v in (dsn, os.environ["SOCIALAUTH_TEST_DB_USER"],
                                      os.environ["SOCIALAUTH_TEST_DB_PASSWORD"], json.dumps(files))))
        proc = subprocess.run(["php", "-d", "display_errors=stderr", script], capture_output=True,
                              timeout=60)
        self.assertEqual((proc.returncode, proc.stderr, proc.stdout), (0, b"", b"imported\n"))

    def test_the_files_have_no_client_only_commands(self):
        for name in SQL_FILES:
            with open(os.path.join(h.SRCDIR, "sql", name), encoding="utf-8") as f:
                for number, line in enumerate(f, 1):
                    word = line.strip().split(" ", 1)[0].upper()
                    self.assertNotIn(word, ("DELIMITER", "SOURCE", "USE", "\\."),
                                     "%s:%d: %s" % (name, number, line))
                    self.assertFalse(line.lstrip().startswith("\\"), "%s:%d" % (name, number))

    def test_an_import_gives_the_schema_the_migrator_gives(self):
        imported, migrated = fresh_database("import"), fresh_database("migrated")
        self.import_with_php(imported)
        config = h.write_config_variant(
            "migrated-" + migrated, lambda c: c["database"].__setitem__("name", migrated))
        subprocess.run([h.ADMIN_BIN, "--config", config, "migrate", "--sql-dir",
                        os.path.join(h.SRCDIR, "sql")], check=True, capture_output=True)
        statements = create_statements(imported)
        self.assertTrue(set(CONTRACT_TABLES) <= set(statements), statements.keys())
        self.assertEqual(statements, create_statements(migrated))

    def test_the_program_works_on_an_imported_schema(self):
        database = fresh_database("importuse")
        self.import_with_php(database)
        config = h.write_config_variant(
            "import-" + database, lambda c: c["database"].__setitem__("name", database))
        token, _ = h.google_token(email="imported.%s@example.com" % h.unique())
        self.assertIs(self.login(token, client=h.CgiClient(config))["is_new"], True)
        self.assertEqual(int(DB.value("SELECT COUNT(*) FROM `%s`.users" % database)), 1)


class AutoMigrate(h.E2ETestCase):
    def test_the_first_cgi_request_migrates_a_fresh_database(self):
        database = fresh_database("autocgi")
        client = h.CgiClient(auto_migrate_config("auto-" + database, database))
        resp = self.call("GET", "/health", client=client)
        self.assertEqual(resp.status, 200, resp)
        self.assertEqual(applied_versions(database), [f[:-4] for f in SQL_FILES])
        self.assertIn(b"auto_migrate: applied 001_initial", resp.stderr)
        token, _ = h.google_token(email="auto.%s@example.com" % h.unique())
        login = self.login(token, client=client)
        self.assertIs(login["is_new"], True)
        # later requests find the schema current and apply nothing
        resp = self.call("GET", "/health", client=client)
        self.assertNotIn(b"auto_migrate: applied", resp.stderr)

    def test_workers_starting_at_once_apply_each_file_once(self):
        database = fresh_database("autofcgi")
        server = h.LighttpdInstance("auto-migrate", auto_migrate_config("autofcgi-" + database,
                                                                         database), procs=4)
        client = server.start()
        self.addCleanup(server.stop)
        tokens = [h.google_token(email="race%d.%s@example.com" % (i, h.unique()))[0]
                  for i in range(8)]
        results = [None] * len(tokens)

        def exchange(i):
            body = json.dumps({"access_token": tokens[i]})
            results[i] = client.request("POST", "/social/%s/" % GOOGLE, body=body,
                                        content_type="application/json")

        threads = [threading.Thread(target=exchange, args=(i,)) for i in range(len(tokens))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        for resp in results:
            self.assertIsNotNone(resp)
            self.assertEqual(resp.status, 200, resp)
            h.remember_secret(resp.json()["token"])
        self.assertEqual(applied_versions(database), [f[:-4] for f in SQL_FILES])
        self.assertEqual(int(DB.value("SELECT COUNT(*) FROM `%s`.users" % database)), len(tokens))
        with open(os.path.join(server.dir, "lighttpd-error.log"), encoding="utf-8") as f:
            log = f.read()
        for name in SQL_FILES:
            self.assertEqual(log.count("auto_migrate: applied %s\n" % name[:-4]), 1, log[-3000:])


if __name__ == "__main__":
    unittest.main()
