#!/usr/bin/env bash
# write_config.sh DIR: writes DIR/config.json (mode 0600) for the app: the database of
# start_mariadb.sh on its private socket, the providers at the fake provider of
# start_fake_provider.sh, outbound.ca_file the test CA, short timeouts, a random
# users.provider_token_key, and rate limits too high to be met.
# Environment (all optional):
#   CONFIG_FILE          output file (default DIR/config.json)
#   MARIADB_DIR          where start_mariadb.sh ran (default DIR/mysql, else DIR)
#   FAKE_DIR             where start_fake_provider.sh ran (default DIR)
#   GOOGLE_CLIENT_IDS    space-separated client ids (default test-client.apps.googleusercontent.com)
#   FACEBOOK_APP         ID:SECRET (default FAKE_DIR/facebook_app)
#   CORS_ORIGINS         space-separated allowed origins (default none)
#   CONNECT_TIMEOUT_MS / TIMEOUT_MS   (default 1000 / 2000)
#   REAL_GOOGLE=1, REAL_FACEBOOK=1    leave that provider at its production URLs with
#                        no credentials in the file (they come from
#                        SOCIAL_AUTH_GOOGLE_OAUTH2_KEY / SOCIAL_AUTH_FACEBOOK_KEY+SECRET)
set -euo pipefail
. "$(dirname "$0")/common.sh"
[ $# -eq 1 ] || die "usage: $0 DIR"
dir=$(abs_dir "$1")
out=${CONFIG_FILE:-$dir/config.json}
dbdir=${MARIADB_DIR:-}
if [ -z "$dbdir" ]; then
    if [ -s "$dir/mysql/mariadb.env" ]; then dbdir=$dir/mysql; else dbdir=$dir; fi
fi
fakedir=${FAKE_DIR:-$dir}
[ -s "$dbdir/mariadb.env" ] || die "no $dbdir/mariadb.env: run start_mariadb.sh first"
. "$dbdir/mariadb.env"
port=
if [ "${REAL_GOOGLE:-}" != 1 ] || [ "${REAL_FACEBOOK:-}" != 1 ]; then
    [ -s "$fakedir/fake_provider.port" ] || die "no $fakedir/fake_provider.port: run start_fake_provider.sh first"
    port=$(cat "$fakedir/fake_provider.port")
fi
fb_app=${FACEBOOK_APP:-}
[ -z "$fb_app" ] && [ -s "$fakedir/facebook_app" ] && fb_app=$(cat "$fakedir/facebook_app")
ca=${CA_FILE:-$fakedir/ca.pem}
[ -s "$ca" ] || die "no CA file $ca: run make_test_ca.sh first"

umask 077
DB_SOCKET=$DB_SOCKET DB_NAME=$DB_NAME DB_USER=$DB_USER DB_PASSWORD=$DB_PASSWORD \
FAKE_PORT=$port FB_APP=$fb_app CA=$ca OUT=$out \
"$(python_bin)" - <<'PY'
import base64, json, os
env = os.environ
base = "https://127.0.0.1:%s" % env["FAKE_PORT"]
config = {
    "database": {"host": "localhost", "port": 3306, "socket": env["DB_SOCKET"],
                 "user": env["DB_USER"], "password": env["DB_PASSWORD"],
                 "name": env["DB_NAME"], "table_prefix": ""},
    "http": {"max_body_bytes": 16384,
             "cors_allowed_origins": env.get("CORS_ORIGINS", "").split()},
    "tokens": {"lifetime_seconds": 2592000, "idle_seconds": 604800, "max_per_user": 20},
    "users": {"allow_signup": True, "username_max_length": 150,
              "protected_user_fields": [], "immutable_user_fields": [],
              "store_provider_tokens": True,
              # a fresh key per run: provider tokens are stored encrypted
              "provider_token_key": base64.b64encode(os.urandom(32)).decode()},
    # counted on every exchange, yet high enough that only tests that ask for a
    # limit of their own (a config variant) ever meet one
    "rate_limits": {"exchange_per_ip": {"requests": 1000000, "window_seconds": 60},
                    "exchange_per_backend": {"requests": 1000000, "window_seconds": 60}},
    "pipeline": ["social_details", "social_uid", "auth_allowed", "social_user",
                 "get_username", "associate_by_email", "create_user",
                 "associate_user", "load_extra_data", "user_details"],
    "outbound": {"ca_file": env["CA"], "proxy": "",
                 "connect_timeout_ms": int(env.get("CONNECT_TIMEOUT_MS", "1000")),
                 "timeout_ms": int(env.get("TIMEOUT_MS", "2000")),
                 "max_response_bytes": 1048576},
    "providers": {},
}
if env.get("REAL_GOOGLE") == "1":
    config["providers"]["google-oauth2"] = {"client_ids": []}
else:
    config["providers"]["google-oauth2"] = {
        "client_ids": env.get("GOOGLE_CLIENT_IDS",
                              "test-client.apps.googleusercontent.com").split(),
        "secret": "",
        "whitelisted_domains": [], "whitelisted_emails": [],
        "userinfo_url": base + "/v1/userinfo",
        "tokeninfo_url": base + "/tokeninfo",
        "jwks_url": base + "/oauth2/v3/certs",
    }
if env.get("REAL_FACEBOOK") == "1":
    config["providers"]["facebook"] = {"app_id": "", "app_secret": ""}
elif env.get("FB_APP"):
    app_id, _, secret = env["FB_APP"].partition(":")
    config["providers"]["facebook"] = {
        "app_id": app_id, "app_secret": secret,
        "whitelisted_domains": [], "whitelisted_emails": [],
        "api_version": "v18.0", "graph_url": base, "trust_email": False,
    }
tmp = env["OUT"] + ".tmp"
fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
with os.fdopen(fd, "w") as f:
    json.dump(config, f, indent=2)
    f.write("\n")
os.chmod(tmp, 0o600)
os.replace(tmp, env["OUT"])
PY
echo "config: $out"
