//! kobo-store-sqlite's one integration-test binary: the money path through
//! the `Store` trait on a real SQLite file per test (no HTTP).

mod accounts;
mod fallback;
mod invariants;
mod ledger_rules;
mod model;
mod one_time_props;
mod support;
