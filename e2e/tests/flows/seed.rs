//! Test data, written straight into Redis.

use redis::aio::MultiplexedConnection;

/// `cold` plain keys, then each `(key, hits)` set and read `hits` times. The servers run with
/// `lfu-log-factor 0`, so every read raises the LFU counter by exactly one.
pub async fn hot_keys(c: &mut MultiplexedConnection, cold: usize, hot: &[(&str, usize)]) {
    let mut pipe = redis::pipe();
    for i in 0..cold {
        pipe.cmd("SET").arg(format!("cold:{i}")).arg("v").ignore();
    }
    for (key, hits) in hot {
        pipe.cmd("SET").arg(*key).arg("v").ignore();
        for _ in 0..*hits {
            pipe.cmd("GET").arg(*key).ignore();
        }
    }
    let _: () = pipe.query_async(c).await.unwrap();
}

/// Many small keys, so that an analysis takes a while.
pub async fn bulk(c: &mut MultiplexedConnection, n: usize) {
    for chunk in 0..n.div_ceil(10_000) {
        let mut pipe = redis::pipe();
        for i in 0..10_000.min(n - chunk * 10_000) {
            let set = pipe.cmd("SET").arg(format!("bulk:{chunk}:{i}")).arg("v");
            // Half expire in a day, as a cache's keys do: an expired-key scan has them to read
            // (it skips a database whose keys have no expiry).
            if i % 2 == 1 {
                set.arg("EX").arg(86_400);
            }
            set.ignore();
        }
        let _: () = pipe.query_async(c).await.unwrap();
    }
}

/// A key name that the cluster node at `url` owns (the node refuses the others with MOVED).
pub async fn key_on_node(url: &str, prefix: &str) -> String {
    let mut c = redis::Client::open(url)
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    for i in 0.. {
        let key = format!("{prefix}:{i}");
        if redis::cmd("SET")
            .arg(&key)
            .arg("v")
            .query_async::<()>(&mut c)
            .await
            .is_ok()
        {
            return key;
        }
    }
    unreachable!()
}
