/*
 * nph.h - the C host library (np_c_host): load NativePlugins libraries and run np.transform/1 pipelines from
 * plain C, with no .NET anywhere. Used by nplug-c-host, the native tests and the benchmarks' C baseline.
 */
#ifndef NPLUG_HOST_H
#define NPLUG_HOST_H

#include "nph_diag.h"
#include "nph_emitter.h"
#include "nph_loader.h"
#include "nph_pipeline.h"

#endif /* NPLUG_HOST_H */
