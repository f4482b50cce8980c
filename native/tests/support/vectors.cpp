// vectors.cpp - see vectors.h.
#include "vectors.h"

#include <cstdlib>
#include <fstream>
#include <stdexcept>

#ifndef NP_TEST_VECTORS_DIR
#error "NP_TEST_VECTORS_DIR (interop/vectors) must be defined by the build"
#endif

namespace nptest {
namespace {

int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string unescape(const std::string &field, const std::string &where) {
    if (field == "\"\"") return std::string();
    std::string out;
    for (size_t i = 0; i < field.size(); i++) {
        char c = field[i];
        if (c != '\\') {
            out += c;
            continue;
        }
        char next = i + 1 < field.size() ? field[i + 1] : '\0';
        switch (next) {
        case 't':
            out += '\t';
            i++;
            break;
        case 'n':
            out += '\n';
            i++;
            break;
        case 'r':
            out += '\r';
            i++;
            break;
        case '\\':
            out += '\\';
            i++;
            break;
        case 'x': {
            int hi = i + 2 < field.size() ? hex(field[i + 2]) : -1, lo = i + 3 < field.size() ? hex(field[i + 3]) : -1;
            if (hi < 0 || lo < 0) throw std::runtime_error(where + ": malformed \\x escape in '" + field + "'");
            out += static_cast<char>(hi * 16 + lo);
            i += 3;
            break;
        }
        default:
            throw std::runtime_error(where + ": unknown escape '\\" + std::string(1, next) + "' in '" + field + "'");
        }
    }
    return out;
}

} // namespace

std::vector<VectorLine> read_vectors(const std::string &name) {
    std::string path = std::string(NP_TEST_VECTORS_DIR) + "/" + name;
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(path + ": cannot open the vector file");
    std::vector<VectorLine> lines;
    std::string raw;
    int number = 0;
    while (std::getline(in, raw)) {
        number++;
        if (raw.empty() || raw[0] == '#') continue;
        VectorLine line;
        line.file = name;
        line.line = number;
        size_t start = 0;
        bool first = true;
        for (;;) {
            size_t tab = raw.find('\t', start);
            std::string part = raw.substr(start, tab == std::string::npos ? std::string::npos : tab - start);
            if (first)
                line.kind = part;
            else
                line.fields.push_back(unescape(part, line.where()));
            first = false;
            if (tab == std::string::npos) break;
            start = tab + 1;
        }
        lines.push_back(line);
    }
    if (lines.empty()) throw std::runtime_error(path + ": no vectors");
    return lines;
}

int64_t vector_number(const std::string &text, const std::map<std::string, int64_t> &symbols) {
    size_t sign = text.find_first_of("+-", 1);
    std::string head = text.substr(0, sign);
    int64_t offset = sign == std::string::npos ? 0 : std::strtoll(text.c_str() + sign, nullptr, 10);
    auto found = symbols.find(head);
    if (found != symbols.end()) return found->second + offset;
    char *end = nullptr;
    long long value = std::strtoll(head.c_str(), &end, 10);
    if (head.empty() || *end != '\0') throw std::runtime_error("'" + text + "': unknown symbol '" + head + "'");
    return value + offset;
}

np_status vector_status(const std::string &text) {
    static const std::map<std::string, np_status> names = {
        {"NP_OK", NP_OK},
        {"NP_ERR_INVALID_ARGUMENT", NP_ERR_INVALID_ARGUMENT},
        {"NP_ERR_CONFIG", NP_ERR_CONFIG},
        {"NP_ERR_UNSUPPORTED", NP_ERR_UNSUPPORTED},
        {"NP_ERR_VERSION", NP_ERR_VERSION},
        {"NP_ERR_OUT_OF_MEMORY", NP_ERR_OUT_OF_MEMORY},
        {"NP_ERR_STATE", NP_ERR_STATE},
        {"NP_ERR_INPUT", NP_ERR_INPUT},
        {"NP_ERR_PLUGIN", NP_ERR_PLUGIN},
        {"NP_ERR_PANIC", NP_ERR_PANIC},
    };
    auto found = names.find(text);
    if (found != names.end()) return found->second;
    return static_cast<np_status>(vector_number(text, {}));
}

} // namespace nptest
