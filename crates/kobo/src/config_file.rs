//! `KOBO_CONFIG`: a TOML file of settings, layered under `KOBO_*` variables and
//! flags. Each top-level key `name` stands for the variable `KOBO_NAME` (for
//! example `listen = "0.0.0.0:8080"`, `provider_secret = "…"`,
//! `rate_limit_per_second = 50`); a variable already set wins over the file,
//! and a flag wins over both.

use anyhow::{bail, Context};

/// Reads the file named by `KOBO_CONFIG` (if any) into the process
/// environment; call before parsing the command line, while single-threaded.
pub fn load() -> anyhow::Result<()> {
    let Ok(path) = std::env::var("KOBO_CONFIG") else {
        return Ok(());
    };
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read KOBO_CONFIG file {path}"))?;
    for (name, value) in parse(&text).with_context(|| format!("bad KOBO_CONFIG file {path}"))? {
        if std::env::var_os(&name).is_none() {
            std::env::set_var(name, value);
        }
    }
    Ok(())
}

/// The file's settings as (variable, value) pairs.
pub fn parse(text: &str) -> anyhow::Result<Vec<(String, String)>> {
    // Not `?`: toml's message quotes the offending line, which may hold a secret.
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        let start = e.span().map_or(0, |s| s.start.min(text.len()));
        let line = text.as_bytes()[..start]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        anyhow::anyhow!("line {line}: {}", e.message().trim())
    })?;
    let mut out = Vec::new();
    for (key, value) in table {
        let text = match value {
            toml::Value::String(s) => s,
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            toml::Value::Float(f) => f.to_string(),
            other => bail!(
                "setting {key} must be a string, number or boolean, not {}",
                other.type_str()
            ),
        };
        let name = format!("KOBO_{}", key.to_ascii_uppercase().replace('-', "_"));
        out.push((name, text));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn keys_become_variables() {
        let pairs =
            super::parse("listen = \"0.0.0.0:9000\"\nrate-limit-per-second = 50\n").unwrap();
        assert!(pairs.contains(&("KOBO_LISTEN".into(), "0.0.0.0:9000".into())));
        assert!(pairs.contains(&("KOBO_RATE_LIMIT_PER_SECOND".into(), "50".into())));
        assert!(super::parse("x = [1]").is_err());
        let e = super::parse("a = 1\nprovider_secret = \"hunter2").unwrap_err();
        assert!(e.to_string().starts_with("line 2: "), "{e}");
        assert!(!e.to_string().contains("hunter2"), "{e}");
    }
}
