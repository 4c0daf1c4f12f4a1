//! Go to definition: a `$name` goes to the line that sets the value it expands to; a master.cf
//! `-o name=…` goes to main.cf's `name = …`.

use postlint_diagnostics::{FileId, TextRange};
use postlint_model::{Origin, Scope};
use postlint_postconf::{MAIN_CF, MASTER_CF};

use crate::analysis::Analysis;
use crate::locate::Target;

/// The file and range that define `target`, if any line does.
pub fn of(analysis: &Analysis, target: &Target) -> Option<(FileId, TextRange)> {
    let model = analysis.model();
    let (name, view) = match target {
        Target::Reference { name, scope, .. } => {
            let view = match scope {
                Scope::Global => model.global(),
                Scope::Service(index) => model.service(*index)?,
            };
            (name, view)
        }
        // A `-o` name's counterpart is main.cf's setting; main.cf names are their own.
        Target::Name {
            name,
            scope: Scope::Service(_),
            ..
        } => (name, model.global()),
        Target::Name {
            scope: Scope::Global,
            ..
        } => return None,
    };
    match view.value(name)?.origin {
        Origin::MainCf { name_range, .. } => Some((MAIN_CF, name_range)),
        Origin::MasterCf { name_range, .. } => Some((MASTER_CF, name_range)),
        _ => None,
    }
}
