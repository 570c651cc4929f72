//! Issue 7's targets, judged from one run's rows.

use crate::results::{Row, Target};

fn find<'a>(rows: &'a [Row], name: &str) -> Option<&'a Row> {
    rows.iter().find(|r| r.name == name)
}

fn ratio_target(
    out: &mut Vec<Target>,
    target: &str,
    row: Option<&Row>,
    at_least: f64,
    judged: bool,
) {
    let Some(row) = row else { return };
    let ratio = row.ratio.unwrap_or(0.0);
    out.push(Target {
        target: target.into(),
        wanted: format!(
            "≥ {at_least}× {}",
            row.ceiling.as_deref().unwrap_or("ceiling")
        ),
        measured: format!(
            "{ratio:.2}× ({:.0}/s vs {:.0}/s)",
            row.throughput,
            row.ceiling_throughput.unwrap_or(0.0)
        ),
        pass: judged.then_some(ratio >= at_least),
    });
}

fn p99_target(out: &mut Vec<Target>, target: &str, row: Option<&Row>, health: &Row, judged: bool) {
    let Some(row) = row else { return };
    let times = row.p99_vs_health.unwrap_or(f64::INFINITY);
    out.push(Target {
        target: target.into(),
        wanted: "≤ 5× health p99".into(),
        measured: format!(
            "{times:.1}× ({:.2} ms vs {:.2} ms)",
            row.p99_ms, health.p99_ms
        ),
        pass: judged.then_some(times <= 5.0),
    });
}

/// `sqlite`: whether the SQLite targets apply (PostgreSQL has its own inflow
/// target and only reports the read ratios).
pub fn judge(
    rows: &[Row],
    sqlite: bool,
    peak_rss_mib: f64,
    errors: u64,
    verified: bool,
) -> Vec<Target> {
    let mut out = Vec::new();
    let hot = find(rows, "inflows hot customer");
    let (floor, aim) = if sqlite { (1.5, 5.0) } else { (1.0, 3.0) };
    ratio_target(&mut out, "inflows, hot customer", hot, floor, true);
    ratio_target(&mut out, "inflows, hot customer (aim)", hot, aim, true);
    if let Some(health) = find(rows, "health (HTTP ceiling)") {
        for name in ["balance", "fetch customer"] {
            let row = find(rows, name);
            ratio_target(
                &mut out,
                &format!("{name} at 64 connections"),
                row,
                0.4,
                sqlite,
            );
            p99_target(&mut out, &format!("{name} p99"), row, health, sqlite);
        }
    }
    ratio_target(
        &mut out,
        "create customer",
        find(rows, "create customer"),
        0.5,
        true,
    );
    if let (Some(first), Some(deep)) = (
        find(rows, "transactions page 1"),
        find(rows, "transactions deep (cursor)"),
    ) {
        let times = deep.p99_ms / first.p99_ms.max(0.001);
        out.push(Target {
            target: "transactions: deep page p99".into(),
            wanted: "≤ 2× page 1 p99".into(),
            measured: format!(
                "{times:.2}× ({:.1} ms vs {:.1} ms)",
                deep.p99_ms, first.p99_ms
            ),
            pass: Some(times <= 2.0),
        });
    }
    out.push(Target {
        target: "peak RSS of kobo".into(),
        wanted: "< 150 MiB".into(),
        measured: format!("{peak_rss_mib:.1} MiB"),
        pass: Some(peak_rss_mib < 150.0),
    });
    out.push(Target {
        target: "errors".into(),
        wanted: "0".into(),
        measured: errors.to_string(),
        pass: Some(errors == 0),
    });
    out.push(Target {
        target: "kobo ledger verify after the run".into(),
        wanted: "passes".into(),
        measured: if verified { "passed" } else { "FAILED" }.into(),
        pass: Some(verified),
    });
    out
}
