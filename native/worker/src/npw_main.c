/*
 * npw_main.c - nplug-worker: serves one plugin library to a host in another process (process isolation).
 *
 *   nplug-worker --serve [--parent PID] [--as-bytes N] [--cpu-seconds N] [--open-files N] [--spin-ns N]
 *                        [--restricted]
 *   nplug-worker --layout      the npw_control_t layout as JSON (the host's tests compare it with theirs)
 *   nplug-worker --wake-rule E M A B AVG TOOK   the wake-up rule's spin budget and average (the host's test)
 *   nplug-worker --version
 *
 * Started by the host with the channels of npw_protocol.h on descriptors 3..7. It loads the library with
 * np_c_host (the same dlopen, negotiation, validation and init as the C host: no second validator), creates
 * np.transform/1 instances and runs their calls. The host services a plugin calls (log, alloc, reserve) are
 * served here, in this process. Whatever the plugin does to this process (a crash, an abort, exit, a hang) ends
 * here; the host sees the worker die or miss its deadline.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "npw_call.h"
#include "npw_worker.h"

_Static_assert(sizeof(npw_control_t) <= NPW_CONTROL_BYTES, "npw_control_t must fit the control memfd");

static const char usage_text[] =
    "usage: nplug-worker --serve [--parent PID] [--as-bytes N] [--cpu-seconds N] [--open-files N] [--spin-ns N]\n"
    "                           [--restricted]\n"
    "       nplug-worker --layout | --version\n"
    "Started by a NativePlugins host (PluginHostOptions.Isolation); not meant to be run by hand.\n";

/* ---- plugin log lines: to stderr, which the host reads ---------------------------------------------------- */
static void npw_log(void *context, int32_t level, const char *scope, np_str_t message) {
    /* Tells the host to read stderr after this request (it skips that read otherwise: a system call per call). */
    __atomic_store_n(&((npw_worker_t *)context)->control->log_written, 1u, __ATOMIC_RELAXED);
    /* One line whatever the plugin wrote: the host shows it as one line again, but a newline here would split
     * the record of this protocol. */
    char line[4096];
    size_t n = 0;
    for (uint64_t i = 0; i < message.len && n + 4 < sizeof line; i++) {
        uint8_t c = message.ptr[i];
        if (c == '\n' || c == '\r' || c == 0x1e) {
            line[n++] = '\\';
            line[n++] = c == '\n' ? 'n' : c == '\r' ? 'r' : 'x';
        } else {
            line[n++] = (char)c;
        }
    }
    fprintf(stderr, NPW_LOG_PREFIX "%d\t%s\t%.*s\n", (int)level, scope ? scope : "", (int)n, line);
}

/* ---- replies ------------------------------------------------------------------------------------------------ */
void npw_reply_ok(npw_control_t *c) {
    c->result = NPW_R_OK;
    c->status = 0;
    c->nph_error = 0;
    c->detail_code = 0;
    c->plugin_text_at = 0;
    c->message_len = 0;
}

void npw_reply_diag(npw_control_t *c, const nph_diag_t *diag) {
    c->result = NPW_R_FAILED;
    c->status = diag->status;
    c->nph_error = (int32_t)diag->code;
    c->detail_code = diag->detail_code;
    size_t n = strlen(diag->message);
    if (n >= NPW_MESSAGE_MAX) n = NPW_MESSAGE_MAX - 1;
    memcpy(c->message, diag->message, n);
    c->message[n] = 0;
    c->message_len = (uint32_t)n;
    c->plugin_text_at = diag->plugin_text_at < n ? diag->plugin_text_at : 0;
}

void npw_reply_bad(npw_control_t *c, const char *what) {
    npw_reply_ok(c);
    c->result = NPW_R_BAD_REQUEST;
    int n = snprintf(c->message, NPW_MESSAGE_MAX, "nplug-worker: %s", what);
    c->message_len = n < 0 ? 0 : (uint32_t)n;
}

nph_instance_t *npw_instance(npw_worker_t *w, uint32_t id) {
    return id >= 1 && id <= w->instance_count ? w->instances[id - 1] : NULL;
}

/* ---- the operations ----------------------------------------------------------------------------------------- */
static void npw_load(npw_worker_t *w) {
    npw_control_t *c = w->control;
    if (w->library) {
        npw_reply_bad(c, "a library is already loaded");
        return;
    }
    if (c->arg_len == 0 || c->arg_len > w->input.size || c->arg_len > 4096) {
        npw_reply_bad(c, "bad path");
        return;
    }
    char path[4097];
    memcpy(path, w->input.base, (size_t)c->arg_len);
    path[c->arg_len] = 0;
    nph_host_options_t options;
    nph_host_options_init(&options);
    options.log = npw_log;
    options.log_context = w;
    options.min_log_level = NP_LOG_TRACE;
    options.abi_minor = (uint32_t)c->request_value;
    w->host = nph_host_create(&options);
    if (!w->host) {
        npw_reply_bad(c, "out of memory");
        return;
    }
    nph_diag_t diag;
    if (nph_host_load(w->host, path, &w->library, &diag) != NPH_OK) {
        npw_reply_diag(c, &diag);
        return;
    }
    if (npw_info_write(w, w->library) != 0) {
        npw_reply_bad(c, "out of memory writing the library info");
        return;
    }
    npw_reply_ok(c);
    npw_output_publish(w);
}

static void npw_create(npw_worker_t *w) {
    npw_control_t *c = w->control;
    if (!w->library) {
        npw_reply_bad(c, "no library is loaded");
        return;
    }
    if (c->arg_len > w->input.size) {
        npw_reply_bad(c, "bad argument");
        return;
    }
    /* id NUL config: copied into a string of its own, since nph_instance_create wants NUL-terminated text. */
    char *arg = (char *)malloc((size_t)c->arg_len + 1);
    if (!arg) {
        npw_reply_bad(c, "out of memory");
        return;
    }
    memcpy(arg, w->input.base, (size_t)c->arg_len);
    arg[c->arg_len] = 0;
    size_t id_len = strlen(arg);
    const char *config = id_len < c->arg_len ? arg + id_len + 1 : "";
    nph_diag_t diag;
    nph_transform_t transform;
    nph_instance_t *instance = NULL;
    if (nph_host_find_transform(w->host, arg, &transform, &diag) != NPH_OK ||
        nph_instance_create(w->host, &transform, config, &instance, &diag) != NPH_OK) {
        free(arg);
        {
            npw_reply_diag(c, &diag);
            return;
        }
    }
    free(arg);
    if (w->instance_count == w->instance_cap) {
        uint32_t cap = w->instance_cap ? w->instance_cap * 2 : 8;
        nph_instance_t **grown = (nph_instance_t **)realloc(w->instances, cap * sizeof *grown);
        if (!grown) {
            nph_instance_destroy(instance);
            {
                npw_reply_bad(c, "out of memory");
                return;
            }
        }
        w->instances = grown;
        w->instance_cap = cap;
    }
    w->instances[w->instance_count++] = instance;
    npw_reply_ok(c);
    c->value = w->instance_count;
}

const char *npw_input_batch(npw_worker_t *w, np_batch_t *batch) {
    npw_control_t *c = w->control;
    if (c->input_offsets_region != 0 || c->input_data_region != 0) return npw_region_input(w, batch);
    if (npw_channel_sync_input(w) != 0) return "cannot map the input";
    uint64_t offsets_end = c->input_offsets_at + (c->input_count + 1) * sizeof(uint64_t);
    if (c->input_count >= w->input.size || offsets_end > w->input.size || c->input_data_at > w->input.size)
        return "the input batch lies outside the input memfd";
    batch->offsets = (const uint64_t *)(const void *)(w->input.base + c->input_offsets_at);
    batch->count = c->input_count;
    batch->data = w->input.base + c->input_data_at;
    if (batch->offsets[batch->count] > w->input.size - c->input_data_at)
        return "the input records lie outside the input memfd";
    return NULL;
}

static void npw_call(npw_worker_t *w, int flush) {
    npw_control_t *c = w->control;
    nph_instance_t *instance = npw_instance(w, c->instance);
    if (!instance) {
        npw_reply_bad(c, "no such instance");
        return;
    }
    const char *bad;
    nph_emitter_t *out = npw_output_target(w, &bad);
    if (!out) {
        npw_reply_bad(c, bad);
        return;
    }
    nph_diag_t diag;
    nph_error_t e;
    if (flush) {
        e = nph_instance_flush(instance, out, &diag);
    } else {
        np_batch_t batch;
        bad = npw_input_batch(w, &batch);
        if (bad) {
            npw_reply_bad(c, bad);
            return;
        }
        e = nph_instance_process(instance, &batch, out, &diag);
    }
    if (e != NPH_OK) {
        npw_output_target_discard(w, out); /* a failed call's output is discarded, as the in-process host does */
        npw_reply_diag(c, &diag);
    } else {
        npw_reply_ok(c);
    }
    npw_output_target_publish(w, out);
}

static void npw_stats(npw_worker_t *w) {
    npw_control_t *c = w->control;
    nph_instance_t *instance = npw_instance(w, c->instance);
    if (!instance) {
        npw_reply_bad(c, "no such instance");
        return;
    }
    np_transform_stats_t s;
    int r = nph_instance_stats(instance, &s);
    if (r < 0) {
        npw_reply_bad(c, "stats returned a failing status");
        c->result = NPW_R_FAILED;
        c->status = NP_ERR_PLUGIN;
        return;
    }
    npw_reply_ok(c);
    c->value = (uint64_t)r;
    if (r == 1) {
        c->stats[0] = s.records_in;
        c->stats[1] = s.records_out;
        c->stats[2] = s.bytes_in;
        c->stats[3] = s.bytes_out;
    }
}

static void npw_destroy(npw_worker_t *w) {
    npw_control_t *c = w->control;
    nph_instance_t *instance = npw_instance(w, c->instance);
    if (!instance) {
        npw_reply_bad(c, "no such instance");
        return;
    }
    nph_instance_destroy(instance);
    w->instances[c->instance - 1] = NULL;
    npw_reply_ok(c);
}

static void npw_shutdown(npw_worker_t *w) {
    npw_call_shutdown(w);
    for (uint32_t i = 0; i < w->instance_count; i++)
        if (w->instances[i]) nph_instance_destroy(w->instances[i]);
    w->instance_count = 0;
    if (w->host) nph_host_destroy(w->host); /* deinit + dlclose */
    w->host = NULL;
    w->library = NULL;
    npw_regions_free(w);
}

/* ---- the process ------------------------------------------------------------------------------------------ */
static int npw_parse_u64(const char *s, uint64_t *out) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-') return 0;
    *out = (uint64_t)v;
    return 1;
}

/* For CPU time the hard limit is one second later: at the soft limit the kernel sends SIGXCPU, which names the
 * cause; at a hard limit equal to it, only SIGKILL. */
static int npw_limit(int resource, uint64_t value) {
    struct rlimit r;
    r.rlim_cur = (rlim_t)value;
    r.rlim_max = (rlim_t)(resource == RLIMIT_CPU ? value + 1 : value);
    return setrlimit(resource, &r);
}

/* The host may have blocked or ignored signals in the thread that started us; a plugin's crash must end this
 * process with the signal's own disposition, and SIGPIPE must not be ignored behind the plugin's back. */
static void npw_reset_signals(void) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    for (int s = 1; s < NSIG; s++)
        if (s != SIGKILL && s != SIGSTOP) signal(s, SIG_DFL);
}

static void npw_print_layout(void) {
    printf("{\"version\": %u, \"size\": %zu, \"fields\": {", NPW_PROTOCOL_VERSION, sizeof(npw_control_t));
    const char *sep = "";
#define NPW_FIELD_JSON(name)                                                                                           \
    printf("%s\"%s\": [%zu, %zu]", sep, #name, offsetof(npw_control_t, name), sizeof(((npw_control_t *)0)->name));     \
    sep = ", ";
    NPW_CONTROL_FIELDS(NPW_FIELD_JSON)
#undef NPW_FIELD_JSON
    printf("}}\n");
}

static int npw_serve(uint64_t spin_max_ns) {
    npw_worker_t w;
    memset(&w, 0, sizeof w);
    w.spin_max_ns = spin_max_ns;
    int e = npw_channel_open(&w);
    if (e != NPW_EXIT_OK) return e;
    for (;;) {
        if (npw_wait_request(&w) != 0) return NPW_EXIT_CHANNEL;
        npw_control_t *c = w.control;
        int exiting = 0;
        const char *regions = c->region_messages ? npw_regions_receive(&w) : NULL;
        if (regions) {
            /* The socket's order is lost with a message: nothing after it can be trusted any more. */
            fprintf(stderr, "nplug-worker: %s\n", regions);
            return NPW_EXIT_CHANNEL;
        }
        switch ((npw_op_t)c->op) {
        case NPW_OP_LOAD: npw_load(&w); break;
        case NPW_OP_CREATE: npw_create(&w); break;
        case NPW_OP_PROCESS: npw_call(&w, 0); break;
        case NPW_OP_FLUSH: npw_call(&w, 1); break;
        case NPW_OP_STATS: npw_stats(&w); break;
        case NPW_OP_DESTROY: npw_destroy(&w); break;
        case NPW_OP_PING: npw_reply_ok(c); break;
        case NPW_OP_PROCESS_CHAIN: npw_chain(&w, 0); break;
        case NPW_OP_FLUSH_CHAIN: npw_chain(&w, 1); break;
        case NPW_OP_SAVE_STATE: npw_save_state(&w); break;
        case NPW_OP_RESTORE_STATE: npw_restore_state(&w); break;
        case NPW_OP_EXIT:
            npw_shutdown(&w);
            npw_reply_ok(c);
            exiting = 1;
            break;
        default:
            if (!npw_call_serve(&w)) npw_reply_bad(c, "unknown operation");
            break;
        }
        c->served++;
        fflush(stderr);
        npw_publish_reply(&w);
        if (exiting) return NPW_EXIT_OK;
    }
}

int main(int argc, char **argv) {
    if (argc == 2 && strcmp(argv[1], "--layout") == 0) {
        npw_print_layout();
        return NPW_EXIT_OK;
    }
    if (argc == 8 && strcmp(argv[1], "--wake-rule") == 0) {
        /* The wake-up rule on given inputs, for the host's test that its copy (AdaptiveSpin.cs) decides the same:
         * --wake-rule EXPECT_NS MAX_NS MY_CPU OTHER_CPU AVERAGE_NS TOOK_NS -> "<budget> <new average>" */
        uint64_t v[6];
        for (int i = 0; i < 6; i++)
            if (!npw_parse_u64(argv[i + 2], &v[i])) return NPW_EXIT_USAGE;
        printf("%llu %llu\n", (unsigned long long)npw_spin_budget(v[0], v[1], (uint32_t)v[2], (uint32_t)v[3]),
               (unsigned long long)npw_spin_average(v[4], v[5]));
        return NPW_EXIT_OK;
    }
    if (argc == 2 && strcmp(argv[1], "--version") == 0) {
        printf("nplug-worker protocol %u (C ABI %u.%u)\n", NPW_PROTOCOL_VERSION, NP_ABI_MAJOR, NP_ABI_MINOR);
        return NPW_EXIT_OK;
    }
    if (argc < 2 || strcmp(argv[1], "--serve") != 0) {
        fputs(usage_text, stderr);
        return NPW_EXIT_USAGE;
    }
    uint64_t parent = 0, as_bytes = 0, cpu_seconds = 0, open_files = 0, spin_ns = NPW_SPIN_MAX_DEFAULT_NS;
    int restricted = 0;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--restricted") == 0) {
            restricted = 1;
            continue;
        }
        uint64_t *target = strcmp(argv[i], "--parent") == 0        ? &parent
                           : strcmp(argv[i], "--as-bytes") == 0    ? &as_bytes
                           : strcmp(argv[i], "--cpu-seconds") == 0 ? &cpu_seconds
                           : strcmp(argv[i], "--open-files") == 0  ? &open_files
                           : strcmp(argv[i], "--spin-ns") == 0     ? &spin_ns
                                                                   : NULL;
        if (!target || i + 1 >= argc || !npw_parse_u64(argv[i + 1], target)) {
            fprintf(stderr, "nplug-worker: bad argument '%s'\n%s", argv[i], usage_text);
            return NPW_EXIT_USAGE;
        }
        i++;
    }
    /* Die with the host: the kernel sends SIGKILL when the thread that started us ends (the host starts workers
     * from one long-lived thread). If the host was already gone before this took effect, stop now. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (parent && (uint64_t)getppid() != parent) return NPW_EXIT_ORPHAN;
    npw_reset_signals();
    if ((as_bytes && npw_limit(RLIMIT_AS, as_bytes) != 0) || (cpu_seconds && npw_limit(RLIMIT_CPU, cpu_seconds) != 0) ||
        (open_files && npw_limit(RLIMIT_NOFILE, open_files) != 0)) {
        fprintf(stderr, "nplug-worker: setrlimit failed: %s\n", strerror(errno));
        return NPW_EXIT_USAGE;
    }
    if (restricted && npw_restrict() != 0) {
        fprintf(stderr, "nplug-worker: restricted mode (no_new_privs + seccomp) failed: %s\n", strerror(errno));
        return NPW_EXIT_USAGE;
    }
    return npw_serve(spin_ns);
}
