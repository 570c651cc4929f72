//! `GET /api/v1/customers/{identifier}/statement?from=&to=&format=csv|json`:
//! the customer's movements between two Lagos dates (inclusive) with opening
//! and closing balances. The body is streamed in chunks of 500 rows read by
//! keyset, so a year of a busy wallet never sits in memory.
//!
//! The opening balance is the sum of every movement before `from`; the running
//! balance and the closing balance are that plus the rows streamed, so
//! opening + movements = closing holds by construction.

use std::fmt::Write as _;

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use futures_util::stream;
use kobo_core::Kobo;
use kobo_store::{Customer, Movement, MovementQuery, Scope};
use serde_json::json;

use super::transactions::{date, TransactionOut};
use crate::error::{ApiError, ApiResult, FieldErrors};
use crate::http::auth::Auth;
use crate::http::query::QueryParams;
use crate::openapi::envelopes::{ErrorBody, Success};
use crate::openapi::params::StatementParams;
use crate::state::AppState;

const CHUNK: u32 = 500;

/// A statement (`format=json`), as streamed: the rows between the opening and closing balances.
#[derive(utoipa::ToSchema)]
pub struct StatementOut {
    pub customer: StatementCustomer,
    pub from: NaiveDate,
    pub to: NaiveDate,
    #[schema(schema_with = crate::openapi::schemas::currency)]
    pub currency: String,
    /// The sum of every movement before `from`.
    #[schema(value_type = crate::openapi::schemas::NairaAmount)]
    pub opening_balance: String,
    pub opening_balance_kobo: i64,
    /// Oldest first; `balance_after` runs from the opening balance.
    pub movements: Vec<TransactionOut>,
    /// Opening balance plus the movements.
    #[schema(value_type = crate::openapi::schemas::NairaAmount)]
    pub closing_balance: String,
    pub closing_balance_kobo: i64,
}

/// Whose statement it is.
#[derive(utoipa::ToSchema)]
pub struct StatementCustomer {
    pub code: String,
    pub reference: String,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    Json,
}

/// A customer's statement
///
/// Movements between two Lagos dates (inclusive) with opening and closing balances, streamed as
/// JSON (default) or CSV.
#[utoipa::path(
    get, path = "/api/v1/customers/{identifier}/statement", tag = "money",
    operation_id = "customer_statement", security(("DPPRIVATEKEY" = [])),
    params(
        ("identifier" = String, Path, description = "The customer's id, code, reference or email."),
        StatementParams
    ),
    responses(
        (status = 200, description = "The statement.", content(
            (Success<StatementOut> = "application/json"),
            (String = "text/csv", example = "entry_id,created_at,type,amount,amount_kobo,gross_kobo,fee_kobo,vat_kobo,balance_kobo,session_id,sender_name,sender_account_number,sender_bank_code,narration\n,2026-01-01,opening_balance,,,,,,0,,,,,\n")
        )),
        (status = 400, description = "`from` or `to` missing or bad, or a bad `format` (`validation_failed`, `invalid_query`).", body = ErrorBody),
        (status = 404, description = "No such customer (`not_found`).", body = ErrorBody),
    )
)]
pub async fn handle(
    State(app): State<AppState>,
    Auth(scope): Auth,
    Path(identifier): Path<String>,
    params: QueryParams,
) -> ApiResult<Response> {
    let customer = super::find(&app, scope, &identifier).await?;
    let mut errors = FieldErrors::new();
    let from = date(&params, "from", &mut errors);
    let to = date(&params, "to", &mut errors);
    for (name, value) in [("from", from), ("to", to)] {
        if value.is_none() && !errors.contains_key(name) {
            errors.insert(name.into(), vec![format!("The {name} field is required.")]);
        }
    }
    let format = match params.get("format").unwrap_or("json") {
        "json" => Format::Json,
        "csv" => Format::Csv,
        _ => {
            errors.insert(
                "format".into(),
                vec!["The format must be either csv or json.".into()],
            );
            Format::Json
        }
    };
    let (Some(from), Some(to)) = (from, to) else {
        return Err(ApiError::validation(errors));
    };
    if from > to {
        errors.insert(
            "from".into(),
            vec!["The from date must not be after the to date.".into()],
        );
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let opening = app.store.movements_before(scope, customer.id, from).await?;
    let code = customer.code.clone();
    let reference = customer.reference.clone();
    let header_text = match format {
        Format::Json => {
            let head = json!({
                "customer": {"code": code, "reference": reference},
                "from": from, "to": to, "currency": "NGN",
                "opening_balance_kobo": opening.0,
            });
            let head = head.to_string();
            format!(
                "{{\"success\":true,\"status\":true,\"message\":\"Statement generated\",\"data\":{},\"opening_balance\":{},\"movements\":[",
                &head[..head.len() - 1],
                opening.to_naira_string()
            )
        }
        Format::Csv => format!(
            "entry_id,created_at,type,amount,amount_kobo,gross_kobo,fee_kobo,vat_kobo,balance_kobo,session_id,sender_name,sender_account_number,sender_bank_code,narration\n,{from},opening_balance,,,,,,{},,,,,\n",
            opening.0
        ),
    };
    let walk = Walk {
        app,
        scope,
        customer,
        from,
        to,
        format,
        after: None,
        running: opening,
        first: true,
        state: Step::Rows,
    };
    let head = stream::once(async move { Ok::<Bytes, std::io::Error>(Bytes::from(header_text)) });
    let rows = stream::unfold(walk, next_chunk);
    let mut response =
        Body::from_stream(futures_util::StreamExt::chain(head, rows)).into_response();
    let content_type = match format {
        Format::Json => "application/json",
        Format::Csv => "text/csv; charset=utf-8",
    };
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    Ok(response)
}

#[derive(PartialEq, Eq)]
enum Step {
    Rows,
    Closing,
    Done,
}

struct Walk {
    app: AppState,
    scope: Scope,
    customer: Customer,
    from: NaiveDate,
    to: NaiveDate,
    format: Format,
    after: Option<i64>,
    running: Kobo,
    first: bool,
    state: Step,
}

async fn next_chunk(mut w: Walk) -> Option<(Result<Bytes, std::io::Error>, Walk)> {
    match w.state {
        Step::Done => None,
        Step::Closing => {
            w.state = Step::Done;
            let text = match w.format {
                Format::Json => format!(
                    "],\"closing_balance\":{},\"closing_balance_kobo\":{}}}}}",
                    w.running.to_naira_string(),
                    w.running.0
                ),
                Format::Csv => format!(",{},closing_balance,,,,,,{},,,,,\n", w.to, w.running.0),
            };
            Some((Ok(Bytes::from(text)), w))
        }
        Step::Rows => {
            let query = MovementQuery {
                from: Some(w.from),
                to: Some(w.to),
                limit: CHUNK,
                starting_after: w.after,
                ascending: true,
                ..Default::default()
            };
            let rows = match w.app.store.movements(w.scope, &w.customer, &query).await {
                Ok((rows, _)) => rows,
                Err(e) => {
                    tracing::error!(error = %e, "statement stream failed");
                    w.state = Step::Done;
                    return Some((Err(std::io::Error::other("statement failed")), w));
                }
            };
            if (rows.len() as u32) < CHUNK {
                w.state = Step::Closing;
            }
            let mut text = String::new();
            for m in rows {
                w.after = Some(m.entry_id);
                let Some(running) = w.running.checked_add(m.amount) else {
                    w.state = Step::Done;
                    return Some((Err(std::io::Error::other("balance overflow")), w));
                };
                w.running = running;
                match w.format {
                    Format::Json => write_json(&mut text, m, running, &mut w.first),
                    Format::Csv => write_csv(&mut text, m, running),
                }
            }
            Some((Ok(Bytes::from(text)), w))
        }
    }
}

fn write_json(out: &mut String, m: Movement, running: Kobo, first: &mut bool) {
    let mut row = TransactionOut::from(m);
    row.balance_after = kobo_core::money::Naira(running);
    row.balance_after_kobo = running.0;
    if !*first {
        out.push(',');
    }
    *first = false;
    out.push_str(&serde_json::to_string(&row).unwrap_or_default());
}

fn write_csv(out: &mut String, m: Movement, running: Kobo) {
    let kind = if m.amount.0 > 0 {
        "deposit"
    } else {
        "withdrawal"
    };
    let i = m.inflow.as_ref();
    let text = |v: Option<&String>| csv_field(v.map(String::as_str).unwrap_or(""));
    let _ = writeln!(
        out,
        "{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
        m.entry_id,
        m.created_at
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        kind,
        m.amount.to_naira_string(),
        m.amount.0,
        i.map(|i| i.gross.0).unwrap_or(m.amount.0.abs()),
        i.map(|i| i.fee.0).unwrap_or(0),
        i.map(|i| i.vat.0).unwrap_or(0),
        running.0,
        text(i.map(|i| &i.session_id)),
        text(i.and_then(|i| i.sender_name.as_ref())),
        text(i.and_then(|i| i.sender_account_number.as_ref())),
        text(i.and_then(|i| i.sender_bank_code.as_ref())),
        text(i.and_then(|i| i.narration.as_ref())),
    );
}

/// Quotes a CSV field when needed, and defuses spreadsheet formulas (a field
/// starting with = + - @ gets a leading apostrophe).
fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=SUM(A1)"), "'=SUM(A1)");
    }
}
