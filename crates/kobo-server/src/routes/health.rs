//! Liveness.

use axum::Json;
use serde_json::{json, Value};

/// The process is up (it does not touch the database).
pub async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}
