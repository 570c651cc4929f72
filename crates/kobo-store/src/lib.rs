//! The storage boundary of kobo: one trait, [`Store`], that every engine
//! implements, and the plain rows it takes and returns. The server depends on
//! this crate only; the binary picks an engine from the database URL.

mod error;
mod model;
mod money;

pub use error::{Refusal, StoreError};
pub use model::*;
pub use money::*;

use async_trait::async_trait;
pub use kobo_core::ledger::FeeSchedule;
use kobo_core::{Kobo, Mode};

/// Result of a store call.
pub type StoreResult<T> = Result<T, StoreError>;

/// Everything kobo keeps. Every method that takes a [`Scope`] sees only that
/// business's rows in that mode: test and live never mix.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Brings the schema up to date (idempotent).
    async fn migrate(&self) -> StoreResult<()>;
    /// Whether every migration this build knows has been applied.
    async fn migrations_current(&self) -> StoreResult<bool>;

    // ---- businesses and keys ----
    /// Creates a business, its key hashes and its default collection wallet in each mode.
    async fn create_business(&self, name: &str, keys: &[NewApiKey]) -> StoreResult<Business>;
    async fn list_businesses(&self) -> StoreResult<Vec<Business>>;
    /// Replaces the keys of one mode of a business with `keys`.
    async fn replace_keys(
        &self,
        business_id: i64,
        mode: Mode,
        keys: &[NewApiKey],
    ) -> StoreResult<()>;
    /// Looks a key up by its hash.
    async fn find_api_key(&self, key_hash: &str) -> StoreResult<Option<ApiKey>>;

    // ---- collection wallets ----
    async fn list_collection_wallets(&self, scope: Scope) -> StoreResult<Vec<CollectionWallet>>;
    async fn create_collection_wallet(
        &self,
        scope: Scope,
        name: &str,
    ) -> StoreResult<CollectionWallet>;
    async fn find_collection_wallet(
        &self,
        scope: Scope,
        code: &str,
    ) -> StoreResult<Option<CollectionWallet>>;

    // ---- customers ----
    /// Inserts a customer and its wallet account. A duplicate reference, email,
    /// BVN or NIN is [`StoreError::Conflict`] naming the field.
    async fn create_customer(&self, scope: Scope, new: NewCustomer) -> StoreResult<Customer>;
    /// Resolves an identifier: id, code, reference or email.
    async fn find_customer(
        &self,
        scope: Scope,
        identifier: &CustomerLookup,
    ) -> StoreResult<Option<Customer>>;
    /// Applies the fields that are set in `patch`.
    async fn update_customer(
        &self,
        scope: Scope,
        customer_id: i64,
        patch: CustomerPatch,
    ) -> StoreResult<Customer>;
    async fn list_customers(
        &self,
        scope: Scope,
        query: &CustomerQuery,
    ) -> StoreResult<CustomerPage>;

    // ---- money ----
    /// Sets the fee charged on a business's inflows in one mode.
    async fn set_fee_schedule(
        &self,
        business_id: i64,
        mode: Mode,
        fee: FeeSchedule,
    ) -> StoreResult<()>;
    /// Issues a permanent NUBAN to an active customer, under the issuer's cap.
    async fn create_virtual_account(
        &self,
        scope: Scope,
        customer_id: i64,
        reference: Option<String>,
        issuer: &AccountIssuer,
    ) -> StoreResult<VirtualAccount>;
    /// The virtual accounts of these customers, oldest first.
    async fn virtual_accounts_of(
        &self,
        scope: Scope,
        customer_ids: &[i64],
    ) -> StoreResult<Vec<VirtualAccount>>;
    /// Looks an account number up for the payer's bank (any mode).
    async fn name_enquiry(&self, account_number: &str) -> StoreResult<Option<NameEnquiry>>;
    /// Posts inflows in one database transaction, each in its own savepoint,
    /// and answers each after the commit. The outer error means nothing committed.
    async fn post_inflows(
        &self,
        batch: Vec<InflowRequest>,
    ) -> StoreResult<Vec<StoreResult<InflowOutcome>>>;
    async fn find_inflow(&self, scope: Scope, session_id: &str) -> StoreResult<Option<Inflow>>;
    /// Inflows newest first, and how many match.
    async fn list_inflows(
        &self,
        scope: Scope,
        query: &InflowQuery,
    ) -> StoreResult<(Vec<Inflow>, u64)>;
    /// Net amount credited to a collection wallet through this customer.
    async fn collected_through(&self, scope: Scope, customer_id: i64) -> StoreResult<Kobo>;
    /// A customer's movements newest first, and how many match.
    async fn movements(
        &self,
        scope: Scope,
        customer: &Customer,
        query: &MovementQuery,
    ) -> StoreResult<(Vec<Movement>, u64)>;
    /// Checks every ledger invariant over the whole database.
    async fn verify_ledger(&self) -> StoreResult<LedgerReport>;

    // ---- idempotency ----
    /// Claims an idempotency key, or reports what an earlier request with it did.
    async fn begin_idempotent(
        &self,
        scope: Scope,
        key: &str,
        request_hash: &str,
    ) -> StoreResult<IdempotencyBegin>;
    /// Stores the response for a claimed key.
    async fn finish_idempotent(
        &self,
        scope: Scope,
        key: &str,
        response: &StoredResponse,
    ) -> StoreResult<()>;
    /// Releases a claimed key without storing a response (the request failed with a 5xx).
    async fn abandon_idempotent(&self, scope: Scope, key: &str) -> StoreResult<()>;
}
