"""The PHP side (SPEC §5): the two snippets of README.md's "Checking tokens from PHP",
run verbatim with Debian's php-cli, one against the real MariaDB (the one-query token
check through PDO), the other against the running app behind lighttpd (/me)."""

import json
import os
import re
import subprocess
import unittest

import harness as h
from harness import DB

SECTION = "### Checking tokens from PHP"


def readme_php_blocks():
    with open(os.path.join(h.SRCDIR, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    start = readme.find(SECTION)
    if start < 0:
        raise AssertionError("README.md has no section %r" % SECTION)
    end = readme.find("\n#", start + len(SECTION))
    blocks = re.findall(r"```php\n(.*?)```", readme[start:end if end > 0 else None], re.S)
    if len(blocks) != 2:
        raise AssertionError("expected 2 php blocks under %r, found %d" % (SECTION, len(blocks)))
    return blocks


def run_php(name, snippet, driver):
    """Runs snippet + driver with php-cli; returns the driver's JSON output."""
    script = h.path("php-%s.php" % name)
    with open(script, "w", encoding="utf-8") as f:
        f.write(snippet + "\n" + driver)
    proc = subprocess.run(["php", "-d", "display_errors=stderr", "-d", "error_reporting=-1",
                           script], capture_output=True, timeout=60)
    if proc.returncode != 0 or proc.stderr:
        raise AssertionError("php failed (%d): %r %r" % (proc.returncode, proc.stderr, proc.stdout))
    return json.loads(proc.stdout)


def php_string(value):
    return json.dumps(value)  # a JSON string is a valid double-quoted PHP literal here


class PhpTokenCheck(h.FastCgiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.check_snippet, cls.me_snippet = readme_php_blocks()

    def check(self, headers):
        """socialauth_user_id() for each Authorization header value, via PDO."""
        dsn = "mysql:unix_socket=%s;dbname=%s;charset=utf8mb4" % (
            os.environ["SOCIALAUTH_TEST_DB_SOCKET"], os.environ["SOCIALAUTH_TEST_DB_NAME"])
        driver = """
$pdo = new PDO(%s, %s, %s, [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]);
$out = [];
foreach (json_decode(%s, true) as $header) {
    $out[] = socialauth_user_id($pdo, $header, %s);
}
echo json_encode($out);
""" % (php_string(dsn), php_string(os.environ["SOCIALAUTH_TEST_DB_USER"]),
            php_string(os.environ["SOCIALAUTH_TEST_DB_PASSWORD"]), php_string(json.dumps(headers)),
            php_string(h.load_config()["database"].get("table_prefix", "")))
        return run_php("check", self.check_snippet, driver)

    def me(self, base_url, api_token):
        driver = "echo json_encode(socialauth_me(%s, %s));" % (php_string(base_url),
                                                               php_string(api_token))
        return run_php("me", self.me_snippet, driver)

    def test_the_token_check_finds_the_user_and_refuses_the_rest(self):
        token, _ = h.google_token(email="php.%s@example.com" % h.unique())
        login = self.login(token)
        api_token, user_id = login["token"], login["user"]["id"]
        revoked = self.login(h.google_token(email="phpr.%s@example.com" % h.unique())[0])["token"]
        self.assertEqual(self.call("POST", "/logout", body="",
                                   headers={"Authorization": "Token " + revoked}).status, 204)
        self.assertEqual(
            self.check(["Token " + api_token, "Bearer " + api_token, "Token " + revoked,
                        "Token " + api_token[:-1] + ("A" if api_token[-1] != "A" else "B"),
                        "Token " + api_token + "' OR '1'='1", "Basic " + api_token, ""]),
            [user_id, user_id, None, None, None, None, None])

    def test_the_me_call_answers_for_a_valid_token_only(self):
        token, spec = h.google_token(email="phpme.%s@example.com" % h.unique())
        login = self.login(token)
        base_url = "http://127.0.0.1:%d" % self.client.port
        me = self.me(base_url, login["token"])
        self.assertEqual(me["id"], login["user"]["id"])
        self.assertEqual(me["email"], spec["email"])
        self.assertIsNone(self.me(base_url, h.unregistered_token("NotAnApiToken")))
        self.assertIsNone(self.me("http://127.0.0.1:%d" % h.closed_port(), login["token"]))
        self.assertEqual(int(DB.user_id_for_token(login["token"])), login["user"]["id"])


if __name__ == "__main__":
    unittest.main()
