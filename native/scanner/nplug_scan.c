/*
 * nplug_scan.c - nplug-scan: the out-of-process plugin scanner. Loads each library it is given with the C host
 * library (np_c_host: the same pre-dlopen checks, negotiation, layout check, validation and init as nplug-c-host),
 * reports what the library declares, and unloads it again. A host runs it in a child process so that a library
 * that crashes, calls exit() or never returns while being loaded takes only the scanner with it (the GStreamer
 * plugin scanner's model). The report format is specified in README.md (format 1); the .NET host's reader is
 * src/NativePlugins.Host/Discovery/ScannerReport.cs.
 *
 *   nplug-scan [--abi-minor N] <library>...
 *   nplug-scan [--abi-minor N] --paths-from-stdin      (NUL-terminated paths on stdin: no argument-length limit)
 *
 * The report goes to the stdout the scanner was started with; before any library is loaded, file descriptor 1 is
 * pointed at stderr, so that whatever a library prints cannot corrupt the report.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nplug_host/nph.h>

#define SCAN_FORMAT 1
#define EXIT_USAGE 2
#define EXIT_IO 3

static FILE *report;                   /* the original stdout */
static volatile long in_progress = -1; /* index of the library being loaded, for the exit() marker */

static const char usage_text[] =
    "usage: nplug-scan [--abi-minor N] <library>...\n"
    "       nplug-scan [--abi-minor N] --paths-from-stdin\n"
    "\n"
    "Loads each library with the C host (negotiate, validate, init), writes one JSON object per line to stdout\n"
    "(format 1, native/scanner/README.md) and unloads it. Meant to run in a child process: a library that\n"
    "crashes or exits while loading ends the scanner, and the last {\"start\":i} line without its result names it.\n";

/* ---- JSON output ---------------------------------------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0 when it is not one. */
static size_t utf8_sequence(const unsigned char *s, size_t n) {
    unsigned char c = s[0];
    size_t len;
    uint32_t cp;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (len > n) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0;
    return len;
}

/* A JSON string. Bytes that are not UTF-8 (a file name can hold any byte) are written as the text \xHH, so the
 * report is always valid JSON; descriptor strings were validated as UTF-8 at load and pass unchanged. */
static void json_string(const void *data, size_t n) {
    const unsigned char *s = (const unsigned char *)data;
    fputc('"', report);
    for (size_t i = 0; i < n;) {
        unsigned char c = s[i];
        if (c == '"' || c == '\\') {
            fputc('\\', report);
            fputc(c, report);
            i++;
        } else if (c < 0x20 || c == 0x7F) {
            fprintf(report, "\\u%04x", c);
            i++;
        } else {
            size_t len = utf8_sequence(s + i, n - i);
            if (len == 0) {
                fprintf(report, "\\\\x%02X", c);
                i++;
            } else {
                fwrite(s + i, 1, len, report);
                i += len;
            }
        }
    }
    fputc('"', report);
}

static void json_cstring(const char *s) { json_string(s, strlen(s)); }
static void json_str(np_str_t s) { json_string(s.ptr, (size_t)s.len); }

/* ---- one library ---------------------------------------------------------------------------------------------- */

static void report_plugin(const nph_library_t *lib, const np_plugin_descriptor_t *p) {
    fputs("{\"id\":", report);
    json_str(p->id);
    fputs(",\"name\":", report);
    json_str(p->name);
    fputs(",\"version\":", report);
    json_str(p->version);
    fputs(",\"description\":", report);
    json_str(p->description);
    fputs(",\"vendor\":", report);
    json_str(p->vendor);
    fprintf(report, ",\"threading\":%" PRIu32 ",\"interfaces\":[", p->threading);
    for (uint64_t i = 0; i < p->interface_count; i++) {
        if (i) fputc(',', report);
        fputs("{\"id\":", report);
        json_str(p->interfaces[i].id);
        /* The fingerprint as a string: a JSON number loses 64-bit integers in many readers. */
        fprintf(report, ",\"struct_size\":%" PRIu32 ",\"fingerprint\":\"%" PRIu64 "\"}",
                nph_plugin_interface_size(p, i), nph_plugin_interface_fingerprint(lib, p, i));
    }
    fputs("]}", report);
}

static void report_library(long index, const nph_library_t *lib) {
    const np_library_t *d = nph_library_descriptor(lib);
    fprintf(report, "{\"index\":%ld,\"ok\":true,\"sdk\":", index);
    json_str(d->sdk);
    fprintf(report,
            ",\"flags\":\"%" PRIu64 "\",\"agreed\":[%d,%" PRIu32 "],\"library_abi\":[%" PRIu32 ",%" PRIu32
            "],\"fingerprint\":\"%" PRIu64 "\",\"plugins\":[",
            nph_library_flags(lib), NP_ABI_MAJOR, nph_library_agreed_minor(lib), nph_library_abi_major(lib),
            nph_library_abi_minor(lib), nph_library_fingerprint(lib));
    for (uint32_t i = 0; i < nph_library_plugin_count(lib); i++) {
        if (i) fputc(',', report);
        report_plugin(lib, nph_library_plugin(lib, i));
    }
    fputs("]}\n", report);
}

static void report_refusal(long index, const nph_diag_t *diag) {
    fprintf(report, "{\"index\":%ld,\"ok\":false,\"error\":\"%s\",\"status\":%d,\"rule\":", index,
            nph_error_name(diag->code), (int)diag->status);
    if (diag->rule)
        json_cstring(diag->rule);
    else
        fputs("null", report);
    fputs(",\"message\":", report);
    json_cstring(diag->message);
    fputs("}\n", report);
}

static void scan(nph_host_t *host, long index, const char *path) {
    fprintf(report, "{\"start\":%ld}\n", index);
    fflush(report); /* before any code of the library runs: if it kills us, the host knows which one did */
    in_progress = index;
    nph_library_t *lib = NULL;
    nph_diag_t diag;
    if (nph_host_load(host, path, &lib, &diag) != NPH_OK) {
        in_progress = -1;
        report_refusal(index, &diag);
    } else {
        in_progress = -1;
        report_library(index, lib);
        /* Unloaded again, so that two files declaring one id are both reported: uniqueness is the loading host's
         * rule, across what it actually loads. */
        nph_host_unload(host, lib, &diag);
    }
    fflush(report);
}

/* exit() called by a library while it is being loaded (a constructor, np_entry, init): say so, since the exit
 * status alone (often 0) cannot tell it from the scanner's own end. _exit() and signals bypass this. */
static void on_exit_marker(void) {
    if (in_progress >= 0 && report) {
        fprintf(report, "{\"exit\":%ld}\n", (long)in_progress);
        fflush(report);
    }
}

static void drop_log(void *context, int32_t level, const char *scope, np_str_t message) {
    (void)context;
    (void)level;
    (void)scope;
    (void)message;
}

/* Reads NUL-terminated paths from stdin and scans each as it arrives. */
static int scan_stdin(nph_host_t *host) {
    char *line = NULL;
    size_t cap = 0;
    long index = 0;
    ssize_t n;
    while ((n = getdelim(&line, &cap, '\0', stdin)) > 0) {
        if (line[n - 1] != '\0') break; /* a truncated last path: the writer died */
        scan(host, index++, line);
    }
    free(line);
    return (int)index;
}

int main(int argc, char **argv) {
    uint32_t minor = NPH_HOST_NEWEST_MINOR;
    int from_stdin = 0, first = 1;
    for (; first < argc && strncmp(argv[first], "--", 2) == 0; first++) {
        if (strcmp(argv[first], "--") == 0) {
            first++;
            break;
        } else if (strcmp(argv[first], "--abi-minor") == 0 && first + 1 < argc) {
            char *end;
            errno = 0;
            unsigned long v = strtoul(argv[++first], &end, 10);
            if (errno || *end || v > NP_ABI_MINOR) {
                fprintf(stderr, "nplug-scan: --abi-minor must be 0..%d\n", NP_ABI_MINOR);
                return EXIT_USAGE;
            }
            minor = (uint32_t)v;
        } else if (strcmp(argv[first], "--paths-from-stdin") == 0) {
            from_stdin = 1;
        } else if (strcmp(argv[first], "--help") == 0) {
            fputs(usage_text, stdout);
            return 0;
        } else {
            fprintf(stderr, "nplug-scan: unknown option %s\n\n%s", argv[first], usage_text);
            return EXIT_USAGE;
        }
    }
    if (!from_stdin && first == argc) {
        fputs(usage_text, stderr);
        return EXIT_USAGE;
    }

    /* The report keeps the original stdout; fd 1 becomes a copy of stderr for the libraries' own output. */
    int fd = dup(STDOUT_FILENO);
    if (fd < 0 || !(report = fdopen(fd, "w")) || dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
        fprintf(stderr, "nplug-scan: cannot set up the report stream: %s\n", strerror(errno));
        return EXIT_IO;
    }
    atexit(on_exit_marker);

    nph_host_options_t options;
    nph_host_options_init(&options);
    options.abi_minor = minor;
    options.log = drop_log; /* plugin log lines are not part of what a library declares */
    nph_host_t *host = nph_host_create(&options);
    if (!host) {
        fputs("nplug-scan: out of memory\n", stderr);
        return EXIT_IO;
    }
    fprintf(report, "{\"nplug_scan\":%d,\"host_abi\":[%d,%d]}\n", SCAN_FORMAT, NP_ABI_MAJOR,
            minor == NPH_HOST_NEWEST_MINOR ? (int)NP_ABI_MINOR : (int)minor);
    fflush(report);
    long count = 0;
    if (from_stdin)
        count = scan_stdin(host);
    else
        for (int i = first; i < argc; i++) scan(host, count++, argv[i]);
    fprintf(report, "{\"done\":%ld}\n", count);
    nph_host_destroy(host);
    return fflush(report) == 0 && !ferror(report) ? 0 : EXIT_IO;
}
