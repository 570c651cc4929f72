//! Where the machine's CPU went during one load: kobo, the bench itself
//! (load generator or ceiling), and everything else. On a shared 2-core
//! machine "everything else" says whether a figure can be trusted.

use std::time::Instant;

use serde::Serialize;

/// CPU time in clock ticks from `/proc/<pid>/stat` (user + system).
fn process_ticks(pid: &str) -> u64 {
    let Ok(text) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0;
    };
    // Fields after the command name (which may hold spaces) start at field 3.
    let Some((_, rest)) = text.rsplit_once(')') else {
        return 0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let get = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    get(11) + get(12)
}

/// (busy, all) ticks summed over every CPU, from `/proc/stat`.
fn machine_ticks() -> (u64, u64) {
    let text = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let Some(line) = text.lines().next() else {
        return (0, 0);
    };
    let v: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|f| f.parse().ok())
        .collect();
    let get = |i: usize| v.get(i).copied().unwrap_or(0);
    // user nice system idle iowait irq softirq steal
    let busy = get(0) + get(1) + get(2) + get(5) + get(6) + get(7);
    (busy, busy + get(3) + get(4))
}

pub struct CpuMeter {
    kobo: Option<u32>,
    kobo0: u64,
    me0: u64,
    busy0: u64,
    all0: u64,
    at: Instant,
}

/// Cores used on average (2.0 = both cores of a 2-core machine busy).
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct CpuUse {
    pub kobo_cores: f64,
    pub bench_cores: f64,
    pub other_cores: f64,
    pub seconds: f64,
}

impl CpuMeter {
    pub fn start(kobo: Option<u32>) -> CpuMeter {
        let (busy0, all0) = machine_ticks();
        CpuMeter {
            kobo,
            kobo0: kobo.map(|p| process_ticks(&p.to_string())).unwrap_or(0),
            me0: process_ticks("self"),
            busy0,
            all0,
            at: Instant::now(),
        }
    }

    pub fn finish(&self) -> CpuUse {
        let (busy, all) = machine_ticks();
        let cores = std::thread::available_parallelism()
            .map(|n| n.get() as f64)
            .unwrap_or(1.0);
        let span = all.saturating_sub(self.all0).max(1) as f64;
        let share = |ticks: u64| ticks as f64 / span * cores;
        let kobo = self
            .kobo
            .map(|p| process_ticks(&p.to_string()).saturating_sub(self.kobo0))
            .unwrap_or(0);
        let me = process_ticks("self").saturating_sub(self.me0);
        let busy = busy.saturating_sub(self.busy0);
        CpuUse {
            kobo_cores: share(kobo),
            bench_cores: share(me),
            other_cores: share(busy.saturating_sub(kobo + me)),
            seconds: self.at.elapsed().as_secs_f64(),
        }
    }
}

/// Waits (up to `max`) until the machine is quiet: less than a quarter of a
/// core busy with anything but kobo and the bench over half a second. Other
/// work on a shared machine would otherwise be measured as kobo's slowness.
/// Answers the cores the rest of the machine was using when the wait ended.
pub async fn wait_quiet(kobo: Option<u32>, max: std::time::Duration) -> f64 {
    let deadline = Instant::now() + max;
    loop {
        let meter = CpuMeter::start(kobo);
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        let other = meter.finish().other_cores;
        if other < 0.25 || Instant::now() >= deadline {
            return other;
        }
    }
}

/// After a load: waits until kobo itself is idle (under 0.05 cores over half
/// a second), so work it deferred (webhook deliveries of the events the load
/// wrote) is not charged to the next scenario; at most `max`. Answers the
/// seconds it took: how long kobo kept working after its last answer.
pub async fn wait_drained(kobo: u32, max: std::time::Duration) -> f64 {
    let started = Instant::now();
    while started.elapsed() < max {
        let meter = CpuMeter::start(Some(kobo));
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        if meter.finish().kobo_cores < 0.05 {
            break;
        }
    }
    started.elapsed().as_secs_f64()
}
