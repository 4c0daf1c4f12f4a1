//! Code actions on a diagnostic: the rule's safe fix when it has one, and a
//! `# postlint: ignore[rule]` comment above the entry, which the check honours exactly as the
//! CLI does.

use std::collections::HashMap;
use std::str::FromStr as _;

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Range, TextEdit, Uri, WorkspaceEdit,
};
use postlint_diagnostics::{Diagnostic, Edit, FileId, TextRange};
use postlint_postconf::MASTER_CF;

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
    let mut actions = Vec::new();
    for (d, shown) in diagnostics::with_source(analysis, file, other_open, encoding) {
        if !overlaps(shown.range, range) {
            continue;
        }
        if let Some(fix) = &d.fix
            && let Some(edit) = workspace_edit(analysis, &fix.edits, encoding)
        {
            actions.push(action(fix.title.clone(), shown.clone(), edit, true));
        }
        if let Some(edit) = suppression(analysis, d, file, other_open)
            && let Some(edit) = workspace_edit(analysis, &[edit], encoding)
        {
            let title = format!("ignore `{}` for this entry", d.rule);
            actions.push(action(title, shown, edit, false));
        }
    }
    actions
}

fn action(
    title: String,
    shown: lsp_types::Diagnostic,
    edit: WorkspaceEdit,
    preferred: bool,
) -> CodeActionOrCommand {
    CodeActionOrCommand::CodeAction(CodeAction {
        title,
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![shown]),
        edit: Some(edit),
        is_preferred: Some(preferred),
        ..CodeAction::default()
    })
}

/// The edits in LSP terms; `None` when one touches a file the editor cannot name, so a fix is
/// offered whole or not at all.
fn workspace_edit(
    analysis: &Analysis,
    edits: &[Edit],
    encoding: Encoding,
) -> Option<WorkspaceEdit> {
    #[expect(
        clippy::mutable_key_type,
        reason = "lsp-types keys WorkspaceEdit by Uri, whose cache cell never changes its hash"
    )]
    let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    for edit in edits {
        let uri = Uri::from_str(&analysis.uri(edit.file)?).ok()?;
        let lines = analysis.lines(edit.file)?;
        changes.entry(uri).or_default().push(TextEdit {
            range: lines.range(encoding, edit.range),
            new_text: edit.replacement.clone(),
        });
    }
    Some(WorkspaceEdit {
        changes: Some(changes),
        ..WorkspaceEdit::default()
    })
}

/// The start of the entry holding `offset`: the nearest line at or above it that is neither
/// a continuation (leading whitespace) nor a comment, as the suppression parser reads entries.
fn entry_start(text: &[u8], offset: u32) -> Option<u32> {
    let upto = text.get(..offset as usize)?;
    let mut end = upto.len();
    loop {
        let start = upto
            .get(..end)?
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let first = text.get(start).copied();
        if first.is_some_and(|b| !b.is_ascii_whitespace() && b != b'#') {
            return u32::try_from(start).ok();
        }
        if start == 0 {
            return None;
        }
        end = start - 1;
    }
}

/// A `# postlint: ignore[rule]` line above the entry where `d` is shown in `file`, when that
/// silences it: the entry holds its primary label, or (master.cf) defines the service the
/// finding is about.
fn suppression(
    analysis: &Analysis,
    d: &Diagnostic,
    file: FileId,
    other_open: bool,
) -> Option<Edit> {
    if postlint_linter::suppress::UNSUPPRESSIBLE.contains(&d.rule.as_str()) {
        return None;
    }
    let at = diagnostics::placement(d, file, other_open)?;
    let text = &analysis.file(file)?.text;
    let start = entry_start(text, at.range.start)?;
    if !at.primary {
        let defines_service = file == MASTER_CF
            && d.service.as_ref().is_some_and(|key| {
                analysis
                    .report
                    .config
                    .master
                    .services
                    .iter()
                    .any(|s| s.line.range().start == start && s.key() == *key)
            });
        if !defines_service {
            return None;
        }
    }
    Some(Edit {
        file,
        range: TextRange::empty(start),
        replacement: format!("# postlint: ignore[{}]\n", d.rule),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_start_at_their_first_line() {
        let text = b"a = 1\nb = 2,\n  3\n# note\n  4\nsmtp inet n - n - - smtpd\n";
        let at = |needle: &[u8]| {
            let i = text
                .windows(needle.len())
                .position(|w| w == needle)
                .unwrap();
            entry_start(text, u32::try_from(i).unwrap())
        };
        assert_eq!(at(b"1"), Some(0));
        assert_eq!(at(b"2,"), Some(6));
        assert_eq!(at(b"3"), Some(6));
        assert_eq!(at(b"4"), Some(6));
        assert_eq!(at(b"inet"), Some(28));
        assert_eq!(entry_start(b"  x\n", 2), None);
    }
}
