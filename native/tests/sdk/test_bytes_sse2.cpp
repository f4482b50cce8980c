// np_bytes.h limited to SSE2 (and SWAR below 16 bytes): the kernels a CPU without AVX2 runs.
#define NP_BYTES_NO_AVX2
#define NP_BYTES_PATH BytesSse2Path
#include "bytes_cases.inc"
