//! Reading configuration files from disk. Everything after this works on bytes in memory.

use std::io::{ErrorKind, Read as _};
use std::path::Path;

/// Largest configuration file postlint reads; larger files are refused with an error rather
/// than exhausting memory. Real main.cf files are kilobytes; generated ones tens of megabytes.
pub const MAX_FILE_SIZE: u64 = 256 * 1024 * 1024;

/// One file read from disk.
#[derive(Debug)]
pub struct SourceFile {
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// Files at least this large are read by two threads at once, each reading one half: copying
/// the data and faulting in the new buffer's pages are most of the time reading takes.
#[cfg(unix)]
const PARALLEL_READ_BYTES: u64 = crate::memory::LARGE_INPUT_BYTES;

fn too_large(path: &Path) -> String {
    format!(
        "{} is larger than {} MiB; refusing to read it",
        path.display(),
        MAX_FILE_SIZE / 1024 / 1024
    )
}

/// All `size` bytes of `file`, read as two halves on two threads; `None` when the file is not
/// exactly `size` bytes long any more, or a read fails (the caller then reads it in turn,
/// which reports the error).
#[cfg(unix)]
fn read_halves(file: &std::fs::File, size: usize) -> Option<Vec<u8>> {
    use std::os::unix::fs::FileExt as _;
    let mut bytes = vec![0; size];
    let half = size / 2;
    let (first, second) = bytes.split_at_mut(half);
    let read = std::thread::scope(|scope| {
        let second = scope.spawn(|| file.read_exact_at(second, half as u64));
        let first = file.read_exact_at(first, 0);
        first.is_ok() && second.join().is_ok_and(|r| r.is_ok())
    });
    // A file that grew meanwhile is read again, whole, by the caller.
    let mut past_end = [0; 1];
    (read && matches!(file.read_at(&mut past_end, size as u64), Ok(0))).then_some(bytes)
}

/// Reads `path`; `Ok(None)` when it does not exist.
pub fn read_optional(path: &Path) -> Result<Option<SourceFile>, String> {
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot open {}: {e}", path.display())),
    };
    let size = file.metadata().map_or(0, |m| m.len());
    if size > MAX_FILE_SIZE {
        return Err(too_large(path));
    }
    crate::memory::input_of(size);
    #[cfg(unix)]
    if size >= PARALLEL_READ_BYTES
        && let Some(bytes) = read_halves(&file, usize::try_from(size).unwrap_or(0))
    {
        return Ok(Some(SourceFile { bytes }));
    }
    // Sized from the file's length up front: growing the buffer by doubling would copy a
    // large file several times.
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0).saturating_add(1));
    file.take(MAX_FILE_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if bytes.len() as u64 > MAX_FILE_SIZE {
        return Err(too_large(path));
    }
    Ok(Some(SourceFile { bytes }))
}

/// The two files of a Postfix configuration directory, as read from disk.
#[derive(Debug)]
pub struct ConfigDir {
    /// `DIR/main.cf`.
    pub main_path: std::path::PathBuf,
    /// `DIR/master.cf`.
    pub master_path: std::path::PathBuf,
    /// main.cf's bytes, `None` when it does not exist.
    pub main: Option<Vec<u8>>,
    /// master.cf's bytes, `None` when it does not exist.
    pub master: Option<Vec<u8>>,
}

impl ConfigDir {
    /// Reads `dir/main.cf` and `dir/master.cf`; a missing file is `None`, any other failure an
    /// error message.
    pub fn read(dir: &Path) -> Result<Self, String> {
        let main_path = dir.join("main.cf");
        let master_path = dir.join("master.cf");
        let main = read_optional(&main_path)?.map(|f| f.bytes);
        let master = read_optional(&master_path)?.map(|f| f.bytes);
        Ok(Self {
            main_path,
            master_path,
            main,
            master,
        })
    }

    /// Like [`Self::read`], and an error when the directory holds neither file.
    pub fn read_some(dir: &Path) -> Result<Self, String> {
        let files = Self::read(dir)?;
        if files.main.is_none() && files.master.is_none() {
            return Err(format!(
                "{} holds neither main.cf nor master.cf",
                dir.display()
            ));
        }
        Ok(files)
    }
}

/// Reads standard input, with the same size limit as files.
pub fn read_stdin() -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(MAX_FILE_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read standard input: {e}"))?;
    if bytes.len() as u64 > MAX_FILE_SIZE {
        return Err(format!(
            "standard input is larger than {} MiB; refusing to read it",
            MAX_FILE_SIZE / 1024 / 1024
        ));
    }
    Ok(bytes)
}

/// Which of the two files a single file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// `main.cf`, or `postconf -n` output (`name = value` lines).
    Main,
    /// `master.cf`, or `postconf -M` output (eight-field service lines).
    Master,
}

/// The kind of a file named `name` holding `bytes`: `main.cf` and `master.cf` by name, any
/// other name (a saved `postconf -n` or `postconf -M` dump, `main.cf.proto`, standard input)
/// by content.
pub fn file_kind(name: Option<&str>, bytes: &[u8]) -> FileKind {
    let base = name.map(|n| n.rsplit(['/', '\\']).next().unwrap_or(n));
    match base {
        Some("main.cf") => FileKind::Main,
        Some("master.cf") => FileKind::Master,
        _ if looks_like_master(bytes) => FileKind::Master,
        _ => FileKind::Main,
    }
}

/// Whether `bytes` reads as master.cf: more of its first entries are service lines (eight or
/// more fields, the second a service type) than `name = value` lines.
pub fn looks_like_master(bytes: &[u8]) -> bool {
    const TYPES: [&[u8]; 5] = [b"inet", b"unix", b"unix-dgram", b"fifo", b"pass"];
    let (mut main, mut master) = (0usize, 0usize);
    for line in bytes.split(|&b| b == b'\n').take(2000) {
        // Comments, blank lines and continuation lines say nothing.
        match line.first() {
            None | Some(b'#' | b' ' | b'\t' | b'\r') => continue,
            Some(_) => {}
        }
        let mut fields = line
            .split(u8::is_ascii_whitespace)
            .filter(|f| !f.is_empty());
        let first = fields.next().unwrap_or_default();
        let second = fields.next().unwrap_or_default();
        if first.contains(&b'=') || second.first() == Some(&b'=') {
            main += 1;
        } else if TYPES.contains(&second) && fields.count() >= 6 {
            master += 1;
        }
        if main + master >= 50 {
            break;
        }
    }
    master > main
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir =
            std::env::temp_dir().join(format!("postlint-input-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_large_file_is_read_whole_in_two_halves() {
        let dir = scratch("halves");
        let path = dir.join("main.cf");
        // Odd-sized and above the two-thread threshold; every line differs, so a half read
        // into the wrong place or twice would not compare equal.
        let mut text = Vec::new();
        let mut i = 0u64;
        while (text.len() as u64) < PARALLEL_READ_BYTES + 12_345 {
            text.extend_from_slice(format!("p{i} = value {i}\n").as_bytes());
            i += 1;
        }
        std::fs::write(&path, &text).unwrap();
        let file = std::fs::File::open(&path).unwrap();
        assert_eq!(read_halves(&file, text.len()).as_deref(), Some(&text[..]));
        // A stale length (the file grew or shrank since) is not taken as the file.
        assert!(read_halves(&file, text.len() - 1).is_none());
        assert!(read_halves(&file, text.len() + 1).is_none());
        assert_eq!(read_optional(&path).unwrap().unwrap().bytes, text);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_file_over_the_limit_is_refused_without_reading_it() {
        let dir = scratch("limit");
        let path = dir.join("main.cf");
        let file = std::fs::File::create(&path).unwrap();
        // Sparse: no data is written.
        file.set_len(MAX_FILE_SIZE + 1).unwrap();
        let err = read_optional(&path).unwrap_err();
        assert!(err.contains("larger than 256 MiB"), "{err}");
        assert!(read_optional(&dir.join("absent.cf")).unwrap().is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn kind_by_name_then_content() {
        let dump_n = b"alias_maps = hash:/etc/aliases\nbiff = no\n";
        let dump_m = b"smtp      inet  n       -       y       -       -       smtpd\n\
pickup    unix  n       -       y       60      1       pickup\n";
        assert_eq!(file_kind(Some("n.out"), dump_n), FileKind::Main);
        assert_eq!(file_kind(Some("M.out"), dump_m), FileKind::Master);
        assert_eq!(file_kind(None, dump_m), FileKind::Master);
        assert_eq!(file_kind(Some("a/main.cf"), dump_m), FileKind::Main);
        assert_eq!(file_kind(Some("master.cf"), dump_n), FileKind::Master);
        assert_eq!(file_kind(None, b""), FileKind::Main);
        // A continued service line and a comment do not count.
        let commented = b"# smtp inet n - y - - smtpd\nsmtp inet n - y - -\n  smtpd\nx=1\ny = 2\n";
        assert_eq!(file_kind(None, commented), FileKind::Main);
    }
}
