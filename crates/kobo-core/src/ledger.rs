//! Ledger rules, independent of storage: a posting's lines must sum to zero,
//! arithmetic is checked, and the fee on an inflow is split into fee, VAT and
//! the net that reaches the customer.
//!
//! Sign convention: amounts are credit-positive. A customer's wallet (what the
//! business owes the customer) grows with positive entries; the settlement
//! account (money held at the bank) goes negative as money arrives.

use crate::Kobo;

/// Why a posting or a fee computation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    #[error("a journal's entries must sum to zero")]
    Unbalanced,
    #[error("a journal needs at least two non-zero entries")]
    TooFewLines,
    #[error("amount arithmetic overflowed")]
    Overflow,
    #[error("an account appears twice in one journal")]
    DuplicateAccount,
}

/// One entry of a journal: an account and a signed amount.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Line {
    pub account_id: i64,
    pub amount: Kobo,
    /// The customer the movement is attributed to, when any.
    pub customer_id: Option<i64>,
}

/// A journal checked to sum to zero, with its lines in account-id order (the
/// fixed order in which stores lock balances).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Posting {
    lines: Vec<Line>,
}

impl Posting {
    /// Checks `lines`: zero lines are dropped, at least two must remain, no
    /// account twice, and the sum (with checked arithmetic) must be zero.
    pub fn new(lines: Vec<Line>) -> Result<Posting, LedgerError> {
        let mut lines: Vec<Line> = lines
            .into_iter()
            .filter(|l| l.amount != Kobo::ZERO)
            .collect();
        if lines.len() < 2 {
            return Err(LedgerError::TooFewLines);
        }
        let mut sum = Kobo::ZERO;
        for line in &lines {
            sum = sum.checked_add(line.amount).ok_or(LedgerError::Overflow)?;
        }
        if sum != Kobo::ZERO {
            return Err(LedgerError::Unbalanced);
        }
        lines.sort_by_key(|l| l.account_id);
        if lines.windows(2).any(|w| w[0].account_id == w[1].account_id) {
            return Err(LedgerError::DuplicateAccount);
        }
        Ok(Posting { lines })
    }

    /// The lines, ordered by account id.
    pub fn lines(&self) -> &[Line] {
        &self.lines
    }
}

/// A business's fee on inflows: basis points of the gross plus a flat amount,
/// capped. The default is no fee.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FeeSchedule {
    pub basis_points: u32,
    pub flat: Kobo,
    /// `None`: no cap.
    pub cap: Option<Kobo>,
}

/// VAT on fees: 7.5%.
pub const VAT_PER_MILLE: i64 = 75;

/// How a gross inflow divides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FeeSplit {
    pub gross: Kobo,
    pub fee: Kobo,
    pub vat: Kobo,
    pub net: Kobo,
}

impl FeeSchedule {
    /// Splits `gross` (> 0). Rounding, all in integer kobo:
    /// - the percentage part is rounded down (in the customer's favour);
    /// - fee = min(percentage + flat, cap);
    /// - VAT = 7.5% of the fee, rounded half up;
    /// - if fee + VAT would exceed the gross, the fee shrinks so that
    ///   fee + VAT = gross and the net is zero (never negative).
    pub fn split(&self, gross: Kobo) -> Result<FeeSplit, LedgerError> {
        let g = gross.0 as i128;
        let percentage = g * self.basis_points as i128 / 10_000;
        let mut fee = percentage + self.flat.0 as i128;
        if let Some(cap) = self.cap {
            fee = fee.min(cap.0 as i128);
        }
        fee = fee.max(0);
        let mut vat = (fee * VAT_PER_MILLE as i128 + 500) / 1000;
        if fee + vat > g {
            fee = g * 1000 / (1000 + VAT_PER_MILLE as i128);
            vat = g - fee;
        }
        let to_kobo = |v: i128| {
            i64::try_from(v)
                .map(Kobo)
                .map_err(|_| LedgerError::Overflow)
        };
        let (fee, vat) = (to_kobo(fee)?, to_kobo(vat)?);
        let net = gross
            .checked_sub(fee)
            .and_then(|n| n.checked_sub(vat))
            .ok_or(LedgerError::Overflow)?;
        Ok(FeeSplit {
            gross,
            fee,
            vat,
            net,
        })
    }

    /// True when no fee is ever charged.
    pub fn is_free(&self) -> bool {
        self.basis_points == 0 && self.flat == Kobo::ZERO
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn line(account_id: i64, amount: i64) -> Line {
        Line {
            account_id,
            amount: Kobo(amount),
            customer_id: None,
        }
    }

    #[test]
    fn postings_must_balance() {
        assert!(Posting::new(vec![line(2, 100), line(1, -100)]).is_ok());
        assert_eq!(
            Posting::new(vec![line(1, 100), line(2, -99)]),
            Err(LedgerError::Unbalanced)
        );
        assert_eq!(
            Posting::new(vec![line(1, 100)]),
            Err(LedgerError::TooFewLines)
        );
        assert_eq!(
            Posting::new(vec![line(1, 0), line(2, 100), line(3, 0)]),
            Err(LedgerError::TooFewLines)
        );
        assert_eq!(
            Posting::new(vec![line(1, i64::MAX), line(2, 1), line(3, -1)]),
            Err(LedgerError::Overflow)
        );
        assert_eq!(
            Posting::new(vec![line(1, 5), line(1, -5)]),
            Err(LedgerError::DuplicateAccount)
        );
        let p = Posting::new(vec![line(9, -3), line(2, 1), line(5, 2)]).unwrap();
        let ids: Vec<i64> = p.lines().iter().map(|l| l.account_id).collect();
        assert_eq!(ids, vec![2, 5, 9], "lines come in lock order");
    }

    #[test]
    fn fee_examples() {
        let free = FeeSchedule::default();
        assert_eq!(free.split(Kobo(12_345)).unwrap().net, Kobo(12_345));
        // 1.5% + ₦10, capped at ₦2,000, on ₦10,000.00.
        let s = FeeSchedule {
            basis_points: 150,
            flat: Kobo(1_000),
            cap: Some(Kobo(200_000)),
        };
        let split = s.split(Kobo(1_000_000)).unwrap();
        assert_eq!(split.fee, Kobo(16_000));
        assert_eq!(split.vat, Kobo(1_200));
        assert_eq!(split.net, Kobo(1_000_000 - 17_200));
        // The cap applies.
        assert_eq!(s.split(Kobo(100_000_000)).unwrap().fee, Kobo(200_000));
        // VAT rounds half up: fee 10 kobo → VAT 0.75 → 1.
        let flat = FeeSchedule {
            basis_points: 0,
            flat: Kobo(10),
            cap: None,
        };
        assert_eq!(flat.split(Kobo(100)).unwrap().vat, Kobo(1));
        // A fee larger than the gross never makes the net negative.
        let huge = FeeSchedule {
            basis_points: 0,
            flat: Kobo(5_000),
            cap: None,
        };
        let tiny = huge.split(Kobo(100)).unwrap();
        assert_eq!(tiny.net, Kobo(0));
        assert_eq!(tiny.fee.0 + tiny.vat.0, 100);
    }

    proptest! {
        #[test]
        fn splits_always_add_up(gross in 1i64..=crate::money::MAX_REQUEST_KOBO,
                                bps in 0u32..=10_000, flat in 0i64..=1_000_000,
                                cap in proptest::option::of(0i64..=10_000_000)) {
            let s = FeeSchedule { basis_points: bps, flat: Kobo(flat), cap: cap.map(Kobo) };
            let split = s.split(Kobo(gross)).unwrap();
            prop_assert_eq!(split.fee.0 + split.vat.0 + split.net.0, gross);
            prop_assert!(split.fee.0 >= 0 && split.vat.0 >= 0 && split.net.0 >= 0);
            if let Some(c) = cap { prop_assert!(split.fee.0 <= c); }
            let posting = Posting::new(vec![
                line(1, -gross), line(2, split.net.0), line(3, split.fee.0), line(4, split.vat.0),
            ]);
            prop_assert!(posting.is_ok());
        }
    }
}
