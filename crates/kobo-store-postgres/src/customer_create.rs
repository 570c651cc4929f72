//! Creating customers: one statement inserts every customer of a group with
//! its wallet account, its count and its `customer.created` event, and answers
//! the new rows as it wrote them (no read back).
//!
//! Creates that arrive together share that statement and its commit: one
//! task per store takes every create waiting in its queue (up to
//! [`MAX_GROUP`]); alone, a create runs at once as a group of one. If a group
//! fails (a duplicate email or reference, in the table or inside the group),
//! nothing of it was written and each create runs again on its own, so each
//! caller gets its own answer: a conflict goes only to the create that has it.

use kobo_store::*;
use sqlx::{PgConnection, PgPool};
use tokio::sync::{mpsc, oneshot};

use crate::customers::from_row;
use crate::error::{is_contention_message, map};
use crate::events::{self, NewEvent, Subject};
use crate::time::now_text;

/// Rows the customer count of one business and mode is spread over, so
/// concurrent creates do not queue on one row lock.
const COUNT_SHARDS: i64 = 16;
/// The most creates that share one statement.
const MAX_GROUP: usize = 128;
const QUEUE: usize = 4096;

type Job = (Scope, NewCustomer, oneshot::Sender<StoreResult<Customer>>);

/// The queue of creates waiting for their group; cheap to clone.
#[derive(Clone)]
pub(crate) struct CreateQueue {
    jobs: mpsc::Sender<Job>,
}

impl CreateQueue {
    /// Starts the task that writes the groups on `pool`.
    pub(crate) fn start(pool: PgPool) -> CreateQueue {
        let (jobs, mut waiting) = mpsc::channel::<Job>(QUEUE);
        tokio::spawn(async move {
            let mut group = Vec::with_capacity(MAX_GROUP);
            while waiting.recv_many(&mut group, MAX_GROUP).await > 0 {
                write_group(&pool, std::mem::take(&mut group)).await;
            }
        });
        CreateQueue { jobs }
    }

    /// Creates one customer; answers after its group has committed.
    pub(crate) async fn create(&self, scope: Scope, new: NewCustomer) -> StoreResult<Customer> {
        let stopped = || StoreError::Unavailable("the customer writer has stopped".into());
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send((scope, new, reply))
            .await
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

/// What one try at writing a group came to.
enum Attempt {
    Committed(Vec<Customer>),
    /// A caller left while its create was being written: rolled back.
    Abandoned,
    Failed(StoreError),
}

async fn write_group(pool: &PgPool, mut group: Vec<Job>) {
    loop {
        // A caller that has gone (its request timed out, answered 504) must
        // find nothing written: its create is dropped before it is tried.
        group.retain(|(_, _, reply)| !reply.is_closed());
        if group.is_empty() {
            return;
        }
        match attempt(pool, &group).await {
            Attempt::Committed(customers) => {
                for ((_, _, reply), customer) in group.into_iter().zip(customers) {
                    let _ = reply.send(Ok(customer));
                }
                return;
            }
            Attempt::Abandoned => continue,
            Attempt::Failed(e) if group.len() == 1 => {
                if let Some((_, _, reply)) = group.pop() {
                    let _ = reply.send(Err(e));
                }
                return;
            }
            // The database cannot serve now (connection lost, statement or
            // pool timeout): alone, each would wait and fail the same way.
            Attempt::Failed(StoreError::Unavailable(why)) if !is_contention_message(&why) => {
                for (_, _, reply) in group {
                    let _ = reply.send(Err(StoreError::Unavailable(why.clone())));
                }
                return;
            }
            // Each alone, so each gets its own answer (a duplicate, or a
            // deadlock that a smaller write may not meet).
            Attempt::Failed(_) => {
                for job in group {
                    Box::pin(write_group(pool, vec![job])).await;
                }
                return;
            }
        }
    }
}

/// Writes `group` in one transaction, committed only if every caller is
/// still waiting (one leaving at the very moment of the commit is the only
/// way a timed-out create can still be written, as with any write).
async fn attempt(pool: &PgPool, group: &[Job]) -> Attempt {
    let items: Vec<(Scope, &NewCustomer)> = group.iter().map(|(s, n, _)| (*s, n)).collect();
    let mut tx = match pool.begin().await {
        Ok(tx) => tx,
        Err(e) => return Attempt::Failed(map(e)),
    };
    let customers = match insert(&mut tx, &items).await {
        Ok(customers) => customers,
        Err(e) => return Attempt::Failed(e),
    };
    if group.iter().any(|(_, _, reply)| reply.is_closed()) {
        let _ = tx.rollback().await;
        return Attempt::Abandoned;
    }
    match tx.commit().await {
        Ok(()) => Attempt::Committed(customers),
        Err(e) => Attempt::Failed(map(e)),
    }
}

/// Inserts `items` in one statement; answers them in the same order.
async fn insert(
    conn: &mut PgConnection,
    items: &[(Scope, &NewCustomer)],
) -> StoreResult<Vec<Customer>> {
    let now = now_text();
    let sql = format!(
        "WITH ids AS MATERIALIZED (
            SELECT ARRAY(SELECT nextval('ledger_account_ledger_account_id_seq')
                         FROM generate_series(1, $1::int) ORDER BY 1) AS accounts,
                   ARRAY(SELECT nextval('customer_customer_id_seq')
                         FROM generate_series(1, $1::int) ORDER BY 1) AS customers
         ), x AS (
            SELECT * FROM UNNEST($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[],
                $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[],
                $13::text[], $14::text[], $15::text[], $16::text[], $17::text[], $18::text[],
                $19::text[], $20::text[], $21::bigint[], $22::text[], $23::text[])
                WITH ORDINALITY AS x(b, m, code, reference, first_name, last_name, company_name,
                rc_number, email, email_lower, phone, dob, bvn_ciphertext, bvn_hash, bvn_masked,
                nin_ciphertext, nin_hash, nin_masked, customer_type, wallet, slug, search, ord)
         ), accounts AS (
            INSERT INTO ledger_account (ledger_account_id, business_id, mode, kind, balance,
                created_at)
            SELECT (SELECT accounts FROM ids)[x.ord], x.b, x.m, 'customer_wallet', 0, $24 FROM x
         ), created AS (
            INSERT INTO customer (customer_id, business_id, mode, code, reference, first_name,
                last_name, company_name, rc_number, email, email_lower, phone, dob,
                bvn_ciphertext, bvn_hash, bvn_masked, nin_ciphertext, nin_hash, nin_masked,
                customer_type, status, collection_wallet_id, wallet_slug, ledger_account_id,
                created_at, updated_at, search_text)
            SELECT (SELECT customers FROM ids)[x.ord], x.b, x.m, x.code, x.reference,
                x.first_name, x.last_name, x.company_name, x.rc_number, x.email, x.email_lower,
                x.phone, x.dob, x.bvn_ciphertext, x.bvn_hash, x.bvn_masked, x.nin_ciphertext,
                x.nin_hash, x.nin_masked, x.customer_type, 'ACTIVE', x.wallet, x.slug,
                (SELECT accounts FROM ids)[x.ord], $24, $24, x.search
            FROM x
            RETURNING *
         ), counted AS (
            INSERT INTO customer_count (business_id, mode, shard, total)
            SELECT business_id, mode, (customer_id % $25)::SMALLINT, count(*) FROM created
            GROUP BY 1, 2, 3
            ON CONFLICT (business_id, mode, shard)
            DO UPDATE SET total = customer_count.total + EXCLUDED.total
         ), {events}
         SELECT c.customer_id, c.code, c.mode, c.reference, c.first_name, c.last_name,
            c.company_name, c.rc_number, c.email, c.phone, c.dob, c.bvn_masked, c.nin_masked,
            c.customer_type, c.status, w.code AS collection_wallet_code, c.wallet_slug,
            0::BIGINT AS balance, c.created_at, c.updated_at
         FROM created c
         LEFT JOIN collection_wallet w ON w.collection_wallet_id = c.collection_wallet_id
         ORDER BY c.customer_id",
        // The k-th customer's event is about the k-th new customer id.
        events = events::cte(26, "SELECT customers FROM ids"),
    );
    let column = |f: &dyn Fn(&NewCustomer) -> Option<String>| -> Vec<Option<String>> {
        items.iter().map(|(_, n)| f(n)).collect()
    };
    let query = sqlx::query(&sql)
        .bind(items.len() as i32)
        .bind(items.iter().map(|(s, _)| s.business_id).collect::<Vec<_>>())
        .bind(
            items
                .iter()
                .map(|(s, _)| s.mode.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(column(&|n| Some(n.code.clone())))
        .bind(column(&|n| Some(n.reference.clone())))
        .bind(column(&|n| n.first_name.clone()))
        .bind(column(&|n| n.last_name.clone()))
        .bind(column(&|n| n.company_name.clone()))
        .bind(column(&|n| n.rc_number.clone()))
        .bind(column(&|n| Some(n.email.clone())))
        .bind(column(&|n| Some(n.email.to_lowercase())))
        .bind(column(&|n| n.phone.clone()))
        .bind(column(&|n| n.dob.map(|d| d.to_string())))
        .bind(column(&|n| n.bvn.as_ref().map(|s| s.ciphertext.clone())))
        .bind(column(&|n| n.bvn.as_ref().map(|s| s.hash.clone())))
        .bind(column(&|n| n.bvn.as_ref().map(|s| s.masked.clone())))
        .bind(column(&|n| n.nin.as_ref().map(|s| s.ciphertext.clone())))
        .bind(column(&|n| n.nin.as_ref().map(|s| s.hash.clone())))
        .bind(column(&|n| n.nin.as_ref().map(|s| s.masked.clone())))
        .bind(column(&|n| Some(n.customer_type.as_str().to_string())))
        .bind(
            items
                .iter()
                .map(|(_, n)| n.collection_wallet_id)
                .collect::<Vec<_>>(),
        )
        .bind(column(&|n| Some(n.wallet_slug.clone())))
        .bind(column(&|n| Some(n.search_key())))
        .bind(&now)
        .bind(COUNT_SHARDS);
    let events: Vec<NewEvent> = items
        .iter()
        .enumerate()
        .map(|(k, (scope, _))| NewEvent {
            scope: *scope,
            event_type: "customer.created",
            subject: Subject::New(k),
            customer_id: None,
            customer_is_subject: true,
            now: now.clone(),
        })
        .collect();
    let rows = events::bind(query, &events)
        .fetch_all(&mut *conn)
        .await
        .map_err(map)?;
    if rows.len() != items.len() {
        return Err(StoreError::Internal(
            "a customer insert came back short".into(),
        ));
    }
    // Ids were given out in queue order, so id order is queue order.
    rows.iter().map(from_row).collect()
}
