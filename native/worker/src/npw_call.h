/*
 * npw_call.h - instances of a host's own interfaces in the worker (NPW_OP_CALL_*, npw_protocol.h): the parsed
 * signature description (npw_call_signature.c) and the generic stub that calls the plugin's vtable through it
 * (npw_call.c). Single-threaded, like the rest of the worker.
 */
#ifndef NPW_CALL_H
#define NPW_CALL_H

#include <ffi.h>

#include "npw_worker.h"

#define NPW_MAX_PARAMS 16u

typedef enum npw_kind {
    NPW_K_VOID,
    NPW_K_STATUS,
    NPW_K_I8,
    NPW_K_U8,
    NPW_K_I16,
    NPW_K_U16,
    NPW_K_I32,
    NPW_K_U32,
    NPW_K_I64,
    NPW_K_U64,
    NPW_K_SELF,       /* the instance pointer */
    NPW_K_PAIR,       /* np_str_t / np_bytes_t by value: two input slots (offset, length) */
    NPW_K_OUT_BYTES,  /* np_out_bytes_t *: over the output memfd */
    NPW_K_OUT_SCALAR, /* an out_* integer pointer (pointee says which integer) */
    NPW_K_ERROR       /* np_error_t * */
} npw_kind_t;

typedef enum npw_role { NPW_ROLE_METHOD, NPW_ROLE_CREATE, NPW_ROLE_DESTROY } npw_role_t;

typedef struct npw_param {
    npw_kind_t kind;
    npw_kind_t pointee; /* NPW_K_OUT_SCALAR */
} npw_param_t;

/* One function of the description, with the plugin's pointer once an instance is created (NULL: not provided). */
typedef struct npw_fn {
    char name[64];
    uint32_t offset;
    int required;
    npw_role_t role;
    npw_kind_t ret;
    uint32_t param_count;
    npw_param_t params[NPW_MAX_PARAMS];
    ffi_type *types[NPW_MAX_PARAMS];
    ffi_cif cif;
    void (*ptr)(void); /* the plugin's function, any signature (cast to the real one to call it) */
} npw_fn_t;

/* Parse a description (npw_protocol.h) of len bytes; returns calloc'ed functions (free()), *count of them, or NULL
 * with the reason in why. */
npw_fn_t *npw_signature_parse(const char *text, size_t len, uint32_t *count, char *why, size_t why_cap);

/* Serve the request in w->control if it is an NPW_OP_CALL_* one (a reply is then written): 1, else 0. */
int npw_call_serve(npw_worker_t *w);
/* EXIT: destroy every call instance (before the library is unloaded). */
void npw_call_shutdown(npw_worker_t *w);

#endif /* NPW_CALL_H */
