use time::OffsetDateTime;
use time::macros::format_description;

/// "24 Nov 2026", for tables.
pub fn short_date(at: OffsetDateTime) -> String {
    at.format(format_description!(
        "[day padding:none] [month repr:short] [year]"
    ))
    .unwrap_or_default()
}

/// "24 Nov 2026 14:05 UTC", where the hour matters (expiry of a link).
pub fn date_time(at: OffsetDateTime) -> String {
    at.format(format_description!(
        "[day padding:none] [month repr:short] [year] [hour]:[minute] UTC"
    ))
    .unwrap_or_default()
}
