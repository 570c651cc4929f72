//! The HTTP side of the load generator: one keep-alive HTTP/1.1 connection
//! per worker (hyper's client connection, no pool in between), and the
//! [`Workload`] that says what each request is and which status it must get.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::{HeaderValue, CONTENT_TYPE, HOST};
use hyper::{Method, StatusCode};
use hyper_util::rt::TokioIo;
use rand::rngs::StdRng;
use rand::SeedableRng;
use tokio::net::TcpStream;

use crate::measure::{self, Op, Outcome};

/// Where requests go and the key they carry.
pub struct Target {
    pub addr: SocketAddr,
    host: HeaderValue,
    key: HeaderValue,
}

impl Target {
    pub fn new(addr: SocketAddr, key: &str) -> anyhow::Result<Arc<Target>> {
        Ok(Arc::new(Target {
            addr,
            host: HeaderValue::from_str(&addr.to_string())?,
            key: HeaderValue::from_str(key).context("the API key is not a header value")?,
        }))
    }
}

/// One request and the status it must be answered with.
pub struct Request {
    pub method: Method,
    pub path: String,
    pub body: Option<Bytes>,
    pub expect: StatusCode,
}

impl Request {
    pub fn get(path: String) -> Request {
        Request {
            method: Method::GET,
            path,
            body: None,
            expect: StatusCode::OK,
        }
    }

    pub fn post(path: String, body: String, expect: StatusCode) -> Request {
        Request {
            method: Method::POST,
            path,
            body: Some(Bytes::from(body)),
            expect,
        }
    }
}

/// What a scenario sends. Shared by all its workers.
pub trait Workload: Send + Sync + 'static {
    fn next(&self, rng: &mut StdRng) -> Request;
    /// Called with every request answered with its expected status.
    fn acknowledged(&self, _request: &Request, _body: &Bytes) {}
}

/// A keep-alive connection to kobo.
pub struct Conn {
    sender: SendRequest<Full<Bytes>>,
}

impl Conn {
    pub async fn open(addr: SocketAddr) -> anyhow::Result<Conn> {
        let stream = TcpStream::connect(addr)
            .await
            .with_context(|| format!("cannot connect to {addr}"))?;
        stream.set_nodelay(true)?;
        let (sender, connection) = http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(async move {
            let _ = connection.await;
        });
        Ok(Conn { sender })
    }

    /// Sends `request`; answers the status and the whole body.
    pub async fn send(
        &mut self,
        target: &Target,
        request: &Request,
    ) -> anyhow::Result<(StatusCode, Bytes)> {
        self.sender.ready().await?;
        let mut builder = hyper::Request::builder()
            .method(request.method.clone())
            .uri(&request.path)
            .header(HOST, target.host.clone())
            .header("dpprivatekey", target.key.clone());
        if request.body.is_some() {
            builder = builder.header(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
        let body = Full::new(request.body.clone().unwrap_or_default());
        let response = self.sender.send_request(builder.body(body)?).await?;
        let status = response.status();
        let bytes = response.into_body().collect().await?.to_bytes();
        Ok((status, bytes))
    }
}

/// One worker: its connection, its random numbers, the shared workload.
pub struct HttpOp {
    conn: Option<Conn>,
    target: Arc<Target>,
    work: Arc<dyn Workload>,
    rng: StdRng,
}

impl Op for HttpOp {
    async fn call(&mut self) -> Result<(), String> {
        let request = self.work.next(&mut self.rng);
        if self.conn.is_none() {
            self.conn = Some(
                Conn::open(self.target.addr)
                    .await
                    .map_err(|e| e.to_string())?,
            );
        }
        let conn = self.conn.as_mut().expect("connection just opened");
        match conn.send(&self.target, &request).await {
            Ok((status, body)) if status == request.expect => {
                self.work.acknowledged(&request, &body);
                Ok(())
            }
            Ok((status, body)) => Err(format!(
                "{} {} answered {status} (expected {}): {}",
                request.method,
                request.path,
                request.expect.as_u16(),
                String::from_utf8_lossy(&body[..body.len().min(300)])
            )),
            Err(e) => {
                self.conn = None; // reconnect on the next call
                Err(format!("{} {}: {e}", request.method, request.path))
            }
        }
    }
}

/// Opens `n` connections (all before the clock starts).
async fn workers(
    target: &Arc<Target>,
    work: &Arc<dyn Workload>,
    n: usize,
) -> anyhow::Result<Vec<HttpOp>> {
    let mut ops = Vec::with_capacity(n);
    for _ in 0..n {
        ops.push(HttpOp {
            conn: Some(Conn::open(target.addr).await?),
            target: target.clone(),
            work: work.clone(),
            rng: StdRng::from_entropy(),
        });
    }
    Ok(ops)
}

/// `connections` workers in a closed loop.
pub async fn closed(
    target: &Arc<Target>,
    work: Arc<dyn Workload>,
    connections: usize,
    warmup: Duration,
    duration: Duration,
) -> anyhow::Result<Outcome> {
    let ops = workers(target, &work, connections).await?;
    Ok(measure::closed(ops, warmup, duration).await)
}

/// `rate` requests per second over `connections` connections, latency from the intended send time.
pub async fn open(
    target: &Arc<Target>,
    work: Arc<dyn Workload>,
    connections: usize,
    rate: f64,
    warmup: Duration,
    duration: Duration,
) -> anyhow::Result<Outcome> {
    let ops = workers(target, &work, connections).await?;
    Ok(measure::open(ops, rate, warmup, duration).await)
}
