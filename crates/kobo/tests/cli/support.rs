//! Running the `kobo` binary: a temp data folder per test, one-shot commands,
//! and a `kobo serve` child whose stdout and stderr go to files.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// A fresh data folder, removed on drop.
pub struct DataDir(PathBuf);

impl DataDir {
    pub fn new() -> DataDir {
        let dir = std::env::temp_dir().join(format!(
            "kobo-cli-{}-{}",
            std::process::id(),
            kobo_core::ids::random_alphanumeric(12)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        DataDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for DataDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `kobo` with a clean environment and `--data-dir` set.
pub fn command(dir: &DataDir, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kobo"));
    for (name, _) in std::env::vars() {
        if name.starts_with("KOBO_") {
            cmd.env_remove(name);
        }
    }
    cmd.args(args).arg("--data-dir").arg(dir.path());
    cmd
}

pub struct Output {
    pub stdout: String,
}

/// Runs a command that must succeed.
pub fn kobo(dir: &DataDir, args: &[&str]) -> Output {
    let out = command(dir, args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "kobo {args:?} failed: {stderr}");
    Output {
        stdout: String::from_utf8(out.stdout).unwrap(),
    }
}

/// Runs a command that must fail; returns its stderr.
pub fn kobo_fails(dir: &DataDir, args: &[&str]) -> String {
    let out = command(dir, args).output().unwrap();
    assert!(!out.status.success(), "kobo {args:?} should fail");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A running `kobo serve` on 127.0.0.1:0.
pub struct Server {
    child: Option<Child>,
    pub base: String,
    stdout: PathBuf,
    stderr: PathBuf,
    client: reqwest::Client,
}

impl Server {
    /// Starts `kobo serve` with extra environment `env`, and waits for its address.
    pub async fn start(dir: &DataDir, env: &[(&str, &str)]) -> Server {
        let n = kobo_core::ids::random_alphanumeric(6);
        let stdout = dir.path().join(format!("serve-{n}.out"));
        let stderr = dir.path().join(format!("serve-{n}.err"));
        let mut cmd = command(dir, &["serve", "--listen", "127.0.0.1:0"]);
        cmd.envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&stdout).unwrap())
            .stderr(std::fs::File::create(&stderr).unwrap());
        let child = cmd.spawn().unwrap();
        let mut server = Server {
            child: Some(child),
            base: String::new(),
            stdout,
            stderr,
            client: reqwest::Client::new(),
        };
        let started = Instant::now();
        loop {
            let text = std::fs::read_to_string(&server.stdout).unwrap_or_default();
            if let Some(line) = text.lines().find(|l| l.starts_with("kobo listening on ")) {
                server.base = line["kobo listening on ".len()..].trim().to_string();
                return server;
            }
            if let Some(status) = server.child.as_mut().unwrap().try_wait().unwrap() {
                let err = std::fs::read_to_string(&server.stderr).unwrap_or_default();
                panic!("kobo serve exited with {status}: {err}");
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "kobo serve did not start"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        key: &str,
        body: Option<&Value>,
    ) -> (u16, Value) {
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header("DPPRIVATEKEY", key);
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let body = resp.json().await.unwrap_or(Value::Null);
        (status, body)
    }

    pub async fn get(&self, path: &str, key: &str) -> (u16, Value) {
        self.call(reqwest::Method::GET, path, key, None).await
    }

    pub async fn post(&self, path: &str, key: &str, body: &Value) -> (u16, Value) {
        self.call(reqwest::Method::POST, path, key, Some(body))
            .await
    }

    /// Sends SIGTERM and waits; returns the exit code, stdout and stderr.
    pub async fn stop(mut self) -> (Option<i32>, String, String) {
        let mut child = self.child.take().unwrap();
        let pid = child.id().to_string();
        let killed = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(killed.success());
        let started = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if started.elapsed() > Duration::from_secs(30) {
                let _ = child.kill();
                panic!("kobo serve did not stop on SIGTERM");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        let stdout = std::fs::read_to_string(&self.stdout).unwrap();
        let stderr = std::fs::read_to_string(&self.stderr).unwrap();
        (status.code(), stdout, stderr)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
