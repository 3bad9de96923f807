//! Helpers shared by the integration tests: run the binary, start a server.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_tidings");

/// A scratch installation: a data dir, and optionally a PostgreSQL URL.
pub struct Install {
    pub dir: tempfile::TempDir,
    pub database_url: Option<String>,
}

impl Install {
    pub fn sqlite() -> Install {
        Install {
            dir: tempfile::tempdir().unwrap(),
            database_url: None,
        }
    }

    pub async fn postgres() -> Option<Install> {
        let url = tidings_store::testing::fresh_pg_url().await?;
        Some(Install {
            dir: tempfile::tempdir().unwrap(),
            database_url: Some(url),
        })
    }

    /// SQLite always, PostgreSQL when configured.
    pub async fn all() -> Vec<Install> {
        let mut v = vec![Install::sqlite()];
        if let Some(pg) = Install::postgres().await {
            v.push(pg);
        }
        v
    }

    /// Another node of the same installation: its own data directory, the same database.
    pub fn node(&self) -> Install {
        Install {
            dir: tempfile::tempdir().unwrap(),
            database_url: self.database_url.clone(),
        }
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub fn name(&self) -> &'static str {
        if self.database_url.is_some() {
            "postgres"
        } else {
            "sqlite"
        }
    }

    pub fn cmd(&self) -> Command {
        let mut c = Command::new(BIN);
        // A clean environment: no stray TIDINGS_* settings from the developer's shell.
        for (k, _) in std::env::vars() {
            if k.starts_with("TIDINGS_") {
                c.env_remove(k);
            }
        }
        c.current_dir(self.dir.path());
        c.arg("--data-dir").arg(self.data_dir());
        if let Some(u) = &self.database_url {
            c.arg("--database-url").arg(u);
        }
        c
    }

    /// Run a command to completion.
    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().unwrap()
    }

    pub fn run_stdin(&self, args: &[&str], stdin: &[u8]) -> Output {
        use std::io::Write;
        let mut child = self
            .cmd()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(stdin).unwrap();
        child.wait_with_output().unwrap()
    }

    /// Open the installation's database directly.
    pub async fn store(&self) -> tidings_store::Store {
        std::fs::create_dir_all(self.data_dir()).unwrap();
        let url = self.database_url.clone().unwrap_or_else(|| {
            format!(
                "sqlite://{}?mode=rwc",
                self.data_dir().join("tidings.db").display()
            )
        });
        tidings_store::Store::open(&url, &Default::default())
            .await
            .unwrap()
    }

    /// Start `tidings serve` on a free port and wait until it answers.
    pub fn serve(&self, extra: &[&str]) -> Server {
        self.serve_env(extra, &[])
    }

    /// `serve` with extra environment (configuration keys as `TIDINGS_*`).
    pub fn serve_env(&self, extra: &[&str], env: &[(&str, &str)]) -> Server {
        let mut child = self
            .cmd()
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(extra)
            .envs(env.iter().copied())
            .env("TIDINGS_LOG__FORMAT", "json")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
        let log2 = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(i) = line.find("listening on http://") {
                    let rest = &line[i + "listening on http://".len()..];
                    let addr: String = rest
                        .chars()
                        .take_while(|c| *c != '"' && !c.is_whitespace())
                        .collect();
                    let _ = tx.send(addr);
                }
                log2.lock().unwrap().push(line);
            }
        });
        let addr = rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("server did not start: {:?}", log.lock().unwrap()));
        Server {
            child,
            base: format!("http://{addr}"),
            log,
        }
    }
}

pub struct Server {
    pub child: Child,
    pub base: String,
    pub log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Server {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn signal(&self, sig: &str) {
        let ok = Command::new("kill")
            .args([&format!("-{sig}"), &self.child.id().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill -{sig} failed");
    }

    /// Wait for the process to exit; returns its status.
    #[allow(clippy::disallowed_methods)] // a plain poll loop; callers are not latency sensitive
    pub fn wait(&mut self, timeout: Duration) -> std::process::ExitStatus {
        let start = Instant::now();
        loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                return s;
            }
            assert!(
                start.elapsed() < timeout,
                "process did not exit in {timeout:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn log_text(&self) -> String {
        self.log.lock().unwrap().join("\n")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP client for talking to the server under test (the product's TLS
/// stack needs its crypto provider installed first).
pub fn http() -> reqwest::Client {
    tidings_fetch::ensure_crypto_provider();
    reqwest::Client::new()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Assert a command failed with a message containing every `needle`.
pub fn assert_fails_with(o: &Output, needles: &[&str]) {
    assert!(
        !o.status.success(),
        "expected failure, got success: {}",
        stdout(o)
    );
    let err = stderr(o);
    for n in needles {
        assert!(err.contains(n), "stderr lacks `{n}`:\n{err}");
    }
}
