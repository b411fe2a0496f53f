//! `targets.toml` as written ([`raw::File`]) → the checked [`Config`], key by key: the
//! run's `[dist]` keys, the defaults targets inherit, each `[[target]]` and each
//! `[[universal]]`. Every refusal points at the key in the file and says the fix.

use super::*;

/// What a `[[target]]` takes from `[dist]` when it does not say.
struct Defaults {
    strip: Strip,
    separate_debuginfo: bool,
    sbom: bool,
    auditable: bool,
    smoke: Smoke,
    formats: Vec<ArchiveFormat>,
    test: bool,
}

impl Config {
    pub(super) fn check(mut self, file: raw::File) -> Result<Config> {
        let mut d = file.dist;
        self.packages = d
            .packages
            .take()
            .map(|ps| ps.into_iter().map(spanned).collect::<Vec<_>>());
        self.include = std::mem::take(&mut d.include)
            .into_iter()
            .map(spanned)
            .collect();
        self.headers = std::mem::take(&mut d.headers)
            .into_iter()
            .map(spanned)
            .collect();
        for (pattern, span) in &self.headers {
            crate::read::include::check_pattern(&self, pattern, *span)?;
        }
        self.profile = d.profile.clone();
        self.check_run_keys(&d)?;
        self.cargo = d.cargo.clone();
        self.rustc = d.rustc.clone();
        self.check_installer_keys(&d)?;
        self.maintainer = d.maintainer.clone();
        let defaults = self.defaults(&d)?;
        self.check_naming(&d)?;
        if file.target.is_empty() {
            bail!(
                "{}: no [[target]] tables: list at least one triple, e.g.\n\n[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"",
                self.path.display()
            );
        }
        for t in file.target {
            let target = self.check_target(t, &defaults)?;
            self.targets.push(target);
        }
        for u in file.universal {
            let universal = self.check_universal(u)?;
            self.universals.push(universal);
        }
        Ok(self)
    }

    /// `jobs`, `unstripped-size`, `parallel-targets`, `cache`, `size-warn`.
    fn check_run_keys(&mut self, d: &raw::Dist) -> Result<()> {
        if let Some(j) = &d.jobs {
            if *j.get_ref() == 0 {
                return Err(self.error(
                    Span::from(j.span()),
                    "key `jobs`: must be at least 1 (leave it out for as many as CPUs and memory allow)".into(),
                ));
            }
        }
        self.jobs = d.jobs.as_ref().map(|j| *j.get_ref());
        self.unstripped_size = d.unstripped_size.unwrap_or(true);
        self.npm_publish = d.npm_publish.unwrap_or(false);
        self.source_archive = d.source_archive.unwrap_or(false);
        self.verify = d.verify.unwrap_or(false);
        if let Some(v) = &d.parallel_targets {
            let parsed = match v.get_ref() {
                toml::Value::Integer(n) if *n >= 1 => Some(ParallelTargets::Count(
                    usize::try_from(*n).unwrap_or(usize::MAX),
                )),
                toml::Value::String(s) if s == "auto" => Some(ParallelTargets::Auto),
                _ => None,
            };
            self.parallel_targets = Some(parsed.ok_or_else(|| {
                self.error(
                    Span::from(v.span()),
                    "key `parallel-targets`: must be a number of targets built at once (at least 1) or \"auto\" (as many as memory and cores allow); leave it out to build one target at a time".into(),
                )
            })?);
        }
        if let Some(s) = &d.sign {
            let name = s.get_ref();
            self.sign = Some(crate::model::sign::Sign::parse(name).ok_or_else(|| {
                self.error(
                    Span::from(s.span()),
                    format!(
                        "key `sign`: unknown `{name}`; expected one of: {}",
                        crate::model::sign::Sign::NAMES.join(", ")
                    ),
                )
            })?);
        }
        if let Some(c) = &d.cache {
            let span = Span::from(c.span());
            self.cache = match c.get_ref().as_str() {
                "auto" => Cache::Auto,
                "sccache" => Cache::Sccache,
                "none" => Cache::None,
                other => return Err(self.error(
                    span,
                    format!("key `cache`: unknown `{other}`; expected \"auto\" (sccache when it is on PATH), \"sccache\" or \"none\""),
                )),
            };
        }
        if let Some(v) = &d.size_warn {
            let percent = v.get_ref().as_str().and_then(crate::read::percent::parse);
            self.size_warn = Some(percent.ok_or_else(|| {
                self.error(
                    Span::from(v.span()),
                    format!(
                        "key `size-warn`: `{}` is not a percentage; write it as a string such as \"10%\" (warn when a binary or archive grew by more than that)",
                        self.source.get(v.span()).unwrap_or("?")
                    ),
                )
            })?);
        }
        Ok(())
    }

    /// `installers`, `download-url`.
    fn check_installer_keys(&mut self, d: &raw::Dist) -> Result<()> {
        if let Some(list) = &d.installers {
            self.installers_span = Span::from(list.span());
            for item in list.get_ref() {
                let span = Span::from(item.span());
                let Some(i) = Installer::parse(item.get_ref()) else {
                    return Err(self.error(
                        span,
                        format!(
                            "key `installers`: unknown installer `{}`; the valid ones are {}",
                            item.get_ref(),
                            Installer::valid_list()
                        ),
                    ));
                };
                if !self.installers.contains(&i) {
                    self.installers.push(i);
                }
            }
        }
        if let Some(url) = &d.download_url {
            let span = Span::from(url.span());
            if let Err(why) = crate::read::installers::check_download_url(url.get_ref()) {
                return Err(self.error(span, format!("key `download-url`: {why}")));
            }
            self.download_url = Some((url.get_ref().clone(), span));
        }
        if let Some(tap) = &d.homebrew_tap {
            let span = Span::from(tap.span());
            let name = tap.get_ref();
            let plain = name
                .split_once('/')
                .is_some_and(|(o, r)| is_plain_word(o, &[]) && is_plain_word(r, &[]));
            if !plain {
                return Err(self.error(
                    span,
                    format!("key `homebrew-tap`: \"{}\" is not a GitHub repository; write it as \"OWNER/REPO\", e.g. \"my-org/homebrew-tap\"", name.escape_debug()),
                ));
            }
            if !self.installers.contains(&Installer::Homebrew) {
                return Err(self.error(
                    span,
                    format!("key `homebrew-tap`: the release writes no Homebrew formula to push to {name}; add \"homebrew\" to `installers`"),
                ));
            }
            self.homebrew_tap = Some(name.clone());
        }
        if let Some(publisher) = &d.winget_publisher {
            let span = Span::from(publisher.span());
            let name = publisher.get_ref();
            if !crate::model::installer::is_winget_segment(name) {
                return Err(self.error(
                    span,
                    format!("key `winget-publisher`: \"{}\" cannot start a winget PackageIdentifier (1 to 32 characters, no `.`, spaces or any of \\ / : * ? \" < > |); write it as e.g. \"MyOrg\"", name.escape_debug()),
                ));
            }
            if !self.installers.contains(&Installer::Winget) {
                return Err(self.error(
                    span,
                    format!("key `winget-publisher`: the release writes no winget manifest to publish as {name}; add \"winget\" to `installers`"),
                ));
            }
            self.winget_publisher = Some(name.clone());
        }
        Ok(())
    }

    /// `[dist]`'s `strip`, `debuginfo`, `smoke`, `formats` and `test`, which targets inherit.
    fn defaults(&mut self, d: &raw::Dist) -> Result<Defaults> {
        let default_strip = match d.strip.clone() {
            Some(s) => self.strip(s)?,
            None => Strip::Symbols,
        };
        let default_debuginfo = match d.debuginfo.clone() {
            Some(v) => self.debuginfo(v)?,
            None => false,
        };
        let default_smoke = match d.smoke.clone() {
            Some(s) => self.smoke(s).0,
            None => Smoke::default(),
        };
        self.smoke_tables.extend(
            default_smoke
                .binaries
                .iter()
                .map(|(name, (_, span))| (None, name.clone(), *span)),
        );
        let default_formats = match d.formats.clone() {
            None => vec![ArchiveFormat::TarGz],
            Some(list) => self.formats(list)?,
        };
        Ok(Defaults {
            strip: default_strip,
            separate_debuginfo: default_debuginfo,
            sbom: d.sbom.unwrap_or(false),
            auditable: d.auditable.unwrap_or(false),
            smoke: default_smoke,
            formats: default_formats,
            test: d.test.unwrap_or(false),
        })
    }

    /// `archive-name` and `unversioned-copy`.
    fn check_naming(&mut self, d: &raw::Dist) -> Result<()> {
        if let Some(t) = &d.archive_name {
            let span = Span::from(t.span());
            self.naming.template = ArchiveName::parse(t.get_ref()).map_err(|why| {
                self.error(
                    span,
                    format!("key `archive-name`: \"{}\" {why}", t.get_ref()),
                )
            })?;
            self.archive_name_span = Some(span);
        }
        self.naming.unversioned_copy = d.unversioned_copy.unwrap_or(false);
        if self.naming.unversioned_copy && !self.naming.template.has_version() {
            return Err(self.error(
                self.archive_name_span.unwrap_or_default(),
                format!("key `unversioned-copy`: archive-name \"{}\" has no {{version}}, so the archives' names are unversioned already; drop `unversioned-copy` or add {{version}} to `archive-name`", self.naming.template),
            ));
        }
        Ok(())
    }

    /// One `[[target]]`, with what it does not say taken from `defaults`.
    fn check_target(&mut self, mut t: raw::Target, defaults: &Defaults) -> Result<Target> {
        let (triple, glibc, span) = self.triple_and_glibc(t.triple.clone(), t.glibc.take())?;
        if let Some(prev) = self.targets.iter().find(|p| p.triple == triple) {
            let (line, _) = line_col(&self.source, prev.span.start);
            return Err(self.error(
                span,
                format!("target `{triple}` is listed twice (first at line {line}): keep one [[target]] per triple"),
            ));
        }
        let formats = self.target_formats(t.archive.take(), &triple, &defaults.formats)?;
        let builder = self.builder(t.builder.take(), glibc.is_some())?;
        let separate_debuginfo = match t.debuginfo.take() {
            Some(v) => self.debuginfo(v)?,
            None => defaults.separate_debuginfo,
        };
        if glibc.is_some() && !builder.builds_for_glibc_floor() {
            return Err(self.error(
                span,
                format!("target `{triple}`: a glibc floor is built with cargo-zigbuild (zig links against that glibc version); remove `builder` or set builder = \"zigbuild\""),
            ));
        }
        let smoke = match t.smoke.take() {
            None => defaults.smoke.clone(),
            Some(s) => {
                let (own, is_table) = self.smoke(s);
                self.smoke_tables.extend(
                    own.binaries
                        .iter()
                        .map(|(name, (_, span))| (Some(triple.clone()), name.clone(), *span)),
                );
                own.over(&defaults.smoke, is_table)
            }
        };
        if t.runner.as_ref().is_some_and(Vec::is_empty) {
            return Err(self.error(
                span,
                format!("target `{triple}`: key `runner` is empty; give the program and its arguments, e.g. [\"qemu-aarch64\", \"-L\", \"/usr/aarch64-linux-gnu\"]"),
            ));
        }
        let strip = match t.strip.take() {
            Some(s) => self.strip(s)?,
            None => defaults.strip,
        };
        self.check_target_keys(&t, &triple, span, strip, separate_debuginfo)?;
        let auditable = t.auditable.unwrap_or(defaults.auditable);
        if auditable
            && crate::model::triple::Triple::new(&triple).format()
                != crate::model::triple::Format::Elf
        {
            return Err(self.error(
                span,
                format!("target `{triple}`: auditable = true adds the dependency list to the linked binary as an ELF section (`.dep-v0`), and this target's binaries are not ELF; PE and Mach-O are not supported yet: set auditable = false for this target (its SBOM, `sbom = true`, lists the same crates), or build it with cargo-auditable (`cargo auditable build`)"),
            ));
        }
        Ok(Target {
            strip,
            sources: Sources {
                shared: Sources::name_of(&self.path),
                local: None,
            },
            triple: triple.into(),
            span,
            features: t.features,
            no_default_features: t.no_default_features,
            linker: t.linker,
            runner: t.runner,
            formats,
            cargo: t.cargo,
            rustc: t.rustc,
            env: t.env,
            smoke,
            build_std: t.build_std,
            builder,
            rustflags: t.rustflags,
            github_runner: t.github_runner,
            cc: t.cc,
            ar: t.ar,
            glibc,
            separate_debuginfo,
            sbom: t.sbom.unwrap_or(defaults.sbom),
            auditable,
            test: t.test.unwrap_or(defaults.test),
        })
    }

    /// The triple as written, split from a cargo-zigbuild glibc suffix
    /// (`x86_64-unknown-linux-gnu.2.17`), and the glibc floor from that or key `glibc`.
    fn triple_and_glibc(
        &self,
        written: toml::Spanned<String>,
        glibc: Option<toml::Spanned<String>>,
    ) -> Result<(String, Option<String>, Span)> {
        let (written, span) = spanned(written);
        if let Some(bad) = written
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || "-_.".contains(*c)))
        {
            return Err(self.error(
                span,
                format!("target `{}`: not a target triple: it holds {bad:?}; a triple is letters, digits, `-` and `_`, like `x86_64-unknown-linux-gnu` (`rustc --print target-list` lists them)", written.escape_debug()),
            ));
        }
        // cargo-zigbuild's `x86_64-unknown-linux-gnu.2.17`: the triple and a glibc floor.
        let (triple, suffix) = match written.split_once('.') {
            Some((t, v)) => (t.to_string(), Some((v.to_string(), span))),
            None => (written.clone(), None),
        };
        let glibc_key = glibc.map(|g| {
            let sp = Span::from(g.span());
            (g.into_inner(), sp)
        });
        if suffix.is_some() && glibc_key.is_some() {
            return Err(self.error(
                span,
                format!("target `{written}`: the glibc floor is given twice (triple suffix and key `glibc`); keep `triple = \"{triple}\"` and `glibc`"),
            ));
        }
        let glibc = match suffix.or(glibc_key) {
            None => None,
            Some((v, sp)) => {
                let numeric = v.split('.').count() == 2
                    && v.split('.')
                        .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
                if !numeric {
                    return Err(self.error(
                        sp,
                        format!(
                            "target `{written}`: glibc floor `{v}` is not a version like \"2.17\""
                        ),
                    ));
                }
                if !Triple::new(&triple).is_linux_gnu() {
                    return Err(self.error(
                        sp,
                        format!("target `{written}`: a glibc floor applies to `*-linux-gnu*` targets only (musl binaries are static, other systems have no glibc)"),
                    ));
                }
                Some(v)
            }
        };
        Ok((triple, glibc, span))
    }

    /// `archive` of a target: its one format, else zip on Windows, else `[dist]`'s formats.
    fn target_formats(
        &self,
        archive: Option<toml::Spanned<String>>,
        triple: &str,
        default: &[ArchiveFormat],
    ) -> Result<Vec<ArchiveFormat>> {
        Ok(match archive {
            None if crate::model::triple::Triple::new(triple).is_windows() => {
                vec![ArchiveFormat::Zip]
            }
            None => default.to_vec(),
            Some(a) => vec![{
                let sp = Span::from(a.span());
                let value = a.into_inner();
                ArchiveFormat::from_key(&value).ok_or_else(|| {
                    self.error(
                        sp,
                        format!(
                            "key `archive`: unknown format `{value}`; expected {}",
                            FORMATS_EXPECTED
                        ),
                    )
                })?
            }],
        })
    }

    /// `builder`: cargo, zigbuild (also the default with a glibc floor) or cross.
    fn builder(&self, value: Option<toml::Spanned<String>>, has_glibc: bool) -> Result<Builder> {
        Ok(match value {
            None if has_glibc => Builder::Zigbuild,
            None => Builder::Cargo,
            Some(b) => {
                let sp = Span::from(b.span());
                let value = b.into_inner();
                Builder::from_key(&value).ok_or_else(|| {
                    self.error(
                        sp,
                        format!(
                            "key `builder`: unknown builder `{value}`; expected {}",
                            Builder::EXPECTED
                        ),
                    )
                })?
            }
        })
    }

    /// A target's keys that only need checking: `strip` with `debuginfo`, `env`,
    /// `github-runner`.
    fn check_target_keys(
        &self,
        t: &raw::Target,
        triple: &str,
        span: Span,
        strip: Strip,
        separate_debuginfo: bool,
    ) -> Result<()> {
        if separate_debuginfo && strip == Strip::None {
            return Err(self.error(
                span,
                format!("target `{triple}`: debuginfo = \"separate\" splits the debug info out of the shipped binary, but strip = false ships it inside; set strip = true or \"debuginfo\", or debuginfo = \"off\""),
            ));
        }
        let parsed = crate::model::triple::Triple::new(triple);
        if separate_debuginfo
            && parsed.format() == crate::model::triple::Format::Pe
            && !parsed.is_windows_gnu()
        {
            return Err(self.error(
                span,
                format!("target `{triple}`: debuginfo = \"separate\" is supported for ELF (Linux, BSD), Mach-O (.dSYM) and windows-gnu targets; MSVC's linker writes its debug info to a .pdb, which crossdock does not package yet: set debuginfo = \"off\" for this target"),
            ));
        }
        for key in t.env.keys() {
            if key.is_empty() || key.contains(['=', '\0']) {
                return Err(self.error(
                    span,
                    format!("target `{triple}`: key `env`: {key:?} is not an environment variable name (empty, or with `=` or NUL); use e.g. env = {{ CC = \"clang\" }}"),
                ));
            }
        }
        if let Some(r) = t
            .github_runner
            .as_deref()
            .filter(|r| !is_plain_word(r, &[]))
        {
            return Err(self.error(
                span,
                format!("target `{triple}`: key `github-runner` = {r:?} is not a runner label (letters, digits, `.`, `_`, `-`), e.g. \"ubuntu-24.04-arm\""),
            ));
        }
        Ok(())
    }

    /// One `[[universal]]`: a plain name that is no triple, two or more apple members of
    /// the matrix, a known lipo.
    fn check_universal(&self, u: raw::Universal) -> Result<Universal> {
        let (name, span) = spanned(u.name);
        // The name becomes a file name and a YAML value: one plain word.
        if !is_plain_word(&name, &[]) {
            return Err(self.error(
                span,
                format!("universal `{name}`: key `name` may hold only letters, digits, `.`, `_` and `-` (it names the archive), e.g. \"universal-apple-darwin\""),
            ));
        }
        if self.targets.iter().any(|t| t.triple == name) {
            return Err(self.error(
                span,
                format!("universal `{name}`: key `name` is a target's triple, so the fat archive would replace that target's own; use e.g. \"universal-apple-darwin\""),
            ));
        }
        let tool = self.lipo_tool(u.tool)?;
        let targets: Vec<(Triple, Span)> = u
            .targets
            .into_iter()
            .map(|t| {
                let (t, span) = spanned(t);
                (Triple::from(t), span)
            })
            .collect();
        for (t, sp) in &targets {
            let Some(target) = self.targets.iter().find(|x| &x.triple == t) else {
                return Err(self.error(
                    *sp,
                    format!("universal `{name}`: target `{t}` is not in the matrix; add a [[target]] with triple = \"{t}\""),
                ));
            };
            if !crate::model::triple::Triple::new(&target.triple).is_apple() {
                return Err(self.error(
                    *sp,
                    format!("universal `{name}`: target `{t}` does not build Mach-O; a universal binary joins apple targets such as x86_64-apple-darwin and aarch64-apple-darwin"),
                ));
            }
        }
        if targets.len() < 2 {
            return Err(self.error(
                span,
                format!("universal `{name}`: key `targets` needs at least two apple targets"),
            ));
        }
        Ok(Universal {
            name,
            span,
            targets,
            keep_thin: u.keep_thin.unwrap_or(true),
            tool,
        })
    }

    /// `tool` of a `[[universal]]`.
    fn lipo_tool(&self, value: Option<toml::Spanned<String>>) -> Result<LipoTool> {
        Ok(match value {
            None => LipoTool::Auto,
            Some(t) => {
                let sp = Span::from(t.span());
                match t.into_inner().as_str() {
                    "auto" => LipoTool::Auto,
                    "builtin" => LipoTool::Builtin,
                    "lipo" => LipoTool::Lipo,
                    "llvm-lipo" => LipoTool::LlvmLipo,
                    other => return Err(self.error(
                        sp,
                        format!("key `tool`: unknown `{other}`; expected \"auto\", \"builtin\", \"lipo\" or \"llvm-lipo\""),
                    )),
                }
            }
        })
    }

    /// A `smoke` value, checked; and whether it was a table (which merges with `[dist]`'s).
    fn smoke(&self, value: toml::Spanned<raw::Smoke>) -> (Smoke, bool) {
        let span = Span::from(value.span());
        let run = |r: raw::SmokeRun| match r {
            raw::SmokeRun::Enabled(true) => Some(vec!["--version".to_string()]),
            raw::SmokeRun::Enabled(false) => None,
            raw::SmokeRun::Args(a) => Some(a),
        };
        match value.into_inner() {
            raw::Smoke::Enabled(on) => (
                Smoke {
                    default: run(raw::SmokeRun::Enabled(on)),
                    binaries: BTreeMap::new(),
                },
                false,
            ),
            raw::Smoke::Args(a) => (
                Smoke {
                    default: Some(a),
                    binaries: BTreeMap::new(),
                },
                false,
            ),
            raw::Smoke::PerBinary(table) => {
                let binaries = table
                    .into_iter()
                    .map(|(name, r)| {
                        let at = self.key_span(span, &name);
                        (name, (run(r), at))
                    })
                    .collect();
                (
                    Smoke {
                        default: Smoke::default().default,
                        binaries,
                    },
                    true,
                )
            }
        }
    }

    /// Where `key` is written inside the value at `span` (a table's key), else the value.
    fn key_span(&self, span: Span, key: &str) -> Span {
        let text = self.source.get(span.start..span.end).unwrap_or("");
        let bare = text.match_indices(key).find(|(i, _)| {
            let before = text[..*i].chars().next_back();
            let after = text[i + key.len()..].chars().next();
            let edge =
                |c: Option<char>| !c.is_some_and(|c| c.is_alphanumeric() || c == '-' || c == '_');
            edge(before) && edge(after)
        });
        match bare {
            Some((i, _)) => Span {
                start: span.start + i,
                end: span.start + i + key.len(),
            },
            None => span,
        }
    }

    /// `[dist] formats`: known formats, each once, at least one.
    fn formats(
        &self,
        list: toml::Spanned<Vec<toml::Spanned<String>>>,
    ) -> Result<Vec<ArchiveFormat>> {
        let span = Span::from(list.span());
        let mut out = Vec::new();
        for f in list.into_inner() {
            let sp = Span::from(f.span());
            let Some(format) = ArchiveFormat::from_key(f.get_ref()) else {
                return Err(self.error(
                    sp,
                    format!(
                        "key `formats`: unknown format `{}`; expected {FORMATS_EXPECTED}",
                        f.get_ref()
                    ),
                ));
            };
            if out.contains(&format) {
                return Err(self.error(
                    sp,
                    format!("key `formats`: `{}` is listed twice", format.extension()),
                ));
            }
            out.push(format);
        }
        if out.is_empty() {
            return Err(self.error(
                span,
                format!("key `formats`: the list is empty; give at least one of {FORMATS_EXPECTED} (or leave it out for tar.gz)"),
            ));
        }
        Ok(out)
    }

    fn strip(&self, value: toml::Spanned<raw::Strip>) -> Result<Strip> {
        let span = Span::from(value.span());
        match value.into_inner() {
            raw::Strip::Enabled(true) => Ok(Strip::Symbols),
            raw::Strip::Enabled(false) => Ok(Strip::None),
            raw::Strip::Mode(m) if m == "debuginfo" => Ok(Strip::Debuginfo),
            raw::Strip::Mode(m) if m == "symbols" => Ok(Strip::Symbols),
            raw::Strip::Mode(m) if m == "none" => Ok(Strip::None),
            raw::Strip::Mode(other) => Err(self.error(
                span,
                format!(
                    "key `strip`: unknown value `{other}`; expected true, false or \"debuginfo\""
                ),
            )),
        }
    }

    /// `debuginfo = "separate"` (true) or `"off"` (false, the default).
    fn debuginfo(&self, value: toml::Spanned<String>) -> Result<bool> {
        let span = Span::from(value.span());
        match value.into_inner().as_str() {
            "separate" => Ok(true),
            "off" => Ok(false),
            other => Err(self.error(
                span,
                format!("key `debuginfo`: unknown value `{other}`; expected \"separate\" (debug info in its own archive) or \"off\""),
            )),
        }
    }
}
