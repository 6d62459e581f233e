# shellcheck shell=bash
# Shared helpers for the tests/scripts pieces; sourced, never run.
# Each piece works in a directory of its own (first argument) and writes its state
# (pid files, ports, logs) there, as lighttpd's tests/prepare.sh does.

die() { echo "${0##*/}: $*" >&2; exit 1; }

need_tool() {
    command -v "$1" >/dev/null 2>&1 ||
        die "required tool '$1' not found${2:+ (Debian package: $2)}; run script/bootstrap"
}

# abs_dir DIR: the directory's absolute path, created when missing.
abs_dir() {
    mkdir -p "$1" && (cd "$1" && pwd -P)
}

# A python3 for our helpers: $PYTHON when set, else python3 on PATH.
python_bin() {
    echo "${PYTHON:-python3}"
}

# free_port: a currently free TCP port on 127.0.0.1.
free_port() {
    "$(python_bin)" - <<'PY'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
PY
}

# pid_alive PIDFILE: true when the file names a live process.
pid_alive() {
    local pid
    [ -s "$1" ] || return 1
    pid=$(cat "$1" 2>/dev/null) || return 1
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

# stop_pidfile PIDFILE NAME [SECONDS]: TERM the process named in PIDFILE, wait for it
# to go, KILL it after SECONDS (default 10). Only ever the process the file names.
stop_pidfile() {
    local file=$1 name=$2 wait=${3:-10} pid i
    [ -s "$file" ] || return 0
    pid=$(cat "$file" 2>/dev/null)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for ((i = 0; i < wait * 10; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            echo "${0##*/}: $name (pid $pid) ignored TERM, killing it" >&2
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    rm -f "$file"
}

# check_socket_path PATH: unix socket paths are limited to 107 bytes.
check_socket_path() {
    [ "${#1}" -lt 100 ] || die "socket path too long for a unix socket (${#1} bytes): $1; use a shorter directory"
}

# wait_listening PID PORT [TRIES]: true once PID listens on 127.0.0.1:PORT (checked
# every 0.05 s, TRIES times, default 100); otherwise stops PID and fails, so a caller
# can try another port (a free port may be taken between choosing and binding it).
wait_listening() {
    local pid=$1 port=$2 tries=${3:-100} i
    for ((i = 0; i < tries; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
        sleep 0.05
    done
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    return 1
}
