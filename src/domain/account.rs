use std::fmt;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(sqlx::Type, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[sqlx(type_name = "user_role", rename_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Partner,
    Reviewer,
    Admin,
}

impl Role {
    pub fn label(self) -> &'static str {
        match self {
            Role::Partner => "Partner",
            Role::Reviewer => "Reviewer",
            Role::Admin => "Admin",
        }
    }

    pub fn is_staff(self) -> bool {
        matches!(self, Role::Reviewer | Role::Admin)
    }
}

/// A signed-in person as every page sees them. The password hash is deliberately not here.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct User {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub company_id: Option<Uuid>,
    pub company_name: Option<String>,
    pub active: bool,
    pub sessions_valid_after: OffsetDateTime,
}

/// An e-mail address that has passed the portal's checks: trimmed, one @, a dotted domain, no spaces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err("Enter an e-mail address.");
        }
        if trimmed.len() > 254 {
            return Err("That e-mail address is too long (254 characters at most).");
        }
        let valid = match trimmed.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !trimmed.chars().any(|c| c.is_whitespace() || c.is_control())
            }
            None => false,
        };
        // The mailer must deliver to exactly this address: "N<neha@acme.example>" is refused.
        let deliverable = trimmed.parse::<lettre::Address>().is_ok();
        if valid && deliverable {
            Ok(Self(trimmed.to_string()))
        } else {
            Err("Enter an e-mail address like name@company.com.")
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A person's name as shown in the portal: 1 to 120 characters after trimming.
pub fn parse_display_name(input: &str) -> Result<String, &'static str> {
    let trimmed = input.trim();
    // Names appear in e-mails others receive; line breaks or direction overrides would let a
    // name pose as the message itself.
    let unsafe_char = |c: char| {
        c.is_control()
            || matches!(c, '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if trimmed.chars().any(unsafe_char) {
        return Err("Use letters, spaces and punctuation only, on one line.");
    }
    match trimmed.chars().count() {
        0 => Err("Enter a name."),
        1..=120 => Ok(trimmed.to_string()),
        _ => Err("Keep the name to 120 characters."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_addresses_are_trimmed_and_checked() {
        assert_eq!(
            EmailAddress::parse("  priya@partner.example ")
                .unwrap()
                .as_str(),
            "priya@partner.example"
        );
        for bad in [
            "",
            "priya",
            "priya@",
            "@partner.example",
            "a@b",
            "a b@c.example",
            "a@b@c.example",
            "a@.example",
        ] {
            assert!(
                EmailAddress::parse(bad).is_err(),
                "{bad:?} should be refused"
            );
        }
        assert!(EmailAddress::parse(&format!("{}@x.example", "a".repeat(250))).is_err());
        assert!(EmailAddress::parse("N<neha@acme.example>").is_err());
    }

    #[test]
    fn display_names_need_content() {
        assert_eq!(parse_display_name("  Priya  ").unwrap(), "Priya");
        assert!(parse_display_name("   ").is_err());
        assert!(parse_display_name(&"x".repeat(121)).is_err());
        assert!(parse_display_name("Haptik Security\r\n\r\nURGENT: verify").is_err());
        assert!(parse_display_name("Priya\u{202e}gnp.exe").is_err());
    }
}
