//! `make bench`: 1,000,000 keys of mixed types in a fresh `allkeys-lfu` server with a known hot
//! set; then, on the same data in the same run, `redis-cli --hotkeys` and `dcs-analyze hotkeys`
//! several times each. Prints both medians, their ratio, whether both found the same top keys,
//! and keys/s of `dcs-analyze expired` (COUNT 1000) and `dcs-analyze bigkeys`; hot keys also as
//! a user the server refuses scripts (fast mode's pipelined way), and the server's own time; big
//! keys both ways too. The server keeps Redis's default `repl-diskless-sync-delay` of 5 s and
//! save points, so fast mode asks for its snapshot written to the server's disk first (a
//! diskless one would wait longer than the scan takes; `source.rs`), and each analysis is also
//! timed online (`--source online`); then once more on the same data with the delay at 0, where
//! fast mode streams the snapshot from the fork.
//!
//! `BENCH_KEYS` and `BENCH_RUNS` override the size (for a quick look).

mod common;

use common::{
    command_seconds, hot_freq, median, redis_cli_ok, reset_stats, save_now, seed, timed, HOT,
    REDIS_DEFAULTS,
};
use dcs_analyzer::server::RedisProcess;
use std::process::Command;
use std::time::Instant;

fn main() {
    let keys: usize = std::env::var("BENCH_KEYS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    // lfu-log-factor 0 makes each access add exactly 1, so the hot set's order is known.
    let mut args = dcs_analyzer::server::DETERMINISTIC_LFU.to_vec();
    args.extend(REDIS_DEFAULTS);
    let server = RedisProcess::start(&args).expect("redis-server");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let seeded = Instant::now();
    rt.block_on(seed(&server.url(), keys));
    save_now(&server.port.to_string());
    println!(
        "seeded {keys} keys ({HOT} hot) in {:.1} s",
        seeded.elapsed().as_secs_f64()
    );

    let bin = env!("CARGO_BIN_EXE_dcs-analyze");
    let port = server.port.to_string();
    let url = server.url();
    // The same analyses where the server refuses scripts (fast mode then pipelines per-key
    // commands): what the script per batch saves.
    let refused = Command::new("redis-cli")
        .args([
            "-p", &port, "ACL", "SETUSER", "noscript", "on", ">pw", "~*", "+@all",
        ])
        .args(["-eval", "-evalsha"])
        .output()
        .expect("redis-cli");
    assert!(refused.status.success());
    let pipelined_url = format!("redis://noscript:pw@127.0.0.1:{port}");
    let mut cli_times = Vec::new();
    let mut our_times = Vec::new();
    let mut pipelined_times = Vec::new();
    let mut online_times = Vec::new();
    let (mut cli_top, mut our_top) = (Vec::new(), Vec::new());
    let top = HOT.to_string();
    let hot_fast = ["hotkeys", "--url", &url, "--top", &top, "--fast", "--json"];
    for run in 0..runs {
        let (t, out) = timed(Command::new("redis-cli").args(["-p", &port, "--hotkeys"]));
        cli_times.push(t);
        // Fast mode: the speed comparison; the default (gentle) mode's cost is `impact`'s.
        let (t2, out2) = timed(Command::new(bin).args(hot_fast));
        our_times.push(t2);
        if run == 0 {
            println!("dcs-analyze hotkeys --fast read {}", read_from(&out2));
        }
        let online = [&hot_fast[..], &["--source", "online"]].concat();
        online_times.push(timed(Command::new(bin).args(online)).0);
        let pipelined = [
            "hotkeys",
            "--url",
            &pipelined_url,
            "--fast",
            "--source",
            "online",
        ];
        pipelined_times.push(timed(Command::new(bin).args(pipelined)).0);
        // Compare the first run's findings: on Redis < 7.2 reading a winner's size counts as an
        // access, so later runs see counters one higher (same order).
        if run == 0 {
            cli_top = parse_redis_cli(&out);
            our_top = parse_ours(&out2);
        }
    }
    let (cli, ours) = (median(&mut cli_times), median(&mut our_times));
    let pipelined = median(&mut pipelined_times);
    let online = median(&mut online_times);
    println!(
        "redis-cli --hotkeys   median {:>8.3} s  ({:>9.0} keys/s)",
        cli.as_secs_f64(),
        keys as f64 / cli.as_secs_f64()
    );
    println!(
        "dcs-analyze hotkeys --fast median {:>8.3} s  ({:>9.0} keys/s)",
        ours.as_secs_f64(),
        keys as f64 / ours.as_secs_f64()
    );
    println!(
        "ratio ours / redis-cli: {:.3}  (target <= 0.10; {:.1}x faster)",
        ours.as_secs_f64() / cli.as_secs_f64(),
        cli.as_secs_f64() / ours.as_secs_f64()
    );
    println!(
        "dcs-analyze hotkeys --fast --source online (a script per batch) median {:.3} s: ratio {:.3}",
        online.as_secs_f64(),
        online.as_secs_f64() / cli.as_secs_f64()
    );
    println!(
        "dcs-analyze hotkeys --fast --source online, scripts refused (pipelined) median {:.3} s: ratio {:.3}; the script per batch takes {:.2} of its time",
        pipelined.as_secs_f64(),
        pipelined.as_secs_f64() / cli.as_secs_f64(),
        online.as_secs_f64() / pipelined.as_secs_f64()
    );
    // What limits fast mode: the server's own time running the commands, once more each way.
    let floor = |url: &str, scripted: bool| {
        reset_stats(&port);
        timed(Command::new(bin).args(["hotkeys", "--url", url, "--fast", "--source", "online"]));
        command_seconds(&port, scripted)
    };
    let scripted_floor = floor(&url, true);
    let pipelined_floor = floor(&pipelined_url, false);
    println!(
        "server time running the commands (INFO commandstats): script {scripted_floor:.3} s, pipelined {pipelined_floor:.3} s; \
         a client that cost nothing would still take {:.3} of redis-cli's time",
        scripted_floor.min(pipelined_floor) / cli.as_secs_f64()
    );
    let expected: Vec<(String, u32)> = (0..HOT)
        .map(|i| (format!("hot:{i:02}"), hot_freq(i)))
        .collect();
    println!("same top {HOT} as redis-cli: {}", cli_top == our_top);
    println!(
        "top {HOT} equals the seeded hot set: {}",
        our_top == expected
    );
    if our_top != expected {
        println!("  found:    {our_top:?}\n  expected: {expected:?}");
    }

    let mut exp = Vec::new();
    let mut big = Vec::new();
    let mut big_pipelined = Vec::new();
    let mut big_online = Vec::new();
    let mut cli_big = Vec::new();
    for _ in 0..runs.min(3) {
        let expired = [
            "expired", "--url", &url, "--count", "1000", "--fast", "--json",
        ];
        exp.push(timed(Command::new(bin).args(expired)).0);
        big.push(timed(Command::new(bin).args(["bigkeys", "--url", &url, "--fast", "--json"])).0);
        let online = ["bigkeys", "--url", &url, "--fast", "--source", "online"];
        big_online.push(timed(Command::new(bin).args(online)).0);
        let pipelined = [
            "bigkeys",
            "--url",
            &pipelined_url,
            "--fast",
            "--source",
            "online",
        ];
        big_pipelined.push(timed(Command::new(bin).args(pipelined)).0);
        cli_big.push(timed(Command::new("redis-cli").args(["-p", &port, "--bigkeys"])).0);
    }
    let (exp, big, cli_big) = (median(&mut exp), median(&mut big), median(&mut cli_big));
    let big_pipelined = median(&mut big_pipelined);
    let big_online = median(&mut big_online);
    println!(
        "dcs-analyze expired --fast (COUNT 1000) median {:.3} s ({:.0} keys/s)",
        exp.as_secs_f64(),
        keys as f64 / exp.as_secs_f64()
    );
    println!(
        "redis-cli --bigkeys median {:.3} s; dcs-analyze bigkeys --fast median {:.3} s ({:.0} keys/s): ratio {:.3}",
        cli_big.as_secs_f64(),
        big.as_secs_f64(),
        keys as f64 / big.as_secs_f64(),
        big.as_secs_f64() / cli_big.as_secs_f64()
    );
    println!(
        "dcs-analyze bigkeys --fast --source online (a script per batch) median {:.3} s: ratio {:.3}",
        big_online.as_secs_f64(),
        big_online.as_secs_f64() / cli_big.as_secs_f64()
    );
    println!(
        "dcs-analyze bigkeys --fast --source online, scripts refused (pipelined) median {:.3} s: ratio {:.3}",
        big_pipelined.as_secs_f64(),
        big_pipelined.as_secs_f64() / cli_big.as_secs_f64()
    );
    // The peer of fast mode's snapshot on disk: `redis-cli --rdb` only downloads one, which it
    // gets written to disk first where the server replicates by disk.
    let config_set = |name: &str, value: &str| redis_cli_ok(&port, &["CONFIG", "SET", name, value]);
    config_set("repl-diskless-sync", "no");
    let rdb_file = std::env::temp_dir().join(format!("dcs-bench-{}.rdb", std::process::id()));
    let rdb = ["-p", &port, "--rdb", rdb_file.to_str().unwrap()];
    let mut disk_transfer: Vec<_> = (0..runs.min(3))
        .map(|_| timed(Command::new("redis-cli").args(rdb)).0)
        .collect();
    config_set("repl-diskless-sync", "yes");
    let disk_transfer = median(&mut disk_transfer);
    println!(
        "redis-cli --rdb, the server writing it to disk first, median {:.3} s: hot keys --fast took {:.2} of it, big keys {:.2}",
        disk_transfer.as_secs_f64(),
        ours.as_secs_f64() / disk_transfer.as_secs_f64(),
        big.as_secs_f64() / disk_transfer.as_secs_f64()
    );

    // A server that starts a snapshot at once: fast mode streams it from the fork.
    let set_delay = |secs: &str| config_set("repl-diskless-sync-delay", secs);
    set_delay("0");
    let (mut hot_snap, mut big_snap, mut transfer) = (Vec::new(), Vec::new(), Vec::new());
    for run in 0..runs {
        // The peer that only downloads the same snapshot: what the server's side takes.
        transfer.push(timed(Command::new("redis-cli").args(rdb)).0);
        let (t, out) = timed(Command::new(bin).args(hot_fast));
        hot_snap.push(t);
        if run == 0 {
            // Earlier runs read the winners' sizes, which on Redis < 7.2 counts as an access:
            // the order is the seeded one, the counters may be higher.
            let names =
                |top: &[(String, u32)]| top.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
            println!(
                "delay 0: dcs-analyze hotkeys --fast read {}; top {HOT} in the seeded order: {}",
                read_from(&out),
                names(&parse_ours(&out)) == names(&expected)
            );
        }
        if run < 3 {
            let (t, out) =
                timed(Command::new(bin).args(["bigkeys", "--url", &url, "--fast", "--json"]));
            big_snap.push(t);
            if run == 0 {
                println!(
                    "delay 0: dcs-analyze bigkeys --fast read {}",
                    read_from(&out)
                );
            }
        }
    }
    set_delay("5");
    let _ = std::fs::remove_file(&rdb_file);
    let (hot_snap, big_snap) = (median(&mut hot_snap), median(&mut big_snap));
    let transfer = median(&mut transfer);
    println!(
        "delay 0: redis-cli --rdb (the snapshot's transfer alone) median {:.3} s: ratio to redis-cli --hotkeys {:.3}",
        transfer.as_secs_f64(),
        transfer.as_secs_f64() / cli.as_secs_f64()
    );
    println!(
        "delay 0: dcs-analyze hotkeys --fast median {:.3} s ({:.0} keys/s): ratio to redis-cli --hotkeys {:.3} (target <= 0.10), {:.2} of the transfer alone",
        hot_snap.as_secs_f64(),
        keys as f64 / hot_snap.as_secs_f64(),
        hot_snap.as_secs_f64() / cli.as_secs_f64(),
        hot_snap.as_secs_f64() / transfer.as_secs_f64()
    );
    println!(
        "delay 0: dcs-analyze bigkeys --fast median {:.3} s ({:.0} keys/s): ratio to redis-cli --bigkeys {:.3}",
        big_snap.as_secs_f64(),
        keys as f64 / big_snap.as_secs_f64(),
        big_snap.as_secs_f64() / cli_big.as_secs_f64()
    );
}

/// How `--json`'s `analyzed_on` says the node was read: "snapshot" or "online".
fn read_from(out: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(out).unwrap();
    v["analyzed_on"][0]["source"]
        .as_str()
        .unwrap_or("?")
        .to_string()
}

/// `hot key found with counter: 205\tkeyname: "hot:00"` lines of redis-cli's summary.
fn parse_redis_cli(out: &str) -> Vec<(String, u32)> {
    out.lines()
        .filter_map(|l| {
            let rest = l.trim().strip_prefix("hot key found with counter: ")?;
            let (n, name) = rest.split_once("keyname: ")?;
            Some((
                name.trim().trim_matches('"').to_string(),
                n.trim().parse().ok()?,
            ))
        })
        .collect()
}

fn parse_ours(out: &str) -> Vec<(String, u32)> {
    let v: serde_json::Value = serde_json::from_str(out).unwrap();
    v["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["name"].as_str().unwrap().to_string(),
                k["freq"].as_u64().unwrap() as u32,
            )
        })
        .collect()
}
