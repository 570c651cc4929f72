//! Customers: create, resolve, update, list, and the unique rules as
//! conflicts naming their field.

use kobo_core::Mode;
use kobo_store::*;
use kobo_store_postgres::{PgOptions, PostgresStore};

use crate::support::{business, db, new_customer, test_scope, Db};

/// A create answers from what it inserted, without reading back: it must say
/// exactly what a read says.
async fn assert_answer_is_what_a_read_says(db: &Db, scope: Scope, created: &Customer) {
    let by_id = CustomerLookup::Id(created.id);
    let read = db.store.find_customer(scope, &by_id).await.unwrap();
    assert_eq!(format!("{created:?}"), format!("{:?}", read.unwrap()));
}

fn sealed(hash: &str) -> SealedIdentity {
    SealedIdentity {
        ciphertext: format!("ct-{hash}"),
        hash: hash.to_string(),
        masked: "*******1234".to_string(),
    }
}

#[tokio::test]
async fn create_find_update_round_trip() {
    let db = db!("create_find_update_round_trip");
    let b = business(&db.store, "Acme").await;
    let scope = test_scope(b.id);
    let mut new = new_customer("REF-1", None);
    new.email = "Ada.Obi@Example.com".into();
    new.dob = chrono::NaiveDate::from_ymd_opt(1990, 5, 17);
    new.bvn = Some(sealed("bvn-1"));
    let created = db.store.create_customer(scope, new.clone()).await.unwrap();
    assert_eq!(created.code, new.code);
    assert_eq!(created.mode, Mode::Test);
    assert_eq!(created.status, CustomerStatus::Active);
    assert_eq!(created.wallet_balance.0, 0);
    assert_eq!(created.bvn_masked.as_deref(), Some("*******1234"));
    assert_eq!(created.dob, new.dob);
    for lookup in [
        CustomerLookup::Id(created.id),
        CustomerLookup::Code(created.code.clone()),
        CustomerLookup::Reference("REF-1".into()),
        CustomerLookup::Email("ada.obi@example.com".into()),
    ] {
        let found = db.store.find_customer(scope, &lookup).await.unwrap();
        let found = found.unwrap_or_else(|| panic!("{lookup:?} not found"));
        assert_eq!(found.id, created.id);
        assert_eq!(
            found.created_at, created.created_at,
            "times round-trip exactly"
        );
    }
    assert_answer_is_what_a_read_says(&db, scope, &created).await;
    // Its event, written by the same statement, is about it and ordered under it.
    let (subject, owner, kind): (i64, Option<i64>, String) = sqlx::query_as(
        "SELECT subject_id, customer_id, event_type FROM webhook_event WHERE business_id = $1",
    )
    .bind(b.id)
    .fetch_one(db.raw())
    .await
    .unwrap();
    assert_eq!(
        (subject, owner, kind.as_str()),
        (created.id, Some(created.id), "customer.created")
    );
    let live = Scope {
        business_id: b.id,
        mode: Mode::Live,
    };
    let by_id = CustomerLookup::Id(created.id);
    let other_mode = db.store.find_customer(live, &by_id).await.unwrap();
    assert!(other_mode.is_none(), "test and live never mix");

    let patch = CustomerPatch {
        first_name: Some("Adaeze".into()),
        status: Some(CustomerStatus::Inactive),
        ..Default::default()
    };
    let updated = db
        .store
        .update_customer(scope, created.id, patch)
        .await
        .unwrap();
    assert_eq!(updated.first_name.as_deref(), Some("Adaeze"));
    assert_eq!(
        updated.last_name.as_deref(),
        Some("Obi"),
        "unset fields stay"
    );
    assert_eq!(updated.status, CustomerStatus::Inactive);
    assert!(updated.updated_at >= created.updated_at);

    let wallet = &db.store.list_collection_wallets(scope).await.unwrap()[0];
    let to_collection = CustomerPatch {
        customer_type: Some(CustomerType::Collection),
        collection_wallet_id: Some(Some(wallet.id)),
        ..Default::default()
    };
    let moved = db
        .store
        .update_customer(scope, created.id, to_collection)
        .await
        .unwrap();
    assert_eq!(
        moved.collection_wallet_code.as_deref(),
        Some(wallet.code.as_str())
    );
    let back = CustomerPatch {
        customer_type: Some(CustomerType::Wallet),
        collection_wallet_id: Some(None),
        ..Default::default()
    };
    let moved = db
        .store
        .update_customer(scope, created.id, back)
        .await
        .unwrap();
    assert_eq!(moved.collection_wallet_code, None);

    let missing = db
        .store
        .update_customer(scope, 999_999, CustomerPatch::default())
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound)));
}

#[tokio::test]
async fn unique_rules_are_conflicts_naming_the_field() {
    let db = db!("unique_rules_are_conflicts_naming_the_field");
    let b = business(&db.store, "Acme").await;
    let scope = test_scope(b.id);
    let mut first = new_customer("REF-1", None);
    first.bvn = Some(sealed("bvn-1"));
    first.nin = Some(sealed("nin-1"));
    let first = db.store.create_customer(scope, first).await.unwrap();

    let field_of = |r: StoreResult<Customer>| match r {
        Err(StoreError::Conflict { field }) => field,
        other => panic!("expected a conflict, got {other:?}"),
    };
    let same_reference = new_customer("REF-1", None);
    let mut same_reference_other_email = same_reference.clone();
    same_reference_other_email.email = "other@example.com".into();
    let r = db
        .store
        .create_customer(scope, same_reference_other_email)
        .await;
    assert_eq!(field_of(r), "reference");

    let mut same_email = new_customer("REF-2", None);
    same_email.email = "REF-1@EXAMPLE.COM".into();
    let r = db.store.create_customer(scope, same_email).await;
    assert_eq!(
        field_of(r),
        "email",
        "emails are unique whatever their case"
    );

    let mut same_bvn = new_customer("REF-3", None);
    same_bvn.bvn = Some(sealed("bvn-1"));
    assert_eq!(
        field_of(db.store.create_customer(scope, same_bvn).await),
        "bvn"
    );

    let mut same_nin = new_customer("REF-4", None);
    same_nin.nin = Some(sealed("nin-1"));
    assert_eq!(
        field_of(db.store.create_customer(scope, same_nin).await),
        "nin"
    );

    let mut same_code = new_customer("REF-5", None);
    same_code.code = first.code.clone();
    assert_eq!(
        field_of(db.store.create_customer(scope, same_code).await),
        "code"
    );

    let second = db
        .store
        .create_customer(scope, new_customer("REF-6", None))
        .await;
    let second = second.unwrap();
    let steal = CustomerPatch {
        email: Some("ref-1@example.com".into()),
        ..Default::default()
    };
    let r = db.store.update_customer(scope, second.id, steal).await;
    assert_eq!(field_of(r), "email");

    // Another business (or mode) may use the same reference and email.
    let other = business(&db.store, "Other").await;
    db.store
        .create_customer(test_scope(other.id), new_customer("REF-1", None))
        .await
        .expect("scoped per business");
    let live = Scope {
        business_id: b.id,
        mode: Mode::Live,
    };
    db.store
        .create_customer(live, new_customer("REF-1", None))
        .await
        .expect("scoped per mode");
}

#[tokio::test]
async fn list_filters_searches_pages_and_counts() {
    let db = db!("list_filters_searches_pages_and_counts");
    let b = business(&db.store, "Acme").await;
    let scope = test_scope(b.id);
    let wallet = db.store.list_collection_wallets(scope).await.unwrap()[0].id;
    let mut ids = Vec::new();
    for i in 0..6 {
        let collection = (i % 3 == 0).then_some(wallet);
        let mut new = new_customer(&format!("REF-{i}"), collection);
        if i == 4 {
            new.first_name = Some("Ọlájídé".into());
            new.last_name = Some("100%_Sure".into());
        }
        let created = db.store.create_customer(scope, new).await.unwrap();
        assert_answer_is_what_a_read_says(&db, scope, &created).await;
        assert_eq!(
            created.collection_wallet_code.is_some(),
            collection.is_some()
        );
        ids.push(created.id);
    }
    let page = |q: CustomerQuery| {
        let store = db.store.clone();
        async move { store.list_customers(scope, &q).await.unwrap() }
    };
    let all = page(CustomerQuery {
        limit: 4,
        ..Default::default()
    })
    .await;
    assert_eq!(all.total, 6);
    let got: Vec<i64> = all.items.iter().map(|c| c.id).collect();
    assert_eq!(got, vec![ids[5], ids[4], ids[3], ids[2]], "newest first");

    let second = page(CustomerQuery {
        limit: 4,
        offset: 4,
        ..Default::default()
    })
    .await;
    assert_eq!(second.items.len(), 2);
    let after = page(CustomerQuery {
        limit: 10,
        starting_after: Some(ids[2]),
        ..Default::default()
    })
    .await;
    let got: Vec<i64> = after.items.iter().map(|c| c.id).collect();
    assert_eq!(got, vec![ids[1], ids[0]]);

    let collection = page(CustomerQuery {
        limit: 10,
        customer_type: Some(CustomerType::Collection),
        ..Default::default()
    })
    .await;
    assert_eq!(collection.total, 2);
    assert_eq!(collection.items.len(), 2);

    let search = |term: &str| CustomerQuery {
        limit: 10,
        search: Some(term.into()),
        ..Default::default()
    };
    assert_eq!(page(search("ref-3")).await.total, 1, "ASCII case folds");
    assert_eq!(page(search("EXAMPLE.COM")).await.total, 6);
    assert_eq!(page(search("Ọlájídé")).await.total, 1, "non-ASCII as given");
    assert_eq!(
        page(search("ỌLÁJÍDÉ")).await.total,
        1,
        "non-ASCII case folds"
    );
    let decomposed = "O\u{323}la\u{301}ji\u{301}de\u{301}";
    assert_eq!(
        page(search(decomposed)).await.total,
        1,
        "Unicode forms fold"
    );
    assert_eq!(
        page(search("100%_")).await.total,
        1,
        "wildcards are literal"
    );
    assert_eq!(page(search("1_0")).await.total, 0, "_ matches only itself");

    let inactive = CustomerPatch {
        status: Some(CustomerStatus::Inactive),
        ..Default::default()
    };
    db.store
        .update_customer(scope, ids[1], inactive)
        .await
        .unwrap();
    let q = CustomerQuery {
        limit: 10,
        status: Some(CustomerStatus::Inactive),
        search: Some("REF".into()),
        ..Default::default()
    };
    let found = page(q).await;
    assert_eq!((found.total, found.items[0].id), (1, ids[1]));
}

#[tokio::test]
async fn creates_that_arrive_together_keep_their_own_answers() {
    let db = db!("creates_that_arrive_together_keep_their_own_answers");
    let b = business(&db.store, "Acme").await;
    let scope = test_scope(b.id);
    let wallet = db.store.list_collection_wallets(scope).await.unwrap()[0].id;
    db.store
        .create_customer(scope, new_customer("TAKEN", None))
        .await
        .unwrap();
    // All sent before any is answered, so they queue together: every tenth
    // collides with the table, two collide with each other inside the group.
    let references: Vec<String> = (0..40)
        .map(|i| match i {
            _ if i % 10 == 0 => "TAKEN".to_string(),
            21 | 22 => "TWIN".to_string(),
            _ => format!("R-{i}"),
        })
        .collect();
    let tasks: Vec<_> = references
        .iter()
        .enumerate()
        .map(|(i, reference)| {
            let store = db.store.clone();
            let new = new_customer(reference, (i % 3 == 0).then_some(wallet));
            tokio::spawn(async move { (new.code.clone(), store.create_customer(scope, new).await) })
        })
        .collect();
    let mut created = Vec::new();
    let mut twins = 0;
    for (task, reference) in tasks.into_iter().zip(&references) {
        let (code, answer) = task.await.unwrap();
        match (reference.as_str(), answer) {
            ("TAKEN", answer) => {
                assert!(
                    matches!(answer, Err(StoreError::Conflict { .. })),
                    "{answer:?}"
                )
            }
            ("TWIN", Err(StoreError::Conflict { .. })) => twins += 1,
            (_, Ok(customer)) => {
                assert_eq!(customer.code, code, "each caller gets its own customer");
                assert_eq!(&customer.reference, reference);
                if reference == "TWIN" {
                    twins += 10;
                }
                created.push(customer);
            }
            (_, answer) => panic!("{reference}: {answer:?}"),
        }
    }
    assert_eq!(twins, 11, "one twin created, the other refused");
    assert_eq!(created.len(), 40 - 4 - 1);
    for customer in &created {
        assert_answer_is_what_a_read_says(&db, scope, customer).await;
    }
    let all = db
        .store
        .list_customers(
            scope,
            &CustomerQuery {
                limit: 100,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(all.total, 1 + created.len() as u64, "counted once each");
    assert_eq!(all.items.len(), 1 + created.len());
    // One event per customer created, about it, and none for a refusal.
    let events: Vec<(i64, Option<i64>)> = sqlx::query_as(
        "SELECT subject_id, customer_id FROM webhook_event
         WHERE business_id = $1 AND event_type = 'customer.created' ORDER BY subject_id",
    )
    .bind(b.id)
    .fetch_all(db.raw())
    .await
    .unwrap();
    let mut ids: Vec<i64> = all.items.iter().map(|c| c.id).collect();
    ids.sort_unstable();
    let expected: Vec<(i64, Option<i64>)> = ids.iter().map(|id| (*id, Some(*id))).collect();
    assert_eq!(events, expected);
}

#[tokio::test]
async fn a_group_the_database_cannot_serve_fails_at_once_for_every_caller() {
    let db = db!("a_group_the_database_cannot_serve_fails_at_once_for_every_caller");
    let b = business(&db.store, "Acme").await;
    let scope = test_scope(b.id);
    let timeout = std::time::Duration::from_millis(300);
    let node = PostgresStore::connect(
        &db.url,
        PgOptions {
            statement_timeout: timeout,
            ..crate::support::options()
        },
    )
    .await
    .unwrap();
    // Another session holds the customer table: every insert waits until the
    // server cancels it at the statement timeout.
    let mut holder = db.raw().begin().await.unwrap();
    sqlx::query("LOCK TABLE customer IN SHARE MODE")
        .execute(&mut *holder)
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let tasks: Vec<_> = (0..6)
        .map(|i| {
            let node = node.clone();
            let new = new_customer(&format!("WAIT-{i}"), None);
            tokio::spawn(async move { node.create_customer(scope, new).await })
        })
        .collect();
    for task in tasks {
        let answer = task.await.unwrap();
        assert!(
            matches!(answer, Err(StoreError::Unavailable(_))),
            "{answer:?}"
        );
    }
    // One timeout for the group (plus the lone create that may have gone
    // first), not one more per create replayed alone (six would be ≥ 2.1 s).
    assert!(started.elapsed() < timeout * 5, "{:?}", started.elapsed());
    holder.rollback().await.unwrap();
    let ok = node
        .create_customer(scope, new_customer("AFTER", None))
        .await;
    assert!(ok.is_ok(), "{ok:?}");
}
