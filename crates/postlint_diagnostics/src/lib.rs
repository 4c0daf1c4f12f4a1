//! The data every postlint front end renders: byte ranges into named files, a line index to turn
//! them into line/column positions, and the single [`Diagnostic`] type.
//!
//! Architecture invariant: positions are `u32` byte offsets everywhere inside postlint; only the
//! edges (LSP, JavaScript, terminal output) convert them with a [`LineIndex`].

mod diagnostic;
mod line_index;
mod text_range;

pub use diagnostic::{Diagnostic, Edit, Fix, Label, Severity};
pub use line_index::{LineCol, LineIndex, utf16_len};
pub use text_range::{FileId, TextRange};
