#!/usr/bin/env python3
"""The cost of one request to the program at a URL: latency (median and 95th
percentile) of GET /health (config and database check, no provider) and of a failed
exchange (a token the provider refuses: database rate-limit counter, one HTTPS call
to the provider, 400) over N sequential requests on one keep-alive connection, after
a few warm-up requests. Under CGI every request pays for a process start, the config,
a database connection and a TLS handshake; a FastCGI worker pays once.

    tests/integration/per_request_cost.py [-n 200] NAME=URL [NAME=URL ...]
    e.g. per_request_cost.py fcgid=http://127.0.0.1:8080/auth/socialauth.fcgi

URL is where the program is mounted (routes are appended). test_apache runs it on
Apache with mod_fcgid and with plain CGI and prints the table; nothing asserts a
time. Python 3 standard library only.
"""

import argparse
import http.client
import json
import secrets
import statistics
import sys
import time
import urllib.parse

WARM_UP = 5


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


class Connection:
    """One keep-alive connection, reopened when the server closes it."""

    def __init__(self, base_url):
        parts = urllib.parse.urlsplit(base_url)
        self.mount = parts.path.rstrip("/")
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)

    def request(self, method, route, body=None, headers=None):
        started = time.perf_counter()
        self.conn.request(method, self.mount + route, body=body, headers=headers or {})
        resp = self.conn.getresponse()
        resp.read()
        return resp.status, time.perf_counter() - started

    def close(self):
        self.conn.close()


def measure(base_url, requests, refused_token):
    """{label: {"ms": [latency of each request], "statuses": {status: count}}}."""
    exchange_body = json.dumps({"access_token": refused_token})
    cases = [
        ("GET /health", "GET", "/health", None, {}),
        ("failed exchange", "POST", "/social/google-oauth2/", exchange_body,
         {"Content-Type": "application/json"}),
    ]
    results = {}
    conn = Connection(base_url)
    try:
        for label, method, route, body, headers in cases:
            for _ in range(WARM_UP):
                conn.request(method, route, body, headers)
            times, statuses = [], {}
            for _ in range(requests):
                status, elapsed = conn.request(method, route, body, headers)
                times.append(elapsed * 1000.0)
                statuses[status] = statuses.get(status, 0) + 1
            results[label] = {"ms": times, "statuses": statuses}
    finally:
        conn.close()
    return results


def table(measured, requests):
    """measured: [(name, results of measure)]; the lines to print."""
    lines = ["per-request latency, %d sequential requests each (ms):" % requests,
             "  %-18s %-16s %8s %8s  %s" % ("server", "request", "median", "p95", "statuses")]
    for name, results in measured:
        for label, r in results.items():
            lines.append("  %-18s %-16s %8.1f %8.1f  %s" % (
                name, label, statistics.median(r["ms"]), percentile(r["ms"], 0.95),
                " ".join("%d:%d" % kv for kv in sorted(r["statuses"].items()))))
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--requests", type=int, default=200)
    parser.add_argument("sites", nargs="+", metavar="NAME=URL")
    args = parser.parse_args()
    refused = "ya29.bench-" + secrets.token_urlsafe(24)
    measured = []
    for site in args.sites:
        name, _, url = site.partition("=")
        if not url:
            parser.error("expected NAME=URL, got %r" % site)
        measured.append((name, measure(url, args.requests, refused)))
    print("\n".join(table(measured, args.requests)))


if __name__ == "__main__":
    sys.exit(main())
