#!/usr/bin/env python3
"""Submits applications one after the other and times each submission (one client,
keep-alive), for benches/application_overlaps.sh.

    application_overlaps.py BASE SEED.json COUNT

SEED.json is what `trustfund seed-load-test` prints: an open call (NG, GH, TH; the theme
protection.shelter; a `proposal` document required) and NGOs with tokens. Each NGO makes
one draft, completes it, uploads its proposal (untimed), then submits (timed). Titles and
summaries use the words of benches/registry_gen.py, so that the registry check has as many
look-alike projects to score as a real application would. The first submission is reported
alone: it may build the registry's in-memory index.
"""

import http.client
import json
import random
import sys
import time
import urllib.parse

VERBS = ["mobile", "community", "district", "national", "cross-border", "school-based",
         "online", "peer-led", "rapid", "long-term", "specialised", "family-centred"]
SERVICES = ["legal clinics", "safe houses", "trauma counselling", "hotlines",
            "vocational training", "reintegration grants", "referral networks",
            "shelter beds", "family tracing", "medical screening", "helplines"]
GROUPS = ["adolescent girls", "domestic workers", "migrant fishermen", "street children",
          "returnees", "garment workers", "young mothers", "refugee women"]
PLACES = ["north", "south", "east", "west", "capital", "border", "coastal", "delta"]
PDF = b"%PDF-1.4\n% proposal\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def main():
    base, seed_file, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    seed = json.load(open(seed_file))
    url = urllib.parse.urlparse(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    rnd = random.Random(11)

    def call(method, path, token, body=None, headers=None):
        h = {"authorization": f"Bearer {token}"}
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            h["content-type"] = "application/json"
        h.update(headers or {})
        start = time.perf_counter()
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        data = r.read()
        took = time.perf_counter() - start
        return r.status, r.getheader("etag"), data, took

    timings = []
    flagged = 0
    for ngo in seed["ngos"][:count]:
        token = ngo["token"]
        verb, service, group, place = (rnd.choice(VERBS), rnd.choice(SERVICES),
                                       rnd.choice(GROUPS), rnd.choice(PLACES))
        content = {
            "title": f"{verb.capitalize()} {service} for {group} in the {place} region",
            "summary": f"{service.capitalize()} and {rnd.choice(SERVICES)} for {group}, "
                       f"with {rnd.choice(SERVICES)} in the {place} districts.",
            "requested_amount": "18000.00",
            "duration_months": 8,
            "countries": [rnd.choice(["NG", "GH", "TH"])],
            "themes": ["protection.shelter"],
            "budget": [{"category": "services", "description": service,
                        "amount": "18000.00"}],
        }
        status, _, data, _ = call("POST", f"/api/v1/calls/{seed['call_id']}/applications",
                                  token, content)
        assert status == 201, data
        app_id = json.loads(data)["id"]
        boundary = "----bench" + app_id.replace("-", "")
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\n"
                f"proposal\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
                f"filename=\"proposal.pdf\"\r\nContent-Type: application/pdf\r\n\r\n").encode()
        body += PDF + f"\r\n--{boundary}--\r\n".encode()
        status, _, data, _ = call("POST", f"/api/v1/applications/{app_id}/documents", token,
                                  body, {"content-type": f"multipart/form-data; boundary={boundary}"})
        assert status == 201, data
        status, _, data, took = call("POST", f"/api/v1/applications/{app_id}/submit", token, {})
        assert status == 200, data
        timings.append(took * 1000)
        status, _, data, _ = call("GET", f"/api/v1/applications/{app_id}/overlaps",
                                  seed["admin_token"])
        assert status == 200, data
        flagged += len(json.loads(data)["candidates"])

    first, rest = timings[0], sorted(timings[1:])
    pick = lambda q: rest[min(len(rest) - 1, int(q * len(rest)))]
    print(f"   first submit {first:7.1f} ms (may build the registry index)")
    print(f"   submit, {len(rest)} more: p50 {pick(0.50):6.1f} ms  p95 {pick(0.95):6.1f} ms  "
          f"p99 {pick(0.99):6.1f} ms  max {rest[-1]:6.1f} ms; "
          f"{flagged / len(timings):.1f} flagged projects per application")


if __name__ == "__main__":
    main()
