//! Times are stored as RFC 3339 UTC text with microseconds, which sorts as it reads.

use chrono::{DateTime, SecondsFormat, Utc};
use kobo_store::StoreError;

pub(crate) fn now_text() -> String {
    to_text(Utc::now())
}

pub(crate) fn to_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub(crate) fn parse(text: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| StoreError::Internal(format!("bad stored time {text:?}")))
}
