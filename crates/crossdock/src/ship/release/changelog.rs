//! Changelog parsing (pure): the version headings (`## [1.2.3] - date`, `# v1.2.3`, any
//! level, as parse-changelog reads them) and the text of a version's section, which
//! becomes the release notes.

/// A heading of a changelog that names a version (or `Unreleased`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    /// How many `#` it starts with (1 to 6).
    pub level: usize,
    /// As written, without brackets, a leading `v` or a `Version `/`Release ` prefix:
    /// `1.2.3`, `Unreleased`.
    pub version: String,
    /// The text after ` - `, if any: `2026-11-25`.
    pub date: Option<String>,
}

/// The level of an ATX heading (`# …` to `###### …`, or the `#`s alone); `None` for any
/// other line.
pub(crate) fn heading_level(line: &str) -> Option<usize> {
    let t = line.trim_end();
    let level = t.len() - t.trim_start_matches('#').len();
    let rest = &t[level..];
    ((1..=6).contains(&level) && (rest.is_empty() || rest.starts_with([' ', '\t'])))
        .then_some(level)
}

/// `1.2.3` for `1.2.3`, `v1.2.3` and `V1.2.3`.
pub fn strip_v(version: &str) -> &str {
    match version.strip_prefix(['v', 'V']) {
        Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => rest,
        _ => version,
    }
}

/// `1.2`, `1.2.3-rc.1`, `2024.01.05`: digits, a dot, a digit (a `# 2024 releases` heading
/// is no version).
fn looks_like_version(token: &str) -> bool {
    let digits = token.len() - token.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    digits > 0
        && token[digits..]
            .strip_prefix('.')
            .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()))
}

/// Parses a heading of any level that starts with a version, as parse-changelog reads
/// them: `# v1.2.3`, `## [1.2.3]`, `## 1.2.3`, `### Version 1.2.3`, `## [v1.2.3](link)`,
/// each optionally followed by ` - date` (or `(date)`). Other lines give `None`.
pub fn parse_heading(line: &str) -> Option<Heading> {
    let level = heading_level(line)?;
    let rest = line.trim_end()[level..].trim();
    let rest = ["Version ", "Release "]
        .iter()
        .find_map(|p| {
            rest.get(..p.len())
                .filter(|head| head.eq_ignore_ascii_case(p))
                .map(|_| rest[p.len()..].trim_start())
        })
        .unwrap_or(rest);
    let (token, mut after) = if let Some(r) = rest.strip_prefix('[') {
        let end = r.find(']')?;
        let mut after = &r[end + 1..];
        // `## [1.2.3](https://…/compare/v1.2.2...v1.2.3) - date`
        if after.starts_with('(') {
            after = after.find(')').map(|i| &after[i + 1..]).unwrap_or("");
        }
        (r[..end].trim(), after)
    } else {
        match rest.find(char::is_whitespace) {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        }
    };
    if token.is_empty() {
        return None;
    }
    let version = strip_v(token).to_string();
    if !looks_like_version(&version) && !version.eq_ignore_ascii_case("unreleased") {
        return None;
    }
    after = after.trim();
    for dash in ["-", "–", "—"] {
        if let Some(a) = after.strip_prefix(dash) {
            after = a.trim();
            break;
        }
    }
    let after = after
        .strip_prefix('(')
        .and_then(|a| a.strip_suffix(')'))
        .unwrap_or(after)
        .trim();
    Some(Heading {
        level,
        version,
        date: (!after.is_empty()).then(|| after.to_string()),
    })
}

pub(crate) fn is_fence(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with("```") || t.starts_with("~~~")
}

/// The lines of `text` outside fenced code blocks, with their index: a `## ` inside a
/// fence is not a heading.
pub(crate) fn unfenced_lines(text: &str) -> Vec<(usize, &str, bool)> {
    let mut in_fence = false;
    text.lines()
        .enumerate()
        .map(|(i, l)| {
            let fenced = in_fence;
            if is_fence(l) {
                in_fence = !in_fence;
                (i, l, true)
            } else {
                (i, l, fenced)
            }
        })
        .collect()
}

/// Every version heading of the changelog, in order: those at the level of the first one
/// (`# v1.2.0` in one changelog, `## [1.2.0]` in another), so that a `### 2.0 migration`
/// under a release is no release of its own.
pub fn headings(text: &str) -> Vec<Heading> {
    let all: Vec<Heading> = unfenced_lines(text)
        .into_iter()
        .filter(|(_, _, fenced)| !fenced)
        .filter_map(|(_, l, _)| parse_heading(l))
        .collect();
    let Some(level) = all.first().map(|h| h.level) else {
        return all;
    };
    all.into_iter().filter(|h| h.level == level).collect()
}

pub(crate) fn is_link_reference(line: &str) -> bool {
    let t = line.trim();
    t.starts_with('[') && t.contains("]: ")
}

/// The text of the section for `version` (`1.2.3` or `v1.2.3`): the lines after its heading
/// (at the level of the changelog's version headings) up to the next heading of that level
/// or a higher one, without surrounding blank lines or the link reference definitions
/// (`[1.2.3]: https://…`) a Keep a Changelog file ends with. `None` when the changelog has
/// no heading for that version; `Some("")` when the section is empty.
pub fn section(text: &str, version: &str) -> Option<String> {
    let want = strip_v(version);
    let level = headings(text).first()?.level;
    let lines = unfenced_lines(text);
    let start = lines.iter().position(|(_, l, fenced)| {
        !fenced && parse_heading(l).is_some_and(|h| h.level == level && h.version == want)
    })?;
    let body: Vec<&str> = lines[start + 1..]
        .iter()
        .take_while(|(_, l, fenced)| *fenced || heading_level(l).is_none_or(|n| n > level))
        .map(|(_, l, _)| l.trim_end())
        .collect();
    let mut end = body.len();
    while end > 0 && (body[end - 1].trim().is_empty() || is_link_reference(body[end - 1])) {
        end -= 1;
    }
    let first = body[..end]
        .iter()
        .position(|l| !l.trim().is_empty())
        .unwrap_or(end);
    Some(body[first..end].join("\n"))
}
