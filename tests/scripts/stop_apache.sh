#!/usr/bin/env bash
# stop_apache.sh DIR: stops the Apache started for DIR (by its pid file), then waits
# until the program copies in DIR run no more: mod_fcgid's workers (and a CGI process
# still busy) end after their server. Fails when one outlives it by 10 s.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd -P)
. "$here/common.sh"
. "$here/web_common.sh"
[ $# -eq 1 ] || die "usage: $0 DIR"
[ -d "$1" ] || exit 0
dir=$(cd "$1" && pwd -P)
stop_pidfile "$dir/apache.pid" "Apache" 10
rm -f "$dir/apache.port"
status=0
for exe in "$dir/htdocs/auth/socialauth.fcgi" "$dir/bin/socialauth.fcgi"; do
    wait_program_gone "$exe" Apache 10 || status=1
done
exit $status
