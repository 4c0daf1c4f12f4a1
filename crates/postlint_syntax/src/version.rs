//! Postfix release numbers. Syntax, parameter names and defaults all depend on the target
//! release, so the type lives at the bottom of the dependency graph.

use std::fmt;
use std::str::FromStr;

/// A Postfix release line such as 3.7 or 3.11 (patch releases do not change the configuration
/// language).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PostfixVersion {
    /// Major number.
    pub major: u16,
    /// Minor number.
    pub minor: u16,
}

impl PostfixVersion {
    /// Postfix 3.0: braced operands, `-o { }`, `{ }` arguments.
    pub const V3_0: Self = Self::new(3, 0);
    /// Postfix 3.6: `<level` comparisons, `>=TLSv1.2`, `known_tcp_ports`.
    pub const V3_6: Self = Self::new(3, 6);
    /// Postfix 3.7, the release of the recorded `postconf` oracle.
    pub const V3_7: Self = Self::new(3, 7);
    /// Postfix 3.11, the newest stable release line.
    pub const V3_11: Self = Self::new(3, 11);
    /// Postfix 3.12, the current snapshot.
    pub const V3_12: Self = Self::new(3, 12);
    /// The default target: the newest stable release.
    pub const NEWEST_STABLE: Self = Self::V3_11;
    /// The oldest release postlint models.
    pub const OLDEST: Self = Self::V3_7;
    /// The newest release postlint models.
    pub const NEWEST: Self = Self::V3_12;

    /// A version from its parts.
    pub const fn new(major: u16, minor: u16) -> Self {
        Self { major, minor }
    }
}

impl Default for PostfixVersion {
    fn default() -> Self {
        Self::NEWEST_STABLE
    }
}

impl fmt::Display for PostfixVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// Why a version string was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseVersionError(pub String);

impl fmt::Display for ParseVersionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ParseVersionError {}

impl FromStr for PostfixVersion {
    type Err = ParseVersionError;

    /// Accepts `3.7`, `3.7.11` (the patch is dropped) and `3.12-20260821` style snapshots.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || {
            ParseVersionError(format!(
                "invalid Postfix version `{s}`, expected e.g. `3.11`"
            ))
        };
        let core = s.split(['-', '+']).next().unwrap_or(s);
        let mut parts = core.split('.');
        let major = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
        let minor = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
        if let Some(patch) = parts.next() {
            patch.parse::<u32>().map_err(|_| bad())?;
        }
        if parts.next().is_some() {
            return Err(bad());
        }
        Ok(Self::new(major, minor))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_orders_numerically() {
        let v310: PostfixVersion = "3.10".parse().unwrap();
        let v39: PostfixVersion = "3.9.1".parse().unwrap();
        assert!(v310 > v39);
        assert_eq!(
            "3.12-20260821".parse::<PostfixVersion>().unwrap(),
            PostfixVersion::V3_12
        );
        assert!("3".parse::<PostfixVersion>().is_err());
        assert!("three.seven".parse::<PostfixVersion>().is_err());
        assert_eq!(PostfixVersion::V3_7.to_string(), "3.7");
    }
}
