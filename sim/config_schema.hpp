// Typed schemas over config::Node: Fields<T>, decode<T>, encode<T>, docs.
//
// Included at the end of config.hpp; include that header, not this one.
//
// The templates here only bind member pointers and C++ types to type-erased
// field records; messages, number parsing, name suggestions and YAML emission
// live once, in config.cpp, so every field reports problems the same way.
#pragma once

#include "config.hpp"

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace tiersim::sim::config {

/// What a cross-field rule reports: the key to blame and what is wrong with it.
/// The key may be a path below the checked struct: "maximum",
/// "eligibility.sectors[1]", "distance_km.puebla" (map keys may hold dots).
using CrossFieldProblem = std::optional<std::pair<std::string, std::string>>;

/// A cross-field problem that may blame a map's key rather than its value:
/// Blame{"distance_km.puebla", "unknown cluster 'puebla'", true} places the
/// error at the text `puebla:`. A rule may return std::optional<Blame>
/// instead of CrossFieldProblem.
struct Blame {
    std::string path;     ///< below the checked struct, as for CrossFieldProblem
    std::string problem;  ///< what is wrong
    bool at_key = false;  ///< place the error at the last step's key, not its value
    Blame(std::string blamed_path, std::string what, bool blame_key = false)
        : path(std::move(blamed_path)), problem(std::move(what)), at_key(blame_key) {}
    Blame(std::pair<std::string, std::string> key_and_problem)  // NOLINT: implicit, as rules return pairs
        : Blame(std::move(key_and_problem.first), std::move(key_and_problem.second)) {}
};

namespace detail {

/// Inclusive limits applied to every number held by one field (a list of
/// shares in [0, 1] checks each share).
struct Bounds {
    std::optional<double> minimum;
    std::optional<double> maximum;
    /// Most items of a list or entries of a map (the outermost one only).
    std::optional<std::size_t> max_entries;
};

using DocList = std::vector<std::pair<std::string, FieldDoc>>;

/// One declared field of a struct, with its C++ type erased.
struct FieldRecord {
    std::string name;
    std::string type;
    std::string unit;
    std::string description;
    Bounds bounds;
    bool required = false;
    bool accepts_bounds = false;
    bool is_section = false;  ///< a nested struct, documented in its own table
    std::function<void(const Node&, const std::string& path, const Bounds&, void* object)> decode;
    std::function<Node(const void* object)> encode;
    std::function<Node()> default_value;
    /// Documents the fields inside this one; `defaults` is the encoded default
    /// this field has in its enclosing struct (nullptr: the nested type's own).
    std::function<void(const std::string& path, DocList&, const Node* defaults)> add_nested_docs;
};

/// Everything Describe<T>::fields declared for one struct.
struct StructSchema {
    std::vector<FieldRecord> fields;
    std::vector<std::function<std::optional<Blame>(const void* object)>> checks;
};

// Implemented in config.cpp.
std::string join_path(const std::string& path, std::string_view key);
std::string index_path(const std::string& path, std::size_t index);
void check_field_name(const StructSchema& schema, std::string_view name);
void check_bounds_declaration(const FieldRecord& field);

bool decode_bool(const Node& node, const std::string& path);
std::int64_t decode_integer(const Node& node, const std::string& path, std::int64_t lowest,
                            std::int64_t highest, const Bounds& bounds);
double decode_number(const Node& node, const std::string& path, const Bounds& bounds);
std::string decode_string(const Node& node, const std::string& path);
std::size_t decode_enum(const Node& node, const std::string& path,
                        std::span<const std::string_view> names);
/// Throws "expected a list" / "expected a map" unless `node` is of `kind`.
void expect_kind(const Node& node, const std::string& path, Node::Kind kind);
void decode_struct(const Node& node, const std::string& path, const StructSchema& schema,
                   void* object);
/// Throws unless a list or map of `count` items fits bounds.max_entries.
void check_entry_count(const Node& node, const std::string& path, std::size_t count, const Bounds& bounds);

Node plain_scalar(std::string text);
Node encode_bool(bool value);
Node encode_signed(std::int64_t value);
Node encode_unsigned(std::uint64_t value);
Node encode_number(double value);
Node encode_string(std::string value);
Node encode_struct(const StructSchema& schema, const void* object);
Node make_sequence(std::vector<Node> items);
Node make_map(std::vector<Node::Entry> entries);
Node make_null();

std::string enum_type_name(std::span<const std::string_view> names);
/// `defaults`: the struct's default as encoded by its enclosing struct
/// (nullptr: a value-initialised one), so nested defaults are documented as
/// decoding applies them.
void add_struct_docs(const StructSchema& schema, const std::string& path, DocList& docs,
                     const Node* defaults = nullptr);
std::string render_markdown(std::string_view title, const DocList& docs);

template <class M>
struct ValueTraits {
    static_assert(sizeof(M) == 0,
                  "config: unsupported member type; use bool, an integer, double, std::string, "
                  "an enum with EnumNames, a struct with Describe, or std::vector / "
                  "std::map<std::string, X> / std::optional of those");
};

template <class T>
const StructSchema& schema_of();

}  // namespace detail

template <class E>
concept NamedEnum = std::is_enum_v<E> && requires { EnumNames<E>::values; };

template <class T>
concept Described = std::is_class_v<T> && requires(Fields<T>& fields) {
    Describe<T>::fields(fields);
};

/// Chainable settings of one field, returned by Fields<T>::add.
template <class M>
class FieldSpec {
public:
    FieldSpec(detail::StructSchema& schema, std::size_t index) : schema_(&schema), index_(index) {}

    FieldSpec& unit(std::string unit_name) {
        record().unit = std::move(unit_name);
        return *this;
    }
    FieldSpec& range(double minimum, double maximum) {
        static_assert(detail::ValueTraits<M>::numeric, "range() needs a numeric field");
        record().bounds.minimum = minimum;
        record().bounds.maximum = maximum;
        detail::check_bounds_declaration(record());
        return *this;
    }
    FieldSpec& at_least(double minimum) {
        static_assert(detail::ValueTraits<M>::numeric, "at_least() needs a numeric field");
        record().bounds.minimum = minimum;
        detail::check_bounds_declaration(record());
        return *this;
    }
    FieldSpec& at_most(double maximum) {
        static_assert(detail::ValueTraits<M>::numeric, "at_most() needs a numeric field");
        record().bounds.maximum = maximum;
        detail::check_bounds_declaration(record());
        return *this;
    }
    FieldSpec& max_entries(std::size_t most) {
        static_assert(detail::ValueTraits<M>::container, "max_entries() needs a list or map field");
        record().bounds.max_entries = most;
        return *this;
    }
    FieldSpec& required() {
        record().required = true;
        return *this;
    }
    FieldSpec& doc(std::string description) {
        record().description = std::move(description);
        return *this;
    }

private:
    // An index, not a reference: later add() calls may reallocate the fields.
    detail::FieldRecord& record() { return schema_->fields[index_]; }

    detail::StructSchema* schema_;
    std::size_t index_;
};

/// What Describe<T>::fields receives; see config.hpp for the usage.
template <class T>
class Fields {
public:
    /// Declares `name` as member `member`. Names are unique and contain no
    /// '.', '[' or ']' (they become key paths). Throws std::logic_error.
    template <class M>
    FieldSpec<M> add(std::string name, M T::*member) {
        using Traits = detail::ValueTraits<M>;
        detail::check_field_name(schema_, name);
        detail::FieldRecord field;
        field.name = std::move(name);
        field.type = Traits::type_name();
        field.accepts_bounds = Traits::numeric;
        field.is_section = Traits::section;
        field.decode = [member](const Node& node, const std::string& path,
                                const detail::Bounds& bounds, void* object) {
            Traits::decode(node, path, bounds, static_cast<T*>(object)->*member);
        };
        field.encode = [member](const void* object) {
            return Traits::encode(static_cast<const T*>(object)->*member);
        };
        field.default_value = [member] {
            const T defaults{};
            return Traits::encode(defaults.*member);
        };
        field.add_nested_docs = &Traits::add_docs;
        schema_.fields.push_back(std::move(field));
        return FieldSpec<M>(schema_, schema_.fields.size() - 1);
    }

    /// Adds a rule over the decoded struct, run after every field decoded.
    /// It returns CrossFieldProblem or std::optional<Blame>.
    template <class Rule>
        requires(std::is_invocable_r_v<CrossFieldProblem, Rule, const T&> ||
                 std::is_invocable_r_v<std::optional<Blame>, Rule, const T&>)
    void check(Rule rule) {
        schema_.checks.push_back([rule = std::move(rule)](const void* object) -> std::optional<Blame> {
            if (auto problem = rule(*static_cast<const T*>(object))) return Blame(std::move(*problem));
            return std::nullopt;
        });
    }

    detail::StructSchema release() && { return std::move(schema_); }

private:
    detail::StructSchema schema_;
};

namespace detail {

template <class T>
const StructSchema& schema_of() {
    static const StructSchema schema = [] {
        Fields<T> fields;
        Describe<T>::fields(fields);
        return std::move(fields).release();
    }();
    return schema;
}

/// Leaves have no nested fields to document.
struct LeafDocs {
    static constexpr bool section = false;
    static constexpr bool container = false;
    static void add_docs(const std::string&, DocList&, const Node*) {}
};

template <>
struct ValueTraits<bool> : LeafDocs {
    static constexpr bool numeric = false;
    static std::string type_name() { return "boolean"; }
    static void decode(const Node& node, const std::string& path, const Bounds&, bool& out) {
        out = decode_bool(node, path);
    }
    static Node encode(bool value) { return encode_bool(value); }
};

template <class M>
    requires(std::integral<M> && !std::same_as<M, bool>)
struct ValueTraits<M> : LeafDocs {
    static_assert(sizeof(M) <= sizeof(std::int64_t), "config: integers wider than 64 bits");
    static constexpr bool numeric = true;
    // Values above INT64_MAX are refused even for uint64_t fields: no scenario
    // needs them, and one signed path keeps parsing simple.
    static constexpr std::int64_t highest =
        std::cmp_greater(std::numeric_limits<M>::max(), std::numeric_limits<std::int64_t>::max())
            ? std::numeric_limits<std::int64_t>::max()
            : static_cast<std::int64_t>(std::numeric_limits<M>::max());
    static std::string type_name() { return "integer"; }
    static void decode(const Node& node, const std::string& path, const Bounds& bounds, M& out) {
        out = static_cast<M>(
            decode_integer(node, path, std::numeric_limits<M>::lowest(), highest, bounds));
    }
    static Node encode(M value) {
        if constexpr (std::is_signed_v<M>) {
            return encode_signed(value);
        } else {
            return encode_unsigned(value);
        }
    }
};

template <std::floating_point M>
struct ValueTraits<M> : LeafDocs {
    static constexpr bool numeric = true;
    static std::string type_name() { return "number"; }
    static void decode(const Node& node, const std::string& path, const Bounds& bounds, M& out) {
        out = static_cast<M>(decode_number(node, path, bounds));
    }
    static Node encode(M value) { return encode_number(static_cast<double>(value)); }
};

template <>
struct ValueTraits<std::string> : LeafDocs {
    static constexpr bool numeric = false;
    static std::string type_name() { return "string"; }
    static void decode(const Node& node, const std::string& path, const Bounds&, std::string& out) {
        out = decode_string(node, path);
    }
    static Node encode(const std::string& value) { return encode_string(value); }
};

template <NamedEnum E>
struct ValueTraits<E> : LeafDocs {
    static constexpr bool numeric = false;
    static constexpr auto& values = EnumNames<E>::values;
    static constexpr auto names = [] {
        std::array<std::string_view, std::tuple_size_v<std::remove_cvref_t<decltype(values)>>> result{};
        for (std::size_t i = 0; i < result.size(); ++i) {
            result[i] = values[i].second;
        }
        return result;
    }();
    static std::string type_name() { return enum_type_name(names); }
    static void decode(const Node& node, const std::string& path, const Bounds&, E& out) {
        out = values[decode_enum(node, path, names)].first;
    }
    static Node encode(E value) {
        for (const auto& [candidate, name] : values) {
            if (candidate == value) {
                return plain_scalar(std::string(name));
            }
        }
        // A value outside EnumNames is a bug elsewhere; show it rather than hide it.
        return encode_signed(static_cast<std::int64_t>(value));
    }
};

template <Described S>
struct ValueTraits<S> {
    static constexpr bool numeric = false;
    static constexpr bool section = true;
    static constexpr bool container = false;
    static std::string type_name() { return "map"; }
    static void decode(const Node& node, const std::string& path, const Bounds&, S& out) {
        decode_struct(node, path, schema_of<S>(), &out);
    }
    static Node encode(const S& value) { return encode_struct(schema_of<S>(), &value); }
    static void add_docs(const std::string& path, DocList& docs, const Node* defaults) {
        add_struct_docs(schema_of<S>(), path, docs, defaults);
    }
};

template <class X>
struct ValueTraits<std::vector<X>> {
    using Item = ValueTraits<X>;
    static constexpr bool numeric = Item::numeric;
    static constexpr bool section = false;
    static constexpr bool container = true;
    static std::string type_name() { return "list of " + Item::type_name(); }
    static void decode(const Node& node, const std::string& path, const Bounds& bounds,
                       std::vector<X>& out) {
        expect_kind(node, path, Node::Kind::Sequence);
        check_entry_count(node, path, node.items.size(), bounds);
        const Bounds item_bounds{bounds.minimum, bounds.maximum, std::nullopt};
        out.assign(node.items.size(), X{});
        for (std::size_t i = 0; i < node.items.size(); ++i) {
            Item::decode(node.items[i], index_path(path, i), item_bounds, out[i]);
        }
    }
    static Node encode(const std::vector<X>& values) {
        std::vector<Node> items;
        items.reserve(values.size());
        for (const X& value : values) {
            items.push_back(Item::encode(value));
        }
        return make_sequence(std::move(items));
    }
    static void add_docs(const std::string& path, DocList& docs, const Node*) {
        Item::add_docs(path + "[]", docs, nullptr);
    }
};

/// A `--set` path that names an entry the scenario does not have (most often
/// a typo: `sectors.vehicle.…`) would otherwise add one with every default.
[[noreturn]] inline void refuse_implied_name(const Node& map, const std::string& path, const Node::Entry& entry) {
    std::string names;
    for (const Node::Entry& other : map.entries)
        if (!other.value.implied) names += (names.empty() ? "" : ", ") + other.key;
    throw ConfigError(entry.key_mark, join_path(path, entry.key),
                      "there is no '" + entry.key + "' in " + path + " (" + (names.empty() ? "it is empty" : "it has: " + names) +
                          "); a --set path cannot create one: give the whole entry, as in --set '" +
                          join_path(path, entry.key) + "={...}'");
}

template <class X>
struct ValueTraits<std::map<std::string, X>> {
    using Item = ValueTraits<X>;
    static constexpr bool numeric = Item::numeric;
    static constexpr bool section = false;
    static constexpr bool container = true;
    static std::string type_name() { return "map of <name> to " + Item::type_name(); }
    static void decode(const Node& node, const std::string& path, const Bounds& bounds,
                       std::map<std::string, X>& out) {
        expect_kind(node, path, Node::Kind::Map);
        check_entry_count(node, path, node.entries.size(), bounds);
        const Bounds item_bounds{bounds.minimum, bounds.maximum, std::nullopt};
        out.clear();
        for (const Node::Entry& entry : node.entries) {
            if (entry.value.implied) refuse_implied_name(node, path, entry);
            Item::decode(entry.value, join_path(path, entry.key), item_bounds, out[entry.key]);
        }
    }
    static Node encode(const std::map<std::string, X>& values) {
        std::vector<Node::Entry> entries;
        entries.reserve(values.size());
        for (const auto& [key, value] : values) {
            entries.push_back(Node::Entry{key, SourceMark{}, Item::encode(value)});
        }
        return make_map(std::move(entries));
    }
    static void add_docs(const std::string& path, DocList& docs, const Node*) {
        Item::add_docs(join_path(path, "<name>"), docs, nullptr);
    }
};

template <class X>
struct ValueTraits<std::optional<X>> {
    using Item = ValueTraits<X>;
    static constexpr bool numeric = Item::numeric;
    static constexpr bool section = false;
    static constexpr bool container = Item::container;
    static std::string type_name() { return Item::type_name() + " or null"; }
    static void decode(const Node& node, const std::string& path, const Bounds& bounds,
                       std::optional<X>& out) {
        if (node.kind == Node::Kind::Null) {
            out.reset();
            return;
        }
        out.emplace();
        Item::decode(node, path, bounds, *out);
    }
    static Node encode(const std::optional<X>& value) {
        return value ? Item::encode(*value) : make_null();
    }
    static void add_docs(const std::string& path, DocList& docs, const Node* defaults) {
        // An absent optional documents the fields its value would have.
        Item::add_docs(path, docs, defaults != nullptr && defaults->kind == Node::Kind::Null ? nullptr : defaults);
    }
};

}  // namespace detail

/// Decodes `node` as a T. `path` is the key path of `node` from the scenario
/// root, used in messages. Keys absent from `node` keep T{}'s values.
/// @throws ConfigError naming the file, line, column and key path.
template <class T>
T decode(const Node& node, const std::string& path = "") {
    T value{};
    detail::ValueTraits<T>::decode(node, path, detail::Bounds{}, value);
    return value;
}

/// Encodes every field of `value`, defaults included; doubles round-trip exactly.
template <class T>
Node encode(const T& value) {
    return detail::ValueTraits<T>::encode(value);
}

/// Every field of T and of the structs inside it, by dotted path:
/// "demand.level", "tiers[].count", "sectors.<name>.level".
template <Described T>
std::vector<std::pair<std::string, FieldDoc>> schema_docs() {
    detail::DocList docs;
    detail::add_struct_docs(detail::schema_of<T>(), "", docs);
    return docs;
}

/// A Markdown page with one table per struct section of T.
template <Described T>
std::string schema_markdown(std::string_view title) {
    return detail::render_markdown(title, schema_docs<T>());
}

}  // namespace tiersim::sim::config
