//! utoipa inlines the type argument of a generic schema (`Success<CustomerOut>`
//! carries a full copy of `CustomerOut`). This pass puts `$ref`s back: every
//! subschema equal to a named component becomes a reference to it, so each
//! type is written once and a change to it is one hunk in review.

use serde_json::Value;
use utoipa::openapi::schema::{AdditionalProperties, ArrayItems, Schema};
use utoipa::openapi::{OpenApi, Ref, RefOr};
use utoipa::Modify;

pub struct InternSchemas;

impl Modify for InternSchemas {
    fn modify(&self, doc: &mut OpenApi) {
        let Some(components) = doc.components.as_mut() else {
            return;
        };
        // Plain (non-generic) components only: their names have no `_`.
        let named: Vec<(Value, String)> = components
            .schemas
            .iter()
            .filter(|(name, _)| !name.contains('_'))
            .filter_map(|(name, s)| Some((serde_json::to_value(s).ok()?, name.clone())))
            .collect();
        for schema in components.schemas.values_mut() {
            if let RefOr::T(s) = schema {
                children(s, &named);
            }
        }
        for item in doc.paths.paths.values_mut() {
            let ops = [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
            ];
            for op in ops.into_iter().flatten() {
                for response in op.responses.responses.values_mut() {
                    if let RefOr::T(r) = response {
                        for content in r.content.values_mut() {
                            if let Some(s) = content.schema.as_mut() {
                                intern(s, &named);
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Replaces `schema` by a reference when it equals a named one, else looks inside.
fn intern(schema: &mut RefOr<Schema>, named: &[(Value, String)]) {
    let RefOr::T(inner) = schema else { return };
    if let Ok(value) = serde_json::to_value(&*inner) {
        if let Some((_, name)) = named.iter().find(|(v, _)| *v == value) {
            *schema = RefOr::Ref(Ref::from_schema_name(name.clone()));
            return;
        }
    }
    children(inner, named);
}

fn children(schema: &mut Schema, named: &[(Value, String)]) {
    match schema {
        Schema::Object(o) => {
            for p in o.properties.values_mut() {
                intern(p, named);
            }
            if let Some(AdditionalProperties::RefOr(s)) = o.additional_properties.as_deref_mut() {
                intern(s, named);
            }
        }
        Schema::Array(a) => {
            if let ArrayItems::RefOrSchema(items) = &mut a.items {
                intern(items, named);
            }
        }
        Schema::OneOf(x) => x.items.iter_mut().for_each(|s| intern(s, named)),
        Schema::AllOf(x) => x.items.iter_mut().for_each(|s| intern(s, named)),
        Schema::AnyOf(x) => x.items.iter_mut().for_each(|s| intern(s, named)),
        _ => {}
    }
}
