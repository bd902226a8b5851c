// Unit tests for sim/config.hpp: provenance-keeping YAML, layering, overrides,
// typed decoding with located errors, encoding and generated docs.
#include "sim/config.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace config = tiersim::sim::config;
using config::ConfigError;
using config::Node;
using config::SourceMark;

// ------------------------------------------------------------ test schema

namespace test_schema {

enum class Tier { oem, t1, t2 };
enum class Forecast { moving_average, exponential };

struct CreditGuarantee {
    double coverage = 0.5;
    int payment_term_months = 3;
    bool operator==(const CreditGuarantee&) const = default;
};

struct Policies {
    CreditGuarantee credit_guarantee;
    std::vector<double> tariff_path;
    std::optional<double> budget_cap;
    bool operator==(const Policies&) const = default;
};

struct Demand {
    double level = 100.0;
    double minimum = 0.0;
    double maximum = 1000.0;
    Forecast forecast = Forecast::moving_average;
    bool operator==(const Demand&) const = default;
};

struct TierSpec {
    Tier tier = Tier::t1;
    int count = 1;
    std::string label;
    bool operator==(const TierSpec&) const = default;
};

struct Sector {
    double level = 1.0;
    std::optional<int> cap;
    bool operator==(const Sector&) const = default;
};

struct Scenario {
    std::string name;
    int months = 12;
    bool verbose = false;
    std::uint64_t seed = 42;
    Demand demand;
    Policies policies;
    std::vector<TierSpec> tiers;
    std::map<std::string, Sector> sectors;
    std::vector<std::vector<int>> lead_times;
    bool operator==(const Scenario&) const = default;
};

/// For checks that blame nested values, map keys and list sizes, and for
/// defaults a struct's enclosing struct sets.
struct Region {
    std::vector<std::string> names;
    std::map<std::string, double> shares;
    int size = 0;
};

struct Atlas {
    Region home;
    Region away = Region{{}, {}, 7};
    std::map<std::string, Region> regions;
    std::vector<int> codes;
};

}  // namespace test_schema

namespace tiersim::sim::config {

using namespace test_schema;

template <>
struct EnumNames<Tier> {
    static constexpr std::array<std::pair<Tier, std::string_view>, 3> values{
        {{Tier::oem, "oem"}, {Tier::t1, "t1"}, {Tier::t2, "t2"}}};
};

template <>
struct EnumNames<Forecast> {
    static constexpr std::array<std::pair<Forecast, std::string_view>, 2> values{
        {{Forecast::moving_average, "moving_average"}, {Forecast::exponential, "exponential"}}};
};

template <>
struct Describe<CreditGuarantee> {
    static void fields(Fields<CreditGuarantee>& f) {
        f.add("coverage", &CreditGuarantee::coverage)
            .unit("share")
            .range(0, 1)
            .doc("Share of a loan guaranteed");
        f.add("payment_term_months", &CreditGuarantee::payment_term_months)
            .unit("months")
            .range(0, 24)
            .doc("Term");
    }
};

template <>
struct Describe<Policies> {
    static void fields(Fields<Policies>& f) {
        f.add("credit_guarantee", &Policies::credit_guarantee).doc("Guarantee lever");
        f.add("tariff_path", &Policies::tariff_path).range(0, 1).doc("Tariff rate per year");
        f.add("budget_cap", &Policies::budget_cap).unit("MXN").at_least(0).doc("Total budget, none if null");
    }
};

template <>
struct Describe<Demand> {
    static void fields(Fields<Demand>& f) {
        f.add("level", &Demand::level).unit("units/month").at_least(0).doc("Mean final demand");
        f.add("minimum", &Demand::minimum).unit("units/month").at_least(0).doc("Floor");
        f.add("maximum", &Demand::maximum).unit("units/month").at_least(0).doc("Ceiling");
        f.add("forecast", &Demand::forecast).doc("How firms forecast demand");
        f.check([](const Demand& demand) -> CrossFieldProblem {
            if (demand.maximum < demand.minimum) {
                return {{"maximum", "must not be below minimum"}};
            }
            return std::nullopt;
        });
    }
};

template <>
struct Describe<TierSpec> {
    static void fields(Fields<TierSpec>& f) {
        f.add("tier", &TierSpec::tier).required().doc("Position in the chain");
        f.add("count", &TierSpec::count).at_least(0).doc("Number of firms");
        f.add("label", &TierSpec::label).doc("Display name");
    }
};

template <>
struct Describe<Sector> {
    static void fields(Fields<Sector>& f) {
        f.add("level", &Sector::level).range(0, 10).doc("Relative size");
        f.add("cap", &Sector::cap).at_least(1).doc("Firm cap");
    }
};

template <>
struct Describe<Scenario> {
    static void fields(Fields<Scenario>& f) {
        f.add("name", &Scenario::name).required().doc("Scenario name | shown in plots");
        f.add("months", &Scenario::months).unit("months").at_least(1).doc("Length of the run");
        f.add("verbose", &Scenario::verbose).doc("Print progress");
        f.add("seed", &Scenario::seed).doc("Run seed");
        f.add("demand", &Scenario::demand).doc("Final demand");
        f.add("policies", &Scenario::policies).doc("Policy levers");
        f.add("tiers", &Scenario::tiers).doc("Supplier tiers");
        f.add("sectors", &Scenario::sectors).doc("Sectors by name");
        f.add("lead_times", &Scenario::lead_times).doc("Lead times per tier");
    }
};

template <>
struct Describe<Region> {
    static void fields(Fields<Region>& f) {
        f.add("names", &Region::names).doc("Names");
        f.add("shares", &Region::shares).doc("Shares by name");
        f.add("size", &Region::size).doc("Size");
    }
};

template <>
struct Describe<Atlas> {
    static void fields(Fields<Atlas>& f) {
        f.add("home", &Atlas::home).doc("Home region");
        f.add("away", &Atlas::away).doc("Away region");
        f.add("regions", &Atlas::regions).max_entries(3).doc("Regions by name");
        f.add("codes", &Atlas::codes).max_entries(2).range(0, 9).doc("Codes");
        // Blames the first name "bad" in any region's list, or a share keyed "bad".
        f.check([](const Atlas& atlas) -> std::optional<Blame> {
            for (const auto& [name, region] : atlas.regions) {
                for (std::size_t i = 0; i < region.names.size(); ++i)
                    if (region.names[i] == "bad")
                        return Blame{"regions." + name + ".names[" + std::to_string(i) + "]", "bad name"};
                if (region.shares.count("bad")) return Blame{"regions." + name + ".shares.bad", "bad key", true};
            }
            if (atlas.home.size < 0) return Blame{"home.size", "negative"};
            return std::nullopt;
        });
    }
};

}  // namespace tiersim::sim::config

namespace Catch {
template <>
struct StringMaker<SourceMark> {
    static std::string convert(const SourceMark& mark) {
        return "{" + mark.file + ":" + std::to_string(mark.line) + ":" + std::to_string(mark.column) + "}";
    }
};
}  // namespace Catch

namespace {

using namespace test_schema;

constexpr const char* test_file = "test.yaml";

Node parse(std::string_view text) { return config::parse_yaml(text, test_file); }

/// The ConfigError that `action` throws; fails the test if there is none.
ConfigError error_from(const std::function<void()>& action) {
    try {
        action();
    } catch (const ConfigError& error) {
        return error;
    }
    FAIL("expected a ConfigError");
    return ConfigError({}, "", "");
}

ConfigError decode_error(std::string_view text) {
    return error_from([&] { (void)config::decode<Scenario>(parse(text)); });
}

SourceMark at(int line, int column, std::string file = test_file) {
    return SourceMark{std::move(file), line, column};
}

/// Same kinds, texts and keys, marks and quoting aside.
bool same_values(const Node& a, const Node& b) {
    if (a.kind != b.kind || a.scalar != b.scalar || a.items.size() != b.items.size() ||
        a.entries.size() != b.entries.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.items.size(); ++i) {
        if (!same_values(a.items[i], b.items[i])) {
            return false;
        }
    }
    for (std::size_t i = 0; i < a.entries.size(); ++i) {
        if (a.entries[i].key != b.entries[i].key || !same_values(a.entries[i].value, b.entries[i].value)) {
            return false;
        }
    }
    return true;
}

/// A scratch directory under the system temp dir, removed afterwards.
class TempDir {
public:
    TempDir() {
        static int counter = 0;
        path_ = std::filesystem::temp_directory_path() /
                ("tiersim_test_config_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    std::filesystem::path write(const std::string& name, std::string_view text) const {
        const auto file = path_ / name;
        std::filesystem::create_directories(file.parent_path());
        std::ofstream(file) << text;
        return file;
    }

private:
    std::filesystem::path path_;
};

constexpr std::string_view good_scenario = R"(name: baseline
months: 24
demand:
  level: 250.5
  forecast: exponential
policies:
  credit_guarantee:
    coverage: 0.7
  tariff_path: [0.1, 0.25]
tiers:
  - tier: oem
    count: 2
    label: assembler
  - tier: t2
sectors:
  automotive:
    level: 1.5
  electronics:
    cap: 3
lead_times: [[1, 2], [3]]
)";

}  // namespace

// ------------------------------------------------------------ parsing

TEST_CASE("parse_yaml keeps 1-based marks of keys and values", "[config][parse]") {
    const Node root = parse("a: 1\nb:\n  c: [x, y]\n");
    REQUIRE(root.kind == Node::Kind::Map);
    REQUIRE(root.entries.size() == 2);
    CHECK(root.entries[0].key_mark == at(1, 1));
    CHECK(root.entries[0].value.mark == at(1, 4));
    const Node* b = root.find("b");
    REQUIRE(b != nullptr);
    CHECK(b->entries[0].key_mark == at(3, 3));
    const Node* c = b->find("c");
    REQUIRE(c != nullptr);
    REQUIRE(c->kind == Node::Kind::Sequence);
    CHECK(c->items[1].scalar == "y");
    CHECK(c->items[1].mark == at(3, 10));
    CHECK(root.find("missing") == nullptr);
}

TEST_CASE("parse_yaml tells quoted strings from plain scalars and nulls", "[config][parse]") {
    const Node root = parse("plain: 1\nquoted: \"1\"\nsingle: 'true'\ntilde: ~\nempty:\nword: null\n");
    CHECK_FALSE(root.find("plain")->quoted);
    CHECK(root.find("quoted")->quoted);
    CHECK(root.find("quoted")->scalar == "1");
    CHECK(root.find("single")->quoted);
    CHECK(root.find("tilde")->kind == Node::Kind::Null);
    CHECK(root.find("empty")->kind == Node::Kind::Null);
    CHECK(root.find("word")->kind == Node::Kind::Null);
}

TEST_CASE("an empty value is located at its key, not at the next line", "[config][parse]") {
    const Node root = parse("first:\nsecond: 2\n");
    CHECK(root.find("first")->mark == at(1, 1));
}

TEST_CASE("YAML syntax errors carry file, line and column", "[config][parse]") {
    CHECK_THROWS_AS(parse("a: 1\nb: [1, 2\n"), ConfigError);
    const ConfigError error = error_from([] { parse("a: 1\nb: c: d\n"); });
    CHECK(error.mark() == at(2, 5));
    CHECK(error.key_path().empty());
    CHECK(error.problem() == "invalid YAML: illegal map value");
    CHECK(std::string(error.what()) == "test.yaml:2:5: invalid YAML: illegal map value");
}

TEST_CASE("duplicate keys are refused at the second one", "[config][parse]") {
    CHECK_THROWS_AS(parse("a: 1\na: 2\n"), ConfigError);
    const ConfigError error = error_from([] { parse("outer:\n  x: 1\n  y: 2\n  x: 3\n"); });
    CHECK(error.mark() == at(4, 3));
    CHECK(error.key_path() == "outer.x");
    CHECK(error.problem() == "duplicate key 'x' (first at line 2, column 3)");
}

TEST_CASE("more than one YAML document is refused", "[config][parse]") {
    const ConfigError error = error_from([] { parse("a: 1\n---\nb: 2\n"); });
    CHECK(error.mark().line == 3);
    CHECK(error.problem() == "expected one YAML document, found 2");
}

TEST_CASE("an alias that contains itself is an error, not a crash", "[config][parse]") {
    CHECK_THROWS_AS(parse("a: &loop [1, *loop]\n"), ConfigError);
}

TEST_CASE("an alias bomb is refused at the alias, before anything expands", "[config][parse][limits]") {
    // Each level holds nine aliases of the one before: 9^20 values if expanded,
    // which no machine could hold, so refusing it at all shows nothing expanded.
    std::string bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n";
    for (int level = 1; level <= 20; ++level) {
        const std::string previous = "*a" + std::to_string(level - 1);
        bomb += "a" + std::to_string(level) + ": &a" + std::to_string(level) + " [";
        for (int k = 0; k < 9; ++k) bomb += (k == 0 ? "" : ", ") + previous;
        bomb += "]\n";
    }
    const ConfigError error = error_from([&] { parse(bomb); });
    INFO(error.what());
    CHECK(error.problem().find("alias '*a") != std::string::npos);
    CHECK(error.problem().find("past the limit of 250000 values") != std::string::npos);
    CHECK(error.mark().line > 1);
}

TEST_CASE("a document with too many values, aliases or levels is refused where it passes the limit",
          "[config][parse][limits]") {
    SECTION("values") {
        std::string text = "list: [";
        for (std::size_t i = 0; i < config::ReadLimits::values; ++i) text += "0,";
        text += "0]\n";
        const ConfigError error = error_from([&] { parse(text); });
        CHECK(error.mark().line == 1);
        CHECK(error.key_path().starts_with("list["));
        CHECK(error.problem() == "the document holds more than 250000 values (see docs/input-limits.md)");
    }
    SECTION("aliases") {
        std::string text = "a: &a 1\nb: [";
        for (std::size_t i = 0; i <= config::ReadLimits::aliases; ++i) text += "*a, ";
        text += "1]\n";
        const ConfigError error = error_from([&] { parse(text); });
        CHECK(error.mark().line == 2);
        CHECK(error.problem().find("more than 10000 aliases") != std::string::npos);
    }
    SECTION("depth") {
        const std::string text = std::string(300, '[') + std::string(300, ']') + "\n";
        const ConfigError error = error_from([&] { parse(text); });
        CHECK(error.mark() == at(1, config::ReadLimits::depth + 1));
        CHECK(error.problem() == "lists and maps nest more than 200 deep");
    }
    SECTION("anchors and aliases within the limits are read as copies, marked where used") {
        const Node root = parse("base: &b {x: 1, y: [2, 3]}\nother: *b\n");
        const Node* other = root.find("other");
        REQUIRE(other != nullptr);
        CHECK(same_values(*other, *root.find("base")));
        CHECK(other->mark == at(2, 8));
    }
}

TEST_CASE("a file larger than the limit is refused without reading it all", "[config][parse][limits]") {
    const TempDir dir;
    const auto file = dir.write("huge.yaml", "# " + std::string(config::ReadLimits::file_bytes, 'x') + "\n");
    const ConfigError error = error_from([&] { config::parse_yaml_file(file); });
    CHECK(error.mark().file == file.string());
    CHECK(error.problem().find("larger than 16 MiB") != std::string::npos);
}

TEST_CASE("text that is not UTF-8, or holds NUL or control characters, is refused at its place",
          "[config][parse][text]") {
    SECTION("invalid UTF-8, with columns counted in characters") {
        const ConfigError error = error_from([] { parse("name: caf\xc3\xa9\nlabel: ma\xf1" "ana\n"); });
        CHECK(error.mark() == at(2, 10));
        CHECK(error.problem().starts_with("invalid UTF-8 (byte 0xF1)"));
    }
    SECTION("overlong and surrogate encodings") {
        CHECK(error_from([] { parse("a: \xc0\xaf\n"); }).mark() == at(1, 4));
        CHECK(error_from([] { parse("a: \xed\xa0\x80\n"); }).mark() == at(1, 4));
        CHECK(error_from([] { parse("a: \xe2\x82\n"); }).mark() == at(1, 4));
    }
    SECTION("a NUL byte in a value") {
        const ConfigError error = error_from([] { parse(std::string("a: 1\nname: ab\0cd\n", 16)); });
        CHECK(error.mark() == at(2, 9));
        CHECK(error.problem().starts_with("a NUL character (U+0000)"));
    }
    SECTION("a NUL or a lone surrogate written as an escape") {
        const ConfigError nul = error_from([] { parse("a: 1\nname: \"ab\\0cd\"\n"); });
        CHECK(nul.mark() == at(2, 7));
        CHECK(nul.key_path() == "name");
        CHECK(nul.problem().find("a NUL character") != std::string::npos);
        const ConfigError surrogate = error_from([] { parse("list: [\"\\ud800\"]\n"); });
        CHECK(surrogate.mark().line == 1);
        CHECK(surrogate.problem().find("invalid") != std::string::npos);
    }
    SECTION("other control characters") {
        const ConfigError error = error_from([] { parse("a: x\x01y\n"); });
        CHECK(error.mark() == at(1, 5));
        CHECK(error.problem().starts_with("the control character U+0001"));
    }
    SECTION("UTF-8 text, tabs in quotes, CRLF and a byte-order mark are fine") {
        const Node root = parse("\xef\xbb\xbfname: \"Quer\xc3\xa9taro\tNL\"\r\nlabel: \xe2\x82\xac \xf0\x9f\x9a\x97\r\n");
        CHECK(root.find("name")->scalar == "Quer\xc3\xa9taro\tNL");
        CHECK(root.find("label")->scalar == "\xe2\x82\xac \xf0\x9f\x9a\x97");
    }
}

TEST_CASE("duplicate keys are refused however they are written", "[config][parse]") {
    SECTION("flow") {
        CHECK(error_from([] { parse("run: {ticks: 1, ticks: 2}\n"); }).mark() == at(1, 17));
    }
    SECTION("quoted") {
        CHECK(error_from([] { parse("ticks: 1\n'ticks': 2\n"); }).mark() == at(2, 1));
    }
    SECTION("explicit") {
        CHECK(error_from([] { parse("? ticks\n: 1\nticks: 2\n"); }).mark() == at(3, 1));
    }
    SECTION("an alias, found where the alias is") {
        const ConfigError error = error_from([] { parse("name: &k ticks\nrun:\n  ticks: 1\n  *k : 2\n"); });
        CHECK(error.mark() == at(4, 3));
        CHECK(error.key_path() == "run.ticks");
        CHECK(error.problem() == "duplicate key 'ticks' (first at line 3, column 3)");
    }
}

TEST_CASE("merge keys are refused, not taken for a key named <<", "[config][parse]") {
    const ConfigError error = error_from([] { parse("clusters:\n  north: &n {states: [x]}\n  <<: *n\n"); });
    CHECK(error.mark() == at(3, 3));
    CHECK(error.key_path() == "clusters.<<");
    CHECK(error.problem().starts_with("merge keys (<<) are not supported"));
    CHECK(parse("\"<<\": 1\n").find("<<") != nullptr);  // quoted: a plain name
}

TEST_CASE("empty text parses to a null root", "[config][parse]") {
    const Node root = parse("");
    CHECK(root.kind == Node::Kind::Null);
    CHECK(root.mark == at(1, 1));
}

TEST_CASE("an unreadable file is a ConfigError naming the file", "[config][parse]") {
    const TempDir dir;
    const auto missing = std::filesystem::temp_directory_path() / "tiersim_no_such_dir" / "missing.yaml";
    const ConfigError error = error_from([&] { config::parse_yaml_file(missing); });
    CHECK(error.mark().file == missing.string());
    CHECK(error.problem() == "cannot read this file");
    CHECK(std::string(error.what()) == missing.string() + ": cannot read this file");
}

TEST_CASE("ConfigError::what joins place, key path and problem", "[config]") {
    const ConfigError error(SourceMark{"scenarios/x.yaml", 14, 7}, "policies.credit_guarantee.coverage",
                            "1.4 is above the maximum 1");
    CHECK(std::string(error.what()) ==
          "scenarios/x.yaml:14:7: policies.credit_guarantee.coverage: 1.4 is above the maximum 1");
}

// ------------------------------------------------------------ decoding

SCENARIO("a good scenario decodes, absent keys keeping their defaults", "[config][decode]") {
    GIVEN("a scenario that sets some keys") {
        const Node root = parse(good_scenario);
        WHEN("it is decoded") {
            const Scenario scenario = config::decode<Scenario>(root);
            THEN("set keys take the file's values") {
                CHECK(scenario.name == "baseline");
                CHECK(scenario.months == 24);
                CHECK(scenario.demand.level == 250.5);
                CHECK(scenario.demand.forecast == Forecast::exponential);
                CHECK(scenario.policies.credit_guarantee.coverage == 0.7);
                CHECK(scenario.policies.tariff_path == std::vector<double>{0.1, 0.25});
                REQUIRE(scenario.tiers.size() == 2);
                CHECK(scenario.tiers[0] == TierSpec{Tier::oem, 2, "assembler"});
                CHECK(scenario.tiers[1].tier == Tier::t2);
                REQUIRE(scenario.sectors.size() == 2);
                CHECK(scenario.sectors.at("automotive").level == 1.5);
                CHECK(scenario.sectors.at("electronics").cap == 3);
                CHECK(scenario.lead_times == std::vector<std::vector<int>>{{1, 2}, {3}});
            }
            THEN("absent keys keep the defaults of a value-initialised struct") {
                CHECK(scenario.verbose == false);
                CHECK(scenario.seed == 42);
                CHECK(scenario.demand.minimum == 0.0);
                CHECK(scenario.demand.maximum == 1000.0);
                CHECK(scenario.policies.credit_guarantee.payment_term_months == 3);
                CHECK_FALSE(scenario.policies.budget_cap.has_value());
                CHECK(scenario.tiers[1].count == 1);
                CHECK(scenario.tiers[1].label.empty());
                CHECK(scenario.sectors.at("automotive").cap == std::nullopt);
                CHECK(scenario.sectors.at("electronics").level == 1.0);
            }
        }
    }
}

TEST_CASE("numbers accept YAML forms and refuse the rest", "[config][decode]") {
    const auto budget = [](std::string_view value) {
        const Node root = parse("budget_cap: " + std::string(value) + "\n");
        return config::decode<Policies>(root).budget_cap;
    };
    CHECK(budget("1e6") == 1e6);
    CHECK(budget(".5") == 0.5);
    CHECK(budget("+2") == 2.0);
    CHECK(budget("7") == 7.0);
    CHECK(budget("null") == std::nullopt);
    CHECK(budget("~") == std::nullopt);
    for (const char* bad : {"1,5", "nan", ".nan", "inf", ".inf", "0x10", "1e999", "abc", "+-1", "1_000"}) {
        INFO(bad);
        const ConfigError error = error_from([&] { budget(bad); });
        CHECK(error.problem() == "expected a number, got '" + std::string(bad) + "'");
        CHECK(error.key_path() == "budget_cap");
        CHECK(error.mark() == at(1, 13));
    }
}

TEST_CASE("a quoted number is a string, not a number", "[config][decode]") {
    const ConfigError error = error_from([] { config::decode<Policies>(parse("budget_cap: \"1.5\"\n")); });
    CHECK(error.problem() == "expected a number, got '1.5' (quoted, so a string)");
    CHECK(error.mark() == at(1, 13));
}

TEST_CASE("a wrong scalar is reported at the value with its key path", "[config][decode]") {
    SECTION("number") {
        const ConfigError error = decode_error("name: x\ndemand:\n  level: abc\n");
        CHECK(error.mark() == at(3, 10));
        CHECK(error.key_path() == "demand.level");
        CHECK(error.problem() == "expected a number, got 'abc'");
    }
    SECTION("integer given a fraction") {
        const ConfigError error = decode_error("name: x\nmonths: 2.5\n");
        CHECK(error.mark() == at(2, 9));
        CHECK(error.key_path() == "months");
        CHECK(error.problem() == "expected an integer, got 2.5");
    }
    SECTION("integer given text") {
        const ConfigError error = decode_error("name: x\nmonths: many\n");
        CHECK(error.problem() == "expected an integer, got 'many'");
    }
    SECTION("integer out of the type's range") {
        const ConfigError error = decode_error("name: x\nmonths: 3000000000\n");
        CHECK(error.mark() == at(2, 9));
        CHECK(error.problem() ==
              "3000000000 is outside the range of this integer field [-2147483648, 2147483647]");
    }
    SECTION("negative value for an unsigned integer") {
        const ConfigError error = decode_error("name: x\nseed: -1\n");
        CHECK(error.key_path() == "seed");
        CHECK(error.problem() == "-1 is outside the range of this integer field [0, 9223372036854775807]");
    }
    SECTION("boolean") {
        const ConfigError error = decode_error("name: x\nverbose: yes please\n");
        CHECK(error.mark() == at(2, 10));
        CHECK(error.key_path() == "verbose");
        CHECK(error.problem() == "expected true or false, got 'yes please'");
    }
    SECTION("enum names are exact and case-sensitive") {
        const ConfigError error = decode_error("name: x\ntiers:\n  - tier: T9\n");
        CHECK(error.mark() == at(3, 11));
        CHECK(error.key_path() == "tiers[0].tier");
        CHECK(error.problem() == "expected one of oem|t1|t2, got 'T9'");
        CHECK(decode_error("name: x\ntiers:\n  - tier: OEM\n").problem() ==
              "expected one of oem|t1|t2, got 'OEM'");
    }
    SECTION("a string given a map") {
        const ConfigError error = decode_error("name: {first: a}\n");
        CHECK(error.mark() == at(1, 7));
        CHECK(error.problem() == "expected a string, got a map");
    }
    SECTION("a required value left empty") {
        const ConfigError error = decode_error("name:\n");
        CHECK(error.mark() == at(1, 1));
        CHECK(error.problem() == "expected a string, got null");
    }
}

TEST_CASE("integer fields accept integral numbers in any notation", "[config][decode]") {
    CHECK(config::decode<Scenario>(parse("name: x\nmonths: 1e3\n")).months == 1000);
    CHECK(config::decode<Scenario>(parse("name: x\nseed: 9223372036854775807\n")).seed ==
          9223372036854775807u);
    CHECK(decode_error("name: x\nseed: 18446744073709551615\n").problem() ==
          "18446744073709551615 is outside the range of this integer field [0, 9223372036854775807]");
}

TEST_CASE("a struct, a list and a map must have the right shape", "[config][decode]") {
    SECTION("struct given a scalar") {
        const ConfigError error = decode_error("name: x\ndemand: 5\n");
        CHECK(error.mark() == at(2, 9));
        CHECK(error.key_path() == "demand");
        CHECK(error.problem() == "expected a map, got '5'");
    }
    SECTION("list given a map") {
        const ConfigError error = decode_error("name: x\ntiers:\n  tier: oem\n");
        CHECK(error.mark() == at(3, 3));
        CHECK(error.key_path() == "tiers");
        CHECK(error.problem() == "expected a list, got a map");
    }
    SECTION("map of structs given a list") {
        const ConfigError error = decode_error("name: x\nsectors: [a, b]\n");
        CHECK(error.key_path() == "sectors");
        CHECK(error.problem() == "expected a map, got a list");
    }
    SECTION("the root itself") {
        const ConfigError error = decode_error("- 1\n");
        CHECK(error.mark() == at(1, 1));
        CHECK(error.key_path().empty());
        CHECK(error.problem() == "expected a map, got a list");
    }
}

TEST_CASE("ranges are checked with the bound in the message", "[config][decode]") {
    SECTION("above a maximum, deep in the tree") {
        const ConfigError error =
            decode_error("name: x\npolicies:\n  credit_guarantee:\n    coverage: 1.4\n");
        CHECK(error.mark() == at(4, 15));
        CHECK(error.key_path() == "policies.credit_guarantee.coverage");
        CHECK(error.problem() == "1.4 is above the maximum 1");
        CHECK(std::string(error.what()) ==
              "test.yaml:4:15: policies.credit_guarantee.coverage: 1.4 is above the maximum 1");
    }
    SECTION("below a minimum") {
        const ConfigError error = decode_error("name: x\ndemand:\n  level: -2\n");
        CHECK(error.key_path() == "demand.level");
        CHECK(error.problem() == "-2 is below the minimum 0");
    }
    SECTION("integers too") {
        const ConfigError error = decode_error("name: x\nmonths: 0\n");
        CHECK(error.problem() == "0 is below the minimum 1");
    }
    SECTION("each item of a list of numbers") {
        const ConfigError error = decode_error("name: x\npolicies:\n  tariff_path: [0.1, 2.5e-1, 1.5]\n");
        CHECK(error.mark() == at(3, 30));
        CHECK(error.key_path() == "policies.tariff_path[2]");
        CHECK(error.problem() == "1.5 is above the maximum 1");
    }
    SECTION("inside an optional") {
        const ConfigError error = decode_error("name: x\nsectors:\n  automotive:\n    cap: 0\n");
        CHECK(error.key_path() == "sectors.automotive.cap");
        CHECK(error.problem() == "0 is below the minimum 1");
    }
    SECTION("bounds are inclusive") {
        CHECK(config::decode<CreditGuarantee>(parse("coverage: 1\n")).coverage == 1.0);
        CHECK(config::decode<CreditGuarantee>(parse("coverage: 0\n")).coverage == 0.0);
    }
}

TEST_CASE("key paths name list items and map entries", "[config][decode]") {
    const ConfigError in_list =
        decode_error("name: x\ntiers:\n  - tier: oem\n  - tier: t1\n  - tier: t2\n    count: -1\n");
    CHECK(in_list.key_path() == "tiers[2].count");
    CHECK(in_list.mark() == at(6, 12));
    const ConfigError in_map = decode_error("name: x\nsectors:\n  automotive:\n    level: 11\n");
    CHECK(in_map.key_path() == "sectors.automotive.level");
    CHECK(in_map.mark() == at(4, 12));
    const ConfigError nested_list = decode_error("name: x\nlead_times: [[1], [2, x]]\n");
    CHECK(nested_list.key_path() == "lead_times[1][1]");
    CHECK(nested_list.problem() == "expected an integer, got 'x'");
}

TEST_CASE("an unknown key suggests the closest declared key", "[config][decode]") {
    CHECK_THROWS_AS(config::decode<Scenario>(parse("name: x\nmonth: 3\n")), ConfigError);
    SECTION("a typo") {
        const ConfigError error = decode_error("name: x\npolicies:\n  credit_guarantee:\n    coverge: 0.5\n");
        CHECK(error.mark() == at(4, 5));
        CHECK(error.key_path() == "policies.credit_guarantee.coverge");
        CHECK(error.problem() == "unknown key 'coverge'; did you mean 'coverage'?");
    }
    SECTION("a long key tolerates more edits") {
        const ConfigError error = decode_error("name: x\npolicies:\n  credit_garantees: {}\n");
        CHECK(error.problem() == "unknown key 'credit_garantees'; did you mean 'credit_guarantee'?");
    }
    SECTION("nothing close: the valid keys, sorted") {
        const ConfigError error = decode_error("name: x\ndemand:\n  elasticity: 2\n");
        CHECK(error.mark() == at(3, 3));
        CHECK(error.key_path() == "demand.elasticity");
        CHECK(error.problem() ==
              "unknown key 'elasticity'; valid keys are forecast, level, maximum, minimum");
    }
}

TEST_CASE("a missing required key is reported at its map with the full path", "[config][decode]") {
    SECTION("at the root") {
        CHECK_THROWS_AS(config::decode<Scenario>(parse("months: 3\n")), ConfigError);
        const ConfigError error = decode_error("months: 3\n");
        CHECK(error.mark() == at(1, 1));
        CHECK(error.key_path() == "name");
        CHECK(error.problem() == "missing required key");
    }
    SECTION("in a list item") {
        const ConfigError error = decode_error("name: x\ntiers:\n  - tier: oem\n  - count: 3\n");
        CHECK(error.mark() == at(4, 5));
        CHECK(error.key_path() == "tiers[1].tier");
        CHECK(error.problem() == "missing required key");
    }
}

TEST_CASE("decode takes the path of the subtree it is given", "[config][decode]") {
    const Node root = parse("policies:\n  credit_guarantee:\n    coverage: 2\n");
    const Node& guarantee = *root.find("policies")->find("credit_guarantee");
    const ConfigError error =
        error_from([&] { config::decode<CreditGuarantee>(guarantee, "policies.credit_guarantee"); });
    CHECK(error.key_path() == "policies.credit_guarantee.coverage");
    CHECK(error.mark() == at(3, 15));
}

TEST_CASE("cross-field rules blame the key they name", "[config][decode]") {
    SECTION("at the key's value when present") {
        const ConfigError error = decode_error("name: x\ndemand:\n  minimum: 5\n  maximum: 2\n");
        CHECK(error.mark() == at(4, 12));
        CHECK(error.key_path() == "demand.maximum");
        CHECK(error.problem() == "must not be below minimum");
    }
    SECTION("at the map when the key was left to its default") {
        const ConfigError error = decode_error("name: x\ndemand:\n  minimum: 5000\n");
        CHECK(error.mark() == at(3, 3));
        CHECK(error.key_path() == "demand.maximum");
    }
    SECTION("satisfied rules pass") {
        CHECK_NOTHROW(config::decode<Demand>(parse("minimum: 2\nmaximum: 2\n")));
    }
}

TEST_CASE("cross-field rules may blame a nested value or a map key by path", "[config][decode]") {
    SECTION("a list item inside a map entry whose name holds a dot") {
        const ConfigError error = error_from([] {
            (void)config::decode<Atlas>(parse("regions:\n  a: {}\n  a.b:\n    names: [ok, bad]\n"));
        });
        CHECK(error.key_path() == "regions.a.b.names[1]");
        CHECK(error.mark() == at(4, 17));
        CHECK(error.problem() == "bad name");
    }
    SECTION("a map key, at the key") {
        const ConfigError error = error_from([] {
            (void)config::decode<Atlas>(parse("regions:\n  r:\n    shares: {good: 1, bad: 2}\n"));
        });
        CHECK(error.key_path() == "regions.r.shares.bad");
        CHECK(error.mark() == at(3, 23));
    }
    SECTION("a field of a nested struct") {
        CHECK_NOTHROW(config::decode<Atlas>(parse("home: {size: 1}\n")));
        const ConfigError negative = error_from([] { (void)config::decode<Atlas>(parse("home: {size: -1}\n")); });
        CHECK(negative.mark() == at(1, 14));
        CHECK(negative.key_path() == "home.size");
    }
}

TEST_CASE("a list or map with more entries than declared is refused before its items", "[config][decode]") {
    const ConfigError codes = error_from([] { (void)config::decode<Atlas>(parse("codes: [1, 2, 3]\n")); });
    CHECK(codes.mark() == at(1, 8));
    CHECK(codes.key_path() == "codes");
    CHECK(codes.problem() == "has 3 entries; at most 2 are allowed");
    // Item bounds still apply to each item.
    CHECK(error_from([] { (void)config::decode<Atlas>(parse("codes: [1, 12]\n")); }).key_path() == "codes[1]");
    const ConfigError regions =
        error_from([] { (void)config::decode<Atlas>(parse("regions: {a: {}, b: {}, c: {}, d: {size: x}}\n")); });
    CHECK(regions.key_path() == "regions");
    CHECK(regions.problem() == "has 4 entries; at most 3 are allowed");
}

TEST_CASE("null clears an optional; other types refuse it", "[config][decode]") {
    const Scenario scenario =
        config::decode<Scenario>(parse("name: x\nsectors:\n  a: {cap: null}\n  b: {cap: 4}\n"));
    CHECK(scenario.sectors.at("a").cap == std::nullopt);
    CHECK(scenario.sectors.at("b").cap == 4);
    CHECK(decode_error("name: x\nmonths: ~\n").problem() == "expected an integer, got null");
    CHECK(decode_error("name: x\ntiers: null\n").problem() == "expected a list, got null");
}

TEST_CASE("booleans are true or false only, quoted ones are strings", "[config][decode]") {
    CHECK(config::decode<Scenario>(parse("name: x\nverbose: true\n")).verbose);
    CHECK(config::decode<Scenario>(parse("name: x\nverbose: True\n")).verbose);
    CHECK_FALSE(config::decode<Scenario>(parse("name: x\nverbose: FALSE\n")).verbose);
    CHECK(decode_error("name: x\nverbose: yes\n").problem() == "expected true or false, got 'yes'");
    CHECK(decode_error("name: x\nverbose: 'true'\n").problem() ==
          "expected true or false, got 'true' (quoted, so a string)");
}

TEST_CASE("a plain scalar is text for a string field", "[config][decode]") {
    CHECK(config::decode<Scenario>(parse("name: 2024\n")).name == "2024");
    CHECK(config::decode<Scenario>(parse("name: \"1\"\n")).name == "1");
}

// ------------------------------------------------------------ layering

SCENARIO("extends merges maps deeply and keeps each value's file", "[config][layered]") {
    GIVEN("a base, a middle layer in another directory, and a scenario") {
        const TempDir dir;
        const auto base = dir.write("common/base.yaml",
                                    "name: base\nmonths: 12\ndemand:\n  level: 10\n  minimum: 1\n"
                                    "tiers:\n  - tier: oem\n  - tier: t1\n");
        const auto middle = dir.write("common/middle.yaml", "extends: base.yaml\ndemand:\n  level: 20\n");
        const auto scenario = dir.write("scenario.yaml",
                                        "extends: common/middle.yaml\nname: mine\ntiers:\n  - tier: t2\n"
                                        "verbose: true\n");
        WHEN("the scenario is loaded") {
            const Node root = config::load_layered(scenario);
            THEN("the extends key is gone") { CHECK(root.find("extends") == nullptr); }
            THEN("the extending file wins and new keys are appended") {
                std::vector<std::string> keys;
                for (const auto& entry : root.entries) {
                    keys.push_back(entry.key);
                }
                CHECK(keys == std::vector<std::string>{"name", "months", "demand", "tiers", "verbose"});
                CHECK(root.find("name")->scalar == "mine");
                CHECK(root.find("demand")->find("level")->scalar == "20");
                CHECK(root.find("demand")->find("minimum")->scalar == "1");
            }
            THEN("sequences are replaced whole") {
                REQUIRE(root.find("tiers")->items.size() == 1);
                CHECK(root.find("tiers")->items[0].find("tier")->scalar == "t2");
            }
            THEN("every value remembers the file it came from") {
                CHECK(root.find("name")->mark == at(2, 7, scenario.string()));
                CHECK(root.find("months")->mark == at(2, 9, base.string()));
                CHECK(root.find("demand")->find("level")->mark == at(3, 10, middle.string()));
                CHECK(root.find("demand")->find("minimum")->mark == at(5, 12, base.string()));
            }
            THEN("errors after layering point into the right file") {
                const Node bad = [&] {
                    Node copy = root;
                    copy.find("demand")->find("minimum")->scalar = "-1";
                    return copy;
                }();
                const ConfigError error = error_from([&] { config::decode<Scenario>(bad); });
                CHECK(error.mark() == at(5, 12, base.string()));
                CHECK(error.key_path() == "demand.minimum");
            }
        }
    }
}

SCENARIO("extends with a list layers several bases in order", "[config][layered]") {
    GIVEN("two regional files and a national one that joins them") {
        const TempDir dir;
        const auto north = dir.write("north.yaml", "name: north\nsectors:\n  cars:\n    level: 10\nmonths: 12\n");
        const auto south = dir.write("south.yaml", "name: south\nsectors:\n  planes:\n    level: 3\nmonths: 24\n");
        const auto national = dir.write("national.yaml", "extends: [north.yaml, south.yaml]\nname: national\n");
        const Node root = config::load_layered(national);
        THEN("maps from every base are merged, later bases over earlier ones, the file over all") {
            CHECK(root.find("name")->scalar == "national");
            CHECK(root.find("months")->scalar == "24");
            CHECK(root.find("months")->mark.file == south.string());
            CHECK(root.find("sectors")->find("cars")->find("level")->scalar == "10");
            CHECK(root.find("sectors")->find("planes")->find("level")->scalar == "3");
            CHECK(root.find("sectors")->find("cars")->mark.file == north.string());
        }
        THEN("a missing file in the list is reported at its item") {
            const auto broken = dir.write("broken.yaml", "extends: [north.yaml, nowhere.yaml]\n");
            const ConfigError error = error_from([&] { config::load_layered(broken); });
            CHECK(error.mark() == at(1, 23, broken.string()));
            CHECK(error.problem().starts_with("cannot find 'nowhere.yaml'"));
        }
    }
}

TEST_CASE("extends cycles are refused naming the files", "[config][layered]") {
    const TempDir dir;
    const auto first = dir.write("a.yaml", "extends: b.yaml\nname: a\n");
    const auto second = dir.write("b.yaml", "name: b\nextends: a.yaml\n");
    CHECK_THROWS_AS(config::load_layered(first), ConfigError);
    const ConfigError error = error_from([&] { config::load_layered(first); });
    CHECK(error.mark() == at(2, 10, second.string()));
    CHECK(error.key_path() == "extends");
    CHECK(error.problem() ==
          "extends cycle: " + first.string() + " -> " + second.string() + " -> " + first.string());
    const auto self = dir.write("self.yaml", "extends: self.yaml\n");
    CHECK(error_from([&] { config::load_layered(self); }).problem().starts_with("extends cycle: "));
}

TEST_CASE("a missing base file is reported at the extends value", "[config][layered]") {
    const TempDir dir;
    const auto scenario = dir.write("s.yaml", "name: s\nextends: nowhere.yaml\n");
    const ConfigError error = error_from([&] { config::load_layered(scenario); });
    CHECK(error.mark() == at(2, 10, scenario.string()));
    CHECK(error.key_path() == "extends");
    CHECK(error.problem().starts_with("cannot find 'nowhere.yaml'"));
}

TEST_CASE("a file without extends loads as is", "[config][layered]") {
    const TempDir dir;
    const auto scenario = dir.write("plain.yaml", good_scenario);
    CHECK(same_values(config::load_layered(scenario), parse(good_scenario)));
}

// ------------------------------------------------------------ overrides

TEST_CASE("overrides set nested values parsed as YAML", "[config][override]") {
    Node root = parse(good_scenario);
    SECTION("a scalar, located on the command line") {
        config::apply_override(root, "policies.credit_guarantee.coverage=0.9");
        const Node* coverage = root.find("policies")->find("credit_guarantee")->find("coverage");
        CHECK(coverage->scalar == "0.9");
        CHECK(coverage->mark == SourceMark{"<command line>", 1, 36});
        CHECK(config::decode<Scenario>(root).policies.credit_guarantee.coverage == 0.9);
    }
    SECTION("missing maps of a struct are created; a named entry is added only whole") {
        config::apply_override(root, "policies.credit_guarantee.payment_term_months=6");
        config::apply_override(root, "sectors.mining={level: 2}");
        const Scenario scenario = config::decode<Scenario>(root);
        CHECK(scenario.policies.credit_guarantee.payment_term_months == 6);
        CHECK(scenario.policies.credit_guarantee.coverage == 0.7);
        CHECK(scenario.sectors.at("mining").level == 2.0);
        CHECK(root.find("sectors")->entries.back().key_mark == SourceMark{"<command line>", 1, 9});
    }
    SECTION("a dotted path through a name the map lacks is refused at the name") {
        config::apply_override(root, "sectors.minning.level=2");
        const ConfigError error = error_from([&] { config::decode<Scenario>(root); });
        CHECK(error.mark() == SourceMark{"<command line>", 1, 9});
        CHECK(error.key_path() == "sectors.minning");
        CHECK_THAT(error.problem(), Catch::Matchers::Contains("it has: automotive, electronics"));
    }
    SECTION("flow lists, flow maps and quoted text") {
        config::apply_override(root, "policies.tariff_path=[0.2, 0.3]");
        config::apply_override(root, "demand={level: 5, forecast: exponential}");
        config::apply_override(root, "name=\"2024\"");
        const Scenario scenario = config::decode<Scenario>(root);
        CHECK(scenario.policies.tariff_path == std::vector<double>{0.2, 0.3});
        CHECK(scenario.demand.level == 5.0);
        CHECK(scenario.demand.maximum == 1000.0);  // replaced whole: defaults return
        CHECK(scenario.name == "2024");
        CHECK(root.find("name")->quoted);
        CHECK(root.find("demand")->find("level")->mark == SourceMark{"<command line>", 1, 16});
    }
    SECTION("list items by index") {
        config::apply_override(root, "tiers[1].count=7");
        CHECK(config::decode<Scenario>(root).tiers[1].count == 7);
    }
    SECTION("a bad override value is located on the command line") {
        config::apply_override(root, "months=soon");
        const ConfigError error = error_from([&] { config::decode<Scenario>(root); });
        CHECK(error.mark() == SourceMark{"<command line>", 1, 8});
        CHECK(error.key_path() == "months");
    }
    SECTION("null clears an optional") {
        config::apply_override(root, "sectors.electronics.cap=null");
        CHECK(config::decode<Scenario>(root).sectors.at("electronics").cap == std::nullopt);
    }
}

TEST_CASE("an override key must be UTF-8 text without control characters", "[config][override][text]") {
    Node root = parse("name: x\n");
    const ConfigError utf8 = error_from([&] { config::apply_override(root, "na\xff" "me=1"); });
    CHECK(utf8.mark() == at(1, 3, "<command line>"));
    CHECK(utf8.problem().starts_with("invalid UTF-8 (byte 0xFF)"));
    const ConfigError nul = error_from([&] { config::apply_override(root, std::string("x.\0name=2", 9)); });
    CHECK(nul.mark() == at(1, 3, "<command line>"));
    CHECK(nul.problem().starts_with("a NUL character"));
}

TEST_CASE("a key too long to write back as YAML is refused; one within the limit round-trips", "[config][limits]") {
    const std::string long_key(config::ReadLimits::key_bytes + 1, 'k');
    const ConfigError error = error_from([&] { parse("? " + long_key + "\n: 1\n"); });
    CHECK(error.mark() == at(1, 3));
    CHECK(error.problem() == "this key is 1001 bytes long as YAML; a key may be at most 1000");
    Node root = parse("a: 1\n");
    CHECK_THROWS_AS(config::apply_override(root, long_key + "=1"), ConfigError);
    const std::string key(config::ReadLimits::key_bytes, 'k');
    const Node kept = parse("? " + key + "\n: 1\n");
    CHECK(parse(config::emit_yaml(kept)).find(key) != nullptr);
}

TEST_CASE("malformed overrides are errors on the command line", "[config][override]") {
    Node root = parse(good_scenario);
    for (const char* bad : {"months", "=3", " =3", "a..b=1", "tiers[x].count=1", "tiers[1=2", ".a=1"}) {
        INFO(bad);
        CHECK_THROWS_AS(config::apply_override(root, bad), ConfigError);
        CHECK(error_from([&] { config::apply_override(root, bad); }).mark().file == "<command line>");
    }
    SECTION("setting inside a scalar") {
        const ConfigError error = error_from([&] { config::apply_override(root, "months.x=1"); });
        CHECK(error.mark() == SourceMark{"<command line>", 1, 8});
        CHECK(error.key_path() == "months");
    }
    SECTION("an index past the end") {
        const ConfigError error = error_from([&] { config::apply_override(root, "tiers[5].count=1"); });
        CHECK(error.problem() == "index 5 is out of range: the list has 2 items");
    }
    SECTION("a syntax error in the value") {
        const ConfigError error = error_from([&] { config::apply_override(root, "tiers=[1, 2"); });
        CHECK(error.mark().file == "<command line>");
        CHECK(error.key_path() == "tiers");
    }
    SECTION("a key and value nesting deeper than a file may") {
        // Found by the --set fuzzer: a 200-level dotted key built a tree that
        // emit_yaml wrote and parse_yaml refused, so the resolved scenario a
        // results file stores would not have read back.
        auto deep_key = [](std::size_t levels) {
            std::string key = "a";
            for (std::size_t k = 1; k < levels; ++k) key += ".a";
            return key;
        };
        const std::size_t limit = config::ReadLimits::depth;
        const ConfigError by_key = error_from([&] { config::apply_override(root, deep_key(limit + 1) + "=1"); });
        CHECK(by_key.mark() == SourceMark{"<command line>", 1, 1});
        CHECK_THAT(by_key.problem(), Catch::Matchers::Contains("more than the 200"));
        CHECK_THROWS_AS(config::apply_override(root, deep_key(limit) + "=[1]"), ConfigError);  // the value's list counts
        Node fresh = parse(good_scenario);
        config::apply_override(fresh, deep_key(limit) + "=1");  // at the limit: it reads back
        CHECK_NOTHROW(config::parse_yaml(config::emit_yaml(fresh), "<emitted>"));
    }
}

TEST_CASE("overrides build a tree from nothing", "[config][override]") {
    Node root;
    config::apply_override(root, "a.b.c=1");
    REQUIRE(root.kind == Node::Kind::Map);
    const Node* c = root.find("a")->find("b")->find("c");
    REQUIRE(c != nullptr);
    CHECK(c->scalar == "1");
    CHECK(c->mark == SourceMark{"<command line>", 1, 7});
}

// ------------------------------------------------------------ encoding and emitting

TEST_CASE("encode writes every field, defaults included", "[config][encode]") {
    const Node node = config::encode(Demand{});
    REQUIRE(node.kind == Node::Kind::Map);
    std::vector<std::string> keys;
    for (const auto& entry : node.entries) {
        keys.push_back(entry.key);
    }
    CHECK(keys == std::vector<std::string>{"level", "minimum", "maximum", "forecast"});
    CHECK(node.find("level")->scalar == "100");
    CHECK(node.find("forecast")->scalar == "moving_average");
    CHECK(config::encode(Sector{}).find("cap")->kind == Node::Kind::Null);
}

TEST_CASE("decode(encode(x)) == x, doubles exactly", "[config][encode]") {
    Scenario scenario;
    scenario.name = "true";
    scenario.months = 7;
    scenario.seed = 9007199254740993u;  // not representable as a double
    scenario.demand = Demand{0.1, 1e-9, 2.0 / 3.0, Forecast::exponential};
    scenario.policies.credit_guarantee.coverage = 0.1 + 0.2;
    scenario.policies.tariff_path = {1e-300, 0.30000000000000004, 0.123456789125};
    scenario.policies.budget_cap = 5e20;
    scenario.tiers = {{Tier::oem, 1, "a: b"}, {Tier::t2, 3, ""}};
    scenario.sectors["auto"] = Sector{2.0 / 3.0, 5};
    scenario.sectors["1"] = Sector{};
    scenario.lead_times = {{}, {1, 2}};
    CHECK(config::decode<Scenario>(config::encode(scenario)) == scenario);
    SECTION("and through YAML text") {
        const std::string text = config::emit_yaml(config::encode(scenario));
        INFO(text);
        CHECK(config::decode<Scenario>(parse(text)) == scenario);
    }
}

TEST_CASE("emit_yaml quotes strings that would read back as something else", "[config][emit]") {
    Node root = parse(good_scenario);
    const std::vector<std::string> tricky = {
        "true",        "1",         "",    ":",   "a: b",   "# no comment",
        "- item",      "null",      "~",   "yes", ".5",     "-3",
        "two\nlines",  " padded ",  "[x]", "{y}", "it's",   "say \"hi\"",
        "back\\slash", "tab\there", "---", "...", "ünïcode", "<<",
        // U+FEFF: written plain at a line's start, a reader drops it as a byte-order mark (fuzz finding)
        "\xef\xbb\xbf" "a", "b\xef\xbb\xbf" "c"};
    Node list;
    list.kind = Node::Kind::Sequence;
    for (const std::string& text : tricky) {
        Node item;
        item.kind = Node::Kind::Scalar;
        item.scalar = text;
        item.quoted = true;
        list.items.push_back(item);
    }
    root.entries.push_back({"tricky", {}, list});
    root.entries.push_back({"true", {}, parse("x")});
    root.entries.push_back({"\xef\xbb\xbf" "key", {}, parse("1")});
    // A key named <<, set by --set 'x.<<=1': written plain it reads back as a merge key, refused (fuzz finding).
    root.entries.push_back({"<<", {}, parse("1")});
    root.entries.push_back({"empty_map", {}, parse("{}")});
    root.entries.push_back({"empty_list", {}, parse("[]")});
    root.entries.push_back({"nothing", {}, Node{}});
    root.entries.push_back({"nested", {}, parse("[[1, [2, 3]], {a: [4, {b: 5}]}, [{c: 6, d: 7}]]")});

    const std::string text = config::emit_yaml(root);
    INFO(text);
    const Node again = parse(text);
    CHECK(same_values(again, root));
    const Node& items = *again.find("tricky");
    REQUIRE(items.items.size() == tricky.size());
    for (std::size_t i = 0; i < tricky.size(); ++i) {
        INFO(tricky[i]);
        CHECK(items.items[i].scalar == tricky[i]);
        CHECK(items.items[i].kind == Node::Kind::Scalar);
    }
    CHECK(items.items[1].quoted);  // "1" stays a string
    CHECK(again.find("months")->scalar == "24");
    CHECK_FALSE(again.find("months")->quoted);
}

TEST_CASE("emit_yaml writes block style with keys in order", "[config][emit]") {
    const Node root = parse("b: 1\na:\n  c: [x, y]\n  d: {}\n");
    CHECK(config::emit_yaml(root) == "b: 1\na:\n  c:\n    - x\n    - y\n  d: {}\n");
    CHECK(config::emit_yaml(Node{}) == "null\n");
}

// ------------------------------------------------------------ schema docs

TEST_CASE("schema_docs flattens every field with its declaration", "[config][docs]") {
    const auto docs = config::schema_docs<Scenario>();
    std::map<std::string, config::FieldDoc> by_path;
    std::vector<std::string> paths;
    for (const auto& [path, doc] : docs) {
        paths.push_back(path);
        by_path[path] = doc;
    }
    const std::vector<std::string> expected = {"name",
                                               "months",
                                               "verbose",
                                               "seed",
                                               "demand",
                                               "demand.level",
                                               "demand.minimum",
                                               "demand.maximum",
                                               "demand.forecast",
                                               "policies",
                                               "policies.credit_guarantee",
                                               "policies.credit_guarantee.coverage",
                                               "policies.credit_guarantee.payment_term_months",
                                               "policies.tariff_path",
                                               "policies.budget_cap",
                                               "tiers",
                                               "tiers[].tier",
                                               "tiers[].count",
                                               "tiers[].label",
                                               "sectors",
                                               "sectors.<name>.level",
                                               "sectors.<name>.cap",
                                               "lead_times"};
    CHECK(paths == expected);

    const auto& coverage = by_path.at("policies.credit_guarantee.coverage");
    CHECK(coverage.name == "coverage");
    CHECK(coverage.type == "number");
    CHECK(coverage.unit == "share");
    CHECK(coverage.range == "[0, 1]");
    CHECK(coverage.default_value == "0.5");
    CHECK(coverage.description == "Share of a loan guaranteed");
    CHECK_FALSE(coverage.required);

    CHECK(by_path.at("months").type == "integer");
    CHECK(by_path.at("months").range == "≥ 1");
    CHECK(by_path.at("months").default_value == "12");
    CHECK(by_path.at("verbose").type == "boolean");
    CHECK(by_path.at("verbose").default_value == "false");
    CHECK(by_path.at("name").type == "string");
    CHECK(by_path.at("name").required);
    CHECK(by_path.at("name").default_value == "\"\"");
    CHECK(by_path.at("demand").type == "map");
    CHECK(by_path.at("demand.forecast").type == "one of moving_average | exponential");
    CHECK(by_path.at("demand.forecast").default_value == "moving_average");
    CHECK(by_path.at("policies.tariff_path").type == "list of number");
    CHECK(by_path.at("policies.tariff_path").default_value == "[]");
    CHECK(by_path.at("policies.budget_cap").type == "number or null");
    CHECK(by_path.at("policies.budget_cap").default_value == "null");
    CHECK(by_path.at("tiers").type == "list of map");
    CHECK(by_path.at("sectors").type == "map of <name> to map");
    CHECK(by_path.at("sectors").default_value == "{}");
    CHECK(by_path.at("lead_times").type == "list of list of integer");
}

TEST_CASE("schema_docs gives a nested field the default its enclosing struct sets", "[config][docs]") {
    std::map<std::string, config::FieldDoc> by_path;
    for (const auto& [path, doc] : config::schema_docs<Atlas>()) by_path[path] = doc;
    CHECK(by_path.at("home.size").default_value == "0");
    CHECK(by_path.at("away.size").default_value == "7");
    CHECK(by_path.at("regions.<name>.size").default_value == "0");
    CHECK(by_path.at("codes").range == "[0, 9]; at most 2 entries");
    CHECK(by_path.at("regions").range == "at most 3 entries");
    // What the docs say is what decoding gives.
    CHECK(config::decode<Atlas>(parse("away: {names: []}\n")).away.size == 7);
}

TEST_CASE("schema_markdown documents every key in deterministic tables", "[config][docs]") {
    const std::string page = config::schema_markdown<Scenario>("Scenario keys");
    CHECK(page.starts_with("# Scenario keys\n"));
    CHECK(page.find("Generated") != std::string::npos);
    CHECK(page.find("| key | type | unit | range | default | description |") != std::string::npos);
    for (const auto& [path, doc] : config::schema_docs<Scenario>()) {
        INFO(path);
        CHECK(page.find("| `" + doc.name + "` |") != std::string::npos);
    }
    for (const char* section : {"## Top level", "## `demand`", "## `policies`",
                                "## `policies.credit_guarantee`", "## `tiers[]`", "## `sectors.<name>`"}) {
        INFO(section);
        CHECK(page.find(section) != std::string::npos);
    }
    CHECK(page.find("| `coverage` | number | share | [0, 1] | `0.5` | Share of a loan guaranteed |") !=
          std::string::npos);
    CHECK(page.find("| `tier` | one of oem \\| t1 \\| t2 |  |  | required | Position in the chain |") !=
          std::string::npos);
    CHECK(page.find("Scenario name \\| shown in plots") != std::string::npos);
    CHECK(page.find("list of map, see `tiers[]`") != std::string::npos);
    CHECK(page.find("map of &lt;name&gt; to map, see `sectors.<name>`") != std::string::npos);
    CHECK(page == config::schema_markdown<Scenario>("Scenario keys"));
}
