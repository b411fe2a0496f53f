//! The TOML side of init's edits. The user's file is parsed with `toml_edit`, which writes
//! back every part an edit does not touch as it was read (comments, blank lines, spacing,
//! quotes, inline tables), so init never splices TOML text by hand. What toml_edit leaves
//! to its caller is decided here: where a new array item, key or table goes and how it is
//! laid out, so that the addition looks like the user's own lines.
//!
//! toml_edit ends every key and header line with `\n`: a CRLF file is edited as LF and
//! turned back, and [`Doc::finish`] refuses any result that is not the original text with
//! insertions only (a file mixing CRLF and LF, say), so the caller can ask for the edit by
//! hand instead of rewriting what the user wrote.

use anyhow::{Context, Result};
use toml_edit::{Array, DocumentMut, Item, RawString, Table, Value};

pub(crate) struct Doc {
    pub doc: DocumentMut,
    original: String,
    /// The original with CRLF turned into LF when every line ends with CRLF (what toml_edit edits).
    lf: String,
    crlf: bool,
}

impl Doc {
    pub fn parse(path: &str, text: &str) -> Result<Doc> {
        let crlf =
            text.contains("\r\n") && text.matches('\n').count() == text.matches("\r\n").count();
        let lf = if crlf {
            text.replace("\r\n", "\n")
        } else {
            text.to_string()
        };
        let doc = lf
            .parse::<DocumentMut>()
            .with_context(|| format!("cannot parse {path}"))?;
        Ok(Doc {
            doc,
            original: text.to_string(),
            lf,
            crlf,
        })
    }

    /// The edited text; `None` unless it is the original with insertions only. `appended`:
    /// the edit added a table at the end (which then ends with a newline, as it always did).
    pub fn finish(&self, appended: bool) -> Option<String> {
        let mut s = self.doc.to_string();
        // toml_edit ends the last line with a newline: a file without one keeps it so
        // unless a table was added after its last line.
        if !appended && !self.lf.ends_with('\n') && s.ends_with('\n') {
            s.pop();
        }
        if self.crlf {
            s = s.replace('\n', "\r\n");
        }
        only_inserts(&self.original, &s).then_some(s)
    }

    /// Adds `table` as `key` of the table at `parent` (the root when empty; a missing parent
    /// is created without a header), its header after everything in the file, comments at
    /// the end included, with a blank line and then `lead` (a comment) before it. `None`
    /// when a parent is not a table (an inline table, a value).
    pub fn append_table(
        &mut self,
        parent: &[&str],
        key: &str,
        mut table: Table,
        lead: &str,
    ) -> Option<()> {
        let mut before = raw(self.doc.trailing());
        if !before.is_empty() && !before.ends_with('\n') {
            before.push('\n');
        }
        if !self.lf.is_empty() {
            before.push('\n');
        }
        table.decor_mut().set_prefix(format!("{before}{lead}"));
        table.set_position(last_position(self.doc.as_table()) + 1);
        let mut at = self.doc.as_table_mut();
        for name in parent {
            let mut implicit = Table::new();
            implicit.set_implicit(true);
            at = at
                .entry(name)
                .or_insert(Item::Table(implicit))
                .as_table_mut()?;
        }
        at.insert(key, Item::Table(table));
        self.doc.set_trailing("");
        Some(())
    }
}

/// Whether `edited` is `original` with bytes inserted only: none changed, dropped or moved.
pub(crate) fn only_inserts(original: &str, edited: &str) -> bool {
    let mut rest = edited.bytes();
    original.bytes().all(|b| rest.any(|e| e == b))
}

fn raw(s: &RawString) -> String {
    s.as_str().unwrap_or_default().to_string()
}

fn last_position(table: &Table) -> usize {
    let own = table.position().unwrap_or(0);
    table.iter().fold(own, |max, (_, item)| match item {
        Item::Table(t) => max.max(last_position(t)),
        Item::ArrayOfTables(a) => a.iter().map(last_position).fold(max, usize::max),
        _ => max,
    })
}

/// Moves `key` (just inserted) first in `table`, right under its header, where a reader
/// of the table looks, indented as the key it goes before; the other keys keep their
/// order and comments.
pub(crate) fn put_first(table: &mut Table, key: &str) {
    table.sort_values_by(|a, _, b, _| (b.get() == key).cmp(&(a.get() == key)));
    let next = table.iter().nth(1).map(|(k, _)| k.to_string());
    let indent = next
        .and_then(|k| table.key(&k)?.leaf_decor().prefix().map(raw))
        .map(|p| p[p.rfind('\n').map_or(0, |i| i + 1)..].to_string())
        .unwrap_or_default();
    if let Some(mut k) = table.key_mut(key) {
        k.leaf_decor_mut().set_prefix(indent);
    }
}

/// Appends `item` to `array` as the array is laid out: after the last item when the `]`
/// is on its line (`["a", "b"]` → `["a", "b", "xtask"]`), else on a line of its own under
/// the last item's line, with that item's indent and a trailing comma. An empty array
/// becomes `["xtask"]`, or, when its `]` is on a later line, gets the item on a line of its
/// own after any comments.
pub(crate) fn push_like_the_others(array: &mut Array, item: &str) {
    let mut value = Value::from(item);
    value.decor_mut().clear();
    let trailing = raw(array.trailing());
    let Some(last) = array.len().checked_sub(1) else {
        match trailing.rfind('\n') {
            None => value.decor_mut().set_prefix(trailing.as_str()),
            Some(cut) => {
                let (head, rest) = trailing.split_at(cut);
                let indent = indent_of_last_line(head).unwrap_or("    ");
                value.decor_mut().set_prefix(format!("{head}\n{indent}"));
                array.set_trailing(rest);
                array.set_trailing_comma(true);
            }
        }
        array.push_formatted(value);
        return;
    };
    let comma = array.trailing_comma();
    let suffix = array
        .get(last)
        .and_then(|v| v.decor().suffix())
        .map(raw)
        .unwrap_or_default();
    // What follows the last item up to the `]`.
    let after = if comma { &trailing } else { &suffix };
    match after.find('\n') {
        None => {
            value.decor_mut().set_prefix(" ");
            array.set_trailing_comma(false);
        }
        Some(nl) => {
            // The rest of the last item's line (its comment) stays on that line.
            let (head, rest) = after.split_at(nl);
            value
                .decor_mut()
                .set_prefix(format!("{head}\n{}", indent_of_items(array)));
            let rest = if comma {
                rest.to_string()
            } else {
                if let Some(v) = array.get_mut(last) {
                    v.decor_mut().set_suffix("");
                }
                format!("{rest}{trailing}")
            };
            array.set_trailing(rest);
            array.set_trailing_comma(true);
        }
    }
    array.push_formatted(value);
}

/// The indent of the line the last item is on (four spaces when the items start on the
/// line of the `[`).
fn indent_of_items(array: &Array) -> String {
    (0..array.len())
        .rev()
        .filter_map(|i| array.get(i))
        .find_map(|v| {
            let prefix = raw(v.decor().prefix()?);
            indent_of_last_line(&prefix).map(str::to_string)
        })
        .unwrap_or_else(|| "    ".to_string())
}

/// The leading blanks of the last line of `text`, when `text` has more than one line.
fn indent_of_last_line(text: &str) -> Option<&str> {
    let line = &text[text.rfind('\n')? + 1..];
    Some(&line[..line.len() - line.trim_start().len()])
}
