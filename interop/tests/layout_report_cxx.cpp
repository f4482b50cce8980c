// The C++ side of the C layout conformance test: NP_DEFINE_LAYOUT_REPORT must compile as C++ (alignof instead of
// _Alignof) and describe the same layout; layout_conformance.g.c compares this report with the manifest.
#include "nplug/nplug.h"

NP_DEFINE_LAYOUT_REPORT(np_cxx_layout);

extern "C" const np_layout_report_t *np_cxx_layout_report(void) { return &np_cxx_layout; }
