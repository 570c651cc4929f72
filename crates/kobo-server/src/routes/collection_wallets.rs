//! `GET`/`POST /api/v1/collection-wallets`: a business's collection wallets.

use axum::extract::State;
use axum::response::Response;
use chrono::{DateTime, Utc};
use kobo_core::money::Naira;
use kobo_store::CollectionWallet;
use serde::Serialize;
use utoipa::ToSchema;

use crate::envelope;
use crate::error::{ApiResult, FieldErrors};
use crate::http::auth::Auth;
use crate::http::json::JsonObject;
use crate::openapi::envelopes::Success;
use crate::openapi::requests::CollectionWalletIn;
use crate::routes::customers::input::Form;
use crate::state::AppState;

/// A collection wallet: where a collection customer's inflows go.
#[derive(Serialize, ToSchema)]
pub struct CollectionWalletOut {
    pub id: i64,
    #[schema(example = "CW_main")]
    pub code: String,
    #[schema(example = "Lagos branch")]
    pub name: String,
    pub is_default: bool,
    #[schema(value_type = crate::openapi::schemas::NairaAmount)]
    pub balance: Naira,
    pub balance_kobo: i64,
    pub created_at: DateTime<Utc>,
}

impl From<CollectionWallet> for CollectionWalletOut {
    fn from(w: CollectionWallet) -> Self {
        CollectionWalletOut {
            id: w.id,
            code: w.code,
            name: w.name,
            is_default: w.is_default,
            balance: Naira(w.balance),
            balance_kobo: w.balance.0,
            created_at: w.created_at,
        }
    }
}

/// List collection wallets
#[utoipa::path(
    get, path = "/api/v1/collection-wallets", tag = "collection-wallets",
    operation_id = "list_collection_wallets", security(("DPPRIVATEKEY" = [])),
    responses((status = 200, description = "The wallets.", body = Success<Vec<CollectionWalletOut>>))
)]
pub async fn list(State(app): State<AppState>, Auth(scope): Auth) -> ApiResult<Response> {
    let wallets = app.store.list_collection_wallets(scope).await?;
    let out: Vec<CollectionWalletOut> = wallets.into_iter().map(Into::into).collect();
    Ok(envelope::ok("Collection wallets retrieved", out))
}

/// Create a collection wallet
#[utoipa::path(
    post, path = "/api/v1/collection-wallets", tag = "collection-wallets",
    operation_id = "create_collection_wallet", security(("DPPRIVATEKEY" = [])),
    request_body = CollectionWalletIn,
    responses(
        (status = 201, description = "Created.", body = Success<CollectionWalletOut>),
    )
)]
pub async fn create(
    State(app): State<AppState>,
    Auth(scope): Auth,
    JsonObject(body): JsonObject,
) -> ApiResult<Response> {
    let mut form = Form::new(&body);
    let name = form.required("name", kobo_core::validate::company_name);
    let errors: FieldErrors = form.finish();
    let Some(name) = name.filter(|_| errors.is_empty()) else {
        return Err(crate::error::ApiError::validation(errors));
    };
    let wallet = app.store.create_collection_wallet(scope, &name).await?;
    Ok(envelope::created(
        "Collection wallet created",
        CollectionWalletOut::from(wallet),
    ))
}
