#!/usr/bin/env bash
# stop_lighttpd.sh DIR: stops the lighttpd started for DIR (by its pid file); lighttpd
# stops the FastCGI workers it spawned.
set -euo pipefail
. "$(dirname "$0")/common.sh"
[ $# -eq 1 ] || die "usage: $0 DIR"
[ -d "$1" ] || exit 0
stop_pidfile "$1/lighttpd.pid" "lighttpd" 10
rm -f "$1/lighttpd.port"
