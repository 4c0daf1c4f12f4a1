//! Which files are checked together. Postfix reads `main.cf` and `master.cf` of one directory
//! as one configuration, so an edit to either re-checks both: the sibling's text comes from
//! the editor when it is open there, else from disk.

use std::fmt::Write as _;
use std::io::Read as _;
use std::path::PathBuf;

use crate::documents::Documents;

/// Largest sibling file read from disk; a larger one is checked as missing.
const MAX_SIBLING_SIZE: u64 = 64 * 1024 * 1024;

/// Which of the two files a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `main.cf`, or any other file checked as one.
    Main,
    /// `master.cf`.
    Master,
}

/// The URIs of one configuration's two files.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Pair {
    /// `main.cf`, if the configuration has a place for it.
    pub main: Option<String>,
    /// `master.cf`, if the configuration has a place for it.
    pub master: Option<String>,
}

impl Pair {
    /// The pair a document belongs to. A file named `main.cf` or `master.cf` is paired with the
    /// other name in the same directory; any other file is checked alone, as `master.cf` when
    /// its name says so and as `main.cf` otherwise.
    pub fn of(uri: &str) -> Self {
        let (dir, name) = uri.rsplit_once('/').unwrap_or(("", uri));
        let sibling = |other: &str| (!dir.is_empty()).then(|| format!("{dir}/{other}"));
        match name {
            "main.cf" => Self {
                main: Some(uri.to_owned()),
                master: sibling("master.cf"),
            },
            "master.cf" => Self {
                main: sibling("main.cf"),
                master: Some(uri.to_owned()),
            },
            _ if name.contains("master") => Self {
                main: None,
                master: Some(uri.to_owned()),
            },
            _ => Self {
                main: Some(uri.to_owned()),
                master: None,
            },
        }
    }

    /// The URI of `kind`.
    pub fn uri(&self, kind: Kind) -> Option<&str> {
        match kind {
            Kind::Main => self.main.as_deref(),
            Kind::Master => self.master.as_deref(),
        }
    }

    /// Which file `uri` is.
    pub fn kind_of(&self, uri: &str) -> Option<Kind> {
        if self.main.as_deref() == Some(uri) {
            Some(Kind::Main)
        } else if self.master.as_deref() == Some(uri) {
            Some(Kind::Master)
        } else {
            None
        }
    }

    /// The configuration directory on disk, for `file:` URIs.
    pub fn directory(&self) -> Option<PathBuf> {
        let uri = self.main.as_deref().or(self.master.as_deref())?;
        file_path(uri)?.parent().map(std::path::Path::to_path_buf)
    }
}

/// The text of `kind` in `pair`: the editor's when open, else the file on disk; `None` when
/// neither exists.
pub fn text_of(pair: &Pair, kind: Kind, documents: &Documents) -> Option<Vec<u8>> {
    let uri = pair.uri(kind)?;
    if let Some(doc) = documents.get(uri) {
        return Some(doc.text.as_bytes().to_vec());
    }
    read_file(&file_path(uri)?)
}

/// Reads a sibling from disk; a missing, unreadable or oversized file is `None`.
fn read_file(path: &std::path::Path) -> Option<Vec<u8>> {
    let file = std::fs::File::open(path).ok()?;
    let mut bytes = Vec::new();
    file.take(MAX_SIBLING_SIZE + 1)
        .read_to_end(&mut bytes)
        .ok()?;
    (bytes.len() as u64 <= MAX_SIBLING_SIZE).then_some(bytes)
}

/// The local path of a `file:` URI (`file:///etc/postfix/main.cf`, `file://localhost/…`).
pub fn file_path(uri: &str) -> Option<PathBuf> {
    let rest = uri.strip_prefix("file://")?;
    let path = rest.strip_prefix("localhost").unwrap_or(rest);
    if !path.starts_with('/') {
        return None;
    }
    let bytes = percent_decode(path)?;
    path_from_bytes(bytes)
}

#[cfg(unix)]
#[expect(
    clippy::unnecessary_wraps,
    reason = "same signature as on Windows, where paths must be UTF-8"
)]
fn path_from_bytes(bytes: Vec<u8>) -> Option<PathBuf> {
    use std::os::unix::ffi::OsStringExt as _;
    Some(PathBuf::from(std::ffi::OsString::from_vec(bytes)))
}

#[cfg(not(unix))]
fn path_from_bytes(bytes: Vec<u8>) -> Option<PathBuf> {
    let text = String::from_utf8(bytes).ok()?;
    // `/c:/dir` is `c:/dir` on Windows.
    let text = match text.as_bytes() {
        [b'/', drive, b':', ..] if drive.is_ascii_alphabetic() => text.get(1..)?.to_owned(),
        _ => text,
    };
    Some(PathBuf::from(text))
}

/// The `file:` URI of an absolute path, percent-encoding what URIs do not allow.
pub fn file_uri(path: &std::path::Path) -> String {
    let text = path.to_string_lossy();
    let mut uri = String::from("file://");
    if !text.starts_with('/') {
        uri.push('/');
    }
    for &b in text.as_bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            uri.push(char::from(b));
        } else if b == b'\\' {
            uri.push('/');
        } else {
            let _ = write!(uri, "%{b:02X}");
        }
    }
    uri
}

fn percent_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len());
    let mut bytes = text.bytes();
    while let Some(b) = bytes.next() {
        if b == b'%' {
            let hi = char::from(bytes.next()?).to_digit(16)?;
            let lo = char::from(bytes.next()?).to_digit(16)?;
            out.push(u8::try_from(hi * 16 + lo).ok()?);
        } else {
            out.push(b);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn siblings_pair_up_in_one_directory() {
        let pair = Pair::of("file:///etc/postfix/master.cf");
        assert_eq!(pair.main.as_deref(), Some("file:///etc/postfix/main.cf"));
        assert_eq!(
            pair.kind_of("file:///etc/postfix/master.cf"),
            Some(Kind::Master)
        );
        assert_eq!(pair.directory(), Some(PathBuf::from("/etc/postfix")));
        let alone = Pair::of("untitled:Untitled-1");
        assert_eq!(alone.main.as_deref(), Some("untitled:Untitled-1"));
        assert_eq!(alone.master, None);
        assert_eq!(alone.directory(), None);
    }

    #[test]
    fn file_uris_round_trip_with_escapes() {
        let path = std::path::Path::new("/srv/mail conf/é/main.cf");
        let uri = file_uri(path);
        assert_eq!(uri, "file:///srv/mail%20conf/%C3%A9/main.cf");
        assert_eq!(file_path(&uri), Some(path.to_path_buf()));
        assert_eq!(file_path("file:///bad%zz"), None);
        assert_eq!(file_path("https://example.com/main.cf"), None);
    }
}
