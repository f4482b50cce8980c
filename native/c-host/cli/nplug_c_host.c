/*
 * nplug_c_host.c - nplug-c-host: the minimal C host. Lists the plugins of libraries and runs np.transform/1
 * pipelines over the lines of stdin, with nothing but libc and dlopen: proof that the ABI needs no .NET.
 *
 *   nplug-c-host list <library>...
 *   nplug-c-host run [options] <library>:<plugin-id>[:<config>] ...
 *
 * Exit codes: 0 success; 1 a plugin call failed while running; 2 usage error; 3 a library was refused or a
 * plugin was not found.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nplug_host/nph.h>

#define EXIT_RUN_FAILED 1
#define EXIT_USAGE 2
#define EXIT_REFUSED 3

static const char usage_text[] =
    "usage: nplug-c-host list <library>...\n"
    "       nplug-c-host run [options] <library>:<plugin-id>[:<config>] ...\n"
    "\n"
    "list   load each library (negotiate, validate, init) and print its plugins; refused libraries are\n"
    "       reported on stderr and the others are still listed.\n"
    "run    read records (lines) from stdin, send them in batches through the stages in order, write the\n"
    "       records leaving the last stage to stdout, one per line; per-stage counts go to stderr.\n"
    "       <config> is everything after the second ':' (key=value;key=value). When a plugin call\n"
    "       fails, the batch in flight is not written and the run stops (exit 1).\n"
    "\n"
    "options (run):\n"
    "  --batch-records N   records per batch (default 1024)\n"
    "  --batch-bytes N     flush a batch early when it holds N bytes (default 1048576)\n"
    "  --quiet             no per-stage counts on stderr\n"
    "  --abi-minor N       offer ABI 1.N instead of the newest minor (to act as an older host)\n"
    "  --verbose           also show plugin log lines below info\n"
    "\n"
    "exit codes: 0 ok, 1 a plugin call failed, 2 usage error, 3 a library was refused or a plugin not found\n";

static int usage_error(const char *fmt, const char *arg) {
    fprintf(stderr, "nplug-c-host: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n\n%s", usage_text);
    return EXIT_USAGE;
}

static int parse_u64(const char *s, uint64_t min, uint64_t *out) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || v < min) return 0;
    *out = (uint64_t)v;
    return 1;
}

static const char *threading_name(uint32_t t) {
    return t == NP_THREADING_SINGLE ? "single" : t == NP_THREADING_THREAD_SAFE ? "thread-safe" : "?";
}

/* ---- list ------------------------------------------------------------------------------------------------ */
static void print_library(nph_library_t *lib) {
    const np_library_t *d = nph_library_descriptor(lib);
    printf("%s: ABI %u.%u (agreed 1.%u), sdk %.*s, %u plugin%s\n", nph_library_path(lib), nph_library_abi_major(lib),
           nph_library_abi_minor(lib), nph_library_agreed_minor(lib), (int)d->sdk.len,
           d->sdk.len ? (const char *)d->sdk.ptr : "", d->plugin_count, d->plugin_count == 1 ? "" : "s");
    for (uint32_t i = 0; i < d->plugin_count; i++) {
        const np_plugin_descriptor_t *p = d->plugins[i];
        printf("  %.*s %.*s  \"%.*s\"  threading=%s  interfaces:", (int)p->id.len, (const char *)p->id.ptr,
               (int)p->version.len, (const char *)p->version.ptr, (int)p->name.len, (const char *)p->name.ptr,
               threading_name(p->threading));
        for (uint64_t k = 0; k < p->interface_count; k++)
            printf(" %.*s", (int)p->interfaces[k].id.len, (const char *)p->interfaces[k].id.ptr);
        printf("\n");
        if (p->description.len) printf("      %.*s\n", (int)p->description.len, (const char *)p->description.ptr);
        if (p->vendor.len) printf("      vendor: %.*s\n", (int)p->vendor.len, (const char *)p->vendor.ptr);
    }
}

static int cmd_list(nph_host_t *host, int argc, char **argv) {
    if (argc == 0) return usage_error("%s", "list needs at least one library");
    int refused = 0;
    for (int i = 0; i < argc; i++) {
        nph_library_t *lib;
        nph_diag_t diag;
        if (nph_host_load(host, argv[i], &lib, &diag) != NPH_OK) {
            fprintf(stderr, "nplug-c-host: refused [%s]: %s\n", nph_error_name(diag.code), diag.message);
            refused = 1;
            continue;
        }
        print_library(lib);
    }
    fflush(stdout);
    return refused ? EXIT_REFUSED : 0;
}

/* ---- run ------------------------------------------------------------------------------------------------- */
typedef struct stage_spec {
    char *library;
    char *plugin_id;
    const char *config;
} stage_spec_t;

/* <library>:<plugin-id>[:<config>]; modifies arg in place. */
static int parse_stage(char *arg, stage_spec_t *spec) {
    char *colon = strchr(arg, ':');
    if (!colon || colon == arg) return 0;
    *colon = 0;
    spec->library = arg;
    spec->plugin_id = colon + 1;
    char *second = strchr(spec->plugin_id, ':');
    spec->config = "";
    if (second) {
        *second = 0;
        spec->config = second + 1;
    }
    return spec->plugin_id[0] != 0;
}

static int write_records(void *context, const np_batch_t *records) {
    FILE *out = (FILE *)context;
    for (uint64_t i = 0; i < records->count; i++) {
        uint64_t begin = records->offsets[i], len = records->offsets[i + 1] - begin;
        if ((len && fwrite(records->data + begin, 1, (size_t)len, out) != len) || fputc('\n', out) == EOF) return 1;
    }
    return 0;
}

static void print_counts(nph_pipeline_t *pipeline, char **ids) {
    for (size_t i = 0; i < nph_pipeline_stage_count(pipeline); i++) {
        const nph_stage_counts_t *c = nph_pipeline_stage_counts(pipeline, i);
        fprintf(stderr,
                "nplug-c-host: stage %zu %s: in %llu records (%llu bytes), out %llu records (%llu bytes), "
                "%llu process + %llu flush calls",
                i + 1, ids[i], (unsigned long long)c->records_in, (unsigned long long)c->bytes_in,
                (unsigned long long)c->records_out, (unsigned long long)c->bytes_out,
                (unsigned long long)c->process_calls, (unsigned long long)c->flush_calls);
        np_transform_stats_t stats;
        int has = nph_instance_stats(nph_pipeline_stage(pipeline, i), &stats);
        if (has == 1)
            fprintf(stderr, "; plugin stats: in %llu/%llu B, out %llu/%llu B\n", (unsigned long long)stats.records_in,
                    (unsigned long long)stats.bytes_in, (unsigned long long)stats.records_out,
                    (unsigned long long)stats.bytes_out);
        else
            fprintf(stderr, has == 0 ? "; no plugin stats (ABI 1.0 plugin)\n" : "; plugin stats failed\n");
    }
}

static int run_stream(nph_pipeline_t *pipeline, uint64_t batch_records, uint64_t batch_bytes) {
    nph_emitter_t batch;
    nph_diag_t diag;
    if (nph_emitter_init(&batch, batch_bytes < 1u << 20 ? batch_bytes : 1u << 20, batch_records) != 0) {
        fprintf(stderr, "nplug-c-host: out of memory\n");
        return EXIT_RUN_FAILED;
    }
    char *line = NULL;
    size_t line_cap = 0;
    ssize_t n;
    int rc = 0;
    while ((n = getline(&line, &line_cap, stdin)) >= 0) {
        uint64_t len = (uint64_t)n;
        if (len && line[len - 1] == '\n') len--;
        if (nph_emitter_append(&batch, line, len) != NP_OK) {
            fprintf(stderr, "nplug-c-host: out of memory\n");
            rc = EXIT_RUN_FAILED;
            break;
        }
        if (batch.em.count >= batch_records || batch.em.data_used >= batch_bytes) {
            np_batch_t b = nph_emitter_batch(&batch);
            if (nph_pipeline_push(pipeline, &b, write_records, stdout, &diag) != NPH_OK) {
                rc = EXIT_RUN_FAILED;
                break;
            }
            nph_emitter_clear(&batch);
        }
    }
    if (rc == 0 && ferror(stdin)) {
        fprintf(stderr, "nplug-c-host: reading stdin failed: %s\n", strerror(errno));
        rc = EXIT_RUN_FAILED;
    } else if (rc == 0) {
        np_batch_t b = nph_emitter_batch(&batch);
        if ((b.count && nph_pipeline_push(pipeline, &b, write_records, stdout, &diag) != NPH_OK) ||
            nph_pipeline_finish(pipeline, write_records, stdout, &diag) != NPH_OK)
            rc = EXIT_RUN_FAILED;
    }
    if (rc == EXIT_RUN_FAILED && diag.code != NPH_OK)
        fprintf(stderr, "nplug-c-host: run failed [%s]: %s\n", nph_error_name(diag.code), diag.message);
    free(line);
    nph_emitter_free(&batch);
    if (fflush(stdout) != 0 && rc == 0) {
        fprintf(stderr, "nplug-c-host: writing stdout failed\n");
        rc = EXIT_RUN_FAILED;
    }
    return rc;
}

static int cmd_run(nph_host_t *host, int argc, char **argv, uint64_t batch_records, uint64_t batch_bytes, int quiet) {
    if (argc == 0) return usage_error("%s", "run needs at least one <library>:<plugin-id>[:<config>] stage");
    stage_spec_t *specs = (stage_spec_t *)calloc((size_t)argc, sizeof *specs);
    char **ids = (char **)calloc((size_t)argc, sizeof *ids);
    nph_pipeline_t *pipeline = nph_pipeline_create(host);
    int rc = 0;
    if (!specs || !ids || !pipeline) {
        fprintf(stderr, "nplug-c-host: out of memory\n");
        rc = EXIT_RUN_FAILED;
        goto done;
    }
    for (int i = 0; i < argc; i++) {
        if (!parse_stage(argv[i], &specs[i])) {
            rc = usage_error("stage '%s' is not <library>:<plugin-id>[:<config>]", argv[i]);
            goto done;
        }
        ids[i] = specs[i].plugin_id;
    }
    for (int i = 0; i < argc; i++) {
        nph_library_t *lib;
        nph_diag_t diag;
        if (nph_host_load(host, specs[i].library, &lib, &diag) != NPH_OK) {
            fprintf(stderr, "nplug-c-host: refused [%s]: %s\n", nph_error_name(diag.code), diag.message);
            rc = EXIT_REFUSED;
            goto done;
        }
        /* The plugin must come from the library named on its stage, not just from anything loaded. */
        uint32_t k = 0;
        while (k < nph_library_plugin_count(lib) &&
               !(nph_library_plugin(lib, k)->id.len == strlen(specs[i].plugin_id) &&
                 memcmp(nph_library_plugin(lib, k)->id.ptr, specs[i].plugin_id, strlen(specs[i].plugin_id)) == 0))
            k++;
        if (k == nph_library_plugin_count(lib)) {
            fprintf(stderr, "nplug-c-host: %s has no plugin '%s' (try: nplug-c-host list %s)\n", specs[i].library,
                    specs[i].plugin_id, specs[i].library);
            rc = EXIT_REFUSED;
            goto done;
        }
        nph_error_t e = nph_pipeline_add(pipeline, specs[i].plugin_id, specs[i].config, &diag);
        if (e != NPH_OK) {
            fprintf(stderr, "nplug-c-host: stage %d: [%s]: %s\n", i + 1, nph_error_name(diag.code), diag.message);
            rc = e == NPH_E_NOT_FOUND ? EXIT_REFUSED : EXIT_RUN_FAILED;
            goto done;
        }
    }
    rc = run_stream(pipeline, batch_records, batch_bytes);
    if (!quiet) print_counts(pipeline, ids);
done:
    nph_pipeline_destroy(pipeline);
    free(specs);
    free(ids);
    return rc;
}

int main(int argc, char **argv) {
    if (argc < 2) return usage_error("%s", "missing command");
    const char *command = argv[1];
    if (!strcmp(command, "--help") || !strcmp(command, "-h") || !strcmp(command, "help")) {
        fputs(usage_text, stdout);
        return 0;
    }
    if (!strcmp(command, "--version")) {
        printf("%s %s (ABI %u.%u)\n", NPH_HOST_NAME, NPH_HOST_VERSION, NP_ABI_MAJOR, NP_ABI_MINOR);
        return 0;
    }
    nph_host_options_t options;
    nph_host_options_init(&options);
    uint64_t batch_records = 1024, batch_bytes = 1u << 20;
    int quiet = 0, i = 2;
    for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
        const char *opt = argv[i];
        uint64_t v;
        if (!strcmp(opt, "--")) {
            i++;
            break;
        } else if (!strcmp(opt, "--quiet")) {
            quiet = 1;
        } else if (!strcmp(opt, "--verbose")) {
            options.min_log_level = NP_LOG_TRACE;
        } else if (!strcmp(opt, "--batch-records") || !strcmp(opt, "--batch-bytes") || !strcmp(opt, "--abi-minor")) {
            if (i + 1 >= argc) return usage_error("%s needs a value", opt);
            if (!parse_u64(argv[i + 1], !strcmp(opt, "--abi-minor") ? 0 : 1, &v))
                return usage_error("invalid number for %s", opt);
            if (!strcmp(opt, "--batch-records"))
                batch_records = v;
            else if (!strcmp(opt, "--batch-bytes"))
                batch_bytes = v;
            else
                options.abi_minor = v > NP_ABI_MINOR ? NP_ABI_MINOR : (uint32_t)v;
            i++;
        } else {
            return usage_error("unknown option %s", opt);
        }
    }
    nph_host_t *host = nph_host_create(&options);
    if (!host) {
        fprintf(stderr, "nplug-c-host: out of memory\n");
        return EXIT_RUN_FAILED;
    }
    int rc;
    if (!strcmp(command, "list"))
        rc = cmd_list(host, argc - i, argv + i);
    else if (!strcmp(command, "run"))
        rc = cmd_run(host, argc - i, argv + i, batch_records, batch_bytes, quiet);
    else
        rc = usage_error("unknown command '%s'", command);
    nph_host_destroy(host);
    return rc;
}
