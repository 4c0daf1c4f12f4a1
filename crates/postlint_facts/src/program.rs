//! Which program a service runs.
//!
//! Field 8 of a `master.cf` entry names the program, relative to `daemon_directory` or as an
//! absolute path. Postfix identifies a daemon by the *basename* of that name: `master(8)`
//! compares `basename(command)` with the service name to decide whether to pass `-n`, and the
//! daemon sets `process_name` from the basename of its `argv[0]` (`master/master_ent.c`,
//! `master/*_server.c`). The same binary behaves differently under different names: `smtp(8)`
//! runs as the LMTP client when invoked as `lmtp`, and `error(8)` also serves `retry`.
//!
//! Names are compared exactly (file names are case-sensitive).

/// What kind of program a service runs, by the basename of its command.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ProgramKind {
    /// `smtpd`: the SMTP server.
    Smtpd,
    /// `postscreen`: the connection screener in front of `smtpd`.
    Postscreen,
    /// `smtp`: the SMTP client (parameters `smtp_*`).
    Smtp,
    /// `lmtp`: the same client binary in LMTP mode (parameters `lmtp_*`).
    Lmtp,
    /// `pipe`: delivery to an external command.
    Pipe,
    /// `local`: local delivery.
    Local,
    /// `virtual`: virtual mailbox delivery.
    Virtual,
    /// `error`: the always-bounce/defer transport (also used for `retry`).
    Error,
    /// Anything else, with its basename.
    Other(String),
}

impl ProgramKind {
    /// Classifies a program basename.
    pub fn from_name(name: &str) -> Self {
        match name {
            "smtpd" => Self::Smtpd,
            "postscreen" => Self::Postscreen,
            "smtp" => Self::Smtp,
            "lmtp" => Self::Lmtp,
            "pipe" => Self::Pipe,
            "local" => Self::Local,
            "virtual" => Self::Virtual,
            "error" => Self::Error,
            other => Self::Other(other.to_owned()),
        }
    }

    /// The parameter-name prefix of an SMTP/LMTP client program (`smtp_` or `lmtp_`).
    pub fn client_prefix(&self) -> Option<&'static str> {
        match self {
            Self::Smtp => Some("smtp_"),
            Self::Lmtp => Some("lmtp_"),
            _ => None,
        }
    }
}

/// The program of one service.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Program {
    /// The basename of field 8 (e.g. `smtpd` for `/usr/lib/postfix/sbin/smtpd`).
    pub name: String,
    /// Its kind.
    pub kind: ProgramKind,
}

/// The basename of a command path, like POSIX `basename(3)`: trailing slashes are ignored,
/// and everything up to the last remaining `/` is dropped. A path made only of slashes yields
/// `/`.
pub fn program_name(command: &str) -> &str {
    let trimmed = command.trim_end_matches('/');
    if trimmed.is_empty() {
        return if command.is_empty() { "" } else { "/" };
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed)
}

/// The program of a service whose field 8 is `command`.
pub fn program(command: &str) -> Program {
    let name = program_name(command);
    Program {
        name: name.to_owned(),
        kind: ProgramKind::from_name(name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basename_of_relative_and_absolute_commands() {
        assert_eq!(program_name("smtpd"), "smtpd");
        assert_eq!(program_name("/usr/lib/postfix/sbin/smtpd"), "smtpd");
        assert_eq!(program_name("sbin/smtpd/"), "smtpd");
        assert_eq!(program_name("/"), "/");
        assert_eq!(program_name(""), "");
    }

    #[test]
    fn kinds_by_basename() {
        assert_eq!(program("smtpd").kind, ProgramKind::Smtpd);
        assert_eq!(
            program("/usr/lib/postfix/sbin/postscreen").kind,
            ProgramKind::Postscreen
        );
        assert_eq!(program("smtp").kind, ProgramKind::Smtp);
        assert_eq!(program("lmtp").kind, ProgramKind::Lmtp);
        assert_eq!(program("pipe").kind, ProgramKind::Pipe);
        assert_eq!(program("local").kind, ProgramKind::Local);
        assert_eq!(program("virtual").kind, ProgramKind::Virtual);
        assert_eq!(program("error").kind, ProgramKind::Error);
        assert_eq!(
            program("tlsproxy").kind,
            ProgramKind::Other("tlsproxy".into())
        );
    }

    #[test]
    fn names_are_case_sensitive() {
        assert_eq!(program("SMTPD").kind, ProgramKind::Other("SMTPD".into()));
        assert_eq!(program("/opt/x/Smtp").name, "Smtp");
    }

    #[test]
    fn client_prefix_follows_the_program_name() {
        assert_eq!(ProgramKind::Smtp.client_prefix(), Some("smtp_"));
        assert_eq!(ProgramKind::Lmtp.client_prefix(), Some("lmtp_"));
        assert_eq!(ProgramKind::Smtpd.client_prefix(), None);
        assert_eq!(ProgramKind::Other("x".into()).client_prefix(), None);
    }
}
