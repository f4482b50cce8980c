/*
 * nplug.h - the NativePlugins C ABI, all of it. Include this one header.
 */
#ifndef NPLUG_H
#define NPLUG_H

#include "np_version.h"
#include "np_types.h"
#include "np_host.h"
#include "np_layout.h"
#include "np_entry.h"
#include "ext/np_transform.h"
#include "ext/np_state.h"
#include "np_layout.g.h"

#endif /* NPLUG_H */
