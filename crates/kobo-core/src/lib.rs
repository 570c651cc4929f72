//! kobo's domain core: money, identifiers, keys, validation, NUBANs and the
//! encryption of personal identifiers. Nothing in this crate performs I/O.

pub mod crypto;
pub mod ids;
pub mod keys;
pub mod ledger;
pub mod mode;
pub mod money;
pub mod nuban;
pub mod validate;

#[cfg(test)]
mod hostile_tests;

pub use mode::Mode;
pub use money::Kobo;
