//! The stand-in `gh` the publish job runs against.

use std::path::{Path, PathBuf};

/// A stand-in `gh` that keeps releases in a directory (`<tag>/draft`, `<tag>/assets/`),
/// answers `release list` from `published`, and logs every command it is given.
pub struct FakeGh {
    pub dir: PathBuf,
}

impl FakeGh {
    pub fn new(root: &Path) -> FakeGh {
        let dir = root.join("gh");
        std::fs::create_dir_all(dir.join("bin")).unwrap();
        let script = r#"#!/usr/bin/env bash
set -euo pipefail
state="$(dirname "$(dirname "$0")")"
echo "gh $*" >> "$state/log"
tag="${3:-}"
case "$1 $2" in
  "release list") cat "$state/published" 2>/dev/null || true ;;
  "release view")
    [ -d "$state/releases/$tag" ] || { echo "release not found" >&2; exit 1; }
    printf '{"isDraft":%s,"assets":[' "$(cat "$state/releases/$tag/draft")"
    sep=""
    for f in "$state/releases/$tag/assets"/*; do
      [ -e "$f" ] || continue
      printf '%s{"name":"%s","size":%s}' "$sep" "${f##*/}" "$(wc -c < "$f")"
      sep=,
    done
    echo ']}' ;;
  "release create")
    mkdir -p "$state/releases/$tag/assets"
    draft=false
    for a in "$@"; do [ "$a" != --draft ] || draft=true; done
    echo "$draft" > "$state/releases/$tag/draft" ;;
  "release edit")
    [ -d "$state/releases/$tag" ] || { echo "release not found" >&2; exit 1; }
    for a in "$@"; do [ "$a" != --draft=false ] || echo false > "$state/releases/$tag/draft"; done ;;
  "release upload")
    shift 3
    for a in "$@"; do [ "$a" = --clobber ] || cp "$a" "$state/releases/$tag/assets/"; done ;;
  "release delete-asset") rm "$state/releases/$tag/assets/$4" ;;
  "release download")
    [ "$4" = --dir ] || { echo "stand-in gh: expected --dir" >&2; exit 2; }
    mkdir -p "$5"
    cp "$state/releases/$tag/assets"/* "$5/" ;;
  *) echo "stand-in gh: unexpected command: $*" >&2; exit 2 ;;
esac
"#;
        let gh = dir.join("bin/gh");
        std::fs::write(&gh, script).unwrap();
        std::fs::set_permissions(&gh, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        FakeGh { dir }
    }
    pub fn bin(&self) -> PathBuf {
        self.dir.join("bin")
    }
    /// The published releases `gh release list` reports (tag names).
    pub fn set_published(&self, tags: &[&str]) {
        let text: String = tags.iter().map(|t| format!("{t}\n")).collect();
        std::fs::write(self.dir.join("published"), text).unwrap();
    }
    /// A release that already exists, with these assets (name, content).
    pub fn seed(&self, tag: &str, draft: bool, assets: &[(&str, &str)]) {
        let d = self.dir.join("releases").join(tag);
        std::fs::create_dir_all(d.join("assets")).unwrap();
        std::fs::write(d.join("draft"), format!("{draft}\n")).unwrap();
        for (name, text) in assets {
            std::fs::write(d.join("assets").join(name), text).unwrap();
        }
    }
    pub fn is_draft(&self, tag: &str) -> Option<bool> {
        std::fs::read_to_string(self.dir.join("releases").join(tag).join("draft"))
            .ok()
            .map(|s| s.trim() == "true")
    }
    pub fn assets(&self, tag: &str) -> PathBuf {
        self.dir.join("releases").join(tag).join("assets")
    }
    /// Every command it was given, one a line.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("log")).unwrap_or_default()
    }
}
