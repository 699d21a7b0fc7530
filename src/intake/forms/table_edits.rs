//! Table edits that happen before a save: "Add a row", "Remove" on one row, and "Edit as text"
//! (`Name: value` lines, as Postman's bulk editor). They work without JavaScript: the button
//! posts the whole form, the server applies the edit to what was typed and shows the form again,
//! unsaved, so nothing typed elsewhere is lost and the partner saves when ready.

/// What a table button asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowEdit {
    Add(String),
    Remove(String, usize),
    Bulk(String),
}

impl RowEdit {
    /// `add_row:header`, `remove_row:header:2`, `bulk:header`.
    pub fn parse(action: &str) -> Option<RowEdit> {
        if let Some(table) = action.strip_prefix("add_row:") {
            return Some(RowEdit::Add(table.to_string()));
        }
        if let Some(rest) = action.strip_prefix("remove_row:") {
            let (table, index) = rest.rsplit_once(':')?;
            return Some(RowEdit::Remove(table.to_string(), index.parse().ok()?));
        }
        action
            .strip_prefix("bulk:")
            .map(|table| RowEdit::Bulk(table.to_string()))
    }

    pub fn table(&self) -> &str {
        match self {
            RowEdit::Add(t) | RowEdit::Remove(t, _) | RowEdit::Bulk(t) => t,
        }
    }

    /// What the form says after the edit, beside the table.
    pub fn outcome(&self) -> &'static str {
        match self {
            RowEdit::Add(_) => "Row added below; fill it in, then save.",
            RowEdit::Remove(..) => "Row removed; not saved yet. Save to keep the change.",
            RowEdit::Bulk(_) => {
                "The table now holds your lines; not saved yet. Check it, then save."
            }
        }
    }
}

/// What a page needs to draw its tables after a table edit: one blank row under each table, one
/// more right after "Add a row" (taking the focus), and "Edit as text" kept open after applying.
/// A page that cannot be edited shows no blank rows at all.
#[derive(Debug, Clone, Default)]
pub struct TableState {
    pub edit: Option<RowEdit>,
    pub editable: bool,
}

impl TableState {
    pub fn blank_rows(&self, table: &str) -> Vec<usize> {
        if !self.editable {
            return Vec::new();
        }
        let added = matches!(&self.edit, Some(RowEdit::Add(t)) if t == table);
        (0..1 + usize::from(added)).collect()
    }

    pub fn focus_new_row(&self, table: &str, index: impl std::borrow::Borrow<usize>) -> bool {
        *index.borrow() == 1 && self.blank_rows(table).len() == 2
    }

    pub fn bulk_open(&self, table: &str) -> bool {
        matches!(&self.edit, Some(RowEdit::Bulk(t)) if t == table)
    }
}

/// Lines a bulk edit reads: far above a real table, low enough to bound the work.
pub const MAX_BULK_LINES: usize = 200;

/// `Name: value` lines (or `name=value`), as Postman's bulk editor writes them. Blank lines and
/// lines starting with `//` (Postman's switched-off rows) are skipped; a line without a separator
/// is a name with an empty value.
pub fn bulk_lines(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with("//"))
        .take(MAX_BULK_LINES)
        .map(|line| {
            let split = match (line.find(':'), line.find('=')) {
                (Some(c), Some(e)) => Some(c.min(e)),
                (c, e) => c.or(e),
            };
            match split {
                Some(at) => (
                    line[..at].trim().to_string(),
                    line[at + 1..].trim().to_string(),
                ),
                None => (line.to_string(), String::new()),
            }
        })
        .collect()
}

/// The rows as bulk-edit text, the way `bulk_lines` reads them back.
pub fn bulk_text<'a>(rows: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    rows.filter(|(name, value)| !name.is_empty() || !value.is_empty())
        .map(|(name, value)| format!("{name}: {value}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Removes row `index` from every column of one table; a column shorter than that is left alone.
pub fn remove_at(columns: &mut [&mut Vec<String>], index: usize) {
    for column in columns.iter_mut() {
        if index < column.len() {
            column.remove(index);
        }
    }
}

/// Replaces a table by bulk lines: `key` and `value` columns from the lines; every other column
/// keeps what the row with the same key had (a parameter's type stays), else `defaults`.
pub fn replace_by_lines(
    key: &mut Vec<String>,
    value: &mut Vec<String>,
    others: &mut [(&mut Vec<String>, &str)],
    lines: &[(String, String)],
) {
    let old_keys = std::mem::take(key);
    let mut new_others: Vec<Vec<String>> = vec![Vec::new(); others.len()];
    for (name, _) in lines {
        let old = old_keys.iter().position(|k| k.trim() == name);
        for (column, (values, default)) in others.iter().enumerate() {
            let kept = old.and_then(|i| values.get(i)).cloned();
            new_others[column].push(kept.unwrap_or_else(|| default.to_string()));
        }
    }
    *key = lines.iter().map(|(k, _)| k.clone()).collect();
    *value = lines.iter().map(|(_, v)| v.clone()).collect();
    for ((values, _), new) in others.iter_mut().zip(new_others) {
        **values = new;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn postman_bulk_lines_read_as_rows() {
        let lines = bulk_lines(
            "Content-Type: application/json\n\n//X-Off: 1\nAuthorization: Bearer <<token>>\nflag\nurl=https://a.example/x?y=1",
        );
        assert_eq!(
            lines,
            vec![
                ("Content-Type".into(), "application/json".into()),
                ("Authorization".into(), "Bearer <<token>>".into()),
                ("flag".into(), String::new()),
                ("url".into(), "https://a.example/x?y=1".into()),
            ]
        );
        assert_eq!(
            bulk_text(lines.iter().map(|(k, v)| (k.as_str(), v.as_str()))),
            "Content-Type: application/json\nAuthorization: Bearer <<token>>\nflag: \nurl: https://a.example/x?y=1"
        );
    }

    #[test]
    fn actions_name_their_table_and_row() {
        assert_eq!(
            RowEdit::parse("remove_row:param:3"),
            Some(RowEdit::Remove("param".into(), 3))
        );
        assert_eq!(
            RowEdit::parse("add_row:header"),
            Some(RowEdit::Add("header".into()))
        );
        assert_eq!(RowEdit::parse("remove_row:param:x"), None);
        assert_eq!(RowEdit::parse("save"), None);
    }

    #[test]
    fn a_bulk_edit_keeps_the_other_columns_of_rows_it_keeps() {
        let mut names = vec!["a".to_string(), "b".to_string()];
        let mut examples = vec!["1".to_string(), "2".to_string()];
        let mut types = vec!["integer".to_string(), "boolean".to_string()];
        replace_by_lines(
            &mut names,
            &mut examples,
            &mut [(&mut types, "string")],
            &[("b".into(), "true".into()), ("c".into(), "x".into())],
        );
        assert_eq!(names, ["b", "c"]);
        assert_eq!(examples, ["true", "x"]);
        assert_eq!(types, ["boolean", "string"]);
    }

    proptest! {
        #[test]
        fn bulk_text_is_bounded_and_never_panics(text in "\\PC{0,2000}") {
            let lines = bulk_lines(&text);
            prop_assert!(lines.len() <= MAX_BULK_LINES);
        }
    }
}
