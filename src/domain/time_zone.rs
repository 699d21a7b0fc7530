//! Time zones of the people reminders go to, read from what they wrote ("IST, 10:00-19:00
//! Mon-Fri"), and the civil-day steps that business days are counted in. The IANA database is
//! built into the binary (jiff), so every instance agrees whatever its operating system has.

use time::{Date, Month, OffsetDateTime};

pub use jiff::tz::TimeZone;

/// Abbreviations people write for their zone. Several are ambiguous worldwide; these are the
/// readings Haptik's partners mean (IST is India's).
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("IST", "Asia/Kolkata"),
    ("NPT", "Asia/Kathmandu"),
    ("PKT", "Asia/Karachi"),
    ("GST", "Asia/Dubai"),
    ("SGT", "Asia/Singapore"),
    ("ICT", "Asia/Bangkok"),
    ("WIB", "Asia/Jakarta"),
    ("PHT", "Asia/Manila"),
    ("HKT", "Asia/Hong_Kong"),
    ("JST", "Asia/Tokyo"),
    ("AEST", "Australia/Sydney"),
    ("AEDT", "Australia/Sydney"),
    ("BST", "Europe/London"),
    ("CET", "Europe/Berlin"),
    ("CEST", "Europe/Berlin"),
    ("EET", "Europe/Athens"),
    ("EEST", "Europe/Athens"),
    ("EST", "America/New_York"),
    ("EDT", "America/New_York"),
    ("ET", "America/New_York"),
    ("CST", "America/Chicago"),
    ("CDT", "America/Chicago"),
    ("MST", "America/Denver"),
    ("MDT", "America/Denver"),
    ("PST", "America/Los_Angeles"),
    ("PDT", "America/Los_Angeles"),
    ("PT", "America/Los_Angeles"),
];

/// The zone a person's hours text names, if it names one: an IANA name ("Asia/Kolkata"), a
/// common abbreviation ("IST"), or an offset from UTC ("UTC+5:30", "GMT-3", "UTC").
pub fn from_hours_text(text: &str) -> Option<TimeZone> {
    // Bounded work whatever was typed: the first 200 characters, 20 words.
    let text: String = text.chars().take(200).collect();
    text.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')' | '|' | '['))
        .filter(|word| !word.is_empty())
        .take(20)
        .find_map(word_zone)
}

fn word_zone(word: &str) -> Option<TimeZone> {
    if word.contains('/') {
        return TimeZone::get(word.trim_end_matches(['.', ':'])).ok();
    }
    let upper = word.trim_end_matches(['.', ':']).to_ascii_uppercase();
    if let Some((_, name)) = ABBREVIATIONS.iter().find(|(abbr, _)| *abbr == upper) {
        return TimeZone::get(name).ok();
    }
    ["UTC", "GMT"].iter().find_map(|prefix| {
        let rest = upper.strip_prefix(prefix)?;
        if rest.is_empty() {
            Some(TimeZone::UTC)
        } else {
            offset(rest).map(TimeZone::fixed)
        }
    })
}

/// "+5:30", "+0530", "-3".
fn offset(text: &str) -> Option<jiff::tz::Offset> {
    let sign = match text.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let rest = &text[1..];
    let (hours, minutes) = match rest.split_once(':') {
        Some(parts) => parts,
        None if rest.len() > 2 && rest.bytes().all(|b| b.is_ascii_digit()) => {
            rest.split_at(rest.len() - 2)
        }
        None => (rest, "0"),
    };
    let digits = |s: &str| !s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(hours) || !digits(minutes) {
        return None;
    }
    let (hours, minutes): (i32, i32) = (hours.parse().ok()?, minutes.parse().ok()?);
    if hours > 14 || minutes > 59 {
        return None;
    }
    jiff::tz::Offset::from_seconds(sign * (hours * 3600 + minutes * 60)).ok()
}

/// The moment as a local time in `zone`.
pub fn local(at: OffsetDateTime, zone: &TimeZone) -> jiff::ZonedDateTime {
    // In range by construction: `time` and jiff cover the years the portal stores.
    let stamp = jiff::Timestamp::from_nanosecond(at.unix_timestamp_nanos())
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    stamp.to_zoned_datetime(zone.clone())
}

/// The same local time a civil day later (23 or 25 hours across a daylight-saving change).
pub fn next_day(at: &jiff::ZonedDateTime) -> jiff::ZonedDateTime {
    at.checked_add(jiff::Span::new().days(1))
        .unwrap_or_else(|_| at.clone())
}

/// The local date.
pub fn date(at: &jiff::ZonedDateTime) -> Date {
    let day = at.date();
    Month::try_from(day.month() as u8)
        .and_then(|month| Date::from_calendar_date(i32::from(day.year()), month, day.day() as u8))
        .unwrap_or(Date::MIN)
}

pub fn instant(at: &jiff::ZonedDateTime) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(at.timestamp().as_nanosecond())
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use time::macros::datetime;

    use super::*;

    fn name(zone: Option<TimeZone>) -> Option<String> {
        zone.map(|z| {
            z.iana_name()
                .map(str::to_string)
                .unwrap_or_else(|| format!("{}", z.to_offset(jiff::Timestamp::UNIX_EPOCH)))
        })
    }

    #[test]
    fn zones_are_read_from_what_people_write() {
        let read = |text: &str| name(from_hours_text(text));
        assert_eq!(
            read("IST, 10:00-19:00 Mon-Fri").as_deref(),
            Some("Asia/Kolkata")
        );
        assert_eq!(
            read("9-6 (Asia/Singapore)").as_deref(),
            Some("Asia/Singapore")
        );
        assert_eq!(
            read("weekdays 9-5 pst").as_deref(),
            Some("America/Los_Angeles")
        );
        assert_eq!(read("UTC").as_deref(), Some("UTC"));
        assert_eq!(read("GMT+5:30, 10 to 7").as_deref(), Some("+05:30"));
        assert_eq!(read("UTC-0300").as_deref(), Some("-03"));
        assert_eq!(read("10:00-19:00 Mon-Fri"), None);
        assert_eq!(read("UTC+99"), None);
        assert_eq!(read("Mars/Olympus_Mons"), None);
        assert_eq!(read(""), None);
    }

    #[test]
    fn a_day_later_is_the_same_local_time_across_daylight_saving() {
        let london = TimeZone::get("Europe/London").unwrap();
        // Saturday 24 October 2026, 09:00 BST; the clocks go back on the 25th.
        let start = local(datetime!(2026-10-24 08:00 UTC), &london);
        let sunday = next_day(&start);
        let monday = next_day(&sunday);
        assert_eq!(instant(&monday), datetime!(2026-10-26 09:00 UTC));
        assert_eq!(date(&monday), time::macros::date!(2026 - 10 - 26));
    }

    proptest! {
        #[test]
        fn any_text_reads_as_no_zone_or_a_real_one(text in "\\PC{0,300}") {
            if let Some(zone) = from_hours_text(&text) {
                prop_assert!(zone.to_offset(jiff::Timestamp::UNIX_EPOCH).seconds().abs() <= 14 * 3600);
            }
        }

        #[test]
        fn offsets_stay_within_fourteen_hours(text in "(UTC|GMT)[+-]?[0-9:٣]{0,8}") {
            if let Some(zone) = from_hours_text(&text) {
                prop_assert!(zone.to_offset(jiff::Timestamp::UNIX_EPOCH).seconds().abs() <= 14 * 3600);
            }
        }
    }
}
