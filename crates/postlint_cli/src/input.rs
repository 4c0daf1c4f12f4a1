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

/// Reads `path`; `Ok(None)` when it does not exist.
pub fn read_optional(path: &Path) -> Result<Option<SourceFile>, String> {
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot open {}: {e}", path.display())),
    };
    let mut bytes = Vec::new();
    file.take(MAX_FILE_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if bytes.len() as u64 > MAX_FILE_SIZE {
        return Err(format!(
            "{} is larger than {} MiB; refusing to read it",
            path.display(),
            MAX_FILE_SIZE / 1024 / 1024
        ));
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
