//! SARIF 2.1.0 output, ready for GitHub code scanning (`github/codeql-action/upload-sarif`).
//!
//! One run; `tool.driver.rules` holds every built-in rule of the registry (plus the extra
//! rules a front end adds, such as the CLI's file-system checks) and every other rule seen in
//! the results (policy rules), each with its short and full description, help URI, default
//! level and, for security rules, a `security-severity`. Every result has a region: 1-based
//! lines and columns, columns in Unicode code points (`columnKind`), end column exclusive as
//! SARIF defines it.
//!
//! The types are `serde-sarif`'s, generated from the official schema, so a field the schema
//! does not know cannot be written by mistake.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use postlint_diagnostics::{Diagnostic, Severity};
use postlint_linter::{Report, RuleMeta, RuleSource, all_rules};
use serde_sarif::sarif::{
    ArtifactLocation, Location, Message, MultiformatMessageString, PhysicalLocation, PropertyBag,
    Region, ReportingConfiguration, ReportingDescriptor, Result as SarifResult, ResultLevel, Run,
    Sarif, Tool, ToolComponent,
};

use crate::json::{self, Options};

/// The schema URI written into the log.
pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Where the tool is documented.
pub const INFORMATION_URI: &str = "https://github.com/postlint/postlint";

fn level(severity: Severity) -> ResultLevel {
    match severity {
        Severity::Error => ResultLevel::Error,
        Severity::Warning => ResultLevel::Warning,
        Severity::Info => ResultLevel::Note,
    }
}

/// GitHub's `security-severity` (a CVSS-like score as a string) for a security rule of the
/// given default severity: high, medium, low.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "8.0",
        Severity::Warning => "5.5",
        Severity::Info => "3.0",
    }
}

/// What the SARIF rule list needs to know of one rule.
#[derive(Debug, Clone)]
struct RuleInfo {
    name: String,
    code: String,
    severity: Severity,
    summary: String,
    docs: Option<String>,
    url: Option<String>,
    security: bool,
}

impl RuleInfo {
    fn from_meta(meta: &RuleMeta, security: bool) -> Self {
        Self::from_registry(&postlint_linter::RuleInfo::from(meta), security)
    }

    /// A rule of the registry. The packs' policies are security requirements (TLS, relaying,
    /// authentication), so they carry a security severity; built-in rules are about
    /// correctness.
    fn from_registry(r: &postlint_linter::RuleInfo, security: bool) -> Self {
        let some = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        Self {
            name: r.name.clone(),
            code: r.code.clone(),
            severity: r.severity,
            summary: if r.summary.is_empty() {
                format!("policy `{}`", r.name)
            } else {
                r.summary.clone()
            },
            docs: some(&r.docs),
            url: some(&r.url),
            security: security || matches!(r.source, RuleSource::Pack(_)),
        }
    }

    /// A rule known only from a finding (a policy rule): policies are security requirements
    /// on TLS, relaying and authentication, so they carry a security severity; load errors of
    /// a policy file do not.
    fn from_finding(d: &Diagnostic) -> Self {
        let policy_error = d.rule == postlint_policy::POLICY_ERROR_RULE;
        Self {
            name: d.rule.clone(),
            code: d.code.clone(),
            severity: d.severity,
            summary: if policy_error {
                "a policy file could not be loaded".to_owned()
            } else {
                format!("policy `{}`", d.rule)
            },
            docs: d.help.clone(),
            url: d.url.clone(),
            security: !policy_error,
        }
    }

    fn descriptor(&self) -> ReportingDescriptor {
        let mut properties = BTreeMap::new();
        properties.insert(
            "code".to_owned(),
            serde_json::Value::from(self.code.clone()),
        );
        let mut tags = Vec::new();
        if self.security {
            tags.push("security".to_owned());
            properties.insert(
                "security-severity".to_owned(),
                serde_json::Value::from(security_severity(self.severity)),
            );
        } else {
            tags.push("correctness".to_owned());
        }
        let full = self.docs.as_ref().map_or_else(
            || {
                MultiformatMessageString::builder()
                    .text(self.summary.clone())
                    .build()
            },
            |docs| {
                MultiformatMessageString::builder()
                    .text(first_paragraph(docs).unwrap_or_else(|| self.summary.clone()))
                    .markdown(docs.clone())
                    .build()
            },
        );
        let help = MultiformatMessageString::builder()
            .text(self.url.as_ref().map_or_else(
                || self.summary.clone(),
                |u| format!("{} (see {u})", self.summary),
            ))
            .build();
        let base = ReportingDescriptor::builder()
            .id(self.name.clone())
            .name(pascal_case(&self.name))
            .short_description(
                MultiformatMessageString::builder()
                    .text(self.summary.clone())
                    .build(),
            )
            .full_description(full)
            .help(help)
            .default_configuration(
                ReportingConfiguration::builder()
                    .level(serde_json::to_value(level(self.severity)).unwrap_or_default())
                    .build(),
            )
            .properties(
                PropertyBag::builder()
                    .tags(tags)
                    .additional_properties(properties)
                    .build(),
            );
        match &self.url {
            Some(url) => base.help_uri(url.clone()).build(),
            None => base.build(),
        }
    }
}

/// The first paragraph of a rule's Markdown docs after its first heading, as plain text.
fn first_paragraph(docs: &str) -> Option<String> {
    docs.split("\n\n")
        .map(str::trim)
        .find(|p| !p.is_empty() && !p.starts_with('#'))
        .map(|p| p.replace('\n', " "))
}

/// `unknown-parameter` → `UnknownParameter`, SARIF's convention for a rule's friendly name.
fn pascal_case(name: &str) -> String {
    name.split(['-', '_'])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map_or_else(String::new, |c| {
                c.to_uppercase().chain(chars).collect::<String>()
            })
        })
        .collect()
}

/// A file name as a URI: a relative path stays a relative reference (GitHub resolves it
/// against the repository root), an absolute path becomes a `file://` URI; `/` separators,
/// and every byte outside RFC 3986's unreserved set (and `/`) percent-encoded.
pub fn uri(path: &str) -> String {
    let path = normalize(&path.replace('\\', "/"));
    let mut out = String::with_capacity(path.len() + 8);
    if path.starts_with('/') {
        out.push_str("file://");
    }
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Removes `.` segments and resolves `..` against the segment before it, as a URI consumer
/// would (SARIF validators reject `..` in `file` URIs); a leading `..` of a relative path stays.
fn normalize(path: &str) -> String {
    let absolute = path.starts_with('/');
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." if segments.last().is_some_and(|s| *s != "..") => {
                segments.pop();
            }
            ".." if absolute => {}
            other => segments.push(other),
        }
    }
    let joined = segments.join("/");
    if absolute {
        format!("/{joined}")
    } else {
        joined
    }
}

fn location(file: &str, line: u32, column: u32, end_line: u32, end_column: u32) -> Location {
    Location::builder()
        .physical_location(
            PhysicalLocation::builder()
                .artifact_location(ArtifactLocation::builder().uri(uri(file)).build())
                .region(
                    Region::builder()
                        .start_line(i64::from(line))
                        .start_column(i64::from(column))
                        .end_line(i64::from(end_line))
                        .end_column(i64::from(end_column.max(1)))
                        .build(),
                )
                .build(),
        )
        .build()
}

/// The SARIF log for `reports`, with `extra_rules` (rules a front end adds) in the rule list.
pub fn log(reports: &[&Report], extra_rules: &[RuleMeta]) -> Sarif {
    let mut rules: Vec<RuleInfo> = all_rules()
        .iter()
        .map(|r| RuleInfo::from_registry(r, false))
        .chain(
            extra_rules
                .iter()
                .map(|m| RuleInfo::from_meta(m, m.name.contains("key"))),
        )
        .collect();
    let mut index: BTreeMap<String, usize> = rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.name.clone(), i))
        .collect();
    let mut results = Vec::new();
    for report in reports {
        for d in &report.diagnostics {
            let rule_index = *index.entry(d.rule.clone()).or_insert_with(|| {
                rules.push(RuleInfo::from_finding(d));
                rules.len() - 1
            });
            let j = json::diagnostic(report, d, Options::default());
            let mut text = j
                .service
                .as_ref()
                .map_or_else(|| j.message.clone(), |s| format!("{} [{s}]", j.message));
            if let Some(help) = &j.help {
                text.push_str("\nhelp: ");
                text.push_str(help);
            }
            let related: Vec<Location> = j
                .related
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let mut l = location(&r.file, r.line, r.column, r.end_line, r.end_column);
                    l.id = i64::try_from(i).ok();
                    l.message = Some(Message::from(r.message.as_str()));
                    l
                })
                .collect();
            let base = SarifResult::builder()
                .rule_id(d.rule.clone())
                .rule_index(i64::try_from(rule_index).unwrap_or(0))
                .level(level(d.severity))
                .message(Message::from(text.as_str()))
                .locations(vec![location(
                    &j.file,
                    j.line,
                    j.column,
                    j.end_line,
                    j.end_column,
                )]);
            results.push(if related.is_empty() {
                base.build()
            } else {
                base.related_locations(related).build()
            });
        }
    }
    let driver = ToolComponent::builder()
        .name("postlint".to_owned())
        .version(env!("CARGO_PKG_VERSION").to_owned())
        .semantic_version(env!("CARGO_PKG_VERSION").to_owned())
        .information_uri(INFORMATION_URI.to_owned())
        .rules(rules.iter().map(RuleInfo::descriptor).collect::<Vec<_>>())
        .build();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .column_kind(serde_json::Value::from("unicodeCodePoints"))
        .results(results)
        .build();
    Sarif::builder()
        .schema(SCHEMA.to_owned())
        .version(serde_json::Value::from("2.1.0"))
        .runs(vec![run])
        .build()
}

/// [`log`] as pretty-printed JSON with a final newline.
pub fn to_string(reports: &[&Report], extra_rules: &[RuleMeta]) -> String {
    let mut text = serde_json::to_string_pretty(&log(reports, extra_rules)).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

    use postlint_linter::{Input, Settings, SourceFile, check};

    use super::*;

    #[test]
    fn names_and_uris() {
        assert_eq!(pascal_case("unknown-parameter"), "UnknownParameter");
        assert_eq!(uri("a b/<stdin>/é"), "a%20b/%3Cstdin%3E/%C3%A9");
        assert_eq!(uri("etc\\postfix/main.cf"), "etc/postfix/main.cf");
        assert_eq!(uri("/etc/postfix/main.cf"), "file:///etc/postfix/main.cf");
        assert_eq!(uri("/a/b/../../c/./d/../main.cf"), "file:///c/main.cf");
        assert_eq!(uri("../shared/x/../main.cf"), "../shared/main.cf");
        assert_eq!(uri("./main.cf"), "main.cf");
    }

    #[test]
    fn every_result_has_a_region_and_a_known_rule() {
        let report = check(
            &Input {
                main: Some(SourceFile::new("etc/main.cf", &b"# x\nmyhostnam = a\n"[..])),
                master: None,
                config_directory: None,
            },
            &Settings {
                packs: Vec::new(),
                ..Settings::default()
            },
        );
        let value: serde_json::Value = serde_json::from_str(&to_string(&[&report], &[])).unwrap();
        assert_eq!(value["version"], "2.1.0");
        let run = &value["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        assert!(rules.len() >= all_rules().len());
        let results = run["results"].as_array().unwrap();
        assert_eq!(results.len(), report.diagnostics.len());
        for r in results {
            let i = usize::try_from(r["ruleIndex"].as_u64().unwrap()).unwrap();
            assert_eq!(rules[i]["id"], r["ruleId"]);
            let region = &r["locations"][0]["physicalLocation"]["region"];
            assert!(region["startLine"].as_u64().unwrap() >= 1);
            assert!(region["startColumn"].as_u64().unwrap() >= 1);
        }
        let unknown = results
            .iter()
            .find(|r| r["ruleId"] == "unknown-parameter")
            .unwrap();
        assert_eq!(
            unknown["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "etc/main.cf"
        );
        assert_eq!(
            unknown["locations"][0]["physicalLocation"]["region"]["startLine"],
            2
        );
        assert_eq!(unknown["level"], "warning");
    }
}
