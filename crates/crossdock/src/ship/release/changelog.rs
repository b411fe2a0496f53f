//! Changelog parsing (pure): the `## [1.2.3] - date` headings and the text of a version's
//! section, which becomes the release notes.

/// A `## …` heading of a changelog that names a version (or `Unreleased`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    /// As written, without brackets or a leading `v`: `1.2.3`, `Unreleased`.
    pub version: String,
    /// The text after ` - `, if any: `2026-11-25`.
    pub date: Option<String>,
}

/// `1.2.3` for `1.2.3`, `v1.2.3` and `V1.2.3`.
pub fn strip_v(version: &str) -> &str {
    match version.strip_prefix(['v', 'V']) {
        Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => rest,
        _ => version,
    }
}

/// Parses a level-2 heading: `## [1.2.3]`, `## 1.2.3`, `## v1.2.3`, `## [v1.2.3](link)`,
/// each optionally followed by ` - date` (or `(date)`). Other lines give `None`.
pub fn parse_heading(line: &str) -> Option<Heading> {
    let rest = line.trim_end().strip_prefix("##")?;
    if !rest.starts_with([' ', '\t']) {
        return None;
    }
    let rest = rest.trim();
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
    if !version.starts_with(|c: char| c.is_ascii_digit())
        && !version.eq_ignore_ascii_case("unreleased")
    {
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
        version,
        date: (!after.is_empty()).then(|| after.to_string()),
    })
}

/// A line that starts a section of level 1 or 2 (`# …`, `## …`), which ends the previous one.
pub(crate) fn is_section_break(line: &str) -> bool {
    let t = line.trim_end();
    t == "#" || t == "##" || t.starts_with("# ") || t.starts_with("## ")
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

/// Every version heading of the changelog, in order.
pub fn headings(text: &str) -> Vec<Heading> {
    unfenced_lines(text)
        .into_iter()
        .filter(|(_, _, fenced)| !fenced)
        .filter_map(|(_, l, _)| parse_heading(l))
        .collect()
}

pub(crate) fn is_link_reference(line: &str) -> bool {
    let t = line.trim();
    t.starts_with('[') && t.contains("]: ")
}

/// The text of the section for `version` (`1.2.3` or `v1.2.3`): the lines after its heading
/// up to the next `#`/`##` heading, without surrounding blank lines or the link reference
/// definitions (`[1.2.3]: https://…`) a Keep a Changelog file ends with. `None` when the
/// changelog has no heading for that version; `Some("")` when the section is empty.
pub fn section(text: &str, version: &str) -> Option<String> {
    let want = strip_v(version);
    let lines = unfenced_lines(text);
    let start = lines.iter().position(|(_, l, fenced)| {
        !fenced && parse_heading(l).is_some_and(|h| h.version == want)
    })?;
    let body: Vec<&str> = lines[start + 1..]
        .iter()
        .take_while(|(_, l, fenced)| *fenced || !is_section_break(l))
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
