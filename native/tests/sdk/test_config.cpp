// key=value;key=value config parsing (np_config.h): values, defaults, and NP_ERR_CONFIG messages that name the
// problem.
#include <gtest/gtest.h>

#include <string>

#include <nplug_sdk/np_config.h>

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
    std::string pattern;  // copied: options.pattern points into the config string, which dies with parse()
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
    if (r.options.pattern.ptr) r.pattern.assign(reinterpret_cast<const char *>(r.options.pattern.ptr), r.options.pattern.len);
    return r;
}

std::string str(np_str_t s) { return std::string(reinterpret_cast<const char *>(s.ptr), s.len); }

TEST(Config, ParsesEveryTypeAndKeepsDefaultsOfMissingKeys) {
    Result r = parse("pattern=a=b c;invert=true;limit=1000;mode=exact");
    ASSERT_EQ(r.status, NP_OK) << r.message;
    EXPECT_EQ(r.pattern, "a=b c");  // a value may contain '=' and blanks
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
    EXPECT_EQ(parse("pattern=x;invert=yes").message, "config key 'invert' must be true or false, got 'yes'");
    EXPECT_EQ(parse("pattern=x;limit=0").message, "config key 'limit' must be an integer in 1..1000, got '0'");
    EXPECT_EQ(parse("pattern=x;limit=12x").status, NP_ERR_CONFIG);
    EXPECT_EQ(parse("pattern=x;limit=99999999999999999999999").status, NP_ERR_CONFIG);  // overflow
    EXPECT_EQ(parse("pattern=x;limit=-1").status, NP_ERR_CONFIG);
    EXPECT_EQ(parse("pattern=x;mode=slow").message, "config key 'mode' must be one of fast|exact|auto, got 'slow'");
}

TEST(Config, InvalidUtf8IsRejected) {
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

}  // namespace
