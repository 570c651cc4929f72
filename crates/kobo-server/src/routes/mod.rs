//! Route table. Each resource has its own module; each action its own file.

pub mod collection_wallets;
pub mod customers;
pub mod docs;
pub mod health;
pub mod inflows;
pub mod one_time_accounts;
pub mod virtual_accounts;
pub mod webhooks;

use axum::routing::{get, post};
use axum::Router;

use crate::state::AppState;

/// Routes that need a private key (auth and idempotency are layered on by `router`).
pub fn private_routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/customers",
            get(customers::list::handle).post(customers::create::handle),
        )
        .route(
            "/api/v1/customers/storeorupdate",
            post(customers::store_or_update::handle),
        )
        .route(
            "/api/v1/customers/corporate",
            post(customers::corporate::handle),
        )
        .route(
            "/api/v1/customers/{identifier}",
            get(customers::fetch::handle)
                .patch(customers::update::handle)
                .put(customers::update::handle),
        )
        .route(
            "/api/v1/customers/{identifier}/balance",
            get(customers::balance::handle),
        )
        .route(
            "/api/v1/customers/{identifier}/transactions",
            get(customers::transactions::handle),
        )
        .route(
            "/api/v1/customers/{identifier}/virtual-accounts",
            get(virtual_accounts::list).post(virtual_accounts::create),
        )
        .route(
            "/api/v1/customers/{identifier}/one-time-accounts",
            get(one_time_accounts::list).post(one_time_accounts::create),
        )
        .route(
            "/api/v1/customers/{identifier}/statement",
            get(customers::statement::handle),
        )
        .route(
            "/api/v1/webhooks",
            get(webhooks::endpoint::get).put(webhooks::endpoint::put),
        )
        .route(
            "/api/v1/webhooks/rotate-secret",
            post(webhooks::endpoint::rotate_secret),
        )
        .route("/api/v1/webhooks/events", get(webhooks::events::list))
        .route(
            "/api/v1/webhooks/events/{id}/attempts",
            get(webhooks::events::attempts),
        )
        .route(
            "/api/v1/webhooks/events/{id}/retry",
            post(webhooks::events::retry),
        )
        .route("/api/v1/sandbox/inflows", post(inflows::sandbox::inflow))
        .route("/api/v1/inflows", get(inflows::lookup::list))
        .route("/api/v1/inflows/{session_id}", get(inflows::lookup::fetch))
        .route(
            "/api/v1/collection-wallets",
            get(collection_wallets::list).post(collection_wallets::create),
        )
}

/// Routes open to anyone.
pub fn public_routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .route("/api/v1/openapi.json", get(docs::openapi_json))
        .route("/docs", get(docs::page))
        .route("/docs/{*file}", get(docs::asset))
        .route("/api/v1/provider/inflows", post(inflows::provider::inflow))
        .route(
            "/api/v1/provider/name-enquiry",
            post(inflows::provider::name_enquiry),
        )
}
