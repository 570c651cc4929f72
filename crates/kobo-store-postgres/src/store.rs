//! The [`Store`] trait, implemented by delegating to one module per concern.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use kobo_core::{Kobo, Mode};
use kobo_store::*;

use crate::*;

#[async_trait]
impl Store for PostgresStore {
    async fn migrate(&self) -> StoreResult<()> {
        migrate::run(&self.pool).await
    }
    async fn migrations_current(&self) -> StoreResult<bool> {
        migrate::is_current(&self.pool).await
    }

    async fn create_business(&self, name: &str, keys: &[NewApiKey]) -> StoreResult<Business> {
        businesses::create(&self.pool, name, keys).await
    }
    async fn list_businesses(&self) -> StoreResult<Vec<Business>> {
        businesses::list(&self.pool).await
    }
    async fn replace_keys(
        &self,
        business_id: i64,
        mode: Mode,
        keys: &[NewApiKey],
    ) -> StoreResult<()> {
        businesses::replace_keys(&self.pool, business_id, mode, keys).await
    }
    async fn find_api_key(&self, key_hash: &str) -> StoreResult<Option<ApiKey>> {
        businesses::find_key(&self.pool, key_hash).await
    }

    async fn list_collection_wallets(&self, scope: Scope) -> StoreResult<Vec<CollectionWallet>> {
        businesses::list_collection_wallets(&self.pool, scope).await
    }
    async fn create_collection_wallet(
        &self,
        scope: Scope,
        name: &str,
    ) -> StoreResult<CollectionWallet> {
        businesses::create_collection_wallet(&self.pool, scope, name).await
    }
    async fn find_collection_wallet(
        &self,
        scope: Scope,
        code: &str,
    ) -> StoreResult<Option<CollectionWallet>> {
        businesses::find_collection_wallet(&self.pool, scope, code).await
    }

    async fn create_customer(&self, scope: Scope, new: NewCustomer) -> StoreResult<Customer> {
        self.creates.create(scope, new).await
    }
    async fn find_customer(
        &self,
        scope: Scope,
        identifier: &CustomerLookup,
    ) -> StoreResult<Option<Customer>> {
        customers::find(&self.pool, scope, identifier).await
    }
    async fn update_customer(
        &self,
        scope: Scope,
        customer_id: i64,
        patch: CustomerPatch,
    ) -> StoreResult<Customer> {
        customers::update(&self.pool, scope, customer_id, &patch).await?;
        customers::get(&self.pool, scope, customer_id).await
    }
    async fn list_customers(
        &self,
        scope: Scope,
        query: &CustomerQuery,
    ) -> StoreResult<CustomerPage> {
        customer_list::list(&self.pool, scope, query).await
    }

    async fn set_fee_schedule(
        &self,
        business_id: i64,
        mode: Mode,
        fee: FeeSchedule,
    ) -> StoreResult<()> {
        businesses::set_fee_schedule(&self.pool, business_id, mode, fee).await
    }
    async fn create_virtual_account(
        &self,
        scope: Scope,
        customer_id: i64,
        reference: Option<String>,
        issuer: &AccountIssuer,
    ) -> StoreResult<VirtualAccount> {
        virtual_accounts::create(&self.pool, scope, customer_id, reference, issuer).await
    }
    async fn create_one_time_account(
        &self,
        scope: Scope,
        customer_id: i64,
        new: NewOneTimeAccount,
        issuer: &AccountIssuer,
    ) -> StoreResult<OneTimeAccount> {
        one_time::create(&self.pool, scope, customer_id, new, issuer).await
    }
    async fn one_time_accounts_of(
        &self,
        scope: Scope,
        customer_id: i64,
    ) -> StoreResult<Vec<OneTimeAccount>> {
        one_time::of_customer(&self.pool, scope, customer_id).await
    }
    async fn expire_one_time_accounts(&self, now: DateTime<Utc>) -> StoreResult<u64> {
        one_time::expire(&self.pool, now).await
    }
    async fn virtual_accounts_of(
        &self,
        scope: Scope,
        customer_ids: &[i64],
    ) -> StoreResult<Vec<VirtualAccount>> {
        virtual_accounts::of_customers(&self.pool, scope, customer_ids).await
    }
    async fn name_enquiry(&self, account_number: &str) -> StoreResult<Option<NameEnquiry>> {
        virtual_accounts::name_enquiry(&self.pool, account_number).await
    }
    async fn post_inflows(
        &self,
        batch: Vec<InflowRequest>,
    ) -> StoreResult<Vec<StoreResult<InflowOutcome>>> {
        inflows::post_batch(&self.pool, batch).await
    }
    async fn find_inflow(&self, scope: Scope, session_id: &str) -> StoreResult<Option<Inflow>> {
        inflow_reads::find(&self.pool, scope, session_id).await
    }
    async fn list_inflows(
        &self,
        scope: Scope,
        query: &InflowQuery,
    ) -> StoreResult<(Vec<Inflow>, u64)> {
        inflow_reads::list(&self.pool, scope, query).await
    }
    async fn collected_through(&self, scope: Scope, customer_id: i64) -> StoreResult<Kobo> {
        movements::collected_through(&self.pool, scope, customer_id).await
    }
    async fn movements_before(
        &self,
        scope: Scope,
        customer_id: i64,
        before: chrono::NaiveDate,
    ) -> StoreResult<Kobo> {
        movements::before(&self.pool, scope, customer_id, before).await
    }
    async fn movements(
        &self,
        scope: Scope,
        customer: &Customer,
        query: &MovementQuery,
    ) -> StoreResult<(Vec<Movement>, u64)> {
        movements::list(&self.pool, scope, customer, query).await
    }
    async fn ledger_totals(&self) -> StoreResult<Vec<LedgerTotal>> {
        verify::totals(&self.pool).await
    }
    async fn verify_ledger(&self) -> StoreResult<LedgerReport> {
        verify::run(&self.pool).await
    }

    async fn find_virtual_account(
        &self,
        scope: Scope,
        id: i64,
    ) -> StoreResult<Option<VirtualAccount>> {
        virtual_accounts::find(&self.pool, scope, id).await
    }
    async fn find_inflow_by_id(&self, scope: Scope, id: i64) -> StoreResult<Option<Inflow>> {
        inflow_reads::find_by_id(&self.pool, scope, id).await
    }
    async fn find_one_time_account(
        &self,
        scope: Scope,
        id: i64,
    ) -> StoreResult<Option<OneTimeAccount>> {
        one_time::find(&self.pool, scope, id).await
    }

    async fn webhook_endpoint(
        &self,
        scope: Scope,
        new_secret: &str,
    ) -> StoreResult<WebhookEndpoint> {
        webhooks::endpoint(&self.pool, scope, new_secret).await
    }
    async fn set_webhook_url(
        &self,
        scope: Scope,
        url: Option<String>,
        new_secret: &str,
    ) -> StoreResult<WebhookEndpoint> {
        webhooks::set_url(&self.pool, scope, url, new_secret).await
    }
    async fn rotate_webhook_secret(
        &self,
        scope: Scope,
        secret: &str,
    ) -> StoreResult<WebhookEndpoint> {
        webhooks::rotate(&self.pool, scope, secret).await
    }
    async fn claim_webhook_events(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<WebhookEvent>> {
        webhooks::claim(&self.pool, now, lease_until, limit).await
    }
    async fn unrendered_webhook_events(&self, limit: u32) -> StoreResult<Vec<WebhookEvent>> {
        webhooks::unrendered(&self.pool, limit).await
    }
    async fn freeze_webhook_payload(&self, event_id: i64, payload: &str) -> StoreResult<String> {
        webhooks::freeze(&self.pool, event_id, payload).await
    }
    async fn record_webhook_attempt(
        &self,
        event_id: i64,
        attempt: &WebhookAttempt,
        outcome: AttemptOutcome,
    ) -> StoreResult<()> {
        webhooks::record_attempt(&self.pool, event_id, attempt, outcome).await
    }
    async fn list_webhook_events(
        &self,
        scope: Scope,
        query: &EventQuery,
    ) -> StoreResult<(Vec<WebhookEvent>, u64)> {
        webhooks::list(&self.pool, scope, query).await
    }
    async fn webhook_attempts(
        &self,
        scope: Scope,
        public_id: &str,
    ) -> StoreResult<Option<Vec<WebhookAttempt>>> {
        webhooks::attempts(&self.pool, scope, public_id).await
    }
    async fn retry_webhook_event(&self, scope: Scope, public_id: &str) -> StoreResult<bool> {
        webhooks::retry(&self.pool, scope, public_id).await
    }
    async fn webhook_backlog(&self) -> StoreResult<u64> {
        webhooks::backlog(&self.pool).await
    }

    async fn begin_idempotent(
        &self,
        scope: Scope,
        key: &str,
        request_hash: &str,
    ) -> StoreResult<IdempotencyBegin> {
        idempotency::begin(&self.pool, scope, key, request_hash).await
    }
    async fn finish_idempotent(
        &self,
        scope: Scope,
        key: &str,
        response: &StoredResponse,
    ) -> StoreResult<()> {
        idempotency::finish(&self.pool, scope, key, response).await
    }
    async fn abandon_idempotent(&self, scope: Scope, key: &str) -> StoreResult<()> {
        idempotency::abandon(&self.pool, scope, key).await
    }
}
