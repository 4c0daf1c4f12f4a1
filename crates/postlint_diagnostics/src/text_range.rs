//! Byte ranges and file identities.

use serde::{Deserialize, Serialize};

/// Identifies one input file of a check (for example `main.cf` or `master.cf`).
///
/// The numbering is chosen by whoever assembles the inputs; diagnostics only carry it around.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct FileId(pub u32);

/// A half-open byte range `start..end` into one file.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub struct TextRange {
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

impl TextRange {
    /// A range from `start` to `end`; a reversed pair is swapped so the range stays valid.
    pub fn new(start: u32, end: u32) -> Self {
        if start <= end {
            Self { start, end }
        } else {
            Self {
                start: end,
                end: start,
            }
        }
    }

    /// An empty range at `offset`.
    pub fn empty(offset: u32) -> Self {
        Self {
            start: offset,
            end: offset,
        }
    }

    /// A range from `usize` offsets, saturating at `u32::MAX` (inputs are capped far below).
    pub fn from_usize(start: usize, end: usize) -> Self {
        Self::new(to_u32(start), to_u32(end))
    }

    /// Length in bytes.
    pub fn len(self) -> u32 {
        self.end - self.start
    }

    /// Whether the range covers no byte.
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// The smallest range covering both.
    #[must_use]
    pub fn cover(self, other: Self) -> Self {
        Self::new(self.start.min(other.start), self.end.max(other.end))
    }

    /// Whether `offset` lies inside the range (an empty range contains its own offset).
    pub fn contains(self, offset: u32) -> bool {
        (self.start <= offset && offset < self.end) || (self.is_empty() && offset == self.start)
    }

    /// The range as `usize` bounds, for slicing.
    pub fn to_usize(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// The bytes this range covers in `text`, or an empty slice when it lies outside.
    pub fn slice(self, text: &[u8]) -> &[u8] {
        text.get(self.to_usize()).unwrap_or_default()
    }
}

/// Converts a byte offset to `u32`, saturating. Callers cap input sizes well below 4 GiB.
pub(crate) fn to_u32(offset: usize) -> u32 {
    u32::try_from(offset).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_swaps_reversed_bounds() {
        assert_eq!(TextRange::new(5, 2), TextRange { start: 2, end: 5 });
    }

    #[test]
    fn cover_spans_both() {
        assert_eq!(
            TextRange::new(3, 4).cover(TextRange::new(10, 12)),
            TextRange::new(3, 12)
        );
    }

    #[test]
    fn slice_out_of_bounds_is_empty() {
        assert_eq!(TextRange::new(2, 40).slice(b"abc"), b"");
        assert_eq!(TextRange::new(1, 3).slice(b"abc"), b"bc");
    }
}
