/*
 * nph_layout.c - the layout fingerprint check of negotiation, and naming the first differing field.
 *
 * The library reports the fingerprint of the agreed minor as its compiler laid the ABI out; the host compares
 * it with its own (np_layout.g.h, generated). On a mismatch it compares the library's layout report with its
 * own report field by field (by struct and field name, over the fields both know) and names the first struct
 * and field whose offset or size differs. Both the fingerprints and this host's report come from the generated
 * np_layout.g.h, the one source of truth; nothing is skipped.
 */
#include <stdio.h>
#include <string.h>

#include <nplug_sdk/np_utf8.h>

#include "nph_internal.h"

NP_DEFINE_LAYOUT_REPORT(nph_host_layout_report);

uint64_t nph_expected_fingerprint(uint32_t minor) { return NP_LAYOUT_FINGERPRINT_FOR_MINOR(minor); }

#define NPH_MAX_REPORT_STRUCTS 1024u
#define NPH_MAX_REPORT_FIELDS 1024u

/* Is the library's report readable? Returns a reason or NULL. */
static const char *nph_report_problem(const np_layout_report_t *r) {
    if (r->struct_size < sizeof(np_layout_report_t)) return "its struct_size is too small";
    if (r->struct_count > NPH_MAX_REPORT_STRUCTS) return "struct_count is implausible";
    if (r->struct_count && !r->structs) return "structs is NULL";
    for (uint64_t i = 0; i < r->struct_count; i++) {
        const np_layout_struct_t *s = &r->structs[i];
        if (!s->name.ptr || s->name.len == 0 || s->name.len > 256 || !np_utf8_validate(s->name.ptr, s->name.len, NULL))
            return "a struct name is not a UTF-8 string";
        if (s->field_count > NPH_MAX_REPORT_FIELDS || (s->field_count && !s->fields))
            return "a field table is malformed";
        for (uint64_t k = 0; k < s->field_count; k++)
            if (!s->fields[k].name.ptr || s->fields[k].name.len == 0 || s->fields[k].name.len > 256 ||
                !np_utf8_validate(s->fields[k].name.ptr, s->fields[k].name.len, NULL))
                return "a field name is not a UTF-8 string";
    }
    return NULL;
}

/* Write "np_x_t.field: offset 24 in the library, 32 in the host" for the first difference; 0 if none. */
static int nph_first_difference(const np_layout_report_t *lib, const np_layout_report_t *host, char *out, size_t cap) {
    for (uint64_t i = 0; i < host->struct_count; i++) {
        const np_layout_struct_t *hs = &host->structs[i];
        for (uint64_t j = 0; j < lib->struct_count; j++) {
            const np_layout_struct_t *ls = &lib->structs[j];
            if (!np_str_eq(hs->name, ls->name)) continue;
            if (hs->align != ls->align) {
                snprintf(out, cap, "%.*s: alignment %u in the library, %u in the host", (int)hs->name.len,
                         (const char *)hs->name.ptr, (unsigned)ls->align, (unsigned)hs->align);
                return 1;
            }
            for (uint64_t k = 0; k < hs->field_count; k++) {
                const np_layout_field_t *hf = &hs->fields[k];
                for (uint64_t m = 0; m < ls->field_count; m++) {
                    const np_layout_field_t *lf = &ls->fields[m];
                    if (!np_str_eq(hf->name, lf->name)) continue;
                    if (hf->offset != lf->offset || hf->size != lf->size) {
                        snprintf(out, cap, "%.*s.%.*s: offset %u size %u in the library, offset %u size %u in the host",
                                 (int)hs->name.len, (const char *)hs->name.ptr, (int)hf->name.len,
                                 (const char *)hf->name.ptr, (unsigned)lf->offset, (unsigned)lf->size,
                                 (unsigned)hf->offset, (unsigned)hf->size);
                        return 1;
                    }
                }
            }
        }
    }
    return 0;
}

nph_error_t nph_check_layout(const char *path, const np_negotiation_t *n, nph_diag_t *diag) {
    uint64_t expected = nph_expected_fingerprint(n->abi_minor);
    /* expected is 0 only for a minor this header does not define, which negotiation already refused: a mismatch. */
    if (expected != 0 && n->layout_fingerprint == expected) return NPH_OK;
    char detail[512];
    const np_layout_report_t *report = n->layout_report;
    const char *problem;
    if (!report) {
        snprintf(detail, sizeof detail, "the library sent no layout report to locate the difference");
    } else if ((problem = nph_report_problem(report))) {
        snprintf(detail, sizeof detail, "the library's layout report is unreadable: %s", problem);
    } else {
        if (!nph_first_difference(report, &nph_host_layout_report, detail, sizeof detail))
            snprintf(detail, sizeof detail, "yet the layout reports agree on every field both know");
    }
    return nph_fail(diag, NPH_E_LAYOUT, 0, "H3",
                    "%s: layout fingerprint of ABI 1.%u is 0x%016llx, this host expects 0x%016llx: %s; the library was "
                    "compiled against a different layout of the header",
                    path, (unsigned)n->abi_minor, (unsigned long long)n->layout_fingerprint,
                    (unsigned long long)expected, detail);
}
