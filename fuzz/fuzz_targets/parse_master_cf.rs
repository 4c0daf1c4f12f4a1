//! Fuzzes `MasterCf::parse` on arbitrary bytes and checks invariants that hold for every input.

#![no_main]

use libfuzzer_sys::fuzz_target;
use postlint_diagnostics::{FileId, TextRange};
use postlint_syntax::MasterCf;

/// Asserts that `range` is a valid range of a `len`-byte file.
fn in_bounds(range: TextRange, len: usize, what: &str) {
    assert!(range.start <= range.end, "{what}: reversed range {range:?}");
    assert!(
        range.end as usize <= len,
        "{what}: range {range:?} past end of input ({len} bytes)"
    );
}

fuzz_target!(|data: &[u8]| {
    let cf = MasterCf::parse(data, FileId(1));

    for diag in &cf.diagnostics {
        for label in &diag.labels {
            in_bounds(label.range, data.len(), "diagnostic label");
        }
    }
    if let Some(fatal) = cf.fatal {
        assert!(
            fatal < cf.diagnostics.len(),
            "fatal index {fatal} out of range"
        );
    }

    for service in &cf.services {
        assert_eq!(
            service.fields.len(),
            8,
            "a service has exactly eight fields"
        );
        in_bounds(service.line.range, data.len(), "line.range");
        in_bounds(service.line.head, data.len(), "line.head");
        for field in &service.fields {
            in_bounds(field.range, data.len(), "field");
            assert!(!field.text.is_empty(), "empty field");
            assert!(
                service.line.range.start <= field.range.start
                    && field.range.end <= service.line.range.end,
                "field outside its logical line"
            );
            // Fields are never normalised: one on a single physical line is sliced verbatim.
            let raw = field.range.slice(data);
            if !raw.contains(&b'\n') {
                assert_eq!(
                    raw,
                    field.text.as_slice(),
                    "field range does not slice the field"
                );
            }
        }
        for arg in &service.args {
            in_bounds(arg.range, data.len(), "argument");
            assert!(
                service.line.range.start <= arg.range.start
                    && arg.range.end <= service.line.range.end,
                "argument outside its logical line"
            );
        }
        for ov in &service.overrides {
            in_bounds(ov.name_range, data.len(), "override name");
            in_bounds(ov.value_range, data.len(), "override value");
            in_bounds(ov.range, data.len(), "override");
            assert!(!ov.name.is_empty(), "empty override name");
        }
    }

    // Determinism: a second parse gives the same tree and the same diagnostics.
    let again = MasterCf::parse(data, FileId(1));
    assert_eq!(cf.services, again.services, "parse is not deterministic");
    assert_eq!(
        cf.diagnostics, again.diagnostics,
        "diagnostics are not deterministic"
    );
    assert_eq!(cf.fatal, again.fatal, "fatal index is not deterministic");
});
