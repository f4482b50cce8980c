/*
 * np_bytes.h - vectorized byte-string kernels for record plugins: ASCII case mapping, the length of an ASCII run,
 * substring search, and "which record of a batch contains this substring". Header-only, no other SDK header and no
 * plugin ABI type needed (the benchmark plugins, written against the raw ABI, use it too).
 *
 * The kernels are the same algorithmic class as .NET's span operations (Ascii.ToUpper, IndexOf), so that a native
 * plugin is not slower than the same logic in plain C#:
 *   - x86-64: SSE2 (baseline of the architecture, always present) for every kernel, and AVX2 for the two hot ones
 *     (np_ascii_upper, np_bytes_find) when the CPU has it, chosen at run time per call (one test of a flag that
 *     libgcc's constructor fills once per process: __builtin_cpu_supports). A build with -mavx2 uses AVX2 always.
 *   - everywhere else: word-at-a-time (SWAR) code on uint64_t, then single bytes for the last 0..7.
 * Every kernel reads only src[0..n) (tails are handled with overlapping, in-bounds vectors, never by reading past
 * the end) and touches no byte >= 0x80 except to copy it. Any alignment is fine. All functions are thread-safe
 * (no state) and do not allocate.
 *
 * Case mapping is ASCII only: 'a'..'z' <-> 'A'..'Z'. Bytes >= 0x80 never change, so UTF-8 multi-byte sequences pass
 * through intact (their bytes are all >= 0x80).
 */
#ifndef NPLUG_SDK_BYTES_H
#define NPLUG_SDK_BYTES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* NP_BYTES_NO_SIMD (portable code only) and NP_BYTES_NO_AVX2 (SSE2 at most) exist so the tests can check every path
 * on one machine. */
#if !defined(NP_BYTES_NO_SIMD) && (defined(__SSE2__) || defined(_M_X64) || (defined(_M_IX86_FP) && _M_IX86_FP >= 2))
#define NP_BYTES_SSE2 1
#include <emmintrin.h>
#else
#define NP_BYTES_SSE2 0
#endif

/* AVX2 needs the compiler to build one function for a target the rest of the file is not built for (GCC, Clang). */
#if NP_BYTES_SSE2 && (defined(__GNUC__) || defined(__clang__)) && !defined(NP_BYTES_NO_AVX2)
#define NP_BYTES_AVX2 1
#include <immintrin.h>
#define NP_BYTES_TARGET_AVX2 __attribute__((target("avx2")))
#else
#define NP_BYTES_AVX2 0
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- helpers ----------------------------------------------------------------------------------------------- */

static inline uint64_t np_bytes_load64(const uint8_t *p) {
    uint64_t w;
    memcpy(&w, p, sizeof w); /* one unaligned load; no aliasing assumption */
    return w;
}

static inline void np_bytes_store64(uint8_t *p, uint64_t w) { memcpy(p, &w, sizeof w); }

static inline unsigned np_bytes_ctz64(uint64_t x) { /* x != 0 */
#if defined(__GNUC__) || defined(__clang__)
    return (unsigned)__builtin_ctzll(x);
#else
    unsigned n = 0;
    while (!(x & 1u)) {
        x >>= 1;
        n++;
    }
    return n;
#endif
}

/* Little-endian byte order of the SWAR code: "the first byte" is the lowest one. */
#if defined(__BYTE_ORDER__) && defined(__ORDER_BIG_ENDIAN__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define NP_BYTES_SWAR 0
#else
#define NP_BYTES_SWAR 1
#endif

/* Is this the AVX2 CPU the AVX2 kernels need? Cheap enough per call (a load and a bit test). */
static inline int np_bytes_have_avx2(void) {
#if NP_BYTES_AVX2 && defined(__AVX2__)
    return 1;
#elif NP_BYTES_AVX2
    return __builtin_cpu_supports("avx2");
#else
    return 0;
#endif
}

static inline uint8_t np_ascii_upper_byte(uint8_t b) { return (uint8_t)(b - ((uint8_t)(b - 'a') < 26 ? 0x20 : 0)); }
static inline uint8_t np_ascii_lower_byte(uint8_t b) { return (uint8_t)(b + ((uint8_t)(b - 'A') < 26 ? 0x20 : 0)); }

/* Eight bytes at once: 0x80 in each byte that is 'a'..'z'. Bytes >= 0x80 are excluded by `& ~w`. */
static inline uint64_t np_bytes_swar_lower_letters(uint64_t w) {
    const uint64_t h = w & 0x7f7f7f7f7f7f7f7full;    /* no carry can cross a byte below */
    const uint64_t ge_a = h + 0x1f1f1f1f1f1f1f1full; /* high bit set where byte >= 'a' (0x61 + 0x1f = 0x80) */
    const uint64_t gt_z = h + 0x0505050505050505ull; /* high bit set where byte >  'z' (0x7b + 0x05 = 0x80) */
    return ge_a & ~gt_z & ~w & 0x8080808080808080ull;
}
static inline uint64_t np_bytes_swar_upper_letters(uint64_t w) {
    const uint64_t h = w & 0x7f7f7f7f7f7f7f7full;
    const uint64_t ge_a = h + 0x3f3f3f3f3f3f3f3full; /* >= 'A' (0x41 + 0x3f = 0x80) */
    const uint64_t gt_z = h + 0x2525252525252525ull; /* >  'Z' (0x5b + 0x25 = 0x80) */
    return ge_a & ~gt_z & ~w & 0x8080808080808080ull;
}
static inline uint64_t np_bytes_swar_upper(uint64_t w) { return w ^ (np_bytes_swar_lower_letters(w) >> 2); }

#if NP_BYTES_SSE2
/* 'a'..'z' moved to -128..-103 by one add, so one signed compare finds them (bytes >= 0x80 land elsewhere). */
static inline __m128i np_bytes_upper_v128(__m128i v) {
    const __m128i t = _mm_add_epi8(v, _mm_set1_epi8((char)(0x80 - 'a')));
    const __m128i lower = _mm_cmplt_epi8(t, _mm_set1_epi8((char)(-128 + 26)));
    return _mm_xor_si128(v, _mm_and_si128(lower, _mm_set1_epi8(0x20)));
}
static inline __m128i np_bytes_lower_v128(__m128i v) {
    const __m128i t = _mm_add_epi8(v, _mm_set1_epi8((char)(0x80 - 'A')));
    const __m128i upper = _mm_cmplt_epi8(t, _mm_set1_epi8((char)(-128 + 26)));
    return _mm_or_si128(v, _mm_and_si128(upper, _mm_set1_epi8(0x20)));
}
#endif

#if NP_BYTES_AVX2
NP_BYTES_TARGET_AVX2 static inline __m256i np_bytes_upper_v256(__m256i v) {
    const __m256i t = _mm256_add_epi8(v, _mm256_set1_epi8((char)(0x80 - 'a')));
    const __m256i lower = _mm256_cmpgt_epi8(_mm256_set1_epi8((char)(-128 + 26)), t);
    return _mm256_xor_si256(v, _mm256_and_si256(lower, _mm256_set1_epi8(0x20)));
}
NP_BYTES_TARGET_AVX2 static inline __m256i np_bytes_lower_v256(__m256i v) {
    const __m256i t = _mm256_add_epi8(v, _mm256_set1_epi8((char)(0x80 - 'A')));
    const __m256i upper = _mm256_cmpgt_epi8(_mm256_set1_epi8((char)(-128 + 26)), t);
    return _mm256_or_si256(v, _mm256_and_si256(upper, _mm256_set1_epi8(0x20)));
}

/* n >= 32. The last, partial block is the overlapping block ending at n: upper case is idempotent, so bytes
 * written twice get the same value (and in place, dst == src, reads what the first write produced: still right). */
NP_BYTES_TARGET_AVX2 static inline void np_ascii_upper_avx2(uint8_t *dst, const uint8_t *src, size_t n) {
    size_t i = 0;
    for (; i + 64 <= n; i += 64) {
        __m256i a = _mm256_loadu_si256((const __m256i *)(const void *)(src + i));
        __m256i b = _mm256_loadu_si256((const __m256i *)(const void *)(src + i + 32));
        _mm256_storeu_si256((__m256i *)(void *)(dst + i), np_bytes_upper_v256(a));
        _mm256_storeu_si256((__m256i *)(void *)(dst + i + 32), np_bytes_upper_v256(b));
    }
    if (i + 32 <= n) {
        _mm256_storeu_si256((__m256i *)(void *)(dst + i),
                            np_bytes_upper_v256(_mm256_loadu_si256((const __m256i *)(const void *)(src + i))));
        i += 32;
    }
    if (i < n)
        _mm256_storeu_si256((__m256i *)(void *)(dst + n - 32),
                            np_bytes_upper_v256(_mm256_loadu_si256((const __m256i *)(const void *)(src + n - 32))));
}
#endif

/* ---- ASCII case mapping ----------------------------------------------------------------------------------------
 * dst[i] = src[i] with 'a'..'z' upper-cased, for i in 0..n; every other byte copied. dst == src (in place) is fine;
 * otherwise the two ranges must not overlap. */
static inline void np_ascii_upper(uint8_t *dst, const uint8_t *src, size_t n) {
#if NP_BYTES_AVX2
    if (n >= 32 && np_bytes_have_avx2()) {
        np_ascii_upper_avx2(dst, src, n);
        return;
    }
#endif
#if NP_BYTES_SSE2
    if (n >= 16) {
        size_t i = 0;
        for (; i + 16 <= n; i += 16)
            _mm_storeu_si128((__m128i *)(void *)(dst + i),
                             np_bytes_upper_v128(_mm_loadu_si128((const __m128i *)(const void *)(src + i))));
        if (i < n) /* the overlapping block ending at n (idempotent, see np_ascii_upper_avx2) */
            _mm_storeu_si128((__m128i *)(void *)(dst + n - 16),
                             np_bytes_upper_v128(_mm_loadu_si128((const __m128i *)(const void *)(src + n - 16))));
        return;
    }
#endif
    size_t i = 0;
#if NP_BYTES_SWAR
    for (; i + 8 <= n; i += 8) np_bytes_store64(dst + i, np_bytes_swar_upper(np_bytes_load64(src + i)));
    if (i < n && n >= 8) {
        np_bytes_store64(dst + n - 8, np_bytes_swar_upper(np_bytes_load64(src + n - 8)));
        return;
    }
#endif
    for (; i < n; i++) dst[i] = np_ascii_upper_byte(src[i]);
}

/* Upper-cases (as np_ascii_upper) the leading run of ASCII bytes (< 0x80) of src[0..n) into dst and returns its
 * length (n when every byte is ASCII). dst[run..n) may have been written too (with bytes of src, ASCII ones
 * upper-cased): a caller that handles the non-ASCII byte at src[run] overwrites them. Same overlap rule as
 * np_ascii_upper. For text that is mostly ASCII this is one vector pass over the record. */
static inline size_t np_ascii_upper_prefix(uint8_t *dst, const uint8_t *src, size_t n) {
    size_t i = 0;
#if NP_BYTES_SSE2
    if (n >= 16) {
        for (; i + 16 <= n; i += 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(src + i));
            _mm_storeu_si128((__m128i *)(void *)(dst + i), np_bytes_upper_v128(v));
            unsigned high = (unsigned)_mm_movemask_epi8(v);
            if (high) return i + np_bytes_ctz64(high);
        }
        if (i < n) { /* overlapping block ending at n: its bytes before i are ASCII, so their bits are 0 */
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(src + n - 16));
            _mm_storeu_si128((__m128i *)(void *)(dst + n - 16), np_bytes_upper_v128(v));
            unsigned high = (unsigned)_mm_movemask_epi8(v);
            if (high) return n - 16 + np_bytes_ctz64(high);
        }
        return n;
    }
#endif
#if NP_BYTES_SWAR
    for (; i + 8 <= n; i += 8) {
        uint64_t w = np_bytes_load64(src + i);
        np_bytes_store64(dst + i, np_bytes_swar_upper(w));
        uint64_t high = w & 0x8080808080808080ull;
        if (high) return i + np_bytes_ctz64(high) / 8;
    }
#endif
    for (; i < n; i++) {
        if (src[i] >= 0x80) return i;
        dst[i] = np_ascii_upper_byte(src[i]);
    }
    return n;
}

/* ---- substring search ------------------------------------------------------------------------------------------
 * The vector search compares the needle's first and last byte at W consecutive positions at once (two loads, two
 * compares, one AND: W candidate positions per step), and checks the bytes in between only where both match: the
 * "generic SIMD" substring search (W. Mula), the class of .NET's IndexOf(ReadOnlySpan<byte>). fold: compare with
 * 'A'..'Z' folded to 'a'..'z' (the needle is given folded). */

/* needle[1..m-1) == hay[1..m-1), folded or not (the first and last byte were compared already). */
static inline int np_bytes_inner_equal(const uint8_t *hay, const uint8_t *needle, size_t m, int fold) {
    if (m <= 2) return 1;
    if (!fold) return memcmp(hay + 1, needle + 1, m - 2) == 0;
    for (size_t k = 1; k + 1 < m; k++)
        if (np_ascii_lower_byte(hay[k]) != needle[k]) return 0;
    return 1;
}

/* Positions from..last (inclusive), one at a time: the tail of short haystacks and the portable fallback. */
static inline const uint8_t *np_bytes_find_scalar(const uint8_t *hay, size_t from, size_t last, const uint8_t *needle,
                                                  size_t m, int fold) {
    const uint8_t first_b = needle[0], last_b = needle[m - 1];
    for (size_t k = from; k <= last; k++) {
        uint8_t a = fold ? np_ascii_lower_byte(hay[k]) : hay[k];
        uint8_t z = fold ? np_ascii_lower_byte(hay[k + m - 1]) : hay[k + m - 1];
        if (a == first_b && z == last_b && np_bytes_inner_equal(hay + k, needle, m, fold)) return hay + k;
    }
    return NULL;
}

#if NP_BYTES_SSE2
/* Candidate mask of the 16 positions starting at hay + k (needs hay[k .. k + m - 1 + 16) readable). */
static inline unsigned np_bytes_candidates_v128(const uint8_t *p, size_t m, __m128i first, __m128i last, int fold) {
    __m128i a = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i z = _mm_loadu_si128((const __m128i *)(const void *)(p + m - 1));
    if (fold) {
        a = np_bytes_lower_v128(a);
        z = np_bytes_lower_v128(z);
    }
    return (unsigned)_mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, first), _mm_cmpeq_epi8(z, last)));
}

/* Positions 0..last, last + 1 >= 16. */
static inline const uint8_t *np_bytes_find_sse2(const uint8_t *hay, size_t last, const uint8_t *needle, size_t m,
                                                int fold) {
    const __m128i first = _mm_set1_epi8((char)needle[0]), lastv = _mm_set1_epi8((char)needle[m - 1]);
    size_t k = 0;
    for (; k + 16 <= last + 1; k += 16)
        for (unsigned c = np_bytes_candidates_v128(hay + k, m, first, lastv, fold); c; c &= c - 1) {
            const uint8_t *p = hay + k + np_bytes_ctz64(c);
            if (np_bytes_inner_equal(p, needle, m, fold)) return p;
        }
    if (k <= last) { /* the overlapping block ending at position last: positions below k were checked */
        size_t base = last + 1 - 16;
        unsigned c = np_bytes_candidates_v128(hay + base, m, first, lastv, fold) & (0xffffu << (k - base));
        for (; c; c &= c - 1) {
            const uint8_t *p = hay + base + np_bytes_ctz64(c);
            if (np_bytes_inner_equal(p, needle, m, fold)) return p;
        }
    }
    return NULL;
}
#endif

#if NP_BYTES_AVX2
NP_BYTES_TARGET_AVX2 static inline uint32_t np_bytes_candidates_v256(const uint8_t *p, size_t m, __m256i first,
                                                                     __m256i last, int fold) {
    __m256i a = _mm256_loadu_si256((const __m256i *)(const void *)p);
    __m256i z = _mm256_loadu_si256((const __m256i *)(const void *)(p + m - 1));
    if (fold) {
        a = np_bytes_lower_v256(a);
        z = np_bytes_lower_v256(z);
    }
    return (uint32_t)_mm256_movemask_epi8(_mm256_and_si256(_mm256_cmpeq_epi8(a, first), _mm256_cmpeq_epi8(z, last)));
}

/* Positions 0..last, last + 1 >= 32. */
NP_BYTES_TARGET_AVX2 static inline const uint8_t *np_bytes_find_avx2(const uint8_t *hay, size_t last,
                                                                     const uint8_t *needle, size_t m, int fold) {
    const __m256i first = _mm256_set1_epi8((char)needle[0]), lastv = _mm256_set1_epi8((char)needle[m - 1]);
    size_t k = 0;
    for (; k + 32 <= last + 1; k += 32)
        for (uint32_t c = np_bytes_candidates_v256(hay + k, m, first, lastv, fold); c; c &= c - 1) {
            const uint8_t *p = hay + k + np_bytes_ctz64(c);
            if (np_bytes_inner_equal(p, needle, m, fold)) return p;
        }
    if (k <= last) {
        size_t base = last + 1 - 32;
        uint32_t c = np_bytes_candidates_v256(hay + base, m, first, lastv, fold) & (0xffffffffu << (k - base));
        for (; c; c &= c - 1) {
            const uint8_t *p = hay + base + np_bytes_ctz64(c);
            if (np_bytes_inner_equal(p, needle, m, fold)) return p;
        }
    }
    return NULL;
}
#endif

static inline const uint8_t *np_bytes_find_impl(const uint8_t *hay, size_t n, const uint8_t *needle, size_t m,
                                                int fold) {
    if (m == 0) return hay;
    if (m > n) return NULL;
    if (m == 1 && !fold) return (const uint8_t *)memchr(hay, needle[0], n); /* libc's memchr is vectorized */
    const size_t last = n - m;                                              /* the last candidate position */
#if NP_BYTES_AVX2
    if (last + 1 >= 32 && np_bytes_have_avx2()) return np_bytes_find_avx2(hay, last, needle, m, fold);
#endif
#if NP_BYTES_SSE2
    if (last + 1 >= 16) return np_bytes_find_sse2(hay, last, needle, m, fold);
#endif
    return np_bytes_find_scalar(hay, 0, last, needle, m, fold);
}

/* The first occurrence of needle[0..m) in hay[0..n) (memmem), or NULL. m == 0 finds hay itself. */
static inline const uint8_t *np_bytes_find(const uint8_t *hay, size_t n, const uint8_t *needle, size_t m) {
    return np_bytes_find_impl(hay, n, needle, m, 0);
}

/* The same, ignoring ASCII case: needle must already be lower-cased (np_ascii_lower_byte on each byte). */
static inline const uint8_t *np_bytes_find_ascii_nocase(const uint8_t *hay, size_t n, const uint8_t *lower_needle,
                                                        size_t m) {
    return np_bytes_find_impl(hay, n, lower_needle, m, 1);
}

/* ---- records of a batch ------------------------------------------------------------------------------------------
 * The first record r >= first (r < count) whose bytes data[offsets[r] .. offsets[r + 1]) contain the needle, or
 * count when none does. The records of a batch are contiguous, so this is one search across the batch from record
 * `first` on, not one call per record: a hit that straddles two records belongs to neither and the search goes on
 * after it; records skipped cost nothing per record but the step over their offset. Offsets must be
 * non-decreasing (np_batch_t guarantees it). m == 0: every record contains the empty needle. fold: as
 * np_bytes_find_ascii_nocase. */
static inline uint64_t np_bytes_find_record(const uint8_t *data, const uint64_t *offsets, uint64_t count,
                                            uint64_t first, const uint8_t *needle, size_t m, int fold) {
    if (first >= count) return count;
    if (m == 0) return first;
    uint64_t r = first;
    const uint8_t *end = data + offsets[count];
    const uint8_t *from = data + offsets[r];
    for (;;) {
        const uint8_t *hit = np_bytes_find_impl(from, (size_t)(end - from), needle, m, fold);
        if (hit == NULL) return count;
        uint64_t at = (uint64_t)(hit - data), hit_end = at + m;
        while (offsets[r + 1] < hit_end) r++; /* records ending before the hit does: none holds a match */
        if (at >= offsets[r]) return r;       /* the hit lies inside record r */
        from = hit + 1;                       /* it straddles into r from an earlier record: search on */
    }
}

#ifdef __cplusplus
}
#endif

#endif /* NPLUG_SDK_BYTES_H */
