//! Retry schedules: `3m,3m,3m,3m` then hourly until 72 hours by default, or a
//! list such as `1s,2s,5s` (`KOBO_WEBHOOKS_RETRY_SCHEDULE`).

use std::time::Duration;

/// Four retries three minutes apart, then hourly until 72 hours after the first attempt.
pub fn default_schedule() -> Vec<Duration> {
    let mut delays = vec![Duration::from_secs(180); 4];
    let mut elapsed = Duration::from_secs(180 * 4);
    while elapsed + Duration::from_secs(3600) <= Duration::from_secs(72 * 3600) {
        delays.push(Duration::from_secs(3600));
        elapsed += Duration::from_secs(3600);
    }
    delays
}

/// Parses `1s,2s,5m,1h` (units ms, s, m, h).
pub fn parse(text: &str) -> Result<Vec<Duration>, String> {
    let mut out = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (number, unit) = part
            .find(|c: char| !c.is_ascii_digit())
            .map(|i| part.split_at(i))
            .ok_or_else(|| format!("{part:?} needs a unit (ms, s, m or h)"))?;
        let n: u64 = number
            .parse()
            .map_err(|_| format!("{part:?} is not a number with a unit"))?;
        let d = match unit {
            "ms" => Duration::from_millis(n),
            "s" => Duration::from_secs(n),
            "m" => Duration::from_secs(n * 60),
            "h" => Duration::from_secs(n * 3600),
            _ => return Err(format!("{part:?}: unknown unit {unit:?} (ms, s, m or h)")),
        };
        out.push(d);
    }
    if out.is_empty() {
        return Err("the schedule is empty".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_reaches_seventy_two_hours() {
        let s = default_schedule();
        assert_eq!(&s[..4], &[Duration::from_secs(180); 4]);
        let total: Duration = s.iter().sum();
        assert!(total <= Duration::from_secs(72 * 3600) && total > Duration::from_secs(71 * 3600));
    }

    #[test]
    fn parses_lists() {
        assert_eq!(
            parse("1s, 2s,500ms,5m,1h").unwrap(),
            vec![
                Duration::from_secs(1),
                Duration::from_secs(2),
                Duration::from_millis(500),
                Duration::from_secs(300),
                Duration::from_secs(3600)
            ]
        );
        assert!(parse("").is_err());
        assert!(parse("5").is_err());
        assert!(parse("5d").is_err());
    }
}
