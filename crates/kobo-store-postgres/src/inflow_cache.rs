//! Per-batch memo of house accounts and fee schedules. House accounts never
//! change once a business exists; fee schedules are read once per batch.

use std::collections::{HashMap, HashSet};

use kobo_core::ledger::FeeSchedule;
use kobo_core::{Kobo, Mode};
use kobo_store::{Scope, StoreError, StoreResult};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};

use crate::error::map;

#[derive(Default)]
pub(crate) struct Cache {
    house: HashMap<(i64, Mode), House>,
    fees: HashMap<(i64, Mode), FeeSchedule>,
    loaded: HashSet<i64>,
}

/// The house accounts of one business and mode.
pub(crate) use kobo_store::HouseAccounts as House;

impl Cache {
    /// Loads the house accounts of these businesses (both modes) in one query.
    pub async fn load_houses(
        &mut self,
        conn: &mut PgConnection,
        business_ids: &[i64],
    ) -> StoreResult<()> {
        let wanted: Vec<i64> = business_ids
            .iter()
            .copied()
            .filter(|b| !self.loaded.contains(b))
            .collect();
        if wanted.is_empty() {
            return Ok(());
        }
        self.loaded.extend(&wanted);
        let rows: Vec<(i64, String, String, i64)> = sqlx::query_as(
            "SELECT business_id, mode, kind, ledger_account_id FROM ledger_account
             WHERE business_id = ANY($1)
               AND kind IN ('settlement', 'suspense', 'fee_revenue', 'vat_payable')",
        )
        .bind(&wanted)
        .fetch_all(&mut *conn)
        .await
        .map_err(map)?;
        self.put_houses(&rows);
        Ok(())
    }

    /// The house accounts of one business and mode (loaded by `load_houses`).
    pub fn house(&self, scope: Scope) -> StoreResult<House> {
        self.house
            .get(&(scope.business_id, scope.mode))
            .copied()
            .ok_or_else(|| StoreError::Internal("business has no house accounts".into()))
    }

    /// Keeps house accounts read elsewhere, as `(business_id, mode, kind,
    /// ledger_account_id)`: a business and mode with all four is known.
    pub fn put_houses(&mut self, rows: &[(i64, String, String, i64)]) {
        for (business_id, mode_text, _, _) in rows {
            let Some(mode) = Mode::parse(mode_text) else {
                continue;
            };
            let find = |kind: &str| {
                rows.iter()
                    .find(|(b, m, k, _)| b == business_id && m == mode_text && k == kind)
                    .map(|(_, _, _, id)| *id)
            };
            if let (Some(settlement), Some(suspense), Some(fee_revenue), Some(vat_payable)) = (
                find("settlement"),
                find("suspense"),
                find("fee_revenue"),
                find("vat_payable"),
            ) {
                let house = House {
                    settlement,
                    suspense,
                    fee_revenue,
                    vat_payable,
                };
                self.house.insert((*business_id, mode), house);
            }
        }
    }

    /// Keeps a fee schedule read elsewhere (no row: the default, no fee).
    pub fn put_fee(&mut self, scope: Scope, fee: FeeSchedule) {
        self.fees.insert((scope.business_id, scope.mode), fee);
    }

    /// A fee schedule read earlier in this batch.
    pub fn fee_loaded(&self, scope: Scope) -> Option<FeeSchedule> {
        self.fees.get(&(scope.business_id, scope.mode)).copied()
    }

    pub async fn fee_schedule(
        &mut self,
        conn: &mut PgConnection,
        scope: Scope,
    ) -> StoreResult<FeeSchedule> {
        if let Some(f) = self.fees.get(&(scope.business_id, scope.mode)) {
            return Ok(*f);
        }
        let row = sqlx::query(
            "SELECT basis_points, flat_kobo, cap_kobo FROM fee_schedule
             WHERE business_id = $1 AND mode = $2",
        )
        .bind(scope.business_id)
        .bind(scope.mode.as_str())
        .fetch_optional(&mut *conn)
        .await
        .map_err(map)?;
        let fee = row.as_ref().map(fee_from_row).unwrap_or_default();
        self.fees.insert((scope.business_id, scope.mode), fee);
        Ok(fee)
    }
}

fn fee_from_row(r: &PgRow) -> FeeSchedule {
    FeeSchedule {
        basis_points: r.get::<i64, _>("basis_points") as u32,
        flat: Kobo(r.get("flat_kobo")),
        cap: r.get::<Option<i64>, _>("cap_kobo").map(Kobo),
    }
}
