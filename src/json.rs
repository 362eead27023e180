//! Reading API answers: parsed once into a `serde_json::Value`, then each field the console uses
//! read by name into `dcs-api`'s types (or a page's own view of them).
//!
//! Why not serde's derives here: each response type's decoder cost the bundle 2–7 KB of wasm
//! (about 97 KB before wasm-opt for the console's 27 shapes, measured with twiggy); a reader is a
//! few lines over a few shared, non-generic field getters. (Reading the browser's `JSON.parse`
//! result field by field through `Reflect` was smaller still but 8× slower than serde on a
//! 10,000-key answer.) `dcs-api` stays the one definition of the wire: the component tests
//! (`wire_tests.rs`) serialise every shape with its serde derive and read it back here, so a
//! renamed or retyped field fails them.
//!
//! Rules, as serde's derives have them: a field the type requires must be there with the right
//! JSON type (else the answer is "malformed", naming the field); optional ones may be absent or
//! `null`; lists may be absent (empty); unknown fields are ignored.

use dcs_api::Timestamp;
use serde_json::Value;
use std::str::FromStr;

/// A read that failed: which field was missing or of the wrong type.
pub type Read<T> = Result<T, String>;

/// A type read from a JSON value.
pub trait FromJson: Sized {
    fn read(j: &Json) -> Read<Self>;
}

/// A parsed answer: one `serde_json::Value` tree (one copy of the parser in the bundle, not one
/// per response type), read through [`Json`].
pub struct Parsed(Value);

impl Parsed {
    pub fn parse(text: &str) -> Read<Parsed> {
        serde_json::from_str(text)
            .map(Parsed)
            .map_err(|e| e.to_string())
    }

    pub fn json(&self) -> Json<'_> {
        Json(&self.0)
    }
}

/// A JSON value being read.
#[derive(Clone, Copy)]
pub struct Json<'a>(&'a Value);

fn need(key: &str) -> String {
    format!("missing or wrong field `{key}`")
}

impl<'a> Json<'a> {
    /// The field `key` (null when absent or when this is no object).
    #[inline(never)]
    pub fn at(&self, key: &str) -> Json<'a> {
        Json(self.0.get(key).unwrap_or(&Value::Null))
    }

    fn absent(&self) -> bool {
        self.0.is_null()
    }

    pub fn opt_str(&self, key: &str) -> Option<String> {
        self.at(key).0.as_str().map(str::to_string)
    }

    /// A whole, non-negative number.
    pub fn opt_u64(&self, key: &str) -> Option<u64> {
        self.at(key).0.as_u64()
    }

    pub fn opt_bool(&self, key: &str) -> Option<bool> {
        self.at(key).0.as_bool()
    }

    pub fn str(&self, key: &str) -> Read<String> {
        self.opt_str(key).ok_or_else(|| need(key))
    }

    pub fn u64(&self, key: &str) -> Read<u64> {
        self.opt_u64(key).ok_or_else(|| need(key))
    }

    pub fn u32(&self, key: &str) -> Read<u32> {
        self.u64(key)?.try_into().map_err(|_| need(key))
    }

    pub fn bool(&self, key: &str) -> Read<bool> {
        self.opt_bool(key).ok_or_else(|| need(key))
    }

    /// A wire enum (`TaskStatus`, `KeyType`…), by its `FromStr`.
    pub fn parsed<T: FromStr>(&self, key: &str) -> Read<T> {
        self.str(key)?.parse().map_err(|_| need(key))
    }

    pub fn opt_time(&self, key: &str) -> Read<Option<Timestamp>> {
        match self.opt_str(key) {
            None if self.at(key).absent() => Ok(None),
            s => s
                .and_then(|s| dcs_api::time::parse_timestamp(&s))
                .map(|t| Some(Timestamp(t)))
                .ok_or_else(|| need(key)),
        }
    }

    pub fn time(&self, key: &str) -> Read<Timestamp> {
        self.opt_time(key)?.ok_or_else(|| need(key))
    }

    /// An optional object.
    pub fn opt<T: FromJson>(&self, key: &str) -> Read<Option<T>> {
        let v = self.at(key);
        if v.absent() {
            return Ok(None);
        }
        T::read(&v).map(Some)
    }

    /// The items of a list (absent: none).
    #[inline(never)]
    fn items(&self, key: &str) -> Read<Vec<Json<'a>>> {
        match self.at(key).0 {
            Value::Null => Ok(Vec::new()),
            Value::Array(items) => Ok(items.iter().map(Json).collect()),
            _ => Err(need(key)),
        }
    }

    /// A list that may be absent (`None`), unlike an empty one.
    pub fn opt_list<T: FromJson>(&self, key: &str) -> Read<Option<Vec<T>>> {
        if self.at(key).absent() {
            return Ok(None);
        }
        self.list(key).map(Some)
    }

    pub fn list<T: FromJson>(&self, key: &str) -> Read<Vec<T>> {
        self.items(key)?.iter().map(T::read).collect()
    }

    pub fn strings(&self, key: &str) -> Read<Vec<String>> {
        self.items(key)?
            .into_iter()
            .map(|j| j.0.as_str().map(str::to_string).ok_or_else(|| need(key)))
            .collect()
    }
}
