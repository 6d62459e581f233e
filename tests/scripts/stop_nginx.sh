#!/usr/bin/env bash
# stop_nginx.sh DIR: stops the nginx and the spawn-fcgi program started for DIR (by
# their pid files); the program finishes the request it serves, then exits.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd -P)
. "$here/common.sh"
. "$here/web_common.sh"
[ $# -eq 1 ] || die "usage: $0 DIR"
[ -d "$1" ] || exit 0
dir=$(cd "$1" && pwd -P)
stop_pidfile "$dir/nginx.pid" "nginx" 10
stop_pidfile "$dir/app.pid" "socialauth.fcgi" 10
rm -f "$dir/nginx.port"
wait_program_gone "$dir/bin/socialauth.fcgi" "spawn-fcgi" 10
