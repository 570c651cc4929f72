//! Reading and validating customer fields from a JSON body. Every bad field is
//! collected, so one 400 names them all. Absent, `null` and `""` all mean
//! "not given" (the seed's sample sends `"bvn": ""`).

use chrono::NaiveDate;
use kobo_core::validate::{self, Rule};
use kobo_store::{CollectionWallet, Customer, CustomerStatus, CustomerType, Scope, SealedIdentity};
use serde_json::{Map, Value};

use crate::error::{ApiResult, FieldErrors};
use crate::state::AppState;

/// A JSON object being read field by field, collecting errors.
pub struct Form<'a> {
    body: &'a Map<String, Value>,
    errors: FieldErrors,
}

impl<'a> Form<'a> {
    pub fn new(body: &'a Map<String, Value>) -> Form<'a> {
        Form {
            body,
            errors: FieldErrors::new(),
        }
    }

    /// Records an error against `field`.
    pub fn fail(&mut self, field: &str, message: String) {
        self.errors
            .entry(field.to_string())
            .or_default()
            .push(message);
    }

    /// The field's text; `None` when absent, null or empty. Integers are read
    /// as their digits (some clients send BVNs and phones as numbers).
    pub fn text(&mut self, field: &str) -> Option<String> {
        match self.body.get(field) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.is_empty() => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) if n.is_u64() || n.is_i64() => Some(n.to_string()),
            Some(_) => {
                self.fail(field, format!("The {field} must be a string."));
                None
            }
        }
    }

    /// An optional field checked by `rule`.
    pub fn optional<T>(
        &mut self,
        field: &str,
        rule: impl FnOnce(&str) -> Result<T, Rule>,
    ) -> Option<T> {
        let text = self.text(field)?;
        match rule(&text) {
            Ok(v) => Some(v),
            Err(why) => {
                self.fail(field, format!("The {field} {why}."));
                None
            }
        }
    }

    /// A required field checked by `rule`.
    pub fn required<T>(
        &mut self,
        field: &str,
        rule: impl FnOnce(&str) -> Result<T, Rule>,
    ) -> Option<T> {
        // Presence is checked without `text`, which would record a wrong
        // type once here and again in `optional`.
        let given = match self.body.get(field) {
            None | Some(Value::Null) => false,
            Some(Value::String(s)) => !s.is_empty(),
            Some(_) => true,
        };
        if !given {
            self.fail(field, format!("The {field} field is required."));
            return None;
        }
        self.optional(field, rule)
    }

    /// The errors collected so far.
    pub fn finish(self) -> FieldErrors {
        self.errors
    }
}

/// Which fields a request must carry.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Individual,
    Corporate,
    Update,
}

/// Validated customer fields; `None` means not given.
#[derive(Default)]
pub struct Fields {
    pub reference: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company_name: Option<String>,
    pub rc_number: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub dob: Option<NaiveDate>,
    pub bvn: Option<String>,
    pub nin: Option<String>,
    pub customer_type: Option<CustomerType>,
    pub wallet_code: Option<String>,
    pub status: Option<CustomerStatus>,
}

/// Today's date in Lagos (UTC+1, no daylight saving).
pub fn today_in_lagos() -> NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(1)).date_naive()
}

/// Reads every customer field for `shape`.
pub fn parse(form: &mut Form, shape: Shape) -> Fields {
    let today = today_in_lagos();
    let person = shape == Shape::Individual;
    let company = shape == Shape::Corporate;
    let pick =
        |required: bool, form: &mut Form, field: &str, rule: fn(&str) -> Result<String, Rule>| {
            if required {
                form.required(field, rule)
            } else {
                form.optional(field, rule)
            }
        };
    let updating = shape == Shape::Update;
    Fields {
        reference: pick(!updating, form, "reference", validate::reference),
        first_name: pick(person, form, "first_name", validate::person_name),
        last_name: pick(person, form, "last_name", validate::person_name),
        company_name: pick(company, form, "company_name", validate::company_name),
        rc_number: pick(company, form, "rc_number", validate::rc_number),
        email: pick(!updating, form, "email", validate::email),
        phone: form.optional("phone", validate::phone),
        dob: form.optional("dob", |s| validate::dob(s, today)),
        bvn: form.optional("bvn", validate::bvn),
        nin: form.optional("nin", validate::nin),
        customer_type: form.optional("type", |s| {
            CustomerType::parse(s).ok_or("must be either wallet or collection")
        }),
        wallet_code: form
            .text("collection_wallet_code")
            .or_else(|| form.text("collection_wallet")),
        status: if updating {
            form.optional("status", |s| {
                CustomerStatus::parse(&s.to_ascii_uppercase())
                    .ok_or("must be either ACTIVE or INACTIVE")
            })
        } else {
            None
        },
    }
}

/// Works out the collection wallet a customer should point to.
///
/// Returns `Some(Some(id))` to set it, `Some(None)` to clear it, `None` to
/// leave it. A `wallet` customer ignores a given code (the seed's sample sends
/// one); a `collection` customer must name one of the business's wallets.
pub async fn resolve_wallet(
    app: &AppState,
    scope: Scope,
    fields: &Fields,
    current: Option<&Customer>,
    form: &mut Form<'_>,
) -> ApiResult<Option<Option<i64>>> {
    let current_type = current.map(|c| c.customer_type);
    let target = fields
        .customer_type
        .or(current_type)
        .unwrap_or(CustomerType::Wallet);
    if target == CustomerType::Wallet {
        return Ok((current_type == Some(CustomerType::Collection)).then_some(None));
    }
    let Some(code) = &fields.wallet_code else {
        if current.is_some_and(|c| c.collection_wallet_code.is_some()) {
            return Ok(None);
        }
        form.fail(
            "collection_wallet_code",
            "The collection_wallet_code field is required when type is collection.".into(),
        );
        return Ok(None);
    };
    // No code holds a NUL, and PostgreSQL refuses one in any text parameter.
    let wallet: Option<CollectionWallet> = match code.contains('\0') {
        true => None,
        false => app.store.find_collection_wallet(scope, code).await?,
    };
    match wallet {
        Some(w) => Ok(Some(Some(w.id))),
        None => {
            form.fail(
                "collection_wallet_code",
                "The collection_wallet_code does not name a collection wallet of this business."
                    .into(),
            );
            Ok(None)
        }
    }
}

/// Encrypts a BVN or NIN and derives its uniqueness hash and mask.
pub fn seal(app: &AppState, kind: &str, digits: &str) -> SealedIdentity {
    SealedIdentity {
        ciphertext: app.vault.encrypt(digits),
        hash: app.vault.keyed_hash(kind, digits),
        masked: validate::mask_identity(digits),
    }
}
