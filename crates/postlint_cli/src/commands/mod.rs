//! One module per subcommand.

pub mod check;
pub mod postconf;
pub mod rule;
