//! Display formatting: sizes, durations, and times in the viewer's zone.
//!
//! Integer arithmetic and hand-written date formats on purpose: float formatting and chrono's
//! strftime would add tens of KB to the wasm bundle.

use chrono::{Datelike, Timelike};
use dcs_api::{KeyUnit, Timestamp};

/// `tenths` as "12.3".
pub fn tenths(tenths: u64) -> String {
    format!("{}.{}", tenths / 10, tenths % 10)
}

/// 1536 → "1.5 KiB".
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut u = 0;
    let mut scale: u64 = 1;
    while n / scale >= 1024 && u < UNITS.len() - 1 {
        scale *= 1024;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!(
            "{} {}",
            tenths((n as u128 * 10 / scale as u128) as u64),
            UNITS[u]
        )
    }
}

/// A key's size with its unit: bytes human-readable, counts as elements.
pub fn size(n: u64, unit: KeyUnit) -> String {
    match (unit, n) {
        (KeyUnit::Byte, _) => bytes(n),
        (KeyUnit::Count, 1) => "1 element".into(),
        (KeyUnit::Count, _) => format!("{n} elements"),
    }
}

/// 1234 → "1.2K", 5_600_000 → "5.6M": axis ticks and access counts.
pub fn compact(n: u64) -> String {
    // A whole number of thousands is "10K", not "10.0K".
    let short = |t: u64, unit: &str| match t % 10 {
        0 => format!("{}{unit}", t / 10),
        _ => format!("{}{unit}", tenths(t)),
    };
    match n {
        0..=999 => n.to_string(),
        1_000..=999_999 => short(n / 100, "K"),
        _ => short(n / 100_000, "M"),
    }
}

/// "1 key", "2 keys".
pub fn keys(n: u64) -> String {
    if n == 1 {
        "1 key".into()
    } else {
        format!("{n} keys")
    }
}

/// 3_723_000 ms → "1h 2m 3s"; under a minute with one decimal.
pub fn duration_ms(ms: i64) -> String {
    let ms = ms.max(0);
    if ms < 60_000 {
        return format!("{}s", tenths((ms / 100) as u64));
    }
    let s = ms / 1000;
    let (h, m, s) = (s / 3600, s / 60 % 60, s % 60);
    if h > 0 {
        format!("{h}h {m}m {s}s")
    } else {
        format!("{m}m {s}s")
    }
}

/// `YYYY-MM-DD HH:MM:SS` in a zone `offset_minutes` east of UTC.
pub fn local_time(t: Timestamp, offset_minutes: i32) -> String {
    let l = t.0 + chrono::Duration::minutes(offset_minutes as i64);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        l.year(),
        l.month(),
        l.day(),
        l.hour(),
        l.minute(),
        l.second()
    )
}

/// The viewer's zone as minutes east of UTC (JavaScript counts west, hence the sign).
pub fn viewer_offset_minutes() -> i32 {
    #[cfg(target_arch = "wasm32")]
    {
        -(js_sys::Date::new_0().get_timezone_offset() as i32)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0
    }
}

/// A time in the viewer's zone.
pub fn local(t: Timestamp) -> String {
    local_time(t, viewer_offset_minutes())
}

/// "21:00" UTC → local "HH:MM" for a zone `offset_minutes` east of UTC.
pub fn utc_hhmm_to_local(hhmm: &str, offset_minutes: i32) -> Option<String> {
    let t = dcs_api::schedule::TimeOfDay::parse(hhmm)?;
    let m = (t.minutes() as i32 + offset_minutes).rem_euclid(24 * 60);
    Some(format!("{:02}:{:02}", m / 60, m % 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_counts_are_singular_or_plural() {
        assert_eq!(
            (keys(1), keys(0), keys(12)),
            ("1 key".into(), "0 keys".into(), "12 keys".into())
        );
    }

    #[test]
    fn sizes() {
        assert_eq!(bytes(0), "0 B");
        assert_eq!(bytes(1023), "1023 B");
        assert_eq!(bytes(1536), "1.5 KiB");
        assert_eq!(bytes(1 << 20), "1.0 MiB");
        assert_eq!(size(5000, KeyUnit::Count), "5000 elements");
        assert_eq!(size(1, KeyUnit::Count), "1 element");
        assert_eq!(compact(1_234), "1.2K");
        assert_eq!(compact(10_000), "10K");
        assert_eq!(compact(1_000_000), "1M");
        assert_eq!(compact(5_600_000), "5.6M");
    }

    #[test]
    fn durations() {
        assert_eq!(duration_ms(2054), "2.0s");
        assert_eq!(duration_ms(3_723_000), "1h 2m 3s");
        assert_eq!(duration_ms(61_000), "1m 1s");
        assert_eq!(duration_ms(-5), "0.0s");
    }

    #[test]
    fn time_zones() {
        let t = Timestamp(dcs_api::time::parse_timestamp("2020-06-15T23:21:18.669Z").unwrap());
        assert_eq!(local_time(t, 0), "2020-06-15 23:21:18");
        assert_eq!(
            local_time(t, 480),
            "2020-06-16 07:21:18",
            "UTC+8 crosses midnight"
        );
        assert_eq!(local_time(t, -300), "2020-06-15 18:21:18");
        assert_eq!(utc_hhmm_to_local("21:00", 480).as_deref(), Some("05:00"));
        assert_eq!(utc_hhmm_to_local("02:30", -300).as_deref(), Some("21:30"));
        assert_eq!(utc_hhmm_to_local("25:00", 0), None);
    }
}
