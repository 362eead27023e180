//! Counting the elements of the compact encodings Redis stores as one blob: listpack, ziplist,
//! intset and the old zipmap. Only headers are trusted when they hold the count; otherwise the
//! entries are walked, every step bounds-checked, so a corrupt blob is an error and never a panic.

/// Elements of a listpack (`total_bytes:u32 num:u16 entries… 0xFF`).
pub fn listpack_len(lp: &[u8]) -> Option<u64> {
    let num = u16::from_le_bytes(lp.get(4..6)?.try_into().ok()?);
    if num != u16::MAX {
        return Some(num as u64);
    }
    let mut i = 6;
    let mut n = 0;
    loop {
        let b = *lp.get(i)?;
        if b == 0xff {
            return Some(n);
        }
        let entry = match b {
            0x00..=0x7f => 1,
            0x80..=0xbf => 1 + (b & 0x3f) as usize,
            0xc0..=0xdf => 2,
            0xe0..=0xef => 2 + ((((b & 0x0f) as usize) << 8) | *lp.get(i + 1)? as usize),
            0xf0 => 5 + u32::from_le_bytes(lp.get(i + 1..i + 5)?.try_into().ok()?) as usize,
            0xf1 => 3,
            0xf2 => 4,
            0xf3 => 5,
            0xf4 => 9,
            _ => return None,
        };
        let backlen = match entry {
            0..=127 => 1,
            128..=16382 => 2,
            16383..=2097150 => 3,
            2097151..=268435454 => 4,
            _ => 5,
        };
        i = i.checked_add(entry + backlen)?;
        n += 1;
    }
}

/// Elements of a ziplist (`zlbytes:u32 zltail:u32 zllen:u16 entries… 0xFF`).
pub fn ziplist_len(zl: &[u8]) -> Option<u64> {
    let num = u16::from_le_bytes(zl.get(8..10)?.try_into().ok()?);
    if num != u16::MAX {
        return Some(num as u64);
    }
    let mut i = 10;
    let mut n = 0;
    loop {
        let b = *zl.get(i)?;
        if b == 0xff {
            return Some(n);
        }
        i += if b < 254 { 1 } else { 5 }; // prevlen
        let enc = *zl.get(i)?;
        let (header, data) = match enc >> 6 {
            0 => (1, (enc & 0x3f) as usize),
            1 => (2, (((enc & 0x3f) as usize) << 8) | *zl.get(i + 1)? as usize),
            2 => (
                5,
                u32::from_be_bytes(zl.get(i + 1..i + 5)?.try_into().ok()?) as usize,
            ),
            _ => match enc {
                0xc0 => (1, 2),
                0xd0 => (1, 4),
                0xe0 => (1, 8),
                0xf0 => (1, 3),
                0xfe => (1, 1),
                0xf1..=0xfd => (1, 0),
                _ => return None,
            },
        };
        i = i.checked_add(header + data)?;
        n += 1;
    }
}

/// Members of an intset (`encoding:u32 length:u32 contents`).
pub fn intset_len(is: &[u8]) -> Option<u64> {
    Some(u32::from_le_bytes(is.get(4..8)?.try_into().ok()?) as u64)
}

/// Field/value pairs of a zipmap (Redis < 2.6 hashes).
pub fn zipmap_len(zm: &[u8]) -> Option<u64> {
    let mut i = 1;
    let mut n = 0;
    let len_at = |i: usize| -> Option<(usize, usize)> {
        let b = *zm.get(i)?;
        match b {
            0..=253 => Some((b as usize, 1)),
            254 => Some((
                u32::from_le_bytes(zm.get(i + 1..i + 5)?.try_into().ok()?) as usize,
                5,
            )),
            _ => None,
        }
    };
    loop {
        if *zm.get(i)? == 0xff {
            return Some(n);
        }
        let (klen, kh) = len_at(i)?;
        i = i.checked_add(kh + klen)?;
        let (vlen, vh) = len_at(i)?;
        let free = *zm.get(i + vh)? as usize;
        i = i.checked_add(vh + 1 + vlen + free)?;
        n += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listpacks_by_header_and_by_walking() {
        // Two entries: the 7-bit int 5 and the string "ab"; each followed by its backlen.
        let mut lp = vec![0, 0, 0, 0, 2, 0, 0x05, 0x01, 0x82, b'a', b'b', 0x03, 0xff];
        assert_eq!(listpack_len(&lp), Some(2));
        lp[4] = 0xff;
        lp[5] = 0xff;
        assert_eq!(listpack_len(&lp), Some(2), "walked");
        lp.truncate(9);
        assert_eq!(listpack_len(&lp), None, "truncated: no answer, no panic");
    }

    #[test]
    fn ziplists_by_header_and_by_walking() {
        // Entries: "ab" (prevlen 0) and the 4-bit immediate 3 (prevlen 4).
        let mut zl = vec![
            0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0x00, 0x02, b'a', b'b', 0x04, 0xf4, 0xff,
        ];
        assert_eq!(ziplist_len(&zl), Some(2));
        zl[8] = 0xff;
        zl[9] = 0xff;
        assert_eq!(ziplist_len(&zl), Some(2), "walked");
        assert_eq!(ziplist_len(&zl[..12]), None);
    }

    #[test]
    fn intsets_and_zipmaps() {
        assert_eq!(
            intset_len(&[2, 0, 0, 0, 3, 0, 0, 0, 1, 0, 2, 0, 3, 0]),
            Some(3)
        );
        // One pair: "k" → "vv" with 1 free byte.
        let zm = [1, 1, b'k', 2, 1, b'v', b'v', 0, 0xff];
        assert_eq!(zipmap_len(&zm), Some(1));
        assert_eq!(zipmap_len(&zm[..5]), None);
    }
}
