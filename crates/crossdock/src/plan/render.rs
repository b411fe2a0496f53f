//! The plan as a human reads it (`dist --dry-run`).

use super::*;

impl Plan {
    /// How the builds run at once (`parallel-targets`): the groups that share one cargo,
    /// with its command, and why fewer build at once than asked.
    fn render_parallel(&self, s: &mut String) {
        let why = self
            .parallel_reason
            .as_ref()
            .map(|why| format!(" ({why})"))
            .unwrap_or_default();
        for g in &self.build_groups {
            let targets: Vec<&str> = g.targets.iter().map(Triple::as_str).collect();
            s.push_str(&format!(
                "parallel:  {} in one cargo build (the host's crates built once)\n",
                targets.join(", ")
            ));
            s.push_str(&format!("  run:     {}\n", g.cargo.render()));
        }
        if self.parallel_targets > 1 && self.build_groups.is_empty() {
            s.push_str(&format!(
                "parallel:  {} targets at once, each in its own target dir{why}\n",
                self.parallel_targets
            ));
        } else if self.parallel_targets > 1 {
            s.push_str(&format!(
                "parallel:  {} builds at once (a target outside a group in its own target dir){why}\n",
                self.parallel_targets
            ));
        } else if !why.is_empty() {
            s.push_str(&format!("parallel:  one build at a time{why}\n"));
        }
    }

    /// The plan as a human reads it (`--dry-run`).
    pub fn render(&self) -> String {
        let mut s = String::new();
        s.push_str(&format!("workspace: {}\n", self.workspace_root.display()));
        s.push_str(&format!("profile:   {}\n", self.profile));
        s.push_str(&format!("out dir:   {}\n", self.out_dir.display()));
        s.push_str(&format!(
            "mtime:     {} ({})\n",
            self.source_date_epoch,
            self.epoch_source.describe()
        ));
        if let Some(why) = &self.jobs_reason {
            s.push_str(&format!("jobs:      {} ({why})\n", self.jobs));
        }
        self.render_parallel(&mut s);
        if self.dirty {
            s.push_str("tree:      dirty: uncommitted changes (see `git status`)\n");
        }
        s.push_str(&format!(
            "cache:     {} ({})\n",
            self.cache.wrapper.as_deref().unwrap_or("none"),
            self.cache.why
        ));
        for b in &self.builds {
            s.push_str(&format!(
                "\nbuild {} with {} ({})\n",
                b.target,
                b.builder.name(),
                b.rustc_version
            ));
            let std = match &b.std {
                StdSource::Installed => "installed".to_string(),
                StdSource::RustupAdd { toolchain } => {
                    format!("rustup target add --toolchain {toolchain} {}", b.target)
                }
                StdSource::BuildStd => "built from source (-Zbuild-std)".to_string(),
                StdSource::Missing => "MISSING".to_string(),
            };
            s.push_str(&format!("  std:     {std}\n"));
            for stage in &b.stages {
                stage.render(b, &mut s);
            }
        }
        s.push_str("\nartifacts:\n");
        for a in &self.artifacts {
            let bins: Vec<&str> = a.binaries.iter().map(|b| b.file_name.as_str()).collect();
            let inc: Vec<&str> = a.includes.iter().map(|i| i.dest.as_str()).collect();
            s.push_str(&format!(
                "  {}  [{}]{}\n",
                a.file_name,
                bins.join(", "),
                if inc.is_empty() {
                    String::new()
                } else {
                    format!(" + {}", inc.join(", "))
                }
            ));
            if let Some(copy) = &a.unversioned {
                s.push_str(&format!("  {copy}  (unversioned copy)\n"));
            }
        }
        for u in &self.universals {
            let lipo = match &u.lipo {
                Lipo::Builtin => "built-in writer".to_string(),
                Lipo::External(p) => format!("`{p}`"),
            };
            s.push_str(&format!(
                "  {}  (universal: {}, joined by {lipo})\n",
                u.file_name,
                crate::model::triple::join(&u.members, " + ")
            ));
            if let Some(copy) = &u.unversioned {
                s.push_str(&format!("  {copy}  (unversioned copy)\n"));
            }
        }
        for n in &self.node_packages {
            let names: Vec<&str> = n.platforms.iter().map(|(_, p)| p.name.as_str()).collect();
            s.push_str(&format!(
                "  npm: {}@{} (Node module of `{}`, {}.PLATFORM.node for {})\n",
                n.npm_name,
                n.npm_version,
                n.package,
                n.binary_name,
                names.join(", ")
            ));
            for t in n.tarballs() {
                s.push_str(&format!("    {t}\n"));
            }
            if let Some(note) = &n.note {
                s.push_str(&format!("    note: {note}\n"));
            }
        }
        for sbom in &self.sboms {
            let (target, host) = sbom.counts();
            s.push_str(&format!(
                "  {}  (CycloneDX SBOM: {target} crates in the binary, {host} compiled for the host)\n",
                sbom.file_name
            ));
        }
        if let Some(src) = &self.source_archive {
            s.push_str(&format!(
                "  {}  (source: the tracked files of commit {})\n",
                src.file_name, src.commit
            ));
        }
        s.push_str("  SHA256SUMS, *.sha256, dist-manifest.json\n");
        if let Some(sign) = self.sign {
            s.push_str(&format!(
                "  {}  ({}, the secret key from ${})\n",
                sign.file_name(),
                sign.name(),
                sign.key_var()
            ));
        }
        if !self.installers.is_empty() {
            s.push_str("\ninstallers (covering every archive the out dir holds at the end):\n");
            for r in &self.installers {
                for f in &r.files {
                    s.push_str(&format!("  {}  ({})\n", f.file_name, f.kind.name()));
                }
                for n in &r.native {
                    s.push_str(&format!(
                        "  one .{} of {} per Linux archive  (maintainer {})\n",
                        n.name(),
                        r.package,
                        r.maintainer.as_deref().unwrap_or("?")
                    ));
                }
                if !r.download_url.is_empty() {
                    s.push_str(&format!("    downloads {}\n", r.download_url));
                }
            }
        }
        if !self.skipped.is_empty() {
            s.push_str("\nskipped (this machine cannot build them):\n");
            for k in &self.skipped {
                s.push_str(&format!("  - {}: {}\n", k.target, k.reason));
                if let Some(fix) = &k.fix {
                    s.push_str(&format!("    fix: {fix}\n"));
                }
            }
        }
        if !self.problems.is_empty() {
            s.push_str("\nproblems (the run would stop here):\n");
            for p in &self.problems {
                s.push_str(&format!("  - {p}\n"));
            }
        }
        s
    }
}
