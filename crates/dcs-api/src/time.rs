//! Timestamps as DCS writes them: UTC, milliseconds, `Z` (`2020-06-15T02:21:18.669Z`).

use chrono::{DateTime, NaiveDateTime, SecondsFormat, TimeZone, Utc};
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
pub fn format_timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Parses what DCS sends: RFC 3339 with `Z` or an offset, or the same without any zone (then UTC),
/// with or without fractional seconds.
pub fn parse_timestamp(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|n| Utc.from_utc_datetime(&n))
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
        for bad in ["", "2020-06-15", "2020-13-15T02:21:18Z", "yesterday"] {
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
