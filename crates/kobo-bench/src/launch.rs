//! Starting and stopping the real `kobo` binary, and `kobo ledger verify`.
//! The bench builds nothing: it runs the release binary `cargo build
//! --release` made (found next to its own executable, or under target/release).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::{bail, Context};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// Finds the kobo binary: `--kobo`, else beside this executable, else `<repo>/target/release/kobo`.
pub fn find_kobo(given: Option<&Path>, repo: &Path) -> anyhow::Result<PathBuf> {
    if let Some(path) = given {
        if path.is_file() {
            return Ok(path.to_path_buf());
        }
        bail!("--kobo {} is not a file", path.display());
    }
    let mut candidates = Vec::new();
    if let Ok(me) = std::env::current_exe() {
        if let Some(dir) = me.parent() {
            candidates.push(dir.join("kobo"));
        }
    }
    candidates.push(repo.join("target/release/kobo"));
    candidates
        .into_iter()
        .find(|p| p.is_file())
        .context("no kobo binary: run `cargo build --release -p kobo -p kobo-bench` first")
}

/// A running `kobo serve`.
pub struct Kobo {
    child: Child,
    pub pid: u32,
    pub addr: SocketAddr,
}

/// How to start kobo: binary, data folder, database URL, log filter.
#[derive(Clone)]
pub struct Launch {
    pub binary: PathBuf,
    pub data_dir: PathBuf,
    pub database: String,
    pub log: String,
}

impl Launch {
    fn command(&self) -> Command {
        let mut cmd = Command::new(&self.binary);
        cmd.arg("--data-dir")
            .arg(&self.data_dir)
            .arg("--database")
            .arg(&self.database)
            .env_remove("KOBO_CONFIG")
            .env("KOBO_LOG", &self.log)
            .kill_on_drop(true);
        cmd
    }

    /// Starts `kobo serve` on 127.0.0.1:0 and waits for its "listening" line.
    /// Its logs go to `<data-dir>/kobo.log` (a file never blocks it as a full pipe would).
    pub async fn start(&self) -> anyhow::Result<Kobo> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.data_dir.join("kobo.log"))?;
        let mut child = self
            .command()
            .args(["serve", "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .spawn()
            .with_context(|| format!("cannot start {}", self.binary.display()))?;
        let pid = child.id().context("kobo exited at once")?;
        let stdout = child.stdout.take().context("no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let addr = tokio::time::timeout(Duration::from_secs(60), async {
            while let Some(line) = lines.next_line().await? {
                if let Some(rest) = line.strip_prefix("kobo listening on http://") {
                    return Ok::<_, anyhow::Error>(Some(rest.trim().parse::<SocketAddr>()?));
                }
            }
            Ok(None)
        })
        .await
        .context("kobo did not say where it listens within 60 s")??;
        let Some(addr) = addr else {
            bail!(
                "kobo stopped before listening; see {}",
                self.data_dir.join("kobo.log").display()
            );
        };
        // Keep reading stdout so kobo never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(Kobo { child, pid, addr })
    }

    /// The test private key from `<data-dir>/sandbox-keys.json`. On SQLite
    /// `kobo serve` writes that file; on PostgreSQL it provisions nothing (two
    /// nodes would race), so the bench makes its business with
    /// `kobo business create` the first time and keeps the answer there.
    pub async fn test_key(&self) -> anyhow::Result<String> {
        let path = self.data_dir.join("sandbox-keys.json");
        if !path.exists() && !self.database.starts_with("sqlite://") {
            let out = self
                .command()
                .args(["business", "create", "--name", "Bench", "--json"])
                .stderr(Stdio::inherit())
                .output()
                .await
                .context("cannot run kobo business create")?;
            anyhow::ensure!(out.status.success(), "kobo business create failed");
            std::fs::write(&path, &out.stdout)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let keys: serde_json::Value = serde_json::from_str(&text)?;
        keys["test"]["private_key"]
            .as_str()
            .map(str::to_string)
            .context("sandbox-keys.json has no test private key")
    }

    /// Runs `kobo ledger verify --json`; answers whether it passed and its report.
    pub async fn verify(&self) -> anyhow::Result<(bool, serde_json::Value)> {
        let out = self
            .command()
            .args(["ledger", "verify", "--json"])
            .stderr(Stdio::inherit())
            .output()
            .await
            .context("cannot run kobo ledger verify")?;
        let text = String::from_utf8_lossy(&out.stdout);
        let report = serde_json::from_str(text.trim())
            .unwrap_or_else(|_| serde_json::json!({ "output": text.trim() }));
        Ok((out.status.success(), report))
    }
}

impl Kobo {
    /// SIGTERM, then waits for the drain (SIGKILL after 30 s). Without
    /// `unsafe` there is no `kill(2)`, so the signal goes through `kill`.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &self.pid.to_string()])
            .status();
        if !matches!(sent, Ok(s) if s.success()) {
            self.child.start_kill()?;
        }
        match tokio::time::timeout(Duration::from_secs(30), self.child.wait()).await {
            Ok(status) => {
                status?;
            }
            Err(_) => {
                self.child.start_kill()?;
                self.child.wait().await?;
            }
        }
        Ok(())
    }
}
