//! kobo-store-postgres's one integration-test binary: the `Store` trait on a
//! real PostgreSQL database per test, including several "nodes" (stores on
//! one database) working at once.

mod concurrency;
mod customers;
mod idempotency;
mod inflow_paths;
mod inflows;
mod ledger;
mod migrations;
mod support;
mod virtual_accounts;
mod webhooks;
