/*
 * np_utf8.h - UTF-8 validation, boundary-safe truncation and repair.
 *
 * Every string that crosses the ABI is UTF-8 (rule P2, P5). Validation follows the Unicode standard's table of
 * well-formed byte sequences (Table 3-7): no overlong forms, no surrogates (U+D800..DFFF), nothing above
 * U+10FFFF. Pure ASCII runs are checked eight bytes at a time.
 */
#ifndef NPLUG_SDK_UTF8_H
#define NPLUG_SDK_UTF8_H

#include "np_sdk_common.h"

NP_SDK_BEGIN_DECLS

/* Length of the well-formed sequence starting at p[0] (1..4), or 0 if p[0..avail) does not start with one.
 * *incomplete is set to 1 when the bytes are a valid prefix of a sequence that avail cut short. */
NP_SDK_INLINE unsigned np_utf8_sequence_length(const uint8_t *p, uint64_t avail, int *incomplete) {
    uint8_t b0 = p[0];
    unsigned need;
    uint8_t lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    *incomplete = 0;
    if (b0 < 0x80) return 1;
    if (b0 < 0xC2) return 0; /* continuation byte or overlong 2-byte lead */
    if (b0 < 0xE0) {
        need = 2;
    } else if (b0 < 0xF0) {
        need = 3;
        if (b0 == 0xE0)
            lo = 0xA0; /* overlong */
        else if (b0 == 0xED)
            hi = 0x9F; /* surrogates */
    } else if (b0 < 0xF5) {
        need = 4;
        if (b0 == 0xF0)
            lo = 0x90; /* overlong */
        else if (b0 == 0xF4)
            hi = 0x8F; /* above U+10FFFF */
    } else {
        return 0;
    }
    for (unsigned i = 1; i < need; i++) {
        if (i >= avail) {
            *incomplete = 1;
            return 0;
        }
        uint8_t b = p[i];
        if (i == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) return 0;
    }
    return need;
}

/* 1 if p[0..len) is well-formed UTF-8. Otherwise 0, and *error_offset (if not NULL) is the offset of the first
 * byte that does not start a well-formed sequence. p may be NULL when len == 0. */
NP_SDK_INLINE int np_utf8_validate(const uint8_t *p, uint64_t len, uint64_t *error_offset) {
    uint64_t i = 0;
    while (i < len) {
        /* ASCII fast path, 8 bytes at a time. */
        while (len - i >= 8) {
            uint64_t word;
            memcpy(&word, p + i, 8);
            if (word & 0x8080808080808080ull) break;
            i += 8;
        }
        if (i >= len) break;
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        int incomplete;
        unsigned n = np_utf8_sequence_length(p + i, len - i, &incomplete);
        if (n == 0) {
            if (error_offset) *error_offset = i;
            return 0;
        }
        i += n;
    }
    return 1;
}

/* The largest k <= max_len such that p[0..k) does not end inside a multi-byte sequence. p[0..len) is assumed
 * to be well-formed; use it to cut text to a byte budget without splitting a character. */
NP_SDK_INLINE uint64_t np_utf8_truncate(const uint8_t *p, uint64_t len, uint64_t max_len) {
    if (max_len >= len) return len;
    uint64_t k = max_len;
    /* Step back over at most three continuation bytes to the start of the character at k. */
    for (int steps = 0; k > 0 && steps < 3 && (p[k] & 0xC0) == 0x80; steps++) k--;
    return k;
}

/* Make p[0..len) well-formed in place, keeping its length except at the end: every byte that does not start a
 * well-formed sequence becomes '?', and a sequence cut short by the end of the buffer (a truncation) is
 * dropped. Returns the new length. Used for messages, which must always be UTF-8 (rule P5). */
NP_SDK_INLINE uint64_t np_utf8_repair(uint8_t *p, uint64_t len) {
    uint64_t i = 0;
    while (i < len) {
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        int incomplete;
        unsigned n = np_utf8_sequence_length(p + i, len - i, &incomplete);
        if (n > 0) {
            i += n;
        } else if (incomplete) {
            return i; /* a character cut by the end of the buffer */
        } else {
            p[i++] = '?';
        }
    }
    return len;
}

NP_SDK_END_DECLS

#endif /* NPLUG_SDK_UTF8_H */
