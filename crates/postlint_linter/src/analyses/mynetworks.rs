//! `mynetworks-too-broad`: the networks an smtpd trusts (`permit_mynetworks`, and every
//! `mynetworks`-based exemption) include large parts of the Internet.

use postlint_facts::mynetworks::{Breadth, ComputedBreadth, MynetworksFact};
use postlint_policy::AnalysisFinding;

use super::entry_finding;
use crate::policies::ServiceCtx;

/// The analysis.
pub fn too_broad(ctx: &ServiceCtx<'_>) -> Vec<AnalysisFinding> {
    let Some(fact) = &ctx.facts.mynetworks else {
        return Vec::new();
    };
    match fact {
        MynetworksFact::Explicit(analysis) => {
            let what = match analysis.breadth {
                Breadth::Narrow => return Vec::new(),
                Breadth::LargePublic => "large public address ranges",
                Breadth::WholeInternet => "the whole Internet",
            };
            let entry = analysis.offending.clone().unwrap_or_default();
            vec![entry_finding(
                ctx,
                "mynetworks",
                &entry,
                format!("trusts {what}"),
                format!("`{entry}` makes every client in {what} trusted"),
            )]
        }
        MynetworksFact::Computed { breadth, .. } => {
            let why = match breadth {
                ComputedBreadth::HostDependent => {
                    "`mynetworks_style = subnet` trusts every host on the server's own subnets, \
                     which on a hosting provider's network are other customers"
                }
                ComputedBreadth::ClassNetworks => {
                    "`mynetworks_style = class` trusts the whole class A/B/C network of each of \
                     the server's addresses"
                }
                ComputedBreadth::LoopbackOnly | ComputedBreadth::OwnAddresses => {
                    return Vec::new();
                }
            };
            vec![AnalysisFinding {
                params: vec![
                    "mynetworks_style".to_owned(),
                    "compatibility_level".to_owned(),
                ],
                value: None,
                detail: why.to_owned(),
                spans: Vec::new(),
            }]
        }
        MynetworksFact::InvalidStyle(_) => Vec::new(),
    }
}
