# shellcheck shell=bash
# Shared pieces of the web server scripts (start_apache.sh, start_nginx.sh,
# start_lighttpd_example.sh); sourced after common.sh, never run.
#
# The user the servers run as: Apache refuses to serve as root, and no host runs the
# program as root, so when the tests run as root the servers (and the FastCGI workers
# they start) run as "nobody"; otherwise as the user running the tests.
#   server_user_init           sets SERVER_USER and the array as_server, a command
#                              prefix: "${as_server[@]}" CMD runs CMD as SERVER_USER
#   give_to_server_user PATH…  the paths (recursively) become SERVER_USER's
#   server_user_needs TEST PATH
#                              dies unless SERVER_USER passes `test TEST PATH`
#   hermetic_server_env DIR    the servers (and the workers, which inherit their
#                              environment) get no SOCIALAUTH_CONFIG and HOME=DIR: the
#                              config must reach the program the way the site's
#                              config passes it, never from ours
#   copy_app_config SRC DEST   the app config for SERVER_USER (mode 0600, its own),
#                              after checking that user can reach the CA file and the
#                              database socket the config names
#   fill_example SRC DEST NAME=VALUE…
#                              a docs/examples file with its @NAME@ placeholders filled
#   wait_program_gone EXE NAME [SECONDS]
#                              waits until no process runs EXE (a server's workers
#                              exit after the server); kills and fails after SECONDS

server_user_init() {
    if [ "$(id -u)" -eq 0 ]; then
        SERVER_USER=nobody
        id -u "$SERVER_USER" >/dev/null 2>&1 || die "no user '$SERVER_USER' to run the servers as"
        need_tool setpriv util-linux
        as_server=(setpriv --reuid="$(id -u "$SERVER_USER")" --regid="$(id -g "$SERVER_USER")"
                   --clear-groups --)
    else
        SERVER_USER=$(id -un)
        as_server=()
    fi
}

give_to_server_user() {
    [ "$(id -u)" -eq 0 ] || return 0
    chown -R "$(id -u "$SERVER_USER"):$(id -g "$SERVER_USER")" "$@"
}

server_user_needs() {
    "${as_server[@]}" test "$1" "$2" ||
        die "user $SERVER_USER can't reach $2 (test $1): every directory above it must be searchable by that user (chmod o+x)"
}

hermetic_server_env() {
    unset SOCIALAUTH_CONFIG
    export HOME=$1
}

copy_app_config() {
    local src=$1 dest=$2 ca socket
    (umask 077 && cp "$src" "$dest")
    give_to_server_user "$dest"
    server_user_needs -r "$dest"
    read -r ca socket < <("$(python_bin)" -c '
import json, sys
c = json.load(open(sys.argv[1]))
print(c.get("outbound", {}).get("ca_file") or "-", c.get("database", {}).get("socket") or "-")
' "$src")
    [ -n "$ca" ] || die "can't read $src as a JSON config"
    [ "$ca" = - ] || server_user_needs -r "$ca"
    [ "$socket" = - ] || server_user_needs -w "$socket"
}

fill_example() {
    local src=$1 dest=$2 text pair left
    shift 2
    text=$(<"$src")
    for pair in "$@"; do
        text=${text//"@${pair%%=*}@"/"${pair#*=}"}
    done
    left=$(grep -o -E '@[A-Z_]+@' <<<"$text" | sort -u | tr '\n' ' ') || true
    [ -z "$left" ] || die "placeholders left unfilled in $src: $left"
    printf '%s\n' "$text" >"$dest"
}

wait_program_gone() {
    local exe=$1 name=$2 wait=${3:-10} i p left
    for ((i = 0; i <= wait * 10; i++)); do
        left=
        for p in /proc/[0-9]*; do
            [ "$(readlink "$p/exe" 2>/dev/null)" = "$exe" ] && left+=" ${p#/proc/}"
        done
        [ -z "$left" ] && return 0
        sleep 0.1
    done
    echo "${0##*/}: $name workers still running ${wait}s after their server stopped:$left; killing them" >&2
    # shellcheck disable=SC2086 # the pids, one word each
    kill -KILL $left 2>/dev/null || true
    return 1
}
