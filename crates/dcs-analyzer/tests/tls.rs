//! `rediss://`: analyses over TLS against a real redis-server with a TLS port, its certificate
//! signed by a throwaway CA, a password required; and the password never in an error.

mod common;

use common::*;
use dcs_analyzer::server::{RedisProcess, TestCertificates};
use dcs_analyzer::{bigkeys, Control, ScanOptions, Target};

const PASSWORD: &str = "tls-test-password-0123";

/// A redis-server with a TLS port (its certificate signed by a throwaway CA) and a password:
/// the TLS URL with the password, options that trust the CA, and a plain connection to seed it.
struct TlsServer {
    server: RedisProcess,
    url: String,
    /// The plain port's URL, with the password.
    plain: String,
    opts: ScanOptions,
    _dir: tempfile::TempDir,
}

async fn tls_server(args: &[&str]) -> (TlsServer, redis::aio::MultiplexedConnection) {
    let dir = tempfile::tempdir().unwrap();
    let certs = TestCertificates::create(dir.path()).unwrap();
    let all = [&["--requirepass", PASSWORD][..], args].concat();
    let server = RedisProcess::start_tls(&certs, &all).unwrap();
    let plain = format!("redis://:{PASSWORD}@127.0.0.1:{}", server.port);
    let c = connect(&plain, 0).await;
    let url = server
        .tls_url()
        .unwrap()
        .replace("rediss://", &format!("rediss://:{PASSWORD}@"));
    let opts = ScanOptions {
        tls_ca: Some(std::fs::read(&certs.ca).unwrap().into()),
        ..Default::default()
    };
    let tls = TlsServer {
        server,
        url,
        plain,
        opts,
        _dir: dir,
    };
    (tls, c)
}

#[tokio::test]
async fn analyses_run_over_tls_with_the_instance_ca() {
    let (t, mut c) = tls_server(&[]).await;
    run(&mut c, redis::cmd("SET").arg("big").arg("x".repeat(4096))).await;
    let (tls, opts, server) = (t.url.clone(), t.opts.clone(), &t.server);
    let report = bigkeys::analyze(&Target::Standalone(tls.clone()), &opts, &Control::new().0)
        .await
        .unwrap();
    assert_eq!(report.keys[0].name, "big");
    assert_eq!(
        report.keys[0].shard,
        format!("127.0.0.1:{}", server.tls_port.unwrap())
    );

    // Not trusting the CA, or speaking plain text to the TLS port, fails — naming the server,
    // never the password.
    for (url, opts) in [
        (tls.clone(), ScanOptions::default()),
        (tls.replace("rediss://", "redis://"), ScanOptions::default()),
    ] {
        let e = bigkeys::analyze(&Target::Standalone(url.clone()), &opts, &Control::new().0)
            .await
            .unwrap_err()
            .to_string();
        assert!(e.contains("127.0.0.1"), "{url}: {e}");
        assert!(!e.contains(PASSWORD), "{url}: {e}");
    }
}

/// `dcs-analyze` over TLS with `--tls-ca`, its password from `REDISCLI_AUTH` as redis-cli reads
/// it (so not on the command line for `ps` to show).
#[test]
fn the_cli_speaks_tls_and_reads_rediscli_auth() {
    let dir = tempfile::tempdir().unwrap();
    let certs = TestCertificates::create(dir.path()).unwrap();
    let server = RedisProcess::start_tls(&certs, &["--requirepass", PASSWORD]).unwrap();
    let analyze = |ca: &std::path::Path, password: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_dcs-analyze"))
            .args([
                "bigkeys",
                "--json",
                "--url",
                &server.tls_url().unwrap(),
                "--tls-ca",
            ])
            .arg(ca)
            .env("REDISCLI_AUTH", password)
            .output()
            .unwrap()
    };
    let ok = analyze(&certs.ca, PASSWORD);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert!(report.is_object(), "{report}");
    let wrong = analyze(&certs.ca, "not-the-password");
    let err = String::from_utf8_lossy(&wrong.stderr);
    assert!(
        !wrong.status.success() && err.contains("authentication failed"),
        "{err}"
    );
    assert!(!err.contains("not-the-password"), "{err}");
    let missing = analyze(&dir.path().join("nope.crt"), PASSWORD);
    let err = String::from_utf8_lossy(&missing.stderr);
    assert!(
        err.contains("--tls-ca") && err.contains("nope.crt"),
        "{err}"
    );
}

/// A key-space snapshot over TLS: the same handshake and payload inside the TLS session, the
/// instance's CA trusted; the same keys as over the plain port; an untrusted server refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_space_snapshot_streams_over_tls() {
    use dcs_analyzer::keyspace::KeyspaceOptions;
    let (t, mut c) = tls_server(&["--repl-diskless-sync-delay", "0"]).await;
    for i in 0..50 {
        run(&mut c, redis::cmd("SET").arg(format!("tls:{i}")).arg(i)).await;
    }
    run(&mut c, redis::cmd("RPUSH").arg("list").arg(&["a", "b"])).await;
    let (tls, opts, plain) = (t.url.clone(), t.opts.clone(), t.plain.clone());
    let snapshot = |url: String, opts: ScanOptions| async move {
        dcs_analyzer::snapshot::analyze(
            &Target::Standalone(url),
            &opts,
            KeyspaceOptions::default(),
            &Control::default(),
        )
        .await
    };
    let over_tls = snapshot(tls.clone(), opts).await.unwrap();
    let over_plain = snapshot(plain, ScanOptions::default()).await.unwrap();
    assert_eq!(over_tls.total_num, 51);
    assert_eq!(
        (over_tls.total_bytes, &over_tls.type_num),
        (over_plain.total_bytes, &over_plain.type_num)
    );
    let e = snapshot(tls, ScanOptions::default())
        .await
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("127.0.0.1") && !e.contains(PASSWORD),
        "untrusted: {e}"
    );
}

/// Expired keys over TLS: the sweep's own connection (`raw_conn.rs`) speaks TLS with the
/// instance's CA and the password, twice over the same server.
#[tokio::test]
async fn expired_keys_are_reclaimed_over_tls() {
    let (t, mut c) = tls_server(&["--enable-debug-command", "yes"]).await;
    run(&mut c, redis::cmd("DEBUG").arg("SET-ACTIVE-EXPIRE").arg(0)).await;
    let (tls, opts) = (t.url.clone(), t.opts.clone());
    for url in [tls.clone(), tls.clone()] {
        for i in 0..25 {
            run(
                &mut c,
                redis::cmd("SET")
                    .arg(format!("ttl:{i}"))
                    .arg("v")
                    .arg("PX")
                    .arg(1),
            )
            .await;
        }
        run(&mut c, redis::cmd("SET").arg("keep").arg("v")).await;
        wait_server_clock_past(&mut c, 5).await;
        let report = dcs_analyzer::expired::analyze(
            &Target::Standalone(url.clone()),
            &opts,
            &Control::default(),
        )
        .await
        .unwrap_or_else(|e| panic!("{url}: {e}"));
        assert_eq!((report.num, report.scanned_keys), (25, 1), "{url}");
    }
    // Not trusting the server's CA fails, and so does not verifying it at all: each names the
    // server and never the password.
    for (url, opts) in [
        (tls.clone(), ScanOptions::default()),
        (format!("{tls}/#insecure"), opts),
    ] {
        let e =
            dcs_analyzer::expired::analyze(&Target::Standalone(url), &opts, &Control::default())
                .await
                .unwrap_err()
                .to_string();
        assert!(e.contains("127.0.0.1") && !e.contains(PASSWORD), "{e}");
    }
}
