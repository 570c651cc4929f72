//! A small hand-written SVG line chart: panels side by side, log-scaled
//! axes (concurrency on log2, values on log10), one shared legend.

use std::fmt::Write;

pub struct Series {
    pub name: String,
    pub color: &'static str,
    pub dashed: bool,
    /// (concurrency, value); values ≤ 0 are left out.
    pub points: Vec<(f64, f64)>,
}

pub struct Panel {
    pub title: String,
    pub unit: String,
    pub series: Vec<Series>,
}

const W: f64 = 1000.0;
const H: f64 = 470.0;
const PANEL_W: f64 = W / 2.0;
const TOP: f64 = 70.0;
const BOTTOM: f64 = 360.0;
const LEFT: f64 = 75.0;
const RIGHT: f64 = 25.0;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn label(v: f64) -> String {
    if v >= 1000.0 {
        format!("{}k", v / 1000.0)
    } else {
        format!("{v}")
    }
}

/// The chart; `xs` are the concurrency levels marked on the x axis.
pub fn chart(title: &str, subtitle: &str, xs: &[usize], panels: &[Panel]) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="Helvetica, Arial, sans-serif" font-size="12">
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="{}" y="24" text-anchor="middle" font-size="16" font-weight="bold">{}</text>
<text x="{}" y="44" text-anchor="middle" fill="#555">{}</text>
"##,
        W / 2.0,
        esc(title),
        W / 2.0,
        esc(subtitle)
    );
    for (i, panel) in panels.iter().enumerate() {
        draw_panel(&mut s, i as f64 * PANEL_W, xs, panel);
    }
    if let Some(first) = panels.first() {
        let mut x = 60.0;
        for series in &first.series {
            let dash = if series.dashed {
                r#" stroke-dasharray="6 4""#
            } else {
                ""
            };
            let _ = writeln!(
                s,
                r#"<line x1="{x}" y1="430" x2="{}" y2="430" stroke="{}" stroke-width="2.5"{dash}/><text x="{}" y="434">{}</text>"#,
                x + 28.0,
                series.color,
                x + 34.0,
                esc(&series.name)
            );
            x += 40.0 + 7.0 * series.name.chars().count() as f64;
        }
    }
    s.push_str("</svg>\n");
    s
}

fn draw_panel(s: &mut String, offset: f64, xs: &[usize], panel: &Panel) {
    let (x0, x1) = (offset + LEFT, offset + PANEL_W - RIGHT);
    let values: Vec<f64> = panel
        .series
        .iter()
        .flat_map(|se| se.points.iter().map(|p| p.1))
        .filter(|v| *v > 0.0)
        .collect();
    let lo = values.iter().cloned().fold(f64::INFINITY, f64::min);
    let hi = values.iter().cloned().fold(0.0, f64::max);
    let (lo, hi) = if values.is_empty() {
        (0.0, 1.0)
    } else {
        (
            lo.log10().floor(),
            hi.log10().ceil().max(lo.log10().floor() + 1.0),
        )
    };
    let xmin = (*xs.first().unwrap_or(&1) as f64).log2();
    let xmax = (*xs.last().unwrap_or(&2) as f64).log2().max(xmin + 1.0);
    let mx = |c: f64| x0 + (c.log2() - xmin) / (xmax - xmin) * (x1 - x0);
    let my = |v: f64| BOTTOM - (v.log10() - lo) / (hi - lo) * (BOTTOM - TOP);
    let _ = writeln!(
        s,
        r##"<text x="{}" y="{}" text-anchor="middle" font-size="14" font-weight="bold">{}</text>"##,
        (x0 + x1) / 2.0,
        TOP - 10.0,
        esc(&panel.title)
    );
    // Decade grid lines with labels, and 2× and 5× minor lines.
    let mut decade = lo as i32;
    while decade as f64 <= hi {
        let base = 10f64.powi(decade);
        for (m, major) in [(1.0, true), (2.0, false), (5.0, false)] {
            let v = base * m;
            if v.log10() > hi + 1e-9 {
                continue;
            }
            let y = my(v);
            let color = if major { "#ccc" } else { "#eee" };
            let _ = writeln!(
                s,
                r#"<line x1="{x0}" y1="{y:.1}" x2="{x1}" y2="{y:.1}" stroke="{color}"/>"#
            );
            if major || hi - lo <= 2.0 {
                let _ = writeln!(
                    s,
                    r##"<text x="{}" y="{:.1}" text-anchor="end" fill="#444">{}</text>"##,
                    x0 - 6.0,
                    y + 4.0,
                    label(v)
                );
            }
        }
        decade += 1;
    }
    for &c in xs {
        let x = mx(c as f64);
        let _ = writeln!(
            s,
            r##"<line x1="{x:.1}" y1="{TOP}" x2="{x:.1}" y2="{BOTTOM}" stroke="#eee"/><text x="{x:.1}" y="{}" text-anchor="middle" fill="#444">{c}</text>"##,
            BOTTOM + 18.0
        );
    }
    let _ = writeln!(
        s,
        r##"<rect x="{x0}" y="{TOP}" width="{}" height="{}" fill="none" stroke="#888"/>
<text x="{}" y="{}" text-anchor="middle">connections (concurrency)</text>
<text x="{}" y="{}" text-anchor="middle" transform="rotate(-90 {} {})">{}</text>"##,
        x1 - x0,
        BOTTOM - TOP,
        (x0 + x1) / 2.0,
        BOTTOM + 38.0,
        offset + 18.0,
        (TOP + BOTTOM) / 2.0,
        offset + 18.0,
        (TOP + BOTTOM) / 2.0,
        esc(&panel.unit)
    );
    for series in &panel.series {
        let pts: Vec<(f64, f64)> = series
            .points
            .iter()
            .filter(|p| p.1 > 0.0)
            .map(|&(c, v)| (mx(c), my(v)))
            .collect();
        if pts.is_empty() {
            continue;
        }
        let path: Vec<String> = pts.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
        let dash = if series.dashed {
            r#" stroke-dasharray="6 4""#
        } else {
            ""
        };
        let _ = writeln!(
            s,
            r#"<polyline points="{}" fill="none" stroke="{}" stroke-width="2.5"{dash}/>"#,
            path.join(" "),
            series.color
        );
        for ((x, y), (c, v)) in pts.iter().zip(series.points.iter().filter(|p| p.1 > 0.0)) {
            let _ = writeln!(
                s,
                r#"<circle cx="{x:.1}" cy="{y:.1}" r="3.5" fill="{}"><title>{}: {c} connections, {v:.2} {}</title></circle>"#,
                series.color,
                esc(&series.name),
                esc(&panel.unit)
            );
        }
    }
}
