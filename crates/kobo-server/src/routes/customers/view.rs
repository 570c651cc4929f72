//! The customer as JSON (COMPAT.md's shape). BVN and NIN appear masked only.

use chrono::{DateTime, NaiveDate, Utc};
use kobo_core::money::Naira;
use kobo_store::{Customer, Scope, VirtualAccount};

use crate::error::ApiResult;
use crate::routes::virtual_accounts::VirtualAccountOut;
use crate::state::AppState;
use serde::Serialize;
use utoipa::ToSchema;

/// The customer's own wallet.
#[derive(Serialize, ToSchema)]
pub struct WalletOut {
    #[schema(example = "wal_8f3k2m9q")]
    pub slug: String,
    #[schema(value_type = crate::openapi::schemas::NairaAmount)]
    pub balance: Naira,
    #[schema(example = 150050)]
    pub balance_kobo: i64,
}

/// A customer. BVN and NIN appear masked only.
#[derive(Serialize, ToSchema)]
pub struct CustomerOut {
    #[schema(example = 17)]
    pub id: i64,
    #[schema(example = "CUS_x7Kq2Lm9Pz")]
    pub code: String,
    #[schema(example = "CUST2025-0017")]
    pub reference: String,
    #[schema(example = "Wale")]
    pub first_name: Option<String>,
    #[schema(example = "Ajanlekoko")]
    pub last_name: Option<String>,
    pub company_name: Option<String>,
    pub rc_number: Option<String>,
    #[schema(example = "wale@example.com")]
    pub email: String,
    /// E.164.
    #[schema(example = "+2348012345678")]
    pub phone: Option<String>,
    pub dob: Option<NaiveDate>,
    /// Masked: the last three digits only.
    #[schema(example = "********901")]
    pub bvn: Option<String>,
    /// Masked: the last three digits only.
    #[schema(example = "********901")]
    pub nin: Option<String>,
    #[serde(rename = "type")]
    #[schema(schema_with = crate::openapi::schemas::customer_type)]
    pub customer_type: &'static str,
    #[schema(schema_with = crate::openapi::schemas::customer_category)]
    pub category: &'static str,
    #[schema(schema_with = crate::openapi::schemas::customer_status)]
    pub status: &'static str,
    #[schema(schema_with = crate::openapi::schemas::mode)]
    pub mode: &'static str,
    /// Code of the collection wallet (collection customers).
    pub collection_wallet: Option<String>,
    pub wallet: WalletOut,
    pub virtual_accounts: Vec<VirtualAccountOut>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The JSON of one customer, with its virtual accounts.
pub async fn customer_out(
    app: &AppState,
    scope: Scope,
    customer: Customer,
) -> ApiResult<CustomerOut> {
    Ok(customers_out(app, scope, vec![customer]).await?.remove(0))
}

/// The JSON of a customer just created: no virtual account can exist yet
/// (accounts are made by their own request, for an existing customer), so
/// there is nothing to read.
pub fn new_customer_out(customer: Customer) -> CustomerOut {
    CustomerOut::from(customer)
}

/// The JSON of one customer and its virtual accounts, read together.
pub fn with_accounts(customer: Customer, accounts: Vec<VirtualAccount>) -> CustomerOut {
    let mut out = CustomerOut::from(customer);
    out.virtual_accounts = accounts.into_iter().map(VirtualAccountOut::from).collect();
    out
}

/// The JSON of many customers, with their virtual accounts (one query for all).
pub async fn customers_out(
    app: &AppState,
    scope: Scope,
    customers: Vec<Customer>,
) -> ApiResult<Vec<CustomerOut>> {
    let ids: Vec<i64> = customers.iter().map(|c| c.id).collect();
    let mut accounts = app.store.virtual_accounts_of(scope, &ids).await?;
    Ok(customers
        .into_iter()
        .map(|c| {
            let (mine, rest): (Vec<_>, Vec<_>) =
                accounts.drain(..).partition(|a| a.customer_id == c.id);
            accounts = rest;
            let mut out = CustomerOut::from(c);
            out.virtual_accounts = mine.into_iter().map(VirtualAccountOut::from).collect();
            out
        })
        .collect())
}

impl From<Customer> for CustomerOut {
    fn from(c: Customer) -> Self {
        CustomerOut {
            id: c.id,
            category: if c.is_corporate() {
                "corporate"
            } else {
                "individual"
            },
            code: c.code,
            reference: c.reference,
            first_name: c.first_name,
            last_name: c.last_name,
            company_name: c.company_name,
            rc_number: c.rc_number,
            email: c.email,
            phone: c.phone,
            dob: c.dob,
            bvn: c.bvn_masked,
            nin: c.nin_masked,
            customer_type: c.customer_type.as_str(),
            status: c.status.as_str(),
            mode: c.mode.as_str(),
            collection_wallet: c.collection_wallet_code,
            wallet: WalletOut {
                slug: c.wallet_slug,
                balance: Naira(c.wallet_balance),
                balance_kobo: c.wallet_balance.0,
            },
            virtual_accounts: Vec::new(),
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}
