//! Fuzzes `expansion::parse` on arbitrary bytes, for Postfix 3.7 and 3.11 syntax, and checks
//! invariants that hold for every input.

#![no_main]

use libfuzzer_sys::fuzz_target;
use postlint_diagnostics::TextRange;
use postlint_syntax::PostfixVersion;
use postlint_syntax::expansion::{self, ExpansionOptions, Expr, Operand, Piece, RefForm};

/// Asserts that `range` is a valid range of a `len`-byte text.
fn in_bounds(range: TextRange, len: usize, what: &str) {
    assert!(range.start <= range.end, "{what}: reversed range {range:?}");
    assert!(
        range.end as usize <= len,
        "{what}: range {range:?} past end of input ({len} bytes)"
    );
}

/// Asserts that `inner` lies inside `outer`.
fn within(inner: TextRange, outer: TextRange, what: &str) {
    assert!(
        outer.start <= inner.start && inner.end <= outer.end,
        "{what}: {inner:?} not inside {outer:?}"
    );
}

/// Checks a name and its range: in bounds, inside the reference, and slicing the name.
fn check_name(name: &str, name_range: TextRange, reference: TextRange, data: &[u8]) {
    in_bounds(name_range, data.len(), "name_range");
    within(name_range, reference, "name_range");
    if let Ok(text) = std::str::from_utf8(name_range.slice(data)) {
        assert_eq!(text, name, "name_range does not slice the name");
    }
}

fn check_operand(operand: &Operand, reference: TextRange, data: &[u8]) {
    in_bounds(operand.range, data.len(), "operand");
    within(operand.range, reference, "operand");
    within(operand.expr.range, operand.range, "operand expression");
    check_expr(&operand.expr, data);
}

/// Checks every range of `expr`, recursively: in bounds, pieces inside the expression, in
/// order and not overlapping, every part of a reference inside the reference.
fn check_expr(expr: &Expr, data: &[u8]) {
    in_bounds(expr.range, data.len(), "expression");
    let mut prev_end = expr.range.start;
    for piece in &expr.pieces {
        let range = piece.range();
        in_bounds(range, data.len(), "piece");
        within(range, expr.range, "piece");
        assert!(
            range.start >= prev_end,
            "pieces overlap or are out of order"
        );
        prev_end = range.end;
        let Piece::Ref(reference) = piece else {
            continue;
        };
        let r = reference.range;
        match &reference.form {
            RefForm::Name { name, name_range } => check_name(name, *name_range, r, data),
            RefForm::IfSet {
                name,
                name_range,
                then,
            } => {
                check_name(name, *name_range, r, data);
                check_operand(then, r, data);
            }
            RefForm::IfUnset {
                name,
                name_range,
                otherwise,
            } => {
                check_name(name, *name_range, r, data);
                check_operand(otherwise, r, data);
            }
            RefForm::IfElse {
                name,
                name_range,
                then,
                otherwise,
            } => {
                check_name(name, *name_range, r, data);
                check_operand(then, r, data);
                check_operand(otherwise, r, data);
            }
            RefForm::Compare {
                lhs,
                op_range,
                rhs,
                then,
                otherwise,
                ..
            } => {
                in_bounds(*op_range, data.len(), "op_range");
                within(*op_range, r, "op_range");
                check_operand(lhs, r, data);
                check_operand(rhs, r, data);
                if let Some(then) = then {
                    check_operand(then, r, data);
                }
                if let Some(otherwise) = otherwise {
                    check_operand(otherwise, r, data);
                }
            }
            RefForm::Function {
                name,
                name_range,
                arg,
                ..
            } => {
                check_name(name, *name_range, r, data);
                check_operand(arg, r, data);
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    for version in [PostfixVersion::V3_7, PostfixVersion::V3_11] {
        let options = ExpansionOptions { version };
        let parsed = expansion::parse(data, options);
        assert_eq!(
            parsed.expr.range,
            TextRange::from_usize(0, data.len()),
            "the top-level expression covers the whole value"
        );
        check_expr(&parsed.expr, data);
        for error in &parsed.errors {
            in_bounds(error.range, data.len(), "error");
        }
        // Walking the tree terminates and visits only references with in-bounds ranges.
        for reference in parsed.expr.walk() {
            in_bounds(reference.range, data.len(), "walked reference");
        }
        // Determinism.
        assert_eq!(
            parsed,
            expansion::parse(data, options),
            "parse is not deterministic"
        );
    }
});
