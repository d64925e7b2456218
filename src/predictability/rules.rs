//! Predictability of aid (the Paris Declaration's indicator): what donors pledged against
//! what arrived and when, and what grants planned against what was paid and when. Pure
//! arithmetic over facts read from the pledges, contributions, instalments and
//! disbursements already held; amounts stay in their own currency (a pledge is paid in its
//! currency, an instalment in its grant's), so nothing is converted and nothing rounds.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;

use crate::money::{Currency, Money};

/// A pledge (not cancelled) with the money received against it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PledgeFact {
    pub donor_id: String,
    pub donor_name: String,
    pub currency: Currency,
    pub amount_minor: i64,
    pub pledged_on: NaiveDate,
    pub due_on: Option<NaiveDate>,
    /// (received on, amount) of each contribution against it.
    pub receipts: Vec<(NaiveDate, i64)>,
}

/// Money received from a donor without a pledge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnpledgedFact {
    pub donor_id: String,
    pub donor_name: String,
    pub currency: Currency,
    pub amount_minor: i64,
    pub received_on: NaiveDate,
}

/// One donor's year in one currency: `GET /funds/{id}/predictability/donors`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct DonorYear {
    pub donor_id: String,
    pub donor_name: String,
    /// The year the pledges were made (unpledged money: the year it arrived).
    pub year: i32,
    #[schema(value_type = String, example = "USD")]
    pub currency: Currency,
    pub pledges: i64,
    pub pledged: String,
    /// Received against this year's pledges, whenever it arrived.
    pub received_against_pledges: String,
    /// Of that, received by each pledge's due date (by the end of its year when it has none).
    pub received_by_due_date: String,
    pub outstanding: String,
    /// Pledges whose due date (or year end) has passed without being paid in full by then.
    pub pledges_late: i64,
    /// Days from due date to the day a late pledge was paid in full (or to today while it
    /// is not), averaged over the late pledges; absent when none is late.
    pub average_days_late: Option<i64>,
    /// Received in the year without a pledge.
    pub received_unpledged: String,
    #[schema(value_type = Option<String>, format = Date)]
    pub first_received_on: Option<NaiveDate>,
    #[schema(value_type = Option<String>, format = Date)]
    pub last_received_on: Option<NaiveDate>,
}

/// The day a pledge should have been paid by: its due date, else the end of its year.
pub fn deadline(pledge: &PledgeFact) -> NaiveDate {
    pledge.due_on.unwrap_or_else(|| {
        NaiveDate::from_ymd_opt(pledge.pledged_on.year(), 12, 31).unwrap_or(pledge.pledged_on)
    })
}

/// The day the pledge was paid in full, if it was: receipts in date order until they
/// reach its amount.
pub fn paid_in_full_on(pledge: &PledgeFact) -> Option<NaiveDate> {
    let mut receipts = pledge.receipts.clone();
    receipts.sort();
    let mut sum = 0i64;
    for (day, amount) in receipts {
        sum += amount;
        if sum >= pledge.amount_minor {
            return Some(day);
        }
    }
    None
}

struct Sums {
    currency: Currency,
    name: String,
    pledges: i64,
    pledged: i64,
    received: i64,
    by_due: i64,
    late: i64,
    days_late: i64,
    unpledged: i64,
    first: Option<NaiveDate>,
    last: Option<NaiveDate>,
}

impl Sums {
    fn new(currency: Currency) -> Self {
        Sums {
            currency,
            name: String::new(),
            pledges: 0,
            pledged: 0,
            received: 0,
            by_due: 0,
            late: 0,
            days_late: 0,
            unpledged: 0,
            first: None,
            last: None,
        }
    }

    fn saw(&mut self, day: NaiveDate) {
        self.first = Some(self.first.map_or(day, |d| d.min(day)));
        self.last = Some(self.last.map_or(day, |d| d.max(day)));
    }
}

/// Per donor, year and currency, sorted by donor name, year and currency.
pub fn donor_years(
    pledges: &[PledgeFact],
    unpledged: &[UnpledgedFact],
    today: NaiveDate,
) -> Vec<DonorYear> {
    // keyed by the currency's code: a currency has no order of its own
    let mut rows: BTreeMap<(String, i32, &'static str), Sums> = BTreeMap::new();
    for p in pledges {
        let key = (p.donor_id.clone(), p.pledged_on.year(), p.currency.code());
        let sums = rows.entry(key).or_insert_with(|| Sums::new(p.currency));
        sums.name.clone_from(&p.donor_name);
        sums.pledges += 1;
        sums.pledged += p.amount_minor;
        let due = deadline(p);
        for (day, amount) in &p.receipts {
            sums.received += amount;
            if *day <= due {
                sums.by_due += amount;
            }
            sums.saw(*day);
        }
        match paid_in_full_on(p) {
            Some(day) if day > due => {
                sums.late += 1;
                sums.days_late += (day - due).num_days();
            }
            None if today > due => {
                sums.late += 1;
                sums.days_late += (today - due).num_days();
            }
            _ => {}
        }
    }
    for u in unpledged {
        let key = (u.donor_id.clone(), u.received_on.year(), u.currency.code());
        let sums = rows.entry(key).or_insert_with(|| Sums::new(u.currency));
        sums.name.clone_from(&u.donor_name);
        sums.unpledged += u.amount_minor;
        sums.saw(u.received_on);
    }
    let mut out: Vec<DonorYear> = rows
        .into_iter()
        .map(|((donor_id, year, _), s)| {
            let currency = s.currency;
            let shown = |minor: i64| Money::from_minor(minor, currency).amount_string();
            DonorYear {
                donor_id,
                donor_name: s.name,
                year,
                currency,
                pledges: s.pledges,
                pledged: shown(s.pledged),
                received_against_pledges: shown(s.received),
                received_by_due_date: shown(s.by_due),
                outstanding: shown((s.pledged - s.received).max(0)),
                pledges_late: s.late,
                average_days_late: (s.late > 0).then(|| s.days_late / s.late),
                received_unpledged: shown(s.unpledged),
                first_received_on: s.first,
                last_received_on: s.last,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        (a.donor_name.as_str(), a.year, a.currency.code()).cmp(&(
            b.donor_name.as_str(),
            b.year,
            b.currency.code(),
        ))
    });
    out
}

/// An instalment of a grant with the payments made on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstalmentFact {
    pub grant_id: String,
    pub reference: String,
    pub grantee: String,
    pub currency: Currency,
    pub position: i32,
    pub due_on: NaiveDate,
    pub amount_minor: i64,
    pub condition: String,
    /// (paid on, amount) of each paid disbursement of it.
    pub payments: Vec<(NaiveDate, i64)>,
}

/// Where an instalment stands against its plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InstalmentState {
    /// Paid in full on or before its planned day.
    PaidOnTime,
    /// Paid in full after its planned day.
    PaidLate,
    /// Its planned day has passed and it is not paid in full.
    Overdue,
    /// Its planned day has not come.
    NotYetDue,
}

/// One instalment planned against paid: `GET /funds/{id}/predictability/grants`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct InstalmentLine {
    pub grant_id: String,
    pub reference: String,
    pub grantee: String,
    /// Its place in the plan, 1 for the first.
    pub instalment: i32,
    #[schema(value_type = String, example = "USD")]
    pub currency: Currency,
    #[schema(value_type = String, format = Date)]
    pub planned_on: NaiveDate,
    pub planned: String,
    /// What its release waits for (`on_signature`, `on_report_accepted`).
    pub condition: String,
    pub paid: String,
    /// The day it was paid in full (or the last payment so far).
    #[schema(value_type = Option<String>, format = Date)]
    pub paid_on: Option<NaiveDate>,
    pub state: InstalmentState,
    /// Days after the planned day that it was paid in full, or that it is still unpaid
    /// (0 when on time or not yet due).
    pub days_late: i64,
}

pub fn instalment_lines(facts: &[InstalmentFact], today: NaiveDate) -> Vec<InstalmentLine> {
    let mut lines: Vec<InstalmentLine> = facts
        .iter()
        .map(|f| {
            let mut payments = f.payments.clone();
            payments.sort();
            let paid: i64 = payments.iter().map(|(_, a)| a).sum();
            let mut running = 0;
            let full_on = payments.iter().find_map(|(day, amount)| {
                running += amount;
                (running >= f.amount_minor).then_some(*day)
            });
            let (state, days_late) = match full_on {
                Some(day) if day <= f.due_on => (InstalmentState::PaidOnTime, 0),
                Some(day) => (InstalmentState::PaidLate, (day - f.due_on).num_days()),
                None if today > f.due_on => {
                    (InstalmentState::Overdue, (today - f.due_on).num_days())
                }
                None => (InstalmentState::NotYetDue, 0),
            };
            let shown = |minor: i64| Money::from_minor(minor, f.currency).amount_string();
            InstalmentLine {
                grant_id: f.grant_id.clone(),
                reference: f.reference.clone(),
                grantee: f.grantee.clone(),
                instalment: f.position,
                currency: f.currency,
                planned_on: f.due_on,
                planned: shown(f.amount_minor),
                condition: f.condition.clone(),
                paid: shown(paid),
                paid_on: full_on.or_else(|| payments.last().map(|(d, _)| *d)),
                state,
                days_late,
            }
        })
        .collect();
    lines.sort_by(|a, b| (&a.reference, a.instalment).cmp(&(&b.reference, b.instalment)));
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    fn pledge(
        amount: i64,
        pledged_on: NaiveDate,
        due_on: Option<NaiveDate>,
        receipts: &[(NaiveDate, i64)],
    ) -> PledgeFact {
        PledgeFact {
            donor_id: "lux".into(),
            donor_name: "Luxembourg".into(),
            currency: Currency::USD,
            amount_minor: amount,
            pledged_on,
            due_on,
            receipts: receipts.to_vec(),
        }
    }

    #[test]
    fn a_pledge_paid_in_two_parts_after_its_due_date_is_late_by_the_days_of_the_last_part() {
        let p = pledge(
            100_000,
            day(2025, 1, 10),
            Some(day(2025, 6, 30)),
            &[(day(2025, 5, 1), 60_000), (day(2025, 7, 10), 40_000)],
        );
        let rows = donor_years(&[p], &[], day(2026, 1, 1));
        assert_eq!(rows.len(), 1);
        let r = &rows[0];
        assert_eq!(
            (
                r.pledged.as_str(),
                r.received_against_pledges.as_str(),
                r.received_by_due_date.as_str(),
                r.outstanding.as_str()
            ),
            ("1000.00", "1000.00", "600.00", "0.00")
        );
        assert_eq!((r.pledges_late, r.average_days_late), (1, Some(10)));
        assert_eq!(
            (r.first_received_on, r.last_received_on),
            (Some(day(2025, 5, 1)), Some(day(2025, 7, 10)))
        );
    }

    #[test]
    fn an_unpaid_pledge_without_due_date_is_late_after_its_year_and_unpledged_money_counts_apart() {
        let p = pledge(50_000, day(2025, 3, 1), None, &[]);
        let u = UnpledgedFact {
            donor_id: "lux".into(),
            donor_name: "Luxembourg".into(),
            currency: Currency::USD,
            amount_minor: 7_500,
            received_on: day(2025, 8, 1),
        };
        let during = donor_years(
            std::slice::from_ref(&p),
            std::slice::from_ref(&u),
            day(2025, 12, 31),
        );
        assert_eq!(during[0].pledges_late, 0, "its year has not ended");
        let after = donor_years(&[p], &[u], day(2026, 1, 31));
        assert_eq!(
            (after[0].pledges_late, after[0].average_days_late),
            (1, Some(31))
        );
        assert_eq!(after[0].received_unpledged, "75.00");
        assert_eq!(after[0].outstanding, "500.00");
    }

    #[test]
    fn instalments_are_on_time_late_overdue_or_not_yet_due() {
        let fact =
            |position: i32, due_on: NaiveDate, payments: &[(NaiveDate, i64)]| InstalmentFact {
                grant_id: "g".into(),
                reference: "F-2025-00001".into(),
                grantee: "Hope".into(),
                currency: Currency::USD,
                position,
                due_on,
                amount_minor: 10_000,
                condition: "on_signature".into(),
                payments: payments.to_vec(),
            };
        let today = day(2025, 12, 1);
        let lines = instalment_lines(
            &[
                fact(3, day(2026, 3, 1), &[]),
                fact(1, day(2025, 3, 1), &[(day(2025, 2, 20), 10_000)]),
                fact(
                    2,
                    day(2025, 6, 1),
                    &[(day(2025, 6, 5), 4_000), (day(2025, 6, 11), 6_000)],
                ),
                fact(4, day(2025, 11, 1), &[(day(2025, 11, 3), 2_000)]),
            ],
            today,
        );
        let seen: Vec<(i32, InstalmentState, i64, &str)> = lines
            .iter()
            .map(|l| (l.instalment, l.state, l.days_late, l.paid.as_str()))
            .collect();
        assert_eq!(
            seen,
            vec![
                (1, InstalmentState::PaidOnTime, 0, "100.00"),
                (2, InstalmentState::PaidLate, 10, "100.00"),
                (3, InstalmentState::NotYetDue, 0, "0.00"),
                (4, InstalmentState::Overdue, 30, "20.00"),
            ]
        );
    }

    proptest! {
        /// However pledges are paid, what arrived by the due date never exceeds what
        /// arrived, and outstanding plus received covers what was pledged.
        #[test]
        fn the_donor_figures_add_up(
            amount in 1i64..1_000_000,
            parts in proptest::collection::vec((0i64..400, 1i64..500_000), 0..6),
            due_offset in 0i64..400,
        ) {
            let start = day(2024, 1, 1);
            let receipts: Vec<(NaiveDate, i64)> = parts
                .iter()
                .map(|(offset, a)| (start + chrono::Duration::days(*offset), *a))
                .collect();
            let p = pledge(amount, start, Some(start + chrono::Duration::days(due_offset)), &receipts);
            let r = &donor_years(&[p], &[], day(2026, 1, 1))[0];
            let minor = |s: &str| s.replace('.', "").parse::<i64>().expect("amount");
            let received: i64 = parts.iter().map(|(_, a)| a).sum();
            prop_assert_eq!(minor(&r.received_against_pledges), received);
            prop_assert!(minor(&r.received_by_due_date) <= received);
            prop_assert_eq!(minor(&r.outstanding), (amount - received).max(0));
            prop_assert_eq!(r.pledges_late == 1, received < amount || minor(&r.received_by_due_date) < amount);
        }
    }
}
