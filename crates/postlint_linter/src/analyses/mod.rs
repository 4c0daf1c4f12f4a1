//! The built-in analyses TOML policies call with `analysis = "…"`: the checks a requirement
//! on one effective value cannot state (walking restriction lists, the relay decision,
//! `mynetworks` breadth, transports against master.cf).

mod mynetworks;
mod relay;
pub mod restrictions;
mod transport;

use postlint_diagnostics::{FileId, TextRange};
use postlint_model::Origin;
use postlint_policy::{AnalysisFinding, ServiceContext};
use postlint_postconf::{MAIN_CF, MASTER_CF};

use crate::policies::ServiceCtx;

/// The analyses a policy may name.
pub const NAMES: &[&str] = &[
    "open-relay",
    "mynetworks-too-broad",
    "undefined-transport",
    "unknown-restriction",
];

/// Runs the analysis `name` on one service.
pub fn run(name: &str, ctx: &ServiceCtx<'_>, _: &dyn ServiceContext) -> Vec<AnalysisFinding> {
    match name {
        "open-relay" => relay::open_relay(ctx),
        "mynetworks-too-broad" => mynetworks::too_broad(ctx),
        "undefined-transport" => transport::undefined(ctx),
        "unknown-restriction" => restrictions::unknown(ctx),
        _ => Vec::new(),
    }
}

/// The entries of a list value (commas and whitespace separate; `{ }` groups stay whole), with
/// their byte offsets in `value`.
pub fn entries(value: &str) -> Vec<(usize, &str)> {
    let base = value.as_ptr() as usize;
    postlint_policy::split_list(value)
        .into_iter()
        .map(|e| (e.as_ptr() as usize - base, e))
        .collect()
}

/// Where the text of list entry `entry` of parameter `param` is written, as seen by `ctx`:
/// in the value itself, or in the value of a parameter it references. Falls back to the whole
/// value, then to nothing for built-in defaults.
pub fn entry_span(ctx: &ServiceCtx<'_>, param: &str, entry: &str) -> Option<(FileId, TextRange)> {
    let value = ctx.view.value(param)?;
    let mut origins = vec![value.origin.clone()];
    origins.extend(value.references.iter().map(|r| r.origin.clone()));
    let mut whole = None;
    for (i, origin) in origins.into_iter().enumerate() {
        // Only the parameter's own line stands in for an entry not found literally.
        let own = i == 0;
        let config = ctx.config();
        match origin {
            Origin::MainCf { entry: index, .. } => {
                let Some(p) = config.main.parameters.get(index) else {
                    continue;
                };
                let text = String::from_utf8_lossy(p.value());
                if let Some((offset, e)) = find_entry(&text, entry) {
                    let range = TextRange::from_usize(offset, offset + e.len());
                    return Some((MAIN_CF, p.value_file_range(range)));
                }
                if own {
                    whole = Some((MAIN_CF, p.name_range().cover(p.value_range())));
                }
            }
            Origin::MasterCf {
                service,
                override_index,
                ..
            } => {
                let Some(o) = config
                    .master
                    .services
                    .get(service)
                    .and_then(|s| s.overrides.get(override_index))
                else {
                    continue;
                };
                let text = String::from_utf8_lossy(&o.value);
                if let Some((offset, e)) = find_entry(&text, entry)
                    && o.value_range.len() as usize == o.value.len()
                {
                    let start = o.value_range.start + u32::try_from(offset).unwrap_or(0);
                    let end = start + u32::try_from(e.len()).unwrap_or(0);
                    return Some((MASTER_CF, TextRange::new(start, end)));
                }
                if own {
                    whole = Some((MASTER_CF, o.range));
                }
            }
            _ => {}
        }
    }
    whole
}

fn find_entry<'t>(text: &'t str, entry: &str) -> Option<(usize, &'t str)> {
    entries(text)
        .into_iter()
        .find(|(_, e)| e.eq_ignore_ascii_case(entry))
}

/// A finding about list entry `entry` of `param`, labelled at the entry.
pub fn entry_finding(
    ctx: &ServiceCtx<'_>,
    param: &str,
    entry: &str,
    label: String,
    detail: String,
) -> AnalysisFinding {
    AnalysisFinding {
        params: vec![param.to_owned()],
        value: Some(entry.to_owned()),
        detail,
        spans: entry_span(ctx, param, entry)
            .map(|(file, range)| vec![(file, range, label)])
            .unwrap_or_default(),
    }
}
