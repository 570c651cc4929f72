//! The customers list: filters, search, page or cursor, and the total.

use kobo_store::*;
use sqlx::PgPool;

use crate::customers::{from_row, SELECT};
use crate::error::map;

/// `$1` business, `$2` mode, `$3` type, `$4` status, `$5` search pattern.
/// Optional filters are typed (`$3::text IS NULL`): PostgreSQL cannot infer
/// the type of a parameter that is only tested for NULL.
const FILTER: &str = "c.business_id = $1 AND c.mode = $2
    AND ($3::text IS NULL OR c.customer_type = $3)
    AND ($4::text IS NULL OR c.status = $4)
    AND ($5::text IS NULL OR c.search_text LIKE $5 ESCAPE '\\')";

pub(crate) async fn list(
    pool: &PgPool,
    scope: Scope,
    q: &CustomerQuery,
) -> StoreResult<CustomerPage> {
    // Matched against the folded search key, so case and Unicode form do not
    // matter; both sides are folded by the same Rust code as in SQLite.
    let search = q
        .search
        .as_ref()
        .map(|s| format!("%{}%", escape_like(&kobo_core::validate::search_fold(s))));
    let sql = format!(
        "{SELECT} WHERE {FILTER} AND c.customer_id < COALESCE($6::bigint, 9223372036854775807)
         ORDER BY c.customer_id DESC LIMIT $7 OFFSET $8"
    );
    let rows = sqlx::query(&sql)
        .bind(scope.business_id)
        .bind(scope.mode.as_str())
        .bind(q.customer_type.map(|t| t.as_str()))
        .bind(q.status.map(|s| s.as_str()))
        .bind(&search)
        .bind(q.starting_after)
        .bind(q.limit as i64)
        .bind(q.offset as i64)
        .fetch_all(pool)
        .await
        .map_err(map)?;
    let items = rows.iter().map(from_row).collect::<StoreResult<Vec<_>>>()?;
    let unfiltered = q.customer_type.is_none() && q.status.is_none() && search.is_none();
    let total: i64 = if unfiltered {
        sqlx::query_scalar(
            "SELECT COALESCE(SUM(total), 0)::BIGINT FROM customer_count
             WHERE business_id = $1 AND mode = $2",
        )
        .bind(scope.business_id)
        .bind(scope.mode.as_str())
        .fetch_one(pool)
        .await
        .map_err(map)?
    } else {
        sqlx::query_scalar(&format!("SELECT COUNT(*) FROM customer c WHERE {FILTER}"))
            .bind(scope.business_id)
            .bind(scope.mode.as_str())
            .bind(q.customer_type.map(|t| t.as_str()))
            .bind(q.status.map(|s| s.as_str()))
            .bind(&search)
            .fetch_one(pool)
            .await
            .map_err(map)?
    };
    Ok(CustomerPage {
        items,
        total: total.max(0) as u64,
    })
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}
