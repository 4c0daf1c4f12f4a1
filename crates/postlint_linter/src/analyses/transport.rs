//! `undefined-transport`: a parameter names a delivery transport that master.cf does not
//! define, so the queue manager defers the mail (`mail transport unavailable`).

use postlint_model::Origin;
use postlint_policy::AnalysisFinding;

use super::entry_finding;
use crate::policies::ServiceCtx;

/// Parameters whose value is `transport[:nexthop]`.
const TRANSPORT_PARAMS: &[&str] = &[
    "default_transport",
    "relay_transport",
    "local_transport",
    "virtual_transport",
    "content_filter",
    "fallback_transport",
    "lmtp_fallback_transport",
    "default_filter_nexthop",
];

/// The services that read the global transport settings: the queue manager and the address
/// rewriter. Other services are checked only for what their own `-o` sets.
const GLOBAL_READERS: &[&str] = &["qmgr", "nqmgr", "oqmgr", "trivial-rewrite"];

/// The analysis.
pub fn undefined(ctx: &ServiceCtx<'_>) -> Vec<AnalysisFinding> {
    let master = &ctx.config().master;
    if master.services.is_empty() {
        // Without master.cf there is nothing to compare against.
        return Vec::new();
    }
    let global = GLOBAL_READERS.contains(&ctx.facts.program.name.as_str());
    let mut out = Vec::new();
    for &param in TRANSPORT_PARAMS {
        if param == "default_filter_nexthop" {
            continue;
        }
        let Some(value) = ctx.view.value(param) else {
            continue;
        };
        let own = matches!(value.origin, Origin::MasterCf { .. });
        if !global && !own {
            continue;
        }
        // A transport for a class of domains that has no domains is never used.
        let domains = match param {
            "local_transport" => Some("mydestination"),
            "virtual_transport" => Some("virtual_mailbox_domains"),
            "relay_transport" => Some("relay_domains"),
            _ => None,
        };
        if domains.is_some_and(|d| ctx.get(d).trim().is_empty()) {
            continue;
        }
        let text = value.expanded.trim();
        if text.is_empty() {
            continue;
        }
        let transport = text.split(':').next().unwrap_or_default().trim();
        if transport.is_empty() {
            continue;
        }
        let defined = master
            .services
            .iter()
            .any(|s| !s.invalid && s.name().as_str() == transport && s.kind().as_str() == "unix");
        if !defined {
            out.push(entry_finding(
                ctx,
                param,
                text,
                format!("master.cf has no `{transport}` unix service"),
                format!("`{param}` names transport `{transport}`, which master.cf does not define"),
            ));
        }
    }
    out
}
