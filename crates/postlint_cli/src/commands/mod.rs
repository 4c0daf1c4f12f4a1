//! One module per subcommand.

pub mod check;
pub mod effective;
pub mod postconf;
pub mod rule;
pub mod server;
