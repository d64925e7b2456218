//! The writes of money in, each run inside the caller's transaction: lock the fund, check,
//! write the rows and their ledger entries, record the audit events. Handlers, the demo
//! loader and tests share them.

use chrono::NaiveDate;
use serde::Serialize;

use super::model::{ContributionView, NewContribution, NewPledge, PledgeView, SplitView};
use super::rules::{self, PaymentCheck};
use super::store::{self, ContributionRow, PledgeRow};
use crate::audit;
use crate::auth::{Actor, CurrentUser};
use crate::change;
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::exchange;
use crate::ledger::{self, Conversion, FundLock, NewEntry, rules::EntryKind};
use crate::money::Money;

fn locked_fund(conn: &mut DbConn, fund_id: &str) -> AppResult<FundLock> {
    ledger::lock_fund(conn, fund_id)?.ok_or_else(|| AppError::not_found("fund"))
}

/// Money is not dated before its fund was set up (422 naming `field`).
fn not_before_set_up(lock: &FundLock, field: &str, day: NaiveDate) -> AppResult<()> {
    match crate::platform::dates::not_before(
        field,
        day,
        lock.fund.established_on,
        "the fund was set up",
    ) {
        Some(error) => Err(AppError::validation(vec![error])),
        None => Ok(()),
    }
}

fn require_donor(
    conn: &mut DbConn,
    donor_id: &str,
) -> AppResult<crate::organisations::store::OrganisationRow> {
    let donor = crate::organisations::store::find(conn, donor_id)?
        .ok_or_else(|| AppError::field("donor_id", "no organisation has this id"))?;
    match crate::organisations::model::refusal_as_donor(donor.kind, donor.may_donate) {
        Some(reason) => Err(AppError::field("donor_id", reason)),
        None => Ok(donor),
    }
}

/// The template of the acknowledgement sent to a donor's users (see `templates/email/en/`).
pub const THANK_YOU_TEMPLATE: &str = "contribution_received";

/// What the thank-you email shows.
#[derive(Debug, Serialize)]
pub struct ThankYou {
    pub donor_name: String,
    pub fund_name: String,
    pub fund_code: String,
    pub amount: String,
    pub currency: String,
    pub received_on: NaiveDate,
    pub reference: String,
    pub base_amount: String,
    pub base_currency: String,
    pub exchange_rate: String,
    pub pledge_id: Option<String>,
    /// What the pledge still expects after this payment.
    pub pledge_outstanding: Option<String>,
    /// The part beyond the pledge, recorded as unpledged.
    pub unpledged: Option<String>,
    pub contribution_ids: Vec<String>,
    /// The fund's programme support cost as a percentage (`13`, `7.5`): what the fund keeps
    /// of each contribution to run itself, which the email says rather than "every cent".
    pub support_cost_percent: String,
}

/// Thanks every active user of the donor organisation, in the recording transaction.
fn thank_donor(
    conn: &mut DbConn,
    donor: &crate::organisations::store::OrganisationRow,
    context: &ThankYou,
) -> AppResult<()> {
    for user in crate::auth::store::members_of(conn, &donor.id)? {
        crate::notify::enqueue(
            conn,
            crate::notify::Email {
                to: user.email,
                template: THANK_YOU_TEMPLATE,
                context,
            },
        )?;
    }
    Ok(())
}

/// Records a pledge and its ledger entry.
pub fn record_pledge(
    conn: &mut DbConn,
    actor: &Actor,
    fund_id: &str,
    new: &NewPledge,
    today: NaiveDate,
) -> AppResult<PledgeView> {
    let lock = locked_fund(conn, fund_id)?;
    not_before_set_up(&lock, "pledged_on", new.pledged_on)?;
    require_donor(conn, &new.donor_id)?;
    let row = store::insert_pledge(conn, fund_id, new, actor.user_id.clone())?;
    ledger::post(
        conn,
        &lock,
        NewEntry {
            donor_id: Some(row.donor_id.clone()),
            pledge_id: Some(row.id.clone()),
            memo: row.event.clone(),
            recorded_by: actor.user_id.clone(),
            ..NewEntry::new(EntryKind::Pledge, new.amount, new.pledged_on)
        },
    )?;
    let view = store::pledge_view(conn, row, today)?;
    audit::created(conn, actor, crate::audit::Entity::Pledge, &view.id, &view)?;
    Ok(view)
}

/// Cancels a pledge nothing was paid against (a [`change::Command`] on [`PledgeRow`]): its
/// ledger entry is reversed.
#[derive(Debug, Clone)]
pub struct PledgeCancellation {
    pub reason: Option<String>,
    /// Who cancels, recorded on the reversal.
    pub by: Option<String>,
}

impl change::Entity for PledgeRow {
    const KIND: audit::Entity = audit::Entity::Pledge;
    /// The pledge's fund, locked first: the cancellation reverses its ledger entry.
    type Locks = FundLock;
    type View = PledgeView;
    type Id = crate::ids::PledgeId;

    fn lock(
        conn: &mut DbConn,
        _: &CurrentUser,
        id: &crate::ids::PledgeId,
    ) -> AppResult<(FundLock, PledgeRow)> {
        let fund_id = store::find_pledge(conn, id)?
            .ok_or_else(|| AppError::not_found("pledge"))?
            .fund_id;
        let lock = locked_fund(conn, &fund_id)?;
        // read again under the lock: a payment may have landed meanwhile
        let row =
            store::find_pledge_locked(conn, id)?.ok_or_else(|| AppError::not_found("pledge"))?;
        Ok((lock, row))
    }

    change::row_bookkeeping!();

    fn save(conn: &mut DbConn, before: &PledgeRow, after: &PledgeRow) -> AppResult<bool> {
        Ok(store::save_pledge(conn, before, after)?)
    }

    fn view(&self, conn: &mut DbConn) -> AppResult<PledgeView> {
        store::pledge_view(conn, self.clone(), crate::clock::today())
    }
}

impl change::Command<PledgeRow> for PledgeCancellation {
    fn action(&self) -> audit::Action {
        audit::Action::Cancel
    }

    fn decide(&self, conn: &mut DbConn, _: &FundLock, current: &PledgeRow) -> AppResult<PledgeRow> {
        let status = store::pledge_view(conn, current.clone(), crate::clock::today())?.status;
        rules::check_cancel(status)?;
        Ok(PledgeRow {
            cancelled_at: Some(crate::clock::now_naive()),
            cancellation_reason: self.reason.clone(),
            ..current.clone()
        })
    }

    fn effects(
        &self,
        conn: &mut DbConn,
        lock: &FundLock,
        _: &PledgeRow,
        after: &PledgeRow,
    ) -> AppResult<()> {
        let entry = ledger::store::open_pledge_entry(conn, &after.id)?.ok_or_else(|| {
            AppError::internal(format!("pledge {} has no open ledger entry", after.id))
        })?;
        let currency = ledger::model::parse_currency(&after.currency)?;
        ledger::post(
            conn,
            lock,
            NewEntry {
                reverses_id: Some(entry.id),
                donor_id: Some(after.donor_id.clone()),
                pledge_id: Some(after.id.clone()),
                memo: Some(match &self.reason {
                    Some(r) => format!("pledge cancelled: {r}"),
                    None => "pledge cancelled".to_string(),
                }),
                recorded_by: self.by.clone(),
                ..NewEntry::new(
                    EntryKind::Pledge,
                    Money::from_minor(-after.amount_minor, currency),
                    crate::clock::today().max(after.pledged_on),
                )
            },
        )?;
        Ok(())
    }
}

/// One receipt: the contribution row, its receipt entry and its support-cost entry.
struct Part<'a> {
    amount: Money,
    base: Money,
    pledge_id: Option<String>,
    split_of: Option<String>,
    chosen: exchange::ChosenRate,
    /// The earmark the whole payment carries (see `rules::contribution_earmark`).
    earmark: Option<String>,
    new: &'a NewContribution,
}

fn record_part(
    conn: &mut DbConn,
    actor: &Actor,
    lock: &FundLock,
    part: Part<'_>,
) -> AppResult<ContributionRow> {
    let support_cost = ledger::rules::support_cost(part.base, lock.support_cost_rate);
    let row = ContributionRow {
        id: uuid::Uuid::now_v7().to_string(),
        fund_id: lock.fund.id.clone(),
        donor_id: part.new.donor_id.clone(),
        pledge_id: part.pledge_id.clone(),
        split_of: part.split_of,
        amount_minor: part.amount.minor_units(),
        currency: part.amount.currency().code().to_string(),
        received_on: part.new.received_on,
        reference: part.new.reference.clone(),
        exchange_rate: part.chosen.rate.to_string(),
        rate_source: part.chosen.source,
        base_amount_minor: part.base.minor_units(),
        base_currency: lock.base_currency.code().to_string(),
        support_cost_rate: lock.support_cost_rate.to_string(),
        support_cost_minor: support_cost.minor_units(),
        version: 1,
        created_by: actor.user_id.clone(),
        created_at: ledger::store::now(),
        earmark: part.earmark,
    };
    store::insert_contribution(conn, &row)?;
    crate::earmarks::restrict(conn, &row)?;
    let common = NewEntry {
        donor_id: Some(row.donor_id.clone()),
        contribution_id: Some(row.id.clone()),
        memo: Some(row.reference.clone()),
        recorded_by: actor.user_id.clone(),
        ..NewEntry::new(EntryKind::Receipt, part.amount, row.received_on)
    };
    ledger::post(
        conn,
        lock,
        NewEntry {
            pledge_id: part.pledge_id,
            conversion: Some(Conversion {
                rate: part.chosen.rate,
                base: part.base,
            }),
            ..common.clone()
        },
    )?;
    if support_cost.is_positive() {
        ledger::post(
            conn,
            lock,
            NewEntry {
                kind: EntryKind::SupportCost,
                amount: support_cost,
                conversion: Some(Conversion {
                    rate: rust_decimal::Decimal::ONE,
                    base: support_cost,
                }),
                memo: Some(format!(
                    "programme support cost {} of {}",
                    lock.support_cost_rate, row.reference
                )),
                ..common
            },
        )?;
    }
    Ok(row)
}

/// What recording a contribution wrote: the contribution answered to the caller, and
/// every contribution row written (two when the payment was split).
pub struct Recorded {
    pub view: ContributionView,
    pub rows: Vec<ContributionRow>,
}

/// Records money received. Against a pledge it must be in the pledge's currency and not
/// dated before the pledge; what exceeds the pledge's outstanding amount becomes a separate
/// unpledged contribution. The base amount of the whole payment is converted once, so a
/// split neither creates nor loses a cent.
pub fn record_contribution(
    conn: &mut DbConn,
    actor: &Actor,
    fund_id: &str,
    new: &NewContribution,
    max_rate_age: exchange::MaxRateAge,
) -> AppResult<Recorded> {
    let lock = locked_fund(conn, fund_id)?;
    not_before_set_up(&lock, "received_on", new.received_on)?;
    let donor = require_donor(conn, &new.donor_id)?;
    let amount = new.amount;
    let (against, pledge) = match &new.pledge_id {
        None => (0, None),
        Some(pledge_id) => {
            let pledge = store::find_pledge(conn, pledge_id)?
                .filter(|p| p.fund_id == fund_id)
                .ok_or_else(|| {
                    AppError::field("pledge_id", "no pledge of this fund has this id")
                })?;
            let ledger = store::pledge_ledgers(conn, std::slice::from_ref(pledge_id))?
                .remove(pledge_id)
                .unwrap_or_default();
            rules::check_payment(&PaymentCheck {
                pledge_currency: &pledge.currency,
                currency: amount.currency().code(),
                pledge_donor: &pledge.donor_id,
                donor: &new.donor_id,
                pledged_on: pledge.pledged_on,
                received_on: new.received_on,
                status: rules::pledge_status(pledge.amount_minor, ledger),
            })?;
            let (against, _) = rules::split(amount.minor_units(), ledger.outstanding());
            (against, Some(pledge))
        }
    };
    let earmark = rules::contribution_earmark(
        new.earmark.as_deref(),
        pledge.as_ref().map(|p| p.earmark.as_deref()),
    )?;
    let excess = amount.minor_units() - against;
    let currency = amount.currency();
    let base_currency = lock.base_currency;
    let chosen = exchange::rate_for(
        conn,
        exchange::Conversion {
            currency,
            base: base_currency,
            day: new.received_on,
            field: "exchange_rate",
        },
        new.exchange_rate,
        max_rate_age,
    )?;
    let convert = |minor: i64| {
        Money::from_minor(minor, currency)
            .convert(chosen.rate, base_currency)
            .map_err(|e| AppError::field("exchange_rate", e.to_string()))
    };
    let total_base = convert(amount.minor_units())?;
    let against_base = convert(against)?;
    let excess_base = Money::from_minor(
        total_base.minor_units() - against_base.minor_units(),
        base_currency,
    );

    let mut rows = Vec::new();
    if against > 0 {
        rows.push(record_part(
            conn,
            actor,
            &lock,
            Part {
                amount: Money::from_minor(against, currency),
                base: against_base,
                pledge_id: pledge.as_ref().map(|p| p.id.clone()),
                split_of: None,
                chosen,
                earmark: earmark.clone(),
                new,
            },
        )?);
        if let Some(p) = &pledge {
            store::bump_pledge_version(conn, &p.id)?;
        }
    }
    if excess > 0 {
        let split_of = rows.first().map(|r| r.id.clone());
        rows.push(record_part(
            conn,
            actor,
            &lock,
            Part {
                amount: Money::from_minor(excess, currency),
                base: excess_base,
                pledge_id: None,
                split_of,
                chosen,
                earmark: earmark.clone(),
                new,
            },
        )?);
    }
    for row in &rows {
        let view = row.clone().into_view()?;
        audit::created(
            conn,
            actor,
            crate::audit::Entity::Contribution,
            &view.id,
            &view,
        )?;
    }
    let first = rows
        .first()
        .cloned()
        .ok_or_else(|| AppError::internal("a positive amount records a contribution"))?;
    let mut view = first.into_view()?;
    if let (Some(pledge), true) = (&pledge, excess > 0) {
        let unpledged = rows.last().map(|r| r.id.clone()).unwrap_or_default();
        view.split = Some(SplitView {
            pledge_id: pledge.id.clone(),
            requested_amount: amount.amount_string(),
            against_pledge: Money::from_minor(against, currency).amount_string(),
            unpledged: Money::from_minor(excess, currency).amount_string(),
            unpledged_contribution_id: unpledged,
        });
    }
    let pledge_outstanding = match &pledge {
        Some(p) => {
            let ledger = store::pledge_ledgers(conn, std::slice::from_ref(&p.id))?
                .remove(&p.id)
                .unwrap_or_default();
            Some(Money::from_minor(ledger.outstanding(), currency).amount_string())
        }
        None => None,
    };
    thank_donor(
        conn,
        &donor,
        &ThankYou {
            donor_name: donor.name.clone(),
            fund_name: lock.fund.name.clone(),
            fund_code: lock.fund.code.clone(),
            amount: amount.amount_string(),
            currency: currency.code().to_string(),
            received_on: new.received_on,
            reference: new.reference.clone(),
            base_amount: total_base.amount_string(),
            base_currency: base_currency.code().to_string(),
            exchange_rate: chosen.rate.to_string(),
            pledge_id: pledge.as_ref().map(|p| p.id.clone()),
            pledge_outstanding,
            unpledged: (pledge.is_some() && excess > 0)
                .then(|| Money::from_minor(excess, currency).amount_string()),
            contribution_ids: rows.iter().map(|r| r.id.clone()).collect(),
            support_cost_percent: (lock.support_cost_rate * rust_decimal::Decimal::ONE_HUNDRED)
                .normalize()
                .to_string(),
        },
    )?;
    Ok(Recorded { view, rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATES: &[&str] = &[
        include_str!("../../templates/email/en/contribution_received.subject"),
        include_str!("../../templates/email/en/contribution_received.txt"),
        include_str!("../../templates/email/en/contribution_received.html"),
    ];

    #[test]
    fn the_thank_you_templates_use_only_what_the_context_carries() {
        let context = serde_json::to_value(ThankYou {
            donor_name: String::new(),
            fund_name: String::new(),
            fund_code: String::new(),
            amount: String::new(),
            currency: String::new(),
            received_on: NaiveDate::MIN,
            reference: String::new(),
            base_amount: String::new(),
            base_currency: String::new(),
            exchange_rate: String::new(),
            pledge_id: None,
            pledge_outstanding: None,
            unpledged: None,
            contribution_ids: vec![],
            support_cost_percent: String::new(),
        })
        .expect("context serialises");
        for template in TEMPLATES {
            for piece in template
                .split("{{")
                .skip(1)
                .chain(template.split("{%").skip(1))
            {
                let expression = piece.split(['}', '%']).next().unwrap_or_default();
                for word in expression.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
                    if word.is_empty() || ["if", "endif", "else"].contains(&word) {
                        continue;
                    }
                    assert!(context.get(word).is_some(), "{word} is not in the context");
                }
            }
        }
    }
}
