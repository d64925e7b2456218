#!/usr/bin/env python3
"""Signs in on the pages as a demo user and times GETs of pages over one keep-alive
connection; prints, per page, its weight (raw and gzip-compressed, with the inline style
sheet: the pages load nothing else) and the time to answer it.

    python3 benches/pages.py --base http://127.0.0.1:18182 \
        --email ngo@hope-shelter.example --password "saffron bridge meadow 96" \
        --lang fr --path /calls --path /applications/ID [-n 200]

`--find-draft` adds the signed-in NGO's first draft application (the heaviest page: the
whole form with its tables of choices).
"""

import argparse
import gzip
import http.client
import re
import statistics
import time
import urllib.parse


class Session:
    def __init__(self, base, lang):
        url = urllib.parse.urlparse(base)
        self.conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        self.cookies = {}
        self.lang = lang

    def send(self, method, path, body=None):
        headers = {"Accept-Language": self.lang}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            body = urllib.parse.urlencode(body)
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        return response.status, data

    def sign_in(self, email, password):
        status, page = self.send("GET", "/login")
        csrf = re.search(rb'name="csrf" value="([^"]+)"', page).group(1).decode()
        status, _ = self.send("POST", "/login", {"csrf": csrf, "email": email, "password": password})
        if status != 303 or "tf_session" not in self.cookies:
            raise SystemExit(f"sign-in as {email} answered {status} (admin and finance need a second factor: use an NGO, donor, reviewer or trustee)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True)
    ap.add_argument("--email", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--lang", default="en")
    ap.add_argument("--path", action="append", default=[])
    ap.add_argument("--find-draft", action="store_true")
    ap.add_argument("-n", type=int, default=200)
    ap.add_argument("--warmup", type=int, default=20)
    a = ap.parse_args()
    s = Session(a.base, a.lang)
    s.sign_in(a.email, a.password)
    paths = list(a.path)
    if a.find_draft:
        _, listing = s.send("GET", "/applications")
        ids = re.findall(rb'href="(?:/|&#x2f;)applications(?:/|&#x2f;)([0-9a-f-]{36})"', listing)
        for found in ids:
            path = "/applications/" + found.decode()
            _, page = s.send("GET", path)
            if b'name="version"' in page:
                paths.append(path)
                break
        else:
            raise SystemExit("no draft application found for this user")
    print(f"{'page':44} {'KB':>6} {'KB gz':>6} {'median ms':>10} {'p95 ms':>7} {'max ms':>7}  ({a.lang}, n={a.n})")
    for path in paths:
        status, body = s.send("GET", path)
        if status != 200:
            raise SystemExit(f"GET {path} answered {status}")
        for _ in range(a.warmup):
            s.send("GET", path)
        times = []
        for _ in range(a.n):
            start = time.perf_counter()
            s.send("GET", path)
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        p95 = times[int(len(times) * 0.95) - 1]
        shown = path if len(path) <= 44 else path[:41] + "..."
        print(f"{shown:44} {len(body)/1024:6.1f} {len(gzip.compress(body))/1024:6.1f} "
              f"{statistics.median(times):10.2f} {p95:7.2f} {times[-1]:7.2f}")


if __name__ == "__main__":
    main()
