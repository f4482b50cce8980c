/*
 * nph_loader.c - loading a library (interop/README.md section 1): open, find np_entry, negotiate (P1), check the
 * layout fingerprint, validate (P2, H3), refuse duplicates, init. A refused file is closed again: nothing of it
 * stays loaded and no other library is affected.
 */
#define _GNU_SOURCE /* dladdr1 (is np_entry a function?), realpath */
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nph_internal.h"

#define NPH_UNSET 0xFFFFFFFFu /* sentinel: did np_entry write library_abi_major/minor? */

/* ---- host ---------------------------------------------------------------------------------------------- */
void nph_host_options_init(nph_host_options_t *options) {
    memset(options, 0, sizeof *options);
    options->min_log_level = NP_LOG_INFO;
    options->abi_minor = NPH_HOST_NEWEST_MINOR;
}

nph_host_t *nph_host_create(const nph_host_options_t *options) {
    nph_host_t *host = (nph_host_t *)calloc(1, sizeof *host);
    if (!host) return NULL;
    if (options)
        host->options = *options;
    else
        nph_host_options_init(&host->options);
    host->offered_minor = host->options.abi_minor > NP_ABI_MINOR ? NP_ABI_MINOR : host->options.abi_minor;
    return host;
}

/* NP_LIBRARY_NO_UNLOAD (ABI 1.2), read only where the library's struct reaches (rule H2). */
int nph_library_has_layout_report(const nph_library_t *l) { return l->negotiation.layout_report != NULL; }

uint64_t nph_library_flags(const nph_library_t *l) {
    const np_library_t *d = l->descriptor;
    if (!d || l->negotiation.abi_minor < 2 || !NP_HAS_FIELD(d, np_library_t, flags)) return 0;
    return d->flags;
}

static void nph_library_close(nph_library_t *lib) {
    /* A library that must never be unloaded stays mapped for the life of the process (rule H6). */
    if (lib->handle && !(nph_library_flags(lib) & NP_LIBRARY_NO_UNLOAD)) dlclose(lib->handle);
    free(lib->path);
    free(lib->real_path);
    free(lib);
}

void nph_host_destroy(nph_host_t *host) {
    if (!host) return;
    while (host->library_count > 0) {
        nph_library_t *lib = host->libraries[host->library_count - 1];
        if (lib->instance_count > 0)
            nph_host_log(host, NP_LOG_ERROR, nph_basename(lib->path),
                         "%zu instance(s) still alive at host destroy; the library stays loaded (rule H6)",
                         lib->instance_count);
        if (nph_host_unload(host, lib, NULL) != NPH_OK) host->library_count--; /* leak it rather than crash */
    }
    free(host->libraries);
    free(host);
}

size_t nph_host_library_count(const nph_host_t *host) { return host->library_count; }
nph_library_t *nph_host_library(const nph_host_t *host, size_t index) {
    return index < host->library_count ? host->libraries[index] : NULL;
}

/* ---- opening the file ---------------------------------------------------------------------------------- */
/* Explain the common ways a file is not a shared library before dlopen gives a terse message. */
static nph_error_t nph_precheck_file(const char *path, nph_diag_t *diag) {
    struct stat st;
    if (stat(path, &st) != 0) return nph_fail(diag, NPH_E_OPEN, 0, NULL, "%s: cannot open: %s", path, strerror(errno));
    if (!S_ISREG(st.st_mode)) return nph_fail(diag, NPH_E_OPEN, 0, NULL, "%s: not a regular file", path);
    if (st.st_size == 0)
        return nph_fail(diag, NPH_E_OPEN, 0, "P1", "%s: the file is empty (0 bytes), not a shared library", path);
    unsigned char head[4] = {0};
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return nph_fail(diag, NPH_E_OPEN, 0, NULL, "%s: cannot open: %s", path, strerror(errno));
    ssize_t got = read(fd, head, sizeof head);
    close(fd);
    if (got < 4 || memcmp(head, ELFMAG, SELFMAG) != 0) {
        char shown[8];
        for (int i = 0; i < 4; i++) shown[i] = (i < got && head[i] >= 0x20 && head[i] < 0x7f) ? (char)head[i] : '.';
        shown[4] = 0;
        return nph_fail(diag, NPH_E_OPEN, 0, "P1",
                        "%s: not an ELF shared library (%lld bytes, starts with %02x %02x %02x %02x '%s')", path,
                        (long long)st.st_size, head[0], head[1], head[2], head[3], shown);
    }
    return NPH_OK;
}

static nph_library_t *nph_find_loaded(nph_host_t *host, const char *real_path) {
    for (size_t i = 0; i < host->library_count; i++)
        if (strcmp(host->libraries[i]->real_path, real_path) == 0) return host->libraries[i];
    return NULL;
}

/* ---- negotiation (rule P1) ----------------------------------------------------------------------------- */
/* What a host accepts back from np_entry: a pure function of the answer, so that every case of
 * interop/vectors/host-negotiation.tsv (which the .NET host runs too) is tested without a library. Anything about
 * versions is NPH_E_VERSION, any other broken answer NPH_E_ENTRY. library_abi_major/minor hold NPH_UNSET when the
 * library did not write them. */
nph_error_t nph_check_negotiation(const char *path, uint32_t offered_minor, np_status status, const np_negotiation_t *n,
                                  const np_library_t *descriptor, nph_diag_t *diag) {
    int reported = n->library_abi_major != NPH_UNSET && n->library_abi_minor != NPH_UNSET;
    if (status == NP_ERR_VERSION) {
        if (!reported)
            return nph_fail(diag, NPH_E_VERSION, status, "P1",
                            "%s: np_entry refused ABI %u.%u with NP_ERR_VERSION without reporting its own version",
                            path, NP_ABI_MAJOR, offered_minor);
        return nph_fail(diag, NPH_E_VERSION, status, NULL,
                        "%s: the library was built for ABI %u.%u; this host speaks ABI %u.%u (major versions differ)",
                        path, (unsigned)n->library_abi_major, (unsigned)n->library_abi_minor, NP_ABI_MAJOR,
                        offered_minor);
    }
    if (status != NP_OK)
        return nph_fail(diag, NPH_E_ENTRY, status, NULL, "%s: np_entry failed with %s (%d)", path,
                        np_status_name(status), (int)status);
    if (!reported)
        return nph_fail(diag, NPH_E_ENTRY, status, "P1",
                        "%s: np_entry returned NP_OK without writing library_abi_major/library_abi_minor", path);
    if (n->library_abi_major != NP_ABI_MAJOR)
        return nph_fail(
            diag, NPH_E_VERSION, status, "P1",
            "%s: np_entry accepted this ABI %u.%u host but reports ABI %u.%u (another major must be refused "
            "with NP_ERR_VERSION)",
            path, NP_ABI_MAJOR, offered_minor, (unsigned)n->library_abi_major, (unsigned)n->library_abi_minor);
    uint32_t expected = offered_minor < n->library_abi_minor ? offered_minor : n->library_abi_minor;
    if (n->abi_major != NP_ABI_MAJOR || n->abi_minor != expected)
        return nph_fail(diag, NPH_E_VERSION, status, "P1",
                        "%s: np_entry agreed on ABI %u.%u; expected min(host %u, library %u) = %u", path,
                        (unsigned)n->abi_major, (unsigned)n->abi_minor, offered_minor, (unsigned)n->library_abi_minor,
                        (unsigned)expected);
    if (!descriptor)
        return nph_fail(diag, NPH_E_ENTRY, status, "P1", "%s: np_entry returned NP_OK but no library descriptor (NULL)",
                        path);
    return NPH_OK;
}

static nph_error_t nph_negotiate(nph_host_t *host, nph_library_t *lib, nph_diag_t *diag) {
    np_negotiation_t *n = &lib->negotiation;
    memset(n, 0, sizeof *n);
    n->struct_size = (uint32_t)sizeof *n;
    n->abi_major = NP_ABI_MAJOR;
    n->abi_minor = host->offered_minor;
    n->library_abi_major = NPH_UNSET;
    n->library_abi_minor = NPH_UNSET;
    /* A hosted library's hostfxr message can run to several hundred bytes; guard bytes right after it. */
    struct {
        uint8_t text[1024];
        uint8_t guard[NPH_GUARD_BYTES];
    } reason;
    nph_guard_write(reason.guard);
    np_error_t error = {reason.text, sizeof reason.text, 0, 0, 0};
    n->error = &error; /* ABI 1.2: a library says why np_entry failed (a 1.0/1.1 library never writes it) */
    const np_library_t *descriptor = NULL;
    np_status status = lib->entry(n, &descriptor);
    n->error = NULL;                     /* the buffer dies with this call */
    if (!nph_guard_intact(reason.guard)) /* before anything is read: this stack was written beyond the buffer */
        return nph_fail(diag, NPH_E_ENTRY, status, "P5", "%s: np_entry wrote past the end of the error buffer",
                        lib->path);
    nph_error_t e = nph_check_negotiation(lib->path, host->offered_minor, status, n, descriptor, diag);
    if (e == NPH_E_ENTRY && status != NP_OK && error.len > 0) {
        uint64_t len = error.len < sizeof reason.text ? error.len : sizeof reason.text; /* a lying length: clamped */
        return nph_fail(diag, NPH_E_ENTRY, status, NULL, "%s: np_entry failed with %s (%d): %.*s", lib->path,
                        np_status_name(status), (int)status, (int)len, (const char *)reason.text);
    }
    if (e != NPH_OK) return e;
    lib->descriptor = descriptor;
    return NPH_OK;
}

/* Plugin ids are unique across everything loaded into one host. */
static nph_error_t nph_check_unique(nph_host_t *host, const nph_library_t *lib, nph_diag_t *diag) {
    for (uint32_t i = 0; i < lib->descriptor->plugin_count; i++) {
        np_str_t id = lib->descriptor->plugins[i]->id;
        for (size_t l = 0; l < host->library_count; l++) {
            const np_library_t *other = host->libraries[l]->descriptor;
            for (uint32_t k = 0; k < other->plugin_count; k++)
                if (np_str_eq(other->plugins[k]->id, id))
                    return nph_fail(diag, NPH_E_DUPLICATE, 0, "P2",
                                    "%s: plugin '%.*s' is already provided by %s (plugin ids must be unique across "
                                    "loaded libraries)",
                                    lib->path, (int)id.len, (const char *)id.ptr, host->libraries[l]->path);
        }
    }
    return NPH_OK;
}

static nph_error_t nph_init_library(nph_library_t *lib, nph_diag_t *diag) {
    nph_table_init(&lib->table, lib->host, lib->negotiation.abi_minor, nph_basename(lib->path));
    struct {
        uint8_t text[1024];
        uint8_t guard[NPH_GUARD_BYTES];
    } message;
    nph_guard_write(message.guard);
    np_error_t error = {message.text, sizeof message.text, 0, 0, 0};
    np_status status = lib->descriptor->init(&lib->table.table, &error);
    if (!nph_guard_intact(message.guard)) {
        /* Refused even when init succeeded (then deinit is owed, and called): its memory is suspect. */
        if (status == NP_OK) lib->descriptor->deinit();
        return nph_fail(diag, NPH_E_INIT, status, "P5", "%s: init wrote past the end of the error buffer", lib->path);
    }
    if (status == NP_OK) return NPH_OK;
    /* A library must clean up after a failed init (rule P4). */
    if (nph_table_live_bytes(&lib->table))
        nph_host_log(lib->host, NP_LOG_WARN, lib->table.scope,
                     "failed init left %llu bytes of host memory allocated (rule P4)",
                     (unsigned long long)nph_table_live_bytes(&lib->table));
    if (error.len == 0 || error.len > error.capacity)
        return nph_fail(diag, NPH_E_INIT, status, "P5", "%s: init failed with %s and no message", lib->path,
                        np_status_name(status));
    return nph_fail(diag, NPH_E_INIT, status, NULL, "%s: init failed with %s: %.*s", lib->path, np_status_name(status),
                    (int)error.len, (const char *)message.text);
}

nph_error_t nph_host_load(nph_host_t *host, const char *path, nph_library_t **out, nph_diag_t *diag) {
    nph_diag_clear(diag);
    if (out) *out = NULL;
    if (!host || !path || !out) return nph_fail(diag, NPH_E_ARGUMENT, 0, NULL, "nph_host_load: NULL argument");
    nph_error_t e = nph_precheck_file(path, diag);
    if (e != NPH_OK) return e;
    char *real_path = realpath(path, NULL);
    if (!real_path) return nph_fail(diag, NPH_E_OPEN, 0, NULL, "%s: cannot resolve path: %s", path, strerror(errno));
    nph_library_t *loaded = nph_find_loaded(host, real_path);
    if (loaded) {
        free(real_path);
        *out = loaded;
        return NPH_OK;
    }
    if (host->library_count == host->library_cap) {
        size_t cap = host->library_cap ? host->library_cap * 2 : 8;
        nph_library_t **grown = (nph_library_t **)realloc(host->libraries, cap * sizeof *grown);
        if (!grown) {
            free(real_path);
            return nph_fail(diag, NPH_E_MEMORY, 0, NULL, "%s: out of memory", path);
        }
        host->libraries = grown;
        host->library_cap = cap;
    }
    nph_library_t *lib = (nph_library_t *)calloc(1, sizeof *lib);
    if (!lib || !(lib->path = strdup(path))) {
        free(lib);
        free(real_path);
        return nph_fail(diag, NPH_E_MEMORY, 0, NULL, "%s: out of memory", path);
    }
    lib->host = host;
    lib->real_path = real_path;

    dlerror();
    lib->handle = dlopen(real_path, RTLD_NOW | RTLD_LOCAL);
    if (!lib->handle) {
        const char *why = dlerror();
        e = nph_fail(diag, NPH_E_OPEN, 0, NULL, "%s: dlopen failed: %s", path, why ? why : "unknown error");
        goto refused;
    }
    void *symbol = dlsym(lib->handle, NP_ENTRY_SYMBOL);
    if (!symbol) {
        e = nph_fail(diag, NPH_E_NO_ENTRY, 0, "P1", "%s: exports no '%s' function: not a NativePlugins library", path,
                     NP_ENTRY_SYMBOL);
        goto refused;
    }
    const ElfW(Sym) *sym = NULL;
    Dl_info info;
    if (dladdr1(symbol, &info, (void **)&sym, RTLD_DL_SYMENT) && sym && ELF64_ST_TYPE(sym->st_info) != STT_FUNC &&
        ELF64_ST_TYPE(sym->st_info) != STT_GNU_IFUNC) {
        e = nph_fail(diag, NPH_E_NO_ENTRY, 0, "P1", "%s: '%s' is a data symbol, not a function", path, NP_ENTRY_SYMBOL);
        goto refused;
    }
    *(void **)&lib->entry = symbol; /* object pointer to function pointer, the POSIX dlsym idiom */

    if ((e = nph_negotiate(host, lib, diag)) != NPH_OK) goto refused;
    {
        nph_memory_t memory; /* after np_entry: memory it allocated for its descriptors is mapped by now */
        nph_memory_init(&memory, symbol);
        e = nph_check_pointers(path, &lib->negotiation, lib->descriptor, &memory, diag);
        /* Closing reads np_library_t.flags: forget a descriptor that cannot be read (the library is unloaded). */
        if (e != NPH_OK && !nph_memory_readable(&memory, lib->descriptor, sizeof(uint32_t))) lib->descriptor = NULL;
        if (lib->descriptor && e != NPH_OK) {
            uint32_t size = lib->descriptor->struct_size;
            if (!nph_memory_readable(&memory, lib->descriptor,
                                     size < sizeof(np_library_t) ? size : sizeof(np_library_t)))
                lib->descriptor = NULL;
        }
        nph_memory_free(&memory);
        if (e != NPH_OK) goto refused;
    }
    if ((e = nph_check_layout(path, &lib->negotiation, diag)) != NPH_OK) goto refused;
    if ((e = nph_validate_library(path, lib->descriptor, lib->negotiation.abi_minor, diag)) != NPH_OK) goto refused;
    if ((e = nph_check_unique(host, lib, diag)) != NPH_OK) goto refused;
    if ((e = nph_init_library(lib, diag)) != NPH_OK) goto refused;

    host->libraries[host->library_count++] = lib;
    *out = lib;
    return NPH_OK;

refused:
    nph_library_close(lib);
    return e;
}

nph_error_t nph_host_unload(nph_host_t *host, nph_library_t *lib, nph_diag_t *diag) {
    size_t index = 0;
    while (index < host->library_count && host->libraries[index] != lib) index++;
    if (index == host->library_count) return nph_fail(diag, NPH_E_ARGUMENT, 0, NULL, "unload: library not loaded here");
    if (lib->instance_count > 0)
        return nph_fail(diag, NPH_E_STATE, 0, "H6", "%s: %zu instance(s) still alive; destroy them before unloading",
                        lib->path, lib->instance_count);
    lib->descriptor->deinit();
    if (nph_table_live_bytes(&lib->table))
        nph_host_log(host, NP_LOG_WARN, lib->table.scope,
                     "deinit left %llu bytes in %llu blocks of host memory (rule P4)",
                     (unsigned long long)nph_table_live_bytes(&lib->table),
                     (unsigned long long)nph_table_live_blocks(&lib->table));
    memmove(&host->libraries[index], &host->libraries[index + 1], (host->library_count - index - 1) * sizeof lib);
    host->library_count--;
    nph_library_close(lib);
    return NPH_OK;
}

/* ---- library accessors ---------------------------------------------------------------------------------- */
const char *nph_library_path(const nph_library_t *l) { return l->path; }
const np_library_t *nph_library_descriptor(const nph_library_t *l) { return l->descriptor; }
uint32_t nph_library_plugin_count(const nph_library_t *l) { return l->descriptor->plugin_count; }
const np_plugin_descriptor_t *nph_library_plugin(const nph_library_t *l, uint32_t i) {
    return i < l->descriptor->plugin_count ? l->descriptor->plugins[i] : NULL;
}
uint32_t nph_library_agreed_minor(const nph_library_t *l) { return l->negotiation.abi_minor; }
uint32_t nph_library_abi_major(const nph_library_t *l) { return l->negotiation.library_abi_major; }
uint32_t nph_library_abi_minor(const nph_library_t *l) { return l->negotiation.library_abi_minor; }
uint64_t nph_library_fingerprint(const nph_library_t *l) { return l->negotiation.layout_fingerprint; }
np_entry_fn nph_library_entry(const nph_library_t *l) { return l->entry; }

nph_error_t nph_host_find_transform(nph_host_t *host, const char *plugin_id, nph_transform_t *out, nph_diag_t *diag) {
    nph_diag_clear(diag);
    if (!host || !plugin_id || !out) return nph_fail(diag, NPH_E_ARGUMENT, 0, NULL, "find_transform: NULL argument");
    for (size_t l = 0; l < host->library_count; l++) {
        nph_library_t *lib = host->libraries[l];
        for (uint32_t i = 0; i < lib->descriptor->plugin_count; i++)
            if (np_str_eq_cstr(lib->descriptor->plugins[i]->id, plugin_id))
                return nph_resolve_transform(lib, lib->descriptor->plugins[i], out, diag);
    }
    return nph_fail(diag, NPH_E_NOT_FOUND, 0, NULL, "no loaded library provides plugin '%s'", plugin_id);
}
