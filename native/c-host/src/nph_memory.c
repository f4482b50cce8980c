/*
 * nph_memory.c - rule H3 for pointers: before the host reads or calls anything a library handed over, the memory
 * must be mapped readable for the whole extent read (data) or executable (functions), so that a garbage pointer is
 * NPH_E_INVALID instead of SIGSEGV. Not "inside the library's own segments": C# plugins build descriptors in heap
 * memory and a hosted one's functions are JIT stubs, both valid (interop/README.md, H3).
 *
 * Two steps keep it cheap: the library's own PT_LOAD segments (dl_iterate_phdr, once per load, found by the
 * address of np_entry) answer for a C or Rust library's descriptors, strings and code; anything else is looked up
 * in /proc/self/maps, read once per load on the first such pointer. The .NET host does the same (LoadedMemory.cs).
 */
#define _GNU_SOURCE
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nph_internal.h"

static int nph_own_segment(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size;
    nph_memory_t *m = (nph_memory_t *)data;
    int mine = 0;
    for (int i = 0; i < info->dlpi_phnum && !mine; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t start = info->dlpi_addr + ph->p_vaddr;
        mine = ph->p_type == PT_LOAD && start <= m->anchor && m->anchor < start + ph->p_memsz;
    }
    if (!mine) return 0;
    for (int i = 0; i < info->dlpi_phnum && m->own_count < NPH_MAX_OWN_SEGMENTS; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD) continue;
        nph_region_t *r = &m->own[m->own_count++];
        r->start = info->dlpi_addr + ph->p_vaddr;
        r->end = r->start + ph->p_memsz;
        r->readable = (ph->p_flags & PF_R) != 0;
        r->executable = (ph->p_flags & PF_X) != 0;
    }
    return 1; /* found: stop */
}

void nph_memory_init(nph_memory_t *m, const void *anchor) {
    memset(m, 0, sizeof *m);
    m->anchor = (uintptr_t)anchor;
    if (anchor) dl_iterate_phdr(nph_own_segment, m);
}

void nph_memory_free(nph_memory_t *m) {
    free(m->maps);
    m->maps = NULL;
    m->map_count = 0;
}

/* /proc/self/maps, sorted and disjoint as the kernel writes it. No procfs: no regions, every pointer outside the
 * library's segments is refused (the safe answer). */
static void nph_read_maps(nph_memory_t *m) {
    m->maps_read = 1;
    FILE *f = fopen("/proc/self/maps", "re");
    if (!f) return;
    size_t cap = 0;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        unsigned long long start, end;
        char perms[5] = {0};
        if (sscanf(line, "%llx-%llx %4s", &start, &end, perms) != 3) continue;
        if (m->map_count == cap) {
            size_t grown = cap ? cap * 2 : 256;
            nph_region_t *r = (nph_region_t *)realloc(m->maps, grown * sizeof *r);
            if (!r) break;
            m->maps = r;
            cap = grown;
        }
        nph_region_t *r = &m->maps[m->map_count++];
        r->start = (uintptr_t)start;
        r->end = (uintptr_t)end;
        r->readable = perms[0] == 'r';
        r->executable = perms[2] == 'x';
    }
    fclose(f);
}

static int nph_allows(nph_memory_t *m, uintptr_t start, uint64_t len, int exec) {
    if (!start || len > UINTPTR_MAX - start) return 0;
    uintptr_t end = start + (uintptr_t)len;
    for (size_t i = 0; i < m->own_count; i++) {
        const nph_region_t *r = &m->own[i];
        if (r->start <= start && end <= r->end && (exec ? r->executable : r->readable)) return 1;
    }
    if (!m->maps_read) nph_read_maps(m);
    uintptr_t reached = start;
    for (size_t i = 0; i < m->map_count; i++) { /* adjacent mappings may together cover the range */
        const nph_region_t *r = &m->maps[i];
        if (r->end <= reached) continue;
        if (r->start > reached || !(exec ? r->executable : r->readable)) return 0;
        reached = r->end;
        if (reached >= end) return 1;
    }
    return 0;
}

int nph_memory_readable(nph_memory_t *m, const void *p, uint64_t len) {
    return nph_allows(m, (uintptr_t)p, len ? len : 1, 0);
}

int nph_memory_executable(nph_memory_t *m, const void *fn) { return nph_allows(m, (uintptr_t)fn, 1, 1); }

/* ---- the walk over what np_entry handed over ------------------------------------------------------------ */
#define NPH_PTR_MAX_TEXT 65536u /* longer strings are refused by nph_validate_library without being read */
#define NPH_PTR_MAX_PLUGINS 65536u
#define NPH_PTR_MAX_INTERFACES 1024u
#define NPH_PTR_MAX_REPORT 4096u

static nph_error_t nph_unreadable(const char *path, const char *label, const char *field, const void *p, uint64_t len,
                                  nph_diag_t *diag) {
    return nph_fail(diag, NPH_E_INVALID, 0, "H3",
                    "%s: %s%s%s is %p, not in readable memory for the %llu bytes the host reads there", path,
                    label ? label : "", label ? ": " : "", field, p, (unsigned long long)len);
}

static nph_error_t nph_not_code(const char *path, const char *label, const char *field, const void *fn,
                                nph_diag_t *diag) {
    return nph_fail(diag, NPH_E_INVALID, 0, "H3", "%s: %s%s%s is %p, not in executable memory", path,
                    label ? label : "", label ? ": " : "", field, fn);
}

#define NPH_READ(p, len, field)                                                                                        \
    do {                                                                                                               \
        if (!nph_memory_readable(m, (p), (len))) return nph_unreadable(path, label, (field), (p), (len), diag);        \
    } while (0)
#define NPH_TEXT(s, field)                                                                                             \
    do {                                                                                                               \
        if ((s).len > 0 && (s).ptr && (s).len <= NPH_PTR_MAX_TEXT) NPH_READ((s).ptr, (s).len, (field));                \
    } while (0)
#define NPH_CODE(fn, field)                                                                                            \
    do {                                                                                                               \
        const void *code_;                                                                                             \
        memcpy(&code_, &(fn), sizeof code_); /* a function pointer as an address, without a cast between the two */    \
        if (code_ && !nph_memory_executable(m, code_)) return nph_not_code(path, label, (field), code_, diag);         \
    } while (0)

/* A growable struct: struct_size first, then what the host reads of it (at most its own sizeof). Returns the
 * readable size, or 0 when it is smaller than minimum (left for nph_validate_library to refuse by its rules). */
#define NPH_STRUCT(p, type, minimum, field, out_size)                                                                  \
    do {                                                                                                               \
        NPH_READ((p), sizeof(uint32_t), (field));                                                                      \
        uint32_t size_ = *(const uint32_t *)(const void *)(p);                                                         \
        (out_size) = size_ < (minimum) ? 0 : size_ < sizeof(type) ? size_ : (uint32_t)sizeof(type);                    \
        if (out_size) NPH_READ((p), (out_size), (field));                                                              \
    } while (0)

static nph_error_t nph_check_report(const char *path, const np_layout_report_t *r, nph_memory_t *m, nph_diag_t *diag) {
    const char *label = NULL;
    NPH_READ(r, sizeof *r, "np_negotiation_t.layout_report");
    if (r->struct_count == 0 || r->struct_count > NPH_PTR_MAX_REPORT || !r->structs) return NPH_OK;
    NPH_READ(r->structs, r->struct_count * sizeof *r->structs, "np_layout_report_t.structs");
    for (uint64_t i = 0; i < r->struct_count; i++) {
        const np_layout_struct_t *s = &r->structs[i];
        NPH_TEXT(s->name, "np_layout_struct_t.name.ptr");
        if (s->field_count == 0 || s->field_count > NPH_PTR_MAX_REPORT || !s->fields) continue;
        NPH_READ(s->fields, s->field_count * sizeof *s->fields, "np_layout_struct_t.fields");
        for (uint64_t j = 0; j < s->field_count; j++) NPH_TEXT(s->fields[j].name, "np_layout_field_t.name.ptr");
    }
    return NPH_OK;
}

nph_error_t nph_check_pointers(const char *path, const np_negotiation_t *n, const np_library_t *lib, nph_memory_t *m,
                               nph_diag_t *diag) {
    const char *label = NULL;
    uint32_t size;
    /* The report is read only when the fingerprint differs (nph_check_layout names the differing field). */
    if (n->layout_fingerprint != nph_expected_fingerprint(n->abi_minor) && n->layout_report) {
        nph_error_t e = nph_check_report(path, n->layout_report, m, diag);
        if (e != NPH_OK) return e;
    }
    NPH_STRUCT(lib, np_library_t, NP_MIN_SIZEOF_np_library_t, "np_entry out_library (np_library_t*)", size);
    if (!size) return NPH_OK;
    NPH_TEXT(lib->sdk, "np_library_t.sdk.ptr");
    NPH_CODE(lib->init, "np_library_t.init");
    NPH_CODE(lib->deinit, "np_library_t.deinit");
    if (lib->plugin_count == 0 || lib->plugin_count > NPH_PTR_MAX_PLUGINS || !lib->plugins) return NPH_OK;
    NPH_READ(lib->plugins, lib->plugin_count * sizeof *lib->plugins, "np_library_t.plugins");
    for (uint32_t i = 0; i < lib->plugin_count; i++) {
        const np_plugin_descriptor_t *p = lib->plugins[i];
        char plugin_label[32];
        snprintf(plugin_label, sizeof plugin_label, "plugin #%u", (unsigned)i);
        label = plugin_label; /* the id is not known to be readable yet */
        if (!p) continue;
        NPH_STRUCT(p, np_plugin_descriptor_t, NP_MIN_SIZEOF_np_plugin_descriptor_t, "np_library_t.plugins[]", size);
        if (!size) continue;
        NPH_TEXT(p->id, "np_plugin_descriptor_t.id.ptr");
        NPH_TEXT(p->name, "np_plugin_descriptor_t.name.ptr");
        NPH_TEXT(p->version, "np_plugin_descriptor_t.version.ptr");
        NPH_TEXT(p->description, "np_plugin_descriptor_t.description.ptr");
        NPH_TEXT(p->vendor, "np_plugin_descriptor_t.vendor.ptr");
        if (p->interface_count == 0 || p->interface_count > NPH_PTR_MAX_INTERFACES || !p->interfaces) continue;
        NPH_READ(p->interfaces, p->interface_count * sizeof *p->interfaces, "np_plugin_descriptor_t.interfaces");
        for (uint64_t k = 0; k < p->interface_count; k++) {
            const np_interface_t *itf = &p->interfaces[k];
            NPH_TEXT(itf->id, "np_interface_t.id.ptr");
            if (!itf->vtable) continue;
            NPH_READ(itf->vtable, sizeof(uint32_t), "np_interface_t.vtable");
            if (n->abi_minor >= NPH_STATE_MINOR && np_str_eq_cstr(itf->id, NP_STATE_ID)) {
                const np_state_v1_t *st = (const np_state_v1_t *)itf->vtable;
                NPH_STRUCT(st, np_state_v1_t, NP_MIN_SIZEOF_np_state_v1_t, "np_interface_t.vtable", size);
                if (!size) continue;
                NPH_CODE(st->save, "np_state_v1_t.save");
                NPH_CODE(st->restore, "np_state_v1_t.restore");
                continue;
            }
            if (!np_str_eq_cstr(itf->id, NP_TRANSFORM_ID)) continue; /* only these two are read further */
            const np_transform_v1_t *vt = (const np_transform_v1_t *)itf->vtable;
            NPH_STRUCT(vt, np_transform_v1_t, NP_MIN_SIZEOF_np_transform_v1_t, "np_interface_t.vtable", size);
            if (!size) continue;
            NPH_CODE(vt->create, "np_transform_v1_t.create");
            NPH_CODE(vt->destroy, "np_transform_v1_t.destroy");
            NPH_CODE(vt->process, "np_transform_v1_t.process");
            NPH_CODE(vt->flush, "np_transform_v1_t.flush");
            if (n->abi_minor >= 1 && NP_HAS_FIELD(vt, np_transform_v1_t, stats))
                NPH_CODE(vt->stats, "np_transform_v1_t.stats");
        }
    }
    return NPH_OK;
}
