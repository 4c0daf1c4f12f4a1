//! postlint's machine-readable outputs. [`json`] is the versioned JSON contract the CLI prints
//! with `--format json` and the WebAssembly page returns; other formats are built from the same
//! [`postlint_linter::Report`] values.

pub mod github;
pub mod json;
pub mod sarif;
