//! The compiler cache's hit rate for this run: `sccache --show-stats --stats-format json`
//! before the first build and after the last, and only the difference is reported (the
//! server's counters cover every build since it started). Counting is informative: when
//! sccache cannot report, the run says so in a note and goes on.

use std::time::Duration;

use anyhow::{Context, Result};

use crate::plan::Plan;
use crate::sys::process::Cmd;
use crate::sys::shell;

/// sccache's counters that make the hit rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    pub hits: u64,
    pub misses: u64,
    /// rustc calls sccache cannot cache (binaries and build scripts are linked; cargo's
    /// `rustc -vV` and `--print` queries).
    pub not_cacheable: u64,
}

/// The program whose counters a run reads: the wrapper one of its builds goes through.
fn wrapper(plan: &Plan) -> Option<&str> {
    plan.builds
        .iter()
        .find_map(|b| b.cargo.env.get("RUSTC_WRAPPER"))
        .map(String::as_str)
}

/// Counters being read on a thread of their own, so that asking sccache overlaps
/// crossdock's own work (locks, std checks before the builds; packaging after them)
/// instead of adding to a no-op run's time.
pub struct Reading(Option<std::thread::JoinHandle<Result<Counts>>>);

/// Starts reading the counters when a build goes through the cache. For the counters
/// before the builds, [`Reading::wait`] must return before the first cargo starts.
pub fn start(plan: &Plan) -> Reading {
    Reading(wrapper(plan).map(|program| {
        let program = program.to_string();
        std::thread::spawn(shell::carry(move || read(&program)))
    }))
}

impl Reading {
    /// The counters, once read (None when no build goes through the cache).
    pub fn wait(self) -> Option<Result<Counts>> {
        self.0.map(|h| {
            h.join()
                .unwrap_or_else(|_| Err(anyhow::anyhow!("reading the cache's counters panicked")))
        })
    }
}

/// The `Cache` line after the last build (a note when there is nothing to compare):
/// `before` was read before the first build started, `after` after the last one ended.
pub fn report(plan: &Plan, before: Option<Result<Counts>>, after: Reading) {
    let (Some(program), Some(before), Some(after)) = (wrapper(plan), before, after.wait()) else {
        return;
    };
    match before.and_then(|b| Ok((b, after?))) {
        Ok((b, a)) => match a.since(&b) {
            Some(run) => shell::status("Cache", format!("{program}: {}", run.describe())),
            None => shell::note(
                "Cache",
                format!("{program}'s counters went back (its server restarted during the run): no hit rate"),
            ),
        },
        Err(e) => shell::note(
            "Cache",
            format!("no hit rate: {:#}", e),
        ),
    }
}

fn read(program: &str) -> Result<Counts> {
    let out = Cmd::new(program)
        .args(["--show-stats", "--stats-format", "json"])
        .output(Some(Duration::from_secs(30)))?;
    if !out.success() {
        anyhow::bail!(
            "`{program} --show-stats` failed: {}",
            out.combined().lines().next().unwrap_or("")
        );
    }
    Counts::parse(&out.stdout).with_context(|| {
        format!("`{program} --show-stats --stats-format json` printed no stats crossdock can read")
    })
}

impl Counts {
    /// From `sccache --show-stats --stats-format json`: `stats.cache_hits.counts` and
    /// `stats.cache_misses.counts` (per language), `stats.requests_not_cacheable`.
    pub fn parse(json: &str) -> Result<Counts> {
        let v: serde_json::Value = serde_json::from_str(json)?;
        let stats = v.get("stats").context("no `stats` object")?;
        let sum = |key: &str| -> Result<u64> {
            let counts = stats
                .get(key)
                .and_then(|c| c.get("counts"))
                .and_then(|c| c.as_object())
                .with_context(|| format!("no `stats.{key}.counts`"))?;
            Ok(counts.values().filter_map(|n| n.as_u64()).sum())
        };
        Ok(Counts {
            hits: sum("cache_hits")?,
            misses: sum("cache_misses")?,
            not_cacheable: stats
                .get("requests_not_cacheable")
                .and_then(|n| n.as_u64())
                .unwrap_or(0),
        })
    }

    /// This run's counts: `self` (after) minus `before`; None when a counter went back.
    pub fn since(&self, before: &Counts) -> Option<Counts> {
        Some(Counts {
            hits: self.hits.checked_sub(before.hits)?,
            misses: self.misses.checked_sub(before.misses)?,
            not_cacheable: self.not_cacheable.checked_sub(before.not_cacheable)?,
        })
    }

    /// `41 of 52 compilations hit (79%)`, and what could not be cached.
    pub fn describe(&self) -> String {
        let total = self.hits + self.misses;
        let mut s = match (self.hits * 100).checked_div(total) {
            Some(percent) => format!("{} of {total} compilations hit ({percent}%)", self.hits),
            None => "no cacheable compilation this run".to_string(),
        };
        if self.not_cacheable > 0 {
            s.push_str(&format!(
                "; {} rustc call(s) not cacheable (binaries, build scripts, cargo's queries)",
                self.not_cacheable
            ));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Abridged from sccache 0.16's output.
    fn stats(hits: &str, misses: &str, not_cacheable: u64) -> String {
        format!(
            r#"{{"stats":{{"compile_requests":9,"requests_not_cacheable":{not_cacheable},"cache_hits":{{"counts":{hits},"adv_counts":{{}}}},"cache_misses":{{"counts":{misses},"adv_counts":{{}}}},"compilations":3}},"version":"0.16.0"}}"#
        )
    }

    #[test]
    fn the_run_s_hit_rate_is_the_difference_of_two_readings() {
        let before = Counts::parse(&stats(r#"{"Rust":10}"#, r#"{"Rust":5,"C/C++":2}"#, 1)).unwrap();
        let after = Counts::parse(&stats(r#"{"Rust":51}"#, r#"{"Rust":16,"C/C++":2}"#, 4)).unwrap();
        let run = after.since(&before).unwrap();
        assert_eq!(
            run,
            Counts {
                hits: 41,
                misses: 11,
                not_cacheable: 3
            }
        );
        assert_eq!(
            run.describe(),
            "41 of 52 compilations hit (78%); 3 rustc call(s) not cacheable (binaries, build scripts, cargo's queries)"
        );
    }

    #[test]
    fn empty_counts_and_a_restarted_server_are_told_apart() {
        let zero = Counts::parse(&stats("{}", "{}", 0)).unwrap();
        assert_eq!(zero.describe(), "no cacheable compilation this run");
        let before = Counts { hits: 5, ..zero };
        assert_eq!(zero.since(&before), None);
        assert!(Counts::parse("{\"error\":1}").is_err());
        assert!(Counts::parse("not json").is_err());
    }
}
