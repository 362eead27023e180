//! A real static web server for the console: Debian's nginx (installed by `scripts/setup`), on a
//! loopback port of its own — so the console's origin differs from the proxy's, as on any
//! static host. It serves a copy of `dist/` with a `config.json` written beside `index.html`, as
//! the README's Deploy section says.
//!
//! Two server blocks: `rewrite`, the README's `deploy/nginx.conf` with only its `listen` and
//! `root` changed; and `error_document`, which answers unknown paths with `404.html` and status
//! 404, as an object-storage bucket's static website (OBS, S3) does with its error document.

use crate::{guard, wait_until, workspace_root, Guard};
use dcs_analyzer::server::free_port;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub struct StaticHost {
    /// `http://127.0.0.1:port` of the README's nginx server block.
    pub rewrite: String,
    /// `http://127.0.0.1:port` of the error-document (404.html) server block.
    pub error_document: String,
    /// The site's folder: a copy of `dist/` plus `config.json`.
    pub site: PathBuf,
    _nginx: Guard,
}

impl StaticHost {
    /// Copies `dist/` into `dir/site`, writes its `config.json` naming the proxy at `api_base`
    /// and serves it. The two origins are known before the proxy starts, for its
    /// `allowed_origins`: call [`StaticHost::ports`] first.
    pub async fn start(dir: &Path, ports: (u16, u16), api_base: &str, project: &str) -> StaticHost {
        let site = dir.join("site");
        copy_dir(&workspace_root().join("dist"), &site);
        std::fs::write(
            site.join("config.json"),
            serde_json::json!({ "api_base": api_base, "project_id": project }).to_string(),
        )
        .unwrap();
        let shipped = std::fs::read_to_string(workspace_root().join("deploy/nginx.conf")).unwrap();
        assert!(shipped.contains("listen 80;") && shipped.contains("root /srv/dcs-console;"));
        let rewrite_block = shipped
            .replace("listen 80;", &format!("listen 127.0.0.1:{};", ports.0))
            .replace(
                "root /srv/dcs-console;",
                &format!("root {};", site.display()),
            );
        let conf = dir.join("nginx.conf");
        // As root, nginx's workers would otherwise drop to a user that cannot read the site.
        let user = if is_root() { "user root root;" } else { "" };
        std::fs::write(
            &conf,
            format!(
                "{user}\ndaemon off;\nworker_processes 1;\npid {dir}/nginx.pid;\n\
                 error_log {dir}/error.log;\nevents {{}}\nhttp {{\n\
                 include /etc/nginx/mime.types;\naccess_log off;\n\
                 client_body_temp_path {dir}/tmp;\n{rewrite_block}\n\
                 server {{\nlisten 127.0.0.1:{};\nroot {};\nerror_page 404 /404.html;\n}}\n}}\n",
                ports.1,
                site.display(),
                dir = dir.display(),
            ),
        )
        .unwrap();
        let child = Command::new(nginx())
            .arg("-p")
            .arg(dir)
            .arg("-e")
            .arg(dir.join("error.log"))
            .arg("-c")
            .arg(&conf)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("nginx (scripts/setup installs nginx-light)");
        let nginx = guard(child);
        let host = StaticHost {
            rewrite: format!("http://127.0.0.1:{}", ports.0),
            error_document: format!("http://127.0.0.1:{}", ports.1),
            site,
            _nginx: nginx,
        };
        let client = reqwest::Client::new();
        for origin in [&host.rewrite, &host.error_document] {
            let up = wait_until(async || {
                client
                    .get(format!("{origin}/index.html"))
                    .send()
                    .await
                    .ok()
                    .filter(|r| r.status().is_success())
            })
            .await;
            assert!(up.is_some(), "nginx did not answer at {origin}");
        }
        host
    }

    /// Two free ports for [`StaticHost::start`].
    pub fn ports() -> (u16, u16) {
        (free_port().unwrap(), free_port().unwrap())
    }
}

fn nginx() -> &'static str {
    if Path::new("/usr/sbin/nginx").exists() {
        "/usr/sbin/nginx"
    } else {
        "nginx"
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
