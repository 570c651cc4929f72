//! Query parameters, as documentation types. Handlers read the query string by
//! hand (`http::query::QueryParams`) so a bad value answers the envelope; an
//! empty value counts as absent.

use chrono::NaiveDate;
use utoipa::IntoParams;

use super::requests::{CustomerStatusIn, CustomerTypeIn};

/// Paging shared by every list (`http::paging`).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PagingParams {
    /// Page number from 1; pages reach the first 10,000 rows (`page × per_page`), past that
    /// 400 `page_too_deep`.
    #[param(minimum = 1, maximum = 4294967295_u64, example = 1)]
    pub page: Option<u64>,
    /// Rows per page, 1 to 100; default 15.
    #[param(minimum = 1, maximum = 100, example = 15)]
    pub per_page: Option<u64>,
    /// The `next_cursor` of the previous page: walks any depth by id (then `current_page`,
    /// `last_page`, `from` and `to` are `null`).
    #[param(minimum = 1, example = 42)]
    pub starting_after: Option<i64>,
}

/// Filters of `GET /customers`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CustomerFilters {
    /// Substring of name, email, phone or reference; at most 100 characters.
    #[param(max_length = 100, example = "wale")]
    pub search: Option<String>,
    #[param(rename = "type", inline)]
    pub customer_type: Option<CustomerTypeIn>,
    #[param(inline)]
    pub status: Option<CustomerStatusIn>,
}

/// Filters of `GET /customers/{identifier}/transactions`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TransactionFilters {
    #[param(rename = "type", inline)]
    pub kind: Option<MovementTypeIn>,
    /// First day included (Africa/Lagos).
    pub from: Option<NaiveDate>,
    /// Last day included (Africa/Lagos); not before `from`.
    pub to: Option<NaiveDate>,
}

/// `deposit` or `withdrawal`.
#[derive(utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum MovementTypeIn {
    Deposit,
    Withdrawal,
}

/// Parameters of `GET /customers/{identifier}/statement`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatementParams {
    /// First day included (Africa/Lagos).
    pub from: NaiveDate,
    /// Last day included (Africa/Lagos); not before `from`.
    pub to: NaiveDate,
    #[param(inline)]
    pub format: Option<StatementFormat>,
}

/// `json` (default) or `csv`.
#[derive(utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum StatementFormat {
    Json,
    Csv,
}

/// Filter of `GET /inflows`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InflowFilters {
    #[param(inline)]
    pub status: Option<InflowStatusIn>,
}

/// `credited` or `suspense`.
#[derive(utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum InflowStatusIn {
    Credited,
    Suspense,
}

/// Filter of `GET /webhooks/events`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WebhookEventFilters {
    #[param(inline)]
    pub status: Option<WebhookEventStatusIn>,
}

/// `pending`, `delivered` or `failed`.
#[derive(utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum WebhookEventStatusIn {
    Pending,
    Delivered,
    Failed,
}
