"""The program as a FastCGI worker of our own, without a web server in between.

A web server never passes some inputs on (a CONTENT_LENGTH that lies about the body,
a client that hangs up while the worker is still busy), and it owns the worker's
process, so signals can't be aimed at one request. DirectWorker starts the real
binary the way lighttpd and mod_fcgid do (a listening socket as its stdin) and
FastCgiConnection speaks the FastCGI protocol to it (the responder role only, which is
all the program implements).

Python 3 standard library only.
"""

import os
import signal
import socket
import struct
import subprocess
import time

import harness as h

FCGI_VERSION = 1
FCGI_BEGIN_REQUEST = 1
FCGI_END_REQUEST = 3
FCGI_PARAMS = 4
FCGI_STDIN = 5
FCGI_STDOUT = 6
FCGI_STDERR = 7
FCGI_RESPONDER = 1
MAX_RECORD_CONTENT = 65535
REQUEST_ID = 1


def _record(record_type, content=b""):
    padding = (8 - len(content) % 8) % 8
    return struct.pack("!BBHHBx", FCGI_VERSION, record_type, REQUEST_ID, len(content),
                       padding) + content + b"\0" * padding


def _stream(record_type, data):
    """data as records of one stream, ended by the empty record."""
    records = [_record(record_type, data[i:i + MAX_RECORD_CONTENT])
               for i in range(0, len(data), MAX_RECORD_CONTENT)]
    return b"".join(records) + _record(record_type)


def _length(n):
    return struct.pack("!B", n) if n < 128 else struct.pack("!I", n | 0x80000000)


def _params(environ):
    data = b""
    for name, value in environ.items():
        name, value = name.encode("latin-1"), value.encode("latin-1")
        data += _length(len(name)) + _length(len(value)) + name + value
    return data


def begin_and_params(environ):
    """A request's start: everything before its body (the STDIN stream)."""
    begin = struct.pack("!HB5x", FCGI_RESPONDER, 0)
    return _record(FCGI_BEGIN_REQUEST, begin) + _stream(FCGI_PARAMS, _params(environ))


def cgi_environment(method, route, body_length, content_type=None, content_length="auto",
                    remote_addr="127.0.0.1", headers=None):
    """The variables a web server sends; content_length "auto" is the body's true length,
    None leaves CONTENT_LENGTH out, anything else is sent as it is."""
    environ = {
        "GATEWAY_INTERFACE": "CGI/1.1", "SERVER_PROTOCOL": "HTTP/1.1",
        "SERVER_SOFTWARE": "socialauth-direct", "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "443", "HTTPS": "on", "REQUEST_METHOD": method,
        "SCRIPT_NAME": "/socialauth", "PATH_INFO": route, "QUERY_STRING": "",
        "REQUEST_URI": "/socialauth" + route, "REMOTE_ADDR": remote_addr,
    }
    if content_type is not None:
        environ["CONTENT_TYPE"] = content_type
    if content_length == "auto":
        content_length = body_length
    if content_length is not None:
        environ["CONTENT_LENGTH"] = str(content_length)
    for name, value in (headers or {}).items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    return environ


class FastCgiConnection:
    """One request on one connection to a worker's socket."""

    def __init__(self, socket_path, timeout=30):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        try:
            self.sock.connect(socket_path)
        except OSError:
            self.sock.close()
            raise

    def send(self, environ, body=b""):
        self.sock.sendall(begin_and_params(environ) + _stream(FCGI_STDIN, body))

    def _read_exactly(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise AssertionError("the worker closed the connection mid-record")
            data += chunk
        return data

    def receive(self):
        """(CGI output bytes, stderr bytes, app status) once the request has ended."""
        stdout, stderr = b"", b""
        while True:
            _, record_type, _, length, padding = struct.unpack("!BBHHBx", self._read_exactly(8))
            content = self._read_exactly(length + padding)[:length]
            if record_type == FCGI_STDOUT:
                stdout += content
            elif record_type == FCGI_STDERR:
                stderr += content
            elif record_type == FCGI_END_REQUEST:
                app_status, protocol_status = struct.unpack("!IB3x", content)
                if protocol_status != 0:
                    raise AssertionError("FastCGI protocol status %d" % protocol_status)
                return stdout, stderr, app_status

    def close(self):
        self.sock.close()


class DirectWorker:
    """The real binary as a FastCGI worker on a Unix socket in TEST_DIR, with its
    stderr in TEST_DIR/direct-NAME.log (test_logs reads it for secrets too)."""

    via = "direct-fastcgi"

    def __init__(self, name, config_path=None):
        self.name = name
        self.socket_path = h.path("direct-%s.sock" % name)
        self.log_path = h.path("direct-%s.log" % name)
        self.config_path = config_path or h.path("config.json")
        self.process = None

    def command(self):
        """What runs on the socket; a subclass may wrap the program (valgrind)."""
        return [h.FCGI_BIN]

    def start(self):
        if os.path.exists(self.socket_path):
            os.unlink(self.socket_path)
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(self.socket_path)
        listener.listen(16)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
               "SOCIALAUTH_CONFIG": self.config_path}
        for var in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "LD_LIBRARY_PATH"):
            if var in os.environ:
                env[var] = os.environ[var]
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(self.command(), stdin=listener.fileno(), stdout=log,
                                            stderr=log, env=env, close_fds=True)
        listener.close()
        return self

    @property
    def pid(self):
        return self.process.pid

    def alive(self):
        return self.process.poll() is None

    def terminate(self):
        self.process.send_signal(signal.SIGTERM)

    def wait(self, timeout):
        return self.process.wait(timeout=timeout)

    def stop(self):
        if self.process is not None and self.alive():
            self.terminate()
            try:
                self.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.wait(10)

    def connect(self, timeout=30):
        return FastCgiConnection(self.socket_path, timeout)

    def request(self, method, route, body=None, content_type=None, headers=None,
                content_length="auto", remote_addr="127.0.0.1", timeout=30, **unused):
        """The same interface as harness.CgiClient.request."""
        if unused.get("config") is not None or unused.get("env"):
            raise ValueError("a DirectWorker has one config; start another worker")
        if isinstance(body, str):
            body = body.encode("utf-8")
        body = body or b""
        environ = cgi_environment(method, route, len(body), content_type, content_length,
                                  remote_addr, headers)
        conn = self.connect(timeout)
        started = time.monotonic()
        try:
            conn.send(environ, body)
            stdout, stderr, _ = conn.receive()
        finally:
            conn.close()
        status, hdrs, out = h.parse_cgi_output(stdout)
        return h.Response(status, hdrs, out, time.monotonic() - started, self.via, stderr)
