#!/usr/bin/env bash
# stop_lighttpd_example.sh DIR: stops the lighttpd of start_lighttpd_example.sh, then
# waits until the workers it spawned (the program copy in DIR/bin) have exited.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd -P)
. "$here/common.sh"
. "$here/web_common.sh"
[ $# -eq 1 ] || die "usage: $0 DIR"
[ -d "$1" ] || exit 0
dir=$(cd "$1" && pwd -P)
"$here/stop_lighttpd.sh" "$dir"
wait_program_gone "$dir/bin/socialauth.fcgi" "lighttpd" 10
