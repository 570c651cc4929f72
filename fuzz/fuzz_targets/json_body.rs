//! The request-body parser every JSON route uses, with any content type:
//! never a panic, and every refusal is a 4xx with a message.
#![no_main]

use kobo_server::http::json::parse;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte picks the content type, the rest is the body.
    let (content_type, body) = match data.split_first() {
        Some((b, rest)) => match b % 5 {
            0 => (None, rest),
            1 => (Some("application/json"), rest),
            2 => (Some("application/json; charset=utf-8"), rest),
            3 => (Some("application/vnd.api+json"), rest),
            _ => (Some("text/plain"), rest),
        },
        None => (None, data),
    };
    match parse(content_type, body) {
        Ok(map) => {
            // Whatever was accepted serializes back to an object.
            let text = serde_json::to_vec(&map).unwrap();
            assert_eq!(text.first(), Some(&b'{'));
        }
        Err(e) => {
            assert!(e.code.status().is_client_error());
            assert!(!e.message.is_empty());
        }
    }
});
