//! `kobo backup PATH`: a consistent online copy of the SQLite database.
//! Restore by stopping kobo and putting the copy where `--database` points
//! (keep the encryption key file with it). PostgreSQL deployments use pg_dump.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Context};
use kobo_store_sqlite::SqliteStore;

use crate::cli::Global;

pub async fn run(global: &Global, path: &Path) -> anyhow::Result<ExitCode> {
    let url = global.database_url();
    if !url.starts_with("sqlite://") {
        bail!("kobo backup copies the embedded SQLite database; for PostgreSQL use pg_dump");
    }
    if path.exists() {
        bail!("{} already exists; choose a new path", path.display());
    }
    let target = path
        .to_str()
        .context("the backup path must be valid UTF-8")?;
    let store = SqliteStore::open(&url)
        .await
        .context("cannot open the database")?;
    store.backup_to(target).await.context("backup failed")?;
    store.close().await;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // The copy holds key hashes and sealed BVNs: owner-only, like the key file.
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    println!("backup written to {}", path.display());
    Ok(ExitCode::SUCCESS)
}
