#!/usr/bin/env bash
# start_mariadb.sh DIR: a private MariaDB server for tests and the demo.
# First run: mariadb-install-db into DIR/data, then a database and an app user with a
# password. Later runs reuse DIR/data. The server listens only on the private socket
# DIR/mysqld.sock (--skip-networking, --no-defaults: never the machine's default
# socket, port or config), runs in the background and is stopped by stop_mariadb.sh.
#   DIR/mysqld.pid  DIR/mysqld.err  DIR/tmp/
#   DIR/mariadb.env  DB_SOCKET DB_NAME DB_USER DB_PASSWORD (shell syntax, mode 0600)
#   DIR/client.cnf   [client] options of the app user, for mariadb --defaults-file=
#   DIR/admin.cnf    [client] options of the administrator (unix socket auth)
# Environment (first run only): DB_NAME (socialauth_test), DB_USER (socialauth),
# DB_PASSWORD (random).
set -euo pipefail
. "$(dirname "$0")/common.sh"
[ $# -eq 1 ] || die "usage: $0 DIR"
need_tool mariadbd mariadb-server
need_tool mariadb-install-db mariadb-server
need_tool mariadb mariadb-client
need_tool mariadb-admin mariadb-client
dir=$(abs_dir "$1")
umask 077
sock="$dir/mysqld.sock"
check_socket_path "$sock"
me=$(id -un)

pid_alive "$dir/mysqld.pid" && die "MariaDB already runs for $dir (pid $(cat "$dir/mysqld.pid"))"
mkdir -p "$dir/tmp"

if [ ! -d "$dir/data/mysql" ]; then
    rm -rf "$dir/data"
    mariadb-install-db --no-defaults --datadir="$dir/data" --user="$me" \
        --auth-root-authentication-method=socket --auth-root-socket-user="$me" \
        --skip-test-db --skip-name-resolve >"$dir/install-db.log" 2>&1 ||
        { cat "$dir/install-db.log" >&2; die "mariadb-install-db failed"; }
fi

args=(--no-defaults --datadir="$dir/data" --socket="$sock" --pid-file="$dir/mysqld.pid"
      --skip-networking --log-error="$dir/mysqld.err" --tmpdir="$dir/tmp"
      --skip-name-resolve --performance-schema=OFF
      --innodb-buffer-pool-size=64M --innodb-log-file-size=16M
      --innodb-flush-log-at-trx-commit=2 --innodb-doublewrite=0
      --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci
      --max-connections=200)
[ "$(id -u)" -eq 0 ] && args+=(--user=root)
rm -f "$sock" "$dir/mysqld.pid"
mariadbd "${args[@]}" </dev/null >>"$dir/mysqld.err" 2>&1 &
pid=$!

admin=(--no-defaults --socket="$sock" --user="$me")
for ((i = 0; i < 300; i++)); do
    if ! kill -0 "$pid" 2>/dev/null; then
        tail -n 30 "$dir/mysqld.err" >&2
        die "mariadbd exited during start (see $dir/mysqld.err)"
    fi
    mariadb-admin "${admin[@]}" --connect-timeout=1 ping >/dev/null 2>&1 && break
    sleep 0.1
done
mariadb-admin "${admin[@]}" --connect-timeout=1 ping >/dev/null 2>&1 ||
    { kill "$pid" 2>/dev/null; die "MariaDB did not answer within 30 s (see $dir/mysqld.err)"; }
echo "$pid" >"$dir/mysqld.pid"

cat >"$dir/admin.cnf" <<CNF
[client]
socket=$sock
user=$me
CNF

if [ ! -s "$dir/mariadb.env" ]; then
    db_name=${DB_NAME:-socialauth_test}
    db_user=${DB_USER:-socialauth}
    db_password=${DB_PASSWORD:-$(openssl rand -hex 16 2>/dev/null || head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')}
    [[ "$db_name" =~ ^[A-Za-z0-9_]+$ ]] || die "DB_NAME must match [A-Za-z0-9_]+"
    [[ "$db_user" =~ ^[A-Za-z0-9_]+$ ]] || die "DB_USER must match [A-Za-z0-9_]+"
    [[ "$db_password" =~ ^[A-Za-z0-9_.+-]+$ ]] || die "DB_PASSWORD must match [A-Za-z0-9_.+-]+"
    # The app user may also create scratch databases named <db>_<something>, which
    # the store tests may use.
    scratch_pattern=$(printf '%s' "${db_name}_%" | sed 's/_/\\_/g')
    mariadb --defaults-file="$dir/admin.cnf" <<SQL
CREATE DATABASE IF NOT EXISTS \`$db_name\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '$db_user'@'localhost' IDENTIFIED BY '$db_password';
GRANT ALL PRIVILEGES ON \`$db_name\`.* TO '$db_user'@'localhost';
GRANT ALL PRIVILEGES ON \`$scratch_pattern\`.* TO '$db_user'@'localhost';
FLUSH PRIVILEGES;
SQL
    cat >"$dir/mariadb.env.tmp" <<ENV
DB_SOCKET='$sock'
DB_NAME='$db_name'
DB_USER='$db_user'
DB_PASSWORD='$db_password'
ENV
    mv "$dir/mariadb.env.tmp" "$dir/mariadb.env"
fi
. "$dir/mariadb.env"
cat >"$dir/client.cnf" <<CNF
[client]
socket=$sock
user=$DB_USER
password=$DB_PASSWORD
database=$DB_NAME
CNF
mariadb --defaults-file="$dir/client.cnf" -e 'SELECT 1' >/dev/null ||
    die "the app user can't log in to $DB_NAME"
echo "MariaDB: socket $sock, database $DB_NAME, user $DB_USER (pid $pid)"
