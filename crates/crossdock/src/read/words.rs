//! Checks and hints on the words of the user's files, shared by every reader (and by
//! `merge`, which checks the names its inputs bring): what a plain name is, and which known
//! word a typo was meant to be.

/// Letters, digits, `.`, `_`, `-` (and `extra`), not starting with `.`: safe as a file name
/// and in YAML. Shared with merge, which checks the names its inputs bring.
pub fn is_plain_word(s: &str, extra: &[char]) -> bool {
    !s.is_empty()
        && !s.starts_with('.')
        && s.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') || extra.contains(&c)
        })
}

/// The closest candidate to `word`, if one is close enough to be a typo.
pub fn nearest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::damerau_levenshtein(word, c), *c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min()
        .map(|(_, c)| c)
}
