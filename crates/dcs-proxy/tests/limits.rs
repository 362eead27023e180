//! Slow or greedy clients cannot exhaust the proxy: the real server loop on a real socket, with
//! 200 connections that each send half a request header.

mod common;

use common::{Fixture, PROJECT, TOKEN};
use dcs_proxy::server::Limits;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Longest any condition here may take (the limits under test are 1 s).
const DEADLINE: Duration = Duration::from_secs(20);

/// Everything the server sends until it closes the connection, or `None` if it is still open
/// at the deadline.
async fn until_closed(mut s: TcpStream) -> Option<String> {
    let mut got = Vec::new();
    tokio::time::timeout(DEADLINE, s.read_to_end(&mut got))
        .await
        .ok()
        .map(|_| String::from_utf8_lossy(&got).into_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_open_connections_are_refused_or_dropped_never_held() {
    let mut f = Fixture::new();
    f.state.limits = Limits {
        max_connections: 20,
        header_timeout: Duration::from_secs(1),
        body_timeout: Duration::from_secs(1),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(dcs_proxy::serve(
        listener,
        f.state.clone(),
        std::future::pending(),
    ));

    let mut held = Vec::new();
    for _ in 0..200 {
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(b"GET /config.json HTTP/1.1\r\nHost: x\r\n")
            .await
            .unwrap();
        held.push(s);
    }
    let ends = futures::future::join_all(held.into_iter().map(until_closed)).await;
    let still_open = ends.iter().filter(|e| e.is_none()).count();
    assert_eq!(still_open, 0, "connections held past {DEADLINE:?}");
    let refused = ends
        .iter()
        .flatten()
        .filter(|e| e.starts_with("HTTP/1.1 503") && e.contains("maximum of 20 connections"))
        .count();
    assert!(refused >= 180, "{refused} answered 503 at once");

    // Served again at once, and an idle keep-alive connection is closed after its answer.
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(b"GET /config.json HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = vec![0; 4096];
    let n = tokio::time::timeout(DEADLINE, s.read(&mut buf))
        .await
        .unwrap()
        .unwrap();
    let answer = String::from_utf8_lossy(&buf[..n]).to_string();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let idle = until_closed(s).await;
    assert!(idle.is_some(), "an idle keep-alive connection stayed open");

    // A body that never arrives in full is cut off too.
    let mut s = TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "PUT /v2/{PROJECT}/instances/lfu/hotkey/autoscan HTTP/1.1\r\nHost: x\r\n\
         X-Auth-Token: {TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"enable"
    );
    s.write_all(head.as_bytes()).await.unwrap();
    let slow_body = until_closed(s).await;
    assert!(
        slow_body.is_some(),
        "a connection with a stalled body stayed open"
    );
    let answer = slow_body.unwrap();
    assert!(
        answer.is_empty() || !answer.starts_with("HTTP/1.1 200"),
        "{answer}"
    );
}
