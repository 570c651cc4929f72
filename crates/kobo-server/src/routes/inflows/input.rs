//! Reading an inflow from a request body, for either door.

use chrono::{DateTime, Utc};
use kobo_core::money::{parse_kobo_json, parse_naira_json, AmountError};
use kobo_core::validate::{self, Rule};
use kobo_core::Kobo;
use kobo_store::{Door, InflowRequest};
use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::routes::customers::input::Form;

/// Free text: 1 to `max` characters after trimming, no control characters.
fn free_text(max: usize) -> impl Fn(&str) -> Result<String, Rule> {
    move |s: &str| {
        let t = s.trim();
        if t.is_empty() {
            Err("must not be empty")
        } else if t.chars().count() > max {
            Err("is too long")
        } else if t.chars().any(char::is_control) {
            Err("must not contain control characters")
        } else {
            Ok(t.to_string())
        }
    }
}

fn timestamp(s: &str) -> Result<DateTime<Utc>, Rule> {
    DateTime::parse_from_rfc3339(s.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| "must be an RFC 3339 time such as 2026-01-31T12:00:00Z")
}

fn amount_field(
    form: &mut Form,
    body: &Map<String, Value>,
    field: &str,
    kobo: bool,
) -> Option<Kobo> {
    let value = body
        .get(field)
        .filter(|v| !v.is_null() && v.as_str() != Some(""))?;
    let parsed = if kobo {
        parse_kobo_json(value)
    } else {
        parse_naira_json(value)
    };
    match parsed.and_then(|k| {
        if k.is_positive() {
            Ok(k)
        } else {
            Err(AmountError::NotPositive)
        }
    }) {
        Ok(k) => Some(k),
        Err(e) => {
            form.fail(field, format!("The {field} {e}."));
            None
        }
    }
}

/// Validates `body` for `door`, naming every bad field at once.
pub fn parse(body: &Map<String, Value>, door: Door) -> Result<InflowRequest, ApiError> {
    let mut form = Form::new(body);
    let sandbox = matches!(door, Door::Sandbox { .. });
    let session_id = if sandbox {
        form.optional("session_id", validate::session_id)
    } else {
        form.required("session_id", validate::session_id)
    };
    let account_number = form.required("account_number", validate::account_number);
    let amount_kobo = amount_field(&mut form, body, "amount_kobo", true);
    let amount_naira = amount_field(&mut form, body, "amount", false);
    let has = |f: &str| {
        body.get(f)
            .is_some_and(|v| !v.is_null() && v.as_str() != Some(""))
    };
    let amount = match (amount_kobo, amount_naira) {
        (Some(k), Some(n)) if k != n => {
            form.fail(
                "amount",
                "The amount and amount_kobo disagree; send one of them.".into(),
            );
            None
        }
        (k, n) => k.or(n),
    };
    if !sandbox && has("amount") {
        form.fail(
            "amount",
            "The provider door takes amount_kobo (an integer number of kobo) only.".into(),
        );
    }
    if amount.is_none() && !has("amount_kobo") && !has("amount") {
        let field = if sandbox { "amount" } else { "amount_kobo" };
        form.fail(field, format!("The {field} field is required."));
    }
    let sender_name = form.optional("sender_name", free_text(100));
    let sender_account_number = form.optional("sender_account_number", validate::account_number);
    let sender_bank_code = form.optional("sender_bank_code", validate::bank_code);
    let narration = form.optional("narration", free_text(255));
    let paid_at = form.optional("paid_at", timestamp);
    let errors = form.finish();
    match (account_number, amount) {
        (Some(account_number), Some(amount)) if errors.is_empty() => Ok(InflowRequest {
            door,
            session_id: session_id.unwrap_or_else(kobo_core::ids::session_id),
            account_number,
            amount,
            sender_name,
            sender_account_number,
            sender_bank_code,
            narration,
            paid_at: paid_at.unwrap_or_else(Utc::now),
        }),
        _ => Err(ApiError::validation(errors)),
    }
}
