// Scenario configuration: a provenance-keeping YAML tree and typed schemas.
//
// YAML is read once, at the boundary, into `config::Node` trees that remember
// the file, line and column of every key and value (so errors can name them
// even after `extends:` layering and `--set` overrides have merged several
// sources). Typed structs declare their fields once (`Describe<T>`): type,
// unit, range, default, one-line doc. From that single declaration we decode,
// validate, encode the resolved scenario and generate the schema docs.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace tiersim::sim::config {

/// Where a key or value came from. Line and column are 1-based.
struct SourceMark {
    std::string file;
    int line = 0;
    int column = 0;
    /// "file:line:column"; just "file" when there is no line (an unreadable file).
    std::string to_string() const;
    friend bool operator==(const SourceMark&, const SourceMark&) = default;
};

/// A scenario that cannot be used. what() reads
/// "file:line:column: key.path: what is wrong" (empty parts left out).
class ConfigError : public std::runtime_error {
public:
    ConfigError(SourceMark mark, std::string key_path, std::string problem);
    const SourceMark& mark() const noexcept { return mark_; }
    const std::string& key_path() const noexcept { return key_path_; }
    const std::string& problem() const noexcept { return problem_; }

private:
    SourceMark mark_;
    std::string key_path_;
    std::string problem_;
};

/// The name in `names` closest to `name` if it is close enough to be a
/// likely typo ("did you mean"), else nothing.
std::optional<std::string> closest_name(const std::vector<std::string>& names, std::string_view name);

/// A YAML value with its source position. Maps keep file order.
struct Node {
    enum class Kind { Null, Scalar, Sequence, Map };
    struct Entry;

    Kind kind = Kind::Null;
    std::string scalar;        ///< text of a Scalar
    bool quoted = false;       ///< scalar was quoted in the source ("1" is a string)
    std::vector<Node> items;   ///< elements of a Sequence
    std::vector<Entry> entries;///< key/value pairs of a Map, in file order
    SourceMark mark;           ///< where the value starts
    /// Created by a `--set` path through a key the document does not have:
    /// a named entry (a sector, a cluster) may not be invented that way.
    bool implied = false;

    /// The value under `key` of a Map, or nullptr.
    const Node* find(std::string_view key) const;
    Node* find(std::string_view key);
};

struct Node::Entry {
    std::string key;
    SourceMark key_mark;
    Node value;
};

/// What the YAML reader accepts, so that a hostile or mistaken input (an
/// alias bomb, a generated file with millions of entries) is refused in
/// milliseconds, naming its place, instead of exhausting memory. Every
/// scenario in scenarios/ is far below each (docs/input-limits.md).
struct ReadLimits {
    /// Bytes in one file (a scenario, a base it extends, a sweep definition).
    static constexpr std::uintmax_t file_bytes = std::uintmax_t{16} << 20;
    /// Values in one document -- scalars, nulls, lists and maps, keys
    /// included -- counting what every alias expands to.
    static constexpr std::size_t values = 250'000;
    /// Aliases (`*name`) in one document.
    static constexpr std::size_t aliases = 10'000;
    /// Lists and maps nested in one another.
    static constexpr int depth = 200;
    /// Bytes of a key as YAML writes it back (quotes and escapes included):
    /// YAML allows an implicit key at most 1024 characters.
    static constexpr std::size_t key_bytes = 1000;
};

/// Parses one YAML document. Syntax errors, duplicate keys (however quoted or
/// written, block or flow), non-scalar keys, merge keys (`<<`), a second
/// document, text that is not UTF-8, control characters (NUL included, raw
/// or escaped) and inputs beyond ReadLimits become ConfigError with the
/// position. Quoted and block scalars are marked `quoted`; an empty value
/// ("key:") is a Null marked at its key. Empty text gives a Null root.
Node parse_yaml(std::string_view text, const std::string& source_name);
/// Reads and parses a YAML file; marks name the file as `path` spells it.
/// Throws ConfigError (unreadable file, a file over ReadLimits::file_bytes, syntax).
Node parse_yaml_file(const std::filesystem::path& path);

/// Loads a scenario file, following `extends: other.yaml` (relative to the
/// extending file, chains allowed, cycles refused). Maps merge key by key, the
/// extending file winning; scalars and sequences are replaced whole. The
/// `extends` key itself is removed from the result.
Node load_layered(const std::filesystem::path& path);

/// Applies one command-line override "a.b.c=value"; the value is parsed as
/// YAML, so `--set policies=[]` or `--set x.y="text"` work, and replaces what
/// was there. Missing maps on the path are created; list items are reached
/// with "tiers[2].count=5". Marks point at "<command line>", line 1, the
/// column of the text in `assignment`.
/// @throws ConfigError (file "<command line>") for a malformed assignment, a
///         path through a scalar, or an index past the end of a list.
void apply_override(Node& root, std::string_view assignment);

/// Emits a tree as YAML text (block style, keys in order). Strings that would
/// read back as something else ("true", "1", "", ":") are double-quoted, so
/// parse_yaml(emit_yaml(n)) gives the same kinds, texts and keys.
std::string emit_yaml(const Node& node);

/// Names of the values of an enum used in a schema; specialise per enum:
///   template <> struct EnumNames<Tier> {
///       static constexpr std::array<std::pair<Tier, std::string_view>, 4> values{...};
///   };
template <class E>
struct EnumNames;

template <class T>
class Fields;

/// Declares a config struct's schema; specialise per struct:
///   template <> struct Describe<DemandConfig> {
///       static void fields(Fields<DemandConfig>& f) {
///           f.add("level", &DemandConfig::level).unit("units/month")
///            .range(0, 1e9).doc("Mean final demand per month");
///       }
///   };
/// The default of each field is its value in a value-initialised T.
template <class T>
struct Describe;

/// Documentation of one field, for generated docs and error messages.
struct FieldDoc {
    std::string name;
    std::string type;        ///< "number", "integer", "boolean", "string", "one of a | b", "map",
                             ///< "list of ...", "map of <name> to ...", "... or null"
    std::string unit;
    std::string range;       ///< "[0, 1]", "≥ 0", "≤ 1" or empty
    std::string default_value;  ///< as YAML ("0.5", "[]"); empty for a nested struct
    std::string description;
    bool required = false;
};

/// Fields<T> (in config_schema.hpp) is what Describe<T>::fields receives:
///   f.add("name", &T::member)     -> a FieldSpec with chainable setters:
///       .unit("MXN/month") .range(lo, hi) .at_least(lo) .required()
///       .doc("One-line description")
///   f.check([](const T& v) -> std::optional<std::pair<std::string, std::string>> {
///       return {{"key", "what is wrong"}}; })   // cross-field rules
///   The key may be a path below T ("eligibility.sectors[1]", "distance_km.puebla"):
///   the error is placed at that value, or at the deepest part of the path the
///   input has. A rule returning std::optional<Blame> can blame a map's key
///   (`puebla:`) rather than its value: Blame{"distance_km.puebla", "...", true}.
/// Member types: bool, integers, double, std::string, enums with EnumNames,
/// structs with Describe, std::vector<X>, std::map<std::string, X>,
/// std::optional<X>, for any supported X.
///
/// A range applies to every number the field holds (each item of a list).
/// Also f.add(...).at_most(hi), and .max_entries(n) for a list or map field
/// (checked before its items are decoded). Integers above INT64_MAX are refused, even
/// for unsigned fields. `null` means empty only for std::optional.
///
/// Free functions (config_schema.hpp):
///   T decode<T>(const Node&, const std::string& path = "");   // throws ConfigError
///   Node encode<T>(const T&);       // every field, defaults included
///   std::vector<std::pair<std::string, FieldDoc>> schema_docs<T>();  // dotted paths
///   std::string schema_markdown<T>(std::string_view title);

}  // namespace tiersim::sim::config

#include "config_schema.hpp"  // Fields<T>, decode<T>, encode<T>, schema docs
