/*
 * np_hosted_shim.c - the native face of a hosted C# plugin (what DNNE does, for np_entry only).
 *
 * A hosted C# plugin is a normal .NET class library. This shim is copied next to it under the plugin's name and
 * exports the one ABI symbol, np_entry. On the first call it finds its managed payload, starts CoreCLR through
 * hostfxr (or joins the CoreCLR already running in a .NET host), loads the plugin assembly and forwards every
 * np_entry call to the assembly's generated [UnmanagedCallersOnly] entry. Everything after np_entry (the
 * descriptors and vtables) points straight into managed code: the shim is not on any later call path.
 *
 * Layout convention (what the SDK's build produces; see native/hosted-shim/README.md):
 *
 *     <dir>/lib<name>.so                        this shim, renamed
 *     <dir>/<name>.managed/<name>.dll           the plugin assembly (AssemblyName == <name>)
 *     <dir>/<name>.managed/<name>.runtimeconfig.json
 *     <dir>/<name>.managed/<name>.deps.json     and the assembly's dependencies
 *
 * Failures (no .NET runtime, no compatible framework, a missing assembly, a broken runtimeconfig, an assembly
 * that is not a plugin) never abort the process: np_entry writes library_abi_major/minor (rule P1), returns
 * NP_ERR_UNSUPPORTED and writes the reason into the host's error buffer (np_negotiation_t.error, ABI 1.2), so the
 * host shows it in its own error. Only a host whose struct has no such field (a 1.0/1.1 host) or that passes no
 * buffer gets the reason on stderr instead, as one line naming the file. The outcome of the first call is kept:
 * later calls give the same answer without retrying (rule P3).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <coreclr_delegates.h>
#include <hostfxr.h>
#include <nethost.h>

#include <nplug/nplug.h>

#include "np_cs_leaf.h"

/* The generated class and method every SDK-built plugin assembly contains (NativePlugins.PluginSdk.Generators). */
#define NP_CS_EXPORTS_TYPE "NativePlugins.PluginSdk.Generated.NplugExports"
#define NP_CS_HOSTED_ENTRY "NpEntryHosted"

typedef np_status(NP_CDECL *np_cs_hosted_entry_fn)(np_negotiation_t *negotiation, const np_library_t **out_library,
                                                   const np_cs_shim_services_t *services);

/* ---- boot state: written once under pthread_once, read-only afterwards ---------------------------------------- */
static pthread_once_t g_boot_once = PTHREAD_ONCE_INIT;
static np_cs_hosted_entry_fn g_entry; /* non-NULL when the boot succeeded */
static char g_library_path[PATH_MAX]; /* this shim's file, for messages */
static char g_error[4096];            /* why the boot failed */
static size_t g_error_len;
static char g_fxr_detail[2048]; /* what hostfxr said while it initialized (its error writer) */
static size_t g_fxr_detail_len;

static const np_cs_shim_services_t g_services = {
    sizeof(np_cs_shim_services_t),
    NP_CS_SHIM_SERVICES_VERSION,
    &np_cs_leaf_stats,
};

/* Append formatted text to a fixed buffer (truncating, never overflowing, always NUL-terminated). */
static void buffer_append(char *buffer, size_t size, size_t *len, const char *format, va_list args) {
    if (*len >= size - 1) return;
    int n = vsnprintf(buffer + *len, size - *len, format, args);
    if (n < 0) return;
    *len += (size_t)n;
    if (*len > size - 1) *len = size - 1;
}

static void error_append(const char *format, ...) {
    va_list args;
    va_start(args, format);
    buffer_append(g_error, sizeof g_error, &g_error_len, format, args);
    va_end(args);
}

static void detail_append(const char *format, ...) {
    va_list args;
    va_start(args, format);
    buffer_append(g_fxr_detail, sizeof g_fxr_detail, &g_fxr_detail_len, format, args);
    va_end(args);
}

/* hostfxr reports details (which framework is missing, which JSON is malformed) through an error writer, one
 * line per call; the registration is per thread and only lasts for the boot. */
static void HOSTFXR_CALLTYPE capture_hostfxr_error(const char_t *message) {
    /* Fold hostfxr's multi-line text into one line: whitespace runs become one space, blank lines vanish. */
    char line[1024];
    size_t n = 0;
    for (const char *p = message; *p != '\0' && n < sizeof line - 1; p++) {
        char c = (*p == '\n' || *p == '\r' || *p == '\t') ? ' ' : *p;
        if (c == ' ' && (n == 0 || line[n - 1] == ' ')) continue;
        line[n++] = c;
    }
    while (n > 0 && line[n - 1] == ' ') n--;
    line[n] = '\0';
    if (n == 0) return;
    detail_append(g_fxr_detail_len > 0 ? " | %s" : "%s", line);
}

/* The hostfxr status codes a user can meet here, named (from the runtime's docs/design/features/host-error-codes.md). */
static const char *hostfxr_status_name(int32_t status) {
    switch ((uint32_t)status) {
    case 0x80008081u: return "InvalidArgFailure";
    case 0x80008082u: return "CoreHostLibLoadFailure";
    case 0x80008083u: return "CoreHostLibMissingFailure";
    case 0x80008087u: return "CoreClrResolveFailure";
    case 0x80008088u: return "CoreClrBindFailure";
    case 0x80008089u: return "CoreClrInitFailure";
    case 0x8000808bu: return "ResolverInitFailure";
    case 0x8000808cu: return "ResolverResolveFailure";
    case 0x80008093u: return "InvalidConfigFile";
    case 0x80008096u: return "FrameworkMissingFailure";
    case 0x80008097u: return "HostApiFailed";
    case 0x8000809cu: return "FrameworkCompatFailure";
    case 0x800080a3u: return "HostInvalidState";
    case 0x800080a5u: return "HostIncompatibleConfig";
    case 0x800080a6u: return "HostApiUnsupportedScenario";
    case 0x80070002u: return "FileNotFound";
    case 0x80131522u: return "TypeLoadException";
    case 0x80131513u: return "MissingMethodException";
    case 0x80131047u: return "FileLoadException";
    case 0x8007000bu: return "BadImageFormatException";
    case 0x80131509u: return "InvalidOperationException";
    default: return "unknown status";
    }
}

static int file_exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Where this shim lives and what it is called: directory and the plugin name (file name without "lib" and ".so"). */
static int locate_self(char *dir, size_t dir_size, char *name, size_t name_size) {
    Dl_info info;
    /* Any address inside the shim's image will do: a data one, as ISO C has no function-to-object pointer cast. */
    if (dladdr(g_library_path, &info) == 0 || info.dli_fname == NULL) {
        error_append("cannot find the shim's own file (dladdr failed)");
        return 0;
    }
    if (realpath(info.dli_fname, g_library_path) == NULL) {
        snprintf(g_library_path, sizeof g_library_path, "%s", info.dli_fname);
    }
    const char *slash = strrchr(g_library_path, '/');
    const char *base = slash ? slash + 1 : g_library_path;
    size_t dir_len = slash ? (size_t)(slash - g_library_path) : 0;
    if (dir_len == 0 && slash) dir_len = 1; /* the file is in "/" */
    if (dir_len >= dir_size) {
        error_append("path too long");
        return 0;
    }
    memcpy(dir, slash ? g_library_path : ".", slash ? dir_len : 1);
    dir[slash ? dir_len : 1] = '\0';

    size_t base_len = strlen(base);
    if (strncmp(base, "lib", 3) == 0 && base_len > 3) {
        base += 3;
        base_len -= 3;
    }
    const char *dot = strstr(base, ".so");
    if (dot) base_len = (size_t)(dot - base);
    if (base_len == 0 || base_len >= name_size) {
        error_append("cannot derive a plugin name from the file name");
        return 0;
    }
    memcpy(name, base, base_len);
    name[base_len] = '\0';
    return 1;
}

/* Find and open hostfxr: the one already in the process (a .NET host), else the one nethost resolves for the
 * plugin assembly (DOTNET_ROOT, the app-local install, then the global install). */
static void *open_hostfxr(const char *assembly_path) {
    void *lib = dlopen("libhostfxr.so", RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD);
    if (lib != NULL) return lib;

    char path[PATH_MAX];
    size_t size = sizeof path / sizeof path[0];
    struct get_hostfxr_parameters params = {sizeof params, assembly_path, NULL};
    int rc = get_hostfxr_path(path, &size, &params);
    if (rc != 0) {
        error_append("no .NET runtime found (get_hostfxr_path: 0x%08x %s); install the .NET runtime or set DOTNET_ROOT",
                     (uint32_t)rc, hostfxr_status_name(rc));
        return NULL;
    }
    lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) error_append("cannot load hostfxr '%s': %s", path, dlerror());
    return lib;
}

/* Start (or join) the runtime with the plugin's runtimeconfig and load its generated hosted entry. */
static np_cs_hosted_entry_fn start_and_load(hostfxr_initialize_for_runtime_config_fn init_fn,
                                            hostfxr_get_runtime_delegate_fn get_delegate_fn, hostfxr_close_fn close_fn,
                                            const char *runtimeconfig, const char *assembly, const char *type_name) {
    /* 0: this call booted the runtime (a C host); 1: a compatible runtime is already running (a .NET host, or
     * an earlier hosted plugin); 2: the same, with different runtime properties - also fine for a plugin. */
    hostfxr_handle context = NULL;
    int32_t rc = init_fn(runtimeconfig, NULL, &context);
    if (rc < 0 || rc > 2) {
        error_append("cannot start the .NET runtime for '%s' (hostfxr_initialize_for_runtime_config: 0x%08x %s)%s%s",
                     runtimeconfig, (uint32_t)rc, hostfxr_status_name(rc), g_fxr_detail_len ? ": " : "", g_fxr_detail);
        if (context != NULL) close_fn(context);
        return NULL;
    }

    load_assembly_and_get_function_pointer_fn load_fn = NULL;
    rc = get_delegate_fn(context, hdt_load_assembly_and_get_function_pointer, (void **)&load_fn);
    close_fn(context);
    if (rc != 0 || load_fn == NULL) {
        error_append("cannot get the runtime's assembly loader (hostfxr_get_runtime_delegate: 0x%08x %s)%s%s",
                     (uint32_t)rc, hostfxr_status_name(rc), g_fxr_detail_len ? ": " : "", g_fxr_detail);
        return NULL;
    }

    np_cs_hosted_entry_fn entry = NULL;
    rc = load_fn(assembly, type_name, NP_CS_HOSTED_ENTRY, UNMANAGEDCALLERSONLY_METHOD, NULL, (void **)&entry);
    if (rc != 0 || entry == NULL) {
        error_append("cannot load %s.%s from '%s' (0x%08x %s)%s%s; is it a C# plugin built by the NativePlugins SDK?",
                     NP_CS_EXPORTS_TYPE, NP_CS_HOSTED_ENTRY, assembly, (uint32_t)rc, hostfxr_status_name(rc),
                     g_fxr_detail_len ? ": " : "", g_fxr_detail);
        return NULL;
    }
    return entry;
}

/* The whole boot; runs once. On failure g_entry stays NULL and g_error says why. */
static void boot(void) {
    char dir[PATH_MAX], name[256], managed_dir[PATH_MAX], assembly[PATH_MAX], runtimeconfig[PATH_MAX];
    char type_name[512];
    if (!locate_self(dir, sizeof dir, name, sizeof name)) return;

    if (snprintf(managed_dir, sizeof managed_dir, "%s/%s.managed", dir, name) >= (int)sizeof managed_dir ||
        snprintf(assembly, sizeof assembly, "%s/%s.dll", managed_dir, name) >= (int)sizeof assembly ||
        snprintf(runtimeconfig, sizeof runtimeconfig, "%s/%s.runtimeconfig.json", managed_dir, name) >=
            (int)sizeof runtimeconfig ||
        snprintf(type_name, sizeof type_name, "%s, %s", NP_CS_EXPORTS_TYPE, name) >= (int)sizeof type_name) {
        error_append("path too long");
        return;
    }
    if (!file_exists(assembly)) {
        error_append("the managed plugin assembly '%s' is missing (a hosted C# plugin lib%s.so needs "
                     "%s.managed/%s.dll and %s.runtimeconfig.json next to it)",
                     assembly, name, name, name, name);
        return;
    }
    if (!file_exists(runtimeconfig)) {
        error_append("the runtime config '%s' is missing (build the plugin with NplugPluginMode=Hosted)",
                     runtimeconfig);
        return;
    }

    void *fxr = open_hostfxr(assembly);
    if (fxr == NULL) return;
    /* Object pointer to function pointer through the POSIX dlsym idiom (ISO C has no such cast). */
    hostfxr_initialize_for_runtime_config_fn init_fn;
    hostfxr_get_runtime_delegate_fn get_delegate_fn;
    hostfxr_close_fn close_fn;
    hostfxr_set_error_writer_fn set_writer_fn;
    *(void **)&init_fn = dlsym(fxr, "hostfxr_initialize_for_runtime_config");
    *(void **)&get_delegate_fn = dlsym(fxr, "hostfxr_get_runtime_delegate");
    *(void **)&close_fn = dlsym(fxr, "hostfxr_close");
    *(void **)&set_writer_fn = dlsym(fxr, "hostfxr_set_error_writer");
    if (!init_fn || !get_delegate_fn || !close_fn || !set_writer_fn) {
        error_append(
            "the hostfxr found is too old (no hostfxr_initialize_for_runtime_config); .NET 6 or later is needed");
        return;
    }

    /* hostfxr and hostpolicy explain failures through the error writer: capture it for the whole start. */
    hostfxr_error_writer_fn previous_writer = set_writer_fn(capture_hostfxr_error);
    g_entry = start_and_load(init_fn, get_delegate_fn, close_fn, runtimeconfig, assembly, type_name);
    set_writer_fn(previous_writer);
}

/* The host's buffer for why np_entry failed (ABI 1.2), when its struct_size covers that field; else NULL (a 1.0/1.1
 * host's struct ends before it, and what lies there is not the host's buffer). */
static np_error_t *negotiation_error(const np_negotiation_t *negotiation) {
    return negotiation != NULL && NP_HAS_FIELD(negotiation, np_negotiation_t, error) ? negotiation->error : NULL;
}

/* Writes "nplug hosted shim: REASON" into the host's buffer (rule P5: never past capacity, cut before a UTF-8
 * character that does not fit whole). Returns 0 when the host gave no usable buffer. */
static int write_reason(np_error_t *error, const char *reason) {
    if (error == NULL || error->message == NULL || error->capacity == 0) return 0;
    char text[sizeof g_error + 32];
    int n = snprintf(text, sizeof text, "nplug hosted shim: %s", reason);
    size_t len = n < 0 ? 0 : (size_t)n < sizeof text ? (size_t)n : sizeof text - 1;
    if (len > error->capacity) {
        len = (size_t)error->capacity;
        while (len > 0 && ((unsigned char)text[len] & 0xC0u) == 0x80u) len--; /* text[len] continues a character */
    }
    memcpy(error->message, text, len);
    error->len = len;
    error->code = 0;
    return 1;
}

NP_EXTERN_C NP_EXPORT np_status NP_CDECL np_entry(np_negotiation_t *negotiation, const np_library_t **out_library) {
    pthread_once(&g_boot_once, boot);
    if (g_entry != NULL) return g_entry(negotiation, out_library, &g_services);

    /* Rule P1: the versions are written on every path, also on a refusal. */
    if (negotiation != NULL && NP_HAS_FIELD(negotiation, np_negotiation_t, library_abi_minor)) {
        negotiation->library_abi_major = NP_ABI_MAJOR;
        negotiation->library_abi_minor = NP_ABI_MINOR;
    }
    if (out_library != NULL) *out_library = NULL;
    const char *reason = g_error_len ? g_error : "the managed plugin could not be started";
    if (!write_reason(negotiation_error(negotiation), reason)) {
        /* A host without the error field never sees the text otherwise. */
        fprintf(stderr, "nplug hosted shim: %s: %s\n", g_library_path[0] ? g_library_path : "(unknown file)", reason);
        fflush(stderr);
    }
    return NP_ERR_UNSUPPORTED;
}
