//! Physical lines to logical lines, as Postfix's `readllines()` does, for both files.

use bytes::Bytes;
use pest::Parser as _;
use postlint_diagnostics::{Diagnostic, FileId, Severity, TextRange};

use crate::shadow::shadow;
use crate::{SYNTAX_CODE, SYNTAX_RULE};

mod grammar {
    //! The generated parser; its `Rule` enum stays private to this module tree.
    #[derive(pest_derive::Parser)]
    #[grammar = "grammar/lines.pest"]
    pub(super) struct LinesParser;
}
use grammar::{LinesParser, Rule};

/// Maps offsets in a logical line's text back to byte offsets in the file.
///
/// A logical line is the head line followed by its continuation lines, each appended verbatim
/// (leading whitespace included, newline dropped), so it is a concatenation of file pieces.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SourceMap {
    /// `(file start, length)` of the head line, which starts the logical line: most entries
    /// have no other piece, and keeping it inline spares them an allocation.
    first: (u32, u32),
    /// `(logical start, file start, length)` of each continuation line, in order (empty, and
    /// not allocated, for a single-line entry).
    rest: Box<[(u32, u32, u32)]>,
}

impl SourceMap {
    /// The map of a line that is not in any file: every range is empty, at offset 0. (A line
    /// of a file has a head line of at least one byte.)
    pub(crate) fn detached() -> Self {
        Self::default()
    }

    fn is_detached(&self) -> bool {
        self.first.1 == 0
    }

    fn piece(&self, index: usize) -> Option<(u32, u32, u32)> {
        if index == 0 {
            Some((0, self.first.0, self.first.1))
        } else {
            self.rest.get(index - 1).copied()
        }
    }

    /// The file offset of logical offset `at`, attaching a piece boundary to the next piece.
    pub fn offset(&self, at: u32) -> u32 {
        // Pieces before `at`: the head line, plus the continuation lines starting at or
        // before it.
        let idx = self.rest.partition_point(|&(start, _, _)| start <= at);
        match self.piece(idx) {
            Some((start, file, len)) => file + (at - start).min(len),
            None => 0,
        }
    }

    /// The file offset just past logical offset `at - 1`, attaching a boundary to the
    /// previous piece (so a range ending at a line end does not reach into the next line).
    fn end_offset(&self, at: u32) -> u32 {
        if at == 0 {
            return self.offset(0);
        }
        self.offset(at - 1) + 1
    }

    /// The file range of a logical range. A range spanning several pieces covers the comment
    /// and blank lines between them too.
    pub fn range(&self, logical: TextRange) -> TextRange {
        if self.is_detached() {
            return TextRange::default();
        }
        if logical.is_empty() {
            let at = self.offset(logical.start);
            return TextRange::empty(at);
        }
        TextRange::new(self.offset(logical.start), self.end_offset(logical.end))
    }

    /// The head line's file range.
    fn head(&self) -> TextRange {
        TextRange::new(self.first.0, self.first.0 + self.first.1)
    }

    /// From the head line's first byte to the last continuation line's last byte.
    fn cover(&self) -> TextRange {
        let end = self
            .rest
            .last()
            .map_or(self.first.0 + self.first.1, |&(_, file, len)| file + len);
        TextRange::new(self.first.0, end)
    }
}

/// One logical line: an entry of main.cf or master.cf.
///
/// Kept small (a main.cf may hold hundreds of thousands): the text, and the map back to the
/// file, from which the line's ranges are computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogicalLine {
    /// The joined text, as Postfix sees it (a slice of the file for a single-line entry).
    pub text: Bytes,
    /// Where each byte of `text` is in the file.
    pub map: SourceMap,
}

impl LogicalLine {
    /// The file range of a range of `text`.
    pub fn file_range(&self, logical: TextRange) -> TextRange {
        self.map.range(logical)
    }

    /// From the first byte of the head line to the last byte of the last continuation line.
    pub fn range(&self) -> TextRange {
        self.map.cover()
    }

    /// The head line's range, without the newline.
    pub fn head(&self) -> TextRange {
        self.map.head()
    }
}

/// The logical lines of a file, and diagnostics for text Postfix skips.
#[derive(Debug, Clone, Default)]
pub struct Lines {
    /// Logical lines in file order.
    pub lines: Vec<LogicalLine>,
    /// Indented text with no entry before it (Postfix warns and skips it), at most
    /// [`crate::MAX_SYNTAX_DIAGNOSTICS`] + 1 of them.
    pub diagnostics: Vec<Diagnostic>,
    /// How many more such diagnostics there were.
    pub dropped: usize,
    /// Set when the file has more than [`MAX_ENTRY_LINES`] lines of entries: the error that
    /// says where reading stopped.
    pub limit: Option<Diagnostic>,
}

/// Most lines of entries (first lines and continuation lines; comments and blank lines do not
/// count) read from one file. A generated main.cf of a few hundred thousand entries is within
/// it; past it, memory would grow with the file without bound, so the rest is not read and an
/// error says so.
pub const MAX_ENTRY_LINES: usize = 500_000;

/// Below this size a file is parsed on the calling thread: starting threads costs more than
/// parsing a typical configuration.
const PARALLEL_MIN_BYTES: usize = 1 << 20;

/// Largest piece parsed at once. The parser's tables for a piece are kept until the piece is
/// done, so pieces bound the memory a file of millions of blank or comment lines takes.
const MAX_PIECE_BYTES: usize = 256 << 10;

/// Splits `src` into logical lines.
///
/// Single-line entries (nearly all of them) share `src`'s buffer instead of copying it. A large
/// file is cut into pieces, parsed in parallel, only at lines where the result is the same as
/// one parse: line starts after which the next line that is not a comment or blank starts an
/// entry (or there is none).
pub fn logical_lines(src: &Bytes, file: FileId) -> Lines {
    let mapped = map_lines(src, file, |line, out, _| out.push(line));
    Lines {
        lines: mapped.items,
        diagnostics: mapped.line_diagnostics,
        dropped: mapped.dropped_line_diagnostics,
        limit: mapped.limit,
    }
}

/// What [`map_lines`] made of a file.
pub(crate) struct Mapped<T> {
    /// What `each` produced, in file order.
    pub items: Vec<T>,
    /// Indented text with no entry before it, in file order (at most
    /// [`crate::MAX_SYNTAX_DIAGNOSTICS`] + 1).
    pub line_diagnostics: Vec<Diagnostic>,
    /// How many more of them there were.
    pub dropped_line_diagnostics: usize,
    /// What `each` reported, in file order (at most [`crate::MAX_SYNTAX_DIAGNOSTICS`] + 1).
    pub item_diagnostics: Vec<Diagnostic>,
    /// How many more of them there were.
    pub dropped_item_diagnostics: usize,
    /// Where reading stopped, when the file has more than [`MAX_ENTRY_LINES`] lines of
    /// entries.
    pub limit: Option<Diagnostic>,
}

impl<T> Mapped<T> {
    /// Nothing yet, with room for `items` items.
    fn with_capacity(items: usize) -> Self {
        Self {
            items: Vec::with_capacity(items),
            line_diagnostics: Vec::new(),
            dropped_line_diagnostics: 0,
            item_diagnostics: Vec::new(),
            dropped_item_diagnostics: 0,
            limit: None,
        }
    }

    /// Appends `next`, the mapping of the piece of the file that follows.
    fn append(&mut self, next: Self) {
        self.items.extend(next.items);
        self.dropped_line_diagnostics += next.dropped_line_diagnostics;
        self.dropped_item_diagnostics += next.dropped_item_diagnostics;
        keep(
            &mut self.line_diagnostics,
            &mut self.dropped_line_diagnostics,
            next.line_diagnostics,
        );
        keep(
            &mut self.item_diagnostics,
            &mut self.dropped_item_diagnostics,
            next.item_diagnostics,
        );
    }
}

/// Diagnostics kept per kind: one more than are shown, so that the first one not shown is
/// still there to point at.
const KEPT_DIAGNOSTICS: usize = crate::MAX_SYNTAX_DIAGNOSTICS + 1;

/// Appends `more` to `kept` up to [`KEPT_DIAGNOSTICS`], counting the rest in `dropped`.
fn keep(kept: &mut Vec<Diagnostic>, dropped: &mut usize, more: Vec<Diagnostic>) {
    let room = KEPT_DIAGNOSTICS.saturating_sub(kept.len());
    *dropped += more.len().saturating_sub(room);
    kept.extend(more.into_iter().take(room));
}

/// Splits `src` into logical lines (as [`logical_lines`]) and hands each to `each`, which
/// turns it into items and diagnostics; on a large file the pieces, `each` included, run in
/// parallel.
pub(crate) fn map_lines<T, F>(src: &Bytes, file: FileId, each: F) -> Mapped<T>
where
    T: Send,
    F: Fn(LogicalLine, &mut Vec<T>, &mut Vec<Diagnostic>) + Sync,
{
    let threads = if cfg!(target_arch = "wasm32") || src.len() < PARALLEL_MIN_BYTES {
        1
    } else {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    };
    map_lines_in(src, file, threads, MAX_PIECE_BYTES, MAX_ENTRY_LINES, each)
}

/// [`map_lines`] on `threads` threads, in pieces of at most about `piece_bytes` (a piece
/// holding one very long entry is longer), reading at most `max_lines` lines of entries.
fn map_lines_in<T, F>(
    src: &Bytes,
    file: FileId,
    threads: usize,
    piece_bytes: usize,
    max_lines: usize,
    each: F,
) -> Mapped<T>
where
    T: Send,
    F: Fn(LogicalLine, &mut Vec<T>, &mut Vec<Diagnostic>) + Sync,
{
    // One pass over the file, split between the threads, counts its lines: whether it fits
    // the entry-line limit, and how many entries there are at most (to size the result).
    let counts = count_lines(src, threads);
    let cut = if counts.newlines < max_lines {
        // Every line of an entry but the last ends with a newline: the file fits.
        None
    } else {
        entry_lines_cut(src, max_lines)
    };
    let read = src.get(..cut.unwrap_or(src.len())).unwrap_or_default();
    let count = threads.max(read.len().div_ceil(piece_bytes.max(1)));
    let bounds = chunk_bounds(read, count);
    let heads = if cut.is_some() {
        count_heads(read)
    } else {
        counts.heads
    };
    // Each piece's items are sized from the file's share of entries a byte (a little over,
    // so that a piece denser than the average rarely grows; room not written costs no
    // memory), rather than grown by doubling, which would copy them again and again.
    let per_piece = |len: usize| {
        let wide = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
        let share = wide(heads).saturating_mul(wide(len)) / wide(read.len().max(1));
        usize::try_from(share).map_or(0, |n| n.saturating_mul(9) / 8 + 16)
    };
    let parse = |&(start, end): &(usize, usize)| {
        parse_chunk(src, start, end, file, per_piece(end - start), &each)
    };
    // The parts are merged in file order as they are done, into a vector sized once for the
    // whole file; each part is freed as soon as it is merged, so its memory is reused by the
    // pieces still being parsed rather than the file's entries being held twice.
    let mut out = Mapped::with_capacity(heads);
    run_pieces(&bounds, threads, parse, |part| out.append(part));
    out.limit = cut.map(|at| {
        Diagnostic::new(
            SYNTAX_RULE,
            SYNTAX_CODE,
            Severity::Error,
            format!(
                "too many entries: postlint reads at most {max_lines} lines of entries of a file, and does not check this line or any after it"
            ),
            file,
            TextRange::from_usize(at, src.len().min(at + 1)),
        )
        .with_help("findings about the rest of the file, and about what it defines, are missing or wrong; split the configuration or check a smaller copy")
    });
    out
}

/// Parses every piece, on up to `threads` threads, and hands the parts to `merge` in order.
fn run_pieces<T, P, M>(bounds: &[(usize, usize)], threads: usize, parse: P, merge: M)
where
    T: Send,
    P: Fn(&(usize, usize)) -> Mapped<T> + Sync,
    M: FnMut(Mapped<T>),
{
    // WebAssembly has no threads.
    let workers = if cfg!(target_arch = "wasm32") {
        1
    } else {
        threads.min(bounds.len())
    };
    if workers <= 1 {
        bounds.iter().map(&parse).for_each(merge);
    } else {
        #[cfg(not(target_arch = "wasm32"))]
        run_on_threads(bounds, workers, &parse, merge);
    }
}

/// [`run_pieces`] on `workers` threads.
#[cfg(not(target_arch = "wasm32"))]
fn run_on_threads<T, P, M>(bounds: &[(usize, usize)], workers: usize, parse: &P, mut merge: M)
where
    T: Send,
    P: Fn(&(usize, usize)) -> Mapped<T> + Sync,
    M: FnMut(Mapped<T>),
{
    // Each worker takes the next piece not yet taken and sends the part back; this thread
    // merges the parts in order, holding those that arrive early.
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let (send, receive) = std::sync::mpsc::channel::<(usize, Mapped<T>)>();
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                let send = send.clone();
                let next = &next;
                scope.spawn(move || {
                    loop {
                        let index = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(bound) = bounds.get(index) else {
                            return;
                        };
                        if send.send((index, parse(bound))).is_err() {
                            return;
                        }
                    }
                })
            })
            .collect();
        drop(send);
        let mut early = std::collections::BTreeMap::new();
        let mut wanted = 0;
        for (index, part) in receive {
            early.insert(index, part);
            while let Some(part) = early.remove(&wanted) {
                merge(part);
                wanted += 1;
            }
        }
        for handle in handles {
            if let Err(panic) = handle.join() {
                std::panic::resume_unwind(panic);
            }
        }
    });
}

/// Lines of a text, as [`count_lines`] counts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct LineCounts {
    /// Newline bytes.
    newlines: usize,
    /// Lines that start an entry (see [`count_heads`]).
    heads: usize,
}

/// Counts the newlines and entry heads of `text` in one pass, on up to `threads` threads
/// (two halves, the second starting at a line start, so that the counts add up).
fn count_lines(text: &[u8], threads: usize) -> LineCounts {
    let one = |part: &[u8]| {
        let mut counts = LineCounts {
            newlines: 0,
            heads: usize::from(part.first().is_some_and(|&b| starts_entry(b))),
        };
        for at in memchr::memchr_iter(b'\n', part) {
            counts.newlines += 1;
            counts.heads += usize::from(part.get(at + 1).is_some_and(|&b| starts_entry(b)));
        }
        counts
    };
    #[cfg(not(target_arch = "wasm32"))]
    if threads > 1
        && let Some(half) = line_start_at_or_after(text, text.len() / 2).filter(|&h| h > 0)
    {
        let (first, second) = text.split_at(half.min(text.len()));
        let (a, b) = std::thread::scope(|scope| {
            let b = scope.spawn(|| one(second));
            (one(first), b.join())
        });
        return match b {
            Ok(b) => LineCounts {
                newlines: a.newlines + b.newlines,
                heads: a.heads + b.heads,
            },
            Err(panic) => std::panic::resume_unwind(panic),
        };
    }
    let _ = threads;
    one(text)
}

/// How many lines of `text` start an entry: its first line, if it does, and every line after
/// a newline that does.
fn count_heads(text: &[u8]) -> usize {
    let first = usize::from(text.first().is_some_and(|&b| starts_entry(b)));
    first
        + memchr::memchr_iter(b'\n', text)
            .filter(|&at| text.get(at + 1).is_some_and(|&b| starts_entry(b)))
            .count()
}

/// Where to stop reading `text` so that at most `max_lines` lines of entries are read: the
/// start of the entry whose line is the first one over, or `None` when all of `text` fits.
fn entry_lines_cut(text: &[u8], max_lines: usize) -> Option<usize> {
    // Every line of an entry but the last ends with a newline: a text with fewer newlines
    // than the limit fits.
    if memchr::memchr_iter(b'\n', text).count() < max_lines {
        return None;
    }
    let mut lines = 0usize;
    let mut entry_start = 0;
    let mut at = 0;
    while at < text.len() {
        let end = memchr::memchr(b'\n', text.get(at..)?).map_or(text.len(), |i| at + i);
        let kind = line_kind(text.get(at..end)?);
        if kind == LineKind::Head {
            entry_start = at;
        }
        if kind != LineKind::Gap {
            lines += 1;
            if lines > max_lines {
                return Some(if kind == LineKind::Head {
                    at
                } else {
                    entry_start
                });
            }
        }
        at = end + 1;
    }
    None
}

/// Cuts `text` into up to `count` ranges of about equal size, each starting at offset 0 or at
/// a boundary between top-level items (see [`boundary_at_or_after`]).
fn chunk_bounds(text: &[u8], count: usize) -> Vec<(usize, usize)> {
    let mut cuts = vec![0];
    // Every line start in this range is a boundary (learnt by the last search).
    let mut known = (0, 0);
    for k in 1..count {
        let target = text.len() / count * k;
        let Some(&last) = cuts.last() else { break };
        if last >= target {
            // The previous search already went past this target: its answer stands.
            continue;
        }
        // Inside a stretch already searched: no need to search it again (a file of millions
        // of blank lines is one such stretch).
        if target < known.1
            && let Some(line) = line_start_at_or_after(text, target)
            && line <= known.1
            && line < text.len()
        {
            cuts.push(line);
            continue;
        }
        match boundary_at_or_after(text, target) {
            Some((cut, until)) => {
                cuts.push(cut);
                known = (cut, until);
            }
            None => break,
        }
    }
    let mut bounds: Vec<(usize, usize)> = cuts
        .iter()
        .copied()
        .zip(cuts.iter().copied().skip(1))
        .collect();
    bounds.push((cuts.last().copied().unwrap_or(0), text.len()));
    bounds
}

/// The start of the first line at or after `from`.
fn line_start_at_or_after(text: &[u8], from: usize) -> Option<usize> {
    if from == 0 || text.get(from - 1) == Some(&b'\n') {
        Some(from)
    } else {
        Some(from + memchr::memchr(b'\n', text.get(from..)?)? + 1)
    }
}

/// What a physical line is to the line grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineKind {
    /// Empty, blank, or a comment: skipped wherever it is.
    Gap,
    /// Starts an entry.
    Head,
    /// Indented text: continues the entry above (or is an orphan before any entry).
    Indented,
}

fn line_kind(line: &[u8]) -> LineKind {
    match line.first() {
        Some(&b) if starts_entry(b) => LineKind::Head,
        _ => match line.iter().find(|&&b| !is_blank(b)) {
            None | Some(b'#' | b'\n') => LineKind::Gap,
            Some(_) => LineKind::Indented,
        },
    }
}

/// The first offset at or after `from`, not 0 and before the end, where parsing may be cut
/// with the same result as one parse: a line start such that the next line that is not a gap
/// (comment or blank) starts an entry, or there is none. Such a line is never inside an
/// entry: an entry's continuation lines are indented, and the gap lines after its last one
/// belong to the top level. Also returns how far that holds: every line start from the cut up
/// to and including the second offset is such a boundary too.
fn boundary_at_or_after(text: &[u8], from: usize) -> Option<(usize, usize)> {
    let mut at = line_start_at_or_after(text, from)?;
    // Where the current run of gap lines started.
    let mut gaps = None;
    while at < text.len() {
        let end = memchr::memchr(b'\n', text.get(at..)?).map_or(text.len(), |i| at + i);
        match line_kind(text.get(at..end)?) {
            LineKind::Head => return Some((gaps.unwrap_or(at), at)),
            LineKind::Gap => {
                gaps.get_or_insert(at);
            }
            LineKind::Indented => gaps = None,
        }
        at = end + 1;
    }
    // Only gap lines from the run's start to the end.
    gaps.filter(|&g| g > 0).map(|g| (g, text.len()))
}

/// Whether a line starting with `b` is an entry's first line (the grammar's `head`).
fn starts_entry(b: u8) -> bool {
    !(b == b'#' || b == b'\n' || is_blank(b))
}

/// The grammar's `blank_char`: C `isspace()` without the newline.
fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | 0x0b..=b'\r')
}

/// Parses `src[start..end]`, which starts at offset 0 or at an entry, with spans in `src`,
/// and maps its logical lines with `each`, with room for `items` items.
fn parse_chunk<T>(
    src: &Bytes,
    start: usize,
    end: usize,
    file: FileId,
    items: usize,
    each: &impl Fn(LogicalLine, &mut Vec<T>, &mut Vec<Diagnostic>),
) -> Mapped<T> {
    // Each piece makes its own view for pest (the piece itself when it is UTF-8), so that
    // this pass over the bytes is split between the threads too.
    let chunk = shadow(src.get(start..end).unwrap_or_default());
    let mut out = Mapped::with_capacity(items);
    let Ok(pairs) = LinesParser::parse(Rule::file, &chunk) else {
        // The grammar accepts every input; this is a defect, reported rather than hidden.
        out.line_diagnostics.push(Diagnostic::new(
            SYNTAX_RULE,
            SYNTAX_CODE,
            Severity::Error,
            "internal error: the line grammar rejected this file",
            file,
            TextRange::from_usize(start, end),
        ));
        return out;
    };
    let range_of =
        |span: pest::Span<'_>| TextRange::from_usize(start + span.start(), start + span.end());
    // The entries of this piece share a handle of their own on the file's buffer: slices of
    // one shared handle, taken on several threads at once, would all count references on one
    // contended counter.
    let local = Bytes::from_owner(src.slice(start..end));
    // `entry` is silent: its pieces arrive flat, each line of a `heads` run starting a logical
    // line and each `cont` continuing the last one.
    let mut current: Option<Pending> = None;
    let finish = |pending: Option<Pending>, out: &mut Mapped<T>| {
        if let Some(pending) = pending {
            each(
                pending.into_line(&local, start),
                &mut out.items,
                &mut out.item_diagnostics,
            );
            if out.item_diagnostics.len() > KEPT_DIAGNOSTICS {
                out.dropped_item_diagnostics += out.item_diagnostics.len() - KEPT_DIAGNOSTICS;
                out.item_diagnostics.truncate(KEPT_DIAGNOSTICS);
            }
        }
    };
    for pair in pairs.flatten() {
        match pair.as_rule() {
            Rule::heads => {
                // Each line of the run starts a logical line; the last one stays open for
                // the continuation lines that may follow.
                let run = range_of(pair.as_span());
                let mut at = run.start as usize;
                let run_end = run.end as usize;
                loop {
                    let line_end = src
                        .get(at..run_end)
                        .and_then(|rest| memchr::memchr(b'\n', rest))
                        .map_or(run_end, |i| at + i);
                    finish(current.take(), &mut out);
                    current = Some(Pending::new(TextRange::from_usize(at, line_end)));
                    if line_end >= run_end {
                        break;
                    }
                    at = line_end + 1;
                }
            }
            Rule::cont => {
                if let Some(pending) = &mut current {
                    pending.push(src, range_of(pair.as_span()));
                }
            }
            Rule::orphan => {
                finish(current.take(), &mut out);
                if out.line_diagnostics.len() >= KEPT_DIAGNOSTICS {
                    out.dropped_line_diagnostics += 1;
                    continue;
                }
                let range = range_of(pair.as_span());
                let shown = String::from_utf8_lossy(range.slice(src));
                out.line_diagnostics.push(
                    Diagnostic::new(
                        SYNTAX_RULE,
                        SYNTAX_CODE,
                        Severity::Warning,
                        format!(
                            "logical line must not start with whitespace: `{}`",
                            shown.trim()
                        ),
                        file,
                        range,
                    )
                    .with_help("indented lines continue the entry above; there is no entry above this one, so Postfix ignores it")
                    .with_primary_message("ignored by Postfix"),
                );
            }
            _ => {}
        }
    }
    finish(current.take(), &mut out);
    out
}

/// A logical line being assembled from its head and continuation lines.
struct Pending {
    head: TextRange,
    /// `(logical start, file start, length)` of each continuation line.
    rest: Vec<(u32, u32, u32)>,
    /// The joined text, once there is a continuation line (a single line needs no copy).
    joined: Option<Vec<u8>>,
}

impl Pending {
    fn new(head: TextRange) -> Self {
        Self {
            head,
            rest: Vec::new(),
            joined: None,
        }
    }

    fn push(&mut self, src: &[u8], range: TextRange) {
        let joined = self
            .joined
            .get_or_insert_with(|| self.head.slice(src).to_vec());
        self.rest.push((
            u32::try_from(joined.len()).unwrap_or(u32::MAX),
            range.start,
            range.len(),
        ));
        joined.extend_from_slice(range.slice(src));
    }

    /// The logical line; `local` holds the file from offset `start` on.
    fn into_line(self, local: &Bytes, start: usize) -> LogicalLine {
        LogicalLine {
            // One physical line: the text is a slice of the file, no copy.
            text: self.joined.map_or_else(
                || {
                    let head = self.head.to_usize();
                    local.slice(head.start - start..head.end - start)
                },
                Bytes::from,
            ),
            map: SourceMap {
                first: (self.head.start, self.head.len()),
                rest: self.rest.into_boxed_slice(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(src: &str) -> Vec<String> {
        logical_lines(&Bytes::copy_from_slice(src.as_bytes()), FileId(0))
            .lines
            .iter()
            .map(|l| String::from_utf8(l.text.to_vec()).unwrap())
            .collect()
    }

    #[test]
    fn continuation_keeps_leading_whitespace() {
        assert_eq!(texts("a = x\n\ty\nb = 1\n"), ["a = x\ty", "b = 1"]);
    }

    #[test]
    fn comments_and_blank_lines_do_not_end_an_entry() {
        // Test vectors from Postfix's readlline.c.
        assert_eq!(texts("abc\n#c\n ghi\n"), ["abc ghi"]);
        assert_eq!(texts("abc\n\n ghi\n"), ["abc ghi"]);
        assert_eq!(
            texts("abc\n   # indented comment\n\t\n ghi\njkl"),
            ["abc ghi", "jkl"]
        );
    }

    #[test]
    fn hash_after_text_is_data() {
        assert_eq!(texts("a = b # c\n"), ["a = b # c"]);
    }

    #[test]
    fn crlf_is_kept_inside_multiline_values() {
        assert_eq!(texts("a = x,\r\n  y\r\n"), ["a = x,\r  y\r"]);
    }

    #[test]
    fn orphan_continuation_is_reported_and_skipped() {
        let lines = logical_lines(
            &Bytes::from_static(b"# top\n  stray text\nx = 1\n"),
            FileId(3),
        );
        assert_eq!(lines.lines.len(), 1);
        assert_eq!(lines.diagnostics.len(), 1);
        let d = &lines.diagnostics[0];
        assert_eq!(d.severity, Severity::Warning);
        assert_eq!(d.labels[0].range, TextRange::new(6, 18));
        assert_eq!(d.labels[0].file, FileId(3));
    }

    #[test]
    fn last_line_without_newline_and_nul_bytes() {
        assert_eq!(texts("a = 1\nb = \0x"), ["a = 1", "b = \0x"]);
        assert!(texts("").is_empty());
        assert!(texts("   ").is_empty());
        assert!(texts("\n\n#\n").is_empty());
    }

    #[test]
    fn source_map_points_into_each_piece() {
        let src = b"name = one\n# note\n  two\n";
        let lines = logical_lines(&Bytes::from_static(src), FileId(0));
        let line = &lines.lines[0];
        assert_eq!(&line.text[..], b"name = one  two");
        // "two" starts at logical 12 and at byte 20 of the file.
        assert_eq!(line.map.offset(12), 20);
        let r = line.file_range(TextRange::new(7, 15));
        assert_eq!(r, TextRange::new(7, 23));
        assert_eq!(&src[r.to_usize()], b"one\n# note\n  two");
        // A range ending at the end of the head line does not reach into the next piece.
        assert_eq!(
            line.file_range(TextRange::new(7, 10)),
            TextRange::new(7, 10)
        );
    }

    /// Lines and diagnostics of `src` parsed in about `count` pieces on two threads.
    fn in_pieces(src: &[u8], count: usize) -> (Vec<LogicalLine>, Vec<Diagnostic>) {
        let (threads, piece) = if count == 1 {
            (1, usize::MAX)
        } else {
            (2, src.len().div_ceil(count).max(1))
        };
        let mapped = map_lines_in(
            &Bytes::copy_from_slice(src),
            FileId(0),
            threads,
            piece,
            usize::MAX,
            |l, out: &mut Vec<LogicalLine>, _| out.push(l),
        );
        (mapped.items, mapped.line_diagnostics)
    }

    /// The texts of `src`'s lines when at most `max` lines of entries are read, and the
    /// offset where reading stopped.
    fn limited(src: &str, max: usize) -> (Vec<String>, Option<u32>) {
        let mapped = map_lines_in(
            &Bytes::copy_from_slice(src.as_bytes()),
            FileId(0),
            1,
            usize::MAX,
            max,
            |l, out: &mut Vec<LogicalLine>, _| out.push(l),
        );
        let texts = mapped
            .items
            .iter()
            .map(|l| String::from_utf8(l.text.to_vec()).unwrap())
            .collect();
        let at = mapped.limit.map(|d| {
            assert_eq!(d.severity, Severity::Error);
            d.labels[0].range.start
        });
        (texts, at)
    }

    #[test]
    fn reading_stops_at_the_entry_over_the_limit() {
        let src = "a = 1\n b\nc = 2\n# x\n\nd = 3\ne = 4\n";
        assert_eq!(
            limited(src, 5),
            (
                vec![
                    "a = 1 b".into(),
                    "c = 2".into(),
                    "d = 3".into(),
                    "e = 4".into()
                ],
                None
            )
        );
        // Comments and blank lines do not count; the fourth line of entries is `d`.
        let d = u32::try_from(src.find("d =").unwrap()).unwrap();
        assert_eq!(
            limited(src, 3),
            (vec!["a = 1 b".into(), "c = 2".into()], Some(d))
        );
        // Over the limit inside an entry: the whole entry is left out.
        let c = u32::try_from(src.find("c =").unwrap()).unwrap();
        assert_eq!(limited(src, 2), (vec!["a = 1 b".into()], Some(c)));
        assert_eq!(limited(src, 1), (vec![], Some(0)));
        // Exactly at the limit, everything is read.
        assert_eq!(limited("a\nb\n", 2).1, None);
        assert_eq!(limited("a\nb\nc", 2).1, Some(4));
    }

    #[test]
    fn diagnostics_are_kept_in_order_and_counted_across_pieces() {
        let n = 1000;
        let src = (0..n)
            .map(|i| format!("bad{i:04}"))
            .collect::<Vec<_>>()
            .join("\n");
        for (threads, piece) in [(1, usize::MAX), (2, 512), (2, 64)] {
            let mapped = map_lines_in(
                &Bytes::copy_from_slice(src.as_bytes()),
                FileId(0),
                threads,
                piece,
                usize::MAX,
                |l, _: &mut Vec<()>, diags| {
                    diags.push(Diagnostic::new(
                        SYNTAX_RULE,
                        SYNTAX_CODE,
                        Severity::Error,
                        String::from_utf8(l.text.to_vec()).unwrap(),
                        FileId(0),
                        l.range(),
                    ));
                },
            );
            assert_eq!(mapped.item_diagnostics.len(), KEPT_DIAGNOSTICS);
            assert_eq!(
                mapped.item_diagnostics.len() + mapped.dropped_item_diagnostics,
                n,
                "{threads} threads, pieces of {piece}"
            );
            for (i, d) in mapped.item_diagnostics.iter().enumerate() {
                assert_eq!(d.message, format!("bad{i:04}"));
            }
        }
    }

    /// `count` files of up to `max_len` random bytes from those the grammar distinguishes
    /// (valid and invalid UTF-8 included), from `seed`.
    fn random_files(mut seed: u64, count: usize, max_len: u64) -> impl Iterator<Item = Vec<u8>> {
        let alphabet = b"ab= \t\r#\n\n\n\x0b\xe9\xc3\xa9";
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        (0..count).map(move |_| {
            let len = next() % max_len;
            (0..len)
                .map(|_| alphabet[usize::try_from(next() % alphabet.len() as u64).unwrap()])
                .collect()
        })
    }

    /// Postfix's `readllines()` (util/readlline.c), transcribed line by line: the logical
    /// lines' texts, and how many indented lines had no entry to continue.
    fn readllines(src: &[u8]) -> (Vec<Vec<u8>>, usize) {
        let mut lines = Vec::new();
        let mut orphans = 0;
        let mut current: Option<Vec<u8>> = None;
        for line in src.split(|&b| b == b'\n') {
            // Blank and comment lines are skipped, and do not end a logical line.
            match line.iter().find(|&&b| !is_blank(b)) {
                None | Some(b'#') => continue,
                Some(_) => {}
            }
            if is_blank(line[0]) {
                match &mut current {
                    Some(text) => text.extend_from_slice(line),
                    None => orphans += 1,
                }
            } else {
                lines.extend(current.replace(line.to_vec()));
            }
        }
        lines.extend(current);
        (lines, orphans)
    }

    #[test]
    fn logical_lines_are_those_of_postfix_readllines() {
        // Random files with runs of entry lines, continuations, comments and blank lines in
        // every order.
        let mut multi_line = 0;
        for src in random_files(0x2545_f491_4f6c_dd1d, 3000, 80) {
            let parsed = logical_lines(&Bytes::copy_from_slice(&src), FileId(0));
            let texts: Vec<Vec<u8>> = parsed.lines.iter().map(|l| l.text.to_vec()).collect();
            let (expected, orphans) = readllines(&src);
            assert_eq!(
                (texts, parsed.diagnostics.len()),
                (expected, orphans),
                "{:?}",
                String::from_utf8_lossy(&src)
            );
            // Every line's ranges are inside the file and start at its head.
            for line in &parsed.lines {
                assert!(line.range().end as usize <= src.len());
                assert_eq!(line.range().start, line.head().start);
                assert_eq!(
                    line.head().slice(&src),
                    &line.text[..line.head().len() as usize]
                );
            }
            multi_line += parsed
                .lines
                .iter()
                .filter(|l| l.head() != l.range())
                .count();
        }
        // Continuations did occur.
        assert!(multi_line > 300, "only {multi_line} continued lines");
    }

    #[test]
    fn parsing_in_pieces_gives_the_same_lines() {
        // Random files: the cut points land on every kind of line, and each must give
        // exactly the one-piece result.
        let mut cut = 0;
        for src in random_files(0x9e37_79b9_7f4a_7c15, 800, 120) {
            let whole = in_pieces(&src, 1);
            // The line counts that size the result and check the limit: the same on two
            // threads as on one, and as counted line by line.
            let lines: Vec<&[u8]> = src.split(|&b| b == b'\n').collect();
            let expected = LineCounts {
                newlines: lines.len() - 1,
                heads: lines
                    .iter()
                    .filter(|l| l.first().is_some_and(|&b| starts_entry(b)))
                    .count(),
            };
            assert_eq!(count_lines(&src, 1), expected);
            assert_eq!(count_lines(&src, 2), expected);
            for count in 2..=5 {
                let bounds = chunk_bounds(&src, count);
                cut += bounds.len() - 1;
                assert_eq!(
                    in_pieces(&src, count),
                    whole,
                    "{count} pieces of {:?}",
                    String::from_utf8_lossy(&src)
                );
            }
        }
        // The inputs did get cut (most of them more than once).
        assert!(cut > 2_000, "only {cut} cuts");
    }

    /// The kind of the first line at `at` that is not a gap, if any.
    fn next_non_gap(src: &[u8], at: usize) -> Option<LineKind> {
        src[at..]
            .split(|&b| b == b'\n')
            .map(line_kind)
            .find(|&k| k != LineKind::Gap)
    }

    #[test]
    fn pieces_start_where_the_next_line_that_counts_starts_an_entry() {
        let src = b"a = 1\n  cont\n# c\n\n  cont2\nb = 2\n\n c2\n# x\n\nc = 3\nd = 4\n";
        for count in 2..8 {
            let bounds = chunk_bounds(src, count);
            assert_eq!(bounds.first().map(|b| b.0), Some(0));
            assert_eq!(bounds.last().map(|b| b.1), Some(src.len()));
            assert!(bounds.len() >= 2, "{bounds:?}");
            for w in bounds.windows(2) {
                let cut = w[1].0;
                assert_eq!(w[0].1, cut);
                assert_eq!(src[cut - 1], b'\n');
                assert!(
                    matches!(next_non_gap(src, cut), None | Some(LineKind::Head)),
                    "cut at {cut}"
                );
            }
        }
        // The comment and blank line inside `a`'s entry are never cut at.
        let inside = src.iter().position(|&b| b == b'#').unwrap();
        for count in 2..20 {
            assert!(
                chunk_bounds(src, count)
                    .iter()
                    .all(|b| b.0 != inside && b.0 != inside + 4)
            );
        }
    }

    #[test]
    fn a_file_of_blank_lines_is_cut_into_pieces() {
        let src = vec![b'\n'; 10_000];
        let bounds = chunk_bounds(&src, 10);
        assert_eq!(bounds.len(), 10);
        assert!(bounds.iter().all(|(s, e)| e - s <= 1000));
        let comments = b"# note\n".repeat(1000);
        assert_eq!(chunk_bounds(&comments, 4).len(), 4);
        // An indented line after the blank lines: no cut inside the gap before it.
        let mut tail = src.clone();
        tail.extend_from_slice(b"  x\n");
        assert_eq!(chunk_bounds(&tail, 10).len(), 1);
    }

    #[test]
    fn latin1_bytes_are_ordinary_text() {
        let lines = logical_lines(
            &Bytes::from_static(b"# caf\xe9\nname = \xe9t\xe9\n"),
            FileId(0),
        );
        assert_eq!(lines.lines.len(), 1);
        assert_eq!(&lines.lines[0].text[..], b"name = \xe9t\xe9");
    }
}
