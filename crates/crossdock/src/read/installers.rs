//! The `[dist]` keys of installers: `installers = [...]`, `download-url` and `maintainer`,
//! checked here so that a wrong value points at its line before anything is planned.

use anyhow::{bail, Context, Result};

/// The placeholders a `download-url` may hold.
pub const URL_PLACEHOLDERS: [&str; 4] = ["{tag}", "{version}", "{package}", "{file}"];

/// Checks a `download-url` template; the message says what is wrong with it.
pub fn check_download_url(url: &str) -> Result<(), String> {
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err("must start with https:// (or http://)".into());
    }
    // The URL is written into shell, PowerShell and Ruby strings: no quoting characters.
    if let Some(c) = url
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || "'\"`\\$;|&<>#^".contains(*c))
    {
        return Err(format!("must not contain {c:?}"));
    }
    let mut rest = url;
    while let Some(open) = rest.find('{') {
        let Some(len) = rest[open..].find('}') else {
            return Err("has a `{` without its `}`".into());
        };
        let placeholder = &rest[open..open + len + 1];
        if !URL_PLACEHOLDERS.contains(&placeholder) {
            return Err(format!(
                "unknown placeholder `{placeholder}`; the known ones are {}",
                URL_PLACEHOLDERS.join(", ")
            ));
        }
        rest = &rest[open + len + 1..];
    }
    if rest.contains('}') {
        return Err("has a `}` without its `{`".into());
    }
    if !url.contains("{file}") {
        return Err(
            "must contain `{file}` (the archive's file name), e.g. \"https://example.com/releases/{tag}/{file}\"".into(),
        );
    }
    Ok(())
}

/// `https://github.com/OWNER/REPO/releases/download/{tag}/{file}` for a GitHub
/// `repository` URL (`https://github.com/OWNER/REPO`, with or without `.git` or a
/// trailing `/`); `None` for anything else.
pub fn github_download_url(repository: &str) -> Option<String> {
    let rest = repository
        .strip_prefix("https://github.com/")
        .or_else(|| repository.strip_prefix("http://github.com/"))?;
    let rest = rest.trim_end_matches('/');
    let rest = rest.strip_suffix(".git").unwrap_or(rest);
    let mut parts = rest.split('/');
    let (Some(owner), Some(repo), None) = (parts.next(), parts.next(), parts.next()) else {
        return None;
    };
    let word = |s: &str| crate::read::words::is_plain_word(s, &[]);
    if !word(owner) || !word(repo) {
        return None;
    }
    Some(format!(
        "https://github.com/{owner}/{repo}/releases/download/{{tag}}/{{file}}"
    ))
}

/// The OWNER of a GitHub `repository` URL (as [`github_download_url`] reads it).
pub fn github_owner(repository: &str) -> Option<String> {
    let url = github_download_url(repository)?;
    let rest = url.strip_prefix("https://github.com/")?;
    Some(rest.split('/').next()?.to_string())
}

/// `url` with `{tag}`, `{version}` and `{package}` filled in (`{file}` stays).
pub fn fill_release(url: &str, tag: &str, version: &str, package: &str) -> String {
    url.replace("{tag}", tag)
        .replace("{version}", version)
        .replace("{package}", package)
}

/// The maintainer line: `[dist] maintainer` when set, else the first Cargo.toml author that
/// has an e-mail address (both formats want `Name <email>`).
pub fn maintainer(package: &str, configured: Option<&str>, authors: &[String]) -> Result<String> {
    // One line, one `<email>`, and a name without the characters that make Debian's
    // contact fields ambiguous (issue 20 §6: a newline in `authors` used to inject fields).
    let shaped = |s: &str| {
        let s = s.trim();
        !s.chars().any(char::is_control)
            && s.matches('<').count() == 1
            && s.matches('>').count() == 1
            && s.find('<').is_some_and(|i| {
                i > 0
                    && s.ends_with('>')
                    && s[i..].contains('@')
                    && !s[..i].contains([',', ':', '"'])
            })
    };
    if let Some(m) = configured {
        if !shaped(m) {
            bail!("`[dist] maintainer = {m:?}` is not `Name <email>` on one line (no `,`, `:` or `\"` in the name); write it as e.g. `maintainer = \"Jane Doe <jane@example.org>\"`");
        }
        return Ok(m.trim().to_string());
    }
    authors
        .iter()
        .find(|a| shaped(a))
        .map(|a| a.trim().to_string())
        .with_context(|| {
            format!("the .deb/.rpm of {package} needs a maintainer `Name <email>`, and no Cargo.toml author of {package} has that shape ({authors:?}); set `authors = [\"Name <email>\"]` in its Cargo.toml or `maintainer = \"Name <email>\"` in `[dist]` of the config file this error names")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maintainer_comes_from_config_then_authors() {
        let authors = vec![
            "Nobody".to_string(),
            "Jane Doe <jane@example.org>".to_string(),
        ];
        assert_eq!(
            maintainer("app", None, &authors).unwrap(),
            "Jane Doe <jane@example.org>"
        );
        assert_eq!(
            maintainer("app", Some("Ops <ops@example.org>"), &authors).unwrap(),
            "Ops <ops@example.org>"
        );
        let e = maintainer("app", None, &["Nobody".into()])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("authors = [") && e.contains("maintainer ="),
            "{e}"
        );
        let e = maintainer("app", Some("ops"), &authors)
            .unwrap_err()
            .to_string();
        assert!(e.contains("not `Name <email>`"), "{e}");
        // Issue 20 §6: a contact that would add a field or be malformed is never taken.
        let hostile = [
            "Evil\nDepends: evil <evil@example.org>",
            "Evil <evil@example.org>\nDepends: evil",
            "Evil: Depends <evil@example.org>",
            "A, B <ab@example.org>",
            "A <a@example.org> <b@example.org>",
        ];
        for h in hostile {
            assert!(maintainer("app", Some(h), &[]).is_err(), "{h:?}");
            assert_eq!(
                maintainer("app", None, &[h.into(), "Jane <j@example.org>".into()]).unwrap(),
                "Jane <j@example.org>",
                "{h:?}"
            );
        }
    }

    #[test]
    fn download_url_placeholders_are_checked() {
        check_download_url("https://example.com/{tag}/{file}").unwrap();
        check_download_url("http://127.0.0.1:8000/{package}-{version}/{file}").unwrap();
        let e = check_download_url("https://example.com/{tga}/{file}").unwrap_err();
        assert!(e.contains("unknown placeholder `{tga}`"), "{e}");
        let e = check_download_url("https://example.com/{tag}/").unwrap_err();
        assert!(e.contains("must contain `{file}`"), "{e}");
        let e = check_download_url("ftp://example.com/{file}").unwrap_err();
        assert!(e.contains("https://"), "{e}");
        let e = check_download_url("https://example.com/'$(x)'/{file}").unwrap_err();
        assert!(e.contains("must not contain"), "{e}");
        let e = check_download_url("https://example.com/{file").unwrap_err();
        assert!(e.contains("without its `}`"), "{e}");
    }

    #[test]
    fn github_repository_urls_give_release_downloads() {
        let want = "https://github.com/o/r/releases/download/{tag}/{file}";
        for repo in [
            "https://github.com/o/r",
            "https://github.com/o/r/",
            "https://github.com/o/r.git",
        ] {
            assert_eq!(github_download_url(repo).as_deref(), Some(want), "{repo}");
        }
        assert_eq!(github_download_url("https://gitlab.com/o/r"), None);
        assert_eq!(
            github_owner("https://github.com/my-org/r.git").as_deref(),
            Some("my-org")
        );
        assert_eq!(github_owner("https://gitlab.com/o/r"), None);
        assert_eq!(
            github_download_url("https://github.com/o/r/tree/main"),
            None
        );
        assert_eq!(
            fill_release(want, "v1.0.0", "1.0.0", "app"),
            "https://github.com/o/r/releases/download/v1.0.0/{file}"
        );
    }
}
