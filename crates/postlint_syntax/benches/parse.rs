//! Parser throughput: the shared corpus, a ~10 MB synthetic main.cf and a large master.cf.
//!
//! `cargo bench -p postlint_syntax --bench parse`
//!
//! The corpus is read from `$POSTLINT_CORPUS`, or `<workspace>/../shared/corpus`; when neither
//! exists the `corpus` group is skipped with a loud message.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "benchmark harness"
)]
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    missing_docs,
    reason = "benchmark harness"
)]

mod synthetic;

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use postlint_diagnostics::FileId;
use postlint_syntax::{MainCf, MasterCf};

/// Size of the synthetic main.cf.
const SYNTHETIC_MAIN_CF_BYTES: usize = 10 * 1024 * 1024;
/// Extra services in the synthetic master.cf.
const SYNTHETIC_MASTER_CF_SERVICES: usize = 8_000;

fn corpus_dir() -> PathBuf {
    std::env::var_os("POSTLINT_CORPUS").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"),
        PathBuf::from,
    )
}

/// Every file called `name` under `dir`, recursively, sorted by path.
fn find_files(dir: &Path, name: &str, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            find_files(&path, name, out);
        } else if path.file_name().is_some_and(|f| f == name) {
            out.push(path);
        }
    }
}

fn read_all(dir: &Path, name: &str) -> Vec<Vec<u8>> {
    let mut paths = Vec::new();
    find_files(dir, name, &mut paths);
    paths.sort();
    paths.iter().map(|p| std::fs::read(p).unwrap()).collect()
}

fn total_len(files: &[Vec<u8>]) -> u64 {
    files.iter().map(|f| f.len() as u64).sum()
}

fn corpus(c: &mut Criterion) {
    let dir = corpus_dir();
    if !dir.is_dir() {
        eprintln!(
            "\n*** SKIPPED: corpus benchmark: no corpus at {} (set POSTLINT_CORPUS) ***\n",
            dir.display()
        );
        return;
    }
    let mains = read_all(&dir, "main.cf");
    let masters = read_all(&dir, "master.cf");
    if mains.is_empty() && masters.is_empty() {
        eprintln!(
            "\n*** SKIPPED: corpus benchmark: no main.cf or master.cf under {} ***\n",
            dir.display()
        );
        return;
    }
    eprintln!(
        "corpus: {} main.cf ({} bytes), {} master.cf ({} bytes) from {}",
        mains.len(),
        total_len(&mains),
        masters.len(),
        total_len(&masters),
        dir.display()
    );
    let mut group = c.benchmark_group("corpus");
    group.throughput(Throughput::Bytes(total_len(&mains)));
    group.bench_function("main_cf", |b| {
        b.iter(|| {
            for src in &mains {
                black_box(MainCf::parse(black_box(src), FileId(0)));
            }
        });
    });
    group.throughput(Throughput::Bytes(total_len(&masters)));
    group.bench_function("master_cf", |b| {
        b.iter(|| {
            for src in &masters {
                black_box(MasterCf::parse(black_box(src), FileId(1)));
            }
        });
    });
    group.finish();
}

fn synthetic_main(c: &mut Criterion) {
    let src = synthetic::main_cf(SYNTHETIC_MAIN_CF_BYTES);
    let parsed = MainCf::parse(&src, FileId(0));
    eprintln!(
        "synthetic main.cf: {} bytes, {} parameters, {} diagnostics",
        src.len(),
        parsed.parameters.len(),
        parsed.diagnostics.len()
    );
    assert!(
        parsed.diagnostics.is_empty(),
        "synthetic main.cf must parse cleanly"
    );
    drop(parsed);
    let mut group = c.benchmark_group("synthetic_10mb_main_cf");
    group.throughput(Throughput::Bytes(src.len() as u64));
    group.sample_size(10);
    group.bench_function("parse", |b| {
        b.iter(|| black_box(MainCf::parse(black_box(&src), FileId(0))));
    });
    group.finish();
}

fn synthetic_master(c: &mut Criterion) {
    let src = synthetic::master_cf(SYNTHETIC_MASTER_CF_SERVICES);
    let parsed = MasterCf::parse(&src, FileId(1));
    eprintln!(
        "synthetic master.cf: {} bytes, {} services, {} diagnostics",
        src.len(),
        parsed.services.len(),
        parsed.diagnostics.len()
    );
    assert!(
        parsed.diagnostics.is_empty(),
        "synthetic master.cf must parse cleanly"
    );
    drop(parsed);
    let mut group = c.benchmark_group("synthetic_master_cf");
    group.throughput(Throughput::Bytes(src.len() as u64));
    group.sample_size(10);
    group.bench_function("parse", |b| {
        b.iter(|| black_box(MasterCf::parse(black_box(&src), FileId(1))));
    });
    group.finish();
}

criterion_group!(benches, corpus, synthetic_main, synthetic_master);
criterion_main!(benches);
