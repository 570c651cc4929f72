//! kobo's embedded engine: SQLite in WAL mode with `synchronous=FULL`,
//! through rusqlite.
//!
//! Writes go to one writer thread that owns the only writing connection and
//! lets many writes share a commit; reads use a few reader connections, which
//! WAL lets run beside the writer (see [`db`]). Each module holds the SQL of
//! one part of the model as plain functions over a `&rusqlite::Connection`;
//! this file decides which side runs each.

mod businesses;
mod checkpoint;
mod customers;
mod db;
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

use std::path::Path;

use async_trait::async_trait;
use kobo_core::{Kobo, Mode};
use kobo_store::*;

use crate::db::Db;

/// A kobo store on one SQLite file.
#[derive(Clone)]
pub struct SqliteStore {
    db: Db,
}

impl SqliteStore {
    /// Opens (creating if missing) the database at `url` (`sqlite://PATH`).
    pub async fn open(url: &str) -> StoreResult<SqliteStore> {
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .ok_or_else(|| StoreError::Unavailable(format!("bad SQLite URL: {url:?}")))?;
        let path = path.split('?').next().unwrap_or(path);
        if path.is_empty() {
            return Err(StoreError::Unavailable(
                "bad SQLite URL: no file path".into(),
            ));
        }
        let path = Path::new(path).to_path_buf();
        let db = tokio::task::spawn_blocking(move || Db::open(&path))
            .await
            .map_err(|e| StoreError::Internal(e.to_string()))??;
        Ok(SqliteStore { db })
    }

    /// Writes a consistent copy of the live database to `path` (SQLite's
    /// `VACUUM INTO`: one read transaction, so writers keep going).
    pub async fn backup_to(&self, path: &str) -> StoreResult<()> {
        self.db.vacuum_into(path.to_string()).await
    }

    /// Finishes pending writes and closes the connections.
    pub async fn close(&self) {
        self.db.close().await;
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn migrate(&self) -> StoreResult<()> {
        self.db.write(migrate::run).await
    }
    async fn migrations_current(&self) -> StoreResult<bool> {
        self.db.read_now(migrate::is_current)
    }

    async fn create_business(&self, name: &str, keys: &[NewApiKey]) -> StoreResult<Business> {
        let (name, keys) = (name.to_string(), keys.to_vec());
        self.db
            .write(move |c| businesses::create(c, &name, &keys))
            .await
    }
    async fn list_businesses(&self) -> StoreResult<Vec<Business>> {
        self.db.read(businesses::list).await
    }
    async fn replace_keys(
        &self,
        business_id: i64,
        mode: Mode,
        keys: &[NewApiKey],
    ) -> StoreResult<()> {
        let keys = keys.to_vec();
        self.db
            .write(move |c| businesses::replace_keys(c, business_id, mode, &keys))
            .await
    }
    async fn find_api_key(&self, key_hash: &str) -> StoreResult<Option<ApiKey>> {
        self.db.read_now(|c| businesses::find_key(c, key_hash))
    }

    async fn list_collection_wallets(&self, scope: Scope) -> StoreResult<Vec<CollectionWallet>> {
        self.db
            .read_now(|c| businesses::list_collection_wallets(c, scope))
    }
    async fn create_collection_wallet(
        &self,
        scope: Scope,
        name: &str,
    ) -> StoreResult<CollectionWallet> {
        let name = name.to_string();
        self.db
            .write(move |c| businesses::create_collection_wallet(c, scope, &name))
            .await
    }
    async fn find_collection_wallet(
        &self,
        scope: Scope,
        code: &str,
    ) -> StoreResult<Option<CollectionWallet>> {
        self.db
            .read_now(|c| businesses::find_collection_wallet(c, scope, code))
    }

    async fn create_customer(&self, scope: Scope, new: NewCustomer) -> StoreResult<Customer> {
        self.db
            .write(move |c| {
                let id = customers::create(c, scope, &new)?;
                customers::get(c, scope, id)
            })
            .await
    }
    async fn find_customer(
        &self,
        scope: Scope,
        identifier: &CustomerLookup,
    ) -> StoreResult<Option<Customer>> {
        self.db.read_now(|c| customers::find(c, scope, identifier))
    }
    async fn find_customer_with_accounts(
        &self,
        scope: Scope,
        identifier: &CustomerLookup,
    ) -> StoreResult<Option<(Customer, Vec<VirtualAccount>)>> {
        // One reader, one read transaction: the customer and its accounts
        // come from the same snapshot.
        self.db.read_now(|c| {
            db::exec(c, "BEGIN")?;
            let read = customers::find(c, scope, identifier).and_then(|found| match found {
                Some(customer) => {
                    let accounts = virtual_accounts::of_customers(c, scope, &[customer.id])?;
                    Ok(Some((customer, accounts)))
                }
                None => Ok(None),
            });
            db::exec(c, "COMMIT")?;
            read
        })
    }
    async fn update_customer(
        &self,
        scope: Scope,
        customer_id: i64,
        patch: CustomerPatch,
    ) -> StoreResult<Customer> {
        self.db
            .write(move |c| {
                customers::update(c, scope, customer_id, &patch)?;
                customers::get(c, scope, customer_id)
            })
            .await
    }
    async fn list_customers(
        &self,
        scope: Scope,
        query: &CustomerQuery,
    ) -> StoreResult<CustomerPage> {
        let query = query.clone();
        self.db
            .read(move |c| customers::list(c, scope, &query))
            .await
    }

    async fn set_fee_schedule(
        &self,
        business_id: i64,
        mode: Mode,
        fee: FeeSchedule,
    ) -> StoreResult<()> {
        self.db
            .write(move |c| businesses::set_fee_schedule(c, business_id, mode, fee))
            .await
    }
    async fn create_virtual_account(
        &self,
        scope: Scope,
        customer_id: i64,
        reference: Option<String>,
        issuer: &AccountIssuer,
    ) -> StoreResult<VirtualAccount> {
        let issuer = issuer.clone();
        self.db
            .write(move |c| virtual_accounts::create(c, scope, customer_id, reference, &issuer))
            .await
    }
    async fn create_one_time_account(
        &self,
        scope: Scope,
        customer_id: i64,
        new: NewOneTimeAccount,
        issuer: &AccountIssuer,
    ) -> StoreResult<OneTimeAccount> {
        let issuer = issuer.clone();
        self.db
            .write(move |c| one_time::create(c, scope, customer_id, new, &issuer))
            .await
    }
    async fn one_time_accounts_of(
        &self,
        scope: Scope,
        customer_id: i64,
    ) -> StoreResult<Vec<OneTimeAccount>> {
        self.db
            .read_now(|c| one_time::of_customer(c, scope, customer_id))
    }
    async fn expire_one_time_accounts(
        &self,
        now: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<u64> {
        self.db.write(move |c| one_time::expire(c, now)).await
    }
    async fn virtual_accounts_of(
        &self,
        scope: Scope,
        customer_ids: &[i64],
    ) -> StoreResult<Vec<VirtualAccount>> {
        self.db
            .read_now(|c| virtual_accounts::of_customers(c, scope, customer_ids))
    }
    async fn name_enquiry(&self, account_number: &str) -> StoreResult<Option<NameEnquiry>> {
        self.db
            .read_now(|c| virtual_accounts::name_enquiry(c, account_number))
    }
    async fn post_inflows(
        &self,
        batch: Vec<InflowRequest>,
    ) -> StoreResult<Vec<StoreResult<InflowOutcome>>> {
        self.db.write(move |c| inflows::post_batch(c, batch)).await
    }
    async fn find_inflow(&self, scope: Scope, session_id: &str) -> StoreResult<Option<Inflow>> {
        self.db.read_now(|c| inflows::find(c, scope, session_id))
    }
    async fn list_inflows(
        &self,
        scope: Scope,
        query: &InflowQuery,
    ) -> StoreResult<(Vec<Inflow>, u64)> {
        let query = query.clone();
        self.db.read(move |c| inflows::list(c, scope, &query)).await
    }
    async fn collected_through(&self, scope: Scope, customer_id: i64) -> StoreResult<Kobo> {
        self.db
            .read_now(|c| movements::collected_through(c, scope, customer_id))
    }
    async fn movements_before(
        &self,
        scope: Scope,
        customer_id: i64,
        before: chrono::NaiveDate,
    ) -> StoreResult<Kobo> {
        self.db
            .read(move |c| movements::before(c, scope, customer_id, before))
            .await
    }
    async fn movements(
        &self,
        scope: Scope,
        customer: &Customer,
        query: &MovementQuery,
    ) -> StoreResult<(Vec<Movement>, u64)> {
        let (customer, query) = (customer.clone(), query.clone());
        self.db
            .read(move |c| movements::list(c, scope, &customer, &query))
            .await
    }
    async fn ledger_totals(&self) -> StoreResult<Vec<LedgerTotal>> {
        self.db.read(verify::totals).await
    }
    async fn verify_ledger(&self) -> StoreResult<LedgerReport> {
        self.db.read(verify::run).await
    }

    async fn find_virtual_account(
        &self,
        scope: Scope,
        id: i64,
    ) -> StoreResult<Option<VirtualAccount>> {
        self.db.read_now(|c| virtual_accounts::find(c, scope, id))
    }
    async fn find_inflow_by_id(&self, scope: Scope, id: i64) -> StoreResult<Option<Inflow>> {
        self.db.read_now(|c| inflows::find_by_id(c, scope, id))
    }
    async fn find_one_time_account(
        &self,
        scope: Scope,
        id: i64,
    ) -> StoreResult<Option<OneTimeAccount>> {
        self.db.read_now(|c| one_time::find(c, scope, id))
    }

    async fn webhook_endpoint(
        &self,
        scope: Scope,
        new_secret: &str,
    ) -> StoreResult<WebhookEndpoint> {
        let new_secret = new_secret.to_string();
        self.db
            .write(move |c| webhooks::endpoint(c, scope, &new_secret))
            .await
    }
    async fn set_webhook_url(
        &self,
        scope: Scope,
        url: Option<String>,
        new_secret: &str,
    ) -> StoreResult<WebhookEndpoint> {
        let new_secret = new_secret.to_string();
        self.db
            .write(move |c| webhooks::set_url(c, scope, url, &new_secret))
            .await
    }
    async fn rotate_webhook_secret(
        &self,
        scope: Scope,
        secret: &str,
    ) -> StoreResult<WebhookEndpoint> {
        let secret = secret.to_string();
        self.db
            .write(move |c| webhooks::rotate(c, scope, &secret))
            .await
    }
    async fn claim_webhook_events(
        &self,
        now: chrono::DateTime<chrono::Utc>,
        lease_until: chrono::DateTime<chrono::Utc>,
        limit: u32,
    ) -> StoreResult<Vec<WebhookEvent>> {
        self.db
            .write(move |c| webhooks::claim(c, now, lease_until, limit))
            .await
    }
    async fn unrendered_webhook_events(&self, limit: u32) -> StoreResult<Vec<WebhookEvent>> {
        self.db.read(move |c| webhooks::unrendered(c, limit)).await
    }
    async fn freeze_webhook_payload(&self, event_id: i64, payload: &str) -> StoreResult<String> {
        let payload = payload.to_string();
        self.db
            .write(move |c| webhooks::freeze(c, event_id, &payload))
            .await
    }
    async fn record_webhook_attempt(
        &self,
        event_id: i64,
        attempt: &WebhookAttempt,
        outcome: AttemptOutcome,
    ) -> StoreResult<()> {
        let attempt = attempt.clone();
        self.db
            .write(move |c| webhooks::record_attempt(c, event_id, &attempt, outcome))
            .await
    }
    async fn list_webhook_events(
        &self,
        scope: Scope,
        query: &EventQuery,
    ) -> StoreResult<(Vec<WebhookEvent>, u64)> {
        let query = query.clone();
        self.db
            .read(move |c| webhooks::list(c, scope, &query))
            .await
    }
    async fn webhook_attempts(
        &self,
        scope: Scope,
        public_id: &str,
    ) -> StoreResult<Option<Vec<WebhookAttempt>>> {
        self.db
            .read_now(|c| webhooks::attempts(c, scope, public_id))
    }
    async fn retry_webhook_event(&self, scope: Scope, public_id: &str) -> StoreResult<bool> {
        let public_id = public_id.to_string();
        self.db
            .write(move |c| webhooks::retry(c, scope, &public_id))
            .await
    }
    async fn webhook_backlog(&self) -> StoreResult<u64> {
        self.db.read(webhooks::backlog).await
    }

    async fn begin_idempotent(
        &self,
        scope: Scope,
        key: &str,
        request_hash: &str,
    ) -> StoreResult<IdempotencyBegin> {
        let (key, request_hash) = (key.to_string(), request_hash.to_string());
        self.db
            .write(move |c| idempotency::begin(c, scope, &key, &request_hash))
            .await
    }
    async fn finish_idempotent(
        &self,
        scope: Scope,
        key: &str,
        response: &StoredResponse,
    ) -> StoreResult<()> {
        let (key, response) = (key.to_string(), response.clone());
        self.db
            .write(move |c| idempotency::finish(c, scope, &key, &response))
            .await
    }
    async fn abandon_idempotent(&self, scope: Scope, key: &str) -> StoreResult<()> {
        let key = key.to_string();
        self.db
            .write(move |c| idempotency::abandon(c, scope, &key))
            .await
    }
}
