//! Route table. Each resource has its own module; each action its own file.

pub mod collection_wallets;
pub mod customers;
pub mod health;

use axum::routing::get;
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
            axum::routing::post(customers::store_or_update::handle),
        )
        .route(
            "/api/v1/customers/corporate",
            axum::routing::post(customers::corporate::handle),
        )
        .route(
            "/api/v1/customers/{identifier}",
            get(customers::fetch::handle)
                .patch(customers::update::handle)
                .put(customers::update::handle),
        )
        .route(
            "/api/v1/collection-wallets",
            get(collection_wallets::list).post(collection_wallets::create),
        )
}

/// Routes open to anyone.
pub fn public_routes() -> Router<AppState> {
    Router::new().route("/healthz", get(health::healthz))
}
