//! The OpenAPI 3.1 document, generated from the code: each handler's
//! `#[utoipa::path]`, the `*Out` response types, and the documentation-only
//! request types and envelopes beside this file. Served at
//! `GET /api/v1/openapi.json` (and as the page `GET /docs`); committed as
//! `docs/openapi.json`, which the `contract` test keeps equal to this.

pub mod envelopes;
mod intern;
pub mod params;
pub mod requests;
mod responses;
pub mod schemas;

use std::collections::HashSet;

use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::{Modify, OpenApi};

use intern::InternSchemas;
use responses::CommonResponses;

use crate::routes::{
    collection_wallets, customers, docs, health, inflows, one_time_accounts, virtual_accounts,
    webhooks,
};

/// Name of the security scheme (the header it reads).
pub const PRIVATE_KEY: &str = "DPPRIVATEKEY";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "kobo",
        description = "Customer wallets and bank account numbers (NUBANs), speaking Dotapay's \
            Customers API wire format. Private routes take the private key in `DPPRIVATEKEY`; the \
            key's mode (test `PRV_DP_DEMO_…` or live `PRV_DP_…`) picks the world the request acts \
            in. Every answer is an envelope: `{success, status, message, data}` or, for errors, \
            `{success, status, message, type, code, errors}`. Money is integer kobo inside; naira \
            amounts are JSON numbers with two decimals, each with a `_kobo` twin. A trailing slash \
            is optional on every path."
    ),
    paths(
        customers::list::handle,
        customers::create::handle,
        customers::corporate::handle,
        customers::store_or_update::handle,
        customers::fetch::handle,
        customers::update::handle,
        customers::balance::handle,
        customers::transactions::handle,
        customers::statement::handle,
        virtual_accounts::list,
        virtual_accounts::create,
        one_time_accounts::list,
        one_time_accounts::create,
        collection_wallets::list,
        collection_wallets::create,
        inflows::sandbox::inflow,
        inflows::lookup::list,
        inflows::lookup::fetch,
        inflows::provider::inflow,
        inflows::provider::name_enquiry,
        health::healthz,
        health::readyz,
        health::metrics,
        docs::openapi_json,
        docs::page,
        docs::asset,
        webhooks::endpoint::get,
        webhooks::endpoint::put,
        webhooks::endpoint::rotate_secret,
        webhooks::events::list,
        webhooks::events::attempts,
        webhooks::events::retry,
    ),
    components(schemas(envelopes::ErrorBody, schemas::NairaAmount)),
    modifiers(&PrivateKey, &CommonResponses, &UniqueOperationIds, &InternSchemas),
    tags(
        (name = "customers", description = "Create, read, update and list customers."),
        (name = "accounts", description = "Virtual accounts (permanent NUBANs) and one-time accounts."),
        (name = "money", description = "Balances, transactions, statements and inflows."),
        (name = "collection-wallets", description = "The business's collection wallets."),
        (name = "provider", description = "The partner bank's door: signed with \
            `X-Provider-Signature`, live accounts only."),
        (name = "webhooks", description = "Where events are sent, their signing secret, and every \
            delivery attempt."),
        (name = "service", description = "Health, metrics and this document."),
    )
)]
pub struct ApiDoc;

/// The document.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// The document as pretty JSON with a final newline (the committed form).
pub fn pretty_json() -> String {
    let mut text = document()
        .to_pretty_json()
        .expect("the OpenAPI document serializes");
    text.push('\n');
    text
}

/// Declares the `DPPRIVATEKEY` header as an apiKey scheme.
struct PrivateKey;

impl Modify for PrivateKey {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        let key = ApiKeyValue::with_description(
            PRIVATE_KEY,
            "Your private key: `PRV_DP_DEMO_…` (test) or `PRV_DP_…` (live). Public keys get 401.",
        );
        components.add_security_scheme(PRIVATE_KEY, SecurityScheme::ApiKey(ApiKey::Header(key)));
    }
}

/// One handler serving two methods (PATCH and PUT) gets one operation id;
/// ids must be unique, so later repeats get the method as a suffix.
struct UniqueOperationIds;

impl Modify for UniqueOperationIds {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let mut seen = HashSet::new();
        for item in doc.paths.paths.values_mut() {
            let ops = [
                ("get", &mut item.get),
                ("post", &mut item.post),
                ("patch", &mut item.patch),
                ("put", &mut item.put),
            ];
            for (method, op) in ops {
                let Some(id) = op.as_mut().and_then(|o| o.operation_id.as_mut()) else {
                    continue;
                };
                if !seen.insert(id.clone()) {
                    *id = format!("{id}_{method}");
                    seen.insert(id.clone());
                }
            }
        }
    }
}
