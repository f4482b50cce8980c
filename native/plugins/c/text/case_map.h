/*
 * case_map.h - length-preserving simple upper-case mapping for UTF-8, used by org.nativeplugins.c.upper.
 *
 * The full Unicode mapping changes lengths ("ß" -> "SS") and needs the UCD tables; this one maps only where the
 * upper-case letter has the same UTF-8 length, so output can be written in place over a buffer of the input's
 * size: ASCII a-z, and the two-byte scripts Latin-1 Supplement, Latin Extended-A, Greek, Cyrillic and
 * Armenian. Every other character (including all 3- and 4-byte ones) is copied unchanged.
 */
#ifndef NP_PLUGINS_C_CASE_MAP_H
#define NP_PLUGINS_C_CASE_MAP_H

#include <stdint.h>

/* Upper case of a code point in U+0080..U+07FF whose upper case is also in that range; else cp itself. */
static inline uint32_t case_map_upper_2byte(uint32_t cp) {
    if (cp == 0x00B5) return 0x039C;                                            /* micro sign -> Greek Mu */
    if (cp >= 0x00E0 && cp <= 0x00FE) return cp == 0x00F7 ? cp : cp - 0x20;     /* Latin-1 (not the division sign) */
    if (cp == 0x00FF) return 0x0178;                                            /* y with diaeresis */
    if (cp >= 0x0100 && cp <= 0x0137) return (cp & 1) ? cp - 1 : cp;            /* Latin Ext-A pairs: upper even */
    if (cp >= 0x0139 && cp <= 0x0148) return (cp & 1) ? cp : cp - 1;            /*   ... upper odd */
    if (cp >= 0x014A && cp <= 0x0177) return (cp & 1) ? cp - 1 : cp;            /*   ... upper even */
    if (cp >= 0x0179 && cp <= 0x017E) return (cp & 1) ? cp : cp - 1;            /*   ... upper odd */
    if (cp >= 0x03B1 && cp <= 0x03CB) return cp == 0x03C2 ? 0x03A3 : cp - 0x20; /* Greek (final sigma -> Sigma) */
    if (cp == 0x03AC) return 0x0386;                                            /* Greek with tonos */
    if (cp >= 0x03AD && cp <= 0x03AF) return cp - 0x25;
    if (cp == 0x03CC) return 0x038C;
    if (cp == 0x03CD || cp == 0x03CE) return cp - 0x3F;
    if (cp >= 0x0430 && cp <= 0x044F) return cp - 0x20; /* Cyrillic basic */
    if (cp >= 0x0450 && cp <= 0x045F) return cp - 0x50; /* Cyrillic with marks */
    if ((cp >= 0x0460 && cp <= 0x0481) || (cp >= 0x048A && cp <= 0x04BF) || (cp >= 0x04D0 && cp <= 0x052F))
        return (cp & 1) ? cp - 1 : cp;                               /* Cyrillic pairs: upper even */
    if (cp >= 0x04C1 && cp <= 0x04CE) return (cp & 1) ? cp : cp - 1; /*   ... upper odd */
    if (cp == 0x04CF) return 0x04C0;
    if (cp >= 0x0561 && cp <= 0x0586) return cp - 0x30; /* Armenian */
    return cp;
}

#endif /* NP_PLUGINS_C_CASE_MAP_H */
