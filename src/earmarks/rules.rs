//! Pure rules of earmarked money: which earmarks may pay for a grant, where an approval's
//! money comes from, and where money a grant gives back returns to. Amounts are minor
//! units of the fund's base currency.

use crate::error::{AppError, ErrorCode, FieldError};
use crate::money::{Currency, Money};

/// What a grant is for, as an earmark reads it.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    /// ISO 3166-1 alpha-2 codes.
    pub countries: &'a [String],
    /// Themes and sub-themes (`protection.shelter`).
    pub themes: &'a [String],
}

/// Whether money earmarked for `earmark` may pay for a grant of `scope`: the earmark is one
/// of its countries, one of its themes, or the theme above one of its sub-themes (money for
/// `protection` pays for `protection.shelter`; money for `protection.shelter` does not pay
/// for a grant that says only `protection`, which may be spent on something else).
pub fn serves(earmark: &str, scope: Scope<'_>) -> bool {
    scope.countries.iter().any(|c| c == earmark)
        || scope.themes.iter().any(|t| {
            t == earmark
                || t.strip_prefix(earmark)
                    .is_some_and(|rest| rest.starts_with('.'))
        })
}

/// One earmarked contribution's money that no grant has drawn yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pot {
    pub contribution_id: String,
    pub earmark: String,
    pub remaining: i64,
}

/// Where part of an approval's money comes from: an earmarked contribution, or the fund's
/// unrestricted money (`contribution_id` `None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draw {
    pub contribution_id: Option<String>,
    pub earmark: Option<String>,
    pub amount: i64,
}

/// Why an approval cannot be paid for, with the pots as they stood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shortfall {
    pub need: i64,
    /// Earmarked money this grant may use, and for which earmarks.
    pub matching: i64,
    pub matching_earmarks: Vec<String>,
    /// The fund's unrestricted money: what is available less everything still earmarked.
    pub unrestricted: i64,
    /// Money earmarked for other purposes, which this grant may not use.
    pub elsewhere: i64,
    pub elsewhere_earmarks: Vec<String>,
}

fn earmarks_of<'a>(pots: impl Iterator<Item = &'a Pot>) -> Vec<String> {
    let mut names: Vec<String> = pots.map(|p| p.earmark.clone()).collect();
    names.sort();
    names.dedup();
    names
}

/// Where the money of an approval of `need` comes from: first the earmarked pots that
/// serve the grant, in the order given (oldest money first), then the fund's unrestricted
/// money, which is what is available less everything still earmarked. Money earmarked for
/// something else is never used. `available` is the fund's whole available money.
pub fn plan(
    need: i64,
    available: i64,
    pots: &[Pot],
    scope: Scope<'_>,
) -> Result<Vec<Draw>, Shortfall> {
    let restricted: i64 = pots.iter().map(|p| p.remaining).sum();
    let unrestricted = available - restricted;
    let (serving, other): (Vec<&Pot>, Vec<&Pot>) = pots
        .iter()
        .filter(|p| p.remaining > 0)
        .partition(|p| serves(&p.earmark, scope));
    let matching: i64 = serving.iter().map(|p| p.remaining).sum();
    if need > matching + unrestricted.max(0) {
        return Err(Shortfall {
            need,
            matching,
            matching_earmarks: earmarks_of(serving.iter().copied()),
            unrestricted,
            elsewhere: other.iter().map(|p| p.remaining).sum(),
            elsewhere_earmarks: earmarks_of(other.iter().copied()),
        });
    }
    let mut left = need;
    let mut draws = Vec::new();
    for pot in serving {
        if left == 0 {
            break;
        }
        let take = pot.remaining.min(left);
        draws.push(Draw {
            contribution_id: Some(pot.contribution_id.clone()),
            earmark: Some(pot.earmark.clone()),
            amount: take,
        });
        left -= take;
    }
    if left > 0 {
        draws.push(Draw {
            contribution_id: None,
            earmark: None,
            amount: left,
        });
    }
    Ok(draws)
}

impl Shortfall {
    /// 409 `insufficient_funds` naming the pot that was short: the fund's unrestricted
    /// money, after every earmark this grant may use.
    pub fn into_error(self, base: Currency) -> AppError {
        let m = |minor: i64| Money::from_minor(minor, base);
        let list = |names: &[String]| {
            if names.is_empty() {
                String::new()
            } else {
                format!(" ({})", names.join(", "))
            }
        };
        let short = self.need - self.matching - self.unrestricted.max(0);
        let mut message = format!(
            "this approval needs {}: {} is earmarked for its countries or themes{} and {} is unrestricted, so unrestricted money is {} short",
            m(self.need),
            m(self.matching),
            list(&self.matching_earmarks),
            m(self.unrestricted.max(0)),
            m(short),
        );
        if self.elsewhere > 0 {
            message.push_str(&format!(
                "; {} more is earmarked for other purposes{} and cannot pay for it",
                m(self.elsewhere),
                list(&self.elsewhere_earmarks)
            ));
        }
        message.push_str("; defer it to the reserve list until money arrives");
        AppError::new(ErrorCode::InsufficientFunds, message).with_errors(vec![FieldError::new(
            "approved_amount",
            format!("unrestricted money is {} short", m(short)),
        )])
    }
}

/// Takes the earmarked draws of a plan out of the pots they came from (for a walk that
/// plans several approvals in turn, as the funding line does).
pub fn spend(pots: &mut [Pot], draws: &[Draw]) {
    for draw in draws {
        if let Some(id) = &draw.contribution_id
            && let Some(pot) = pots.iter_mut().find(|p| &p.contribution_id == id)
        {
            pot.remaining -= draw.amount;
        }
    }
}

/// A draw as it stands: what was taken and what has come back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Drawn {
    pub amount: i64,
    pub returned: i64,
}

/// Where `amount` a grant gives back (its unpaid part released, or a refund) returns:
/// to its draws in the reverse order of drawing, each up to what it still has out, so the
/// unrestricted part comes back first and earmarked money last (the grant used earmarked
/// money first). Returns what each draw gets back, in the draws' order; what exceeds
/// every draw stays with the fund's unrestricted money.
pub fn give_back(draws: &[Drawn], amount: i64) -> Vec<i64> {
    let mut back = vec![0; draws.len()];
    let mut left = amount.max(0);
    for (i, d) in draws.iter().enumerate().rev() {
        if left == 0 {
            break;
        }
        let out = (d.amount - d.returned).max(0);
        let take = out.min(left);
        back[i] = take;
        left -= take;
    }
    back
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn s(list: &[&str]) -> Vec<String> {
        list.iter().map(|x| x.to_string()).collect()
    }

    fn pot(id: &str, earmark: &str, remaining: i64) -> Pot {
        Pot {
            contribution_id: id.to_string(),
            earmark: earmark.to_string(),
            remaining,
        }
    }

    #[test]
    fn an_earmark_serves_its_country_its_theme_and_the_sub_themes_below_it() {
        let countries = s(&["KH", "TH"]);
        let themes = s(&["protection.shelter", "prevention"]);
        let scope = Scope {
            countries: &countries,
            themes: &themes,
        };
        assert!(serves("KH", scope));
        assert!(serves("protection", scope));
        assert!(serves("protection.shelter", scope));
        assert!(serves("prevention", scope));
        assert!(!serves("prevention.awareness", scope));
        assert!(!serves("NG", scope));
        assert!(!serves("prot", scope));
        assert!(!serves("protection.legal-aid", scope));
    }

    #[test]
    fn an_approval_draws_serving_earmarks_first_then_unrestricted_never_other_earmarks() {
        let countries = s(&["KH"]);
        let themes = s(&["protection.shelter"]);
        let scope = Scope {
            countries: &countries,
            themes: &themes,
        };
        let pots = vec![
            pot("a", "protection", 300),
            pot("b", "NG", 500),
            pot("c", "KH", 200),
        ];
        // available 1,500: 1,000 earmarked, 500 unrestricted
        let draws = plan(800, 1500, &pots, scope).expect("fits");
        assert_eq!(
            draws,
            vec![
                Draw {
                    contribution_id: Some("a".into()),
                    earmark: Some("protection".into()),
                    amount: 300
                },
                Draw {
                    contribution_id: Some("c".into()),
                    earmark: Some("KH".into()),
                    amount: 200
                },
                Draw {
                    contribution_id: None,
                    earmark: None,
                    amount: 300
                },
            ]
        );
        let short = plan(1001, 1500, &pots, scope).expect_err("NG money is not for this");
        assert_eq!(short.matching, 500);
        assert_eq!(short.unrestricted, 500);
        assert_eq!(short.elsewhere, 500);
        assert_eq!(short.elsewhere_earmarks, s(&["NG"]));
        let error = short.into_error(Currency::USD);
        assert_eq!(error.code, ErrorCode::InsufficientFunds);
        assert!(error.detail.contains("0.01 USD short"), "{}", error.detail);
        assert!(error.detail.contains("(NG)"), "{}", error.detail);
    }

    #[test]
    fn a_grant_gives_back_its_unrestricted_part_first() {
        let draws = [
            Drawn {
                amount: 300,
                returned: 0,
            },
            Drawn {
                amount: 200,
                returned: 0,
            },
        ];
        assert_eq!(give_back(&draws, 150), vec![0, 150]);
        assert_eq!(give_back(&draws, 350), vec![150, 200]);
        assert_eq!(give_back(&draws, 900), vec![300, 200]);
        let partly = [
            Drawn {
                amount: 300,
                returned: 0,
            },
            Drawn {
                amount: 200,
                returned: 200,
            },
        ];
        assert_eq!(give_back(&partly, 100), vec![100, 0]);
    }

    /// A fund's life as a sequence of operations on earmarked and unrestricted money.
    #[derive(Debug, Clone)]
    enum Op {
        /// Money received, earmarked for one of the earmarks or not.
        Receive { earmark: Option<usize>, amount: i64 },
        /// An approval for a grant of these countries and themes.
        Approve { scope: usize, amount: i64 },
        /// A grant gives back part of what it took.
        GiveBack { grant: usize, amount: i64 },
    }

    const EARMARKS: [&str; 4] = ["KH", "NG", "protection", "prevention.awareness"];

    /// A grant in the record: its scope and its draws as (pot, amount, returned).
    type Granted = (usize, Vec<(Option<usize>, i64, i64)>);

    fn scopes() -> Vec<(Vec<String>, Vec<String>)> {
        vec![
            (s(&["KH"]), s(&["protection.shelter"])),
            (s(&["NG"]), s(&["prevention"])),
            (s(&["TH"]), s(&["prevention.awareness", "protection"])),
            (s(&["BR"]), s(&["prosecution"])),
        ]
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (proptest::option::of(0..EARMARKS.len()), 1i64..5_000)
                .prop_map(|(earmark, amount)| Op::Receive { earmark, amount }),
            (0..4usize, 1i64..8_000).prop_map(|(scope, amount)| Op::Approve { scope, amount }),
            (0..20usize, 1i64..4_000).prop_map(|(grant, amount)| Op::GiveBack { grant, amount }),
        ]
    }

    proptest! {
        /// Runs the rules over a random life of a fund and checks every approval against a
        /// recomputation from the record of receipts and draws alone: no pot is overdrawn,
        /// no approval uses money earmarked for something else or unrestricted money while
        /// serving earmarked money is left, and what each pot and the unrestricted money
        /// hold is what was received less what was drawn plus what came back.
        #[test]
        fn approvals_never_spend_money_earmarked_for_something_else(ops in proptest::collection::vec(op(), 1..60)) {
            let scopes = scopes();
            // the record: receipts (earmark, amount), grants (scope, draws as (pot, amount, returned))
            let mut receipts: Vec<(Option<usize>, i64)> = Vec::new();
            let mut grants: Vec<Granted> = Vec::new();
            for op in ops {
                // what the rules are given: pots from the record, oldest first
                let remaining_of = |r: usize, grants: &[Granted]| {
                    let drawn: i64 = grants.iter().flat_map(|(_, d)| d.iter())
                        .filter(|(p, _, _)| *p == Some(r)).map(|(_, a, back)| a - back).sum();
                    receipts[r].1 - drawn
                };
                let pots: Vec<Pot> = receipts.iter().enumerate()
                    .filter_map(|(r, (e, _))| e.map(|e| pot(&r.to_string(), EARMARKS[e], remaining_of(r, &grants))))
                    .collect();
                let received: i64 = receipts.iter().map(|(_, a)| a).sum();
                let net_drawn: i64 = grants.iter().flat_map(|(_, d)| d.iter()).map(|(_, a, back)| a - back).sum();
                let available = received - net_drawn;
                match op {
                    Op::Receive { earmark, amount } => receipts.push((earmark, amount)),
                    Op::Approve { scope, amount } => {
                        let (countries, themes) = &scopes[scope];
                        let scope_ref = Scope { countries, themes };
                        let serving: i64 = pots.iter().filter(|p| serves(&p.earmark, scope_ref)).map(|p| p.remaining).sum();
                        let restricted: i64 = pots.iter().map(|p| p.remaining).sum();
                        let free = available - restricted;
                        prop_assert!(free >= 0, "unrestricted money went negative: {free}");
                        match plan(amount, available, &pots, scope_ref) {
                            Ok(draws) => {
                                prop_assert!(amount <= serving + free);
                                prop_assert_eq!(draws.iter().map(|d| d.amount).sum::<i64>(), amount);
                                let mut record = Vec::new();
                                for d in &draws {
                                    prop_assert!(d.amount > 0);
                                    match &d.contribution_id {
                                        Some(id) => {
                                            let r: usize = id.parse().expect("pot id");
                                            prop_assert!(serves(EARMARKS[receipts[r].0.expect("earmarked")], scope_ref));
                                            prop_assert!(d.amount <= remaining_of(r, &grants));
                                            record.push((Some(r), d.amount, 0));
                                        }
                                        None => {
                                            // unrestricted money only once serving money is spent
                                            prop_assert_eq!(amount - d.amount, serving.min(amount));
                                            prop_assert!(d.amount <= free);
                                            record.push((None, d.amount, 0));
                                        }
                                    }
                                }
                                grants.push((scope, record));
                            }
                            Err(short) => {
                                prop_assert!(amount > serving + free);
                                prop_assert_eq!(short.matching, serving);
                                prop_assert_eq!(short.unrestricted, free);
                            }
                        }
                    }
                    Op::GiveBack { grant, amount } => {
                        if let Some((_, draws)) = grants.get_mut(grant) {
                            let out: i64 = draws.iter().map(|(_, a, back)| a - back).sum();
                            let amount = amount.min(out);
                            let state: Vec<Drawn> = draws.iter().map(|(_, a, back)| Drawn { amount: *a, returned: *back }).collect();
                            let back = give_back(&state, amount);
                            prop_assert_eq!(back.iter().sum::<i64>(), amount);
                            for (d, b) in draws.iter_mut().zip(back) {
                                prop_assert!(d.2 + b <= d.1);
                                d.2 += b;
                            }
                        }
                    }
                }
            }
        }
    }
}
