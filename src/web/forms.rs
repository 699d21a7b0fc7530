//! Messages shown beside the form fields they concern.

use std::collections::BTreeMap;

#[derive(Debug, Default, Clone)]
pub struct FieldErrors(BTreeMap<String, String>);

impl FieldErrors {
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.entry(field.into()).or_insert_with(|| message.into());
    }

    /// The message for row `index` of a repeated field (e.g. the 3rd status code's HTTP status).
    pub fn row(&self, field: &str, index: impl std::borrow::Borrow<usize>) -> Option<&str> {
        self.get(&row_key(field, *index.borrow()))
    }

    /// The message for `field`, if it has one; templates call this beside each input.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    pub fn remove(&mut self, field: &str) {
        self.0.remove(field);
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Records `result`'s error against `field` and hands back the value when there was none.
    pub fn check<T, E: ToString>(
        &mut self,
        field: impl Into<String>,
        result: std::result::Result<T, E>,
    ) -> Option<T> {
        result.map_err(|err| self.add(field, err.to_string())).ok()
    }
}

/// A table row's field key, `error_example_2`; the model's marks use the same keys.
pub use crate::domain::model::row_key;

/// `next=` targets are only ever paths on this portal, never another site.
pub fn local_path(next: Option<&str>) -> String {
    match next {
        // Browsers drop tabs and newlines from URLs, so "/\t/evil" would become "//evil".
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && !path.chars().any(|c| c.is_whitespace() || c.is_control()) =>
        {
            path.to_string()
        }
        _ => "/".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_never_leaves_the_portal() {
        assert_eq!(local_path(Some("/team")), "/team");
        assert_eq!(local_path(Some("//evil.example")), "/");
        assert_eq!(local_path(Some("https://evil.example")), "/");
        assert_eq!(local_path(Some("/\\evil.example")), "/");
        assert_eq!(local_path(Some("/\t/evil.example")), "/");
        assert_eq!(local_path(Some("/\n")), "/");
        assert_eq!(local_path(None), "/");
    }

    #[test]
    fn the_first_message_for_a_field_wins() {
        let mut errors = FieldErrors::default();
        errors.add("email", "Enter an e-mail address.");
        errors.add("email", "second");
        assert_eq!(errors.get("email"), Some("Enter an e-mail address."));
        assert!(errors.get("name").is_none());
    }
}
