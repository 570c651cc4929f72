//! Rendering an event's body `{"event", "id", "created_at", "data"}` from the
//! row it is about. Money is in kobo (`amountPaid`, `settlementAmount`,
//! `amount_kobo`) with `currency: "NGN"`; note that Monnify sends naira under
//! the same names.

use chrono::{DateTime, Utc};
use kobo_store::{CustomerLookup, Inflow, Scope, WebhookEvent};
use serde::Serialize;
use serde_json::value::RawValue;

use crate::routes::customers::view;
use crate::routes::one_time_accounts::OneTimeAccountOut;
use crate::routes::virtual_accounts::VirtualAccountOut;
use crate::state::AppState;

#[derive(Serialize)]
struct Body<'a> {
    event: &'a str,
    id: &'a str,
    created_at: DateTime<Utc>,
    data: &'a RawValue,
}

#[derive(Serialize)]
struct CustomerRef {
    mode: &'static str,
    code: String,
    reference: String,
    first_name: Option<String>,
    last_name: Option<String>,
    company_name: Option<String>,
    phone: Option<String>,
    email: String,
}

#[derive(Serialize)]
struct Sender {
    name: Option<String>,
    account_number: Option<String>,
    bank_code: Option<String>,
}

#[derive(Serialize)]
struct Account {
    account_number: String,
    account_name: Option<String>,
    bank_name: Option<String>,
    bank_code: Option<String>,
}

#[derive(Serialize)]
#[allow(non_snake_case)]
struct InflowData {
    mode: &'static str,
    sessionId: String,
    status: &'static str,
    reason: Option<String>,
    refund_due: bool,
    flag: Option<String>,
    currency: &'static str,
    /// Gross paid by the sender, in kobo.
    amountPaid: i64,
    /// Net credited to the customer, in kobo.
    settlementAmount: i64,
    amount_kobo: i64,
    fee_kobo: i64,
    vat_kobo: i64,
    net_kobo: i64,
    paidOn: DateTime<Utc>,
    narration: Option<String>,
    sender: Sender,
    account: Account,
    customer: Option<CustomerRef>,
}

#[derive(Serialize)]
struct WithCustomer<T: Serialize> {
    #[serde(flatten)]
    object: T,
    mode: &'static str,
    customer: Option<CustomerRef>,
}

/// The JSON body for `event`; `None` when its subject no longer exists.
pub async fn render(
    app: &AppState,
    event: &WebhookEvent,
) -> Result<Option<String>, kobo_store::StoreError> {
    let scope = Scope {
        business_id: event.business_id,
        mode: event.mode,
    };
    let data = match event.event_type.as_str() {
        "customer.created" | "customer.updated" => {
            let Some(c) = app
                .store
                .find_customer(scope, &CustomerLookup::Id(event.subject_id))
                .await?
            else {
                return Ok(None);
            };
            let out = view::customer_out(app, scope, c)
                .await
                .map_err(|e| kobo_store::StoreError::Internal(e.message))?;
            serde_json::to_string(&out)
        }
        "virtual_account.created" => {
            let Some(va) = app
                .store
                .find_virtual_account(scope, event.subject_id)
                .await?
            else {
                return Ok(None);
            };
            let customer = customer_ref(app, scope, Some(va.customer_id)).await?;
            serde_json::to_string(&WithCustomer {
                object: VirtualAccountOut::from(va),
                mode: scope.mode.as_str(),
                customer,
            })
        }
        t if t.starts_with("one_time_account.") => {
            let Some(ota) = app
                .store
                .find_one_time_account(scope, event.subject_id)
                .await?
            else {
                return Ok(None);
            };
            let customer = customer_ref(app, scope, Some(ota.account.customer_id)).await?;
            serde_json::to_string(&WithCustomer {
                object: OneTimeAccountOut::at(ota, event.created_at),
                mode: scope.mode.as_str(),
                customer,
            })
        }
        "inflow.received" | "inflow.suspended" => {
            let Some(inflow) = app.store.find_inflow_by_id(scope, event.subject_id).await? else {
                return Ok(None);
            };
            serde_json::to_string(&inflow_data(app, scope, inflow).await?)
        }
        _ => return Ok(None),
    }
    .map_err(|e| kobo_store::StoreError::Internal(e.to_string()))?;
    let data =
        RawValue::from_string(data).map_err(|e| kobo_store::StoreError::Internal(e.to_string()))?;
    let body = Body {
        event: &event.event_type,
        id: &event.public_id,
        created_at: event.created_at,
        data: &data,
    };
    serde_json::to_string(&body)
        .map(Some)
        .map_err(|e| kobo_store::StoreError::Internal(e.to_string()))
}

async fn inflow_data(
    app: &AppState,
    scope: Scope,
    i: Inflow,
) -> Result<InflowData, kobo_store::StoreError> {
    let customer = customer_ref(app, scope, i.customer_id).await?;
    let account = app.store.name_enquiry(&i.account_number).await?;
    Ok(InflowData {
        mode: scope.mode.as_str(),
        sessionId: i.session_id,
        status: i.status.as_str(),
        reason: i.reason,
        refund_due: i.refund_due,
        flag: i.flag,
        currency: "NGN",
        amountPaid: i.gross.0,
        settlementAmount: i.net.0,
        amount_kobo: i.gross.0,
        fee_kobo: i.fee.0,
        vat_kobo: i.vat.0,
        net_kobo: i.net.0,
        paidOn: i.paid_at,
        narration: i.narration,
        sender: Sender {
            name: i.sender_name,
            account_number: i.sender_account_number,
            bank_code: i.sender_bank_code,
        },
        account: Account {
            account_number: i.account_number,
            account_name: account.as_ref().map(|a| a.account_name.clone()),
            bank_name: account.as_ref().map(|a| a.bank_name.clone()),
            bank_code: account.map(|a| a.bank_code),
        },
        customer,
    })
}

async fn customer_ref(
    app: &AppState,
    scope: Scope,
    id: Option<i64>,
) -> Result<Option<CustomerRef>, kobo_store::StoreError> {
    let Some(id) = id else { return Ok(None) };
    let Some(c) = app
        .store
        .find_customer(scope, &CustomerLookup::Id(id))
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(CustomerRef {
        mode: c.mode.as_str(),
        code: c.code,
        reference: c.reference,
        first_name: c.first_name,
        last_name: c.last_name,
        company_name: c.company_name,
        phone: c.phone,
        email: c.email,
    }))
}
