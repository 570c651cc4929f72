//! Times are stored as TEXT in RFC 3339 UTC with microseconds, exactly as the
//! SQLite engine stores them: both engines then return identical values (and
//! identical JSON), and the fixed-width text sorts as it reads, so range
//! filters compare text. PostgreSQL's TIMESTAMPTZ would round-trip the same
//! instants, but only by formatting every read; one format in both engines is
//! simpler to keep right.

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
