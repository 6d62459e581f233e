#!/usr/bin/env bash
# start_fake_provider.sh DIR [extra fake_provider.py options...]
# Starts tests/fake_provider/fake_provider.py over HTTPS on 127.0.0.1 with the test
# CA's server certificate (made by make_test_ca.sh DIR when missing), in the
# background. Writes DIR/fake_provider.port, DIR/fake_provider.pid and logs to
# DIR/fake_provider.log. Environment:
#   FAKE_PROVIDER_PORT            port (default: a free one)
#   FAKE_PROVIDER_FACEBOOK_APP    ID:SECRET of the Facebook app it knows
#                                 (default: DIR/facebook_app when present)
#   FAKE_PROVIDER_CERT, _KEY      certificate and key (default DIR/server.pem, .key)
#   PYTHON                        python interpreter (default python3)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
[ $# -ge 1 ] || die "usage: $0 DIR [fake_provider options...]"
dir=$(abs_dir "$1"); shift
need_tool "$(python_bin)" python3
need_tool openssl openssl
fake="$here/../fake_provider/fake_provider.py"
[ -f "$fake" ] || die "missing $fake"

pid_alive "$dir/fake_provider.pid" && die "a fake provider already runs for $dir (pid $(cat "$dir/fake_provider.pid"))"
cert=${FAKE_PROVIDER_CERT:-$dir/server.pem}
key=${FAKE_PROVIDER_KEY:-$dir/server.key}
if [ -z "${FAKE_PROVIDER_CERT:-}" ] && [ ! -s "$cert" ]; then
    "$here/make_test_ca.sh" "$dir" >/dev/null
fi
[ -s "$cert" ] && [ -s "$key" ] || die "no certificate $cert or key $key"

args=(--host 127.0.0.1 --port "${FAKE_PROVIDER_PORT:-0}"
      --port-file "$dir/fake_provider.port" --pid-file "$dir/fake_provider.pid"
      --cert "$cert" --key "$key")
[ -s "$dir/jwt.key" ] && args+=(--jwks-key "$dir/jwt.key")
app=${FAKE_PROVIDER_FACEBOOK_APP:-}
[ -z "$app" ] && [ -s "$dir/facebook_app" ] && app=$(cat "$dir/facebook_app")
[ -n "$app" ] && args+=(--facebook-app "$app")

rm -f "$dir/fake_provider.port"
"$(python_bin)" "$fake" "${args[@]}" "$@" >>"$dir/fake_provider.log" 2>&1 </dev/null &
pid=$!
for ((i = 0; i < 100; i++)); do
    [ -s "$dir/fake_provider.port" ] && break
    kill -0 "$pid" 2>/dev/null || { cat "$dir/fake_provider.log" >&2; die "fake provider exited during start"; }
    sleep 0.05
done
[ -s "$dir/fake_provider.port" ] || { kill "$pid" 2>/dev/null; die "fake provider did not start within 5 s"; }
echo "$pid" >"$dir/fake_provider.pid"
port=$(cat "$dir/fake_provider.port")
# Ready means it answers over TLS with the test CA.
if command -v curl >/dev/null 2>&1; then
    curl -sS --max-time 5 --insecure "https://127.0.0.1:$port/_fake/health" >/dev/null ||
        die "fake provider on port $port does not answer over TLS"
fi
echo "fake provider: https://127.0.0.1:$port (pid $pid)"
