//! Resolves where data lives and opens the store and the vault.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};
use kobo_core::crypto::Vault;
use kobo_store::Store;
use kobo_store_postgres::{PgOptions, PostgresStore};
use kobo_store_sqlite::SqliteStore;

use crate::cli::Global;

impl Global {
    /// The database URL, defaulting to SQLite in the data folder.
    pub fn database_url(&self) -> String {
        self.database
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("kobo.db").display()))
    }
}

/// Opens the store named by the URL (migrations are not run here).
pub async fn open_store(global: &Global) -> anyhow::Result<Arc<dyn Store>> {
    let url = global.database_url();
    if let Some(path) = url.strip_prefix("sqlite://") {
        if let Some(parent) = Path::new(path.split('?').next().unwrap_or(path)).parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("cannot create the folder {}", parent.display()))?;
            }
        }
        let store = SqliteStore::open(&url)
            .await
            .with_context(|| format!("cannot open the SQLite database {path}"))?;
        return Ok(Arc::new(store));
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let options = PgOptions {
            max_connections: global.db_max_connections,
            statement_timeout: Duration::from_millis(global.db_statement_timeout_ms),
            acquire_timeout: Duration::from_secs(10),
        };
        // The error already reads as one line naming host, port and database
        // (never the password).
        let store = PostgresStore::connect(&url, options)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        return Ok(Arc::new(store));
    }
    bail!("unsupported database URL (expected sqlite://PATH or postgres://…)")
}

/// The vault key: `KOBO_ENCRYPTION_KEY`, else `<data-dir>/encryption.key`,
/// created (0600) on first run.
pub fn vault(global: &Global) -> anyhow::Result<Vault> {
    if let Ok(text) = std::env::var("KOBO_ENCRYPTION_KEY") {
        return Vault::from_base64(&text).context("KOBO_ENCRYPTION_KEY");
    }
    let path = global.data_dir.join("encryption.key");
    if !path.exists() {
        write_private_file(&path, &Vault::generate_key_base64())?;
        tracing::info!(path = %path.display(), "created a new encryption key file; back it up with the database");
    }
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    Vault::from_base64(&text).with_context(|| format!("bad key in {}", path.display()))
}

/// Writes a file readable only by its owner (0600), creating parent folders.
pub fn write_private_file(path: &Path, contents: &str) -> anyhow::Result<PathBuf> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    file.write_all(contents.as_bytes())?;
    file.sync_all()?;
    Ok(path.to_path_buf())
}
