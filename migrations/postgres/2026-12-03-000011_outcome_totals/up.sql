-- Running totals of accepted outcome reports, written in the transaction that accepts a
-- report (as the ledger keeps its totals), so that a fund's outcomes are read from a
-- number of rows that does not grow with the number of reports.
--
-- Each accepted report is added once at each grain: 'day' (the day its period ends),
-- 'dekad' (days 1-10, 11-20 or 21 to the month's end), 'month', 'quarter' and 'year';
-- `period` is the first day of the period. A window [from, to] is read as its whole years
-- and, at its edges, whole quarters, months, dekads and single days
-- (`reports::totals::spans`). People are kept per cell and, apart, per country (no
-- figure crosses the two). A report counts for the first country of its grant's
-- application ('unknown' when it has none); an approved application never changes, so
-- that country is fixed when the report is accepted. An accepted report is final: nothing
-- ever subtracts from these totals.
CREATE TABLE outcome_totals (
    fund_id       TEXT NOT NULL REFERENCES funds (id),
    grain         TEXT NOT NULL,
    period        DATE NOT NULL,
    sex           TEXT NOT NULL,
    age_group     TEXT NOT NULL,
    exploitation  TEXT NOT NULL,
    total         BIGINT NOT NULL,
    PRIMARY KEY (fund_id, grain, period, sex, age_group, exploitation)
);

CREATE TABLE outcome_country_totals (
    fund_id  TEXT NOT NULL REFERENCES funds (id),
    grain    TEXT NOT NULL,
    period   DATE NOT NULL,
    country  TEXT NOT NULL,
    total    BIGINT NOT NULL,
    PRIMARY KEY (fund_id, grain, period, country)
);

CREATE TABLE outcome_service_totals (
    fund_id  TEXT NOT NULL REFERENCES funds (id),
    grain    TEXT NOT NULL,
    period   DATE NOT NULL,
    service  TEXT NOT NULL,
    total    BIGINT NOT NULL,
    PRIMARY KEY (fund_id, grain, period, service)
);

CREATE TABLE outcome_report_totals (
    fund_id  TEXT NOT NULL REFERENCES funds (id),
    grain    TEXT NOT NULL,
    period   DATE NOT NULL,
    reports  BIGINT NOT NULL,
    PRIMARY KEY (fund_id, grain, period)
);

-- Back-fill: the reports accepted before this migration, each at its five periods.
CREATE TEMPORARY TABLE counted_reports AS
SELECT r.id AS report_id, r.fund_id AS fund_id, p.grain AS grain,
       CASE p.grain
           WHEN 'day' THEN r.period_end
           WHEN 'dekad' THEN CAST(date_trunc('month', r.period_end) AS DATE)
               + CASE WHEN EXTRACT(DAY FROM r.period_end) > 20 THEN 20
                      WHEN EXTRACT(DAY FROM r.period_end) > 10 THEN 10
                      ELSE 0 END
           WHEN 'month' THEN CAST(date_trunc('month', r.period_end) AS DATE)
           WHEN 'quarter' THEN CAST(date_trunc('quarter', r.period_end) AS DATE)
           ELSE CAST(date_trunc('year', r.period_end) AS DATE)
       END AS period,
       COALESCE((SELECT c.country
                   FROM grants g
                   JOIN application_countries c ON c.application_id = g.application_id
                  WHERE g.id = r.grant_id
                  ORDER BY c.position
                  LIMIT 1), 'unknown') AS country
  FROM grant_reports r
 CROSS JOIN (SELECT CAST('day' AS TEXT) AS grain UNION ALL SELECT 'dekad' UNION ALL SELECT 'month'
             UNION ALL SELECT 'quarter' UNION ALL SELECT 'year') p
 WHERE r.status = 'accepted';

INSERT INTO outcome_totals (fund_id, grain, period, sex, age_group, exploitation, total)
SELECT k.fund_id, k.grain, k.period, b.sex, b.age_group, b.exploitation,
       CAST(SUM(b.count) AS BIGINT)
  FROM counted_reports k
  JOIN report_beneficiaries b ON b.report_id = k.report_id
 GROUP BY k.fund_id, k.grain, k.period, b.sex, b.age_group, b.exploitation;

INSERT INTO outcome_country_totals (fund_id, grain, period, country, total)
SELECT k.fund_id, k.grain, k.period, k.country, CAST(SUM(b.count) AS BIGINT)
  FROM counted_reports k
  JOIN report_beneficiaries b ON b.report_id = k.report_id
 GROUP BY k.fund_id, k.grain, k.period, k.country;

INSERT INTO outcome_service_totals (fund_id, grain, period, service, total)
SELECT k.fund_id, k.grain, k.period, s.service, CAST(SUM(s.count) AS BIGINT)
  FROM counted_reports k
  JOIN report_services s ON s.report_id = k.report_id
 GROUP BY k.fund_id, k.grain, k.period, s.service;

INSERT INTO outcome_report_totals (fund_id, grain, period, reports)
SELECT k.fund_id, k.grain, k.period, CAST(COUNT(*) AS BIGINT)
  FROM counted_reports k
 GROUP BY k.fund_id, k.grain, k.period;

DROP TABLE counted_reports;
