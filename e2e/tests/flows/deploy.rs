//! The README's Deploy section, step by step: the `make release` binary (console built in) copied
//! into an empty folder, the shipped systemd unit verified against it, its config checked with
//! `dcs-proxy check` (the unit's `ExecStartPre`), then served, and the console loaded from it in
//! Chromium.

use e2e::{ensure, target_dir, Context, Flow, Options, Stack, TOKEN};
use std::path::Path;
use std::process::{Command, Output};

/// `./dcs-proxy check --config FILE` in the deployed folder, as the unit's `ExecStartPre` runs it.
fn check(home: &Path, file: &str) -> Result<Output, String> {
    Command::new(home.join("dcs-proxy"))
        .current_dir(home)
        .args(["check", "--config", file])
        .output()
        .ctx(&format!("dcs-proxy check --config {file}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn release_binary_serves_its_console_from_an_empty_folder() {
    let release = target_dir().join("release/dcs-proxy");
    assert!(
        release.exists(),
        "{} is missing: run `make release` first",
        release.display()
    );
    let stack = Stack::start_with(Options {
        deployed_binary: Some(release),
        ..Options::default()
    })
    .await;
    stack
        .run(
            "release_binary_serves_its_console_from_an_empty_folder",
            async |s: &mut Stack| -> Flow {
                let home = s.config_path().parent().unwrap().to_path_buf();
                let mut files: Vec<String> = std::fs::read_dir(&home)
                    .unwrap()
                    .map(|e| e.unwrap().file_name().into_string().unwrap())
                    .collect();
                files.sort();
                ensure!(
                    files == ["dcs-proxy", "proxy.toml"],
                    "the folder holds {files:?}"
                );

                // deploy/dcs-proxy.service, with this folder standing in for its install paths.
                let unit =
                    std::fs::read_to_string(e2e::workspace_root().join("deploy/dcs-proxy.service"))
                        .unwrap()
                        .replace(
                            "/usr/local/bin/dcs-proxy",
                            &home.join("dcs-proxy").display().to_string(),
                        )
                        .replace(
                            "/etc/dcs-proxy/proxy.toml",
                            &home.join("proxy.toml").display().to_string(),
                        );
                let unit_file = s.dir.path().join("dcs-proxy.service");
                std::fs::write(&unit_file, unit).unwrap();
                let verify = Command::new("systemd-analyze")
                    .arg("verify")
                    .arg(&unit_file)
                    .output()
                    .ctx("systemd-analyze verify (scripts/setup installs systemd)")?;
                ensure!(
                    verify.status.success() && verify.stderr.is_empty(),
                    "the unit: {}",
                    String::from_utf8_lossy(&verify.stderr)
                );

                let good = check(&home, "proxy.toml")?;
                let out = String::from_utf8_lossy(&good.stdout);
                ensure!(
                    good.status.success()
                        && out.contains("proxy.toml is valid")
                        && out.contains("console: built in"),
                    "check: {:?} {out}",
                    good.status
                );
                // console_dir still overrides the built-in console.
                std::fs::create_dir(home.join("web")).unwrap();
                std::fs::write(home.join("web/index.html"), "<!doctype html>").unwrap();
                let own = std::fs::read_to_string(home.join("proxy.toml")).unwrap();
                std::fs::write(
                    home.join("own.toml"),
                    format!("console_dir = \"web\"\n{own}"),
                )
                .unwrap();
                let own = check(&home, "own.toml")?;
                let out = String::from_utf8_lossy(&own.stdout);
                ensure!(
                    own.status.success() && out.contains("console: ./web"),
                    "check with console_dir: {out}"
                );
                std::fs::write(
                    home.join("bad.toml"),
                    "project_id = \"p\"\nallowed_origins = [\"*\"]\n",
                )
                .unwrap();
                let bad = check(&home, "bad.toml")?;
                let err = String::from_utf8_lossy(&bad.stderr);
                ensure!(
                    bad.status.code() == Some(1) && err.contains("bad.toml:2: allowed_origins"),
                    "check of a bad file: {:?} {err}",
                    bad.status
                );

                // The console it serves is the one built into it: today's dist/.
                let resp = reqwest::get(format!("{}/", s.base)).await.ctx("GET /")?;
                let csp = resp
                    .headers()
                    .get("content-security-policy")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_string();
                ensure!(
                    csp.contains("'sha256-") && csp.contains("frame-ancestors 'none'"),
                    "the built-in console's policy: {csp:?}"
                );
                let index = resp.text().await.ctx("index.html")?;
                let dist =
                    std::fs::read_to_string(e2e::workspace_root().join("dist/index.html")).unwrap();
                ensure!(index == dist, "the binary serves another index.html");

                s.goto(&format!("/#token={TOKEN}")).await?;
                s.wait_count("[data-testid=instance-row]", |n| n == 3)
                    .await?;
                s.goto("/instances/lfu/bigkeys").await?;
                s.wait_count("[data-testid=start-bigkey-task]", |n| n == 1)
                    .await?;
                Ok(())
            },
        )
        .await;
}
