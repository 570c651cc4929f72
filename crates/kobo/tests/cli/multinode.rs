//! Several kobo nodes on one PostgreSQL database, run as an operator would:
//! `kobo migrate` once, `kobo business create`, then two `kobo serve`
//! processes (separate data folders, one shared `KOBO_ENCRYPTION_KEY`, a pool
//! of 4 each) behind no load balancer but a client that alternates between
//! them.
//!
//! - `parallel_load_on_two_nodes_applies_everything_exactly_once`: customers,
//!   virtual accounts and sandbox inflows from 32 tasks across both nodes,
//!   some with the same Idempotency-Key or session id sent to both nodes at
//!   the same instant. Afterwards every balance is the sum of the distinct
//!   acknowledged inflows, the inflow list holds each once, and
//!   `kobo ledger verify` passes.
//! - `sigkill_of_one_node_mid_load_loses_nothing_it_acknowledged`: sandbox
//!   inflows from 32 tasks on both nodes, and one node is killed with SIGKILL
//!   while it has requests in flight. Everything it acknowledged is there (once); what failed with the
//!   connection is sent again to the survivor under the same session id, and
//!   the books still add up.
//! - `serve_with_an_unreachable_postgres_fails_fast_with_one_line`.
//!
//! Without PostgreSQL the first two report themselves skipped (and fail with
//! `CI=true`).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kobo_store_postgres::testing::{skip_unless_reachable, TestDatabase};
use reqwest::Method;
use serde_json::{json, Value};

use crate::support::{command, DataDir};

/// Tasks sending at once (half on each node while both are up).
const TASKS: usize = 32;
/// A test that runs longer than this is stuck: fail rather than hang.
const TEST_LIMIT: Duration = Duration::from_secs(120);
const SANDBOX: &str = "/api/v1/sandbox/inflows";

// ---------------------------------------------------------------------------
// Talking to one node.

struct Reply {
    status: u16,
    body: Value,
    replayed: bool,
}

impl Reply {
    fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }
}

/// One node's base URL and HTTP client, with the business's test key.
#[derive(Clone)]
struct Api {
    name: &'static str,
    base: String,
    key: String,
    client: reqwest::Client,
}

impl Api {
    async fn send(
        &self,
        method: Method,
        path: &str,
        idem: Option<&str>,
        body: Option<&Value>,
    ) -> Result<Reply, reqwest::Error> {
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header("DPPRIVATEKEY", &self.key);
        if let Some(k) = idem {
            req = req.header("Idempotency-Key", k);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = req.send().await?;
        let status = resp.status().as_u16();
        let replayed = resp
            .headers()
            .get("idempotent-replayed")
            .is_some_and(|v| v == "true");
        let bytes = resp.bytes().await?;
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        Ok(Reply {
            status,
            body,
            replayed,
        })
    }

    async fn post(&self, path: &str, idem: Option<&str>, body: &Value) -> Reply {
        self.send(Method::POST, path, idem, Some(body))
            .await
            .unwrap_or_else(|e| panic!("POST {path} on {}: {e}", self.name))
    }

    async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path, None, None)
            .await
            .unwrap_or_else(|e| panic!("GET {path} on {}: {e}", self.name))
    }

    /// `GET path`, asserting 200; returns `data`.
    async fn get_data(&self, path: &str) -> Value {
        let r = self.get(path).await;
        assert_eq!(r.status, 200, "GET {path} on {}: {}", self.name, r.body);
        r.body["data"].clone()
    }
}

// ---------------------------------------------------------------------------
// The nodes and the database.

/// A `kobo serve` child with a data folder of its own.
struct Node {
    child: Option<Child>,
    api: Api,
    stderr: PathBuf,
    _dir: DataDir,
}

impl Node {
    async fn start(name: &'static str, url: &str, vault_key: &str, api_key: &str) -> Node {
        let dir = DataDir::new();
        let stdout = dir.path().join("serve.out");
        let stderr = dir.path().join("serve.err");
        let child = command(
            &dir,
            &[
                "serve",
                "--database",
                url,
                "--listen",
                "127.0.0.1:0",
                "--db-max-connections",
                "4",
            ],
        )
        .env("KOBO_ENCRYPTION_KEY", vault_key)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&stdout).unwrap())
        .stderr(std::fs::File::create(&stderr).unwrap())
        .spawn()
        .unwrap();
        let mut node = Node {
            child: Some(child),
            api: Api {
                name,
                base: String::new(),
                key: api_key.to_string(),
                client: reqwest::Client::builder()
                    .timeout(Duration::from_secs(20))
                    .build()
                    .unwrap(),
            },
            stderr,
            _dir: dir,
        };
        let started = Instant::now();
        loop {
            let text = std::fs::read_to_string(&stdout).unwrap_or_default();
            if let Some(line) = text.lines().find(|l| l.starts_with("kobo listening on ")) {
                node.api.base = line["kobo listening on ".len()..].trim().to_string();
                return node;
            }
            if let Some(status) = node.child.as_mut().unwrap().try_wait().unwrap() {
                panic!("node {name} exited with {status}: {}", node.log());
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "node {name} did not start: {}",
                node.log()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// `kill -9`, then reap it.
    fn sigkill(&mut self) {
        let mut child = self.child.take().expect("node still running");
        let pid = child.id().to_string();
        let status = Command::new("kill").args(["-9", &pid]).status().unwrap();
        assert!(status.success(), "kill -9 {pid}");
        let status = child.wait().unwrap();
        assert_eq!(
            std::os::unix::process::ExitStatusExt::signal(&status),
            Some(9),
            "{status}"
        );
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    /// Prints how many log lines at WARN or ERROR it wrote (beyond the
    /// closed provider door and the conflicts the test sends), and the first few.
    fn report_warnings(&self) {
        let log = self.log();
        let warnings: Vec<&str> = log
            .lines()
            .filter(|l| l.contains("WARN") || l.contains("ERROR"))
            .filter(|l| !l.contains("KOBO_PROVIDER_SECRET") && !l.contains("session id repeated"))
            .collect();
        if !warnings.is_empty() {
            eprintln!(
                "node {} logged {} warnings or errors:\n{}",
                self.api.name,
                warnings.len(),
                warnings[..warnings.len().min(5)].join("\n")
            );
        }
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// One migrated database with one business and two nodes on it. Fields drop
/// in order: the nodes stop before the database is dropped.
struct Cluster {
    nodes: [Node; 2],
    db: TestDatabase,
    cli: DataDir,
    vault_key: String,
}

impl Cluster {
    async fn start(test: &str) -> Option<Cluster> {
        skip_unless_reachable(test).await?;
        let db = TestDatabase::create().await;
        let cli = DataDir::new();
        let vault_key = kobo_core::crypto::Vault::generate_key_base64();
        let out = cli_run(&cli, &vault_key, &["migrate", "--database", &db.url]);
        assert!(out.contains("migrations are up to date"), "{out}");
        let made: Value = serde_json::from_str(
            cli_run(
                &cli,
                &vault_key,
                &[
                    "business",
                    "create",
                    "--name",
                    "Multinode Ltd",
                    "--json",
                    "--database",
                    &db.url,
                ],
            )
            .trim(),
        )
        .unwrap();
        let test_key = made["test"]["private_key"].as_str().unwrap().to_string();
        let (a, b) = tokio::join!(
            Node::start("A", &db.url, &vault_key, &test_key),
            Node::start("B", &db.url, &vault_key, &test_key),
        );
        Some(Cluster {
            nodes: [a, b],
            db,
            cli,
            vault_key,
        })
    }

    fn apis(&self) -> [Api; 2] {
        [self.nodes[0].api.clone(), self.nodes[1].api.clone()]
    }

    /// `kobo ledger verify --database URL`, which must exit 0.
    fn verify_ledger(&self) -> String {
        cli_run(
            &self.cli,
            &self.vault_key,
            &["ledger", "verify", "--database", &self.db.url],
        )
    }

    fn assert_no_panics(&self) {
        for node in &self.nodes {
            let log = node.log();
            assert!(!log.contains("panicked"), "node {}: {log}", node.api.name);
        }
    }
}

/// Runs a one-shot `kobo` command that must succeed; returns its stdout.
fn cli_run(dir: &DataDir, vault_key: &str, args: &[&str]) -> String {
    let out = command(dir, args)
        .env("KOBO_ENCRYPTION_KEY", vault_key)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "kobo {args:?} exited with {}: {stdout}{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

// ---------------------------------------------------------------------------
// Creating things on both nodes at once.

/// How the second copy of a request sent to both nodes at once was answered.
#[derive(Default, Debug)]
struct Doubles {
    /// The other node replayed the stored answer at once.
    replayed: usize,
    /// The other node said 409 `idempotency_key_in_flight`, then replayed.
    in_flight: usize,
}

/// Sends the same Idempotency-Key and body to both nodes at the same instant.
/// Exactly one node creates (201, not replayed); the other answers the same
/// bytes replayed, or 409 `idempotency_key_in_flight` and the replay when
/// asked again. Returns the created `data` and whether a 409 was seen.
async fn create_on_both(apis: &[Api; 2], path: &str, idem: &str, body: &Value) -> (Value, bool) {
    let (ra, rb) = tokio::join!(
        apis[0].post(path, Some(idem), body),
        apis[1].post(path, Some(idem), body)
    );
    let original = |r: &Reply| r.status == 201 && !r.replayed;
    assert!(
        !(original(&ra) && original(&rb)),
        "{path} {idem}: both nodes created: {} / {}",
        ra.body,
        rb.body
    );
    let (first, other, other_api) = if original(&ra) {
        (ra, rb, &apis[1])
    } else if original(&rb) {
        (rb, ra, &apis[0])
    } else {
        panic!(
            "{path} {idem}: no node created: A {} {} / B {} {}",
            ra.status, ra.body, rb.status, rb.body
        );
    };
    let mut other = other;
    let mut saw_in_flight = false;
    let started = Instant::now();
    while other.status == 409 && other.code() == "idempotency_key_in_flight" {
        saw_in_flight = true;
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{path} {idem}: still in flight after 10 s"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
        other = other_api.post(path, Some(idem), body).await;
    }
    assert!(
        other.status == 201 && other.replayed,
        "{path} {idem}: the second node answered {} (replayed: {}): {}",
        other.status,
        other.replayed,
        other.body
    );
    assert_eq!(other.body, first.body, "{path} {idem}: the replay differs");
    (first.body["data"].clone(), saw_in_flight)
}

fn customer_body(i: usize) -> Value {
    json!({
        "first_name": "Ada",
        // Names take letters only: the index spelt in letters.
        "last_name": format!("Node {}", i.to_string().chars().map(|d| (b'a' + d as u8 - b'0') as char).collect::<String>()),
        "email": format!("mn-{i}@example.com"),
        "reference": format!("MN-{i}"),
        "phone": "08012345678",
        "nin": format!("{}", 40_000_000_000u64 + i as u64),
    })
}

/// Creates `count` customers from parallel tasks, every third one sent to both
/// nodes at once with one Idempotency-Key (the rest to one node, alternating).
/// Returns their codes, in order.
async fn create_customers(apis: &[Api; 2], count: usize, doubles: &mut Doubles) -> Vec<String> {
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..count {
        let apis = apis.clone();
        tasks.spawn(async move {
            let body = customer_body(i);
            let idem = format!("mn-customer-{i}");
            let path = "/api/v1/customers";
            if i % 3 == 0 {
                let (data, in_flight) = create_on_both(&apis, path, &idem, &body).await;
                (i, data, Some(in_flight))
            } else {
                let r = apis[i % 2].post(path, Some(&idem), &body).await;
                assert_eq!(r.status, 201, "customer {i}: {}", r.body);
                (i, r.body["data"].clone(), None)
            }
        });
    }
    let mut codes = vec![String::new(); count];
    while let Some(done) = tasks.join_next().await {
        let (i, data, double) = done.unwrap();
        codes[i] = data["code"].as_str().unwrap().to_string();
        match double {
            Some(true) => doubles.in_flight += 1,
            Some(false) => doubles.replayed += 1,
            None => {}
        }
    }
    codes
}

/// One virtual account per customer (every third one asked of both nodes at
/// once with one Idempotency-Key), and for every fourth customer two more
/// asked of both nodes at once without a key (both are issued). Returns
/// (account number, customer index) for every account.
async fn issue_accounts(
    apis: &[Api; 2],
    codes: &[String],
    doubles: &mut Doubles,
) -> Vec<(String, usize)> {
    let mut tasks = tokio::task::JoinSet::new();
    for (i, code) in codes.iter().enumerate() {
        let apis = apis.clone();
        let path = format!("/api/v1/customers/{code}/virtual-accounts");
        tasks.spawn(async move {
            let idem = format!("mn-va-{i}");
            let mut numbers = Vec::new();
            let mut double = None;
            let first = if i % 3 == 1 {
                let (data, in_flight) = create_on_both(&apis, &path, &idem, &json!({})).await;
                double = Some(in_flight);
                data
            } else {
                let r = apis[(i + 1) % 2].post(&path, Some(&idem), &json!({})).await;
                assert_eq!(r.status, 201, "account of {i}: {}", r.body);
                r.body["data"].clone()
            };
            numbers.push(first["account_number"].as_str().unwrap().to_string());
            if i % 4 == 1 {
                let empty = json!({});
                let (ra, rb) = tokio::join!(
                    apis[0].post(&path, None, &empty),
                    apis[1].post(&path, None, &empty)
                );
                for r in [ra, rb] {
                    assert_eq!(r.status, 201, "extra account of {i}: {}", r.body);
                    numbers.push(r.body["data"]["account_number"].as_str().unwrap().into());
                }
            }
            (i, numbers, double)
        });
    }
    let mut accounts = Vec::new();
    while let Some(done) = tasks.join_next().await {
        let (i, numbers, double) = done.unwrap();
        match double {
            Some(true) => doubles.in_flight += 1,
            Some(false) => doubles.replayed += 1,
            None => {}
        }
        accounts.extend(numbers.into_iter().map(|n| (n, i)));
    }
    accounts.sort();
    accounts
}

// ---------------------------------------------------------------------------
// Inflows and the model of what was acknowledged.

/// A 30-digit NIP session id: `lead` then `n`.
fn session(lead: u8, n: usize) -> String {
    format!("{lead}{n:029}")
}

/// From 1 kobo to about ₦10,000, different enough to catch a lost or doubled one.
fn amount_of(n: usize) -> i64 {
    1 + (n as i64 * 7_919) % 1_000_000
}

fn inflow_body(session_id: &str, account: &str, amount_kobo: i64) -> Value {
    json!({
        "session_id": session_id,
        "account_number": account,
        "amount_kobo": amount_kobo,
        "sender_name": "Chidi Okeke",
        "sender_account_number": "0123456785",
        "sender_bank_code": "058",
        "narration": "multinode",
    })
}

/// An inflow the test sends: where to, how much.
#[derive(Clone)]
struct Planned {
    session_id: String,
    account: String,
    amount: i64,
}

/// Every inflow answered 2xx: session id → (account, amount).
type Acked = BTreeMap<String, (String, i64)>;

/// Checks an inflow answer against what was sent.
fn check_inflow(data: &Value, p: &Planned) -> Result<(), String> {
    let ok = data["session_id"] == p.session_id.as_str()
        && data["account_number"] == p.account.as_str()
        && data["gross_kobo"] == p.amount
        && data["net_kobo"] == p.amount
        && data["status"] == "credited";
    if ok {
        Ok(())
    } else {
        Err(format!("{}: answer {data} does not match", p.session_id))
    }
}

/// Every customer's balance, read from both nodes, is the sum of the distinct
/// acknowledged inflows into its accounts; `GET /api/v1/inflows` lists each
/// acknowledged session id once with its amount, and nothing else. Returns the
/// total in kobo.
async fn assert_books(
    apis: &[Api; 2],
    codes: &[String],
    accounts: &[(String, usize)],
    acked: &Acked,
) -> i64 {
    let owner: HashMap<&str, usize> = accounts.iter().map(|(n, c)| (n.as_str(), *c)).collect();
    let mut expected = vec![0i64; codes.len()];
    for (account, amount) in acked.values() {
        expected[owner[account.as_str()]] += amount;
    }
    for (i, code) in codes.iter().enumerate() {
        for api in apis {
            let data = api
                .get_data(&format!("/api/v1/customers/{code}/balance"))
                .await;
            assert_eq!(
                data["balance_kobo"], expected[i],
                "customer {i} ({code}) on node {}: {data}",
                api.name
            );
            assert_eq!(data["balanceKobo"], expected[i], "{data}");
        }
    }
    // The whole inflow list, by cursor, from each node in turn.
    let mut listed: BTreeMap<String, (String, i64)> = BTreeMap::new();
    let mut cursor: Option<String> = None;
    let mut page = 0;
    loop {
        let mut path = "/api/v1/inflows?per_page=100".to_string();
        if let Some(c) = &cursor {
            path.push_str(&format!("&starting_after={c}"));
        }
        let data = apis[page % 2].get_data(&path).await;
        assert_eq!(data["total"], acked.len(), "inflow total");
        for i in data["data"].as_array().unwrap() {
            let sid = i["session_id"].as_str().unwrap().to_string();
            let entry = (
                i["account_number"].as_str().unwrap().to_string(),
                i["gross_kobo"].as_i64().unwrap(),
            );
            assert!(
                listed.insert(sid.clone(), entry).is_none(),
                "{sid} listed twice"
            );
        }
        page += 1;
        match data["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    if &listed != acked {
        let missing: Vec<_> = acked.keys().filter(|k| !listed.contains_key(*k)).collect();
        let extra: Vec<_> = listed.keys().filter(|k| !acked.contains_key(*k)).collect();
        let differ: Vec<_> = acked
            .iter()
            .filter(|(k, v)| listed.get(*k).is_some_and(|l| l != *v))
            .collect();
        panic!("inflow list differs: missing {missing:?}, extra {extra:?}, differ {differ:?}");
    }
    let total: i64 = acked.values().map(|(_, a)| a).sum();
    assert_eq!(total, expected.iter().sum::<i64>());
    total
}

// ---------------------------------------------------------------------------
// The tests.

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_load_on_two_nodes_applies_everything_exactly_once() {
    let test = "multinode::parallel_load_on_two_nodes_applies_everything_exactly_once";
    tokio::time::timeout(TEST_LIMIT, parallel_load(test))
        .await
        .expect("the multi-node test ran past its time limit");
}

async fn parallel_load(test: &str) {
    const CUSTOMERS: usize = 24;
    const INFLOWS: usize = 480;
    let started = Instant::now();
    let Some(cluster) = Cluster::start(test).await else {
        return;
    };
    let apis = cluster.apis();
    let mut doubles = Doubles::default();

    // Customers: exactly one creation per reference, whatever node answered.
    let codes = create_customers(&apis, CUSTOMERS, &mut doubles).await;
    let customers_doubled = doubles.replayed + doubles.in_flight;
    assert_eq!(codes.iter().collect::<HashSet<_>>().len(), CUSTOMERS);
    for (i, code) in codes.iter().enumerate() {
        let data = apis[(i + 1) % 2]
            .get_data(&format!("/api/v1/customers/MN-{i}"))
            .await;
        assert_eq!(data["code"], code.as_str());
    }
    let list = apis[1].get_data("/api/v1/customers?per_page=1").await;
    assert_eq!(list["total"], CUSTOMERS, "one creation per customer");
    // Both nodes hash identities with the same key: a NIN taken through node
    // A is refused through node B.
    let mut dup = customer_body(CUSTOMERS);
    dup["nin"] = customer_body(0)["nin"].clone();
    let r = apis[1].post("/api/v1/customers", None, &dup).await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body["errors"]["nin"].is_array(), "{}", r.body);

    // Virtual accounts: distinct numbers, exactly one per idempotent request.
    let accounts = issue_accounts(&apis, &codes, &mut doubles).await;
    let numbers: HashSet<&String> = accounts.iter().map(|(n, _)| n).collect();
    assert_eq!(
        numbers.len(),
        accounts.len(),
        "an account number issued twice"
    );
    for (i, code) in codes.iter().enumerate() {
        let data = apis[i % 2]
            .get_data(&format!("/api/v1/customers/{code}/virtual-accounts"))
            .await;
        let want = if i % 4 == 1 { 3 } else { 1 };
        assert_eq!(
            data.as_array().unwrap().len(),
            want,
            "accounts of {code}: {data}"
        );
    }

    // Inflows from 32 tasks; every fifth session id goes to both nodes at once.
    let plan: Arc<Vec<Planned>> = Arc::new(
        (0..INFLOWS)
            .map(|n| Planned {
                session_id: session(2, n),
                account: accounts[(n * 7) % accounts.len()].0.clone(),
                amount: amount_of(n),
            })
            .collect(),
    );
    let next = Arc::new(AtomicUsize::new(0));
    let load_started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for t in 0..TASKS {
        let (apis, plan, next) = (apis.clone(), plan.clone(), next.clone());
        tasks.spawn(async move {
            let mut acked = Vec::new();
            let mut problems = Vec::new();
            let mut both = 0;
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                let Some(p) = plan.get(n) else { break };
                let body = inflow_body(&p.session_id, &p.account, p.amount);
                if n % 5 == 0 {
                    both += 1;
                    let (ra, rb) = tokio::join!(
                        apis[0].post(SANDBOX, None, &body),
                        apis[1].post(SANDBOX, None, &body)
                    );
                    let mut statuses = [ra.status, rb.status];
                    statuses.sort_unstable();
                    if statuses != [200, 201] {
                        problems.push(format!(
                            "{} sent to both: A {} {} / B {} {}",
                            p.session_id, ra.status, ra.body, rb.status, rb.body
                        ));
                        continue;
                    }
                    if ra.body["data"] != rb.body["data"] {
                        problems.push(format!(
                            "{}: the nodes answered differently: {} / {}",
                            p.session_id, ra.body["data"], rb.body["data"]
                        ));
                    }
                    match check_inflow(&ra.body["data"], p) {
                        Ok(()) => acked.push(n),
                        Err(e) => problems.push(e),
                    }
                } else {
                    let r = apis[(n + t) % 2].post(SANDBOX, None, &body).await;
                    if r.status != 201 {
                        problems.push(format!("{}: {} {}", p.session_id, r.status, r.body));
                        continue;
                    }
                    match check_inflow(&r.body["data"], p) {
                        Ok(()) => acked.push(n),
                        Err(e) => problems.push(e),
                    }
                }
            }
            (acked, problems, both)
        });
    }
    let mut acked = Acked::new();
    let mut problems = Vec::new();
    let mut sent_to_both = 0;
    while let Some(done) = tasks.join_next().await {
        let (ns, ps, both) = done.unwrap();
        for n in ns {
            let p = &plan[n];
            acked.insert(p.session_id.clone(), (p.account.clone(), p.amount));
        }
        problems.extend(ps);
        sent_to_both += both;
    }
    let load_time = load_started.elapsed();
    assert!(
        problems.is_empty(),
        "{} problems: {problems:#?}",
        problems.len()
    );
    assert_eq!(acked.len(), INFLOWS);

    // A repeat with another amount is a conflict on either node and posts nothing.
    let mut conflicts = 0;
    for n in (0..INFLOWS).step_by(60) {
        let p = &plan[n];
        let r = apis[n % 2]
            .post(
                SANDBOX,
                None,
                &inflow_body(&p.session_id, &p.account, p.amount + 1),
            )
            .await;
        assert_eq!(r.status, 409, "{}", r.body);
        assert_eq!(r.code(), "session_conflict");
        let data = apis[(n + 1) % 2]
            .get_data(&format!("/api/v1/inflows/{}", p.session_id))
            .await;
        assert_eq!(data["conflicts"], 1, "{data}");
        conflicts += 1;
    }

    let total = assert_books(&apis, &codes, &accounts, &acked).await;
    let report = cluster.verify_ledger();
    assert!(report.contains("ledger OK"), "{report}");
    cluster.assert_no_panics();
    eprintln!(
        "multinode parallel load: {CUSTOMERS} customers ({customers_doubled} sent to both nodes), \
         {} accounts, {} idempotent creates sent to both nodes ({} replayed at once, {} answered \
         409 in flight then replayed), {INFLOWS} inflows ({sent_to_both} sent to both nodes) \
         acknowledged in {load_time:.2?}, {conflicts} conflicting repeats refused, total \
         {total} kobo; ledger: {}; whole test {:.2?}",
        accounts.len(),
        doubles.replayed + doubles.in_flight,
        doubles.replayed,
        doubles.in_flight,
        report.lines().next().unwrap_or(""),
        started.elapsed(),
    );
    for node in &cluster.nodes {
        node.report_warnings();
    }
}

/// What one inflow request in the SIGKILL test got.
enum Sent {
    /// 2xx from this node.
    Acked { node: usize },
    /// No answer: the connection failed (the node died under it).
    Errored { node: usize, error: String },
    /// Any other answer: a failure of the test.
    Refused {
        node: usize,
        status: u16,
        body: Value,
    },
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_of_one_node_mid_load_loses_nothing_it_acknowledged() {
    let test = "multinode::sigkill_of_one_node_mid_load_loses_nothing_it_acknowledged";
    tokio::time::timeout(TEST_LIMIT, sigkill_mid_load(test))
        .await
        .expect("the SIGKILL test ran past its time limit");
}

async fn sigkill_mid_load(test: &str) {
    const CUSTOMERS: usize = 8;
    const INFLOWS: usize = 600;
    /// Node B dies once it has acknowledged this many inflows.
    const KILL_AFTER: usize = 80;
    const VICTIM: usize = 1;
    let started = Instant::now();
    let Some(mut cluster) = Cluster::start(test).await else {
        return;
    };
    let apis = cluster.apis();
    let mut codes = Vec::new();
    let mut accounts = Vec::new();
    for i in 0..CUSTOMERS {
        let r = apis[i % 2]
            .post("/api/v1/customers", None, &customer_body(i))
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        let code = r.body["data"]["code"].as_str().unwrap().to_string();
        let path = format!("/api/v1/customers/{code}/virtual-accounts");
        let r = apis[(i + 1) % 2].post(&path, None, &json!({})).await;
        assert_eq!(r.status, 201, "{}", r.body);
        accounts.push((
            r.body["data"]["account_number"]
                .as_str()
                .unwrap()
                .to_string(),
            i,
        ));
        codes.push(code);
    }
    let plan: Arc<Vec<Planned>> = Arc::new(
        (0..INFLOWS)
            .map(|n| Planned {
                session_id: session(3, n),
                account: accounts[n % CUSTOMERS].0.clone(),
                amount: amount_of(n),
            })
            .collect(),
    );

    // Load on both nodes; tasks move to the survivor once the victim is dead.
    let next = Arc::new(AtomicUsize::new(0));
    let victim_acks = Arc::new(AtomicUsize::new(0));
    let killed = Arc::new(AtomicBool::new(false));
    let mut tasks = tokio::task::JoinSet::new();
    for t in 0..TASKS {
        let (apis, plan, next) = (apis.clone(), plan.clone(), next.clone());
        let (victim_acks, killed) = (victim_acks.clone(), killed.clone());
        tasks.spawn(async move {
            let mut sent = Vec::new();
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                let Some(p) = plan.get(n) else { break };
                let node = if killed.load(Ordering::SeqCst) {
                    1 - VICTIM
                } else {
                    t % 2
                };
                let body = inflow_body(&p.session_id, &p.account, p.amount);
                let outcome = match apis[node]
                    .send(Method::POST, SANDBOX, None, Some(&body))
                    .await
                {
                    Ok(r) if r.status == 201 && check_inflow(&r.body["data"], p).is_ok() => {
                        if node == VICTIM {
                            victim_acks.fetch_add(1, Ordering::SeqCst);
                        }
                        Sent::Acked { node }
                    }
                    Ok(r) => Sent::Refused {
                        node,
                        status: r.status,
                        body: r.body,
                    },
                    Err(e) => Sent::Errored {
                        node,
                        error: e.to_string(),
                    },
                };
                sent.push((n, outcome));
            }
            sent
        });
    }
    let load_started = Instant::now();
    while victim_acks.load(Ordering::SeqCst) < KILL_AFTER {
        assert!(
            load_started.elapsed() < Duration::from_secs(30),
            "node B acknowledged only {} inflows in 30 s",
            victim_acks.load(Ordering::SeqCst)
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    // A little jitter, so that over many runs the kill also lands while a
    // batch commits (applied, never answered), not only while one is open.
    let jitter = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos()
        % 150_000_000;
    tokio::time::sleep(Duration::from_nanos(u64::from(jitter))).await;
    let started_before_kill = next.load(Ordering::SeqCst).min(INFLOWS);
    // New requests go to the survivor from now on; those already sent to
    // the victim are in flight when it dies.
    killed.store(true, Ordering::SeqCst);
    cluster.nodes[VICTIM].sigkill();
    let killed_at = load_started.elapsed();
    let mut outcomes = Vec::new();
    while let Some(done) = tasks.join_next().await {
        outcomes.extend(done.unwrap());
    }
    let load_time = load_started.elapsed();
    let survivor = &apis[1 - VICTIM];
    assert!(
        outcomes.len() == INFLOWS,
        "{} of {INFLOWS} inflows sent",
        outcomes.len()
    );

    let mut acked = Acked::new();
    let mut victim_acked = Vec::new();
    let mut errored = Vec::new();
    let mut refused = Vec::new();
    for (n, outcome) in outcomes {
        let p = &plan[n];
        match outcome {
            Sent::Acked { node } => {
                if node == VICTIM {
                    victim_acked.push(n);
                }
                acked.insert(p.session_id.clone(), (p.account.clone(), p.amount));
            }
            Sent::Errored { node, error } => {
                assert_eq!(
                    node, VICTIM,
                    "the survivor failed {}: {error}",
                    p.session_id
                );
                errored.push(n);
            }
            Sent::Refused { node, status, body } => {
                refused.push(format!("{} on node {node}: {status} {body}", p.session_id))
            }
        }
    }
    assert!(refused.is_empty(), "non-2xx answers: {refused:#?}");

    // Everything the dead node acknowledged is there, once, with its amount.
    for &n in &victim_acked {
        let p = &plan[n];
        let data = survivor
            .get_data(&format!("/api/v1/inflows/{}", p.session_id))
            .await;
        if let Err(e) = check_inflow(&data, p) {
            panic!("acknowledged by the dead node, then: {e}");
        }
    }
    // What failed with the connection may or may not have been applied: the
    // survivor says which, and a resend under the same session id settles it
    // (200 with the first result if it was, 201 if not).
    let (mut applied_unanswered, mut not_applied) = (0, 0);
    for &n in &errored {
        let p = &plan[n];
        let path = format!("/api/v1/inflows/{}", p.session_id);
        let before = survivor.get(&path).await;
        let r = survivor
            .post(
                SANDBOX,
                None,
                &inflow_body(&p.session_id, &p.account, p.amount),
            )
            .await;
        // Found before the resend means applied; a resend answered 200 also
        // means applied (a commit the database finished after our read).
        match (before.status, r.status) {
            (200, 200) | (404, 200) => applied_unanswered += 1,
            (404, 201) => not_applied += 1,
            (b, s) => panic!(
                "{}: GET {b} {}, then resent: {s} {}",
                p.session_id, before.body, r.body
            ),
        }
        check_inflow(&r.body["data"], p).unwrap();
        acked.insert(p.session_id.clone(), (p.account.clone(), p.amount));
    }
    assert_eq!(
        acked.len(),
        INFLOWS,
        "every session id finally answered 2xx"
    );
    let ready = survivor.get("/readyz").await;
    assert_eq!(ready.status, 200, "{}", ready.body);

    let total = assert_books(
        &[survivor.clone(), survivor.clone()],
        &codes,
        &accounts,
        &acked,
    )
    .await;
    let report = cluster.verify_ledger();
    assert!(report.contains("ledger OK"), "{report}");
    let survivor_log = cluster.nodes[1 - VICTIM].log();
    assert!(!survivor_log.contains("panicked"), "{survivor_log}");
    eprintln!(
        "multinode SIGKILL: {INFLOWS} inflows from {TASKS} tasks; node B killed with SIGKILL at \
         {killed_at:.2?} after {} of its inflows were acknowledged ({started_before_kill} \
         requests started by then); {} requests to it failed with the connection ({applied_unanswered} \
         had been applied, {not_applied} had not) and were resent to node A; {} acknowledged in \
         all, total {total} kobo, load {load_time:.2?}; ledger: {}; whole test {:.2?}",
        victim_acked.len(),
        errored.len(),
        acked.len(),
        report.lines().next().unwrap_or(""),
        started.elapsed(),
    );
    cluster.nodes[1 - VICTIM].report_warnings();
}

#[test]
fn serve_with_an_unreachable_postgres_fails_fast_with_one_line() {
    let dir = DataDir::new();
    let started = Instant::now();
    let out = command(
        &dir,
        &[
            "serve",
            "--database",
            "postgres://postgres@127.0.0.1:1/nope",
            "--listen",
            "127.0.0.1:0",
        ],
    )
    .env(
        "KOBO_ENCRYPTION_KEY",
        kobo_core::crypto::Vault::generate_key_base64(),
    )
    .stdin(Stdio::null())
    .output()
    .unwrap();
    let took = started.elapsed();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        matches!(out.status.code(), Some(c) if c != 0),
        "exit {}: {stderr}",
        out.status
    );
    assert!(took < Duration::from_secs(10), "took {took:?}");
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line on stderr: {stderr}");
    let line = lines[0];
    assert!(
        line.contains("PostgreSQL") && line.contains("127.0.0.1:1"),
        "names what it could not reach: {line}"
    );
    for bad in ["panicked", "backtrace", "RUST_BACKTRACE"] {
        assert!(!stderr.contains(bad), "{stderr}");
    }
    assert!(!stdout.contains("listening"), "{stdout}");
    eprintln!(
        "unreachable PostgreSQL: exit {} in {took:.2?}: {line}",
        out.status
    );
}
