//! Request bodies, as documentation types (`*In`). Handlers read bodies as
//! raw JSON objects and validate by hand, so one 400 names every bad field;
//! these types only describe what they accept. For optional fields, absent,
//! `null` and `""` all mean "not given"; text fields also accept an integer,
//! read as its digits (some clients send BVNs and phones as numbers).

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::schemas;

/// A new individual customer (`POST /customers`). The seed's sample request works as printed.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "first_name": "Wale", "last_name": "Ajanlekoko", "nin": "12345678901", "dob": "1990-06-15",
    "bvn": "", "phone": "+2348012345678", "email": "wale@example.com",
    "reference": "CUST2025-0017", "type": "wallet"
}))]
pub struct CustomerIn {
    /// Letters of any script with their combining marks, spaces, `'`, `-`, `.`; 1-100 characters
    /// after trimming.
    #[schema(min_length = 1, example = "Wale")]
    pub first_name: String,
    /// Letters of any script with their combining marks, spaces, `'`, `-`, `.`; 1-100 characters
    /// after trimming.
    #[schema(min_length = 1, example = "Ajanlekoko")]
    pub last_name: String,
    #[serde(flatten)]
    pub common: CustomerFieldsIn,
}

/// A new corporate customer (`POST /customers/corporate`).
#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "company_name": "Ada Stores Ltd", "rc_number": "RC123456", "email": "accounts@adastores.ng",
    "reference": "CORP-0001", "type": "wallet"
}))]
pub struct CorporateCustomerIn {
    /// Letters, digits, spaces and `& ' - . , ( ) /`; 1-150 characters.
    #[schema(min_length = 1, example = "Ada Stores Ltd")]
    pub company_name: String,
    /// CAC registration number: optional `RC`, `BN`, `IT` or `LP` prefix and up to 10 digits.
    #[schema(
        pattern = r"^(?:(?:[Rr][Cc]|[Bb][Nn]|[Ii][Tt]|[Ll][Pp])[ -]?)?[0-9]{1,10}$",
        example = "RC123456"
    )]
    pub rc_number: String,
    #[serde(flatten)]
    pub common: CustomerFieldsIn,
}

/// Fields shared by every way of creating a customer.
#[derive(Serialize, ToSchema)]
pub struct CustomerFieldsIn {
    /// Syntax only (no DNS); unique per business and mode, case-insensitively.
    #[schema(format = "email", max_length = 254, example = "wale@example.com")]
    pub email: String,
    /// The business's own id for the customer; unique per business and mode. Letters, digits,
    /// `.`, `_`, `-`; not only digits; not starting with `CUS_`.
    #[schema(
        pattern = r"^(?![0-9]+$)(?![Cc][Uu][Ss]_)[A-Za-z0-9._-]{1,100}$",
        example = "CUST2025-0017"
    )]
    pub reference: String,
    #[serde(flatten)]
    pub optional: CustomerOptionalIn,
}

/// Optional customer fields.
#[derive(Serialize, ToSchema)]
pub struct CustomerOptionalIn {
    /// `+234…`, `234…` or `0…` with 10 national digits; spaces and dashes ignored; stored as E.164.
    #[schema(example = "+2348012345678")]
    pub phone: Option<String>,
    /// Date of birth, in the past and not before 1900-01-01.
    pub dob: Option<NaiveDate>,
    /// 11 digits; unique per business and mode; returned masked.
    #[schema(pattern = r"^([0-9]{11})?$", example = "22212345678")]
    pub bvn: Option<String>,
    /// 11 digits; unique per business and mode; returned masked.
    #[schema(pattern = r"^([0-9]{11})?$", example = "12345678901")]
    pub nin: Option<String>,
    /// Defaults to `wallet`.
    #[serde(rename = "type")]
    #[schema(value_type = Option<CustomerTypeIn>)]
    pub customer_type: Option<String>,
    /// Code of one of the business's collection wallets; required when `type` is `collection`,
    /// ignored for `wallet` customers.
    pub collection_wallet_code: Option<String>,
    /// Same as `collection_wallet_code` (the seed's sample sends this name).
    pub collection_wallet: Option<String>,
}

/// `wallet` or `collection`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum CustomerTypeIn {
    Wallet,
    Collection,
}

/// `ACTIVE` or `INACTIVE` (any letter case).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum CustomerStatusIn {
    Active,
    Inactive,
}

/// `POST /customers/storeorupdate`: the customer with this `reference` is updated with the
/// fields given, or created (201) from them. A body with `company_name` creates a corporate
/// customer (`company_name`, `rc_number`, `email`), any other an individual (`first_name`,
/// `last_name`, `email`).
#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "reference": "CUST2025-0017", "first_name": "Wale", "last_name": "Ajanlekoko",
    "email": "wale@example.com", "phone": "08012345678"
}))]
pub struct StoreOrUpdateIn {
    #[schema(
        pattern = r"^(?![0-9]+$)(?![Cc][Uu][Ss]_)[A-Za-z0-9._-]{1,100}$",
        example = "CUST2025-0017"
    )]
    pub reference: String,
    #[serde(flatten)]
    pub changes: CustomerUpdateIn,
}

/// `PATCH`/`PUT /customers/{identifier}`: a partial update (PUT too); only the fields given change.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"phone": "08031234567", "status": "INACTIVE"}))]
pub struct CustomerUpdateIn {
    /// Letters of any script with their combining marks, spaces, `'`, `-`, `.`; 1-100 characters
    /// after trimming.
    pub first_name: Option<String>,
    /// Letters of any script with their combining marks, spaces, `'`, `-`, `.`; 1-100 characters
    /// after trimming.
    pub last_name: Option<String>,
    pub company_name: Option<String>,
    pub rc_number: Option<String>,
    #[schema(format = "email", max_length = 254)]
    pub email: Option<String>,
    #[serde(flatten)]
    pub optional: CustomerOptionalIn,
    #[schema(value_type = Option<CustomerStatusIn>)]
    pub status: Option<String>,
}

/// `POST /customers/{identifier}/virtual-accounts`: the body may be empty.
#[derive(Serialize, ToSchema)]
pub struct VirtualAccountIn {
    /// Your own reference for the account.
    #[schema(
        pattern = r"^((?![0-9]+$)(?![Cc][Uu][Ss]_)[A-Za-z0-9._-]{1,100})?$",
        example = "va-0001"
    )]
    pub reference: Option<String>,
}

/// `POST /customers/{identifier}/one-time-accounts`: `amount` or `amount_kobo` is required.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"amount": "5000.00", "expires_in_minutes": 30, "reference": "order-1001"}))]
pub struct OneTimeAccountIn {
    #[schema(schema_with = schemas::naira_in)]
    pub amount: Option<String>,
    #[schema(schema_with = schemas::kobo_in)]
    pub amount_kobo: Option<i64>,
    /// 5 to 1440; default 30.
    #[schema(minimum = 5, maximum = 1440, example = 30)]
    pub expires_in_minutes: Option<i64>,
    /// Unique per business and mode; generated (`ota_…`) when not given.
    #[schema(
        pattern = r"^((?![0-9]+$)(?![Cc][Uu][Ss]_)[A-Za-z0-9._-]{1,100})?$",
        example = "order-1001"
    )]
    pub reference: Option<String>,
}

/// `POST /collection-wallets`.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"name": "Lagos branch"}))]
pub struct CollectionWalletIn {
    /// Letters, digits, spaces and `& ' - . , ( ) /`; 1-150 characters.
    #[schema(min_length = 1, example = "Lagos branch")]
    pub name: String,
}

/// `POST /sandbox/inflows`: a simulated transfer into one of your test accounts.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"account_number": "9990000017", "amount": "1500.50", "sender_name": "Bola Ade"}))]
pub struct SandboxInflowIn {
    /// The NIP session id, 30 digits; generated when not given.
    #[schema(pattern = r"^([0-9]{30})?$")]
    pub session_id: Option<String>,
    #[serde(flatten)]
    pub transfer: TransferIn,
    #[schema(schema_with = schemas::naira_in)]
    pub amount: Option<String>,
    #[schema(schema_with = schemas::kobo_in)]
    pub amount_kobo: Option<i64>,
}

/// `POST /provider/inflows`: the partner bank reports a transfer (kobo only).
#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "session_id": "000015250101120000123456789012", "account_number": "9990000017",
    "amount_kobo": 150050, "sender_name": "Bola Ade", "sender_account_number": "0123456789",
    "sender_bank_code": "058", "narration": "School fees", "paid_at": "2026-01-31T12:00:00Z"
}))]
pub struct ProviderInflowIn {
    /// The NIP session id, 30 digits: what makes an inflow unique.
    #[schema(pattern = r"^[0-9]{30}$", example = "000015250101120000123456789012")]
    pub session_id: String,
    #[serde(flatten)]
    pub transfer: TransferIn,
    #[schema(schema_with = schemas::kobo_in)]
    pub amount_kobo: i64,
}

/// Fields of a transfer, shared by both doors.
#[derive(Serialize, ToSchema)]
pub struct TransferIn {
    /// The kobo account paid into.
    #[schema(pattern = r"^[0-9]{10}$", example = "9990000017")]
    pub account_number: String,
    /// 1-100 characters, no control characters.
    #[schema(example = "Bola Ade")]
    pub sender_name: Option<String>,
    #[schema(pattern = r"^([0-9]{10})?$", example = "0123456789")]
    pub sender_account_number: Option<String>,
    /// 3 or 6 digits.
    #[schema(pattern = r"^([0-9]{3}|[0-9]{6})?$", example = "058")]
    pub sender_bank_code: Option<String>,
    /// 1-255 characters, no control characters.
    pub narration: Option<String>,
    /// When the payer's bank took the money (RFC 3339); defaults to now.
    #[schema(value_type = Option<chrono::DateTime<chrono::Utc>>)]
    pub paid_at: Option<String>,
}

/// `POST /provider/name-enquiry`.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"account_number": "9990000017"}))]
pub struct NameEnquiryIn {
    #[schema(pattern = r"^[0-9]{10}$", example = "9990000017")]
    pub account_number: String,
}

/// `PUT /webhooks`: the URL for the key's mode (live: `webhook_url`, test:
/// `webhook_sandbox_url`); `null` or `""` turns webhooks off.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"url": "https://example.com/kobo/webhooks"}))]
pub struct WebhookUrlIn {
    /// An http(s) URL that does not point to a private, loopback or link-local address.
    #[schema(
        required = true,
        max_length = 2048,
        example = "https://example.com/kobo/webhooks"
    )]
    pub url: Option<String>,
}
