//! Compatibility levels (`compatibility_level`, `postfix-config.md` §4): `major[.minor[.patch]]`
//! compared number by number, so `3.10` is above `3.9`, exactly as `global/compat_level.c`
//! reads and compares them.

use std::fmt;

/// Largest major number Postfix accepts: a C `long` keeps 20 bits for minor and patch.
const MAX_MAJOR: u64 = (1 << 43) - 1;

/// Largest minor or patch number (10 bits each).
const MAX_MINOR_OR_PATCH: u16 = 1023;

/// A compatibility level such as `0`, `2`, `3.6` or `3.6.1`. Missing parts are zero, and the
/// order is numeric per part (`3.10 > 3.9`, `3.06 == 3.6`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct CompatLevel {
    /// The major number (`3` in `3.6`).
    pub major: u64,
    /// The minor number (`6` in `3.6`).
    pub minor: u16,
    /// The patch number (`1` in `3.6.1`).
    pub patch: u16,
}

impl CompatLevel {
    /// Level `0`, the built-in default of `compatibility_level`.
    pub const ZERO: Self = Self::new(0, 0, 0);

    /// A level from its parts.
    pub const fn new(major: u64, minor: u16, patch: u16) -> Self {
        Self {
            major,
            minor,
            patch,
        }
    }

    /// Reads a level as Postfix's `compat_level_from_string()` does: each part is a C
    /// `strtol` number (leading blanks and a sign allowed), parts are separated by `.`, major
    /// is at most 2^43-1, minor and patch at most 1023, and nothing may follow. `None` for
    /// anything else (`malformed compatibility level syntax` in Postfix, fatal for every
    /// program).
    pub fn parse(text: &[u8]) -> Option<Self> {
        let (major, rest) = strtol(text)?;
        let major = u64::try_from(major).ok().filter(|m| *m <= MAX_MAJOR)?;
        let Some(rest) = rest.strip_prefix(b".") else {
            return rest.is_empty().then_some(Self::new(major, 0, 0));
        };
        let (minor, rest) = strtol(rest)?;
        let minor = small(minor)?;
        let Some(rest) = rest.strip_prefix(b".") else {
            return rest.is_empty().then_some(Self::new(major, minor, 0));
        };
        let (patch, rest) = strtol(rest)?;
        let patch = small(patch)?;
        rest.is_empty().then_some(Self::new(major, minor, patch))
    }
}

impl fmt::Display for CompatLevel {
    /// As `compat_level_to_string()` prints it: levels up to 2 as one number, later ones as
    /// `major.minor`, with `.patch` when it is not zero.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.major)?;
        if self.major > 2 {
            write!(f, ".{}", self.minor)?;
            if self.patch != 0 {
                write!(f, ".{}", self.patch)?;
            }
        }
        Ok(())
    }
}

/// A minor or patch number in range.
fn small(value: i64) -> Option<u16> {
    u16::try_from(value)
        .ok()
        .filter(|v| *v <= MAX_MINOR_OR_PATCH)
}

/// One C `strtol(…, 10)` number: optional leading whitespace and sign, then at least one
/// digit; `None` when there is no digit or the number overflows a `long`.
pub fn strtol(bytes: &[u8]) -> Option<(i64, &[u8])> {
    let mut rest = bytes;
    while let [b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r', tail @ ..] = rest {
        rest = tail;
    }
    let mut negative = false;
    if let [sign @ (b'+' | b'-'), tail @ ..] = rest {
        negative = *sign == b'-';
        rest = tail;
    }
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    let (number, tail) = rest.split_at(digits);
    let mut value: i64 = 0;
    for &digit in number {
        value = value
            .checked_mul(10)?
            .checked_add(i64::from(digit - b'0'))?;
    }
    Some((if negative { -value } else { value }, tail))
}
