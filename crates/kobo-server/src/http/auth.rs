//! Authentication by the `DPPRIVATEKEY` header. The key's SHA-256 is looked up;
//! the matched hash is compared again in constant time. The key's mode picks
//! the world (test or live) the request acts in; public keys are refused.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use kobo_core::keys::{self, KeyKind};
use kobo_store::Scope;

use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;

pub const HEADER: &str = "dpprivatekey";

/// Middleware: resolves the key into a [`Scope`] stored in the request's extensions.
pub async fn require_private_key(
    State(app): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    match authenticate(&app, request.headers().get(HEADER)).await {
        Ok(scope) => {
            request.extensions_mut().insert(scope);
            next.run(request).await
        }
        Err(e) => e.into_response(),
    }
}

async fn authenticate(
    app: &AppState,
    header: Option<&axum::http::HeaderValue>,
) -> Result<Scope, ApiError> {
    let Some(value) = header else {
        return Err(ApiError::new(
            ErrorCode::MissingApiKey,
            "Send your private key in the DPPRIVATEKEY header.",
        ));
    };
    let key = value.to_str().unwrap_or("").trim();
    let invalid = || ApiError::new(ErrorCode::InvalidApiKey, "The API key is not valid.");
    let Some((kind, _)) = keys::classify(key) else {
        return Err(invalid());
    };
    if kind == KeyKind::Public {
        return Err(ApiError::new(
            ErrorCode::PublicKeyNotAllowed,
            "Public keys cannot call this endpoint; use your private key.",
        ));
    }
    let hash = keys::hash(key);
    let found = app.store.find_api_key(&hash).await?;
    match found {
        Some(k) if k.kind == KeyKind::Private && keys::hashes_equal(&k.hash, &hash) => Ok(Scope {
            business_id: k.business_id,
            mode: k.mode,
        }),
        _ => Err(invalid()),
    }
}

/// Extractor for the authenticated scope.
pub struct Auth(pub Scope);

impl<S: Send + Sync> FromRequestParts<S> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Scope>()
            .copied()
            .map(Auth)
            .ok_or_else(|| ApiError::new(ErrorCode::MissingApiKey, "Authentication is required."))
    }
}
