#!/usr/bin/env python3
"""Measures registry latencies over HTTP against a running trustfund server.

    registry_load.py BASE_URL TOKEN [--seed N]

One client on one keep-alive connection sends each request and waits for the answer, so
every figure is the latency of one request (the server has the machine's other core).
The first request after a start (or after any registry change) loads the in-memory
registry index; its time is printed on its own. Workloads:
  search          400 distinct searches: words, word pairs, countries, themes, statuses,
                  dates, organisations, combined; each with its total and facet counts
  search (again)  the same 400 again
  overlap-check   200 distinct drafts POSTed to /registry/overlap-check
  overlaps        200 saved projects: GET /registry/projects/{id}/overlaps
  matrix (kinds)  24 distinct matrix queries (axes, filters, dates)
  matrix          the default country x theme matrix of all 100,000 projects, 100 times
  gaps            20 distinct gaps queries
  search page     the 400 searches as the public page /registry (HTML, no token; the page
                  has no active_on or limit, so those are left out of its query)
  matrix page     the public page /registry/matrix (HTML), 100 times
Prints one line per workload with n, p50, p95, p99 and max in milliseconds.
"""

import argparse
import http.client
import json
import random
import time
import urllib.parse

WORDS = ["clinics", "legal", "houses", "counselling", "hotlines", "vocational", "reintegration",
         "screening", "referral", "radio", "theatre", "audits", "inspections", "databases",
         "witness", "judicial", "police", "cash", "savings", "school", "tracing", "medical",
         "repatriation", "helplines", "supply", "lessons", "watch", "shelter", "compensation",
         "surveys", "adverts", "identification", "orientation", "apprenticeships", "girls",
         "domestic", "fishermen", "kiln", "children", "returnees", "garment", "mothers",
         "farm", "construction", "refugee", "boys", "seafood", "orphans", "stateless", "miners",
         "mobile", "border", "coastal", "highland", "delta", "mining", "port", "valley",
         "island", "rural", "cooperación", "traite", "niñas", "enfants"]
COUNTRIES = ["NG", "GH", "NP", "TH", "MD", "PH", "BD", "KE", "MX", "RO", "KH", "UA", "IN",
             "PK", "VN", "ID", "ET", "UG", "SN", "ZA", "AF", "BR", "CO", "HT", "GE", "AL"]
THEMES = ["prevention", "protection", "prosecution", "prevention.safe-migration"]
STATUSES = ["pipeline", "active", "completed"]
SERVICES = ["legal clinics", "safe houses", "trauma counselling", "hotlines",
            "vocational training", "referral networks", "radio dramas", "labour inspections",
            "witness protection", "cash transfers", "family tracing", "helplines"]
GROUPS = ["adolescent girls", "domestic workers", "migrant fishermen", "street children",
          "garment workers", "young mothers", "farm workers", "refugee women"]


class Client:
    def __init__(self, base, token):
        url = urllib.parse.urlparse(base)
        self.conn = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
        self.headers = {"Authorization": f"Bearer {token}"}

    def call(self, method, path, body=None):
        headers = dict(self.headers)
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        self.conn.request(method, path, body=data, headers=headers)
        response = self.conn.getresponse()
        payload = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status >= 400:
            raise SystemExit(f"{method} {path} answered {response.status}: {payload[:300]!r}")
        return elapsed, json.loads(payload) if payload else None

    def page(self, path):
        """A public page, as an anonymous reader who has the form cookie asks it."""
        started = time.perf_counter()
        self.conn.request("GET", path, headers={"Cookie": "tf_csrf=" + "b" * 43,
                                                "Accept-Language": "en"})
        response = self.conn.getresponse()
        payload = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status != 200 or b"data-figure" not in payload:
            raise SystemExit(f"GET {path} answered {response.status}: {payload[:300]!r}")
        return elapsed


def summary(name, samples):
    s = sorted(samples)
    pick = lambda q: s[min(len(s) - 1, int(round(q * (len(s) - 1))))]
    print(f"{name:16} n={len(s):4}  p50={pick(0.50):7.1f}  p95={pick(0.95):7.1f}  "
          f"p99={pick(0.99):7.1f}  max={s[-1]:7.1f}  (ms)", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("token")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    rnd = random.Random(args.seed)
    client = Client(args.base, args.token)

    # organisations and project ids to ask about
    took, first = client.call("GET", "/api/v1/registry/projects?limit=200")
    print(f"registry holds {first['total']} projects; first request (loads the index) {took:.0f} ms", flush=True)
    orgs = [f["value"] for f in first["facets"]["org_id"]]
    ids = []
    cursor = None
    for _ in range(5):
        path = "/api/v1/registry/projects?limit=200" + (f"&cursor={cursor}" if cursor else "")
        _, page = client.call("GET", path)
        ids.extend(p["id"] for p in page["items"])
        cursor = page["next_cursor"]
    # a later part of the registry too
    _, late = client.call("GET", "/api/v1/registry/projects?limit=200&country=NG&status=active")
    ids.extend(p["id"] for p in late["items"])

    queries = set()
    filter_sets = set()
    while len(queries) < 400:
        kind = rnd.random()
        params = {}
        if kind < 0.35:
            params["q"] = rnd.choice(WORDS)
        elif kind < 0.55:
            params["q"] = " ".join(rnd.sample(WORDS, 2))
        elif kind < 0.70:
            params["country"] = rnd.choice(COUNTRIES)
        elif kind < 0.80:
            params["theme"] = rnd.choice(THEMES)
            params["status"] = rnd.choice(STATUSES)
        elif kind < 0.90:
            params["active_on"] = f"{rnd.randint(2015, 2030)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
        else:
            params["org_id"] = rnd.choice(orgs)
        if rnd.random() < 0.3:
            params.setdefault("country", rnd.choice(COUNTRIES))
        if rnd.random() < 0.2:
            params.setdefault("status", rnd.choice(STATUSES))
        # every filter set distinct
        key = urllib.parse.urlencode(sorted(params.items()))
        if key in filter_sets:
            continue
        filter_sets.add(key)
        params["limit"] = rnd.choice([20, 50])
        queries.add(urllib.parse.urlencode(sorted(params.items())))
    queries = sorted(queries)
    rnd.shuffle(queries)
    cold = [client.call("GET", f"/api/v1/registry/projects?{q}")[0] for q in queries]
    summary("search", cold)
    warm = [client.call("GET", f"/api/v1/registry/projects?{q}")[0] for q in queries]
    summary("search (again)", warm)

    drafts = []
    for n in range(200):
        service, other = rnd.sample(SERVICES, 2)
        group = rnd.choice(GROUPS)
        start = rnd.randint(2016, 2028)
        drafts.append({
            "title": f"{service.capitalize()} for {group} in the {rnd.choice(['north', 'south', 'border', 'capital'])} region",
            "description": f"The project runs {service} for {group} and supports {other} with local authorities. Draft {n}.",
            "countries": rnd.sample(COUNTRIES[:12], rnd.randint(1, 2)),
            "themes": rnd.sample(THEMES, 1),
            "start_on": f"{start}-01-01",
            "end_on": f"{start + 2}-12-31",
        })
    summary("overlap-check", [client.call("POST", "/api/v1/registry/overlap-check", d)[0] for d in drafts])
    sample = rnd.sample(ids, min(200, len(ids)))
    summary("overlaps", [client.call("GET", f"/api/v1/registry/projects/{i}/overlaps")[0] for i in sample])

    matrices = []
    axes = [("country", "theme"), ("country", "sub_theme"), ("country", "status"), ("theme", "status"),
            ("organisation", "theme"), ("country", "organisation")]
    for rows, cols in axes:
        matrices.append(f"rows={rows}&cols={cols}")
        matrices.append(f"rows={rows}&cols={cols}&status=active")
        matrices.append(f"rows={rows}&cols={cols}&active_on=2024-06-30")
        matrices.append(f"rows={rows}&cols={cols}&theme=protection")
    summary("matrix (kinds)", [client.call("GET", f"/api/v1/registry/matrix?{m}")[0] for m in matrices])
    summary("matrix", [client.call("GET", "/api/v1/registry/matrix")[0] for _ in range(100)])
    gaps = [f"countries={','.join(rnd.sample(COUNTRIES, 5))}&on={rnd.randint(2016, 2029)}-06-30" for _ in range(20)]
    summary("gaps", [client.call("GET", f"/api/v1/registry/gaps?{g}")[0] for g in gaps])

    pages = []
    for q in queries:
        params = [(k, v) for k, v in urllib.parse.parse_qsl(q) if k not in ("active_on", "limit")]
        pages.append("/registry" + (f"?{urllib.parse.urlencode(params)}" if params else ""))
    summary("search page", [client.page(p) for p in pages])
    summary("matrix page", [client.page("/registry/matrix") for _ in range(100)])


if __name__ == "__main__":
    main()
