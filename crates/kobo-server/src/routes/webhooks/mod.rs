//! `/api/v1/webhooks…`: the endpoint of the key's mode (`endpoint`) and the
//! events with their attempts (`events`).

pub mod endpoint;
pub mod events;
