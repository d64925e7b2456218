//! What the earmark check costs a board decision, in a fund of 1,000,000 ledger entries
//! with 100 earmarks.
//!
//!     cargo bench --bench earmarks                     # SQLite in a temporary folder
//!     TRUSTFUND_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_earmarks cargo bench --bench earmarks
//!     ENTRIES=200000 cargo bench --bench earmarks
//!
//! Seeds one fund: 1,000 earmarked contributions recorded through the real path
//! (`donations::actions::record_contribution`, ten for each of 100 earmarks: the 25 themes
//! of the taxonomy and 75 countries), then unrestricted receipts and their support costs
//! written straight into the ledger up to `ENTRIES` entries, with the fund-wide running
//! totals aggregated from them as `ledger::post` keeps them. It then times, 1,000 times
//! each, inside a write transaction that is rolled back, what a board decision does for
//! money before it writes anything: the fund lock and the running totals alone (the check
//! before earmarks), and the lock with `earmarks::plan_approval` for grants that two
//! earmarks serve, that none serves, and that ask for more than the fund can give (the
//! 409). p50, p95, p99. The PostgreSQL database must exist and be empty.

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use trustfund::auth::Actor;
use trustfund::config::Settings;
use trustfund::db::{DbConn, DbPool, write_transaction};
use trustfund::donations::model::NewContribution;
use trustfund::earmarks::rules::Scope;
use trustfund::error::AppError;
use trustfund::funds::model::NewFund;
use trustfund::money::{Currency, Money};
use trustfund::organisations::model::{NewOrganisation, OrgKind};

const EARMARKS: usize = 100;
const CONTRIBUTIONS_PER_EARMARK: usize = 10;
const RUNS: usize = 1000;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn stats(label: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let n = samples.len();
    let pct = |p: f64| samples[((n as f64 * p) as usize).min(n - 1)];
    println!(
        "{label:<52} n={n:<5} p50 {:>7.3} ms   p95 {:>7.3} ms   p99 {:>7.3} ms   max {:>7.3} ms",
        ms(pct(0.50)),
        ms(pct(0.95)),
        ms(pct(0.99)),
        ms(samples[n - 1])
    );
}

/// The 100 earmarks: every theme of the taxonomy, then countries up to 100.
fn earmarks() -> Vec<String> {
    let mut all: Vec<String> = trustfund::taxonomy::themes().map(String::from).collect();
    all.extend(
        isocountry::CountryCode::iter_alpha2()
            .map(|c| c.alpha2().to_string())
            .take(EARMARKS - all.len()),
    );
    all
}

fn seed(pool: &DbPool, entries: usize) -> (String, Vec<String>) {
    let mut conn = pool.get().expect("connection");
    let actor = Actor::system();
    let (fund, donor) = write_transaction(&mut conn, |conn| {
        let fund = trustfund::funds::store::insert(
            conn,
            &NewFund {
                code: format!("EAR{}", &uuid::Uuid::new_v4().simple().to_string()[..5])
                    .to_uppercase(),
                name: "Earmark benchmark fund".into(),
                base_currency: Currency::USD,
                support_cost_rate: Decimal::new(13, 2),
                board_quorum: 1,
                organisation_identifier: None,
                organisation_type: "40".into(),
                established_on: NaiveDate::from_ymd_opt(2020, 1, 1).expect("date"),
            },
        )?;
        let donor = trustfund::organisations::store::insert(
            conn,
            &NewOrganisation {
                name: "Benchmark donor".into(),
                kind: OrgKind::Government,
                country: "LU".into(),
                identifier: None,
                verified: true,
                listed_anonymously: false,
                may_donate: true,
                protected: false,
            },
        )?;
        Ok::<_, AppError>((fund.id, donor.id))
    })
    .expect("fund and donor");
    let earmarks = earmarks();
    let started = Instant::now();
    for i in 0..EARMARKS * CONTRIBUTIONS_PER_EARMARK {
        write_transaction(&mut conn, |conn| {
            trustfund::donations::actions::record_contribution(
                conn,
                &actor,
                &fund,
                &NewContribution {
                    donor_id: donor.clone(),
                    pledge_id: None,
                    amount: Money::from_minor(1_000_000 + i as i64, Currency::USD),
                    received_on: NaiveDate::from_ymd_opt(2023, 1, 1).expect("date")
                        + chrono::Duration::days((i % 700) as i64),
                    reference: format!("EAR-{i}"),
                    exchange_rate: None,
                    earmark: Some(earmarks[i % EARMARKS].clone()),
                },
                trustfund::exchange::MaxRateAge::days(3660),
            )
            .map(|_| ())
        })
        .expect("earmarked contribution");
    }
    println!(
        "recorded {} earmarked contributions through the real path in {:.1} s",
        EARMARKS * CONTRIBUTIONS_PER_EARMARK,
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    let recorded = 2 * EARMARKS * CONTRIBUTIONS_PER_EARMARK;
    let bulk = entries.saturating_sub(recorded);
    bulk_entries(&mut conn, &fund, &donor, bulk);
    println!(
        "wrote {bulk} more ledger entries and their running totals in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    (fund, earmarks)
}

/// Unrestricted receipts (even) and their support costs (odd), and the fund-wide running
/// totals they move, in two statements.
fn bulk_entries(conn: &mut DbConn, fund: &str, donor: &str, n: usize) {
    use diesel::RunQueryDsl;
    let last = n as i64 - 1;
    let columns = "id, fund_id, kind, donor_id, amount_minor, currency, exchange_rate, \
                   base_amount_minor, base_currency, value_date, recorded_at";
    let sql = match conn {
        DbConn::Postgres(_) => format!(
            "INSERT INTO ledger_entries ({columns}) \
             SELECT '01900002-0000-7000-8000-' || lpad(i::text, 12, '0'), '{fund}', \
                    CASE WHEN i % 2 = 0 THEN 'receipt' ELSE 'support_cost' END, '{donor}', \
                    CASE WHEN i % 2 = 0 THEN 100000 ELSE 13000 END, 'USD', '1', \
                    CASE WHEN i % 2 = 0 THEN 100000 ELSE 13000 END, 'USD', \
                    DATE '2022-01-01' + (i % 1000)::int, CURRENT_TIMESTAMP \
             FROM generate_series(0, {last}) AS i"
        ),
        _ => format!(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {last}) \
             INSERT INTO ledger_entries ({columns}) \
             SELECT printf('01900002-0000-7000-8000-%012d', i), '{fund}', \
                    CASE WHEN i % 2 = 0 THEN 'receipt' ELSE 'support_cost' END, '{donor}', \
                    CASE WHEN i % 2 = 0 THEN 100000 ELSE 13000 END, 'USD', '1', \
                    CASE WHEN i % 2 = 0 THEN 100000 ELSE 13000 END, 'USD', \
                    date('2022-01-01', '+' || (i % 1000) || ' days'), CURRENT_TIMESTAMP \
             FROM n"
        ),
    };
    if n > 0 {
        diesel::sql_query(sql).execute(conn).expect("bulk entries");
        // the fund-wide totals, as `ledger::post` moves them, for the bulk entries only
        diesel::sql_query(format!(
            "UPDATE ledger_totals SET \
               amount_minor = amount_minor + (SELECT CAST(SUM(amount_minor) AS BIGINT) FROM ledger_entries e \
                 WHERE e.fund_id = '{fund}' AND e.id LIKE '01900002-%' AND e.kind = CASE ledger_totals.bucket WHEN 'received' THEN 'receipt' ELSE 'support_cost' END), \
               base_amount_minor = base_amount_minor + (SELECT CAST(SUM(base_amount_minor) AS BIGINT) FROM ledger_entries e \
                 WHERE e.fund_id = '{fund}' AND e.id LIKE '01900002-%' AND e.kind = CASE ledger_totals.bucket WHEN 'received' THEN 'receipt' ELSE 'support_cost' END), \
               entry_count = entry_count + (SELECT COUNT(*) FROM ledger_entries e \
                 WHERE e.fund_id = '{fund}' AND e.id LIKE '01900002-%' AND e.kind = CASE ledger_totals.bucket WHEN 'received' THEN 'receipt' ELSE 'support_cost' END) \
             WHERE fund_id = '{fund}' AND bucket IN ('received', 'support_cost')"
        ))
        .execute(conn)
        .expect("running totals");
    }
    if matches!(conn, DbConn::Postgres(_)) {
        diesel::sql_query("ANALYZE").execute(conn).expect("analyze");
    }
}

/// Runs `check` inside a write transaction that is always rolled back, `RUNS` times.
fn time(
    pool: &DbPool,
    label: &str,
    check: impl Fn(&mut DbConn) -> Result<(), AppError>,
    expect_ok: bool,
) {
    let mut conn = pool.get().expect("connection");
    let mut samples = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let started = Instant::now();
        let outcome: Result<(), AppError> = write_transaction(&mut conn, |conn| {
            let result = check(conn);
            assert_eq!(result.is_ok(), expect_ok, "{label}: {result:?}");
            Err(AppError::internal("rolled back on purpose"))
        });
        samples.push(started.elapsed());
        assert!(outcome.is_err());
    }
    stats(label, samples);
}

fn main() {
    let entries: usize = std::env::var("ENTRIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().expect("temporary folder");
    let mut settings = Settings::load(None).expect("settings");
    settings.data_dir = dir.path().join("data");
    settings.database.url = std::env::var("TRUSTFUND_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}", dir.path().join("bench.db").display()));
    println!(
        "database: {}   cores: {}   load: {}",
        trustfund::db::mask_url(&settings.database.url),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
    let pool = trustfund::db::connect(
        &settings.database.url,
        &trustfund::db::PoolOptions {
            max_size: 2,
            connect_timeout: Duration::from_secs(5),
        },
    )
    .expect("database");
    trustfund::db::run_migrations(&pool).expect("migrations");
    let (fund, earmarks) = seed(&pool, entries);
    {
        let mut conn = pool.get().expect("connection");
        let count: i64 = {
            use diesel::prelude::*;
            use trustfund::db::schema::ledger_entries;
            ledger_entries::table
                .filter(ledger_entries::fund_id.eq(&fund))
                .count()
                .get_result(&mut conn)
                .expect("count")
        };
        let row = trustfund::funds::store::find(&mut conn, &fund)
            .expect("fund")
            .expect("fund");
        let status = trustfund::ledger::fund_status(
            &mut conn,
            &row,
            chrono::Utc::now().date_naive(),
            trustfund::exchange::MaxRateAge::days(3660),
        )
        .expect("status");
        println!(
            "the fund: {count} ledger entries, {} earmarks; available {} of which unrestricted {} USD",
            status.earmarks.len(),
            status.available,
            status.available_unrestricted
        );
    }

    let lock = |conn: &mut DbConn| {
        trustfund::ledger::lock_fund(conn, &fund)
            .and_then(|l| l.ok_or_else(|| AppError::not_found("fund")))
    };
    time(
        &pool,
        "lock and running totals (the check before earmarks)",
        |conn| {
            let lock = lock(conn)?;
            let totals = trustfund::ledger::store::totals(
                conn,
                &lock.fund.id,
                trustfund::ledger::store::WHOLE_FUND,
            )?;
            let available = trustfund::ledger::rules::available(
                &trustfund::ledger::rules::base_figures(&totals),
            );
            std::hint::black_box(available);
            Ok(())
        },
        true,
    );
    let (theme, country) = (earmarks[21].clone(), earmarks[60].clone());
    let served = (vec![country.clone()], vec![theme.clone()]);
    let unserved = (
        vec!["ZZ".to_string()],
        vec!["partnership.data-unused".to_string()],
    );
    let plan = |scope: &(Vec<String>, Vec<String>), minor: i64| {
        let scope = scope.clone();
        let lock = &lock;
        move |conn: &mut DbConn| {
            let lock = lock(conn)?;
            let draws = trustfund::earmarks::plan_approval(
                conn,
                &lock,
                Scope {
                    countries: &scope.0,
                    themes: &scope.1,
                },
                Money::from_minor(minor, Currency::USD),
            )?;
            std::hint::black_box(draws);
            Ok(())
        }
    };
    time(
        &pool,
        &format!("earmark check, served by {theme} and {country}"),
        plan(&served, 15_000_000),
        true,
    );
    time(
        &pool,
        "earmark check, served by no earmark",
        plan(&unserved, 15_000_000),
        true,
    );
    time(
        &pool,
        "earmark check, refused (409 insufficient_funds)",
        plan(&served, i64::MAX / 4),
        false,
    );
}
