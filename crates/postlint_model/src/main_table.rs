//! The main.cf entries that count (the last definition of each name, read-only names left
//! out), in file order, with an index by name.
//!
//! A generated main.cf can hold hundreds of thousands of entries (restriction classes, one a
//! line) of which a check reads few, so an entry costs a fixed-size record and no allocation
//! of its own: names are kept in one string, values are shared slices of the parsed file's
//! buffer (a reference count each, no copy). A value is parsed only when it has a `$` and
//! something needs the parse (an expansion, the model's diagnostics), once; a value without a
//! `$` is one literal piece, and is not parsed at all.
//!
//! Names are indexed in two tables. Those of the parameter catalogue (every name Postfix
//! knows in some release: what expansions, rules and policies mostly ask for) are indexed when
//! the table is built; there are at most a few thousand. The others (restriction classes and
//! other user-defined names) are indexed on first use: inserting hundreds of thousands of
//! names in a hash table is random memory access, several times the cost of the rest of the
//! table, and a check rarely looks one of them up. A small Bloom filter of those names,
//! filled as the table is built, answers most lookups of a name main.cf does not set (rules
//! ask for names such as `lmtp_fallback_transport`) without the index.

use std::borrow::Cow;
use std::hash::BuildHasher as _;
use std::sync::{Arc, OnceLock};

use hashbrown::HashTable;
use hashbrown::hash_table::Entry;
use postlint_diagnostics::TextRange;
use postlint_syntax::Bytes;
use postlint_syntax::expansion::{self, ExpansionOptions, Parsed};
use postlint_syntax::lines::SourceMap;
use postlint_syntax::{MainCf, PostfixVersion};

/// One main.cf entry.
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
    /// The value, shared with the parsed file.
    value: Bytes,
    /// The value has a `$`: its index in [`MainTable::exprs`].
    expr: Option<u32>,
    /// A raw parameter (never expanded when loaded).
    pub raw: bool,
    /// The name is in the parameter catalogue (indexed in [`MainTable::known`]).
    known: bool,
    /// A later entry redefines the name (known names only; see [`Others::redefined`]).
    redefined: bool,
}

impl MainEntry {
    /// Index in [`MainCf::parameters`].
    pub fn index(&self) -> usize {
        self.index as usize
    }

    /// The value.
    pub fn text(&self) -> Bytes {
        self.value.clone()
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

/// The index of the names outside the catalogue.
#[derive(Debug)]
struct Others {
    /// Entry numbers (the last definition), by the hash of their name.
    by_name: HashTable<u32>,
    /// Entries with such a name that a later one redefines, ascending.
    redefined: Vec<u32>,
}

/// A Bloom filter of names: whether a name may be in a set, with no false negatives and
/// few false positives (about 0.1 %: sixteen bits a name, four bits each).
///
/// A false positive costs building the index of every name outside the catalogue, tens of
/// milliseconds on a main.cf of 200,000 classes, so the filter is sized to make them rare. The
/// four bits of a name are in one 64-byte block: one cache line read or written a name.
#[derive(Debug)]
struct NameFilter {
    /// Blocks of eight words (512 bits).
    blocks: Vec<[u64; 8]>,
}

impl NameFilter {
    /// A filter for up to `names` names.
    fn new(names: usize) -> Self {
        let blocks = (names.saturating_mul(16) / 512).next_power_of_two().max(1);
        Self {
            blocks: vec![[0; 8]; blocks],
        }
    }

    /// The block of `hash` (its high bits) and the four bits in it (nine low bits each).
    fn bits(&self, hash: u64) -> (usize, [(usize, u64); 4]) {
        let block = ((hash >> 40) as usize) & (self.blocks.len() - 1);
        let bits = [0, 9, 18, 27].map(|shift| {
            let bit = (hash >> shift) & 511;
            ((bit / 64) as usize, 1 << (bit % 64))
        });
        (block, bits)
    }

    fn insert(&mut self, hash: u64) {
        let (block, bits) = self.bits(hash);
        if let Some(words) = self.blocks.get_mut(block) {
            for (word, bit) in bits {
                if let Some(w) = words.get_mut(word) {
                    *w |= bit;
                }
            }
        }
    }

    fn may_contain(&self, hash: u64) -> bool {
        let (block, bits) = self.bits(hash);
        self.blocks.get(block).is_some_and(|words| {
            bits.iter()
                .all(|&(word, bit)| words.get(word).is_some_and(|w| w & bit != 0))
        })
    }
}

/// The main.cf entries, and an index of the last definition of each name.
#[derive(Debug)]
pub(crate) struct MainTable {
    /// The syntax values are parsed with.
    version: PostfixVersion,
    /// Every entry but the read-only ones, in file order (redefined ones included).
    entries: Vec<MainEntry>,
    /// Every entry's name, one after another.
    names: String,
    /// Hashes names for the indexes.
    hasher: foldhash::fast::RandomState,
    /// Entry numbers of catalogue names (the last definition), by the hash of the name.
    known: HashTable<u32>,
    /// The other names, indexed on first use.
    others: OnceLock<Others>,
    /// The hashes of the other names.
    others_filter: NameFilter,
    /// The entries whose value has a `$`, in file order.
    exprs: Vec<ExprEntry>,
}

/// `text[start..start + len]`, empty when out of range (never, by construction).
fn slice_of(text: &str, (start, len): (u32, u32)) -> &str {
    let start = start as usize;
    text.get(start..start + len as usize).unwrap_or_default()
}

/// `u32` of a buffer length; main.cf offsets are `u32` throughout.
fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Indexes entry `at` of `entries` (names in `names`) in `table`; returns the entry it
/// replaces, an earlier one with the same name.
fn index_entry(
    table: &mut HashTable<u32>,
    hasher: &foldhash::fast::RandomState,
    entries: &[MainEntry],
    names: &str,
    at: u32,
) -> Option<u32> {
    let name_of = |i: u32| {
        entries
            .get(i as usize)
            .map_or("", |e| slice_of(names, e.name))
    };
    let name = name_of(at);
    match table.entry(
        hasher.hash_one(name),
        |&i| name_of(i) == name,
        |&i| hasher.hash_one(name_of(i)),
    ) {
        Entry::Occupied(mut slot) => Some(std::mem::replace(slot.get_mut(), at)),
        Entry::Vacant(slot) => {
            slot.insert(at);
            None
        }
    }
}

impl MainTable {
    /// Every entry of `main` but the read-only ones of `version`.
    pub fn new(main: &MainCf, version: PostfixVersion) -> Self {
        let params = &main.parameters;
        let mut names = String::with_capacity(params.len() * 8);
        let mut entries: Vec<MainEntry> = Vec::with_capacity(params.len());
        let mut exprs = Vec::new();
        let mut known = HashTable::new();
        let hasher = foldhash::fast::RandomState::default();
        let mut others_filter = NameFilter::new(params.len());
        for (index, param) in params.iter().enumerate() {
            let name = match std::str::from_utf8(param.name()) {
                Ok(name) => Cow::Borrowed(name),
                Err(_) => param.name_str(),
            };
            let info = postlint_params::lookup(&name);
            if info.is_some_and(|p| p.read_only && p.is_builtin(version)) {
                continue;
            }
            let value = param.value();
            let at = to_u32(entries.len());
            let expr = memchr::memchr(b'$', value).map(|_| {
                exprs.push(ExprEntry {
                    entry: at,
                    map: param.line().map.clone(),
                    parsed: OnceLock::new(),
                });
                to_u32(exprs.len() - 1)
            });
            let name_at = (to_u32(names.len()), to_u32(name.len()));
            names.push_str(&name);
            entries.push(MainEntry {
                index: to_u32(index),
                name_range: param.name_range(),
                value_range: param.value_range(),
                value_offset: param.value_offset(),
                name: name_at,
                value: param.value_bytes(),
                expr,
                raw: info.is_some_and(|p| p.raw && p.is_builtin(version)),
                known: info.is_some(),
                redefined: false,
            });
            if info.is_none() {
                others_filter.insert(hasher.hash_one(&*name));
            } else if let Some(before) = index_entry(&mut known, &hasher, &entries, &names, at)
                && let Some(entry) = entries.get_mut(before as usize)
            {
                entry.redefined = true;
            }
        }
        Self {
            version,
            entries,
            names,
            hasher,
            known,
            others: OnceLock::new(),
            others_filter,
            exprs,
        }
    }

    /// The index of the names outside the catalogue.
    fn others(&self) -> &Others {
        self.others.get_or_init(|| {
            // Sized up front: growing would hash every name again at each doubling.
            let mut by_name =
                HashTable::with_capacity(self.entries.iter().filter(|e| !e.known).count());
            let mut redefined = Vec::new();
            for (at, entry) in self.entries.iter().enumerate() {
                if entry.known {
                    continue;
                }
                let at = to_u32(at);
                if let Some(before) =
                    index_entry(&mut by_name, &self.hasher, &self.entries, &self.names, at)
                {
                    redefined.push(before);
                }
            }
            redefined.sort_unstable();
            Others { by_name, redefined }
        })
    }

    /// Whether entry `at` is the last definition of its name.
    fn is_last(&self, at: u32, entry: &MainEntry) -> bool {
        if entry.known {
            !entry.redefined
        } else {
            self.others().redefined.binary_search(&at).is_err()
        }
    }

    /// The entry of `name` (its last definition).
    pub fn get(&self, name: &str) -> Option<&MainEntry> {
        let hash = self.hasher.hash_one(name);
        let table = if postlint_params::lookup(name).is_some() {
            &self.known
        } else if self.others_filter.may_contain(hash) {
            &self.others().by_name
        } else {
            return None;
        };
        let at = table.find(hash, |&i| {
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

    /// The last definition of each name, in file order.
    pub fn iter(&self) -> impl Iterator<Item = &MainEntry> {
        self.entries
            .iter()
            .enumerate()
            .filter(|&(at, entry)| self.is_last(to_u32(at), entry))
            .map(|(_, entry)| entry)
    }

    /// The name of `entry`.
    pub fn name(&self, entry: &MainEntry) -> &str {
        slice_of(&self.names, entry.name)
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
                .map(MainEntry::text)
                .unwrap_or_default();
            Arc::new(expansion::parse(
                &text,
                ExpansionOptions {
                    version: self.version,
                },
            ))
        })
    }

    /// The last definitions whose value has a `$` (the only ones that can be malformed or
    /// refer to other parameters), in file order, with their parsed value.
    pub fn with_dollar(&self) -> impl Iterator<Item = (&MainEntry, &Parsed)> {
        self.exprs.iter().filter_map(|expr| {
            let entry = self.entries.get(expr.entry as usize)?;
            self.is_last(expr.entry, entry)
                .then(|| (entry, &**self.parse(expr)))
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

    /// Whether the names outside the catalogue are indexed yet.
    #[cfg(test)]
    pub fn others_indexed(&self) -> bool {
        self.others.get().is_some()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

    use super::NameFilter;

    /// Well-mixed 64-bit values (splitmix64), as a hasher gives.
    fn mixed(i: u64) -> u64 {
        let mut z = i.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    #[test]
    fn name_filter_has_no_false_negatives_and_few_false_positives() {
        for count in [0_u64, 1, 7, 1000, 20_000, 200_000] {
            let mut filter = NameFilter::new(usize::try_from(count).unwrap());
            for i in 0..count {
                filter.insert(mixed(i));
            }
            assert!((0..count).all(|i| filter.may_contain(mixed(i))), "{count}");
            let trials = 10_000;
            let false_positives = (count..count + trials)
                .filter(|&i| filter.may_contain(mixed(i)))
                .count();
            // About 0.1 % with sixteen bits a name and four bits each (up to 0.3 % where
            // the filter is rounded to a power of two blocks that it only just fills).
            assert!(false_positives < 40, "{count}: {false_positives}");
        }
    }
}
