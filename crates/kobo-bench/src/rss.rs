//! kobo's memory: VmRSS sampled every 100 ms while it runs, and VmHWM (the
//! kernel's own peak) read before it stops.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// One field of `/proc/<pid>/status` in KiB.
pub fn status_kib(pid: u32, field: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
}

/// Samples one process's VmRSS in the background.
pub struct RssMonitor {
    pid: u32,
    peak_kib: Arc<AtomicU64>,
    window_kib: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
}

impl RssMonitor {
    pub fn start(pid: u32) -> RssMonitor {
        let peak_kib = Arc::new(AtomicU64::new(0));
        let window_kib = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (p, w, s) = (peak_kib.clone(), window_kib.clone(), stop.clone());
        tokio::spawn(async move {
            while !s.load(Ordering::Relaxed) {
                if let Some(kib) = status_kib(pid, "VmRSS") {
                    p.fetch_max(kib, Ordering::Relaxed);
                    w.fetch_max(kib, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        });
        RssMonitor {
            pid,
            peak_kib,
            window_kib,
            stop,
        }
    }

    /// Highest sample since the last call (one scenario's peak), in KiB.
    pub fn take_window(&self) -> u64 {
        let now = status_kib(self.pid, "VmRSS").unwrap_or(0);
        self.window_kib.swap(0, Ordering::Relaxed).max(now)
    }

    /// Highest sample so far and the kernel's high-water mark, in KiB; stops sampling.
    pub fn finish(&self) -> (u64, u64) {
        self.stop.store(true, Ordering::Relaxed);
        let hwm = status_kib(self.pid, "VmHWM").unwrap_or(0);
        (self.peak_kib.load(Ordering::Relaxed), hwm)
    }
}
