//! postlint's machine-readable outputs. [`json`] is the versioned JSON contract the CLI prints
//! with `--format json` and the WebAssembly page returns; other formats are built from the same
//! [`postlint_linter::Report`] values. [`effective`] is the effective configuration of one
//! service as data, for the CLI's `effective` command and the page's configuration view.

pub mod effective;
pub mod github;
pub mod json;
#[cfg(feature = "sarif")]
pub mod sarif;
