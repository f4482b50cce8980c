// np_bytes.h without SIMD: the word-at-a-time (SWAR) and byte code every other architecture runs.
#define NP_BYTES_NO_SIMD
#define NP_BYTES_PATH BytesPortablePath
#include "bytes_cases.inc"
