//! The nesting limit, cycles, and hostile depth.

use std::fmt::Write as _;

use super::{expanded, global, model, of_rule, primary_text};
use crate::{ExpandError, RECURSIVE_EXPANSION_RULE};

/// `p0 = $p1`, …, `p{n-1} = $p{n}`, `p{n} = x`.
fn chain(n: usize) -> String {
    let mut main = String::new();
    for i in 0..n {
        let _ = writeln!(main, "p{i} = $p{}", i + 1);
    }
    let _ = writeln!(main, "p{n} = x");
    main
}

fn chain_names(error: Option<&ExpandError>) -> Vec<String> {
    match error {
        Some(ExpandError::Cycle { chain } | ExpandError::TooDeep { chain }) => {
            chain.iter().map(|l| l.name.clone()).collect()
        }
        other => panic!("not a recursion error: {other:?}"),
    }
}

#[test]
fn a_chain_of_100_references_works() {
    // postconf 3.7: 100 works, 101 is `unreasonable macro call nesting`.
    let m = model(&chain(100), "");
    let value = global(&m, "p0");
    assert_eq!(value.expanded, "x");
    assert!(value.error.is_none());
    assert_eq!(value.references.len(), 100);
    assert_eq!(value.references[99].depth, 100);
    assert!(of_rule(&m, RECURSIVE_EXPANSION_RULE).is_empty());
}

#[test]
fn a_chain_of_101_references_is_too_deep() {
    let m = model(&chain(101), "");
    let value = global(&m, "p0");
    let names = chain_names(value.error.as_ref());
    assert_eq!(names.first().map(String::as_str), Some("p0"));
    assert_eq!(names.last().map(String::as_str), Some("p101"));
    // p1 starts a chain of 100: fine.
    assert!(global(&m, "p1").error.is_none());
    // Reported once, at the outermost value.
    let found = of_rule(&m, RECURSIVE_EXPANSION_RULE);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].message.contains("p0 -> p1"),
        "{}",
        found[0].message
    );
}

#[test]
fn the_limit_is_exact_when_a_memoised_value_is_reached_deeper() {
    let m = model(&chain(101), "");
    // Expanding p1 first memoises p1..p101; p0 must still see the 101st level.
    assert!(global(&m, "p1").error.is_none());
    assert!(matches!(
        global(&m, "p0").error,
        Some(ExpandError::TooDeep { .. })
    ));
    // Nesting inside one value counts too: 100 levels of `${a?{...}}` around `$p51` (whose
    // chain is 50 deep) is past the limit, 49 levels is not.
    let wrap = |levels: usize| {
        format!(
            "{}$p51{}",
            "${a?{".repeat(levels / 2),
            "}}".repeat(levels / 2)
        )
    };
    let m = model(
        &format!(
            "{}a = 1\nok = {}\nbad = {}\n",
            chain(101),
            wrap(98),
            wrap(100)
        ),
        "",
    );
    assert!(
        global(&m, "ok").error.is_none(),
        "{:?}",
        global(&m, "ok").error
    );
    assert!(global(&m, "bad").error.is_some());
}

#[test]
fn a_cycle_is_named() {
    let src = "a = $b\nb = $a\nc = $a x\n";
    let m = model(src, "");
    assert_eq!(chain_names(global(&m, "a").error.as_ref()), ["a", "b", "a"]);
    assert_eq!(chain_names(global(&m, "b").error.as_ref()), ["a", "b", "a"]);
    assert!(global(&m, "c").error.is_some());
    let found = of_rule(&m, RECURSIVE_EXPANSION_RULE);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(
        found[0].message,
        "recursive parameter expansion: `a -> b -> a`"
    );
    assert_eq!(primary_text(&found[0], src), "$b");
    assert_eq!(found[0].labels.len(), 2);
    assert_eq!(found[0].labels[1].message, "`b` refers to `a` here");
}

#[test]
fn a_self_reference_is_named() {
    let src = "a = $a x\n";
    let m = model(src, "");
    assert_eq!(chain_names(global(&m, "a").error.as_ref()), ["a", "a"]);
    let found = of_rule(&m, RECURSIVE_EXPANSION_RULE);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].message, "`a` refers to itself: `a -> a`");
    assert_eq!(primary_text(&found[0], src), "$a");
}

#[test]
fn a_cycle_through_a_default_is_reported_at_the_users_value() {
    // myorigin defaults to $myhostname.
    let src = "myhostname = $myorigin\n";
    let m = model(src, "");
    let found = of_rule(&m, RECURSIVE_EXPANSION_RULE);
    assert_eq!(found.len(), 1);
    assert_eq!(
        found[0].message,
        "recursive parameter expansion: `myhostname -> myorigin -> myhostname`"
    );
    assert_eq!(primary_text(&found[0], src), "$myorigin");
}

#[test]
fn a_cycle_only_taken_in_a_branch_counts_only_when_taken() {
    let m = model("e =\na = ${e?{$a}}ok\nb = 1\nc = ${b?{$c}}\n", "");
    assert_eq!(expanded(&m, "a"), "ok");
    assert!(global(&m, "a").error.is_none());
    assert!(global(&m, "c").error.is_some());
}

#[test]
fn a_cycle_through_a_comparison_operand_is_found() {
    // postconf 3.7 overflows its stack on this one (SIGSEGV).
    let m = model("a = ${{$a} == {x}}\n", "");
    assert_eq!(chain_names(global(&m, "a").error.as_ref()), ["a", "a"]);
}

#[test]
fn comparison_operands_start_a_fresh_nesting_count() {
    // postconf 3.7: p0 = true with a chain of 150 through operands.
    let mut main = String::new();
    for i in 0..150 {
        let _ = writeln!(main, "p{i} = ${{{{$p{}}} == {{}}}}", i + 1);
    }
    main.push_str("p150 = x\n");
    let m = model(&main, "");
    assert_eq!(expanded(&m, "p0"), "true");
    assert_eq!(expanded(&m, "p1"), "");
    assert!(global(&m, "p0").error.is_none());
}

#[test]
fn hostile_depth_is_bounded_without_overflowing_the_stack() {
    // A chain of 5000 names through operands: Postfix would recurse 5000 deep; the model
    // stops at its recursion bound and reports the value as nested too deeply.
    let mut main = String::new();
    for i in 0..5000 {
        let _ = writeln!(main, "p{i} = ${{{{$p{}}} == {{}}}}", i + 1);
    }
    main.push_str("p5000 = x\n");
    let handle = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let m = model(&main, "");
            let started = std::time::Instant::now();
            let value = global(&m, "p0");
            (value.error, started.elapsed())
        })
        .unwrap();
    let (error, elapsed) = handle.join().unwrap();
    assert!(
        matches!(error, Some(ExpandError::TooDeep { .. })),
        "{error:?}"
    );
    assert!(elapsed.as_secs() < 10, "{elapsed:?}");
    // Many mutual references: every value is evaluated once.
    let mut main = String::new();
    for i in 0..2000 {
        let _ = writeln!(
            main,
            "q{i} = $q{} $q{} $q{}",
            (i + 1) % 2000,
            (i + 7) % 2000,
            (i * 3) % 2000
        );
    }
    let m = model(&main, "");
    let started = std::time::Instant::now();
    assert!(global(&m, "q0").error.is_some());
    assert!(started.elapsed().as_secs() < 10);
}

#[test]
fn exponential_values_are_stopped() {
    // Each value holds the next one twice: 2^60 bytes in Postfix.
    let mut main = String::new();
    for i in 0..60 {
        let _ = writeln!(main, "e{i} = $e{0}$e{0}", i + 1);
    }
    main.push_str("e60 = x\n");
    let m = model(&main, "");
    let started = std::time::Instant::now();
    let value = global(&m, "e0");
    assert!(started.elapsed().as_secs() < 10);
    assert!(
        matches!(&value.error, Some(ExpandError::Evaluation { message, .. }) if message.contains("longer than")),
        "{:?}",
        value.error
    );
    assert!(value.references.len() <= 4096);
    // 2^10 bytes are fine.
    assert_eq!(expanded(&m, "e50").len(), 1024);
}
