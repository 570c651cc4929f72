//! The two load shapes, for any operation (an HTTP request or a database
//! transaction), and what they record: every latency in an HDR histogram.
//!
//! - Closed loop: N workers, each starts its next operation when the last one
//!   answered. Latency runs from the send.
//! - Open loop (fixed rate): worker `c` of N owns the send times
//!   `start + (c + k·N) / rate`; it sends at that time or, if it is behind, at
//!   once, and latency runs from the *intended* time, so a stall is charged to
//!   every request it delayed (no coordinated omission).
//!
//! A worker never abandons an operation at the deadline: it finishes it, so
//! every operation the server committed was counted.

use std::future::Future;
use std::time::Duration;

use hdrhistogram::Histogram;
use tokio::time::Instant;

/// Longest latency the histograms hold (60 s, in microseconds); longer ones are clamped.
const HIGHEST_US: u64 = 60_000_000;

/// One operation of a load; its error text says what went wrong.
pub trait Op: Send + 'static {
    fn call(&mut self) -> impl Future<Output = Result<(), String>> + Send;
}

/// What one load produced.
#[derive(Clone)]
pub struct Outcome {
    pub hist: Histogram<u64>,
    pub ok: u64,
    pub errors: u64,
    /// From the end of the warm-up to the last recorded answer.
    pub elapsed: Duration,
    /// The first few error texts, to say what failed.
    pub samples: Vec<String>,
}

pub fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, HIGHEST_US, 3).expect("valid histogram bounds")
}

impl Outcome {
    fn empty() -> Outcome {
        Outcome {
            hist: histogram(),
            ok: 0,
            errors: 0,
            elapsed: Duration::ZERO,
            samples: Vec::new(),
        }
    }

    fn absorb(&mut self, other: Outcome) {
        let _ = self.hist.add(&other.hist);
        self.ok += other.ok;
        self.errors += other.errors;
        self.elapsed = self.elapsed.max(other.elapsed);
        for s in other.samples {
            if self.samples.len() < 5 {
                self.samples.push(s);
            }
        }
    }

    /// Operations answered per second (errors included; they must be zero).
    pub fn throughput(&self) -> f64 {
        let secs = self.elapsed.as_secs_f64();
        if secs > 0.0 {
            (self.ok + self.errors) as f64 / secs
        } else {
            0.0
        }
    }

    /// Latency at quantile `q` (0..=1) in milliseconds.
    pub fn ms(&self, q: f64) -> f64 {
        self.hist.value_at_quantile(q) as f64 / 1000.0
    }

    pub fn max_ms(&self) -> f64 {
        self.hist.max() as f64 / 1000.0
    }

    fn record(&mut self, latency: Duration, result: Result<(), String>) {
        let us = (latency.as_micros() as u64).clamp(1, HIGHEST_US);
        let _ = self.hist.record(us);
        match result {
            Ok(()) => self.ok += 1,
            Err(e) => {
                self.errors += 1;
                if self.samples.len() < 5 {
                    self.samples.push(e);
                }
            }
        }
    }
}

/// Runs `ops.len()` workers in a closed loop for `warmup + duration`.
pub async fn closed<O: Op>(ops: Vec<O>, warmup: Duration, duration: Duration) -> Outcome {
    let start = Instant::now();
    let from = start + warmup;
    let deadline = from + duration;
    let mut handles = Vec::with_capacity(ops.len());
    for mut op in ops {
        handles.push(tokio::spawn(async move {
            let mut out = Outcome::empty();
            loop {
                let sent = Instant::now();
                if sent >= deadline {
                    break;
                }
                let result = op.call().await;
                let done = Instant::now();
                if sent >= from {
                    out.record(done - sent, result);
                    out.elapsed = done - from;
                }
            }
            out
        }));
    }
    gather(handles).await
}

/// Runs `ops.len()` workers that together send `rate` operations per second.
pub async fn open<O: Op>(ops: Vec<O>, rate: f64, warmup: Duration, duration: Duration) -> Outcome {
    let start = Instant::now();
    let from = start + warmup;
    let deadline = from + duration;
    let workers = ops.len() as f64;
    let interval = Duration::from_secs_f64(workers / rate.max(0.001));
    let mut handles = Vec::with_capacity(ops.len());
    for (c, mut op) in ops.into_iter().enumerate() {
        let first = start + Duration::from_secs_f64(c as f64 / rate.max(0.001));
        handles.push(tokio::spawn(async move {
            let mut out = Outcome::empty();
            let mut intended = first;
            while intended < deadline {
                tokio::time::sleep_until(intended).await;
                let result = op.call().await;
                let done = Instant::now();
                if intended >= from {
                    out.record(done - intended, result);
                    out.elapsed = done - from;
                }
                intended += interval;
            }
            out
        }));
    }
    gather(handles).await
}

async fn gather(handles: Vec<tokio::task::JoinHandle<Outcome>>) -> Outcome {
    let mut total = Outcome::empty();
    for h in handles {
        match h.await {
            Ok(out) => total.absorb(out),
            Err(e) => {
                total.errors += 1;
                total.samples.push(format!("worker failed: {e}"));
            }
        }
    }
    total
}
