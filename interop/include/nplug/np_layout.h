/*
 * np_layout.h - the layout report: how the library's compiler laid out the ABI structs.
 *
 * The handshake carries a 64-bit layout fingerprint (see np_negotiation_t). When it differs from the one the
 * host expects, the host compares the library's layout report with its own manifest and names the first
 * struct and field that differ, instead of crashing later on a misread field. Fingerprints and the C report
 * table are generated from this header set into np_layout.g.h.
 */
#ifndef NP_LAYOUT_H
#define NP_LAYOUT_H

#include "np_types.h"

/* One field as the library's compiler placed it. */
typedef struct np_layout_field {
    np_str_t name;    /* field name as in the header */
    uint32_t offset;  /* offsetof, in bytes */
    uint32_t size;    /* sizeof the field, in bytes */
} np_layout_field_t;

/* One struct as the library's compiler laid it out. */
typedef struct np_layout_struct {
    np_str_t name;                    /* typedef name, e.g. "np_library_t" */
    uint32_t size;                    /* sizeof */
    uint32_t align;                   /* _Alignof */
    const np_layout_field_t *fields;  /* field_count entries, in declaration order */
    uint64_t field_count;
} np_layout_struct_t;

/* The whole report. Static data of the library: valid while the library is loaded. */
typedef struct np_layout_report {
    uint32_t struct_size;
    uint32_t reserved;                  /* must be 0 */
    const np_layout_struct_t *structs;  /* struct_count entries */
    uint64_t struct_count;
} np_layout_report_t;

#endif /* NP_LAYOUT_H */
