//! Reading the suite's results and judging them against
//! `conformance/expected-failures.toml`.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context, Result};

use super::{expectations_path, Scenario, PINS};

/// One check of `checks.json`.
#[derive(Debug, Default)]
pub(super) struct Check {
    pub(super) name: String,
    pub(super) status: String,
    pub(super) message: String,
}

/// Reads the top-level checks of a `checks.json`, which the suite writes with
/// `JSON.stringify(checks, null, 2)`: each check is an object of the array,
/// its own fields indented by exactly four spaces (nested `details` deeper).
pub(super) fn parse_checks(text: &str) -> Vec<Check> {
    let mut checks = Vec::new();
    let mut current: Option<Check> = None;
    for line in text.lines() {
        if line == "  {" {
            current = Some(Check::default());
        } else if line == "  }" || line == "  }," {
            checks.extend(current.take());
        } else if let (Some(check), Some(field)) = (current.as_mut(), line.strip_prefix("    \"")) {
            let Some((key, value)) = field.split_once("\": ") else {
                continue;
            };
            let value = json_string_value(value.trim_end_matches(','));
            match key {
                "name" => check.name = value,
                "status" => check.status = value,
                "errorMessage" => check.message = value,
                _ => {}
            }
        }
    }
    checks
}

/// A JSON string literal's content (escapes kept simple: `\"`, `\\`, `\n`).
fn json_string_value(literal: &str) -> String {
    let Some(inner) = literal.strip_prefix('"').and_then(|s| s.strip_suffix('"')) else {
        return literal.to_owned();
    };
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push(' '),
                Some('t') => out.push(' '),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Verdict {
    /// The suite passed it (no failure, no warning, our client exited 0 or
    /// was allowed not to) and at least one check succeeded.
    Pass,
    /// Failures, warnings, or our client crashed.
    Fail,
    /// Nothing was checked: every check skipped (e.g. an extension we never
    /// exercise). Not a pass.
    Skip,
    /// Our watchdog killed the scenario.
    Timeout,
}

impl Verdict {
    pub(super) fn label(self) -> &'static str {
        match self {
            Verdict::Pass => "PASS",
            Verdict::Fail => "FAIL",
            Verdict::Skip => "SKIP",
            Verdict::Timeout => "TIMEOUT",
        }
    }
}

pub(super) struct Outcome {
    pub(super) version: String,
    pub(super) scenario: String,
    /// The `--spec-version` we asked for (None: the suite's default).
    pub(super) wire: Option<String>,
    /// The wire revision the suite reported to our client, if it did.
    pub(super) ran_at: Option<String>,
    pub(super) passed: usize,
    pub(super) failed: usize,
    pub(super) warned: usize,
    pub(super) verdict: Verdict,
    pub(super) notes: Vec<String>,
    pub(super) elapsed: Duration,
    pub(super) log: PathBuf,
}

/// `conformance/expected-failures.toml`: `[[failure]]` tables with
/// `version`, `scenario` and `reason` strings. Read by hand (a subset of
/// TOML: tables, string values, comments) to keep xtask free of parsers.
pub(super) struct Expectations {
    entries: Vec<Expected>,
}

pub(super) struct Expected {
    version: String,
    scenario: String,
    reason: String,
    line: usize,
}

/// Prefixes of the scenarios that may be listed as expected failures:
/// none, since every client scenario of the pinned suites passes (the
/// `auth/*` and `sep-2640*` skills ones included). A new pin whose new
/// scenarios need a later issue adds their prefix here, with that issue.
const MAY_FAIL: &[&str] = &[];

impl Expectations {
    pub(super) fn load(path: &Path) -> Result<Expectations> {
        let text = fs::read_to_string(path).with_context(|| format!("could not read {}", path.display()))?;
        let mut entries: Vec<Expected> = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line_no = i + 1;
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if line == "[[failure]]" {
                entries.push(Expected {
                    version: String::new(),
                    scenario: String::new(),
                    reason: String::new(),
                    line: line_no,
                });
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                bail!(
                    "{}:{line_no}: expected `key = \"value\"` or `[[failure]]`",
                    path.display()
                );
            };
            let value = value.trim();
            if !(value.len() >= 2 && value.starts_with('"') && value.ends_with('"')) {
                bail!("{}:{line_no}: the value must be a \"string\"", path.display());
            }
            let value = json_string_value(value);
            let Some(entry) = entries.last_mut() else {
                bail!("{}:{line_no}: a key outside a [[failure]] table", path.display());
            };
            match key.trim() {
                "version" => entry.version = value,
                "scenario" => entry.scenario = value,
                "reason" => entry.reason = value,
                other => bail!("{}:{line_no}: unknown key `{other}`", path.display()),
            }
        }
        for e in &entries {
            let at = format!("{}:{}", path.display(), e.line);
            if e.version.is_empty() || e.scenario.is_empty() || e.reason.is_empty() {
                bail!("{at}: every [[failure]] needs version, scenario and reason");
            }
            if !PINS.contains(&e.version.as_str()) {
                bail!("{at}: version {} is not pinned ({})", e.version, PINS.join(", "));
            }
            if !MAY_FAIL.iter().any(|prefix| e.scenario.starts_with(prefix)) {
                bail!(
                    "{at}: {} may not be listed: every client scenario of the pinned suites passes, so none may be expected to fail",
                    e.scenario
                );
            }
            let dups = entries
                .iter()
                .filter(|o| o.version == e.version && o.scenario == e.scenario)
                .count();
            if dups > 1 {
                bail!("{at}: {} {} is listed twice", e.version, e.scenario);
            }
        }
        Ok(Expectations { entries })
    }

    /// Fails on an entry naming a scenario the version does not have.
    pub(super) fn check_names(&self, version: &str, scenarios: &[Scenario]) -> Result<()> {
        for e in self.entries.iter().filter(|e| e.version == version) {
            if !scenarios.iter().any(|s| s.name == e.scenario) {
                bail!(
                    "{}:{}: conformance {version} has no client scenario {}",
                    expectations_path().display(),
                    e.line,
                    e.scenario
                );
            }
        }
        Ok(())
    }

    fn find(&self, version: &str, scenario: &str) -> Option<&Expected> {
        self.entries
            .iter()
            .find(|e| e.version == version && e.scenario == scenario)
    }
}

pub(super) struct Report {
    pub(super) text: String,
    pub(super) problems: Vec<String>,
}

pub(super) fn judge(outcomes: &[Outcome], expectations: &Expectations, filtered: bool) -> Report {
    let mut text = String::new();
    let mut problems = Vec::new();
    let _ = writeln!(
        text,
        "\n{:<15} {:<45} {:<11} {:>4} {:>4} {:>4}  {:<8} {:>6}  expectation",
        "version", "scenario", "wire", "pass", "fail", "warn", "verdict", "secs"
    );
    for o in outcomes {
        let expected = expectations.find(&o.version, &o.scenario);
        let judgement = match (o.verdict, expected) {
            (Verdict::Pass, None) => "ok".to_owned(),
            (Verdict::Pass, Some(e)) => {
                problems.push(format!(
                    "{} {}: passes but is listed as an expected failure (line {}): remove the stale entry",
                    o.version, o.scenario, e.line
                ));
                "STALE ENTRY".to_owned()
            }
            // A scenario whose every check was skipped was never exercised:
            // not a pass, and not the failure an entry excuses either.
            (Verdict::Skip, Some(e)) => {
                problems.push(format!(
                    "{} {}: every check SKIPPED (listed as an expected failure, line {}): the client never exercised it",
                    o.version, o.scenario, e.line
                ));
                "SKIPPED".to_owned()
            }
            (_, Some(e)) => format!("expected: {}", e.reason),
            (verdict, None) => {
                problems.push(format!(
                    "{} {}{}: {} (unexpected; log: {})",
                    o.version,
                    o.scenario,
                    o.wire.as_deref().map(|w| format!(" @{w}")).unwrap_or_default(),
                    verdict.label(),
                    o.log.display()
                ));
                "UNEXPECTED".to_owned()
            }
        };
        let _ = writeln!(
            text,
            "{:<15} {:<45} {:<11} {:>4} {:>4} {:>4}  {:<8} {:>6.1}  {}",
            o.version,
            o.scenario,
            o.ran_at.as_deref().unwrap_or("-"),
            o.passed,
            o.failed,
            o.warned,
            o.verdict.label(),
            o.elapsed.as_secs_f64(),
            judgement
        );
    }

    // Totals per version.
    let mut versions: Vec<&str> = outcomes.iter().map(|o| o.version.as_str()).collect();
    versions.dedup();
    let _ = writeln!(text);
    for v in versions {
        let of_v: Vec<&Outcome> = outcomes.iter().filter(|o| o.version == v).collect();
        let n = |verdict: Verdict| of_v.iter().filter(|o| o.verdict == verdict).count();
        let _ = writeln!(
            text,
            "conformance {v}: {} runs: {} pass, {} fail, {} skip, {} timeout",
            of_v.len(),
            n(Verdict::Pass),
            n(Verdict::Fail),
            n(Verdict::Skip),
            n(Verdict::Timeout)
        );
    }

    // Why each unexpected run did not pass (the expected ones are a later
    // issue's; their logs are on disk).
    let mut details = String::new();
    for o in outcomes.iter().filter(|o| o.verdict != Verdict::Pass) {
        if o.verdict != Verdict::Skip && expectations.find(&o.version, &o.scenario).is_some() {
            continue;
        }
        let _ = writeln!(
            details,
            "\n{} {}{}: {}",
            o.version,
            o.scenario,
            o.wire.as_deref().map(|w| format!(" @{w}")).unwrap_or_default(),
            o.verdict.label()
        );
        for note in o.notes.iter().take(12) {
            let _ = writeln!(details, "    {note}");
        }
        let _ = writeln!(details, "    log: {}", o.log.display());
    }
    if !details.is_empty() {
        let _ = write!(text, "\nunexpected results:{details}");
    }

    // Entries for scenarios that did not run at all (only when everything ran).
    if !filtered {
        for e in &expectations.entries {
            if !outcomes
                .iter()
                .any(|o| o.version == e.version && o.scenario == e.scenario)
            {
                problems.push(format!(
                    "{} {}: listed (line {}) but not run",
                    e.version, e.scenario, e.line
                ));
            }
        }
    }
    Report { text, problems }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_top_level_checks_only() {
        let text = r#"[
  {
    "id": "a",
    "name": "First",
    "status": "SUCCESS",
    "details": {
      "status": "FAILURE"
    }
  },
  {
    "id": "b",
    "name": "Second",
    "status": "FAILURE",
    "errorMessage": "said \"no\"\nthen more"
  }
]"#;
        let checks = parse_checks(text);
        assert_eq!(checks.len(), 2);
        assert_eq!(checks[0].status, "SUCCESS");
        assert_eq!(checks[1].status, "FAILURE");
        assert_eq!(checks[1].message, "said \"no\" then more");
    }

    fn load_text(name: &str, text: &str) -> Result<Expectations> {
        let path = std::env::temp_dir().join(format!("xtask-conformance-{}-{name}.toml", std::process::id()));
        fs::write(&path, text).expect("temp file");
        let loaded = Expectations::load(&path);
        let _ = fs::remove_file(&path);
        loaded
    }

    #[test]
    fn expectations_accept_no_scenario() {
        let ok = load_text("ok", "# nothing is expected to fail\n").expect("valid");
        assert!(ok.find("0.2.0-alpha.12", "sep-2640-x").is_none());
        let skills = "[[failure]]\nversion = \"0.2.0-alpha.12\"\nscenario = \"sep-2640-x\"\nreason = \"x\"\n";
        assert!(load_text("skills", skills).is_err());
        let auth = "[[failure]]\nversion = \"0.1.16\"\nscenario = \"auth/basic-cimd\"\nreason = \"x\"\n";
        assert!(load_text("auth", auth).is_err());
        let core = "[[failure]]\nversion = \"0.1.16\"\nscenario = \"initialize\"\nreason = \"x\"\n";
        assert!(load_text("core", core).is_err());
        let unpinned = "[[failure]]\nversion = \"9.9.9\"\nscenario = \"sep-2640-x\"\nreason = \"x\"\n";
        assert!(load_text("unpinned", unpinned).is_err());
        let no_reason = "[[failure]]\nversion = \"0.1.16\"\nscenario = \"sep-2640-x\"\n";
        assert!(load_text("no-reason", no_reason).is_err());
    }

    #[test]
    fn stale_and_unexpected_results_are_problems() {
        // Built directly: the file may list none today.
        let expectations = Expectations {
            entries: vec![Expected {
                version: "0.1.16".into(),
                scenario: "sep-2640-a".into(),
                reason: "later".into(),
                line: 1,
            }],
        };
        let outcome = |scenario: &str, verdict| Outcome {
            version: "0.1.16".into(),
            scenario: scenario.into(),
            wire: None,
            ran_at: None,
            passed: 0,
            failed: 0,
            warned: 0,
            verdict,
            notes: Vec::new(),
            elapsed: Duration::ZERO,
            log: PathBuf::new(),
        };
        let fine = judge(
            &[
                outcome("sep-2640-a", Verdict::Fail),
                outcome("initialize", Verdict::Pass),
            ],
            &expectations,
            false,
        );
        assert!(fine.problems.is_empty(), "{:?}", fine.problems);
        let stale = judge(&[outcome("sep-2640-a", Verdict::Pass)], &expectations, false);
        assert_eq!(stale.problems.len(), 1);
        let unexpected = judge(
            &[
                outcome("sep-2640-a", Verdict::Skip),
                outcome("initialize", Verdict::Skip),
            ],
            &expectations,
            false,
        );
        // Both: the listed one was skipped, not failed.
        assert_eq!(unexpected.problems.len(), 2);
    }
}
