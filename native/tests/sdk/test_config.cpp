// key=value;key=value config parsing (np_config.h): values, defaults, and NP_ERR_CONFIG messages that name the
// problem.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include <nplug_sdk/np_config.h>

#include "vectors.h"

namespace {

struct Options {
    np_str_t pattern;
    int32_t invert;
    uint64_t limit;
    uint32_t mode;
};

const np_config_option_t kOptions[] = {
    NP_CONFIG_OPTION_STRING("pattern", Options, pattern, NP_CONFIG_REQUIRED | NP_CONFIG_NONEMPTY),
    NP_CONFIG_OPTION_BOOL("invert", Options, invert),
    NP_CONFIG_OPTION_U64("limit", Options, limit, 1, 1000),
    NP_CONFIG_OPTION_CHOICE("mode", Options, mode, "fast|exact|auto"),
};

struct Result {
    np_status status;
    std::string message;
    Options options;
    std::string pattern; // copied: options.pattern points into the config string, which dies with parse()
};

Result parse(const std::string &config) {
    Result r{};
    r.options.invert = -1;
    r.options.limit = 7;
    r.options.mode = 2;
    uint8_t buffer[512];
    np_error_t error = {buffer, sizeof buffer, 0, 0, 0};
    np_str_t text = {reinterpret_cast<const uint8_t *>(config.data()), config.size()};
    r.status = np_config_parse(text, kOptions, 4, &r.options, &error);
    r.message.assign(reinterpret_cast<const char *>(buffer), error.len);
    if (r.options.pattern.ptr)
        r.pattern.assign(reinterpret_cast<const char *>(r.options.pattern.ptr), r.options.pattern.len);
    return r;
}

std::string str(np_str_t s) { return std::string(reinterpret_cast<const char *>(s.ptr), s.len); }

TEST(Config, ParsesEveryTypeAndKeepsDefaultsOfMissingKeys) {
    Result r = parse("pattern=a=b c;invert=true;limit=1000;mode=exact");
    ASSERT_EQ(r.status, NP_OK) << r.message;
    EXPECT_EQ(r.pattern, "a=b c"); // a value may contain '=' and blanks
    EXPECT_EQ(r.options.invert, 1);
    EXPECT_EQ(r.options.limit, 1000u);
    EXPECT_EQ(r.options.mode, 1u);
    r = parse("pattern=x");
    ASSERT_EQ(r.status, NP_OK);
    EXPECT_EQ(r.options.invert, -1);
    EXPECT_EQ(r.options.limit, 7u);
    EXPECT_EQ(r.options.mode, 2u);
}

TEST(Config, BlanksAroundKeysAndEmptyPartsAreFine) {
    Result r = parse(" ;pattern=x;; invert = 0 ;limit= 5 ;");
    ASSERT_EQ(r.status, NP_OK) << r.message;
    EXPECT_EQ(r.options.invert, 0);
    EXPECT_EQ(r.options.limit, 5u);
}

TEST(Config, UnknownKeyIsNamedWithTheKnownKeys) {
    Result r = parse("pattern=x;colour=red");
    EXPECT_EQ(r.status, NP_ERR_CONFIG);
    EXPECT_EQ(r.message, "unknown config key 'colour' (known keys: pattern, invert, limit, mode)");
}

TEST(Config, MalformedPartsAreNamed) {
    Result r = parse("pattern=x;verbose");
    EXPECT_EQ(r.status, NP_ERR_CONFIG);
    EXPECT_EQ(r.message, "config part 2 'verbose' is not key=value");
    r = parse("=x");
    EXPECT_EQ(r.status, NP_ERR_CONFIG);
    EXPECT_EQ(r.message, "config part 1 '=x' has an empty key");
}

TEST(Config, RequiredDuplicateAndEmptyValues) {
    EXPECT_EQ(parse("").message, "missing required config key 'pattern'");
    EXPECT_EQ(parse("invert=true").message, "missing required config key 'pattern'");
    EXPECT_EQ(parse("pattern=").message, "config key 'pattern' must not be empty");
    EXPECT_EQ(parse("pattern=a;pattern=b").message, "config key 'pattern' is given more than once");
}

TEST(Config, BadValuesSayWhatIsExpected) {
    EXPECT_EQ(parse("pattern=x;invert=yes").message, "config key 'invert' must be true, false, 1 or 0, got 'yes'");
    EXPECT_EQ(parse("pattern=x;limit=0").message, "config key 'limit' must be an integer in 1..1000, got '0'");
    EXPECT_EQ(parse("pattern=x;limit=12x").status, NP_ERR_CONFIG);
    EXPECT_EQ(parse("pattern=x;limit=99999999999999999999999").status, NP_ERR_CONFIG); // overflow
    EXPECT_EQ(parse("pattern=x;limit=-1").status, NP_ERR_CONFIG);
    EXPECT_EQ(parse("pattern=x;mode=slow").message, "config key 'mode' must be one of fast|exact|auto, got 'slow'");
}

TEST(Config, S8_config_that_is_not_utf8_is_rejected) {
    Result r = parse("pattern=caf\xc3");
    EXPECT_EQ(r.status, NP_ERR_CONFIG);
    EXPECT_EQ(r.message, "config is not valid UTF-8 (byte 11)");
}

TEST(Config, LowLevelReaderWalksParts) {
    std::string text = "a=1;;b=;c==3";
    np_config_reader_t reader;
    np_config_entry_t entry;
    np_config_reader_init(&reader, np_str_t{reinterpret_cast<const uint8_t *>(text.data()), text.size()});
    ASSERT_EQ(np_config_next(&reader, &entry, nullptr), NP_OK);
    EXPECT_EQ(str(entry.key), "a");
    EXPECT_EQ(str(entry.value), "1");
    EXPECT_EQ(entry.part, 1u);
    ASSERT_EQ(np_config_next(&reader, &entry, nullptr), NP_OK);
    EXPECT_EQ(str(entry.key), "b");
    EXPECT_EQ(str(entry.value), "");
    EXPECT_EQ(entry.part, 3u);
    ASSERT_EQ(np_config_next(&reader, &entry, nullptr), NP_OK);
    EXPECT_EQ(str(entry.value), "=3");
    EXPECT_EQ(np_config_next(&reader, &entry, nullptr), NP_CONFIG_END);
}

// ---- every case of interop/vectors/config.tsv (the Rust and C# SDKs run them too) ------------------------------
// Each schema line becomes an option table over 16-byte slots; the parsed values of an ok case are printed as the
// vector writes them, for the keys the config gives (found with the SDK's own reader).
struct VectorSchema {
    std::vector<std::string> keys, choices, types;
    std::vector<np_config_option_t> options;
};

VectorSchema schema_of(const nptest::VectorLine &line) {
    VectorSchema s;
    for (const std::string &spec : line.fields) {
        size_t a = spec.find(':'), b = spec.find(':', a + 1);
        s.keys.push_back(spec.substr(0, a));
        s.types.push_back(spec.substr(a + 1, b == std::string::npos ? std::string::npos : b - a - 1));
        s.choices.push_back(b == std::string::npos ? "" : spec.substr(b + 1));
    }
    for (size_t i = 0; i < s.keys.size(); i++) {
        np_config_option_t o{};
        o.key = s.keys[i].c_str();
        o.offset = i * 16;
        const std::string &t = s.types[i], &arg = s.choices[i];
        if (t == "string") {
            o.type = NP_CONFIG_TYPE_STRING;
            if (arg.find("required") != std::string::npos) o.flags |= NP_CONFIG_REQUIRED;
            if (arg.find("nonempty") != std::string::npos) o.flags |= NP_CONFIG_NONEMPTY;
        } else if (t == "bool") {
            o.type = NP_CONFIG_TYPE_BOOL;
        } else if (t == "int") {
            o.type = NP_CONFIG_TYPE_U64;
            size_t dots = arg.find("..");
            o.min = std::stoull(arg.substr(0, dots));
            o.max = std::stoull(arg.substr(dots + 2));
        } else if (t == "choice") {
            o.type = NP_CONFIG_TYPE_CHOICE;
            o.choices = s.choices[i].c_str();
        } else {
            ADD_FAILURE() << line.where() << ": unknown option type " << t;
        }
        s.options.push_back(o);
    }
    return s;
}

std::string value_text(const VectorSchema &s, size_t i, const unsigned char *slot) {
    const std::string &t = s.types[i];
    if (t == "string") {
        np_str_t v;
        std::memcpy(&v, slot, sizeof v);
        return std::string(reinterpret_cast<const char *>(v.ptr), v.len);
    }
    if (t == "bool") {
        int32_t v;
        std::memcpy(&v, slot, sizeof v);
        return v ? "true" : "false";
    }
    if (t == "int") {
        uint64_t v;
        std::memcpy(&v, slot, sizeof v);
        return std::to_string(v);
    }
    uint32_t index;
    std::memcpy(&index, slot, sizeof index);
    std::string all = s.choices[i] + "|";
    for (uint32_t k = 0; k < index; k++) all = all.substr(all.find('|') + 1);
    return all.substr(0, all.find('|'));
}

TEST(ConfigVectors, S9_every_case_of_config_tsv) {
    VectorSchema schema;
    bool have_schema = false;
    int cases = 0;
    for (const auto &v : nptest::read_vectors("config.tsv")) {
        if (v.kind == "schema") {
            schema = schema_of(v);
            have_schema = true;
            continue;
        }
        ASSERT_EQ(v.kind, "case") << v.where();
        ASSERT_TRUE(have_schema) << v.where();
        ASSERT_GE(v.fields.size(), 2u) << v.where();
        cases++;
        std::vector<unsigned char> target(16 * (schema.options.size() + 1), 0);
        uint8_t buffer[512];
        np_error_t error = {buffer, sizeof buffer, 0, 0, 0};
        np_status st = np_config_parse(v.str(0), schema.options.data(), schema.options.size(), target.data(), &error);
        std::string message(reinterpret_cast<const char *>(buffer), error.len);
        if (v.fields[1] == "error") {
            EXPECT_EQ(st, NP_ERR_CONFIG) << v.where();
            EXPECT_EQ(message, v.fields[2]) << v.where();
            continue;
        }
        ASSERT_EQ(st, NP_OK) << v.where() << ": " << message;
        std::vector<bool> given(schema.keys.size(), false);
        np_config_reader_t reader;
        np_config_entry_t entry;
        np_config_reader_init(&reader, v.str(0));
        while (np_config_next(&reader, &entry, nullptr) == NP_OK)
            for (size_t i = 0; i < schema.keys.size(); i++)
                if (np_str_eq_cstr(entry.key, schema.keys[i].c_str())) given[i] = true;
        std::vector<std::string> got;
        for (size_t i = 0; i < schema.keys.size(); i++)
            if (given[i]) got.push_back(schema.keys[i] + "=" + value_text(schema, i, target.data() + i * 16));
        std::vector<std::string> expected(v.fields.begin() + 2, v.fields.end());
        EXPECT_EQ(got, expected) << v.where();
    }
    EXPECT_GT(cases, 50);
}

} // namespace
