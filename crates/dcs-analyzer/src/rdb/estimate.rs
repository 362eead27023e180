//! What a key costs in a 64-bit Redis with jemalloc, estimated from its encoded form — the same
//! reckoning as `MEMORY USAGE`, from the snapshot instead of the server: the allocator's size
//! classes, the main dictionary's entry and bucket, the key's `sds` and `robj`, the expiry entry,
//! and per encoding its nodes, entries and buckets. It is an estimate: allocator fragmentation
//! and the main dictionary's spare buckets are not the key's, and encodings a server would
//! convert on load (a long listpack into a hash table) are counted as written.

/// jemalloc's size class for an allocation of `n` bytes.
pub fn jemalloc(n: u64) -> u64 {
    if n <= 8 {
        return 8;
    }
    // Four classes per doubling above 64 bytes, 16-byte steps below.
    if n <= 128 {
        return n.div_ceil(16) * 16;
    }
    let power = 64 - (n - 1).leading_zeros(); // 2^power >= n
    let step = 1u64 << (power - 3);
    n.div_ceil(step) * step
}

/// An `sds` string of `len` bytes: header, bytes and terminator.
pub fn sds(len: u64) -> u64 {
    let header = match len {
        0..=255 => 3,
        256..=65535 => 5,
        _ => 9,
    };
    jemalloc(header + len + 1)
}

const ROBJ: u64 = 16;
const DICT_ENTRY: u64 = 32; // 24 bytes, in jemalloc's 32-byte class
const BUCKET: u64 = 8;
const DICT: u64 = 96; // the dict and its two tables' headers

/// The key's share of the main dictionary (entry, bucket, name) and of the expiry one.
pub fn key_bytes(name_len: u64, expires: bool) -> u64 {
    let main = DICT_ENTRY + BUCKET + sds(name_len);
    if expires {
        main + DICT_ENTRY + BUCKET
    } else {
        main
    }
}

/// A string value (embedded with its object up to 44 bytes).
pub fn string(len: u64) -> u64 {
    if len <= 44 {
        jemalloc(ROBJ + 3 + len + 1)
    } else {
        ROBJ + sds(len)
    }
}

/// A value stored as one blob (listpack, ziplist, intset, zipmap).
pub fn blob(len: usize) -> u64 {
    ROBJ + jemalloc(len as u64)
}

/// One allocation of `len` bytes inside a value (a quicklist or stream node).
pub fn alloc(len: usize) -> u64 {
    jemalloc(len as u64)
}

fn buckets(n: u64) -> u64 {
    n.max(4).next_power_of_two() * BUCKET
}

/// A hash table of `n` entries whose strings take `strings` bytes.
pub fn hashtable(n: u64, strings: u64) -> u64 {
    ROBJ + DICT + buckets(n) + n * DICT_ENTRY + strings
}

/// A skip-list sorted set: its dictionary and its nodes (about 1.33 levels each).
pub fn skiplist(n: u64, members: u64) -> u64 {
    hashtable(n, members) + 32 + n * jemalloc(32 + 16 * 4 / 3)
}

/// A quicklist of `nodes` nodes whose contents take `contents` bytes.
pub fn quicklist(nodes: u64, contents: u64) -> u64 {
    ROBJ + 40 + nodes * 32 + contents
}

/// A linked list as old snapshots hold it, which Redis loads into a quicklist.
pub fn list_nodes(n: u64, strings: u64) -> u64 {
    quicklist(n.div_ceil(128), strings)
}

/// One listpack node of a stream: Redis allocates a new node's listpack at 4 KB up front
/// (`stream-node-max-bytes`), so a node holds at least that.
pub fn stream_node(len: usize) -> u64 {
    jemalloc(len.max(4096) as u64)
}

/// A stream: its radix tree of `nodes` listpacks (`contents` bytes).
pub fn stream(nodes: u64, contents: u64) -> u64 {
    ROBJ + 64 + nodes * 48 + contents
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_classes() {
        assert_eq!(
            [1, 8, 9, 24, 100, 129, 160, 161, 1000, 5000].map(jemalloc),
            [8, 8, 16, 32, 112, 160, 160, 192, 1024, 5120]
        );
    }

    #[test]
    fn strings_embed_up_to_44_bytes() {
        assert_eq!(string(44), 64);
        assert_eq!(string(45), ROBJ + 64);
        assert!(string(1000) > 1000 && string(1000) < 1100);
        assert_eq!(sds(300), jemalloc(306));
    }

    #[test]
    fn collections_grow_with_their_contents() {
        assert!(hashtable(1000, 20_000) > hashtable(10, 200));
        assert!(skiplist(100, 1000) > hashtable(100, 1000));
        assert!(key_bytes(10, true) > key_bytes(10, false));
    }
}
