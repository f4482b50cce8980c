// np_bytes.h with every path it has on this machine: AVX2 (when the CPU has it), SSE2 below 32 bytes, SWAR.
#define NP_BYTES_PATH BytesDefaultPath
#include "bytes_cases.inc"
