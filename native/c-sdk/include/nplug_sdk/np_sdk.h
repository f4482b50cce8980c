/*
 * np_sdk.h - the C plugin SDK (nplug-c): include this one header in your plugin sources.
 *
 *   np_register.h        NP_REGISTER_PLUGIN: plugins register themselves, no central list
 *   np_transform_base.h  NP_TRANSFORM_PLUGIN: an np.transform/1 plugin from a few callbacks, stats for free
 *   np_batch.h           reading input records
 *   np_emit.h            writing output records (copy, or reserve + commit in place)
 *   np_out.h             appending a variable-size result to a caller's np_out_bytes_t (own interfaces)
 *   np_error.h           failure messages into np_error_t (printf-style, UTF-8-safe truncation)
 *   np_config.h          `key=value;key=value` configs with NP_ERR_CONFIG messages
 *   np_host_api.h        host logging and the host allocator
 *   np_utf8.h            UTF-8 validation, truncation and repair
 *   np_bytes.h           vectorized byte kernels: ASCII case mapping, substring search, records containing a substring
 *
 * Build with the CMake function np_add_plugin() (cmake/NplugPlugin.cmake): it links the SDK's np_entry and
 * exports nothing else.
 */
#ifndef NPLUG_SDK_H
#define NPLUG_SDK_H

#include "np_sdk_common.h"
#include "np_utf8.h"
#include "np_bytes.h"
#include "np_error.h"
#include "np_batch.h"
#include "np_emit.h"
#include "np_out.h"
#include "np_host_api.h"
#include "np_config.h"
#include "np_register.h"
#include "np_transform_base.h"

#endif /* NPLUG_SDK_H */
