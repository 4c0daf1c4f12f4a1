//! The main.cf entries that count (the last definition of each name, read-only names left
//! out), in file order, with an index by name.
//!
//! A generated main.cf can hold hundreds of thousands of entries (restriction classes, one a
//! line) of which a check reads few, so an entry costs a fixed-size record and no allocation
//! of its own: names are kept in one string, values in one buffer, and the index maps a name's
//! hash to an entry number. A value is parsed only when it has a `$` and something needs the
//! parse (an expansion, the model's diagnostics), once; a value without a `$` is one literal
//! piece, and is not parsed at all.

use std::hash::BuildHasher as _;
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use hashbrown::HashTable;
use hashbrown::hash_table::Entry;
use postlint_diagnostics::TextRange;
use postlint_syntax::expansion::{self, ExpansionOptions, Parsed};
use postlint_syntax::lines::SourceMap;
use postlint_syntax::{MainCf, PostfixVersion};

/// One main.cf entry: the last definition of its name.
#[derive(Debug)]
pub(crate) struct MainEntry {
    /// Index in [`MainCf::parameters`].
    index: u32,
    /// File range of the name.
    pub name_range: TextRange,
    /// File range of the value.
    pub value_range: TextRange,
    /// Offset of the value inside its logical line.
    value_offset: u32,
    /// The name (lossy UTF-8): `start, len` in [`MainTable::names`].
    name: (u32, u32),
    /// The value: `start, len` in [`MainTable::values`].
    value: (u32, u32),
    /// The value has a `$`: its index in [`MainTable::exprs`].
    expr: Option<u32>,
    /// A raw parameter (never expanded when loaded).
    pub raw: bool,
    /// Not redefined later in the file (only false while the table is built).
    last: bool,
}

impl MainEntry {
    /// Index in [`MainCf::parameters`].
    pub fn index(&self) -> usize {
        self.index as usize
    }
}

/// What only a value with a `$` needs: the map of ranges inside it back to the file (for
/// diagnostics), and its parse.
#[derive(Debug)]
pub(crate) struct ExprEntry {
    /// The entry, by index in [`MainTable::entries`].
    entry: u32,
    /// The logical line's map to the file.
    map: SourceMap,
    /// Parsed on first use.
    parsed: OnceLock<Arc<Parsed>>,
}

/// The main.cf entries that count, and an index of them by name.
#[derive(Debug)]
pub(crate) struct MainTable {
    /// The syntax values are parsed with.
    version: PostfixVersion,
    /// In file order.
    entries: Vec<MainEntry>,
    /// Every entry's name, one after another.
    names: String,
    /// Every entry's value, one after another: one copy of the values instead of one
    /// allocation per entry, and values handed out as slices of it.
    values: Bytes,
    /// Entry numbers, by the hash of their name.
    by_name: HashTable<u32>,
    /// Hashes names for `by_name`.
    hasher: foldhash::fast::RandomState,
    /// The entries whose value has a `$`, in file order.
    exprs: Vec<ExprEntry>,
}

/// `text[start..start + len]`, empty when out of range (never, by construction).
fn slice_of(text: &str, (start, len): (u32, u32)) -> &str {
    let start = start as usize;
    text.get(start..start + len as usize).unwrap_or_default()
}

/// The name of entry `i` of `entries`, whose names are in `names`.
fn entry_name<'a>(entries: &'a [MainEntry], names: &'a str, i: u32) -> &'a str {
    entries
        .get(i as usize)
        .map_or("", |e| slice_of(names, e.name))
}

/// `u32` of a buffer length; main.cf offsets are `u32` throughout.
fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl MainTable {
    /// The last definition of every name of `main` but the read-only ones of `version`.
    pub fn new(main: &MainCf, version: PostfixVersion) -> Self {
        let params = &main.parameters;
        let (name_bytes, value_bytes) = params.iter().fold((0, 0), |(names, values), p| {
            (names + p.name.len(), values + p.value.len())
        });
        let mut names = String::with_capacity(name_bytes);
        let mut values: Vec<u8> = Vec::with_capacity(value_bytes);
        let mut entries: Vec<MainEntry> = Vec::with_capacity(params.len());
        let mut exprs = Vec::new();
        let mut by_name: HashTable<u32> = HashTable::with_capacity(params.len());
        let hasher = foldhash::fast::RandomState::default();
        let mut redefined = 0_usize;
        for (index, param) in params.iter().enumerate() {
            let name = param.name_str();
            let info = postlint_params::lookup(&name);
            if info.is_some_and(|p| p.read_only && p.is_builtin(version)) {
                continue;
            }
            let value = &param.value[..];
            let at = to_u32(entries.len());
            let expr = memchr::memchr(b'$', value).map(|_| {
                exprs.push(ExprEntry {
                    entry: at,
                    map: param.line.map.clone(),
                    parsed: OnceLock::new(),
                });
                to_u32(exprs.len() - 1)
            });
            let name_at = (to_u32(names.len()), to_u32(name.len()));
            names.push_str(&name);
            entries.push(MainEntry {
                index: to_u32(index),
                name_range: param.name_range,
                value_range: param.value_range,
                value_offset: param.value_offset,
                name: name_at,
                value: (to_u32(values.len()), to_u32(value.len())),
                expr,
                raw: info.is_some_and(|p| p.raw && p.is_builtin(version)),
                last: true,
            });
            values.extend_from_slice(value);
            let name_of = |i: u32| entry_name(&entries, &names, i);
            let found = by_name.entry(
                hasher.hash_one(&*name),
                |&i| name_of(i) == name,
                |&i| hasher.hash_one(name_of(i)),
            );
            match found {
                Entry::Occupied(mut slot) => {
                    let before = std::mem::replace(slot.get_mut(), at);
                    if let Some(entry) = entries.get_mut(before as usize) {
                        entry.last = false;
                        redefined += 1;
                    }
                }
                Entry::Vacant(slot) => {
                    slot.insert(at);
                }
            }
        }
        let mut table = Self {
            version,
            entries,
            names,
            values: Bytes::from(values),
            by_name,
            hasher,
            exprs,
        };
        if redefined > 0 {
            table.drop_redefined();
        }
        table
    }

    /// Removes the entries that a later one of the same name replaces (rare: only then are
    /// the vectors and the index built again).
    fn drop_redefined(&mut self) {
        let mut exprs = std::mem::take(&mut self.exprs).into_iter();
        let entries = std::mem::take(&mut self.entries);
        for mut entry in entries {
            let expr = entry.expr.and_then(|_| exprs.next());
            if !entry.last {
                continue;
            }
            let at = to_u32(self.entries.len());
            entry.expr = expr.map(|mut expr| {
                expr.entry = at;
                self.exprs.push(expr);
                to_u32(self.exprs.len() - 1)
            });
            self.entries.push(entry);
        }
        self.by_name.clear();
        for (at, entry) in self.entries.iter().enumerate() {
            let hash = self.hasher.hash_one(slice_of(&self.names, entry.name));
            let (names, entries, hasher) = (&self.names, &self.entries, &self.hasher);
            self.by_name.insert_unique(hash, to_u32(at), |&i| {
                hasher.hash_one(entry_name(entries, names, i))
            });
        }
    }

    /// The entry of `name`.
    pub fn get(&self, name: &str) -> Option<&MainEntry> {
        let at = self.by_name.find(self.hasher.hash_one(name), |&i| {
            self.entries
                .get(i as usize)
                .is_some_and(|e| self.name(e) == name)
        })?;
        self.entries.get(*at as usize)
    }

    /// Whether main.cf sets `name`.
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// The entries in file order.
    pub fn iter(&self) -> std::slice::Iter<'_, MainEntry> {
        self.entries.iter()
    }

    /// The name of `entry`.
    pub fn name(&self, entry: &MainEntry) -> &str {
        slice_of(&self.names, entry.name)
    }

    /// The value of `entry`.
    pub fn text(&self, entry: &MainEntry) -> Bytes {
        let (start, len) = (entry.value.0 as usize, entry.value.1 as usize);
        if start + len <= self.values.len() {
            self.values.slice(start..start + len)
        } else {
            Bytes::new()
        }
    }

    /// The parsed value of `entry`; `None` when it has no `$` (it is then one literal piece).
    pub fn parsed(&self, entry: &MainEntry) -> Option<Arc<Parsed>> {
        let expr = self.exprs.get(entry.expr? as usize)?;
        Some(Arc::clone(self.parse(expr)))
    }

    /// The parse of an entry with a `$`, made on first use.
    fn parse<'a>(&self, expr: &'a ExprEntry) -> &'a Arc<Parsed> {
        expr.parsed.get_or_init(|| {
            let text = self
                .entries
                .get(expr.entry as usize)
                .map(|e| self.text(e))
                .unwrap_or_default();
            Arc::new(expansion::parse(
                &text,
                ExpansionOptions {
                    version: self.version,
                },
            ))
        })
    }

    /// The entries whose value has a `$` (the only ones that can be malformed or refer to
    /// other parameters), in file order, with their parsed value.
    pub fn with_dollar(&self) -> impl Iterator<Item = (&MainEntry, &Parsed)> {
        self.exprs.iter().filter_map(|expr| {
            let entry = self.entries.get(expr.entry as usize)?;
            Some((entry, &**self.parse(expr)))
        })
    }

    /// The file range of a byte range inside `entry`'s value. Only values with a `$` have
    /// ranges inside them to map (references, errors); for another value this is the whole
    /// value.
    pub fn value_file_range(&self, entry: &MainEntry, in_value: TextRange) -> TextRange {
        match entry.expr.and_then(|i| self.exprs.get(i as usize)) {
            Some(expr) => expr.map.range(TextRange::new(
                in_value.start + entry.value_offset,
                in_value.end + entry.value_offset,
            )),
            None => entry.value_range,
        }
    }

    /// Whether `entry`'s value is parsed already.
    #[cfg(test)]
    pub fn is_parsed(&self, entry: &MainEntry) -> bool {
        entry
            .expr
            .and_then(|i| self.exprs.get(i as usize))
            .is_some_and(|e| e.parsed.get().is_some())
    }
}
