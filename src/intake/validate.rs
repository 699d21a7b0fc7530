//! Field checks for the intake forms. Each returns the cleaned value or the sentence shown
//! beside the field.

use crate::domain::text::shorten;
use url::Url;

pub const MAX_TEXT: usize = 4000;
pub const MAX_SHORT: usize = 200;

/// A base URL: absolute https, or http where `allow_http` (staging only). Returns the URL without a
/// trailing slash and whether it is plain http (shown with a warning).
pub fn base_url(input: &str, allow_http: bool) -> Result<(String, bool), String> {
    let text = input.trim();
    if text.is_empty() {
        return Ok((String::new(), false));
    }
    if text.len() > 2000 {
        return Err("That URL is too long (2000 characters at most).".into());
    }
    let url = Url::parse(text).map_err(|_| {
        "Enter a full URL starting with https://, e.g. https://apisit.example.com/api".to_string()
    })?;
    let http = match url.scheme() {
        "https" => false,
        "http" if allow_http => true,
        "http" => return Err("Use https: Haptik calls production APIs over https only.".into()),
        _ => return Err("Enter a URL starting with https://.".into()),
    };
    if url.host_str().is_none_or(str::is_empty) {
        return Err("The URL needs a host name.".into());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err("A base URL has no ?query or #fragment; put those on the endpoints.".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("Do not put credentials in the URL; name them under Credential names.".into());
    }
    Ok((text.trim_end_matches('/').to_string(), http))
}

/// An endpoint path relative to the base URL, e.g. /otp/v1/generateOTP or /orders/{orderId}.
pub fn path(input: &str) -> Result<String, String> {
    let text = input.trim();
    if text.is_empty() {
        return Ok(String::new());
    }
    if text.starts_with("http://") || text.starts_with("https://") {
        return Err(
            "Give only the path after the base URL, starting with /, e.g. /otp/v1/generateOTP."
                .into(),
        );
    }
    if !text.starts_with('/') {
        return Err("Start the path with /, e.g. /otp/v1/generateOTP.".into());
    }
    if text.len() > 1000 {
        return Err("That path is too long (1000 characters at most).".into());
    }
    if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("A path has no spaces; write a space as %20.".into());
    }
    Ok(text.to_string())
}

/// An HTTP header name: a token of RFC 9110 characters.
pub fn header_name(input: &str) -> Result<String, String> {
    let text = input.trim().trim_end_matches(':').trim();
    let token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    if text.is_empty() || text.len() > 100 || !text.chars().all(token) {
        return Err(format!(
            "“{}” is not a valid header name (letters, digits and - only, e.g. Content-Type).",
            shorten(text, 40)
        ));
    }
    Ok(text.to_string())
}

pub fn header_value(input: &str) -> Result<String, String> {
    let text = input.trim();
    if text.len() > 2000 || text.chars().any(|c| c.is_control() && c != '\t') {
        return Err("A header value is one line of at most 2000 characters.".into());
    }
    Ok(text.to_string())
}

/// An HTTP status from 100 to 599; empty stays empty.
pub fn http_status(input: &str) -> Result<String, String> {
    let text = input.trim();
    if text.is_empty() {
        return Ok(String::new());
    }
    match text.parse::<u16>() {
        Ok(code) if (100..=599).contains(&code) => Ok(code.to_string()),
        _ => Err(format!(
            "“{}” is not an HTTP status; use a number from 100 to 599, e.g. 200.",
            shorten(text, 40)
        )),
    }
}

pub fn email(input: &str) -> Result<String, String> {
    let text = input.trim();
    if text.is_empty() {
        return Ok(String::new());
    }
    crate::accounts::EmailAddress::parse(text)
        .map(|email| email.as_str().to_string())
        .map_err(str::to_string)
}

/// A phone number as people write them: digits with optional +, spaces, dashes, dots and brackets.
pub fn phone(input: &str) -> Result<String, String> {
    let text = input.trim();
    if text.is_empty() {
        return Ok(String::new());
    }
    let allowed = text
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c));
    let digits = text.chars().filter(char::is_ascii_digit).count();
    let plus_ok = text.rfind('+').is_none_or(|i| i == 0);
    if allowed && plus_ok && (7..=15).contains(&digits) {
        Ok(text.to_string())
    } else {
        Err("Enter a phone number with country code, e.g. +91 98765 43210.".into())
    }
}

/// Free text up to `max` characters.
pub fn text(input: &str, max: usize) -> Result<String, String> {
    let trimmed = input.trim();
    if trimmed.chars().count() > max {
        Err(format!("Keep this to {max} characters."))
    } else {
        Ok(trimmed.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_https_except_a_warned_staging() {
        assert_eq!(
            base_url("https://apisit.xyz.com/pchflih/", false).unwrap(),
            ("https://apisit.xyz.com/pchflih".into(), false)
        );
        assert_eq!(
            base_url("http://sit.xyz.com", true).unwrap(),
            ("http://sit.xyz.com".into(), true)
        );
        assert!(
            base_url("http://api.xyz.com", false)
                .unwrap_err()
                .contains("https")
        );
        assert!(base_url("apisit.xyz.com", false).is_err());
        assert!(base_url("ftp://x.example", false).is_err());
        assert!(
            base_url("https://user:pw@x.example", false)
                .unwrap_err()
                .contains("credentials")
        );
        assert!(base_url("https://x.example/api?key=1", false).is_err());
        assert_eq!(base_url("  ", false).unwrap().0, "");
    }

    #[test]
    fn paths_start_with_a_slash_and_have_no_spaces() {
        assert_eq!(
            path(" /otp/v1/generateOTP ").unwrap(),
            "/otp/v1/generateOTP"
        );
        assert!(path("/orders/{orderId}").is_ok());
        assert!(path("otp/v1").is_err());
        assert!(
            path("https://apisit.xyz.com/otp")
                .unwrap_err()
                .contains("only the path")
        );
        assert!(path("/a b").is_err());
    }

    #[test]
    fn header_names_are_tokens() {
        assert_eq!(header_name("Content-Type:").unwrap(), "Content-Type");
        assert!(header_name("Authorization").is_ok());
        assert!(header_name("Bad Header").is_err());
        assert!(header_name("").is_err());
        assert!(header_value("Bearer <<token>>").is_ok());
        assert!(header_value("a\nb").is_err());
    }

    #[test]
    fn statuses_emails_and_phones() {
        assert_eq!(http_status(" 200 ").unwrap(), "200");
        assert!(
            http_status("99").is_err() && http_status("600").is_err() && http_status("OK").is_err()
        );
        assert!(email("spoc@partner.example").is_ok() && email("spoc@").is_err());
        assert!(phone("+91 98765 43210").is_ok() && phone("9928056506").is_ok());
        assert!(
            phone("call me").is_err() && phone("12").is_err() && phone("91+123456789").is_err()
        );
    }
}
