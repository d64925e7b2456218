//! What publishing a fund of 50,000 grants costs: `trustfund export iati|360giving`.
//!
//!     cargo bench --bench export                     # SQLite in a temporary folder
//!     TRUSTFUND_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_export cargo bench --bench export
//!
//! Seeds one fund straight through SQL: 400 donors' pledges and receipts, 2,000 grantee
//! organisations and 50,000 grants (each with its application, 1 to 3 countries, 1 or 2
//! themes, 2 instalments and its commitment; two in three paid once; one in three with an
//! accepted report of 4 beneficiary cells and 2 indicators). Then runs the release binary's
//! `export` three times per format and prints the wall time and the peak resident memory
//! of the export process (`getrusage` of the child), and times the same export over HTTP
//! from a server in this process; with `TRUSTFUND_BENCH_VALIDATE=1` it also validates the
//! IATI file against the official schema. The PostgreSQL database must exist and be empty. The
//! tables are analysed after seeding, as autovacuum would after a bulk load.

use std::process::Command;
use std::time::{Duration, Instant};

use chrono::{Duration as Days, NaiveDate, Utc};
use diesel::RunQueryDsl;
use rust_decimal::Decimal;
use trustfund::config::Settings;
use trustfund::db::DbConn;
use trustfund::funds::model::NewFund;
use trustfund::money::Currency;
use trustfund::organisations::model::{NewOrganisation, OrgKind};

const GRANTS: usize = 50_000;
const GRANTEES: usize = 2_000;
const DONORS: usize = 400;
const BATCH: usize = 500;
const RUNS: usize = 3;
const COUNTRIES: [&str; 8] = ["NG", "BJ", "GH", "TH", "KH", "PH", "MX", "MD"];
const THEMES: [&str; 4] = [
    "protection.shelter",
    "protection.legal-aid",
    "prevention.awareness",
    "protection.reintegration",
];

fn id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Rows of one table, inserted together when `flush`ed (tables in the order of their
/// foreign keys, every `BATCH` grants).
struct Rows {
    head: &'static str,
    values: Vec<String>,
}

impl Rows {
    fn new(head: &'static str) -> Self {
        Rows {
            head,
            values: Vec::with_capacity(BATCH),
        }
    }

    fn push(&mut self, row: String) {
        self.values.push(row);
    }

    fn flush(&mut self, conn: &mut DbConn) {
        if self.values.is_empty() {
            return;
        }
        let sql = format!("{} VALUES {}", self.head, self.values.join(","));
        diesel::sql_query(sql).execute(conn).expect("insert");
        self.values.clear();
    }
}

fn seed(conn: &mut DbConn) -> String {
    let now = Utc::now()
        .naive_utc()
        .format("%Y-%m-%d %H:%M:%S")
        .to_string();
    let today = Utc::now().date_naive();
    let fund = trustfund::funds::store::insert(
        conn,
        &NewFund {
            code: "BENCH".into(),
            name: "Export bench fund".into(),
            base_currency: Currency::USD,
            support_cost_rate: Decimal::new(13, 2),
            board_quorum: 1,
            organisation_identifier: Some("XM-DAC-99009".into()),
            organisation_type: "40".into(),
            established_on: trustfund::platform::dates::EARLIEST,
        },
    )
    .expect("fund");
    let org = |conn: &mut DbConn, name: String, kind: OrgKind, identifier: Option<String>| {
        trustfund::organisations::store::insert(
            conn,
            &NewOrganisation {
                name,
                kind,
                country: "NG".into(),
                identifier,
                verified: true,
                listed_anonymously: false,
                may_donate: false,
                protected: false,
            },
        )
        .expect("organisation")
        .id
    };
    let mut money = Rows::new(
        "INSERT INTO ledger_entries (id, fund_id, kind, donor_id, source_kind, source_id, \
         amount_minor, currency, exchange_rate, base_amount_minor, base_currency, value_date, \
         memo, recorded_at)",
    );
    for d in 0..DONORS {
        let donor = org(conn, format!("Donor {d}"), OrgKind::Government, None);
        for (kind, days) in [("pledge", 700), ("receipt", 600)] {
            let day = today - Days::days(days - (d as i64 % 300));
            money.push(format!(
                "('{}', '{}', '{kind}', '{donor}', NULL, NULL, 500000000, 'USD', '1', \
                     500000000, 'USD', '{day}', NULL, '{now}')",
                id(),
                fund.id
            ));
        }
    }
    let grantees: Vec<String> = (0..GRANTEES)
        .map(|g| {
            let identifier = (g % 2 == 0).then(|| format!("NG-CAC-{:07}", 1_000_000 + g));
            org(conn, format!("Grantee {g}"), OrgKind::Ngo, identifier)
        })
        .collect();
    let call = id();
    diesel::sql_query(format!(
        "INSERT INTO calls (id, fund_id, title, description, opens_at, closes_at, max_amount, \
         currency, max_duration_months, eligible_countries, themes, required_documents, rubric, \
         status, created_at, updated_at) VALUES ('{call}', '{}', 'Bench call', 'Bench.', \
         '{now}', '{now}', 2000000, 'USD', 36, '[]', '[]', '[]', '[]', 'decided', '{now}', '{now}')",
        fund.id
    ))
    .execute(conn)
    .expect("call");

    let mut applications = Rows::new(
        "INSERT INTO applications (id, call_id, fund_id, organisation_id, reference, title, \
         summary, requested_amount, currency, duration_months, status, created_at, updated_at)",
    );
    let mut countries =
        Rows::new("INSERT INTO application_countries (application_id, position, country)");
    let mut themes = Rows::new("INSERT INTO application_themes (application_id, position, theme)");
    let mut grants = Rows::new(
        "INSERT INTO grants (id, fund_id, call_id, application_id, organisation_id, reference, \
         title, amount_minor, currency, exchange_rate, base_amount_minor, base_currency, \
         starts_on, ends_on, status, signed_at, created_at, updated_at)",
    );
    let mut instalments = Rows::new(
        "INSERT INTO grant_instalments (id, grant_id, position, amount_minor, due_on, condition, \
         report_kind)",
    );
    let mut reports = Rows::new(
        "INSERT INTO grant_reports (id, grant_id, fund_id, organisation_id, kind, status, \
         period_start, period_end, narrative, submitted_at, updated_at)",
    );
    let mut cells = Rows::new(
        "INSERT INTO report_beneficiaries (report_id, sex, age_group, exploitation, count)",
    );
    let mut indicators =
        Rows::new("INSERT INTO report_indicators (report_id, position, name, target, actual)");
    for i in 0..GRANTS {
        let application = id();
        let grant = id();
        let org = &grantees[i % GRANTEES];
        let reference = format!("BENCH-2026-{i:05}");
        let amount = 1_000_000 + (i as i64 % 100) * 10_000;
        let starts_on: NaiveDate = today - Days::days(400 - (i as i64 % 365));
        let ends_on = starts_on + Days::days(365);
        let title = format!("Shelter, legal aid & reintegration for survivors, project {i}");
        let summary = "Safe shelter, medical and psycho-social care, legal aid and \
                       reintegration support for survivors of trafficking, with outreach in \
                       border communities (bench data).";
        applications.push(format!(
            "('{application}', '{call}', '{}', '{org}', '{reference}', '{title}', \
                 '{summary}', {amount}, 'USD', 12, 'approved', '{now}', '{now}')",
            fund.id
        ));
        for p in 0..=(i % 3) {
            let country = COUNTRIES[(i + p) % COUNTRIES.len()];
            countries.push(format!("('{application}', {p}, '{country}')"));
        }
        for p in 0..=(i % 2) {
            let theme = THEMES[(i + p) % THEMES.len()];
            themes.push(format!("('{application}', {p}, '{theme}')"));
        }
        grants.push(format!(
            "('{grant}', '{}', '{call}', '{application}', '{org}', '{reference}', '{title}', \
                 {amount}, 'USD', '1', {amount}, 'USD', '{starts_on}', '{ends_on}', 'active', \
                 '{now}', '{now}', '{now}')",
            fund.id
        ));
        let first = amount * 6 / 10;
        instalments.push(format!(
            "('{}', '{grant}', 0, {first}, '{starts_on}', 'on_signature', NULL)",
            id()
        ));
        instalments.push(format!(
            "('{}', '{grant}', 1, {}, '{}', 'on_report_accepted', 'interim')",
            id(),
            amount - first,
            starts_on + Days::days(180)
        ));
        money.push(format!(
            "('{}', '{}', 'commitment', NULL, 'grant', '{grant}', {amount}, 'USD', '1', \
                 {amount}, 'USD', '{starts_on}', NULL, '{now}')",
            id(),
            fund.id
        ));
        if i % 3 != 0 {
            money.push(format!(
                "('{}', '{}', 'disbursement', NULL, 'grant', '{grant}', {first}, 'USD', '1', \
                     {first}, 'USD', '{}', NULL, '{now}')",
                id(),
                fund.id,
                starts_on + Days::days(10)
            ));
        }
        if i % 3 == 1 {
            let report = id();
            reports.push(format!(
                "('{report}', '{grant}', '{}', '{org}', 'interim', 'accepted', '{starts_on}', \
                     '{}', 'The shelter opened.', '{now}', '{now}')",
                fund.id,
                starts_on + Days::days(170)
            ));
            for (sex, age, exploitation, count) in [
                ("female", "adult", "sexual", 12 + i % 20),
                ("female", "child", "labour", 3),
                ("male", "adult", "labour", 7),
                ("male", "child", "begging", 5),
            ] {
                cells.push(format!(
                    "('{report}', '{sex}', '{age}', '{exploitation}', {count})"
                ));
            }
            indicators.push(format!(
                "('{report}', 0, 'survivors sheltered', '20', '18')"
            ));
            indicators.push(format!("('{report}', 1, 'cases referred', '10', '4')"));
        }
        if i % BATCH == BATCH - 1 || i == GRANTS - 1 {
            for rows in [
                &mut applications,
                &mut countries,
                &mut themes,
                &mut grants,
                &mut instalments,
                &mut money,
                &mut reports,
                &mut cells,
                &mut indicators,
            ] {
                rows.flush(conn);
            }
        }
    }
    fund.id
}

/// Wall time and peak resident memory (KiB) of one `trustfund export` run.
///
/// The peak is the export process's own `VmHWM` (the high-water mark of its resident set,
/// which never goes down), read from `/proc` every 2 ms until it exits. `getrusage` of
/// children cannot be used: a child spawned with `CLONE_VM` inherits this process's
/// high-water mark at exec.
fn run_export(settings: &Settings, format: &str, out: &std::path::Path) -> (Duration, u64) {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_trustfund"))
        .args(["export", format, "--fund", "BENCH", "--out"])
        .arg(out)
        .env("TRUSTFUND__DATABASE__URL", &settings.database.url)
        .env("TRUSTFUND__DATA_DIR", &settings.data_dir)
        .env("TRUSTFUND__LOG__LEVEL", "warn")
        .spawn()
        .expect("run trustfund export");
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak_kib = 0;
    let status = loop {
        if let Some(kib) = std::fs::read_to_string(&status_file).ok().and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        }) {
            peak_kib = peak_kib.max(kib);
        }
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let elapsed = started.elapsed();
    assert!(status.success(), "export failed");
    (elapsed, peak_kib)
}

fn main() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let mut settings = Settings::load(None).expect("settings");
    settings.data_dir = dir.path().join("data");
    settings.server.address = "127.0.0.1:0".into();
    settings.database.url = std::env::var("TRUSTFUND_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}", dir.path().join("bench.db").display()));
    println!(
        "database: {}   cores: {}",
        trustfund::db::mask_url(&settings.database.url),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let (pool, _) = trustfund::open_database(&settings).expect("database");
    let started = Instant::now();
    let fund_id = {
        let mut conn = pool.get().expect("connection");
        trustfund::db::write_transaction(&mut conn, |conn| {
            Ok::<_, diesel::result::Error>(seed(conn))
        })
        .expect("seed")
    };
    println!(
        "seeded {GRANTS} grants in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    // planner statistics, as autovacuum (PostgreSQL) or `PRAGMA optimize` would gather after
    // a bulk load: without them PostgreSQL scans every grant's ledger entries for each page
    // (about 40 s instead of under 2 s)
    {
        let mut conn = pool.get().expect("connection");
        diesel::sql_query("ANALYZE")
            .execute(&mut conn)
            .expect("analyze");
    }
    drop(pool);

    for format in ["iati", "360giving"] {
        for run in 1..=RUNS {
            let out = dir.path().join(format!("export-{format}-{run}"));
            let (elapsed, peak_kib) = run_export(&settings, format, &out);
            let size = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
            println!(
                "export {format:<10} run {run}: {:>6.2} s   {:>6.1} MiB written   peak RSS {:>6.1} MiB",
                elapsed.as_secs_f64(),
                size as f64 / 1_048_576.0,
                peak_kib as f64 / 1024.0
            );
        }
    }

    // TRUSTFUND_BENCH_VALIDATE=1: the big files are valid too (xmllint streams the XSD check)
    if std::env::var_os("TRUSTFUND_BENCH_VALIDATE").is_some() {
        let schema = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/standards/iati/iati-activities-schema.xsd");
        let started = Instant::now();
        let out = Command::new("xmllint")
            .args(["--noout", "--nonet", "--stream", "--schema"])
            .arg(&schema)
            .arg(dir.path().join("export-iati-1"))
            .output()
            .expect("xmllint");
        println!(
            "xmllint --stream --schema: {} in {:.1} s",
            if out.status.success() {
                "valid"
            } else {
                "INVALID"
            },
            started.elapsed().as_secs_f64()
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    // the same export over HTTP, from a server in this process
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async move {
        let app = trustfund::Application::build(settings.clone(), false).expect("app");
        let base = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        let http = reqwest::Client::new();
        for path in ["iati.xml", "360giving.json"] {
            let started = Instant::now();
            let response = http
                .get(format!("{base}/api/v1/funds/{fund_id}/{path}"))
                .send()
                .await
                .expect("request");
            assert!(response.status().is_success(), "{}", response.status());
            let bytes = response.bytes().await.expect("body").len();
            println!(
                "GET {path:<15} {:>6.2} s   {:>6.1} MiB",
                started.elapsed().as_secs_f64(),
                bytes as f64 / 1_048_576.0
            );
        }
    });
}
