//! Transparent huge pages, only for inputs large enough to gain from them.
//!
//! The allocator asks the kernel for huge pages (2 MiB) for its memory. For a large input that
//! is a gain: a generated main.cf of 200,000 entries takes some 70 MiB, and faulting it in 2 MiB
//! at a time rather than 4 KiB at a time takes a fifth off checking it. For a typical
//! configuration, a few milliseconds of work, zeroing a whole huge page at each first touch
//! costs more than the work: checking Debian's stock configuration was a third slower. So huge
//! pages are off from the start of the program (Linux's per-process switch, `PR_SET_THP_DISABLE`)
//! and switched on again when a large file is about to be read.
//!
//! Both are hints: where the system has no huge pages, or refuses, nothing changes but speed.

/// Files at least this large switch huge pages on.
pub const LARGE_INPUT_BYTES: u64 = 4 << 20;

/// Called first thing: huge pages off until a large input is seen.
pub fn small_input() {
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
}

/// Called before a file of `size` bytes is read: huge pages on when it is large.
pub fn input_of(size: u64) {
    if size >= LARGE_INPUT_BYTES {
        #[cfg(target_os = "linux")]
        let _ = rustix::thread::disable_transparent_huge_pages(false);
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn huge_pages_are_off_for_small_inputs_and_on_for_large_ones() {
        // The switch is per process; this test is the only one in this binary that uses it.
        let Ok(initially) = rustix::thread::transparent_huge_pages_are_disabled() else {
            // A kernel without the switch: nothing to check.
            return;
        };
        small_input();
        input_of(LARGE_INPUT_BYTES - 1);
        assert_eq!(
            rustix::thread::transparent_huge_pages_are_disabled().ok(),
            Some(true)
        );
        input_of(LARGE_INPUT_BYTES);
        assert_eq!(
            rustix::thread::transparent_huge_pages_are_disabled().ok(),
            Some(false)
        );
        let _ = rustix::thread::disable_transparent_huge_pages(initially);
    }
}
