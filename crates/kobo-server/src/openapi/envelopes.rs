//! The envelopes every answer is wrapped in, as documentation types. They
//! mirror `crate::envelope` (success, paginated list) and `crate::error`
//! (error), whose serializers borrow and so cannot describe themselves; the
//! contract test and schemathesis keep the two in step.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

use super::schemas;
use crate::envelope::PageMeta;

/// `{"success": true, "status": true, "message", "data"}`: 201 for a create, 200 otherwise.
#[derive(Serialize, ToSchema)]
pub struct Success<T> {
    #[schema(schema_with = schemas::always_true)]
    pub success: bool,
    /// Same as `success` (Paystack-style clients read `status`).
    #[schema(schema_with = schemas::always_true)]
    pub status: bool,
    #[schema(example = "Customer created successfully")]
    pub message: String,
    pub data: T,
}

/// A paginated list: the Laravel paginator in `data`, its fields repeated in `meta`.
#[derive(Serialize, ToSchema)]
pub struct Page<T> {
    #[schema(schema_with = schemas::always_true)]
    pub success: bool,
    #[schema(schema_with = schemas::always_true)]
    pub status: bool,
    #[schema(example = "Customers retrieved successfully")]
    pub message: String,
    pub data: PageData<T>,
    pub meta: PageMeta,
}

/// The paginator: its fields and the page's rows in `data`.
#[derive(Serialize, ToSchema)]
pub struct PageData<T> {
    #[serde(flatten)]
    pub meta: PageMeta,
    pub data: Vec<T>,
}

/// Every 4xx and 5xx: `{"success": false, "status": false, "message", "type", "code", "errors"}`.
#[derive(Serialize, ToSchema)]
#[schema(as = Error)]
pub struct ErrorBody {
    #[schema(schema_with = schemas::always_false)]
    pub success: bool,
    #[schema(schema_with = schemas::always_false)]
    pub status: bool,
    /// What went wrong, for people; with several bad fields, the first and a count.
    #[schema(example = "The email must be a valid email address.")]
    pub message: String,
    #[serde(rename = "type")]
    #[schema(schema_with = schemas::error_type)]
    pub kind: String,
    #[schema(schema_with = schemas::error_code)]
    pub code: String,
    /// Field name → rule messages, as Laravel reports them; `{}` when no field applies.
    #[schema(example = json!({"email": ["The email must be a valid email address."]}))]
    pub errors: BTreeMap<String, Vec<String>>,
}
