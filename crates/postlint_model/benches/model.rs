//! Model throughput over the shared corpus: build the model of every directory and evaluate
//! every parameter of main.cf alone and of every master.cf service; build only; diagnostics.
//! Then one generated main.cf as `bench/compare.sh` writes it (200,000 restriction classes,
//! about 23 MB): build, and build plus diagnostics.
//!
//! `cargo bench -p postlint_model --bench model`
//!
//! The corpus is read from `$POSTLINT_CORPUS`, or `<workspace>/../shared/corpus`; when neither
//! exists the corpus benchmarks are skipped with a loud message. Parsing is done once, outside
//! the measurements.

#![allow(
    clippy::unwrap_used,
    clippy::print_stderr,
    missing_docs,
    reason = "benchmark harness"
)]

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, criterion_group, criterion_main};
use postlint_diagnostics::FileId;
use postlint_model::{HostFacts, Model, ModelOptions};
use postlint_syntax::{MainCf, MasterCf, PostfixVersion};

fn corpus_dir() -> PathBuf {
    std::env::var_os("POSTLINT_CORPUS").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"),
        PathBuf::from,
    )
}

/// Every corpus directory's files, parsed (a missing master.cf is Debian's, as in the
/// oracle runs).
fn corpus() -> Vec<(MainCf, MasterCf)> {
    let root = corpus_dir();
    let stock = std::fs::read(root.join("debian12-postinst/master.cf")).unwrap_or_default();
    let mut out = Vec::new();
    for dir in [root.clone(), root.join("templated")] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for path in paths {
            if !path.join("SOURCE").is_file() {
                continue;
            }
            let main = std::fs::read(path.join("main.cf")).unwrap_or_default();
            let master = std::fs::read(path.join("master.cf")).unwrap_or_else(|_| stock.clone());
            out.push((
                MainCf::parse(&main, FileId(0)),
                MasterCf::parse(&master, FileId(1)),
            ));
        }
    }
    out
}

fn options() -> ModelOptions {
    ModelOptions {
        version: PostfixVersion::V3_7,
        host: HostFacts {
            hostname: Some("vm".to_owned()),
            ..HostFacts::default()
        },
        ..ModelOptions::default()
    }
}

/// Builds the model and evaluates every parameter of every view; returns the number of values.
fn evaluate_all(main: &MainCf, master: &MasterCf) -> usize {
    let model = Model::new(main, master, options());
    let mut count = 0;
    for view in std::iter::once(model.global()).chain(model.services()) {
        for name in view.names() {
            black_box(view.value(name));
            count += 1;
        }
    }
    count
}

/// A main.cf with `classes` restriction classes, each defined on a line of its own, after a
/// few stock settings (what `bench/compare.sh` generates), and a small master.cf.
fn generated(classes: usize) -> (MainCf, MasterCf) {
    use std::fmt::Write as _;
    let mut main = String::from(
        "smtpd_banner = $myhostname ESMTP $mail_name (Debian/GNU)\nbiff = no\n\
         append_dot_mydomain = no\ncompatibility_level = 3.6\n\
         myhostname = mail.example.org\nalias_maps = hash:/etc/aliases\n\
         mydestination = $myhostname, localhost.localdomain, , localhost\n\
         smtpd_restriction_classes =",
    );
    for i in 0..classes {
        let _ = write!(main, "{} c{i}", if i == 0 { "" } else { "," });
    }
    main.push('\n');
    for i in 0..classes {
        let _ = writeln!(
            main,
            "c{i} = check_client_access cidr:/etc/postfix/c{i}.cidr, permit_mynetworks, reject_unauth_destination"
        );
    }
    let master = "smtp inet n - y - - smtpd\npickup unix n - y 60 1 pickup\n\
                  submission inet n - y - - smtpd -o smtpd_tls_security_level=encrypt\n\
                  qmgr unix n - n 300 1 qmgr\nrelay unix - - y - - smtp\n";
    (
        MainCf::parse(main.as_bytes(), FileId(0)),
        MasterCf::parse(master.as_bytes(), FileId(1)),
    )
}

fn bench(c: &mut Criterion) {
    let (main, master) = generated(200_000);
    let mut group = c.benchmark_group("generated_200k_classes");
    group.sample_size(10);
    group.bench_function("build", |b| {
        b.iter(|| black_box(Model::new(&main, &master, options())));
    });
    group.bench_function("build_and_diagnostics", |b| {
        b.iter(|| black_box(Model::new(&main, &master, options()).diagnostics()));
    });
    group.finish();

    let files = corpus();
    if files.is_empty() {
        eprintln!(
            "\n*** SKIPPED: model benchmarks: no corpus at {} (set POSTLINT_CORPUS) ***\n",
            corpus_dir().display()
        );
        return;
    }
    let values: usize = files.iter().map(|(m, s)| evaluate_all(m, s)).sum();
    let services: usize = files.iter().map(|(_, s)| s.services.len()).sum();
    eprintln!(
        "corpus: {} directories, {services} services, {values} values per iteration",
        files.len()
    );
    let mut group = c.benchmark_group("corpus");
    group.sample_size(20);
    group.bench_function("build_and_evaluate_every_parameter", |b| {
        b.iter(|| {
            files
                .iter()
                .map(|(main, master)| evaluate_all(main, master))
                .sum::<usize>()
        });
    });
    group.bench_function("build", |b| {
        b.iter(|| {
            for (main, master) in &files {
                black_box(Model::new(main, master, options()));
            }
        });
    });
    group.bench_function("build_and_diagnostics", |b| {
        b.iter(|| {
            for (main, master) in &files {
                black_box(Model::new(main, master, options()).diagnostics());
            }
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
