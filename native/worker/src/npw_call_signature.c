/*
 * npw_call_signature.c - the signature description of a host's own interface (npw_protocol.h, NPW_OP_CALL_CREATE),
 * parsed into libffi call interfaces. `nplug bindgen` writes the description from the header; the worker needs no
 * code generated for the interface (the type-library approach: any interface restricted to these types is served).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "npw_call.h"

/* np_str_t and np_bytes_t by value: { const uint8_t *ptr; uint64_t len; } (16 bytes, two registers on x64/arm64). */
static ffi_type *npw_pair_elements[] = {&ffi_type_pointer, &ffi_type_uint64, NULL};
static ffi_type npw_pair_type = {0, 0, FFI_TYPE_STRUCT, npw_pair_elements};

static const struct {
    const char *code;
    npw_kind_t kind;
    ffi_type *type;
} npw_scalars[] = {
    {"i8", NPW_K_I8, &ffi_type_sint8},    {"u8", NPW_K_U8, &ffi_type_uint8},    {"i16", NPW_K_I16, &ffi_type_sint16},
    {"u16", NPW_K_U16, &ffi_type_uint16}, {"i32", NPW_K_I32, &ffi_type_sint32}, {"u32", NPW_K_U32, &ffi_type_uint32},
    {"i64", NPW_K_I64, &ffi_type_sint64}, {"u64", NPW_K_U64, &ffi_type_uint64},
};

static ffi_type *npw_scalar(const char *code, npw_kind_t *kind) {
    for (size_t i = 0; i < sizeof npw_scalars / sizeof npw_scalars[0]; i++)
        if (strcmp(code, npw_scalars[i].code) == 0) {
            *kind = npw_scalars[i].kind;
            return npw_scalars[i].type;
        }
    return NULL;
}

/* One line: "<name> <offset> <required> <return> <parameter>...". 0 on success, else writes why into why. */
static int npw_parse_line(char *line, npw_fn_t *fn, char *why, size_t why_cap) {
    char *save = NULL;
    char *name = strtok_r(line, " ", &save);
    char *offset = strtok_r(NULL, " ", &save);
    char *required = strtok_r(NULL, " ", &save);
    char *ret = strtok_r(NULL, " ", &save);
    if (!name || !offset || !required || !ret) {
        snprintf(why, why_cap, "a description line has fewer than 4 fields");
        return -1;
    }
    snprintf(fn->name, sizeof fn->name, "%s", name);
    char *end;
    unsigned long off = strtoul(offset, &end, 10);
    if (*end || off % sizeof(void *) != 0 || off > 65536) {
        snprintf(why, why_cap, "function %s: bad offset '%s'", name, offset);
        return -1;
    }
    fn->offset = (uint32_t)off;
    fn->required = strcmp(required, "1") == 0;
    if (strcmp(ret, "@create") == 0 || strcmp(ret, "@destroy") == 0) {
        fn->role = ret[1] == 'c' ? NPW_ROLE_CREATE : NPW_ROLE_DESTROY;
        return 0;
    }
    fn->role = NPW_ROLE_METHOD;
    ffi_type *rtype;
    if (strcmp(ret, "st") == 0) {
        fn->ret = NPW_K_STATUS;
        rtype = &ffi_type_sint32;
    } else if (strcmp(ret, "v") == 0) {
        fn->ret = NPW_K_VOID;
        rtype = &ffi_type_void;
    } else if (!(rtype = npw_scalar(ret, &fn->ret))) {
        snprintf(why, why_cap, "function %s: unknown return type '%s'", name, ret);
        return -1;
    }
    for (char *p; (p = strtok_r(NULL, " ", &save));) {
        if (fn->param_count == NPW_MAX_PARAMS) {
            snprintf(why, why_cap, "function %s: more than %u parameters", name, NPW_MAX_PARAMS);
            return -1;
        }
        npw_param_t *param = &fn->params[fn->param_count];
        ffi_type *t = &ffi_type_pointer;
        if (strcmp(p, "self") == 0)
            param->kind = NPW_K_SELF;
        else if (strcmp(p, "s") == 0 || strcmp(p, "b") == 0) {
            param->kind = NPW_K_PAIR;
            t = &npw_pair_type;
        } else if (strcmp(p, "o") == 0)
            param->kind = NPW_K_OUT_BYTES;
        else if (strcmp(p, "e") == 0)
            param->kind = NPW_K_ERROR;
        else if (p[0] == 'p' && npw_scalar(p + 1, &param->pointee))
            param->kind = NPW_K_OUT_SCALAR;
        else if (!(t = npw_scalar(p, &param->kind))) {
            snprintf(why, why_cap, "function %s: unknown parameter type '%s'", name, p);
            return -1;
        }
        fn->types[fn->param_count++] = t;
    }
    if (ffi_prep_cif(&fn->cif, FFI_DEFAULT_ABI, fn->param_count, rtype, fn->types) != FFI_OK) {
        snprintf(why, why_cap, "function %s: libffi cannot describe its signature", name);
        return -1;
    }
    return 0;
}

npw_fn_t *npw_signature_parse(const char *text, size_t len, uint32_t *count, char *why, size_t why_cap) {
    char *copy = (char *)malloc(len + 1);
    if (!copy) {
        snprintf(why, why_cap, "out of memory");
        return NULL;
    }
    memcpy(copy, text, len);
    copy[len] = 0;
    uint32_t lines = 0;
    for (size_t i = 0; i < len; i++) lines += copy[i] == '\n';
    lines += len > 0 && copy[len - 1] != '\n';
    npw_fn_t *fns = (npw_fn_t *)calloc(lines ? lines : 1, sizeof *fns);
    if (!fns) {
        free(copy);
        snprintf(why, why_cap, "out of memory");
        return NULL;
    }
    uint32_t n = 0;
    char *save = NULL;
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (n == lines || npw_parse_line(line, &fns[n], why, why_cap) != 0) {
            if (n == lines) snprintf(why, why_cap, "the description has more lines than it counts");
            free(fns);
            free(copy);
            return NULL;
        }
        n++;
    }
    free(copy);
    *count = n;
    return fns;
}
