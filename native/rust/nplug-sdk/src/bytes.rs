//! Vectorized byte kernels for record plugins: ASCII case mapping and substring search (the Rust twin of the C SDK's
//! `nplug_sdk/np_bytes.h`: same algorithms, same paths).
//!
//! They are the algorithmic class of .NET's span operations (`Ascii.ToUpper`, `IndexOf`), so that a native plugin is
//! not slower than the same logic in plain C#:
//! * x86-64: SSE2 (part of the architecture's baseline, always present) and AVX2 when the CPU has it, detected at
//!   run time (`is_x86_feature_detected!`, cached by `std` after the first test);
//! * everywhere else: word-at-a-time (SWAR) code on `u64`, then single bytes.
//!
//! Every kernel reads only its input slice (tails are overlapping in-bounds vectors), works at any alignment, leaves
//! bytes >= 0x80 unchanged (UTF-8 multi-byte sequences pass through intact) and allocates nothing.
//!
//! [`Batch::position_containing`](crate::Batch::position_containing) and
//! [`Emitter::emit_records`](crate::Emitter::emit_records) build batch-level stages on them.

use std::mem::MaybeUninit;

/// The code paths of the kernels; the tests run every one the machine has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Path {
    /// 32 bytes per step (x86-64 with AVX2).
    #[cfg(target_arch = "x86_64")]
    Avx2,
    /// 16 bytes per step (every x86-64).
    #[cfg(target_arch = "x86_64")]
    Sse2,
    /// 8 bytes per step, then single bytes.
    #[cfg_attr(target_arch = "x86_64", allow(dead_code))] // x86-64 runs it only in the tests
    Portable,
}

impl Path {
    /// The fastest path of this CPU.
    #[inline]
    pub(crate) fn best() -> Path {
        #[cfg(target_arch = "x86_64")]
        {
            if std::is_x86_feature_detected!("avx2") { Path::Avx2 } else { Path::Sse2 }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            Path::Portable
        }
    }

    /// Every path this CPU can run (for the tests).
    #[cfg(test)]
    pub(crate) fn available() -> Vec<Path> {
        let mut paths = vec![Path::Portable];
        #[cfg(target_arch = "x86_64")]
        {
            paths.push(Path::Sse2);
            if std::is_x86_feature_detected!("avx2") {
                paths.push(Path::Avx2);
            }
        }
        paths
    }
}

/// `b` upper-cased if it is `a..=z`.
#[inline(always)]
fn upper_byte(b: u8) -> u8 {
    b.to_ascii_uppercase()
}

/// `b` lower-cased if it is `A..=Z`.
#[inline(always)]
fn lower_byte(b: u8) -> u8 {
    b.to_ascii_lowercase()
}

/// Eight bytes at once: 0x80 in each byte that is `a..=z` (bytes >= 0x80 are excluded by `& !w`).
#[inline(always)]
fn swar_upper(w: u64) -> u64 {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let h = w & !HIGH; // no carry can cross a byte below
    let ge_a = h.wrapping_add(0x1f1f_1f1f_1f1f_1f1f); // high bit where byte >= 'a' (0x61 + 0x1f = 0x80)
    let gt_z = h.wrapping_add(0x0505_0505_0505_0505); // high bit where byte > 'z' (0x7b + 0x05 = 0x80)
    w ^ ((ge_a & !gt_z & !w & HIGH) >> 2)
}

/// `dst[i] = upper(src[i])` for `i < n`, portable. In place (`dst == src`) is fine.
///
/// # Safety
/// `src` is readable and `dst` writable for `n` bytes; they are the same pointer or do not overlap.
unsafe fn upper_portable(dst: *mut u8, src: *const u8, n: usize) {
    let mut i = 0;
    // SAFETY (all blocks below): every access is at an offset < n, in bounds by the caller's contract; unaligned
    // reads and writes of u64 are done with read_unaligned/write_unaligned.
    unsafe {
        while i + 8 <= n {
            let w = (src.add(i) as *const u64).read_unaligned();
            (dst.add(i) as *mut u64).write_unaligned(swar_upper(w));
            i += 8;
        }
        if i < n && n >= 8 {
            // The overlapping word ending at n: upper case is idempotent, so bytes written twice get the same value.
            let w = (src.add(n - 8) as *const u64).read_unaligned();
            (dst.add(n - 8) as *mut u64).write_unaligned(swar_upper(w));
            return;
        }
        while i < n {
            *dst.add(i) = upper_byte(*src.add(i));
            i += 1;
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use core::arch::x86_64::*;

    // 'a'..'z' moved to -128..-103 by one add, so one signed compare finds them (bytes >= 0x80 land elsewhere).
    const SHIFT_A: i8 = (0x80u8.wrapping_sub(b'a')) as i8;
    const SHIFT_UPPER_A: i8 = (0x80u8.wrapping_sub(b'A')) as i8;
    const LIMIT: i8 = -128 + 26;

    #[inline(always)]
    unsafe fn upper128(v: __m128i) -> __m128i {
        // SAFETY: SSE2 is part of the x86-64 baseline.
        unsafe {
            let t = _mm_add_epi8(v, _mm_set1_epi8(SHIFT_A));
            let lower = _mm_cmplt_epi8(t, _mm_set1_epi8(LIMIT));
            _mm_xor_si128(v, _mm_and_si128(lower, _mm_set1_epi8(0x20)))
        }
    }

    #[inline(always)]
    unsafe fn lower128(v: __m128i) -> __m128i {
        // SAFETY: SSE2 is part of the x86-64 baseline.
        unsafe {
            let t = _mm_add_epi8(v, _mm_set1_epi8(SHIFT_UPPER_A));
            let upper = _mm_cmplt_epi8(t, _mm_set1_epi8(LIMIT));
            _mm_or_si128(v, _mm_and_si128(upper, _mm_set1_epi8(0x20)))
        }
    }

    #[inline]
    #[target_feature(enable = "avx2")]
    unsafe fn upper256(v: __m256i) -> __m256i {
        let t = _mm256_add_epi8(v, _mm256_set1_epi8(SHIFT_A));
        let lower = _mm256_cmpgt_epi8(_mm256_set1_epi8(LIMIT), t);
        _mm256_xor_si256(v, _mm256_and_si256(lower, _mm256_set1_epi8(0x20)))
    }

    #[inline]
    #[target_feature(enable = "avx2")]
    unsafe fn lower256(v: __m256i) -> __m256i {
        let t = _mm256_add_epi8(v, _mm256_set1_epi8(SHIFT_UPPER_A));
        let upper = _mm256_cmpgt_epi8(_mm256_set1_epi8(LIMIT), t);
        _mm256_or_si256(v, _mm256_and_si256(upper, _mm256_set1_epi8(0x20)))
    }

    /// # Safety
    /// As `super::upper_portable`, and `n >= 16`.
    pub(super) unsafe fn upper_sse2(dst: *mut u8, src: *const u8, n: usize) {
        // SAFETY: loads and stores at offsets i..i + 16 <= n and n - 16..n (n >= 16), unaligned instructions.
        unsafe {
            let mut i = 0;
            while i + 16 <= n {
                let v = _mm_loadu_si128(src.add(i) as *const __m128i);
                _mm_storeu_si128(dst.add(i) as *mut __m128i, upper128(v));
                i += 16;
            }
            if i < n {
                // The overlapping block ending at n (idempotent; in place it reads what the first write produced).
                let v = _mm_loadu_si128(src.add(n - 16) as *const __m128i);
                _mm_storeu_si128(dst.add(n - 16) as *mut __m128i, upper128(v));
            }
        }
    }

    /// # Safety
    /// As `super::upper_portable`, `n >= 32`, and the CPU has AVX2.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn upper_avx2(dst: *mut u8, src: *const u8, n: usize) {
        // SAFETY: loads and stores at offsets i..i + 32 <= n and n - 32..n (n >= 32), unaligned instructions.
        unsafe {
            let mut i = 0;
            while i + 64 <= n {
                let a = _mm256_loadu_si256(src.add(i) as *const __m256i);
                let b = _mm256_loadu_si256(src.add(i + 32) as *const __m256i);
                _mm256_storeu_si256(dst.add(i) as *mut __m256i, upper256(a));
                _mm256_storeu_si256(dst.add(i + 32) as *mut __m256i, upper256(b));
                i += 64;
            }
            if i + 32 <= n {
                let v = _mm256_loadu_si256(src.add(i) as *const __m256i);
                _mm256_storeu_si256(dst.add(i) as *mut __m256i, upper256(v));
                i += 32;
            }
            if i < n {
                let v = _mm256_loadu_si256(src.add(n - 32) as *const __m256i);
                _mm256_storeu_si256(dst.add(n - 32) as *mut __m256i, upper256(v));
            }
        }
    }

    /// Bit j: position p + j has the needle's first byte and, m - 1 bytes on, its last one.
    ///
    /// # Safety
    /// `p[0..m + 15]` is readable.
    #[inline(always)]
    unsafe fn candidates128(p: *const u8, m: usize, first: __m128i, last: __m128i, fold: bool) -> u32 {
        // SAFETY: the caller's contract; SSE2 is baseline.
        unsafe {
            let mut a = _mm_loadu_si128(p as *const __m128i);
            let mut z = _mm_loadu_si128(p.add(m - 1) as *const __m128i);
            if fold {
                a = lower128(a);
                z = lower128(z);
            }
            _mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, first), _mm_cmpeq_epi8(z, last))) as u32
        }
    }

    /// As [`candidates128`], 32 positions.
    ///
    /// # Safety
    /// `p[0..m + 31]` is readable, and the CPU has AVX2.
    #[inline]
    #[target_feature(enable = "avx2")]
    unsafe fn candidates256(p: *const u8, m: usize, first: __m256i, last: __m256i, fold: bool) -> u32 {
        // SAFETY: the caller's contract.
        unsafe {
            let mut a = _mm256_loadu_si256(p as *const __m256i);
            let mut z = _mm256_loadu_si256(p.add(m - 1) as *const __m256i);
            if fold {
                a = lower256(a);
                z = lower256(z);
            }
            _mm256_movemask_epi8(_mm256_and_si256(_mm256_cmpeq_epi8(a, first), _mm256_cmpeq_epi8(z, last))) as u32
        }
    }

    /// Candidate positions 0..=last of `needle` in `hay`, 16 at a time: the needle's first and last byte compared
    /// at 16 consecutive positions (two loads, two compares, one AND), the bytes between only where both match.
    ///
    /// # Safety
    /// `hay` has `last + needle.len()` readable bytes, `last + 1 >= 16`, `needle.len() >= 1`.
    pub(super) unsafe fn find_sse2(hay: *const u8, last: usize, needle: &[u8], fold: bool) -> Option<usize> {
        let m = needle.len();
        // SAFETY: a block at position k reads hay[k..k + 16] and hay[k + m - 1..k + m + 15], k + 15 <= last, so
        // below last + m; the final block starts at last + 1 - 16 >= 0.
        unsafe {
            let first = _mm_set1_epi8(needle[0] as i8);
            let lastv = _mm_set1_epi8(needle[m - 1] as i8);
            let candidates = |k: usize| candidates128(hay.add(k), m, first, lastv, fold);
            let mut k = 0;
            while k + 16 <= last + 1 {
                if let Some(p) = super::verify(hay, k, candidates(k), needle, fold) {
                    return Some(p);
                }
                k += 16;
            }
            if k <= last {
                // The overlapping block ending at `last`; positions below k were checked.
                let base = last + 1 - 16;
                return super::verify(hay, base, candidates(base) & (0xffff_u32 << (k - base)), needle, fold);
            }
            None
        }
    }

    /// As [`find_sse2`], 32 positions at a time.
    ///
    /// # Safety
    /// As `find_sse2` with `last + 1 >= 32`, and the CPU has AVX2.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn find_avx2(hay: *const u8, last: usize, needle: &[u8], fold: bool) -> Option<usize> {
        let m = needle.len();
        // SAFETY: as in find_sse2 with 32-byte blocks.
        unsafe {
            let first = _mm256_set1_epi8(needle[0] as i8);
            let lastv = _mm256_set1_epi8(needle[m - 1] as i8);
            let mut k = 0;
            while k + 32 <= last + 1 {
                let c = candidates256(hay.add(k), m, first, lastv, fold);
                if let Some(p) = super::verify(hay, k, c, needle, fold) {
                    return Some(p);
                }
                k += 32;
            }
            if k <= last {
                let base = last + 1 - 32;
                let c = candidates256(hay.add(base), m, first, lastv, fold) & (u32::MAX << (k - base));
                return super::verify(hay, base, c, needle, fold);
            }
            None
        }
    }
}

/// The first candidate of `mask` (bit j: position base + j) whose inner bytes match too.
///
/// # Safety
/// `hay[base + j..base + j + needle.len()]` is readable for every bit j set in `mask`.
#[inline(always)]
unsafe fn verify(hay: *const u8, base: usize, mut mask: u32, needle: &[u8], fold: bool) -> Option<usize> {
    while mask != 0 {
        let p = base + mask.trailing_zeros() as usize;
        // SAFETY: the caller's contract.
        let window = unsafe { std::slice::from_raw_parts(hay.add(p), needle.len()) };
        if inner_equal(window, needle, fold) {
            return Some(p);
        }
        mask &= mask - 1;
    }
    None
}

/// `window[1..m-1] == needle[1..m-1]` (the first and last byte were compared already), folded or not.
#[inline(always)]
fn inner_equal(window: &[u8], needle: &[u8], fold: bool) -> bool {
    let m = needle.len();
    if m <= 2 {
        return true;
    }
    if fold {
        window[1..m - 1].iter().zip(&needle[1..m - 1]).all(|(&h, &n)| lower_byte(h) == n)
    } else {
        window[1..m - 1] == needle[1..m - 1]
    }
}

fn find_portable(hay: &[u8], needle: &[u8], fold: bool) -> Option<usize> {
    let m = needle.len();
    let (first, last) = (needle[0], needle[m - 1]);
    let fold_byte = |b: u8| if fold { lower_byte(b) } else { b };
    (0..=hay.len() - m).find(|&k| {
        fold_byte(hay[k]) == first && fold_byte(hay[k + m - 1]) == last && inner_equal(&hay[k..k + m], needle, fold)
    })
}

/// `dst[i] = upper(src[i])` for `i < n` on `path`.
///
/// # Safety
/// As `upper_portable`; `path` is one this CPU runs (`Path::best` or one of `Path::available`).
pub(crate) unsafe fn upper_with(path: Path, dst: *mut u8, src: *const u8, n: usize) {
    // SAFETY: each path is taken only when its length condition holds; pointers and CPU are the caller's contract.
    unsafe {
        match path {
            #[cfg(target_arch = "x86_64")]
            Path::Avx2 if n >= 32 => x86::upper_avx2(dst, src, n),
            #[cfg(target_arch = "x86_64")]
            Path::Avx2 | Path::Sse2 if n >= 16 => x86::upper_sse2(dst, src, n),
            _ => upper_portable(dst, src, n),
        }
    }
}

pub(crate) fn find_with(path: Path, hay: &[u8], needle: &[u8], fold: bool) -> Option<usize> {
    let m = needle.len();
    if m == 0 {
        return Some(0);
    }
    if m > hay.len() {
        return None;
    }
    let last = hay.len() - m;
    match path {
        // SAFETY: hay has last + m bytes; the length and CPU conditions of each path are checked here.
        #[cfg(target_arch = "x86_64")]
        Path::Avx2 if last + 1 >= 32 && std::is_x86_feature_detected!("avx2") => unsafe {
            x86::find_avx2(hay.as_ptr(), last, needle, fold)
        },
        // SAFETY: as above (SSE2 is baseline).
        #[cfg(target_arch = "x86_64")]
        Path::Avx2 | Path::Sse2 if last + 1 >= 16 => unsafe { x86::find_sse2(hay.as_ptr(), last, needle, fold) },
        _ => find_portable(hay, needle, fold),
    }
}

/// Writes `src` with `a..=z` upper-cased (every other byte copied) into the first `src.len()` bytes of `dst`, and
/// returns them. Panics when `dst` is shorter than `src`.
pub fn ascii_upper_into<'d>(src: &[u8], dst: &'d mut [MaybeUninit<u8>]) -> &'d mut [u8] {
    assert!(dst.len() >= src.len(), "ascii_upper_into: dst ({}) is shorter than src ({})", dst.len(), src.len());
    let n = src.len();
    let out = dst.as_mut_ptr() as *mut u8;
    // SAFETY: `&mut dst` and `&src` cannot overlap (Rust's aliasing rules), dst has at least n bytes, and
    // Path::best is this CPU's.
    unsafe { upper_with(Path::best(), out, src.as_ptr(), n) };
    // SAFETY: the kernel wrote all n bytes.
    unsafe { std::slice::from_raw_parts_mut(out, n) }
}

/// Upper-cases `a..=z` in place; every other byte stays.
pub fn ascii_upper_in_place(bytes: &mut [u8]) {
    let p = bytes.as_mut_ptr();
    // SAFETY: in place (dst == src) is allowed by every path; Path::best is this CPU's.
    unsafe { upper_with(Path::best(), p, p, bytes.len()) };
}

/// The position of the first occurrence of `needle` in `hay` (an empty needle is at 0).
pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    find_with(Path::best(), hay, needle, false)
}

/// As [`find`], ignoring ASCII case: `lower_needle` must be lower-cased already ([`u8::to_ascii_lowercase`]).
pub fn find_ascii_nocase(hay: &[u8], lower_needle: &[u8]) -> Option<usize> {
    find_with(Path::best(), hay, lower_needle, true)
}

/// The first record `r >= first` of the contiguous records `data[offsets[r]..offsets[r + 1]]` (`offsets` has
/// `count + 1` non-decreasing entries, `offsets[count] <= data.len()`) that contains `needle`, or `count`. One search
/// across the records, not one per record: a hit straddling two records belongs to neither and the search goes on.
pub(crate) fn find_record(path: Path, data: &[u8], offsets: &[u64], first: usize, needle: &[u8], fold: bool) -> usize {
    let count = offsets.len().saturating_sub(1);
    if first >= count {
        return count;
    }
    if needle.is_empty() {
        return first;
    }
    let end = offsets[count] as usize;
    let mut r = first;
    let mut from = offsets[r] as usize;
    loop {
        let Some(hit) = find_with(path, &data[from..end], needle, fold) else { return count };
        let at = from + hit;
        let hit_end = (at + needle.len()) as u64;
        while offsets[r + 1] < hit_end {
            r += 1; // records ending before the hit does hold no match; hit_end <= offsets[count] stops this
        }
        if at as u64 >= offsets[r] {
            return r;
        }
        from = at + 1; // it straddles into record r from an earlier one: search on
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ref_find(hay: &[u8], needle: &[u8], fold: bool) -> Option<usize> {
        if needle.is_empty() {
            return Some(0);
        }
        let f = |b: u8| if fold { b.to_ascii_lowercase() } else { b };
        hay.windows(needle.len()).position(|w| w.iter().zip(needle).all(|(&h, &n)| f(h) == n))
    }

    /// A tiny deterministic generator (the crate has no dependencies).
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: u64) -> usize {
            (self.next() % n) as usize
        }
    }

    const EDGES: &[u8] = b"azAZ@[`{\x00\x7f\x80\xc3\xe1\xfa\xff";

    #[test]
    fn upper_matches_the_byte_loop_at_every_length_offset_and_path() {
        let mut rng = Rng(1);
        for path in Path::available() {
            for n in 0..=65 {
                for off in 0..8 {
                    let src: Vec<u8> = (0..n + off + 8)
                        .map(
                            |_| if rng.below(2) == 0 { EDGES[rng.below(EDGES.len() as u64)] } else { rng.next() as u8 },
                        )
                        .collect();
                    let mut dst = vec![0xAAu8; src.len()];
                    // SAFETY: both slices have at least n bytes from off; path is available.
                    unsafe { upper_with(path, dst[off..].as_mut_ptr(), src[off..].as_ptr(), n) };
                    for (i, &b) in dst.iter().enumerate() {
                        let want = if (off..off + n).contains(&i) { src[i].to_ascii_uppercase() } else { 0xAA };
                        assert_eq!(b, want, "{path:?} n={n} off={off} i={i}");
                    }
                }
            }
        }
    }

    #[test]
    fn upper_in_place_maps_every_byte_value() {
        for path in Path::available() {
            for n in 0..=256 {
                let mut v: Vec<u8> = (0..n).map(|b| b as u8).collect();
                let p = v.as_mut_ptr();
                // SAFETY: in place over n bytes; path is available.
                unsafe { upper_with(path, p, p, n) };
                for (i, &b) in v.iter().enumerate() {
                    assert_eq!(b, (i as u8).to_ascii_uppercase(), "{path:?} n={n}");
                }
            }
        }
        let mut text = b"h\xc3\xa9llo, World".to_vec();
        ascii_upper_in_place(&mut text);
        assert_eq!(text, b"H\xc3\xa9LLO, WORLD");
        let mut dst = [MaybeUninit::new(0u8); 8];
        assert_eq!(ascii_upper_into(b"abc", &mut dst), b"ABC");
    }

    #[test]
    fn find_matches_the_byte_loop() {
        const ALPHABET: &[u8] = b"abAB#\xe9";
        let mut rng = Rng(3);
        for path in Path::available() {
            for fold in [false, true] {
                for n in 0..=80 {
                    for m in 0..=9 {
                        for round in 0..12 {
                            let off = round % 8;
                            let mut hay: Vec<u8> =
                                (0..n + off).map(|_| ALPHABET[rng.below(ALPHABET.len() as u64)]).collect();
                            let mut needle: Vec<u8> =
                                (0..m).map(|_| ALPHABET[rng.below(ALPHABET.len() as u64)]).collect();
                            if fold {
                                needle.make_ascii_lowercase();
                            }
                            if m > 0 && m <= n && round % 3 == 0 {
                                let at = if round % 2 == 1 { n - m } else { rng.below((n - m + 1) as u64) };
                                hay[off + at..off + at + m].copy_from_slice(&needle);
                            }
                            let h = &hay[off..];
                            assert_eq!(
                                find_with(path, h, &needle, fold),
                                ref_find(h, &needle, fold),
                                "{path:?} fold={fold} n={n} m={m} round={round}"
                            );
                        }
                    }
                }
            }
        }
        assert_eq!(find(b"xxabcxx", b"abc"), Some(2));
        assert_eq!(find_ascii_nocase(b"xxABcxx", b"abc"), Some(2));
    }

    #[test]
    fn find_record_skips_hits_that_straddle_records() {
        // "xab" + "cabc": the first "abc" spans the boundary and belongs to no record.
        let data = b"xabcabc";
        let offsets = [0u64, 3, 7];
        assert_eq!(find_record(Path::best(), data, &offsets, 0, b"abc", false), 1);
        assert_eq!(find_record(Path::best(), data, &offsets, 0, b"bca", false), 2);
        assert_eq!(find_record(Path::best(), data, &offsets, 2, b"abc", false), 2);
        assert_eq!(find_record(Path::best(), data, &offsets, 1, b"", false), 1);
    }

    #[test]
    fn find_record_matches_a_search_per_record() {
        let mut rng = Rng(4);
        for path in Path::available() {
            for fold in [false, true] {
                for round in 0..300 {
                    let count = rng.below(20);
                    let mut data = Vec::new();
                    let mut offsets = vec![0u64];
                    for _ in 0..count {
                        let len = if rng.below(3) == 0 { 0 } else { rng.below(40) };
                        data.extend((0..len).map(|_| b"abAB#x"[rng.below(6)]));
                        offsets.push(data.len() as u64);
                    }
                    let needle: Vec<u8> = (0..1 + rng.below(4)).map(|_| b"ab#"[rng.below(3)]).collect();
                    for first in 0..=count {
                        let want = (first..count)
                            .find(|&r| {
                                ref_find(&data[offsets[r] as usize..offsets[r + 1] as usize], &needle, fold).is_some()
                            })
                            .unwrap_or(count);
                        assert_eq!(
                            find_record(path, &data, &offsets, first, &needle, fold),
                            want,
                            "{path:?} round={round} first={first}"
                        );
                    }
                }
            }
        }
    }
}
