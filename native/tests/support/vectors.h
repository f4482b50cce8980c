// vectors.h - the one C++ reader of the shared test vectors (interop/vectors/README.md, section Format): one record a
// line, TAB-separated fields, '#' comments, "" for the empty field, escapes \t \n \r \\ \xHH. Any other escape is an
// error of the file (the test fails naming the line), so that a typo cannot silently become a different vector.
#ifndef NP_TESTS_VECTORS_H
#define NP_TESTS_VECTORS_H

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nplug/nplug.h>

namespace nptest {

struct VectorLine {
    std::string file;
    int line = 0;
    std::string kind;                // the first field
    std::vector<std::string> fields; // the others, unescaped (may hold any byte)
    // "config.tsv:12" for messages.
    std::string where() const { return file + ":" + std::to_string(line); }
    np_str_t str(size_t i) const {
        return np_str_t{reinterpret_cast<const uint8_t *>(fields[i].data()), fields[i].size()};
    }
};

// Every record of interop/vectors/<name>, in file order. Throws std::runtime_error on a malformed file.
std::vector<VectorLine> read_vectors(const std::string &name);

// A number as the vector files write it: decimal, or a symbol of `symbols` with an optional +N / -N.
int64_t vector_number(const std::string &text, const std::map<std::string, int64_t> &symbols);

// A status by its header name (NP_OK, NP_ERR_VERSION, ...) or as a decimal number.
np_status vector_status(const std::string &text);

} // namespace nptest

#endif
