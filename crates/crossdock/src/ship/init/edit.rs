//! Editing the user's `Cargo.toml`, `.gitignore` and `.cargo/config.toml` as text (pure),
//! keeping their formatting; every edit is re-parsed to prove it did what it says.

use super::*;

#[derive(Deserialize)]
pub(crate) struct RootManifest {
    workspace: Option<WorkspaceTable>,
    profile: Option<toml::Table>,
}

#[derive(Deserialize)]
pub(crate) struct WorkspaceTable {
    members: Option<Spanned<Vec<Spanned<String>>>>,
}

pub(crate) fn parse_manifest(path: &str, text: &str) -> Result<RootManifest> {
    toml::from_str(text).with_context(|| format!("cannot parse {path}"))
}

pub(crate) fn member_covers(pattern: &str, member: &str) -> bool {
    let pattern = pattern.trim_end_matches('/');
    pattern == member
        || glob::Pattern::new(pattern)
            .map(|p| p.matches(member))
            .unwrap_or(false)
}

/// The line (without its newline) that `offset` is on, and where it starts.
pub(crate) fn line_at(text: &str, offset: usize) -> (usize, &str) {
    let start = text[..offset].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let end = text[offset..]
        .find('\n')
        .map(|i| offset + i)
        .unwrap_or(text.len());
    (start, &text[start..end])
}

/// Adds `member` to `[workspace] members` of a root Cargo.toml, keeping the rest of the
/// text as it is. `None` when it is a member already. Handles a `members` array (on one
/// line or many), a `[workspace]` without `members`, and a single package without
/// `[workspace]`.
pub fn add_workspace_member(path: &str, text: &str, member: &str) -> Result<Option<String>> {
    let manual = || {
        format!("add \"{member}\" to the `members` of the [workspace] table in {path} by hand, then run init again")
    };
    let parsed = parse_manifest(path, text)?;
    let quoted = toml_string(member);
    let edited = match parsed.workspace.as_ref().map(|w| &w.members) {
        Some(Some(members)) => {
            if members
                .get_ref()
                .iter()
                .any(|m| member_covers(m.get_ref(), member))
            {
                return Ok(None);
            }
            let array = members.span();
            match members.get_ref().last() {
                None => {
                    let mut s = text.to_string();
                    s.replace_range(array, &format!("[{quoted}]"));
                    s
                }
                Some(last) => {
                    let mut end = last.span().end;
                    if text[..end].ends_with(['"', '\'']) || !text[end..].starts_with(['"', '\'']) {
                        // span already includes the closing quote
                    } else {
                        end += 1;
                    }
                    let array_text = &text[array.clone()];
                    let after = &text[end..array.end];
                    let comma = after.trim_start().starts_with(',');
                    let mut s = text.to_string();
                    if array_text.contains('\n') {
                        let (line_start, line) = line_at(text, last.span().start);
                        let indent: String =
                            line.chars().take_while(|c| c.is_whitespace()).collect();
                        let line_end = line_start + line.len();
                        if line_end >= array.end - 1 {
                            // `members = ["a", "b"` + newline-less `]` on the same line: one-line style.
                            s.insert_str(end, &format!(", {quoted}"));
                        } else {
                            s.insert_str(line_end, &format!("\n{indent}{quoted},"));
                            if !comma {
                                s.insert(end, ',');
                            }
                        }
                    } else if comma {
                        let c = end + after.find(',').unwrap_or(0) + 1;
                        s.insert_str(c, &format!(" {quoted}"));
                    } else {
                        s.insert_str(end, &format!(", {quoted}"));
                    }
                    s
                }
            }
        }
        Some(None) => {
            let mut offset = 0;
            let mut header_end = None;
            for line in text.split_inclusive('\n') {
                let t = line.trim();
                if t == "[workspace]"
                    || (t.starts_with("[workspace]") && t[11..].trim_start().starts_with('#'))
                {
                    header_end = Some(offset + line.len());
                    break;
                }
                offset += line.len();
            }
            let Some(at) = header_end else {
                bail!(
                    "{path} defines [workspace] in a form init does not edit: {}",
                    manual()
                );
            };
            let mut s = text.to_string();
            if !s[..at].ends_with('\n') {
                s.insert(at, '\n');
                s.insert_str(at + 1, &format!("members = [{quoted}]\n"));
            } else {
                s.insert_str(at, &format!("members = [{quoted}]\n"));
            }
            s
        }
        None => {
            let mut s = text.to_string();
            if !s.ends_with('\n') {
                s.push('\n');
            }
            s.push_str(&format!("\n[workspace]\nmembers = [{quoted}]\n"));
            s
        }
    };
    let check = parse_manifest(path, &edited)
        .ok()
        .and_then(|m| m.workspace?.members);
    if !check.is_some_and(|m| m.get_ref().iter().any(|x| x.get_ref() == member)) {
        bail!(
            "cannot add \"{member}\" to the workspace members of {path} safely: {}",
            manual()
        );
    }
    Ok(Some(edited))
}

/// Appends `[profile.dist]` (`inherits = "release"`) when the manifest has none.
pub fn add_dist_profile(path: &str, text: &str) -> Result<Option<String>> {
    let parsed = parse_manifest(path, text)?;
    if parsed
        .profile
        .as_ref()
        .is_some_and(|p| p.contains_key("dist"))
    {
        return Ok(None);
    }
    let mut s = text.to_string();
    if !s.ends_with('\n') {
        s.push('\n');
    }
    s.push_str(
        "\n# The profile crossdock builds releases with.\n[profile.dist]\ninherits = \"release\"\n",
    );
    let ok = parse_manifest(path, &s)
        .ok()
        .and_then(|m| m.profile)
        .is_some_and(|p| p.contains_key("dist"));
    if !ok {
        bail!("cannot add [profile.dist] to {path} safely: add `[profile.dist]` with `inherits = \"release\"` by hand");
    }
    Ok(Some(s))
}

/// `.gitignore` with crossdock's default out dir ignored (else `release` would find the
/// archives of the last `cargo xtask dist` and refuse an unclean tree). `None` when it is
/// ignored already.
pub fn add_dist_ignore(existing: Option<&str>) -> Option<String> {
    let text = existing.unwrap_or("");
    let ignored = text.lines().any(|l| {
        matches!(
            l.trim(),
            "dist" | "/dist" | "dist/" | "/dist/" | "dist/*" | "/dist/*"
        )
    });
    if ignored {
        return None;
    }
    let mut s = text.to_string();
    if !s.is_empty() && !s.ends_with('\n') {
        s.push('\n');
    }
    s.push_str("# crossdock's output (`cargo xtask dist`)\n/dist\n");
    Some(s)
}

pub(crate) fn alias_of(text: &str) -> Option<String> {
    let t: toml::Table = text.parse().ok()?;
    let v = t.get("alias")?.as_table()?.get("xtask")?;
    Some(match v {
        toml::Value::String(s) => s.clone(),
        // `xtask = ["run", "--package", "xtask", "--"]`
        toml::Value::Array(a) => a
            .iter()
            .map(|x| x.as_str().unwrap_or("?"))
            .collect::<Vec<_>>()
            .join(" "),
        _ => String::new(),
    })
}

/// The cargo config with the `xtask` alias: the template for a new file, else the existing
/// text with the alias added. `None` when an `xtask` alias exists (whatever it runs).
pub fn add_xtask_alias(path: &str, existing: Option<&str>) -> Result<Option<String>> {
    let Some(text) = existing else {
        return Ok(Some(CARGO_CONFIG_TEMPLATE.to_string()));
    };
    text.parse::<toml::Table>()
        .with_context(|| format!("cannot parse {path}"))?;
    if alias_of(text).is_some() {
        return Ok(None);
    }
    let line = format!("xtask = {}\n", toml_string(XTASK_ALIAS));
    let mut offset = 0;
    let mut header_end = None;
    for l in text.split_inclusive('\n') {
        let t = l.trim();
        if t == "[alias]" || (t.starts_with("[alias]") && t[7..].trim_start().starts_with('#')) {
            header_end = Some(offset + l.len());
            break;
        }
        offset += l.len();
    }
    let mut s = text.to_string();
    match header_end {
        Some(at) if s[..at].ends_with('\n') => s.insert_str(at, &line),
        _ => {
            if !s.is_empty() && !s.ends_with('\n') {
                s.push('\n');
            }
            if !s.is_empty() {
                s.push('\n');
            }
            s.push_str("[alias]\n");
            s.push_str(&line);
        }
    }
    if alias_of(&s).as_deref() != Some(XTASK_ALIAS) {
        bail!("cannot add the xtask alias to {path} safely: add `xtask = \"{XTASK_ALIAS}\"` under [alias] by hand");
    }
    Ok(Some(s))
}
