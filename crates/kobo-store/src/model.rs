//! Rows exchanged with the store. They are storage shapes, not JSON shapes:
//! the server maps them to its own response types.

use chrono::{DateTime, NaiveDate, Utc};
use kobo_core::{Kobo, Mode};

/// The business and mode a request acts for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scope {
    pub business_id: i64,
    pub mode: Mode,
}

#[derive(Clone, Debug)]
pub struct Business {
    pub id: i64,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

/// A key to store: only its hash and a redacted hint.
#[derive(Clone, Debug)]
pub struct NewApiKey {
    pub mode: Mode,
    pub kind: kobo_core::keys::KeyKind,
    pub hash: String,
    pub hint: String,
}

#[derive(Clone, Debug)]
pub struct ApiKey {
    pub business_id: i64,
    pub mode: Mode,
    pub kind: kobo_core::keys::KeyKind,
    pub hash: String,
}

#[derive(Clone, Debug)]
pub struct CollectionWallet {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub is_default: bool,
    pub balance: Kobo,
    pub created_at: DateTime<Utc>,
}

/// `wallet` customers hold their own balance; `collection` customers pay into
/// a collection wallet of the business.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CustomerType {
    Wallet,
    Collection,
}

impl CustomerType {
    pub fn as_str(self) -> &'static str {
        match self {
            CustomerType::Wallet => "wallet",
            CustomerType::Collection => "collection",
        }
    }
    pub fn parse(s: &str) -> Option<CustomerType> {
        match s {
            "wallet" => Some(CustomerType::Wallet),
            "collection" => Some(CustomerType::Collection),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CustomerStatus {
    Active,
    Inactive,
}

impl CustomerStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CustomerStatus::Active => "ACTIVE",
            CustomerStatus::Inactive => "INACTIVE",
        }
    }
    pub fn parse(s: &str) -> Option<CustomerStatus> {
        match s {
            "ACTIVE" => Some(CustomerStatus::Active),
            "INACTIVE" => Some(CustomerStatus::Inactive),
            _ => None,
        }
    }
}

/// A BVN or NIN as stored: ciphertext, keyed hash for uniqueness, and mask.
#[derive(Clone, Debug)]
pub struct SealedIdentity {
    pub ciphertext: String,
    pub hash: String,
    pub masked: String,
}

#[derive(Clone, Debug)]
pub struct NewCustomer {
    pub code: String,
    pub reference: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company_name: Option<String>,
    pub rc_number: Option<String>,
    pub email: String,
    pub phone: Option<String>,
    pub dob: Option<NaiveDate>,
    pub bvn: Option<SealedIdentity>,
    pub nin: Option<SealedIdentity>,
    pub customer_type: CustomerType,
    pub collection_wallet_id: Option<i64>,
    pub wallet_slug: String,
}

impl NewCustomer {
    /// The folded text a customer search matches (`search_text`).
    pub fn search_key(&self) -> String {
        kobo_core::validate::customer_search_key(&[
            self.first_name.as_deref(),
            self.last_name.as_deref(),
            self.company_name.as_deref(),
            Some(&self.email),
            self.phone.as_deref(),
            Some(&self.reference),
        ])
    }
}

/// Fields to change; `None` leaves a field as it is.
#[derive(Clone, Debug, Default)]
pub struct CustomerPatch {
    pub reference: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company_name: Option<String>,
    pub rc_number: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub dob: Option<NaiveDate>,
    pub bvn: Option<SealedIdentity>,
    pub nin: Option<SealedIdentity>,
    pub customer_type: Option<CustomerType>,
    /// Set together with a change to `collection`; cleared on a change to `wallet`.
    pub collection_wallet_id: Option<Option<i64>>,
    pub status: Option<CustomerStatus>,
}

impl CustomerPatch {
    /// True when nothing would change.
    pub fn is_empty(&self) -> bool {
        self.reference.is_none()
            && self.first_name.is_none()
            && self.last_name.is_none()
            && self.company_name.is_none()
            && self.rc_number.is_none()
            && self.email.is_none()
            && self.phone.is_none()
            && self.dob.is_none()
            && self.bvn.is_none()
            && self.nin.is_none()
            && self.customer_type.is_none()
            && self.collection_wallet_id.is_none()
            && self.status.is_none()
    }
}

#[derive(Clone, Debug)]
pub struct Customer {
    pub id: i64,
    pub code: String,
    pub mode: Mode,
    pub reference: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company_name: Option<String>,
    pub rc_number: Option<String>,
    pub email: String,
    pub phone: Option<String>,
    pub dob: Option<NaiveDate>,
    pub bvn_masked: Option<String>,
    pub nin_masked: Option<String>,
    pub customer_type: CustomerType,
    pub status: CustomerStatus,
    pub collection_wallet_code: Option<String>,
    pub wallet_slug: String,
    pub wallet_balance: Kobo,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Customer {
    /// Corporate customers carry a company name instead of a person's names.
    pub fn is_corporate(&self) -> bool {
        self.company_name.is_some()
    }
}

/// How an `{identifier}` path segment is looked up (COMPAT: id, code, reference, email).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CustomerLookup {
    Id(i64),
    Code(String),
    Reference(String),
    Email(String),
}

impl CustomerLookup {
    /// Decides the lookup from the text alone: references can be neither all
    /// digits nor start with `CUS_`, and never contain `@`, so there is no ambiguity.
    pub fn parse(identifier: &str) -> CustomerLookup {
        if !identifier.is_empty() && identifier.bytes().all(|b| b.is_ascii_digit()) {
            if let Ok(id) = identifier.parse() {
                return CustomerLookup::Id(id);
            }
        }
        // `get`, not `[..4]`: byte 4 may fall inside a multi-byte character.
        if identifier
            .get(..4)
            .is_some_and(|p| p.eq_ignore_ascii_case("CUS_"))
        {
            return CustomerLookup::Code(identifier.to_string());
        }
        if identifier.contains('@') {
            return CustomerLookup::Email(identifier.to_lowercase());
        }
        CustomerLookup::Reference(identifier.to_string())
    }
}

#[derive(Clone, Debug, Default)]
pub struct CustomerQuery {
    /// Rows to skip (page mode; 0 with a cursor).
    pub offset: u64,
    /// Rows to return at most.
    pub limit: u32,
    pub search: Option<String>,
    pub customer_type: Option<CustomerType>,
    pub status: Option<CustomerStatus>,
    /// Cursor: only customers with a smaller id (older) than this one.
    pub starting_after: Option<i64>,
}

#[derive(Clone, Debug)]
pub struct CustomerPage {
    pub items: Vec<Customer>,
    pub total: u64,
}

/// A response kept for an idempotency key.
#[derive(Clone, Debug)]
pub struct StoredResponse {
    pub status: u16,
    pub body: Vec<u8>,
}

/// What claiming an idempotency key found.
#[derive(Clone, Debug)]
pub enum IdempotencyBegin {
    /// The key is new (or expired): the caller runs the request.
    Claimed,
    /// A request with this key is still running.
    InFlight,
    /// The key was used with a different body.
    Mismatch,
    /// The key was used with the same body: replay this.
    Replay(StoredResponse),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_are_decided_by_shape() {
        assert_eq!(CustomerLookup::parse("42"), CustomerLookup::Id(42));
        assert_eq!(
            CustomerLookup::parse("CUS_abc"),
            CustomerLookup::Code("CUS_abc".into())
        );
        assert_eq!(
            CustomerLookup::parse("A@B.ng"),
            CustomerLookup::Email("a@b.ng".into())
        );
        assert_eq!(
            CustomerLookup::parse("REF-1"),
            CustomerLookup::Reference("REF-1".into())
        );
        assert_eq!(
            CustomerLookup::parse("99999999999999999999999"),
            CustomerLookup::Reference("99999999999999999999999".into())
        );
        // Byte 4 inside a multi-byte character (found by schemathesis: it panicked).
        assert_eq!(
            CustomerLookup::parse("\u{2}ß\u{9e}x"),
            CustomerLookup::Reference("\u{2}ß\u{9e}x".into())
        );
    }
}
