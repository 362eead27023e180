//! What to do about a big key. What counts as big or hot is the instance's
//! (`dcs_api::task::KeyThresholds`, in the proxy's configuration; DCS's defaults otherwise),
//! carried by each task.

use dcs_api::KeyType;

/// What to do about a big key of this type, in a line.
pub fn advice(t: KeyType) -> &'static str {
    match t {
        KeyType::String => "Split or compress the value; delete with UNLINK, not DEL.",
        KeyType::List => "Split into several lists; read with LRANGE in pages; delete with UNLINK.",
        KeyType::Hash => {
            "Split into several hashes; read with HSCAN, not HGETALL; delete with UNLINK."
        }
        KeyType::Set => {
            "Split into several sets; read with SSCAN, not SMEMBERS; delete with UNLINK."
        }
        KeyType::Zset => {
            "Split by score range; read with ZSCAN or ZRANGE in pages; delete with UNLINK."
        }
        KeyType::Stream => "Trim with XTRIM MAXLEN; delete with UNLINK.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_has_advice_naming_unlink() {
        for t in KeyType::ALL {
            assert!(advice(*t).contains("UNLINK"), "{t}");
        }
    }
}
