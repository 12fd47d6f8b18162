//! A PostgreSQL server of one test's own: a fresh cluster in a temporary directory on a free
//! port, which the test can stop and start for real (a crash with `immediate`, or a clean
//! restart) while the shared server on 5432 keeps serving every other test.
//!
//! The installed server binaries are used: `WELLNESS_PG_BIN` if set, else the newest
//! `/usr/lib/postgresql/*/bin` (Debian and Ubuntu), else `initdb` on the PATH. PostgreSQL refuses
//! to run as root, so under root the cluster belongs to the `postgres` user.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::free_port;

/// How `pg_ctl stop` stops the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopMode {
    /// Disconnects every client and shuts down cleanly.
    Fast,
    /// Kills the server without a shutdown checkpoint, as a crash would; the next start
    /// replays the WAL.
    Immediate,
}

/// A running (or stopped) private PostgreSQL cluster; removed when dropped.
#[derive(Debug)]
pub struct PrivatePostgres {
    bin: PathBuf,
    dir: PathBuf,
    /// The port it listens on, on 127.0.0.1.
    pub port: u16,
    as_postgres_user: bool,
}

fn bin_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("WELLNESS_PG_BIN") {
        return PathBuf::from(dir);
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return bin;
    }
    let on_path = std::env::var("PATH")
        .unwrap_or_default()
        .split(':')
        .map(PathBuf::from)
        .find(|dir| dir.join("initdb").exists());
    on_path.unwrap_or_else(|| {
        panic!(
            "no PostgreSQL server binaries (initdb, pg_ctl): install the postgresql package \
             (`make tools`) or set WELLNESS_PG_BIN"
        )
    })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

impl PrivatePostgres {
    /// Creates a cluster (trust authentication, user `postgres`) and starts it.
    pub fn start() -> PrivatePostgres {
        let bin = bin_dir();
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default();
        let dir = std::env::temp_dir().join(format!("wellness-pg-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create the cluster directory");
        let as_postgres_user = is_root();
        let pg = PrivatePostgres {
            bin,
            dir,
            port: free_port(),
            as_postgres_user,
        };
        if as_postgres_user {
            pg.must(
                Command::new("chown")
                    .args(["-R", "postgres:postgres"])
                    .arg(&pg.dir),
            );
        }
        let data = pg.data();
        pg.must(pg.tool("initdb").args([
            "-D",
            &data,
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ]));
        pg.start_again();
        pg
    }

    fn data(&self) -> String {
        self.dir.join("data").to_string_lossy().into_owned()
    }

    /// A command for one of the server's tools, run as `postgres` under root.
    fn tool(&self, name: &str) -> Command {
        let path = self.bin.join(name);
        if self.as_postgres_user {
            let mut cmd = Command::new("runuser");
            cmd.args(["-u", "postgres", "--"]).arg(path);
            cmd
        } else {
            Command::new(path)
        }
    }

    fn must(&self, cmd: &mut Command) -> Output {
        let out = cmd.output().expect("run a PostgreSQL tool");
        assert!(
            out.status.success(),
            "{cmd:?} failed: {}\n{}\nserver log:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            self.log()
        );
        out
    }

    /// `postgres://postgres@127.0.0.1:PORT/postgres`.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Starts the stopped server on the same port and waits until it accepts connections.
    pub fn start_again(&self) {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -c unix_socket_directories={} -c max_connections=50",
            self.port,
            self.dir.to_string_lossy()
        );
        let log = self.dir.join("server.log");
        self.must(self.tool("pg_ctl").args([
            "-D",
            &self.data(),
            "-l",
            &log.to_string_lossy(),
            "-o",
            &options,
            "-w",
            "-t",
            "30",
            "start",
        ]));
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "PostgreSQL did not come up:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stops the server and waits until it is down.
    pub fn stop(&self, mode: StopMode) {
        let mode = match mode {
            StopMode::Fast => "fast",
            StopMode::Immediate => "immediate",
        };
        self.must(self.tool("pg_ctl").args([
            "-D",
            &self.data(),
            "-m",
            mode,
            "-w",
            "-t",
            "30",
            "stop",
        ]));
    }

    /// The server's processes: the postmaster (first line of `postmaster.pid`) and its
    /// children.
    fn processes(&self) -> Vec<u32> {
        let pid_file = std::fs::read_to_string(self.dir.join("data").join("postmaster.pid"))
            .unwrap_or_default();
        let Some(postmaster) = pid_file
            .lines()
            .next()
            .and_then(|l| l.trim().parse::<u32>().ok())
        else {
            return Vec::new();
        };
        let mut pids = vec![postmaster];
        for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|n| n.parse::<u32>().ok())
            else {
                continue;
            };
            // /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after ')'.
            let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
            let ppid = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(1))
                .and_then(|p| p.parse::<u32>().ok());
            if ppid == Some(postmaster) {
                pids.push(pid);
            }
        }
        pids
    }

    fn signal(&self, signal: &str, pids: &[u32]) {
        let mut cmd = Command::new("kill");
        cmd.arg(format!("-{signal}"));
        cmd.args(pids.iter().map(u32::to_string));
        self.must(&mut cmd);
    }

    /// Freezes every server process (SIGSTOP): connections stay open and nothing answers, as
    /// with a hung host or a network partition. Returns what to thaw.
    pub fn freeze(&self) -> Vec<u32> {
        let pids = self.processes();
        assert!(!pids.is_empty(), "the server is not running");
        self.signal("STOP", &pids);
        pids
    }

    /// Lets frozen processes run again (SIGCONT).
    pub fn thaw(&self, pids: &[u32]) {
        self.signal("CONT", pids);
    }

    /// The server's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
    }

    /// Where the cluster lives.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        // A frozen server would not stop.
        let pids = self.processes();
        if !pids.is_empty() {
            let _ = Command::new("kill")
                .arg("-CONT")
                .args(pids.iter().map(u32::to_string))
                .output();
        }
        let _ = self
            .tool("pg_ctl")
            .args(["-D", &self.data(), "-m", "immediate", "-w", "stop"])
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
