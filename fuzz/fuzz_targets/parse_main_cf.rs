//! Fuzzes `MainCf::parse` on arbitrary bytes and checks invariants that hold for every input.

#![no_main]

use libfuzzer_sys::fuzz_target;
use postlint_diagnostics::{FileId, TextRange};
use postlint_syntax::MainCf;

/// Asserts that `range` is a valid range of a `len`-byte file.
fn in_bounds(range: TextRange, len: usize, what: &str) {
    assert!(range.start <= range.end, "{what}: reversed range {range:?}");
    assert!(
        range.end as usize <= len,
        "{what}: range {range:?} past end of input ({len} bytes)"
    );
}

fuzz_target!(|data: &[u8]| {
    let cf = MainCf::parse(data, FileId(0));

    for diag in &cf.diagnostics {
        for label in &diag.labels {
            in_bounds(label.range, data.len(), "diagnostic label");
        }
    }

    for p in &cf.parameters {
        in_bounds(p.name_range, data.len(), "name_range");
        in_bounds(p.value_range, data.len(), "value_range");
        in_bounds(p.line.range, data.len(), "line.range");
        in_bounds(p.line.head, data.len(), "line.head");
        assert!(!p.name.is_empty(), "empty parameter name");
        // The name never contains whitespace, so it lies on one physical line (the head line)
        // and its file range must slice exactly the name bytes.
        assert_eq!(
            p.name_range.slice(data),
            p.name.as_slice(),
            "name_range does not slice the name"
        );
        assert!(
            p.line.head.start <= p.name_range.start && p.name_range.end <= p.line.head.end,
            "name outside its head line"
        );
        // The value is taken from the logical line at `value_offset`.
        let off = p.value_offset as usize;
        assert_eq!(
            p.line.text.get(off..off + p.value.len()),
            Some(p.value.as_slice()),
            "value_offset does not locate the value in the logical line"
        );
        assert!(
            p.line.range.start <= p.value_range.start && p.value_range.end <= p.line.range.end,
            "value outside its logical line"
        );
        // A value on one physical line is sliced verbatim from the file.
        let raw = p.value_range.slice(data);
        if !raw.contains(&b'\n') {
            assert_eq!(
                raw,
                p.value.as_slice(),
                "value_range does not slice the value"
            );
        }
    }

    // Determinism: a second parse gives the same tree and the same diagnostics.
    let again = MainCf::parse(data, FileId(0));
    assert_eq!(
        cf.parameters, again.parameters,
        "parse is not deterministic"
    );
    assert_eq!(
        cf.diagnostics, again.diagnostics,
        "diagnostics are not deterministic"
    );
});
