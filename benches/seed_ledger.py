#!/usr/bin/env python3
"""Prints SQL that fills one fund with N ledger entries, and the running totals that the
service keeps beside them, for SQLite or PostgreSQL. Run after `trustfund migrate`.

The entries: one pledge per donor (half in USD, half in EUR), then receipts alternating
with their programme support cost, spread over three years and over the donors. Totals
are aggregated from the entries with the same mapping as `ledger::rules::buckets`
(pledge -> pledged, receipt -> received, support_cost -> support_cost), fund-wide, per
donor, and per donor and day for the statement buckets.

    python3 benches/seed_ledger.py --backend sqlite --entries 1000000 | sqlite3 bench.db
"""

import argparse

FUND = "01900000-0000-7000-8000-00000000f00d"
DONOR = "01900000-0000-7000-8000-0000000d{:04d}"
PLEDGE = "01900000-0000-7000-8000-0000000e{:04d}"
USER = "01900000-0000-7000-8000-00000000cafe"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--backend", choices=["sqlite", "postgres"], required=True)
    ap.add_argument("--entries", type=int, default=1_000_000)
    ap.add_argument("--donors", type=int, default=100)
    a = ap.parse_args()
    pg = a.backend == "postgres"
    n, donors = a.entries, a.donors
    now = "CURRENT_TIMESTAMP"
    out = []
    w = out.append
    w("BEGIN;")
    w(f"INSERT INTO funds (id, code, name, base_currency, support_cost_rate, board_quorum, version, created_at, updated_at) "
      f"VALUES ('{FUND}', 'BENCH', 'Benchmark fund', 'USD', '0.13', 3, 1, {now}, {now});")
    w(f"INSERT INTO exchange_rates (id, currency, base_currency, rate, valid_from, created_at) "
      f"VALUES ('01900000-0000-7000-8000-0000000000e1', 'EUR', 'USD', '1.1', '2022-01-01', {now});")
    for d in range(donors):
        cur = "USD" if d % 2 == 0 else "EUR"
        w(f"INSERT INTO organisations (id, name, kind, country, identifier, verified, version, created_at, updated_at) "
          f"VALUES ('{DONOR.format(d)}', 'Donor {d}', 'government', 'LU', NULL, {'TRUE' if pg else '1'}, 1, {now}, {now});")
        w(f"INSERT INTO pledges (id, fund_id, donor_id, amount_minor, currency, pledged_on, event, earmark, due_on, "
          f"version, created_at, updated_at) VALUES ('{PLEDGE.format(d)}', '{FUND}', '{DONOR.format(d)}', "
          f"100000000, '{cur}', '2022-12-01', 'Pledging conference', NULL, '2099-12-31', 1, {now}, {now});")

    # i = 0 .. donors-1: the pledges; then receipts (even k) and support costs (odd k),
    # k = i - donors. Entries are immutable (a trigger refuses UPDATE), so every column,
    # the conversion included, is computed in the one INSERT.
    if pg:
        fmt_entry = "'01900001-0000-7000-8000-' || lpad(i::text, 12, '0')"
        fmt_donor = "'01900000-0000-7000-8000-0000000d' || lpad(({x})::text, 4, '0')"
        fmt_pledge = "'01900000-0000-7000-8000-0000000e' || lpad(i::text, 4, '0')"
        receipt_day = "(DATE '2023-01-01' + ((i / 2) % 1095))"
        pledge_day = "DATE '2022-12-01'"
        source = f"generate_series(0, {n - 1}) AS s(i)"
        prefix = ""
    else:
        fmt_entry = "printf('01900001-0000-7000-8000-%012d', i)"
        fmt_donor = "printf('01900000-0000-7000-8000-0000000d%04d', {x})"
        fmt_pledge = "printf('01900000-0000-7000-8000-0000000e%04d', i)"
        receipt_day = "date('2023-01-01', '+' || ((i / 2) % 1095) || ' days')"
        pledge_day = "'2022-12-01'"
        source = "s"
        prefix = f"WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < {n - 1}) "
    raw = f"""SELECT i,
        CASE WHEN i < {donors} THEN 'pledge' WHEN (i - {donors}) % 2 = 0 THEN 'receipt' ELSE 'support_cost' END AS kind,
        CASE WHEN i < {donors} THEN {fmt_donor.format(x='i')}
             ELSE {fmt_donor.format(x=f'(i - {donors}) / 2 % {donors}')} END AS donor_id,
        CASE WHEN i < {donors} THEN {fmt_pledge} END AS pledge_id,
        CASE WHEN i < {donors} THEN 100000000
             WHEN (i - {donors}) % 2 = 0 THEN 10000 + (i % 97) * 100
             ELSE (10000 + ((i - 1) % 97) * 100) * 13 / 100 END AS amount_minor,
        CASE WHEN i < {donors} THEN (CASE WHEN i % 2 = 0 THEN 'USD' ELSE 'EUR' END)
             WHEN (i - {donors}) % 2 = 0
                  THEN (CASE WHEN ((i - {donors}) / 2 % {donors}) % 2 = 0 THEN 'USD' ELSE 'EUR' END)
             ELSE 'USD' END AS currency,
        CASE WHEN i < {donors} THEN {pledge_day} ELSE {receipt_day} END AS value_date
    FROM {source}"""
    w(f"""{prefix}INSERT INTO ledger_entries (id, fund_id, kind, reverses_id, donor_id, pledge_id, contribution_id,
    source_kind, source_id, amount_minor, currency, exchange_rate, base_amount_minor, base_currency, value_date,
    memo, recorded_by, recorded_at)
SELECT {fmt_entry}, '{FUND}', kind, NULL, donor_id, pledge_id, NULL, NULL, NULL, amount_minor, currency,
    CASE WHEN kind = 'pledge' THEN NULL WHEN currency = 'EUR' THEN '1.1' ELSE '1' END,
    CASE WHEN kind = 'pledge' THEN NULL WHEN currency = 'EUR' THEN amount_minor * 11 / 10 ELSE amount_minor END,
    'USD', value_date, 'BENCH-' || i, NULL, CURRENT_TIMESTAMP
FROM ({raw}) AS raw;""")
    bucket = "CASE kind WHEN 'pledge' THEN 'pledged' WHEN 'receipt' THEN 'received' ELSE 'support_cost' END"
    w(f"INSERT INTO ledger_totals (fund_id, donor_id, bucket, currency, amount_minor, base_amount_minor, entry_count) "
      f"SELECT fund_id, '', {bucket}, currency, CAST(SUM(amount_minor) AS BIGINT), "
      f"CAST(SUM(COALESCE(base_amount_minor, 0)) AS BIGINT), COUNT(*) FROM ledger_entries "
      f"GROUP BY fund_id, {bucket}, currency;")
    w(f"INSERT INTO ledger_totals (fund_id, donor_id, bucket, currency, amount_minor, base_amount_minor, entry_count) "
      f"SELECT fund_id, donor_id, {bucket}, currency, CAST(SUM(amount_minor) AS BIGINT), "
      f"CAST(SUM(COALESCE(base_amount_minor, 0)) AS BIGINT), COUNT(*) FROM ledger_entries "
      f"GROUP BY fund_id, donor_id, {bucket}, currency;")
    w(f"INSERT INTO ledger_daily_totals (donor_id, fund_id, day, bucket, currency, amount_minor, base_amount_minor) "
      f"SELECT donor_id, fund_id, value_date, {bucket}, currency, CAST(SUM(amount_minor) AS BIGINT), "
      f"CAST(SUM(COALESCE(base_amount_minor, 0)) AS BIGINT) FROM ledger_entries "
      f"WHERE kind IN ('pledge', 'receipt') GROUP BY donor_id, fund_id, value_date, {bucket}, currency;")
    w("COMMIT;")
    w("ANALYZE;")
    print("\n".join(out))


if __name__ == "__main__":
    main()
