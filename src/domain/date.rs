//! Calendar dates as the Registration Server writes them (DD.MM.YYYY).

use chrono::{DateTime, NaiveDate, Utc};

/// Parses a `DD.MM.YYYY` date; `None` for anything else.
pub fn parse_dmy(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    let mut parts = text.split('.');
    let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || d.len() != 2 || m.len() != 2 || y.len() != 4 {
        return None;
    }
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !(all_digits(d) && all_digits(m) && all_digits(y)) {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// Formats a date as `DD.MM.YYYY`.
pub fn format_dmy(date: NaiveDate) -> String {
    date.format("%d.%m.%Y").to_string()
}

/// Formats a timestamp as the `usercreated` field of searchuser: `MM/DD/YYYY HH:MM:SS.cc`.
pub fn format_user_created(at: DateTime<Utc>) -> String {
    let centis = at.timestamp_subsec_millis() / 10;
    format!("{}.{centis:02}", at.format("%m/%d/%Y %H:%M:%S"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn dmy_round_trips_and_rejects_other_shapes() {
        let date = parse_dmy("31.12.2027").expect("valid date");
        assert_eq!(format_dmy(date), "31.12.2027");
        for bad in ["2027-12-31", "31.13.2027", "1.1.2027", "30.02.2027", "", "aa.bb.cccc"] {
            assert_eq!(parse_dmy(bad), None, "{bad}");
        }
    }

    #[test]
    fn user_created_matches_the_documented_shape() {
        let at = Utc.with_ymd_and_hms(2014, 7, 25, 15, 6, 41).single().expect("valid");
        assert_eq!(format_user_created(at), "07/25/2014 15:06:41.00");
    }
}
