//! Code actions: a rule's safe fix, offered as a quick fix on its diagnostic.

use std::collections::HashMap;
use std::str::FromStr as _;

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Range, TextEdit, Uri, WorkspaceEdit,
};
use postlint_diagnostics::FileId;

use crate::analysis::Analysis;
use crate::diagnostics;
use crate::encoding::Encoding;

fn overlaps(a: Range, b: Range) -> bool {
    a.start <= b.end && b.start <= a.end
}

/// Quick fixes for the diagnostics of `file` that touch `range`.
pub fn quick_fixes(
    analysis: &Analysis,
    file: FileId,
    other_open: bool,
    range: Range,
    encoding: Encoding,
) -> Vec<CodeActionOrCommand> {
    diagnostics::with_source(analysis, file, other_open, encoding)
        .into_iter()
        .filter(|(_, shown)| overlaps(shown.range, range))
        .filter_map(|(d, shown)| {
            let fix = d.fix.as_ref()?;
            #[expect(
                clippy::mutable_key_type,
                reason = "lsp-types keys WorkspaceEdit by Uri, whose cache cell never changes its hash"
            )]
            let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
            for edit in &fix.edits {
                // A fix that touches a file the editor cannot name is not offered at all.
                let uri = Uri::from_str(&analysis.uri(edit.file)?).ok()?;
                let lines = analysis.lines(edit.file)?;
                changes.entry(uri).or_default().push(TextEdit {
                    range: lines.range(encoding, edit.range),
                    new_text: edit.replacement.clone(),
                });
            }
            Some(CodeActionOrCommand::CodeAction(CodeAction {
                title: fix.title.clone(),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![shown]),
                edit: Some(WorkspaceEdit {
                    changes: Some(changes),
                    ..WorkspaceEdit::default()
                }),
                is_preferred: Some(true),
                ..CodeAction::default()
            }))
        })
        .collect()
}
