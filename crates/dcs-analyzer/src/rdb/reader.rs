//! The bytes of an RDB stream: lengths, strings (plain, integer-encoded, LZF-compressed) and
//! blobs, read forward only and counted, so every error names its offset. Values are skipped
//! rather than held wherever only their size matters: memory stays bounded by the largest
//! encoded collection node, never by the dataset or the largest string.

use std::io::Read;

/// Largest encoded blob (a listpack, ziplist or intset) read into memory to count its elements.
/// Redis writes nodes of a few KB (`*-max-listpack-*`); anything above this is refused as corrupt
/// rather than allocated.
pub const MAX_BLOB: u64 = 64 * 1024 * 1024;

/// Why a snapshot cannot be read, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RdbError {
    pub offset: u64,
    pub detail: String,
}

pub type RdbResult<T> = Result<T, RdbError>;

/// A length, or the special encodings that share its first byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Len {
    Plain(u64),
    /// An integer stored in 1, 2 or 4 bytes instead of a string.
    Int(u8),
    /// An LZF-compressed string follows.
    Lzf,
}

pub struct Reader<R> {
    inner: R,
    offset: u64,
    scratch: Vec<u8>,
}

impl<R: Read> Reader<R> {
    pub fn new(inner: R) -> Reader<R> {
        Reader {
            inner,
            offset: 0,
            scratch: vec![0; 64 * 1024],
        }
    }

    /// Bytes read so far.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    pub fn error(&self, detail: impl Into<String>) -> RdbError {
        RdbError {
            offset: self.offset,
            detail: detail.into(),
        }
    }

    /// Fills `buf` exactly, or fails naming the offset (a truncated stream ends here).
    pub fn fill(&mut self, buf: &mut [u8]) -> RdbResult<()> {
        let mut done = 0;
        while done < buf.len() {
            match self.inner.read(&mut buf[done..]) {
                Ok(0) => return Err(self.error("the snapshot ends early (truncated)")),
                Ok(n) => {
                    done += n;
                    self.offset += n as u64;
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(self.error(format!("reading the snapshot: {e}"))),
            }
        }
        Ok(())
    }

    pub fn byte(&mut self) -> RdbResult<u8> {
        let mut b = [0u8; 1];
        self.fill(&mut b)?;
        Ok(b[0])
    }

    pub fn array<const N: usize>(&mut self) -> RdbResult<[u8; N]> {
        let mut b = [0u8; N];
        self.fill(&mut b)?;
        Ok(b)
    }

    /// Reads and drops `n` bytes.
    pub fn skip(&mut self, mut n: u64) -> RdbResult<()> {
        let mut scratch = std::mem::take(&mut self.scratch);
        let result = (|| {
            while n > 0 {
                let step = n.min(scratch.len() as u64) as usize;
                self.fill(&mut scratch[..step])?;
                n -= step as u64;
            }
            Ok(())
        })();
        self.scratch = scratch;
        result
    }

    pub fn len_or_special(&mut self) -> RdbResult<Len> {
        let first = self.byte()?;
        Ok(match first >> 6 {
            0 => Len::Plain((first & 0x3f) as u64),
            1 => Len::Plain((((first & 0x3f) as u64) << 8) | self.byte()? as u64),
            2 => match first {
                0x80 => Len::Plain(u32::from_be_bytes(self.array()?) as u64),
                0x81 => Len::Plain(u64::from_be_bytes(self.array()?)),
                _ => return Err(self.error(format!("unknown length encoding {first:#04x}"))),
            },
            _ => match first & 0x3f {
                0..=2 => Len::Int(first & 0x3f),
                3 => Len::Lzf,
                other => return Err(self.error(format!("unknown string encoding {other}"))),
            },
        })
    }

    /// A plain length (a count, a database number…).
    pub fn length(&mut self) -> RdbResult<u64> {
        match self.len_or_special()? {
            Len::Plain(n) => Ok(n),
            other => Err(self.error(format!("a length was expected, found {other:?}"))),
        }
    }

    /// An integer stored in 1, 2 or 4 bytes (`Len::Int(k)`) instead of a string.
    fn int(&mut self, k: u8) -> RdbResult<i64> {
        Ok(match k {
            0 => self.byte()? as i8 as i64,
            1 => i16::from_le_bytes(self.array()?) as i64,
            _ => i32::from_le_bytes(self.array()?) as i64,
        })
    }

    /// Skips a string; returns its length once decoded (an integer-encoded one counts its
    /// digits' bytes as 8, the size Redis keeps it in).
    pub fn skip_string(&mut self) -> RdbResult<u64> {
        match self.len_or_special()? {
            Len::Plain(n) => {
                self.skip(n)?;
                Ok(n)
            }
            Len::Int(k) => {
                self.skip(1 << k)?;
                Ok(8)
            }
            Len::Lzf => {
                let (compressed, len) = (self.length()?, self.length()?);
                self.skip(compressed)?;
                Ok(len)
            }
        }
    }

    /// Skips a string; returns its length as text (an integer's digits, what `STRLEN` says)
    /// and the length [`Self::skip_string`] gives.
    pub fn skip_string_measured(&mut self) -> RdbResult<(u64, u64)> {
        match self.len_or_special()? {
            Len::Int(k) => {
                let v = self.int(k)?;
                Ok((v.to_string().len() as u64, 8))
            }
            Len::Plain(n) => {
                self.skip(n)?;
                Ok((n, n))
            }
            Len::Lzf => {
                let (compressed, len) = (self.length()?, self.length()?);
                self.skip(compressed)?;
                Ok((len, len))
            }
        }
    }

    /// Reads a string whole (decompressed), refusing one longer than `max`.
    pub fn string(&mut self, max: u64) -> RdbResult<Vec<u8>> {
        let too_long =
            |r: &Self, n: u64| r.error(format!("a value of {n} bytes is longer than {max}"));
        match self.len_or_special()? {
            Len::Plain(n) => {
                if n > max {
                    return Err(too_long(self, n));
                }
                let mut v = vec![0; n as usize];
                self.fill(&mut v)?;
                Ok(v)
            }
            Len::Int(k) => {
                let v = self.int(k)?;
                Ok(v.to_string().into_bytes())
            }
            Len::Lzf => {
                let (compressed, len) = (self.length()?, self.length()?);
                if len > max || compressed > max {
                    return Err(too_long(self, len.max(compressed)));
                }
                let mut input = vec![0; compressed as usize];
                self.fill(&mut input)?;
                lzf_decompress(&input, len as usize).ok_or_else(|| self.error("corrupt LZF data"))
            }
        }
    }

    /// A key name: at most `keep` bytes of it kept, and its full length.
    pub fn name(&mut self, keep: usize) -> RdbResult<(Vec<u8>, u64)> {
        match self.len_or_special()? {
            Len::Plain(n) => {
                let kept = n.min(keep as u64) as usize;
                let mut v = vec![0; kept];
                self.fill(&mut v)?;
                self.skip(n - kept as u64)?;
                Ok((v, n))
            }
            // Integer-encoded and compressed names are short or rare: read whole (bounded).
            Len::Int(k) => {
                let v = self.int(k)?;
                let v = v.to_string().into_bytes();
                let n = v.len() as u64;
                Ok((v, n))
            }
            Len::Lzf => {
                let (compressed, len) = (self.length()?, self.length()?);
                if compressed > MAX_BLOB || len > MAX_BLOB {
                    return Err(self.error(format!("a key name of {len} bytes")));
                }
                let mut input = vec![0; compressed as usize];
                self.fill(&mut input)?;
                let mut v = lzf_decompress(&input, len as usize)
                    .ok_or_else(|| self.error("corrupt LZF data"))?;
                v.truncate(keep);
                Ok((v, len))
            }
        }
    }

    /// An encoded collection node (listpack, ziplist, intset, zipmap), whole.
    pub fn blob(&mut self) -> RdbResult<Vec<u8>> {
        self.string(MAX_BLOB)
    }
}

/// LZF as Redis writes it (`lzf_d.c`): literal runs and back references.
pub fn lzf_decompress(input: &[u8], len: usize) -> Option<Vec<u8>> {
    let mut out: Vec<u8> = Vec::with_capacity(len);
    let mut i = 0;
    while i < input.len() {
        let ctrl = input[i] as usize;
        i += 1;
        if ctrl < 32 {
            let run = ctrl + 1;
            out.extend_from_slice(input.get(i..i + run)?);
            i += run;
        } else {
            let mut run = ctrl >> 5;
            if run == 7 {
                run += *input.get(i)? as usize;
                i += 1;
            }
            let back = ((ctrl & 0x1f) << 8) + *input.get(i)? as usize + 1;
            i += 1;
            let start = out.len().checked_sub(back)?;
            for k in 0..run + 2 {
                let b = out[start + k];
                out.push(b);
            }
        }
        if out.len() > len {
            return None;
        }
    }
    (out.len() == len).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reader(bytes: &[u8]) -> Reader<&[u8]> {
        Reader::new(bytes)
    }

    #[test]
    fn lengths_in_every_width() {
        assert_eq!(reader(&[0x05]).length().unwrap(), 5);
        assert_eq!(reader(&[0x41, 0x02]).length().unwrap(), 0x102);
        assert_eq!(reader(&[0x80, 0, 1, 0, 0]).length().unwrap(), 65536);
        assert_eq!(
            reader(&[0x81, 0, 0, 0, 1, 0, 0, 0, 0]).length().unwrap(),
            1 << 32
        );
        assert_eq!(reader(&[0xc0]).len_or_special().unwrap(), Len::Int(0));
        assert_eq!(reader(&[0xc3]).len_or_special().unwrap(), Len::Lzf);
    }

    #[test]
    fn strings_plain_integer_and_compressed() {
        assert_eq!(reader(b"\x03abc").string(10).unwrap(), b"abc");
        assert_eq!(reader(&[0xc0, 0xfb]).string(10).unwrap(), b"-5");
        assert_eq!(reader(&[0xc1, 0x39, 0x30]).string(10).unwrap(), b"12345");
        // "aaaaaaaaaa": one literal 'a', then a back reference of length 9 at distance 1.
        let lzf = [0xc3, 0x05, 0x0a, 0x00, b'a', 0xe0, 0x00, 0x00];
        assert_eq!(reader(&lzf).string(100).unwrap(), b"aaaaaaaaaa");
        assert!(reader(b"\x05abc").string(10).is_err(), "truncated");
        let e = reader(b"\x05abc").string(10).unwrap_err();
        assert_eq!(e.offset, 4, "{e:?}");
        assert!(reader(b"\x05abcde").string(3).is_err(), "over the limit");
    }

    #[test]
    fn names_keep_a_prefix_and_their_length() {
        let mut r = reader(b"\x06abcdefX");
        assert_eq!(r.name(4).unwrap(), (b"abcd".to_vec(), 6));
        assert_eq!(r.byte().unwrap(), b'X', "the rest was skipped");
    }
}
