//! `open-relay`: does some client that is neither trusted nor authenticated get mail to a
//! foreign domain accepted (spec §7.1–7.3)?
//!
//! smtpd evaluates `smtpd_relay_restrictions` and `smtpd_recipient_restrictions` at `RCPT TO`;
//! the recipient is refused when either list refuses it. A list refuses a stranger's foreign
//! recipient when it reaches `reject_unauth_destination` (or `defer_unauth_destination`,
//! `reject`, `defer`, `defer_if_permit`, `check_relay_domains`) before an entry the stranger
//! can satisfy permits. Entries a stranger can satisfy: `permit`, `permit_mynetworks` with a
//! broad `mynetworks`, `permit_mx_backup` without `permit_mx_backup_networks`, and access
//! tables whose visible content (`static:`, `inline:`) answers `OK` for forgeable input (sender,
//! HELO) or for every client. Tables postlint cannot read are given the benefit of the doubt.

use std::rc::Rc;

use postlint_facts::mynetworks::{Breadth, ComputedBreadth, MynetworksFact};
use postlint_policy::AnalysisFinding;

use super::restrictions::{ClassSet, EntryKind, classes, classify};
use super::{entries, entry_span};
use crate::policies::ServiceCtx;

const RELAY: &str = "smtpd_relay_restrictions";
const RECIPIENT: &str = "smtpd_recipient_restrictions";

/// Entries that refuse a stranger's foreign recipient.
const REJECTING: &[&str] = &[
    "reject_unauth_destination",
    "defer_unauth_destination",
    "reject",
    "defer",
    "defer_if_permit",
    "check_relay_domains",
];

/// What walking a list decides for a stranger sending to a foreign domain.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    /// The list refuses the recipient.
    Rejects,
    /// An entry permits it: the list (or class) it is in, the entry, and why.
    Permits {
        param: String,
        entry: String,
        why: String,
    },
    /// The list ends without a decision (smtpd then moves on: no rejection).
    NoDecision,
}

struct Walker<'c, 'a> {
    ctx: &'c ServiceCtx<'a>,
    classes: Rc<ClassSet>,
    visiting: Vec<String>,
}

impl Walker<'_, '_> {
    fn walk(&mut self, param: &str) -> Outcome {
        if self.visiting.iter().any(|p| p == param) || self.visiting.len() > 32 {
            return Outcome::NoDecision;
        }
        self.visiting.push(param.to_owned());
        let value = self.ctx.get(param).to_owned();
        let list = entries(&value);
        let mut i = 0;
        let mut warn_only = false;
        let mut outcome = Outcome::NoDecision;
        while let Some((_, entry)) = list.get(i) {
            let entry = *entry;
            i += 1;
            let lower = entry.to_ascii_lowercase();
            let warn = std::mem::take(&mut warn_only);
            let decided = match classify(entry, &self.classes) {
                EntryKind::WarnIfReject => {
                    warn_only = true;
                    None
                }
                EntryKind::Class => match self.walk(entry) {
                    Outcome::NoDecision => None,
                    Outcome::Rejects if warn => None,
                    other => Some(other),
                },
                EntryKind::Plain => {
                    if REJECTING.contains(&lower.as_str()) {
                        (!warn).then_some(Outcome::Rejects)
                    } else {
                        self.plain_permit(param, entry, &lower)
                    }
                }
                EntryKind::WithArgument => {
                    let argument = list.get(i).map(|(_, a)| *a).unwrap_or_default();
                    i += 1;
                    table_permits(&lower, argument).map(|why| Outcome::Permits {
                        param: param.to_owned(),
                        entry: entry.to_owned(),
                        why: format!("(table `{argument}`) {why}"),
                    })
                }
                EntryKind::Table => {
                    table_permits("check_client_access", entry).map(|why| Outcome::Permits {
                        param: param.to_owned(),
                        entry: entry.to_owned(),
                        why: why.to_owned(),
                    })
                }
                EntryKind::Unknown => None,
            };
            if let Some(d) = decided {
                outcome = d;
                break;
            }
        }
        self.visiting.pop();
        outcome
    }

    fn plain_permit(&self, param: &str, entry: &str, lower: &str) -> Option<Outcome> {
        let why = match lower {
            "permit" => "accepts every client".to_owned(),
            "permit_mynetworks" => self.broad_mynetworks()?,
            "permit_mx_backup" if self.ctx.get("permit_mx_backup_networks").trim().is_empty() => {
                "relays for any domain whose MX record names this host, and \
                 `permit_mx_backup_networks` is empty"
                    .to_owned()
            }
            _ => return None,
        };
        Some(Outcome::Permits {
            param: param.to_owned(),
            entry: entry.to_owned(),
            why,
        })
    }

    fn broad_mynetworks(&self) -> Option<String> {
        match self.ctx.facts.mynetworks.as_ref()? {
            MynetworksFact::Explicit(a) => match a.breadth {
                Breadth::WholeInternet => Some(format!(
                    "trusts `mynetworks = {}`, which covers the whole Internet",
                    self.ctx.get("mynetworks")
                )),
                Breadth::LargePublic => Some(format!(
                    "trusts `mynetworks = {}`, which covers large public ranges",
                    self.ctx.get("mynetworks")
                )),
                Breadth::Narrow => None,
            },
            MynetworksFact::Computed {
                breadth: ComputedBreadth::ClassNetworks,
                ..
            } => Some("trusts whole class A/B/C networks (`mynetworks_style = class`)".to_owned()),
            _ => None,
        }
    }
}

/// Why an access-table restriction lets a stranger through, when the table's visible content
/// says so.
fn table_permits(restriction: &str, table: &str) -> Option<&'static str> {
    let forgeable = matches!(restriction, "check_sender_access" | "check_helo_access");
    let any_client = matches!(
        restriction,
        "check_client_access"
            | "check_reverse_client_hostname_access"
            | "check_sender_access"
            | "check_helo_access"
            | "check_recipient_access"
    );
    if !any_client {
        return None;
    }
    let (kind, body) = table.split_once(':')?;
    let kind = kind.to_ascii_lowercase();
    if kind == "static" {
        let body = body.trim_start_matches('{').trim_end_matches('}').trim();
        return permitting(body).then_some("answers `OK` for everybody");
    }
    if kind == "inline" && forgeable {
        let body = body.trim().strip_prefix('{')?.strip_suffix('}')?;
        let any_ok = entries(body).into_iter().any(|(_, pair)| {
            ungroup(pair)
                .split_once('=')
                .is_some_and(|(_, action)| permitting(action.trim()))
        });
        return any_ok
            .then_some("answers `OK` for some senders or HELO names, which any client can claim");
    }
    if kind == "cidr" && restriction == "check_client_access" {
        let body = body.trim().strip_prefix('{')?.strip_suffix('}')?;
        let everybody = entries(body).into_iter().any(|(_, pair)| {
            let mut words = ungroup(pair).split_whitespace();
            matches!(words.next(), Some("0.0.0.0/0" | "::/0" | "[::]/0"))
                && words.next().is_some_and(permitting)
        });
        return everybody.then_some("answers `OK` for every client address");
    }
    None
}

/// An inline table entry without its `{ }`.
fn ungroup(entry: &str) -> &str {
    entry
        .trim()
        .strip_prefix('{')
        .and_then(|e| e.strip_suffix('}'))
        .unwrap_or(entry)
        .trim()
}

/// Whether an access-table action permits.
fn permitting(action: &str) -> bool {
    let a = action.to_ascii_lowercase();
    a == "ok"
        || a == "permit"
        || a.starts_with("permit_")
        || (!a.is_empty() && a.bytes().all(|b| b.is_ascii_digit()))
}

/// The startup guard (spec §7.2): smtpd refuses to start unless one of the two lists holds a
/// working destination check.
fn guard_satisfied(ctx: &ServiceCtx<'_>, classes: &ClassSet) -> bool {
    fn scan(ctx: &ServiceCtx<'_>, value: &str, classes: &ClassSet, depth: usize) -> bool {
        if depth > 32 {
            return false;
        }
        let list = entries(value);
        let mut skip = false;
        for (_, token) in list {
            if std::mem::take(&mut skip) {
                continue;
            }
            let lower = token.to_ascii_lowercase();
            if lower == "permit" {
                return false;
            }
            if lower == "warn_if_reject" {
                skip = true;
                continue;
            }
            if REJECTING.contains(&lower.as_str()) {
                return true;
            }
            if classes.contains(token) && scan(ctx, ctx.get(token), classes, depth + 1) {
                return true;
            }
        }
        false
    }
    [RELAY, RECIPIENT]
        .iter()
        .any(|list| scan(ctx, ctx.get(list), classes, 0))
}

/// The analysis.
pub fn open_relay(ctx: &ServiceCtx<'_>) -> Vec<AnalysisFinding> {
    let classes = classes(ctx);
    let guard = guard_satisfied(ctx, &classes);
    let mut walker = Walker {
        ctx,
        classes,
        visiting: Vec::new(),
    };
    let relay = walker.walk(RELAY);
    let recipient = walker.walk(RECIPIENT);
    if relay == Outcome::Rejects || recipient == Outcome::Rejects {
        return Vec::new();
    }
    let guard_note = if guard {
        String::new()
    } else {
        "; Postfix refuses to start this smtpd (`specify at least one working instance of: \
         reject_unauth_destination, defer_unauth_destination, reject, defer, defer_if_permit \
         or check_relay_domains`), so today it fails instead of relaying"
            .to_owned()
    };
    let permit = [&relay, &recipient].into_iter().find_map(|o| match o {
        Outcome::Permits { param, entry, why } => Some((param, entry, why)),
        _ => None,
    });
    let (spans, params, detail) = match permit {
        Some((param, entry, why)) => {
            let other = if param == RELAY { RECIPIENT } else { RELAY };
            let mut params = vec![param.clone(), other.to_owned()];
            if entry.eq_ignore_ascii_case("permit_mynetworks") {
                params.insert(0, "mynetworks".to_owned());
                params.push("mynetworks_style".to_owned());
            }
            (
                entry_span(ctx, param, entry)
                    .map(|(f, r)| vec![(f, r, "lets a stranger's mail through".to_owned())])
                    .unwrap_or_default(),
                params,
                format!(
                    "`{entry}` in `{param}` {why}, before any rejection of foreign destinations, \
                     and `{other}` does not reject the mail either{guard_note}"
                ),
            )
        }
        None => (
            Vec::new(),
            vec![RELAY.to_owned(), RECIPIENT.to_owned()],
            format!(
                "neither `{RELAY}` nor `{RECIPIENT}` rejects mail to other domains{guard_note}"
            ),
        ),
    };
    vec![AnalysisFinding {
        params,
        value: None,
        detail,
        spans,
    }]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visible_table_content_decides() {
        assert!(table_permits("check_sender_access", "inline:{ example.com=OK }").is_some());
        assert!(table_permits("check_sender_access", "inline:{ example.com=REJECT }").is_none());
        assert!(table_permits("check_sender_access", "hash:/etc/postfix/senders").is_none());
        assert!(table_permits("check_client_access", "static:OK").is_some());
        assert!(table_permits("check_client_access", "cidr:{ {0.0.0.0/0 OK} }").is_some());
        assert!(table_permits("check_sender_access", "inline:{ { a@b = OK } }").is_some());
        assert!(table_permits("check_client_access", "cidr:{ 10.0.0.0/8 OK }").is_none());
        assert!(table_permits("check_client_a_access", "static:OK").is_none());
    }
}
