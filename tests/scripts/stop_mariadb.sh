#!/usr/bin/env bash
# stop_mariadb.sh DIR: stops the MariaDB server started for DIR (by its pid file).
# The data in DIR/data stays; start_mariadb.sh DIR starts it again.
set -euo pipefail
. "$(dirname "$0")/common.sh"
[ $# -eq 1 ] || die "usage: $0 DIR"
[ -d "$1" ] || exit 0
stop_pidfile "$1/mysqld.pid" "mariadbd" 30
rm -f "$1/mysqld.sock"
