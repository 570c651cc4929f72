//! Webhook endpoints, the event lease queue and delivery attempts.

use chrono::{DateTime, Utc};
use kobo_core::Mode;
use kobo_store::*;
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::error::map;
use crate::time::{now_text, parse, to_text};

pub(crate) fn endpoint(
    conn: &Connection,
    scope: Scope,
    new_secret: &str,
) -> StoreResult<WebhookEndpoint> {
    conn.prepare_cached(
        "INSERT INTO webhook_endpoint (business_id, mode, url, secret, updated_at) VALUES (?, ?, NULL, ?, ?)
         ON CONFLICT (business_id, mode) DO NOTHING",
    )
    .map_err(map)?
    .execute(params![
        scope.business_id,
        scope.mode.as_str(),
        new_secret,
        now_text()
    ])
    .map_err(map)?;
    read_endpoint(conn, scope)
}

fn read_endpoint(conn: &Connection, scope: Scope) -> StoreResult<WebhookEndpoint> {
    conn.prepare_cached(
        "SELECT url, secret FROM webhook_endpoint WHERE business_id = ? AND mode = ?",
    )
    .map_err(map)?
    .query_row(params![scope.business_id, scope.mode.as_str()], |r| {
        Ok(WebhookEndpoint {
            mode: scope.mode,
            url: r.get("url")?,
            secret: r.get("secret")?,
        })
    })
    .map_err(map)
}

pub(crate) fn set_url(
    conn: &Connection,
    scope: Scope,
    url: Option<String>,
    new_secret: &str,
) -> StoreResult<WebhookEndpoint> {
    endpoint(conn, scope, new_secret)?;
    conn.prepare_cached(
        "UPDATE webhook_endpoint SET url = ?, updated_at = ? WHERE business_id = ? AND mode = ?",
    )
    .map_err(map)?
    .execute(params![
        url,
        now_text(),
        scope.business_id,
        scope.mode.as_str()
    ])
    .map_err(map)?;
    read_endpoint(conn, scope)
}

pub(crate) fn rotate(
    conn: &Connection,
    scope: Scope,
    secret: &str,
) -> StoreResult<WebhookEndpoint> {
    endpoint(conn, scope, secret)?;
    conn.prepare_cached(
        "UPDATE webhook_endpoint SET secret = ?, updated_at = ? WHERE business_id = ? AND mode = ?",
    )
    .map_err(map)?
    .execute(params![
        secret,
        now_text(),
        scope.business_id,
        scope.mode.as_str()
    ])
    .map_err(map)?;
    read_endpoint(conn, scope)
}

const SELECT: &str =
    "SELECT webhook_event_id, public_id, business_id, mode, event_type, subject_id, payload,
        status, attempts, next_attempt_at, created_at, delivered_at FROM webhook_event";

/// Runs `sql` (which returns the columns of [`SELECT`]) and converts its rows.
fn query_events(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> StoreResult<Vec<WebhookEvent>> {
    let mut stmt = conn.prepare_cached(sql).map_err(map)?;
    let mut rows = stmt.query(params).map_err(map)?;
    let mut events = Vec::new();
    while let Some(r) = rows.next().map_err(map)? {
        events.push(from_row(r)?);
    }
    Ok(events)
}

pub(crate) fn claim(
    conn: &Connection,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: u32,
) -> StoreResult<Vec<WebhookEvent>> {
    let mut events = query_events(
        conn,
        "UPDATE webhook_event SET locked_until = ?1
         WHERE webhook_event_id IN (
            SELECT e.webhook_event_id FROM webhook_event e INDEXED BY webhook_event_pending
            WHERE e.status = 'pending' AND e.next_attempt_at <= ?2
              AND (e.locked_until IS NULL OR e.locked_until <= ?2)
              AND NOT EXISTS (
                SELECT 1 FROM webhook_event p
                WHERE e.customer_id IS NOT NULL AND p.customer_id = e.customer_id
                  AND p.status = 'pending' AND p.attempts = 0
                  AND p.webhook_event_id < e.webhook_event_id)
            ORDER BY e.webhook_event_id LIMIT ?3)
         RETURNING webhook_event_id, public_id, business_id, mode, event_type, subject_id, payload,
            status, attempts, next_attempt_at, created_at, delivered_at",
        params![to_text(lease_until), to_text(now), i64::from(limit)],
    )?;
    events.sort_by_key(|e| e.id);
    Ok(events)
}

pub(crate) fn unrendered(conn: &Connection, limit: u32) -> StoreResult<Vec<WebhookEvent>> {
    query_events(
        conn,
        &format!(
            "{SELECT} INDEXED BY webhook_event_unrendered
             WHERE payload IS NULL AND status = 'pending' ORDER BY webhook_event_id LIMIT ?"
        ),
        params![i64::from(limit)],
    )
}

pub(crate) fn freeze(conn: &Connection, event_id: i64, payload: &str) -> StoreResult<String> {
    conn.prepare_cached(
        "UPDATE webhook_event SET payload = ? WHERE webhook_event_id = ? AND payload IS NULL",
    )
    .map_err(map)?
    .execute(params![payload, event_id])
    .map_err(map)?;
    conn.prepare_cached("SELECT payload FROM webhook_event WHERE webhook_event_id = ?")
        .map_err(map)?
        .query_row(params![event_id], |r| r.get(0))
        .map_err(map)
}

pub(crate) fn record_attempt(
    conn: &Connection,
    event_id: i64,
    a: &WebhookAttempt,
    outcome: AttemptOutcome,
) -> StoreResult<()> {
    conn.prepare_cached(
        "INSERT INTO webhook_attempt (webhook_event_id, attempted_at, url, http_status, latency_ms,
            response_excerpt, error) VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .map_err(map)?
    .execute(params![
        event_id,
        to_text(a.attempted_at),
        &a.url,
        a.http_status.map(i64::from),
        a.latency_ms,
        &a.response_excerpt,
        &a.error,
    ])
    .map_err(map)?;
    let (status, next, delivered) = match outcome {
        AttemptOutcome::Delivered => ("delivered", None, Some(now_text())),
        AttemptOutcome::RetryAt(at) => ("pending", Some(to_text(at)), None),
        AttemptOutcome::Failed => ("failed", None, None),
    };
    conn.prepare_cached(
        "UPDATE webhook_event SET status = ?, attempts = attempts + 1, locked_until = NULL,
            next_attempt_at = COALESCE(?, next_attempt_at), delivered_at = COALESCE(?, delivered_at)
         WHERE webhook_event_id = ?",
    )
    .map_err(map)?
    .execute(params![status, next, delivered, event_id])
    .map_err(map)?;
    Ok(())
}

pub(crate) fn list(
    conn: &Connection,
    scope: Scope,
    q: &EventQuery,
) -> StoreResult<(Vec<WebhookEvent>, u64)> {
    let filter = "business_id = ?1 AND mode = ?2 AND (?3 IS NULL OR status = ?3)";
    let status = q.status.map(|s| s.as_str());
    let events = query_events(
        conn,
        &format!(
            "{SELECT} WHERE {filter} AND webhook_event_id < COALESCE(?4, 9223372036854775807)
             ORDER BY webhook_event_id DESC LIMIT ?5 OFFSET ?6"
        ),
        params![
            scope.business_id,
            scope.mode.as_str(),
            status,
            q.starting_after,
            i64::from(q.limit),
            q.offset as i64,
        ],
    )?;
    let total: i64 = conn
        .prepare_cached(&format!(
            "SELECT COUNT(*) FROM webhook_event WHERE {filter}"
        ))
        .map_err(map)?
        .query_row(
            params![scope.business_id, scope.mode.as_str(), status],
            |r| r.get(0),
        )
        .map_err(map)?;
    Ok((events, total.max(0) as u64))
}

pub(crate) fn attempts(
    conn: &Connection,
    scope: Scope,
    public_id: &str,
) -> StoreResult<Option<Vec<WebhookAttempt>>> {
    let id: Option<i64> = conn
        .prepare_cached(
            "SELECT webhook_event_id FROM webhook_event WHERE public_id = ? AND business_id = ? AND mode = ?",
        )
        .map_err(map)?
        .query_row(
            params![public_id, scope.business_id, scope.mode.as_str()],
            |r| r.get(0),
        )
        .optional()
        .map_err(map)?;
    let Some(id) = id else { return Ok(None) };
    let mut stmt = conn
        .prepare_cached(
            "SELECT attempted_at, url, http_status, latency_ms, response_excerpt, error FROM webhook_attempt
             WHERE webhook_event_id = ? ORDER BY webhook_attempt_id",
        )
        .map_err(map)?;
    let mut rows = stmt.query(params![id]).map_err(map)?;
    let mut list = Vec::new();
    while let Some(r) = rows.next().map_err(map)? {
        list.push(attempt_from_row(r)?);
    }
    Ok(Some(list))
}

fn attempt_from_row(r: &Row<'_>) -> StoreResult<WebhookAttempt> {
    Ok(WebhookAttempt {
        attempted_at: parse(&r.get::<_, String>("attempted_at").map_err(map)?)?,
        url: r.get("url").map_err(map)?,
        http_status: r
            .get::<_, Option<i64>>("http_status")
            .map_err(map)?
            .map(|s| s as u16),
        latency_ms: r.get("latency_ms").map_err(map)?,
        response_excerpt: r.get("response_excerpt").map_err(map)?,
        error: r.get("error").map_err(map)?,
    })
}

pub(crate) fn retry(conn: &Connection, scope: Scope, public_id: &str) -> StoreResult<bool> {
    let done = conn
        .prepare_cached(
            "UPDATE webhook_event SET status = 'pending', next_attempt_at = ?
             WHERE public_id = ? AND business_id = ? AND mode = ?",
        )
        .map_err(map)?
        .execute(params![
            now_text(),
            public_id,
            scope.business_id,
            scope.mode.as_str()
        ])
        .map_err(map)?;
    Ok(done > 0)
}

pub(crate) fn backlog(conn: &Connection) -> StoreResult<u64> {
    let n: i64 = conn
        .prepare_cached("SELECT COUNT(*) FROM webhook_event WHERE status = 'pending'")
        .map_err(map)?
        .query_row([], |r| r.get(0))
        .map_err(map)?;
    Ok(n.max(0) as u64)
}

fn from_row(r: &Row<'_>) -> StoreResult<WebhookEvent> {
    let mode: String = r.get("mode").map_err(map)?;
    let status: String = r.get("status").map_err(map)?;
    let next_attempt_at: String = r.get("next_attempt_at").map_err(map)?;
    let created_at: String = r.get("created_at").map_err(map)?;
    let delivered_at: Option<String> = r.get("delivered_at").map_err(map)?;
    Ok(WebhookEvent {
        id: r.get("webhook_event_id").map_err(map)?,
        public_id: r.get("public_id").map_err(map)?,
        business_id: r.get("business_id").map_err(map)?,
        mode: Mode::parse(&mode).ok_or_else(|| StoreError::Internal("bad mode".into()))?,
        event_type: r.get("event_type").map_err(map)?,
        subject_id: r.get("subject_id").map_err(map)?,
        payload: r.get("payload").map_err(map)?,
        status: EventStatus::parse(&status)
            .ok_or_else(|| StoreError::Internal("bad event status".into()))?,
        attempts: r.get("attempts").map_err(map)?,
        next_attempt_at: parse(&next_attempt_at)?,
        created_at: parse(&created_at)?,
        delivered_at: delivered_at.as_deref().map(parse).transpose()?,
    })
}
