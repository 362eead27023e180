//! Timestamps as DCS writes them: UTC, milliseconds, `Z` (`2020-06-15T02:21:18.669Z`).

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Timelike, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A UTC instant that serialises as `2020-06-15T02:21:18.669Z`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub DateTime<Utc>);

impl Timestamp {
    /// From milliseconds since the Unix epoch (what SQLite rows and the browser clock hold).
    pub fn from_millis(ms: i64) -> Option<Timestamp> {
        Utc.timestamp_millis_opt(ms).single().map(Timestamp)
    }

    pub fn millis(self) -> i64 {
        self.0.timestamp_millis()
    }
}

/// Formats an instant the way DCS does: `2020-06-15T02:21:18.669Z`.
///
/// Written out by hand rather than with chrono's `format`: the strftime machinery would add
/// tens of KB to the console's wasm.
pub fn format_timestamp(t: DateTime<Utc>) -> String {
    let (d, tm) = (t.date_naive(), t.time());
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        d.year(),
        d.month(),
        d.day(),
        tm.hour(),
        tm.minute(),
        tm.second(),
        tm.nanosecond() / 1_000_000 % 1000
    )
}

/// Parses what DCS sends: `YYYY-MM-DDTHH:MM:SS`, optional fraction, then `Z`, an offset
/// (`+08:00`) or nothing (UTC). Surrounding blanks are ignored; `T` may be a space.
pub fn parse_timestamp(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    let b = s.as_bytes();
    let digits = |from: usize, len: usize| -> Option<u32> {
        let part = b.get(from..from + len)?;
        part.iter()
            .all(u8::is_ascii_digit)
            .then(|| part.iter().fold(0, |n, d| n * 10 + (d - b'0') as u32))
    };
    let seps = [(4, b'-'), (7, b'-'), (13, b':'), (16, b':')];
    if b.len() < 19 || seps.iter().any(|&(i, c)| b[i] != c) || !matches!(b[10], b'T' | b't' | b' ')
    {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(digits(0, 4)? as i32, digits(5, 2)?, digits(8, 2)?)?;
    let mut rest = &b[19..];
    let mut nanos = 0u32;
    if let Some((b'.', frac)) = rest.split_first() {
        let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        nanos = frac[..n.min(9)]
            .iter()
            .fold(0, |v, d| v * 10 + (d - b'0') as u32)
            * 10u32.pow(9 - n.min(9) as u32);
        rest = &frac[n..];
    }
    let offset_secs: i64 = match rest {
        [] | [b'Z'] | [b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2]
            if [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit()) =>
        {
            let v = (((h1 - b'0') * 10 + (h2 - b'0')) as i64 * 60
                + ((m1 - b'0') * 10 + (m2 - b'0')) as i64)
                * 60;
            if *sign == b'-' {
                -v
            } else {
                v
            }
        }
        _ => return None,
    };
    let local = date.and_hms_nano_opt(digits(11, 2)?, digits(14, 2)?, digits(17, 2)?, nanos)?;
    Some(local.and_utc() - chrono::Duration::seconds(offset_secs))
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_timestamp(self.0))
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_timestamp(self.0))
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        parse_timestamp(&s)
            .map(Timestamp)
            .ok_or_else(|| serde::de::Error::custom(format!("invalid timestamp {s:?}")))
    }
}

/// In OpenAPI a timestamp is a string in DCS's format.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Timestamp {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::DateTime,
            )))
            .examples(["2020-06-15T02:21:18.669Z"])
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Timestamp {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_with_millis_and_z() {
        let t = Utc.with_ymd_and_hms(2020, 6, 15, 2, 21, 18).unwrap()
            + chrono::Duration::milliseconds(669);
        assert_eq!(format_timestamp(t), "2020-06-15T02:21:18.669Z");
        let whole = Utc.with_ymd_and_hms(2023, 7, 7, 15, 0, 5).unwrap();
        assert_eq!(format_timestamp(whole), "2023-07-07T15:00:05.000Z");
    }

    #[test]
    fn parses_every_form_dcs_sends() {
        let want = Utc.with_ymd_and_hms(2020, 6, 15, 2, 21, 18).unwrap()
            + chrono::Duration::milliseconds(669);
        for s in [
            "2020-06-15T02:21:18.669Z",
            "2020-06-15T02:21:18.669",
            "2020-06-15T02:21:18.669+00:00",
            "2020-06-15T10:21:18.669+08:00",
            " 2020-06-15T02:21:18.669Z ",
        ] {
            assert_eq!(parse_timestamp(s), Some(want), "{s}");
        }
        assert_eq!(
            parse_timestamp("2020-06-15T02:21:18"),
            Some(Utc.with_ymd_and_hms(2020, 6, 15, 2, 21, 18).unwrap())
        );
        assert_eq!(
            parse_timestamp("2020-06-15 02:21:18Z"),
            parse_timestamp("2020-06-15T02:21:18Z")
        );
        assert_eq!(
            parse_timestamp("2020-06-15T02:21:18.123456789Z").map(|t| t.timestamp_subsec_nanos()),
            Some(123_456_789)
        );
        for bad in [
            "",
            "2020-06-15",
            "2020-13-15T02:21:18Z",
            "yesterday",
            "2020-06-15T02:21:18.Z",
            "2020-06-15T02:21:18+8",
            "2020-06-15T25:21:18Z",
            "2020-02-30T00:00:00Z",
            "+020-06-15T02:21:18Z",
            "2020-06-15T02:21:18Zjunk",
        ] {
            assert_eq!(parse_timestamp(bad), None, "{bad}");
        }
    }

    #[test]
    fn millis_round_trip() {
        let t = Timestamp::from_millis(1_592_187_678_669).unwrap();
        assert_eq!(t.to_string(), "2020-06-15T02:21:18.669Z");
        assert_eq!(t.millis(), 1_592_187_678_669);
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(serde_json::from_str::<Timestamp>(&json).unwrap(), t);
    }
}
