//! kobo's embedded engine: SQLite in WAL mode with `synchronous=FULL`.
//!
//! Writes go through a pool of exactly one connection, so they are serialized
//! in the process and never meet SQLite's busy back-off; reads use a separate
//! pool of several connections, which WAL lets run beside the writer.

mod businesses;
mod customers;
mod error;
mod events;
mod idempotency;
mod inflows;
mod ledger;
mod migrate;
mod movements;
mod one_time;
mod time;
mod verify;
mod virtual_accounts;
mod webhooks;
mod write;

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use kobo_core::{Kobo, Mode};
use kobo_store::*;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

/// A kobo store on one SQLite file.
#[derive(Clone)]
pub struct SqliteStore {
    writer: SqlitePool,
    reader: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if missing) the database at `url` (`sqlite://PATH`).
    pub async fn open(url: &str) -> StoreResult<SqliteStore> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::Unavailable(format!("bad SQLite URL: {e}")))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .pragma("temp_store", "memory")
            .pragma("cache_size", "-8000"); // 8 MiB per connection
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options.clone())
            .await
            .map_err(error::unavailable)?;
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options)
            .await
            .map_err(error::unavailable)?;
        Ok(SqliteStore { writer, reader })
    }

    /// Writes a consistent copy of the live database to `path` (SQLite's
    /// `VACUUM INTO`: one read transaction, so writers keep going).
    pub async fn backup_to(&self, path: &str) -> StoreResult<()> {
        sqlx::query("VACUUM INTO ?")
            .bind(path)
            .execute(&self.reader)
            .await
            .map_err(error::map)?;
        Ok(())
    }

    /// Closes both pools, waiting for connections to finish.
    pub async fn close(&self) {
        self.writer.close().await;
        self.reader.close().await;
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn migrate(&self) -> StoreResult<()> {
        migrate::run(&self.writer).await
    }
    async fn migrations_current(&self) -> StoreResult<bool> {
        migrate::is_current(&self.reader).await
    }

    async fn create_business(&self, name: &str, keys: &[NewApiKey]) -> StoreResult<Business> {
        businesses::create(&self.writer, name, keys).await
    }
    async fn list_businesses(&self) -> StoreResult<Vec<Business>> {
        businesses::list(&self.reader).await
    }
    async fn replace_keys(
        &self,
        business_id: i64,
        mode: Mode,
        keys: &[NewApiKey],
    ) -> StoreResult<()> {
        businesses::replace_keys(&self.writer, business_id, mode, keys).await
    }
    async fn find_api_key(&self, key_hash: &str) -> StoreResult<Option<ApiKey>> {
        businesses::find_key(&self.reader, key_hash).await
    }

    async fn list_collection_wallets(&self, scope: Scope) -> StoreResult<Vec<CollectionWallet>> {
        businesses::list_collection_wallets(&self.reader, scope).await
    }
    async fn create_collection_wallet(
        &self,
        scope: Scope,
        name: &str,
    ) -> StoreResult<CollectionWallet> {
        businesses::create_collection_wallet(&self.writer, scope, name).await
    }
    async fn find_collection_wallet(
        &self,
        scope: Scope,
        code: &str,
    ) -> StoreResult<Option<CollectionWallet>> {
        businesses::find_collection_wallet(&self.reader, scope, code).await
    }

    async fn create_customer(&self, scope: Scope, new: NewCustomer) -> StoreResult<Customer> {
        let id = customers::create(&self.writer, scope, &new).await?;
        customers::get(&self.writer, scope, id).await
    }
    async fn find_customer(
        &self,
        scope: Scope,
        identifier: &CustomerLookup,
    ) -> StoreResult<Option<Customer>> {
        customers::find(&self.reader, scope, identifier).await
    }
    async fn update_customer(
        &self,
        scope: Scope,
        customer_id: i64,
        patch: CustomerPatch,
    ) -> StoreResult<Customer> {
        customers::update(&self.writer, scope, customer_id, &patch).await?;
        customers::get(&self.writer, scope, customer_id).await
    }
    async fn list_customers(
        &self,
        scope: Scope,
        query: &CustomerQuery,
    ) -> StoreResult<CustomerPage> {
        customers::list(&self.reader, scope, query).await
    }

    async fn set_fee_schedule(
        &self,
        business_id: i64,
        mode: Mode,
        fee: FeeSchedule,
    ) -> StoreResult<()> {
        businesses::set_fee_schedule(&self.writer, business_id, mode, fee).await
    }
    async fn create_virtual_account(
        &self,
        scope: Scope,
        customer_id: i64,
        reference: Option<String>,
        issuer: &AccountIssuer,
    ) -> StoreResult<VirtualAccount> {
        virtual_accounts::create(&self.writer, scope, customer_id, reference, issuer).await
    }
    async fn create_one_time_account(
        &self,
        scope: Scope,
        customer_id: i64,
        new: NewOneTimeAccount,
        issuer: &AccountIssuer,
    ) -> StoreResult<OneTimeAccount> {
        one_time::create(&self.writer, scope, customer_id, new, issuer).await
    }
    async fn one_time_accounts_of(
        &self,
        scope: Scope,
        customer_id: i64,
    ) -> StoreResult<Vec<OneTimeAccount>> {
        one_time::of_customer(&self.reader, scope, customer_id).await
    }
    async fn expire_one_time_accounts(
        &self,
        now: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<u64> {
        one_time::expire(&self.writer, now).await
    }
    async fn virtual_accounts_of(
        &self,
        scope: Scope,
        customer_ids: &[i64],
    ) -> StoreResult<Vec<VirtualAccount>> {
        virtual_accounts::of_customers(&self.reader, scope, customer_ids).await
    }
    async fn name_enquiry(&self, account_number: &str) -> StoreResult<Option<NameEnquiry>> {
        virtual_accounts::name_enquiry(&self.reader, account_number).await
    }
    async fn post_inflows(
        &self,
        batch: Vec<InflowRequest>,
    ) -> StoreResult<Vec<StoreResult<InflowOutcome>>> {
        inflows::post_batch(&self.writer, batch).await
    }
    async fn find_inflow(&self, scope: Scope, session_id: &str) -> StoreResult<Option<Inflow>> {
        inflows::find(&self.reader, scope, session_id).await
    }
    async fn list_inflows(
        &self,
        scope: Scope,
        query: &InflowQuery,
    ) -> StoreResult<(Vec<Inflow>, u64)> {
        inflows::list(&self.reader, scope, query).await
    }
    async fn collected_through(&self, scope: Scope, customer_id: i64) -> StoreResult<Kobo> {
        movements::collected_through(&self.reader, scope, customer_id).await
    }
    async fn movements_before(
        &self,
        scope: Scope,
        customer_id: i64,
        before: chrono::NaiveDate,
    ) -> StoreResult<Kobo> {
        movements::before(&self.reader, scope, customer_id, before).await
    }
    async fn movements(
        &self,
        scope: Scope,
        customer: &Customer,
        query: &MovementQuery,
    ) -> StoreResult<(Vec<Movement>, u64)> {
        movements::list(&self.reader, scope, customer, query).await
    }
    async fn ledger_totals(&self) -> StoreResult<Vec<LedgerTotal>> {
        verify::totals(&self.reader).await
    }
    async fn verify_ledger(&self) -> StoreResult<LedgerReport> {
        verify::run(&self.reader).await
    }

    async fn find_virtual_account(
        &self,
        scope: Scope,
        id: i64,
    ) -> StoreResult<Option<VirtualAccount>> {
        virtual_accounts::find(&self.reader, scope, id).await
    }
    async fn find_inflow_by_id(&self, scope: Scope, id: i64) -> StoreResult<Option<Inflow>> {
        inflows::find_by_id(&self.reader, scope, id).await
    }
    async fn find_one_time_account(
        &self,
        scope: Scope,
        id: i64,
    ) -> StoreResult<Option<OneTimeAccount>> {
        one_time::find(&self.reader, scope, id).await
    }

    async fn webhook_endpoint(
        &self,
        scope: Scope,
        new_secret: &str,
    ) -> StoreResult<WebhookEndpoint> {
        webhooks::endpoint(&self.writer, scope, new_secret).await
    }
    async fn set_webhook_url(
        &self,
        scope: Scope,
        url: Option<String>,
        new_secret: &str,
    ) -> StoreResult<WebhookEndpoint> {
        webhooks::set_url(&self.writer, scope, url, new_secret).await
    }
    async fn rotate_webhook_secret(
        &self,
        scope: Scope,
        secret: &str,
    ) -> StoreResult<WebhookEndpoint> {
        webhooks::rotate(&self.writer, scope, secret).await
    }
    async fn claim_webhook_events(
        &self,
        now: chrono::DateTime<chrono::Utc>,
        lease_until: chrono::DateTime<chrono::Utc>,
        limit: u32,
    ) -> StoreResult<Vec<WebhookEvent>> {
        webhooks::claim(&self.writer, now, lease_until, limit).await
    }
    async fn unrendered_webhook_events(&self, limit: u32) -> StoreResult<Vec<WebhookEvent>> {
        webhooks::unrendered(&self.reader, limit).await
    }
    async fn freeze_webhook_payload(&self, event_id: i64, payload: &str) -> StoreResult<String> {
        webhooks::freeze(&self.writer, event_id, payload).await
    }
    async fn record_webhook_attempt(
        &self,
        event_id: i64,
        attempt: &WebhookAttempt,
        outcome: AttemptOutcome,
    ) -> StoreResult<()> {
        webhooks::record_attempt(&self.writer, event_id, attempt, outcome).await
    }
    async fn list_webhook_events(
        &self,
        scope: Scope,
        query: &EventQuery,
    ) -> StoreResult<(Vec<WebhookEvent>, u64)> {
        webhooks::list(&self.reader, scope, query).await
    }
    async fn webhook_attempts(
        &self,
        scope: Scope,
        public_id: &str,
    ) -> StoreResult<Option<Vec<WebhookAttempt>>> {
        webhooks::attempts(&self.reader, scope, public_id).await
    }
    async fn retry_webhook_event(&self, scope: Scope, public_id: &str) -> StoreResult<bool> {
        webhooks::retry(&self.writer, scope, public_id).await
    }
    async fn webhook_backlog(&self) -> StoreResult<u64> {
        webhooks::backlog(&self.reader).await
    }

    async fn begin_idempotent(
        &self,
        scope: Scope,
        key: &str,
        request_hash: &str,
    ) -> StoreResult<IdempotencyBegin> {
        idempotency::begin(&self.writer, scope, key, request_hash).await
    }
    async fn finish_idempotent(
        &self,
        scope: Scope,
        key: &str,
        response: &StoredResponse,
    ) -> StoreResult<()> {
        idempotency::finish(&self.writer, scope, key, response).await
    }
    async fn abandon_idempotent(&self, scope: Scope, key: &str) -> StoreResult<()> {
        idempotency::abandon(&self.writer, scope, key).await
    }
}
