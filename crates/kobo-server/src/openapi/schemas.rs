//! Schemas that no Rust type spells out by itself: naira amounts (a JSON
//! number rendered from integer kobo), the closed sets of strings the API
//! sends (`schema_with` targets), and the error codes of [`ErrorCode::ALL`].

use std::borrow::Cow;

use serde_json::json;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

use crate::error::ErrorCode;

/// `kobo_core::money::Naira` on the wire: a number with two decimals built
/// from integer kobo (never through a float). Fields of that type name this
/// one with `#[schema(value_type = NairaAmount)]`.
pub struct NairaAmount;

impl PartialSchema for NairaAmount {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Number)
            .description(Some(
                "Naira with two decimals, rendered from integer kobo (never through a float); \
                 every such field has a `_kobo` twin holding the exact integer.",
            ))
            .examples([json!(1500.50)])
            .into()
    }
}

impl ToSchema for NairaAmount {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Naira")
    }
}

/// A string that is one of `values`.
fn one_of(values: &[&str], description: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values.iter().copied()))
        .description(Some(description))
}

/// `true` and nothing else (`success`/`status` of a success envelope).
pub fn always_true() -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::Boolean)
        .enum_values(Some([true]))
}

/// `false` and nothing else (`success`/`status` of an error envelope).
pub fn always_false() -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::Boolean)
        .enum_values(Some([false]))
}

/// Every stable error code, from [`ErrorCode::ALL`].
pub fn error_code() -> ObjectBuilder {
    let codes: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    one_of(
        &codes,
        "Stable machine code; the README lists when each is sent.",
    )
}

/// The error categories Dotapay's docs name.
pub fn error_type() -> ObjectBuilder {
    let mut kinds: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.kind()).collect();
    kinds.sort_unstable();
    kinds.dedup();
    one_of(&kinds, "Category of the error.")
}

pub fn currency() -> ObjectBuilder {
    one_of(&["NGN"], "Always NGN.")
}

pub fn mode() -> ObjectBuilder {
    one_of(
        &["test", "live"],
        "The world the object lives in, set by the key that made it.",
    )
}

pub fn customer_type() -> ObjectBuilder {
    one_of(
        &["wallet", "collection"],
        "`wallet`: the customer holds its own balance; `collection`: inflows go to a collection wallet.",
    )
}

pub fn customer_category() -> ObjectBuilder {
    one_of(
        &["individual", "corporate"],
        "Whether the customer is a person or a company.",
    )
}

pub fn customer_status() -> ObjectBuilder {
    one_of(
        &["ACTIVE", "INACTIVE"],
        "An INACTIVE customer gets no new accounts and no credits.",
    )
}

pub fn account_status() -> ObjectBuilder {
    one_of(
        &["ACTIVE", "INACTIVE"],
        "An INACTIVE account's inflows go to suspense.",
    )
}

pub fn one_time_status() -> ObjectBuilder {
    one_of(
        &["PENDING", "APPROVED", "EXPIRED"],
        "PENDING until paid in full (APPROVED) or past `expires_at` (EXPIRED).",
    )
}

pub fn movement_type() -> ObjectBuilder {
    one_of(&["deposit", "withdrawal"], "Money in or out of the wallet.")
}

pub fn inflow_status() -> ObjectBuilder {
    one_of(
        &["credited", "suspense"],
        "`credited` to a wallet, or held in `suspense` with a `reason`.",
    )
}

/// A naira amount in a request: a number, or a string with at most 2 decimals.
pub fn naira_in() -> utoipa::openapi::schema::OneOfBuilder {
    utoipa::openapi::schema::OneOfBuilder::new()
        .item(
            ObjectBuilder::new()
                .schema_type(Type::Number)
                .exclusive_minimum(Some(0))
                .maximum(Some(100_000_000_000_i64)),
        )
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(r"^([0-9]{1,12}(\.[0-9]{1,2})?)?$")),
        )
        .item(ObjectBuilder::new().schema_type(Type::Null))
        .description(Some(
            "Naira: a number or a string with at most 2 decimals, above 0 and up to \
             100000000000.00. Give this or `amount_kobo`; both and unequal is 400. \
             `null` and `\"\"` mean not given.",
        ))
        .examples([json!("1500.50")])
}

/// An amount in kobo in a request: an integer, or a string of digits.
pub fn kobo_in() -> utoipa::openapi::schema::OneOfBuilder {
    utoipa::openapi::schema::OneOfBuilder::new()
        .item(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(1))
                .maximum(Some(kobo_core::money::MAX_REQUEST_KOBO)),
        )
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(r"^([0-9]{1,14})?$")),
        )
        .item(ObjectBuilder::new().schema_type(Type::Null))
        .description(Some(
            "Kobo (1/100 naira): a whole number above 0, up to 10000000000000. \
             `null` and `\"\"` mean not given.",
        ))
        .examples([json!(150050)])
}
