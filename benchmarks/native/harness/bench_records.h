/*
 * bench_records.h - the input of the throughput benchmarks, identical to
 * benchmarks/NativePlugins.Benchmarks/Throughput/BenchRecords.cs: record i of size n is n - 5 lower-case letters
 * ('a' + (i + j) % 26) followed by "#even" (i even) or "#odd_" (i odd), so that
 * upper | grep pattern=#EVEN | count keeps every second record.
 */
#ifndef NP_BENCH_RECORDS_H
#define NP_BENCH_RECORDS_H

#include <stdint.h>
#include <string.h>

#define BENCH_RECORD_TAIL 5

/* Writes record `index` into record[0..size); size >= BENCH_RECORD_TAIL. */
static inline void bench_record_fill(uint8_t *record, uint64_t size, uint64_t index) {
    uint64_t body = size - BENCH_RECORD_TAIL;
    for (uint64_t j = 0; j < body; j++) {
        record[j] = (uint8_t)('a' + (index + j) % 26);
    }
    memcpy(record + body, index % 2 == 0 ? "#even" : "#odd_", BENCH_RECORD_TAIL);
}

#endif /* NP_BENCH_RECORDS_H */
