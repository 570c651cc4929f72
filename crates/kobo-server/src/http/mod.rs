//! Request plumbing shared by every route: body limits, authentication,
//! idempotency, JSON and query extraction, fallbacks.

pub mod auth;
pub mod body;
pub mod fallback;
pub mod idempotency;
pub mod json;
pub mod limits;
pub mod paging;
pub mod path;
pub mod query;
pub mod request_id;
pub mod signature;
