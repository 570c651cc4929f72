//! The rules every engine applies to a new inflow, written once: why it is
//! held in suspense, and how its money is split and posted. Engines read the
//! facts from their own rows and call these; they never decide themselves.

use kobo_core::ledger::{FeeSchedule, FeeSplit, Line};
use kobo_core::{Kobo, Mode};

use crate::{InflowStatus, StoreError, StoreResult};

/// A business's house accounts in one mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HouseAccounts {
    pub settlement: i64,
    pub suspense: i64,
    pub fee_revenue: i64,
    pub vat_payable: i64,
}

impl HouseAccounts {
    pub fn ids(&self) -> [i64; 4] {
        [
            self.settlement,
            self.suspense,
            self.fee_revenue,
            self.vat_payable,
        ]
    }
}

/// What is known of the account an inflow was paid to.
#[derive(Clone, Copy, Debug)]
pub struct Landing<'a> {
    /// The mode the account number belongs to (as stored).
    pub account_mode: &'a str,
    /// The mode of the door the money came through.
    pub door_mode: Mode,
    pub account_active: bool,
    /// A one-time account past its window.
    pub one_time_expired: bool,
    pub customer_active: bool,
    /// A collection customer whose collection wallet is gone.
    pub collection_without_wallet: bool,
}

/// Why the inflow is held in suspense, the first rule that applies; `None`:
/// it is credited.
pub fn suspense_reason(l: &Landing) -> Option<&'static str> {
    if l.account_mode != l.door_mode.as_str() {
        Some("wrong_mode")
    } else if !l.account_active {
        Some("account_inactive")
    } else if l.one_time_expired {
        // Past its window a one-time account takes no money (even once
        // approved): it is held for refund to the payer.
        Some("expired")
    } else if !l.customer_active {
        Some("customer_inactive")
    } else if l.collection_without_wallet {
        Some("no_collection_wallet")
    } else {
        None
    }
}

/// Where credited money goes, and the fee it pays on the way.
#[derive(Clone, Copy, Debug)]
pub struct Credit {
    pub account_id: i64,
    pub customer_id: i64,
    pub fee: FeeSchedule,
}

/// The status, split and journal lines of an inflow of `amount`: to `credit`
/// less fee and VAT when given, else all of it to suspense. Settlement always
/// gives the gross.
pub fn inflow_lines(
    amount: Kobo,
    house: HouseAccounts,
    credit: Option<Credit>,
) -> StoreResult<(InflowStatus, FeeSplit, Vec<Line>)> {
    let line = |account_id, amount, customer_id| Line {
        account_id,
        amount,
        customer_id,
    };
    let out = amount
        .checked_neg()
        .ok_or_else(|| StoreError::Internal("amount overflow".into()))?;
    Ok(match credit {
        None => (
            InflowStatus::Suspense,
            FeeSplit {
                gross: amount,
                fee: Kobo::ZERO,
                vat: Kobo::ZERO,
                net: amount,
            },
            vec![
                line(house.settlement, out, None),
                line(house.suspense, amount, None),
            ],
        ),
        Some(credit) => {
            let split = credit
                .fee
                .split(amount)
                .map_err(|e| StoreError::Internal(e.to_string()))?;
            let lines = vec![
                line(house.settlement, out, None),
                line(credit.account_id, split.net, Some(credit.customer_id)),
                line(house.fee_revenue, split.fee, None),
                line(house.vat_payable, split.vat, None),
            ];
            (InflowStatus::Credited, split, lines)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kobo_core::ledger::Posting;

    const HOUSE: HouseAccounts = HouseAccounts {
        settlement: 1,
        suspense: 2,
        fee_revenue: 3,
        vat_payable: 4,
    };

    fn fine() -> Landing<'static> {
        Landing {
            account_mode: "test",
            door_mode: Mode::Test,
            account_active: true,
            one_time_expired: false,
            customer_active: true,
            collection_without_wallet: false,
        }
    }

    #[test]
    fn the_first_rule_that_applies_names_the_reason() {
        assert_eq!(suspense_reason(&fine()), None);
        let all_wrong = Landing {
            account_mode: "live",
            account_active: false,
            one_time_expired: true,
            customer_active: false,
            collection_without_wallet: true,
            ..fine()
        };
        assert_eq!(suspense_reason(&all_wrong), Some("wrong_mode"));
        let mode_fixed = Landing {
            account_mode: "test",
            ..all_wrong
        };
        assert_eq!(suspense_reason(&mode_fixed), Some("account_inactive"));
        let active = Landing {
            account_active: true,
            ..mode_fixed
        };
        assert_eq!(suspense_reason(&active), Some("expired"));
        let in_window = Landing {
            one_time_expired: false,
            ..active
        };
        assert_eq!(suspense_reason(&in_window), Some("customer_inactive"));
        let customer = Landing {
            customer_active: true,
            ..in_window
        };
        assert_eq!(suspense_reason(&customer), Some("no_collection_wallet"));
    }

    #[test]
    fn both_destinations_balance_and_settlement_gives_the_gross() {
        let amount = Kobo(1_000_000);
        let (status, split, lines) = inflow_lines(amount, HOUSE, None).unwrap();
        assert_eq!(status, InflowStatus::Suspense);
        assert_eq!((split.gross, split.net), (amount, amount));
        assert!(Posting::new(lines).is_ok());
        let credit = Credit {
            account_id: 9,
            customer_id: 7,
            fee: FeeSchedule {
                basis_points: 100,
                flat: Kobo(5_000),
                cap: None,
            },
        };
        let (status, split, lines) = inflow_lines(amount, HOUSE, Some(credit)).unwrap();
        assert_eq!(status, InflowStatus::Credited);
        assert_eq!(split.gross.0, split.fee.0 + split.vat.0 + split.net.0);
        assert!(lines.contains(&Line {
            account_id: 9,
            amount: split.net,
            customer_id: Some(7)
        }));
        assert!(lines.contains(&Line {
            account_id: 1,
            amount: Kobo(-1_000_000),
            customer_id: None
        }));
        assert!(Posting::new(lines).is_ok());
    }
}
