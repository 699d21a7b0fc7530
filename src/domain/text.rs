//! Quoting a partner's text back to them in a message: at most so many characters, and an
//! ellipsis when it was cut.

/// The first `chars` characters of `text`, with "…" when there were more.
pub fn shorten(text: &str, chars: usize) -> String {
    let mut short: String = text.chars().take(chars).collect();
    if short.len() < text.len() {
        short.push('…');
    }
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_cut_on_a_character_and_says_so() {
        assert_eq!(shorten("abc", 5), "abc");
        assert_eq!(shorten("αβγδ", 2), "αβ…");
    }
}
