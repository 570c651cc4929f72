//! `GET /api/v1/customers/{identifier}/balance`, from the ledger. For a
//! collection customer: the collection wallet's balance, plus what was
//! collected through this customer.

use axum::extract::{Path, State};
use axum::response::Response;
use kobo_core::money::Naira;
use kobo_core::Kobo;
use kobo_store::CustomerType;
use serde::Serialize;
use utoipa::ToSchema;

use crate::envelope;
use crate::error::{ApiError, ApiResult};
use crate::http::auth::Auth;
use crate::openapi::envelopes::{ErrorBody, Success};
use crate::state::AppState;

/// A balance, from the ledger.
#[derive(Serialize, ToSchema)]
pub struct BalanceOut {
    /// The customer's name, or the collection wallet's.
    #[schema(example = "Wale Ajanlekoko")]
    pub name: String,
    /// The wallet's slug, or the collection wallet's code.
    pub slug: String,
    #[schema(schema_with = crate::openapi::schemas::currency)]
    pub currency: &'static str,
    #[schema(value_type = crate::openapi::schemas::NairaAmount)]
    pub balance: Naira,
    #[schema(example = 150050)]
    pub balance_kobo: i64,
    /// Same as `balance_kobo` (the SDK reads this name).
    #[serde(rename = "balanceKobo")]
    pub balance_kobo_camel: i64,
    /// Collection customers only: net amount collected through this customer.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::openapi::schemas::NairaAmount>)]
    pub collected: Option<Naira>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub collected_kobo: Option<i64>,
}

fn out(name: String, slug: String, balance: Kobo, collected: Option<Kobo>) -> BalanceOut {
    BalanceOut {
        name,
        slug,
        currency: "NGN",
        balance: Naira(balance),
        balance_kobo: balance.0,
        balance_kobo_camel: balance.0,
        collected: collected.map(Naira),
        collected_kobo: collected.map(|c| c.0),
    }
}

/// Read a customer's balance
///
/// From the ledger. For a collection customer: the collection wallet's balance, plus
/// `collected`, the net amount collected through this customer.
#[utoipa::path(
    get, path = "/api/v1/customers/{identifier}/balance", tag = "money",
    operation_id = "customer_balance", security(("DPPRIVATEKEY" = [])),
    params(("identifier" = String, Path, description = "The customer's id, code (`CUS_…`), reference or email.", example = "CUST2025-0017")),
    responses(
        (status = 200, description = "The balance.", body = Success<BalanceOut>),
        (status = 404, description = "No such customer (`not_found`).", body = ErrorBody),
    )
)]
pub async fn handle(
    State(app): State<AppState>,
    Auth(scope): Auth,
    Path(identifier): Path<String>,
) -> ApiResult<Response> {
    let customer = super::find(&app, scope, &identifier).await?;
    let body = match (customer.customer_type, &customer.collection_wallet_code) {
        (CustomerType::Collection, Some(code)) => {
            let wallet = app
                .store
                .find_collection_wallet(scope, code)
                .await?
                .ok_or_else(|| {
                    ApiError::internal("balance", "customer's collection wallet is missing")
                })?;
            let collected = app.store.collected_through(scope, customer.id).await?;
            out(wallet.name, wallet.code, wallet.balance, Some(collected))
        }
        _ => {
            let name = customer
                .company_name
                .clone()
                .unwrap_or_else(|| {
                    format!(
                        "{} {}",
                        customer.first_name.as_deref().unwrap_or_default(),
                        customer.last_name.as_deref().unwrap_or_default()
                    )
                })
                .trim()
                .to_string();
            out(name, customer.wallet_slug, customer.wallet_balance, None)
        }
    };
    Ok(envelope::ok("Balance retrieved successfully", body))
}
