//! Completion: parameter names (a main.cf line, a master.cf `-o`, a `$` reference) and values
//! of parameters that take one of a fixed set.

use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionItemTag, CompletionTextEdit, TextEdit,
};
use postlint_diagnostics::{FileId, TextRange};
use postlint_postconf::MAIN_CF;
use postlint_syntax::PostfixVersion;

use crate::analysis::Analysis;
use crate::describe;
use crate::encoding::Encoding;

/// What the text before the cursor asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Want {
    /// A parameter name, replacing `range`.
    Name(TextRange),
    /// A `$` reference's name, replacing `range`.
    Reference(TextRange),
    /// A value of parameter `name`, replacing `range`.
    Value(String, TextRange),
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Decides what to complete from the physical line up to the cursor (`line_start..offset`).
fn want(text: &[u8], file: FileId, line_start: u32, offset: u32) -> Option<Want> {
    let prefix = text.get(line_start as usize..offset as usize)?;
    let range_from = |start: usize| TextRange::new(line_start + to_u32(start), offset);
    if prefix.first() == Some(&b'#') {
        return None;
    }
    // The name being typed ends the prefix.
    let word_start = prefix
        .iter()
        .rposition(|&b| !is_name_byte(b))
        .map_or(0, |i| i + 1);
    let before_word = prefix.get(..word_start).unwrap_or_default();
    if before_word.ends_with(b"$") || before_word.ends_with(b"${") || before_word.ends_with(b"$(") {
        return Some(Want::Reference(range_from(word_start)));
    }
    // The whitespace-separated token being typed.
    let token_start = prefix
        .iter()
        .rposition(u8::is_ascii_whitespace)
        .map_or(0, |i| i + 1);
    let token = prefix.get(token_start..).unwrap_or_default();
    if file == MAIN_CF {
        if prefix.first().is_some_and(u8::is_ascii_whitespace) {
            return None; // a continuation line: only references complete there
        }
        return match prefix.iter().position(|&b| b == b'=') {
            None => Some(Want::Name(range_from(0))),
            Some(eq) => {
                let name = String::from_utf8_lossy(prefix.get(..eq)?).trim().to_owned();
                let value_start = prefix
                    .iter()
                    .rposition(|&b| b.is_ascii_whitespace() || b == b',' || b == b'=')
                    .map_or(0, |i| i + 1);
                Some(Want::Value(name, range_from(value_start)))
            }
        };
    }
    // master.cf: the token after `-o`.
    let before_token = prefix.get(..token_start).unwrap_or_default();
    let previous = before_token
        .split(u8::is_ascii_whitespace)
        .rfind(|t| !t.is_empty())?;
    if previous != b"-o" {
        return None;
    }
    match token.iter().position(|&b| b == b'=') {
        None => Some(Want::Name(range_from(token_start))),
        Some(eq) => {
            let name = String::from_utf8_lossy(token.get(..eq)?).into_owned();
            Some(Want::Value(name, range_from(token_start + eq + 1)))
        }
    }
}

fn name_item(
    info: &postlint_params::ParamInfo,
    version: PostfixVersion,
    edit: &TextEdit,
) -> CompletionItem {
    let deprecated = postlint_params::deprecation(info.name)
        .is_some_and(|d| d.is_deprecated_in(version) || d.is_removed_in(version));
    let default = postlint_params::default_value(info.name, version);
    let detail = match (describe::meaning(info.name), default) {
        (Some(meaning), _) => meaning.to_owned(),
        (None, Some("")) => "default: (empty)".to_owned(),
        (None, Some(d)) => format!("default: {d}"),
        (None, None) => String::new(),
    };
    CompletionItem {
        label: info.name.to_owned(),
        kind: Some(CompletionItemKind::PROPERTY),
        detail: (!detail.is_empty()).then_some(detail),
        tags: deprecated.then(|| vec![CompletionItemTag::DEPRECATED]),
        text_edit: Some(CompletionTextEdit::Edit(edit.clone())),
        ..CompletionItem::default()
    }
}

/// Completion items at byte `offset` of file `file`.
pub fn items(
    analysis: &Analysis,
    file: FileId,
    offset: u32,
    encoding: Encoding,
) -> Vec<CompletionItem> {
    let Some(lines) = analysis.lines(file) else {
        return Vec::new();
    };
    let line = lines.index.line_col(offset).line;
    let Some(line_start) = lines.index.line_start(line) else {
        return Vec::new();
    };
    let version = analysis.report.config.version;
    let Some(want) = want(lines.text, file, line_start, offset) else {
        return Vec::new();
    };
    let edit = |range: TextRange, new_text: &str| TextEdit {
        range: lines.range(encoding, range),
        new_text: new_text.to_owned(),
    };
    let known = postlint_params::all()
        .iter()
        .filter(|p| p.is_builtin(version) || p.is_documented_only(version));
    match want {
        Want::Name(range) => {
            let edit = edit(range, "");
            known
                .map(|p| {
                    let mut e = edit.clone();
                    p.name.clone_into(&mut e.new_text);
                    name_item(p, version, &e)
                })
                .collect()
        }
        Want::Reference(range) => {
            let empty = edit(range, "");
            let mut items: Vec<CompletionItem> = known
                .map(|p| {
                    let mut e = empty.clone();
                    p.name.clone_into(&mut e.new_text);
                    name_item(p, version, &e)
                })
                .collect();
            // Names the user defined in main.cf (`my_tls_policy = …`) are referenced too.
            for p in &analysis.report.config.main.parameters {
                let name = p.name_str();
                if postlint_params::lookup(&name).is_none()
                    && !items.iter().any(|i| i.label == name)
                {
                    items.push(CompletionItem {
                        label: name.clone().into_owned(),
                        kind: Some(CompletionItemKind::VARIABLE),
                        detail: Some("defined in main.cf".to_owned()),
                        text_edit: Some(CompletionTextEdit::Edit(edit(range, &name))),
                        ..CompletionItem::default()
                    });
                }
            }
            items
        }
        Want::Value(name, range) => {
            let ty = postlint_params::lookup(&name).map(|p| p.ty);
            describe::enumerated_values(&name, ty)
                .iter()
                .enumerate()
                .map(|(i, value)| CompletionItem {
                    label: (*value).to_owned(),
                    kind: Some(CompletionItemKind::ENUM_MEMBER),
                    detail: (postlint_params::default_value(&name, version) == Some(value))
                        .then(|| "default".to_owned()),
                    sort_text: Some(format!("{i:02}")),
                    text_edit: Some(CompletionTextEdit::Edit(edit(range, value))),
                    ..CompletionItem::default()
                })
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use postlint_postconf::MASTER_CF;

    use super::*;

    fn at(text: &str, file: FileId) -> Option<Want> {
        let offset = to_u32(text.len());
        let line_start = to_u32(text.rfind('\n').map_or(0, |i| i + 1));
        want(text.as_bytes(), file, line_start, offset)
    }

    #[test]
    fn main_cf_contexts() {
        assert_eq!(
            at("smtpd_tls_se", MAIN_CF),
            Some(Want::Name(TextRange::new(0, 12)))
        );
        assert_eq!(
            at("a = b\nsmtpd_tls_security_level = en", MAIN_CF),
            Some(Want::Value(
                "smtpd_tls_security_level".to_owned(),
                TextRange::new(33, 35)
            ))
        );
        assert_eq!(
            at("x = ${myhost", MAIN_CF),
            Some(Want::Reference(TextRange::new(6, 12)))
        );
        assert_eq!(at("# smtpd_", MAIN_CF), None);
        assert_eq!(at("x = a,\n  b", MAIN_CF), None);
    }

    #[test]
    fn master_cf_contexts() {
        let line = "submission inet n - n - - smtpd\n  -o smtpd_tls_sec";
        assert_eq!(
            at(line, MASTER_CF),
            Some(Want::Name(TextRange::new(37, 50)))
        );
        let line = "submission inet n - n - - smtpd\n  -o smtpd_tls_wrappermode=y";
        assert_eq!(
            at(line, MASTER_CF),
            Some(Want::Value(
                "smtpd_tls_wrappermode".to_owned(),
                TextRange::new(59, 60)
            ))
        );
        assert_eq!(at("smtp inet n - n - - smt", MASTER_CF), None);
    }
}
