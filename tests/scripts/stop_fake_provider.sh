#!/usr/bin/env bash
# stop_fake_provider.sh DIR: stops the fake provider started for DIR (by its pid file).
set -euo pipefail
. "$(dirname "$0")/common.sh"
[ $# -eq 1 ] || die "usage: $0 DIR"
[ -d "$1" ] || exit 0
stop_pidfile "$1/fake_provider.pid" "fake provider" 5
rm -f "$1/fake_provider.port"
