//! The storage boundary of kobo: one trait, [`Store`], that every engine
//! implements, and the plain rows it takes and returns. The server depends on
//! this crate only; the binary picks an engine from the database URL.

mod error;
mod inflow_rules;
mod ledger_checks;
mod model;
mod money;
mod webhooks;

pub use error::{Refusal, StoreError};
pub use inflow_rules::{inflow_lines, suspense_reason, Credit, HouseAccounts, Landing};
pub use ledger_checks::LEDGER_CHECKS;
pub use model::*;
pub use money::*;
pub use webhooks::*;

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
    /// [`Store::find_customer`] with the customer's permanent virtual
    /// accounts (oldest first). Engines that can read both in one snapshot
    /// and one trip do; this default makes two calls.
    async fn find_customer_with_accounts(
        &self,
        scope: Scope,
        identifier: &CustomerLookup,
    ) -> StoreResult<Option<(Customer, Vec<VirtualAccount>)>> {
        let Some(customer) = self.find_customer(scope, identifier).await? else {
            return Ok(None);
        };
        let accounts = self.virtual_accounts_of(scope, &[customer.id]).await?;
        Ok(Some((customer, accounts)))
    }
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
    /// Issues a one-time account (same serial space, never reused).
    async fn create_one_time_account(
        &self,
        scope: Scope,
        customer_id: i64,
        new: NewOneTimeAccount,
        issuer: &AccountIssuer,
    ) -> StoreResult<OneTimeAccount>;
    /// A customer's one-time accounts, newest first.
    async fn one_time_accounts_of(
        &self,
        scope: Scope,
        customer_id: i64,
    ) -> StoreResult<Vec<OneTimeAccount>>;
    /// Writes EXPIRED on every pending one-time account whose time has passed
    /// (any business); returns how many changed.
    async fn expire_one_time_accounts(
        &self,
        now: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<u64>;
    /// The permanent virtual accounts of these customers, oldest first.
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
    /// Sum of a customer's movements before a Lagos date (a statement's opening balance).
    async fn movements_before(
        &self,
        scope: Scope,
        customer_id: i64,
        before: chrono::NaiveDate,
    ) -> StoreResult<Kobo>;
    /// A customer's movements in the query's order, and how many match (0 unless `with_total`).
    async fn movements(
        &self,
        scope: Scope,
        customer: &Customer,
        query: &MovementQuery,
    ) -> StoreResult<(Vec<Movement>, u64)>;
    /// Sum of balances per account kind and mode, across businesses.
    async fn ledger_totals(&self) -> StoreResult<Vec<LedgerTotal>>;
    /// Checks every ledger invariant over the whole database.
    async fn verify_ledger(&self) -> StoreResult<LedgerReport>;

    // ---- lookups by id (for rendering webhook payloads) ----
    async fn find_virtual_account(
        &self,
        scope: Scope,
        id: i64,
    ) -> StoreResult<Option<VirtualAccount>>;
    async fn find_inflow_by_id(&self, scope: Scope, id: i64) -> StoreResult<Option<Inflow>>;
    /// A one-time account by its virtual account id.
    async fn find_one_time_account(
        &self,
        scope: Scope,
        id: i64,
    ) -> StoreResult<Option<OneTimeAccount>>;

    // ---- webhooks ----
    /// The endpoint of one mode; its secret is created (`new_secret`) on first use.
    async fn webhook_endpoint(
        &self,
        scope: Scope,
        new_secret: &str,
    ) -> StoreResult<WebhookEndpoint>;
    async fn set_webhook_url(
        &self,
        scope: Scope,
        url: Option<String>,
        new_secret: &str,
    ) -> StoreResult<WebhookEndpoint>;
    async fn rotate_webhook_secret(
        &self,
        scope: Scope,
        secret: &str,
    ) -> StoreResult<WebhookEndpoint>;
    /// Leases up to `limit` due pending events until `lease_until`. Per
    /// customer, an event is not handed out before an earlier one has had its
    /// first attempt, so delivery follows event order where it can.
    async fn claim_webhook_events(
        &self,
        now: chrono::DateTime<chrono::Utc>,
        lease_until: chrono::DateTime<chrono::Utc>,
        limit: u32,
    ) -> StoreResult<Vec<WebhookEvent>>;
    /// Events whose payload is not rendered yet, oldest first (any business).
    async fn unrendered_webhook_events(&self, limit: u32) -> StoreResult<Vec<WebhookEvent>>;
    /// Stores the rendered payload once (the first render wins).
    async fn freeze_webhook_payload(&self, event_id: i64, payload: &str) -> StoreResult<String>;
    /// Records an attempt and moves the event on.
    async fn record_webhook_attempt(
        &self,
        event_id: i64,
        attempt: &WebhookAttempt,
        outcome: AttemptOutcome,
    ) -> StoreResult<()>;
    async fn list_webhook_events(
        &self,
        scope: Scope,
        query: &EventQuery,
    ) -> StoreResult<(Vec<WebhookEvent>, u64)>;
    async fn webhook_attempts(
        &self,
        scope: Scope,
        public_id: &str,
    ) -> StoreResult<Option<Vec<WebhookAttempt>>>;
    /// Makes the event due now (pending, unleased); false when it does not exist.
    async fn retry_webhook_event(&self, scope: Scope, public_id: &str) -> StoreResult<bool>;
    /// Events not yet delivered or failed, across businesses.
    async fn webhook_backlog(&self) -> StoreResult<u64>;

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
