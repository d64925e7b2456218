#!/usr/bin/env python3
"""Times GET requests over one keep-alive HTTP connection and prints latency figures.

    python3 benches/http_timing.py --base http://127.0.0.1:8089 --token TOKEN \
        --name "fund status" --path /api/v1/funds/ID/status [--accept text/csv] [-n 300]
"""

import argparse
import http.client
import json
import statistics
import time
import urllib.parse


def request(conn, path, token, accept):
    conn.request("GET", path, headers={"Authorization": f"Bearer {token}", "Accept": accept})
    response = conn.getresponse()
    body = response.read()
    if response.status != 200:
        raise SystemExit(f"GET {path} answered {response.status}: {body[:500]!r}")
    return body


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--path", required=True)
    ap.add_argument("--name", required=True)
    ap.add_argument("--accept", default="application/json")
    ap.add_argument("-n", type=int, default=300)
    ap.add_argument("--warmup", type=int, default=30)
    ap.add_argument("--show", action="store_true", help="print the first answer")
    a = ap.parse_args()
    url = urllib.parse.urlparse(a.base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    first = request(conn, a.path, a.token, a.accept)
    if a.show:
        text = first.decode()
        try:
            text = json.dumps(json.loads(text), indent=1)[:3000]
        except ValueError:
            text = text[:1500]
        print(text)
    for _ in range(a.warmup):
        request(conn, a.path, a.token, a.accept)
    samples = []
    for _ in range(a.n):
        start = time.perf_counter()
        request(conn, a.path, a.token, a.accept)
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    pct = lambda p: samples[min(len(samples) - 1, int(p / 100 * len(samples)))]
    print(f"{a.name:<44} n={a.n:<4} mean {statistics.mean(samples):6.2f} ms  "
          f"p50 {pct(50):6.2f}  p95 {pct(95):6.2f}  p99 {pct(99):6.2f}  max {samples[-1]:6.2f}  "
          f"({len(first)} bytes)")


if __name__ == "__main__":
    main()
