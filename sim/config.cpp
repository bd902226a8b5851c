// The only file that sees yaml-cpp: YAML text becomes config::Node trees here,
// and every message a scenario author reads about a bad value is worded here.
#include "sim/config.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>
#include <system_error>
#include <unordered_map>
#include <utility>

namespace tiersim::sim::config {

namespace {

constexpr std::string_view command_line_source = "<command line>";

std::string compose_message(const SourceMark& mark, const std::string& key_path, const std::string& problem) {
    std::string message;
    for (const std::string& part : {mark.to_string(), key_path, problem}) {
        if (part.empty()) {
            continue;
        }
        if (!message.empty()) {
            message += ": ";
        }
        message += part;
    }
    return message;
}

Node::Entry* find_entry(Node& node, std::string_view key) {
    for (Node::Entry& entry : node.entries) {
        if (entry.key == key) {
            return &entry;
        }
    }
    return nullptr;
}

// ---------------------------------------------------------------- numbers

std::string format_number(double value) {
    std::array<char, 32> buffer{};
    const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
    return std::string(buffer.data(), result.ptr);
}

// YAML allows an explicit '+', std::from_chars does not.
std::optional<std::string_view> without_plus(std::string_view text) {
    if (!text.empty() && text.front() == '+') {
        text.remove_prefix(1);
        if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
            return std::nullopt;
        }
    }
    if (text.empty()) {
        return std::nullopt;
    }
    return text;
}

/// Finite decimal numbers only: "1e6", ".5", "-3"; not "1,5", "nan", ".inf", "0x1A".
std::optional<double> parse_number(std::string_view text) {
    const auto digits = without_plus(text);
    if (!digits) {
        return std::nullopt;
    }
    double value = 0;
    const char* end = digits->data() + digits->size();
    const auto [stop, error] = std::from_chars(digits->data(), end, value);
    if (error != std::errc{} || stop != end || !std::isfinite(value)) {
        return std::nullopt;
    }
    return value;
}

enum class IntegerStatus { ok, not_a_number, fractional, out_of_range };

struct ParsedInteger {
    IntegerStatus status;
    std::int64_t value = 0;
};

ParsedInteger parse_integer(std::string_view text) {
    if (const auto digits = without_plus(text)) {
        std::int64_t value = 0;
        const char* end = digits->data() + digits->size();
        const auto [stop, error] = std::from_chars(digits->data(), end, value);
        if (stop == end && error == std::errc{}) {
            return {IntegerStatus::ok, value};
        }
        if (stop == end && error == std::errc::result_out_of_range) {
            return {IntegerStatus::out_of_range};
        }
    }
    // Integral numbers in other notations ("1e6") are integers too.
    const auto number = parse_number(text);
    if (!number) {
        return {IntegerStatus::not_a_number};
    }
    if (std::trunc(*number) != *number) {
        return {IntegerStatus::fractional};
    }
    constexpr double two_to_63 = 9223372036854775808.0;
    if (*number < -two_to_63 || *number >= two_to_63) {
        return {IntegerStatus::out_of_range};
    }
    return {IntegerStatus::ok, static_cast<std::int64_t>(*number)};
}

bool is_true_word(std::string_view text) { return text == "true" || text == "True" || text == "TRUE"; }

bool is_false_word(std::string_view text) { return text == "false" || text == "False" || text == "FALSE"; }

// ---------------------------------------------------------------- reading YAML

SourceMark to_source_mark(const std::string& source, const YAML::Mark& mark) {
    // yaml-cpp counts from 0; editors and compilers count from 1.
    return SourceMark{source, mark.line + 1, mark.column + 1};
}

std::string describe_kind(Node::Kind kind) {
    switch (kind) {
        case Node::Kind::Sequence:
            return "a list";
        case Node::Kind::Map:
            return "a map";
        default:
            return "null";
    }
}

std::string hex_byte(unsigned char byte) {
    constexpr std::string_view hex = "0123456789ABCDEF";
    return {'0', 'x', hex[byte >> 4], hex[byte & 0xf]};
}

std::string code_point_name(char32_t code) {
    constexpr std::string_view hex = "0123456789ABCDEF";
    std::string digits;
    for (int shift = 12; shift >= 0; shift -= 4) {
        digits += hex[(code >> shift) & 0xf];
    }
    return "U+" + digits;
}

/// The first problem in `text` as UTF-8 text a YAML reader may take: its byte
/// offset and what is wrong, or nothing. Refuses malformed, overlong and
/// surrogate sequences, and control characters other than tab, line feed and
/// carriage return (`allow_controls`: only NUL is refused, for escaped scalars).
struct TextProblem {
    std::size_t offset;
    std::string what;
};

std::optional<TextProblem> find_text_problem(std::string_view text, bool allow_controls) {
    std::size_t i = 0;
    while (i < text.size()) {
        const auto byte = static_cast<unsigned char>(text[i]);
        if (byte < 0x80) {
            if (byte == 0) {
                return TextProblem{i, "a NUL character (U+0000)"};
            }
            const bool control = (byte < 0x20 && byte != '\t' && byte != '\n' && byte != '\r') || byte == 0x7f;
            if (control && !allow_controls) {
                return TextProblem{i, "the control character " + code_point_name(byte)};
            }
            ++i;
            continue;
        }
        // Lead byte: length and the smallest code point it may encode (no overlongs).
        std::size_t length = 0;
        char32_t code = 0;
        char32_t smallest = 0;
        if ((byte & 0xe0) == 0xc0) {
            length = 2, code = byte & 0x1f, smallest = 0x80;
        } else if ((byte & 0xf0) == 0xe0) {
            length = 3, code = byte & 0x0f, smallest = 0x800;
        } else if ((byte & 0xf8) == 0xf0) {
            length = 4, code = byte & 0x07, smallest = 0x10000;
        }
        bool valid = length != 0 && i + length <= text.size();
        for (std::size_t k = 1; valid && k < length; ++k) {
            const auto next = static_cast<unsigned char>(text[i + k]);
            valid = (next & 0xc0) == 0x80;
            code = (code << 6) | (next & 0x3f);
        }
        valid = valid && code >= smallest && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff);
        if (!valid) {
            return TextProblem{i, "invalid UTF-8 (byte " + hex_byte(byte) + ")"};
        }
        i += length;
    }
    return std::nullopt;
}

/// Line and column (1-based, counting characters as yaml-cpp does) of a byte offset.
SourceMark mark_of_offset(std::string_view text, std::size_t offset, const std::string& source) {
    int line = 1;
    int column = 1;
    for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
        const auto byte = static_cast<unsigned char>(text[i]);
        if (byte == '\n') {
            ++line;
            column = 1;
        } else if ((byte & 0xc0) != 0x80) {  // not a continuation byte
            ++column;
        }
    }
    return SourceMark{source, line, column};
}

std::string string_text(std::string_view text, bool in_flow);

/// Refuses a key that emit_yaml could not write back as an implicit key
/// (YAML allows those at most 1024 characters).
void check_key_length(std::string_view key, const SourceMark& mark, const std::string& key_path) {
    const std::size_t written = string_text(key, false).size();
    if (written > ReadLimits::key_bytes) {
        throw ConfigError(mark, key_path.size() > 80 ? key_path.substr(0, 80) + "..." : key_path,
                          "this key is " + std::to_string(written) + " bytes long as YAML; a key may be at most " +
                              std::to_string(ReadLimits::key_bytes));
    }
}

/// Builds Node trees straight from yaml-cpp's parser events, keeping every
/// key's and value's position, and refusing what no scenario needs before it
/// costs time or memory: more values than ReadLimits::values (counting what
/// aliases expand to, checked before copying), too many aliases, deep nesting,
/// an alias inside its own anchor, duplicate and merge keys, and scalars with
/// NUL or invalid UTF-8 from escapes.
class TreeBuilder final : public YAML::EventHandler {
public:
    TreeBuilder(std::string_view text, std::string source) : text_(text), source_(std::move(source)) {}

    /// The first document's root, once parsed; a Null at 1:1 for none.
    Node take_root() && {
        if (documents_ == 0) {
            Node empty;
            empty.mark = SourceMark{source_, 1, 1};
            return empty;
        }
        return std::move(root_);
    }

    void OnDocumentStart(const YAML::Mark&) override { ++documents_; }
    void OnDocumentEnd() override {}

    void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
        Node node;
        node.mark = start_value(mark);
        add(std::move(node), anchor, 1);
    }

    void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  const std::string& value) override {
        Node node;
        node.mark = start_value(mark);
        node.kind = Node::Kind::Scalar;
        node.scalar = value;
        node.quoted = is_string_tag(tag);
        // The text was checked before parsing; escapes ("\0", "\ud800") can still make these.
        if (const auto problem = find_text_problem(value, true)) {
            throw ConfigError(node.mark, child_path(),
                              "this value holds " + problem->what + ", which a scenario may not hold");
        }
        add(std::move(node), anchor, 1);
    }

    void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
        const SourceMark at = to_source_mark(source_, mark);
        check_document(at);
        if (++aliases_ > ReadLimits::aliases) {
            throw ConfigError(at, child_path(),
                              "more than " + std::to_string(ReadLimits::aliases) +
                                  " aliases in one document (see docs/input-limits.md)");
        }
        const auto found = anchors_.find(anchor);
        if (found == anchors_.end()) {
            throw ConfigError(at, child_path(), "alias " + alias_name(mark) + " refers to a list or map that contains it");
        }
        const auto& [node, size] = found->second;
        if (size > ReadLimits::values - values_) {
            throw ConfigError(at, child_path(),
                              "alias " + alias_name(mark) + " expands to " + std::to_string(size) +
                                  " values, taking the document past the limit of " +
                                  std::to_string(ReadLimits::values) + " values (see docs/input-limits.md)");
        }
        values_ += size;
        Node copy = node;
        copy.mark = at;  // where it is used: a duplicate key written as an alias is found here
        add(std::move(copy), YAML::NullAnchor, size);
    }

    void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                         YAML::EmitterStyle::value) override {
        open(mark, anchor, Node::Kind::Sequence);
    }
    void OnSequenceEnd() override { close(); }

    void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                    YAML::EmitterStyle::value) override {
        open(mark, anchor, Node::Kind::Map);
    }
    void OnMapEnd() override { close(); }

private:
    /// A list or map being read.
    struct Frame {
        Node node;
        YAML::anchor_t anchor = YAML::NullAnchor;
        std::size_t size = 1;       ///< values in the subtree, itself included
        std::string path;           ///< key path of `node`
        bool have_key = false;      ///< a map's key is read, its value not yet
        std::string key;
        SourceMark key_mark;
        std::unordered_map<std::string, SourceMark> first_marks;  ///< a map's keys so far
    };

    // yaml-cpp tags quoted and block scalars "!" (non-specific): they are
    // strings whatever they look like, so "1" must not become a number.
    static bool is_string_tag(const std::string& tag) { return tag == "!" || tag == "tag:yaml.org,2002:str"; }

    /// "'*name'" as written at `mark`, or "here" if the text does not show it.
    std::string alias_name(const YAML::Mark& mark) const {
        const auto pos = static_cast<std::size_t>(std::max(mark.pos, 0));
        if (pos >= text_.size() || text_[pos] != '*') {
            return "here";
        }
        const auto end = text_.find_first_of(" \t\r\n,[]{}", pos);
        constexpr std::size_t longest_shown = 40;
        return "'" + std::string(text_.substr(pos, std::min(end, text_.size()) - pos).substr(0, longest_shown)) + "'";
    }

    /// Key path of the value about to be added to the innermost open list or map.
    std::string child_path() const {
        if (stack_.empty()) {
            return "";
        }
        const Frame& parent = stack_.back();
        if (parent.node.kind == Node::Kind::Sequence) {
            return detail::index_path(parent.path, parent.node.items.size());
        }
        return parent.have_key ? detail::join_path(parent.path, parent.key) : parent.path;
    }

    /// Refuses a second document where its first value starts.
    void check_document(const SourceMark& at) const {
        if (documents_ > 1) {
            throw ConfigError(at, "", "expected one YAML document, found " + std::to_string(documents_));
        }
    }

    /// Counts one new value against the limit; returns its mark.
    SourceMark start_value(const YAML::Mark& mark) {
        SourceMark at = to_source_mark(source_, mark);
        check_document(at);
        if (++values_ > ReadLimits::values) {
            throw ConfigError(at, child_path(),
                              "the document holds more than " + std::to_string(ReadLimits::values) +
                                  " values (see docs/input-limits.md)");
        }
        return at;
    }

    void open(const YAML::Mark& mark, YAML::anchor_t anchor, Node::Kind kind) {
        Frame frame;
        frame.node.mark = start_value(mark);
        frame.node.kind = kind;
        frame.anchor = anchor;
        frame.path = child_path();
        if (stack_.size() >= static_cast<std::size_t>(ReadLimits::depth)) {
            throw ConfigError(frame.node.mark, frame.path,
                              "lists and maps nest more than " + std::to_string(ReadLimits::depth) + " deep");
        }
        stack_.push_back(std::move(frame));
    }

    void close() {
        Frame frame = std::move(stack_.back());
        stack_.pop_back();
        add(std::move(frame.node), frame.anchor, frame.size);
    }

    /// Places a finished value in its list or map (or as the root), and keeps
    /// a copy under its anchor for the aliases that follow.
    void add(Node node, YAML::anchor_t anchor, std::size_t size) {
        if (anchor != YAML::NullAnchor) {
            // The copy kept for aliases counts against the limit too.
            if (size > ReadLimits::values - values_) {
                throw ConfigError(node.mark, child_path(),
                                  "the document holds more than " + std::to_string(ReadLimits::values) +
                                      " values (see docs/input-limits.md)");
            }
            values_ += size;
            anchors_[anchor] = {node, size};
        }
        if (stack_.empty()) {
            root_ = std::move(node);
            return;
        }
        Frame& parent = stack_.back();
        parent.size += size;
        if (parent.node.kind == Node::Kind::Sequence) {
            parent.node.items.push_back(std::move(node));
        } else if (!parent.have_key) {
            take_key(parent, std::move(node));
        } else {
            // yaml-cpp places an empty value ("coverage:") at the next token,
            // often on a later line; the key is where the author looks.
            if (node.kind == Node::Kind::Null && node.mark.line != parent.key_mark.line) {
                node.mark = parent.key_mark;
            }
            parent.node.entries.push_back(Node::Entry{std::move(parent.key), parent.key_mark, std::move(node)});
            parent.have_key = false;
        }
    }

    static void take_key(Frame& map, Node key) {
        if (key.kind != Node::Kind::Scalar) {
            throw ConfigError(key.mark, map.path, "a key must be a name, got " + describe_kind(key.kind));
        }
        const std::string key_path = detail::join_path(map.path, key.scalar);
        check_key_length(key.scalar, key.mark, key_path);
        if (key.scalar == "<<" && !key.quoted) {
            throw ConfigError(key.mark, key_path,
                              "merge keys (<<) are not supported: write the keys out, or put shared "
                              "keys in a base file and use extends:");
        }
        const auto [first, inserted] = map.first_marks.emplace(key.scalar, key.mark);
        if (!inserted) {
            throw ConfigError(key.mark, key_path,
                              "duplicate key '" + key.scalar + "' (first at line " +
                                  std::to_string(first->second.line) + ", column " +
                                  std::to_string(first->second.column) + ")");
        }
        map.key = std::move(key.scalar);
        map.key_mark = std::move(key.mark);
        map.have_key = true;
    }

    std::string_view text_;
    std::string source_;
    std::vector<Frame> stack_;
    std::unordered_map<YAML::anchor_t, std::pair<Node, std::size_t>> anchors_;
    Node root_;
    int documents_ = 0;
    std::size_t values_ = 0;
    std::size_t aliases_ = 0;
};

std::optional<std::string> read_text(const std::filesystem::path& path) {
    std::error_code error;
    if (std::filesystem::is_directory(path, error)) {
        return std::nullopt;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return std::nullopt;
    }
    // Read in blocks, so a huge file (or an endless device) is refused at the limit.
    std::string text;
    std::array<char, 1 << 16> block{};
    while (in.read(block.data(), block.size()) || in.gcount() > 0) {
        text.append(block.data(), static_cast<std::size_t>(in.gcount()));
        if (text.size() > ReadLimits::file_bytes) {
            throw ConfigError(SourceMark{path.string(), 0, 0}, "",
                              "the file is larger than " + std::to_string(ReadLimits::file_bytes >> 20) +
                                  " MiB, the most a scenario file may hold (see docs/input-limits.md)");
        }
    }
    if (in.bad()) {
        return std::nullopt;
    }
    return text;
}

// ---------------------------------------------------------------- layering

/// Files being loaded, outermost first, to refuse `extends` cycles.
struct ExtendsChain {
    std::vector<std::filesystem::path> canonical;
    std::vector<std::string> shown;
};

std::filesystem::path canonical_or_same(const std::filesystem::path& path) {
    std::error_code error;
    auto canonical = std::filesystem::weakly_canonical(path, error);
    return error ? path : canonical;
}

void remove_key(Node& map, std::string_view key) {
    std::erase_if(map.entries, [key](const Node::Entry& entry) { return entry.key == key; });
}

/// Deep merge: maps merge key by key, anything else is replaced whole, so
/// every value keeps the mark of the file it came from.
void merge_into(Node& base, Node&& overlay) {
    if (base.kind != Node::Kind::Map || overlay.kind != Node::Kind::Map) {
        base = std::move(overlay);
        return;
    }
    base.mark = overlay.mark;
    // An index of the base's keys keeps the merge linear in large maps.
    std::unordered_map<std::string, std::size_t> position;
    position.reserve(base.entries.size());
    for (std::size_t i = 0; i < base.entries.size(); ++i) {
        position.emplace(base.entries[i].key, i);
    }
    for (Node::Entry& entry : overlay.entries) {
        const auto found = position.find(entry.key);
        if (found == position.end()) {
            position.emplace(entry.key, base.entries.size());
            base.entries.push_back(std::move(entry));
            continue;
        }
        Node::Entry& existing = base.entries[found->second];
        existing.key_mark = entry.key_mark;
        merge_into(existing.value, std::move(entry.value));
    }
}

std::filesystem::path resolve_extends(const std::filesystem::path& file, const Node& extends) {
    if (extends.kind != Node::Kind::Scalar || extends.scalar.empty()) {
        throw ConfigError(extends.mark, "extends", "expected a file name");
    }
    return (file.parent_path() / extends.scalar).lexically_normal();
}

void refuse_cycle(const ExtendsChain& chain, const std::filesystem::path& base, const Node& extends) {
    const auto canonical = canonical_or_same(base);
    const auto found = std::find(chain.canonical.begin(), chain.canonical.end(), canonical);
    if (found == chain.canonical.end()) {
        return;
    }
    std::string cycle;
    for (auto it = chain.shown.begin() + (found - chain.canonical.begin()); it != chain.shown.end(); ++it) {
        cycle += *it + " -> ";
    }
    throw ConfigError(extends.mark, "extends", "extends cycle: " + cycle + base.string());
}

Node load_layer(const std::filesystem::path& file, ExtendsChain& chain);

/// Loads one base named by `extends` (a scalar), refusing cycles and missing files.
Node load_base(const std::filesystem::path& file, const Node& extends, ExtendsChain& chain) {
    const std::filesystem::path base_file = resolve_extends(file, extends);
    refuse_cycle(chain, base_file, extends);
    std::error_code error;
    if (!std::filesystem::is_regular_file(base_file, error)) {
        throw ConfigError(extends.mark, "extends",
                          "cannot find '" + extends.scalar + "' (looked for " + base_file.string() + ")");
    }
    return load_layer(base_file, chain);
}

Node load_layer(const std::filesystem::path& file, ExtendsChain& chain) {
    Node root = parse_yaml_file(file);
    const Node* extends = root.kind == Node::Kind::Map ? root.find("extends") : nullptr;
    if (extends == nullptr) {
        return root;
    }
    chain.canonical.push_back(canonical_or_same(file));
    chain.shown.push_back(file.string());
    // `extends: [a.yaml, b.yaml]` layers the bases in order, later over earlier,
    // so one scenario can join several (a national one from regional ones).
    Node merged;
    if (extends->kind == Node::Kind::Sequence) {
        if (extends->items.empty()) throw ConfigError(extends->mark, "extends", "expected at least one file name");
        merged = load_base(file, extends->items.front(), chain);
        for (std::size_t k = 1; k < extends->items.size(); ++k)
            merge_into(merged, load_base(file, extends->items[k], chain));
    } else {
        merged = load_base(file, *extends, chain);
    }
    chain.canonical.pop_back();
    chain.shown.pop_back();
    remove_key(root, "extends");
    merge_into(merged, std::move(root));
    return merged;
}

// ---------------------------------------------------------------- overrides

SourceMark command_line_mark(std::size_t offset) {
    return SourceMark{std::string(command_line_source), 1, static_cast<int>(offset) + 1};
}

/// One dotted segment of an override key: "tiers[2]" is key "tiers", index 2.
struct OverrideStep {
    std::string key;
    std::vector<std::size_t> indices;
    std::size_t offset = 0;  ///< position of the segment in the assignment
};

std::string_view trim(std::string_view text, std::size_t& offset) {
    while (!text.empty() && text.front() == ' ') {
        text.remove_prefix(1);
        ++offset;
    }
    while (!text.empty() && text.back() == ' ') {
        text.remove_suffix(1);
    }
    return text;
}

std::vector<std::size_t> parse_indices(std::string_view suffix, const std::string& key_path,
                                       std::size_t offset) {
    std::vector<std::size_t> indices;
    const auto malformed = [&] {
        return ConfigError(command_line_mark(offset), key_path, "expected [index] after the key");
    };
    while (!suffix.empty()) {
        const auto close = suffix.find(']');
        if (suffix.front() != '[' || close == std::string_view::npos || close == 1) {
            throw malformed();
        }
        std::size_t index = 0;
        const char* digits_end = suffix.data() + close;
        const auto [stop, error] = std::from_chars(suffix.data() + 1, digits_end, index);
        if (stop != digits_end || error != std::errc{}) {
            throw malformed();
        }
        indices.push_back(index);
        suffix.remove_prefix(close + 1);
    }
    return indices;
}

std::vector<OverrideStep> parse_override_key(std::string_view key, std::size_t offset) {
    std::vector<OverrideStep> steps;
    const std::string whole(key);
    std::size_t start = 0;
    while (true) {
        const auto dot = key.find('.', start);
        const auto segment = key.substr(start, dot == std::string_view::npos ? dot : dot - start);
        const auto bracket = std::min(segment.find('['), segment.size());
        if (bracket == 0) {
            throw ConfigError(command_line_mark(offset + start), whole, "empty key in the path");
        }
        steps.push_back({std::string(segment.substr(0, bracket)),
                         parse_indices(segment.substr(bracket), whole, offset + start + bracket),
                         offset + start});
        if (dot == std::string_view::npos) {
            return steps;
        }
        start = dot + 1;
    }
}

void shift_columns(Node& node, int shift) {
    if (node.mark.line == 1) {
        node.mark.column += shift;
    }
    for (Node& item : node.items) {
        shift_columns(item, shift);
    }
    for (Node::Entry& entry : node.entries) {
        if (entry.key_mark.line == 1) {
            entry.key_mark.column += shift;
        }
        shift_columns(entry.value, shift);
    }
}

Node parse_override_value(std::string_view text, std::size_t offset, const std::string& key_path) {
    const int shift = static_cast<int>(offset);
    try {
        Node value = parse_yaml(text, std::string(command_line_source));
        shift_columns(value, shift);
        return value;
    } catch (const ConfigError& error) {
        SourceMark mark = error.mark();
        mark.column += mark.line == 1 ? shift : 0;
        throw ConfigError(mark, key_path, error.problem());
    }
}

/// The map to descend into at `path`; an empty value becomes an empty map.
Node& map_for_override(Node& node, const std::string& path, const OverrideStep& step) {
    if (node.kind == Node::Kind::Null) {
        node.kind = Node::Kind::Map;
    }
    if (node.kind != Node::Kind::Map) {
        const std::string held = node.kind == Node::Kind::Sequence ? "a list" : "'" + node.scalar + "'";
        throw ConfigError(command_line_mark(step.offset), path,
                          "holds " + held + " (from " + node.mark.to_string() + "), not a map, so '" +
                              step.key + "' cannot be set inside it");
    }
    return node;
}

Node& list_item_for_override(Node& node, const std::string& path, std::size_t index,
                             const OverrideStep& step) {
    if (node.kind != Node::Kind::Sequence) {
        throw ConfigError(command_line_mark(step.offset), path, "is not a list, so it has no [index]");
    }
    if (index >= node.items.size()) {
        throw ConfigError(command_line_mark(step.offset), path,
                          "index " + std::to_string(index) + " is out of range: the list has " +
                              std::to_string(node.items.size()) + " items");
    }
    return node.items[index];
}

/// Lists and maps nested in `node`, itself included (0 for a scalar or null).
std::size_t nesting_of(const Node& node) {
    std::size_t deepest = 0;
    for (const Node& item : node.items) deepest = std::max(deepest, nesting_of(item));
    for (const Node::Entry& entry : node.entries) deepest = std::max(deepest, nesting_of(entry.value));
    return node.kind == Node::Kind::Map || node.kind == Node::Kind::Sequence ? deepest + 1 : 0;
}

/// An override may not build a tree deeper than a file may be: what the run
/// stores as its resolved scenario must read back (ReadLimits::depth).
void check_override_depth(const std::vector<OverrideStep>& steps, const Node& value, const std::string& key) {
    std::size_t levels = nesting_of(value);
    for (const OverrideStep& step : steps) levels += 1 + step.indices.size();
    if (levels > static_cast<std::size_t>(ReadLimits::depth)) {
        throw ConfigError(command_line_mark(steps.front().offset), key,
                          "the key and its value nest " + std::to_string(levels) + " lists and maps deep, more than the " +
                              std::to_string(ReadLimits::depth) + " a scenario file may hold (docs/input-limits.md)");
    }
}

/// The node that `steps` names, creating missing map entries on the way.
Node& override_target(Node& root, const std::vector<OverrideStep>& steps) {
    Node* target = &root;
    std::string path;
    for (const OverrideStep& step : steps) {
        Node& map = map_for_override(*target, path, step);
        path = detail::join_path(path, step.key);
        Node::Entry* entry = find_entry(map, step.key);
        if (entry == nullptr) {
            Node created;
            created.mark = command_line_mark(step.offset);
            created.implied = &step != &steps.back();
            map.entries.push_back(Node::Entry{step.key, command_line_mark(step.offset), std::move(created)});
            entry = &map.entries.back();
        }
        target = &entry->value;
        for (std::size_t index : step.indices) {
            target = &list_item_for_override(*target, path, index, step);
            path = detail::index_path(path, index);
        }
    }
    return *target;
}

// ---------------------------------------------------------------- emitting YAML

/// U+FEFF in UTF-8.
constexpr std::string_view byte_order_mark = "\xef\xbb\xbf";

// Conservative: a scalar is written plain only when no YAML reader could take
// it for syntax; everything else is double-quoted.
bool is_safe_plain(std::string_view text, bool in_flow) {
    if (text.empty() || text.front() == ' ' || text.back() == ' ' || text.back() == ':') {
        return false;
    }
    // A plain << is YAML's merge key, which the reader refuses: a key or value
    // named so is written quoted.
    if (text == "<<") {
        return false;
    }
    constexpr std::string_view indicators = "[]{}#&*!|>'\"%@`,?:";
    if (indicators.find(text.front()) != std::string_view::npos) {
        return false;
    }
    if (text.front() == '-' && (text.size() == 1 || text[1] == ' ' || text.starts_with("---"))) {
        return false;
    }
    if (text.starts_with("...")) {  // a document end marker at the start of a line
        return false;
    }
    // At the start of a line a reader takes U+FEFF for a byte-order mark and drops it.
    if (text.find(byte_order_mark) != std::string_view::npos) {
        return false;
    }
    if (text.find(": ") != std::string_view::npos || text.find(" #") != std::string_view::npos) {
        return false;
    }
    if (in_flow && text.find_first_of(",[]{}") != std::string_view::npos) {
        return false;
    }
    return std::none_of(text.begin(), text.end(), [](char c) {
        const auto byte = static_cast<unsigned char>(c);
        return byte < 0x20 || byte == 0x7f;
    });
}

/// Would a plain scalar be read as null, a boolean or a number (by any YAML
/// 1.1 or 1.2 reader)? Such strings keep their quotes.
bool reads_as_non_string(std::string_view text) {
    static const std::set<std::string_view, std::less<>> words = {
        "~",     "null", "Null", "NULL", "true", "True", "TRUE", "false", "False",
        "FALSE", "y",    "Y",    "yes",  "Yes",  "YES",  "n",    "N",     "no",
        "No",    "NO",   "on",   "On",   "ON",   "off",  "Off",  "OFF"};
    if (words.contains(text)) {
        return true;
    }
    const char first = text.front();
    const bool starts_numeric = (first >= '0' && first <= '9') || first == '.';
    const bool signed_numeric = (first == '+' || first == '-') && text.size() > 1 &&
                                ((text[1] >= '0' && text[1] <= '9') || text[1] == '.');
    return starts_numeric || signed_numeric;
}

std::string double_quoted(std::string_view text) {
    std::string out = "\"";
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        const auto byte = static_cast<unsigned char>(c);
        if (text.substr(i).starts_with(byte_order_mark)) {  // escaped, so no reader drops it
            out += "\\ufeff";
            i += byte_order_mark.size() - 1;
        } else if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\t') {
            out += "\\t";
        } else if (byte < 0x20 || byte == 0x7f) {
            constexpr std::string_view hex = "0123456789abcdef";
            out += "\\x";
            out += hex[byte >> 4];
            out += hex[byte & 0xf];
        } else {
            out += c;
        }
    }
    return out + "\"";
}

std::string string_text(std::string_view text, bool in_flow) {
    if (is_safe_plain(text, in_flow) && !reads_as_non_string(text)) {
        return std::string(text);
    }
    return double_quoted(text);
}

std::string scalar_text(const Node& node, bool in_flow) {
    if (node.kind == Node::Kind::Null) {
        return "null";
    }
    if (node.quoted) {
        return string_text(node.scalar, in_flow);
    }
    return is_safe_plain(node.scalar, in_flow) ? node.scalar : double_quoted(node.scalar);
}

bool is_block_leaf(const Node& node) {
    return (node.kind != Node::Kind::Map && node.kind != Node::Kind::Sequence) ||
           (node.items.empty() && node.entries.empty());
}

std::string leaf_text(const Node& node) {
    if (node.kind == Node::Kind::Map) {
        return "{}";
    }
    if (node.kind == Node::Kind::Sequence) {
        return "[]";
    }
    return scalar_text(node, false);
}

void emit_block(const Node& node, int indent, bool first_line_started, std::string& out);

void emit_map(const Node& node, int indent, bool first_line_started, std::string& out) {
    bool started = first_line_started;
    for (const Node::Entry& entry : node.entries) {
        if (!started) {
            out.append(static_cast<std::size_t>(indent), ' ');
        }
        started = false;
        out += string_text(entry.key, false) + ":";
        if (is_block_leaf(entry.value)) {
            out += " " + leaf_text(entry.value) + "\n";
        } else {
            out += "\n";
            emit_block(entry.value, indent + 2, false, out);
        }
    }
}

void emit_sequence(const Node& node, int indent, bool first_line_started, std::string& out) {
    bool started = first_line_started;
    for (const Node& item : node.items) {
        if (!started) {
            out.append(static_cast<std::size_t>(indent), ' ');
        }
        started = false;
        out += "- ";
        if (is_block_leaf(item)) {
            out += leaf_text(item) + "\n";
        } else {
            emit_block(item, indent + 2, true, out);
        }
    }
}

void emit_block(const Node& node, int indent, bool first_line_started, std::string& out) {
    if (is_block_leaf(node)) {
        out += leaf_text(node) + "\n";
    } else if (node.kind == Node::Kind::Map) {
        emit_map(node, indent, first_line_started, out);
    } else {
        emit_sequence(node, indent, first_line_started, out);
    }
}

std::string emit_flow(const Node& node) {
    std::string out;
    if (node.kind == Node::Kind::Sequence) {
        for (const Node& item : node.items) {
            out += (out.empty() ? "" : ", ") + emit_flow(item);
        }
        return "[" + out + "]";
    }
    if (node.kind == Node::Kind::Map) {
        for (const Node::Entry& entry : node.entries) {
            out += (out.empty() ? "" : ", ") + string_text(entry.key, true) + ": " + emit_flow(entry.value);
        }
        return "{" + out + "}";
    }
    return scalar_text(node, true);
}

// ---------------------------------------------------------------- decoding

std::string describe_value(const Node& node) {
    switch (node.kind) {
        case Node::Kind::Null:
            return "null";
        case Node::Kind::Map:
            return "a map";
        case Node::Kind::Sequence:
            return "a list";
        case Node::Kind::Scalar:
            break;
    }
    constexpr std::size_t longest_shown = 60;
    if (node.scalar.size() > longest_shown) {
        return "'" + node.scalar.substr(0, longest_shown) + "...'";
    }
    return "'" + node.scalar + "'";
}

[[noreturn]] void throw_expected(const Node& node, const std::string& path, const std::string& expected) {
    throw ConfigError(node.mark, path, "expected " + expected + ", got " + describe_value(node));
}

/// Same as throw_expected, but says why a quoted "1.5" or "true" was refused.
[[noreturn]] void throw_expected_unquoted(const Node& node, const std::string& path,
                                          const std::string& expected, bool would_fit_unquoted) {
    const std::string note = node.quoted && would_fit_unquoted ? " (quoted, so a string)" : "";
    throw ConfigError(node.mark, path, "expected " + expected + ", got " + describe_value(node) + note);
}

void require_scalar(const Node& node, const std::string& path, const std::string& expected) {
    if (node.kind != Node::Kind::Scalar) {
        throw_expected(node, path, expected);
    }
}

void check_bounds(const Node& node, const std::string& path, double value, const detail::Bounds& bounds) {
    if (bounds.minimum && value < *bounds.minimum) {
        throw ConfigError(node.mark, path,
                          format_number(value) + " is below the minimum " + format_number(*bounds.minimum));
    }
    if (bounds.maximum && value > *bounds.maximum) {
        throw ConfigError(node.mark, path,
                          format_number(value) + " is above the maximum " + format_number(*bounds.maximum));
    }
}

std::size_t edit_distance(std::string_view from, std::string_view to) {
    std::vector<std::size_t> previous(to.size() + 1);
    std::vector<std::size_t> current(to.size() + 1);
    for (std::size_t j = 0; j <= to.size(); ++j) {
        previous[j] = j;
    }
    for (std::size_t i = 1; i <= from.size(); ++i) {
        current[0] = i;
        for (std::size_t j = 1; j <= to.size(); ++j) {
            const std::size_t substitution = previous[j - 1] + (from[i - 1] == to[j - 1] ? 0 : 1);
            current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
        }
        std::swap(previous, current);
    }
    return previous[to.size()];
}

std::vector<std::string> sorted_field_names(const detail::StructSchema& schema) {
    std::vector<std::string> names;
    for (const detail::FieldRecord& field : schema.fields) {
        names.push_back(field.name);
    }
    std::sort(names.begin(), names.end());
    return names;
}

/// The closest declared name, if close enough to be a likely typo.
std::optional<std::string> suggest_key(const std::vector<std::string>& names, std::string_view key) {
    const std::size_t tolerance = std::max<std::size_t>(2, key.size() / 3);
    std::optional<std::string> best;
    std::size_t best_distance = tolerance + 1;
    for (const std::string& name : names) {  // sorted, so ties go to the first alphabetically
        const std::size_t distance = edit_distance(key, name);
        if (distance < best_distance && distance < std::max(key.size(), name.size())) {
            best = name;
            best_distance = distance;
        }
    }
    return best;
}

[[noreturn]] void throw_unknown_key(const detail::StructSchema& schema, const Node::Entry& entry,
                                    const std::string& path) {
    const std::vector<std::string> names = sorted_field_names(schema);
    std::string problem = "unknown key '" + entry.key + "'";
    if (const auto suggestion = suggest_key(names, entry.key)) {
        problem += "; did you mean '" + *suggestion + "'?";
    } else if (names.empty()) {
        problem += "; this section takes no keys";
    } else {
        problem += "; valid keys are ";
        for (std::size_t i = 0; i < names.size(); ++i) {
            problem += (i == 0 ? "" : ", ") + names[i];
        }
    }
    throw ConfigError(entry.key_mark, detail::join_path(path, entry.key), problem);
}

const detail::FieldRecord* find_field(const detail::StructSchema& schema, std::string_view name) {
    for (const detail::FieldRecord& field : schema.fields) {
        if (field.name == name) {
            return &field;
        }
    }
    return nullptr;
}

void check_required(const Node& node, const std::string& path, const detail::StructSchema& schema) {
    for (const detail::FieldRecord& field : schema.fields) {
        if (field.required && node.find(field.name) == nullptr) {
            throw ConfigError(node.mark, detail::join_path(path, field.name), "missing required key");
        }
    }
}

/// The mark of what `rest` names below `node` -- ".key", "[index]" steps;
/// keys may hold dots, so every key that fits is tried, longest first -- or
/// nothing if the input does not have it.
std::optional<SourceMark> locate(const Node& node, std::string_view rest, bool at_key) {
    if (rest.empty()) {
        return node.mark;
    }
    if (rest.front() == '[') {
        const auto close = rest.find(']');
        std::size_t index = 0;
        const char* digits_end = rest.data() + (close == std::string_view::npos ? 0 : close);
        const auto [stop, error] = std::from_chars(rest.data() + 1, digits_end, index);
        if (close == std::string_view::npos || stop != digits_end || error != std::errc{} ||
            node.kind != Node::Kind::Sequence || index >= node.items.size()) {
            return std::nullopt;
        }
        return locate(node.items[index], rest.substr(close + 1), at_key);
    }
    if (rest.front() != '.' || node.kind != Node::Kind::Map) {
        return std::nullopt;
    }
    rest.remove_prefix(1);
    std::vector<const Node::Entry*> fitting;
    for (const Node::Entry& entry : node.entries) {
        const bool fits = rest.starts_with(entry.key) &&
                          (rest.size() == entry.key.size() || rest[entry.key.size()] == '.' ||
                           rest[entry.key.size()] == '[');
        if (fits) {
            fitting.push_back(&entry);
        }
    }
    std::sort(fitting.begin(), fitting.end(),
              [](const Node::Entry* a, const Node::Entry* b) { return a->key.size() > b->key.size(); });
    for (const Node::Entry* entry : fitting) {
        const std::string_view after = rest.substr(entry->key.size());
        if (after.empty()) {
            return at_key ? entry->key_mark : entry->value.mark;
        }
        if (auto mark = locate(entry->value, after, at_key)) {
            return mark;
        }
    }
    return std::nullopt;
}

/// Where to report a problem with `path` below `node`: the value (or key) it
/// names, else the deepest part of the path the input has, else `node`.
SourceMark blamed_mark(const Node& node, std::string_view path, bool at_key) {
    std::string rest = path.empty() || path.front() == '[' ? std::string(path) : "." + std::string(path);
    while (!rest.empty()) {
        if (auto mark = locate(node, rest, at_key)) {
            return *mark;
        }
        at_key = false;
        rest.resize(rest.find_last_of(".["));
    }
    return node.mark;
}

void run_cross_field_checks(const Node& node, const std::string& path, const detail::StructSchema& schema,
                            const void* object) {
    for (const auto& check : schema.checks) {
        if (auto problem = check(object)) {
            throw ConfigError(blamed_mark(node, problem->path, problem->at_key),
                              detail::join_path(path, problem->path), std::move(problem->problem));
        }
    }
}

// ---------------------------------------------------------------- docs

std::string format_range(const detail::Bounds& bounds) {
    std::string range;
    if (bounds.minimum && bounds.maximum) {
        range = "[" + format_number(*bounds.minimum) + ", " + format_number(*bounds.maximum) + "]";
    } else if (bounds.minimum) {
        range = "≥ " + format_number(*bounds.minimum);
    } else if (bounds.maximum) {
        range = "≤ " + format_number(*bounds.maximum);
    }
    if (bounds.max_entries) {
        range += (range.empty() ? "" : "; ") + std::string("at most ") + std::to_string(*bounds.max_entries) +
                 " entries";
    }
    return range;
}

std::string table_cell(std::string_view text) {
    std::string cell;
    for (char c : text) {
        if (c == '|') {
            cell += "\\|";
        } else if (c == '\n') {
            cell += ' ';
        } else {
            cell += c;
        }
    }
    return cell;
}

/// The section a documented path belongs to: "tiers[].count" -> "tiers[]".
std::string section_of(const std::string& path, const std::string& name) {
    return path.size() == name.size() ? "" : path.substr(0, path.size() - name.size() - 1);
}

/// Whether `section` documents the items of the field at `path`
/// ("tiers" -> "tiers[]", "sectors" -> "sectors.<name>", "demand" -> "demand").
bool documents_items_of(const std::string& section, const std::string& path) {
    if (!section.starts_with(path)) {
        return false;
    }
    std::string_view rest = std::string_view(section).substr(path.size());
    while (!rest.empty()) {
        if (rest.starts_with("[]")) {
            rest.remove_prefix(2);
        } else if (rest.starts_with(".<name>")) {
            rest.remove_prefix(7);
        } else {
            return false;
        }
    }
    return true;
}

/// Text outside code spans: "<name>" would otherwise vanish as an HTML tag.
std::string prose_cell(std::string_view text) {
    std::string escaped;
    for (char c : table_cell(text)) {
        if (c == '<') {
            escaped += "&lt;";
        } else if (c == '>') {
            escaped += "&gt;";
        } else {
            escaped += c;
        }
    }
    return escaped;
}

std::string markdown_row(const std::string& path, const FieldDoc& doc,
                         const std::vector<std::string>& sections) {
    std::string type = prose_cell(doc.type);
    for (const std::string& section : sections) {
        if (!section.empty() && documents_items_of(section, path)) {
            type += ", see `" + section + "`";
            break;
        }
    }
    const std::string default_cell = doc.required                ? "required"
                                     : doc.default_value.empty() ? ""
                                                                 : "`" + table_cell(doc.default_value) + "`";
    return "| `" + table_cell(doc.name) + "` | " + type + " | " + prose_cell(doc.unit) + " | " +
           prose_cell(doc.range) + " | " + default_cell + " | " + prose_cell(doc.description) + " |\n";
}

}  // namespace

// ---------------------------------------------------------------- public API

std::optional<std::string> closest_name(const std::vector<std::string>& names, std::string_view name) {
    std::vector<std::string> sorted = names;
    std::sort(sorted.begin(), sorted.end());
    return suggest_key(sorted, name);
}

std::string SourceMark::to_string() const {
    if (line <= 0) {
        return file;
    }
    return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

ConfigError::ConfigError(SourceMark mark, std::string key_path, std::string problem)
    : std::runtime_error(compose_message(mark, key_path, problem)),
      mark_(std::move(mark)),
      key_path_(std::move(key_path)),
      problem_(std::move(problem)) {}

const Node* Node::find(std::string_view key) const {
    for (const Entry& entry : entries) {
        if (entry.key == key) {
            return &entry.value;
        }
    }
    return nullptr;
}

Node* Node::find(std::string_view key) {
    const Node* found = std::as_const(*this).find(key);
    return const_cast<Node*>(found);
}

Node parse_yaml(std::string_view text, const std::string& source_name) {
    if (const auto problem = find_text_problem(text, false)) {
        throw ConfigError(mark_of_offset(text, problem->offset, source_name), "",
                          problem->what + ": a scenario must be UTF-8 text without NUL or other control characters");
    }
    std::istringstream stream{std::string(text)};
    TreeBuilder builder(text, source_name);
    try {
        YAML::Parser parser(stream);
        while (parser.HandleNextDocument(builder)) {
        }
    } catch (const YAML::Exception& error) {
        throw ConfigError(to_source_mark(source_name, error.mark), "", "invalid YAML: " + error.msg);
    }
    return std::move(builder).take_root();
}

Node parse_yaml_file(const std::filesystem::path& path) {
    const auto text = read_text(path);
    if (!text) {
        throw ConfigError(SourceMark{path.string(), 0, 0}, "", "cannot read this file");
    }
    return parse_yaml(*text, path.string());
}

Node load_layered(const std::filesystem::path& path) {
    ExtendsChain chain;
    return load_layer(path, chain);
}

void apply_override(Node& root, std::string_view assignment) {
    const auto equals = assignment.find('=');
    if (equals == std::string_view::npos) {
        throw ConfigError(command_line_mark(0), "",
                          "expected key.path=value, got '" + std::string(assignment) + "'");
    }
    std::size_t key_offset = 0;
    const std::string_view key = trim(assignment.substr(0, equals), key_offset);
    if (key.empty()) {
        throw ConfigError(command_line_mark(0), "", "no key before '=' in '" + std::string(assignment) + "'");
    }
    // The value is checked as any YAML text is; the key must meet the same rules.
    if (const auto problem = find_text_problem(key, false)) {
        throw ConfigError(command_line_mark(key_offset + problem->offset), "",
                          problem->what + ": a key must be UTF-8 text without NUL or other control characters");
    }
    const auto steps = parse_override_key(key, key_offset);
    for (const OverrideStep& step : steps) {
        check_key_length(step.key, command_line_mark(step.offset), std::string(key));
    }
    Node value = parse_override_value(assignment.substr(equals + 1), equals + 1, std::string(key));
    check_override_depth(steps, value, std::string(key));
    override_target(root, steps) = std::move(value);
}

std::string emit_yaml(const Node& node) {
    std::string out;
    emit_block(node, 0, false, out);
    return out;
}

namespace detail {

std::string join_path(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string index_path(const std::string& path, std::size_t index) {
    return path + "[" + std::to_string(index) + "]";
}

void check_field_name(const StructSchema& schema, std::string_view name) {
    if (name.empty() || name.find_first_of(".[]") != std::string_view::npos) {
        throw std::logic_error("config schema: field name '" + std::string(name) +
                               "' must be non-empty without '.', '[' or ']'");
    }
    if (find_field(schema, name) != nullptr) {
        throw std::logic_error("config schema: field '" + std::string(name) + "' declared twice");
    }
}

void check_bounds_declaration(const FieldRecord& field) {
    const auto& minimum = field.bounds.minimum;
    const auto& maximum = field.bounds.maximum;
    const bool finite = (!minimum || std::isfinite(*minimum)) && (!maximum || std::isfinite(*maximum));
    if (!finite || (minimum && maximum && *minimum > *maximum)) {
        throw std::logic_error("config schema: field '" + field.name + "' has an empty or non-finite range");
    }
}

bool decode_bool(const Node& node, const std::string& path) {
    require_scalar(node, path, "true or false");
    if (!node.quoted && is_true_word(node.scalar)) {
        return true;
    }
    if (!node.quoted && is_false_word(node.scalar)) {
        return false;
    }
    throw_expected_unquoted(node, path, "true or false",
                            is_true_word(node.scalar) || is_false_word(node.scalar));
}

std::int64_t decode_integer(const Node& node, const std::string& path, std::int64_t lowest,
                            std::int64_t highest, const Bounds& bounds) {
    require_scalar(node, path, "an integer");
    const ParsedInteger parsed = parse_integer(node.scalar);
    if (node.quoted || parsed.status == IntegerStatus::not_a_number) {
        throw_expected_unquoted(node, path, "an integer", parsed.status != IntegerStatus::not_a_number);
    }
    if (parsed.status == IntegerStatus::fractional) {
        throw ConfigError(node.mark, path, "expected an integer, got " + node.scalar);
    }
    if (parsed.status == IntegerStatus::out_of_range || parsed.value < lowest || parsed.value > highest) {
        throw ConfigError(node.mark, path,
                          node.scalar + " is outside the range of this integer field [" +
                              std::to_string(lowest) + ", " + std::to_string(highest) + "]");
    }
    check_bounds(node, path, static_cast<double>(parsed.value), bounds);
    return parsed.value;
}

double decode_number(const Node& node, const std::string& path, const Bounds& bounds) {
    require_scalar(node, path, "a number");
    const auto value = parse_number(node.scalar);
    if (node.quoted || !value) {
        throw_expected_unquoted(node, path, "a number", value.has_value());
    }
    check_bounds(node, path, *value, bounds);
    return *value;
}

std::string decode_string(const Node& node, const std::string& path) {
    require_scalar(node, path, "a string");
    return node.scalar;
}

std::size_t decode_enum(const Node& node, const std::string& path, std::span<const std::string_view> names) {
    std::string expected = "one of ";
    for (std::size_t i = 0; i < names.size(); ++i) {
        expected += (i == 0 ? "" : "|") + std::string(names[i]);
    }
    require_scalar(node, path, expected);
    const auto found = std::find(names.begin(), names.end(), node.scalar);
    if (found == names.end()) {
        throw_expected(node, path, expected);
    }
    return static_cast<std::size_t>(found - names.begin());
}

void expect_kind(const Node& node, const std::string& path, Node::Kind kind) {
    if (node.kind != kind) {
        throw_expected(node, path, kind == Node::Kind::Map ? "a map" : "a list");
    }
}

void check_entry_count(const Node& node, const std::string& path, std::size_t count, const Bounds& bounds) {
    if (bounds.max_entries && count > *bounds.max_entries) {
        throw ConfigError(node.mark, path,
                          "has " + std::to_string(count) + " entries; at most " +
                              std::to_string(*bounds.max_entries) + " are allowed");
    }
}

void decode_struct(const Node& node, const std::string& path, const StructSchema& schema, void* object) {
    expect_kind(node, path, Node::Kind::Map);
    for (const Node::Entry& entry : node.entries) {
        const FieldRecord* field = find_field(schema, entry.key);
        if (field == nullptr) {
            throw_unknown_key(schema, entry, path);
        }
        field->decode(entry.value, join_path(path, entry.key), field->bounds, object);
    }
    check_required(node, path, schema);
    run_cross_field_checks(node, path, schema, object);
}

Node plain_scalar(std::string text) {
    Node node;
    node.kind = Node::Kind::Scalar;
    node.scalar = std::move(text);
    return node;
}

Node encode_bool(bool value) { return plain_scalar(value ? "true" : "false"); }

Node encode_signed(std::int64_t value) { return plain_scalar(std::to_string(value)); }

Node encode_unsigned(std::uint64_t value) { return plain_scalar(std::to_string(value)); }

Node encode_number(double value) {
    if (std::isnan(value)) {
        return plain_scalar(".nan");
    }
    if (std::isinf(value)) {
        return plain_scalar(value > 0 ? ".inf" : "-.inf");
    }
    // Shortest text that reads back as the same double.
    return plain_scalar(format_number(value));
}

Node encode_string(std::string value) {
    Node node = plain_scalar(std::move(value));
    node.quoted = true;
    return node;
}

Node encode_struct(const StructSchema& schema, const void* object) {
    std::vector<Node::Entry> entries;
    entries.reserve(schema.fields.size());
    for (const FieldRecord& field : schema.fields) {
        entries.push_back(Node::Entry{field.name, SourceMark{}, field.encode(object)});
    }
    return make_map(std::move(entries));
}

Node make_sequence(std::vector<Node> items) {
    Node node;
    node.kind = Node::Kind::Sequence;
    node.items = std::move(items);
    return node;
}

Node make_map(std::vector<Node::Entry> entries) {
    Node node;
    node.kind = Node::Kind::Map;
    node.entries = std::move(entries);
    return node;
}

Node make_null() { return Node{}; }

std::string enum_type_name(std::span<const std::string_view> names) {
    std::string type = "one of ";
    for (std::size_t i = 0; i < names.size(); ++i) {
        type += (i == 0 ? "" : " | ") + std::string(names[i]);
    }
    return type;
}

void add_struct_docs(const StructSchema& schema, const std::string& path, DocList& docs, const Node* defaults) {
    for (const FieldRecord& field : schema.fields) {
        // The default a decoded value starts from: what the enclosing struct
        // holds (TierSetConfig's oem has one firm, TierPopulationConfig{} none).
        const Node* given = defaults != nullptr ? defaults->find(field.name) : nullptr;
        const Node default_value = given != nullptr ? *given : field.default_value();
        FieldDoc doc;
        doc.name = field.name;
        doc.type = field.type;
        doc.unit = field.unit;
        doc.range = format_range(field.bounds);
        // A nested struct's defaults are documented field by field in its own table.
        doc.default_value = field.is_section ? "" : emit_flow(default_value);
        doc.description = field.description;
        doc.required = field.required;
        const std::string field_path = join_path(path, field.name);
        docs.emplace_back(field_path, std::move(doc));
        field.add_nested_docs(field_path, docs, &default_value);
    }
}

std::string render_markdown(std::string_view title, const DocList& docs) {
    std::vector<std::string> sections;
    for (const auto& [path, doc] : docs) {
        const std::string section = section_of(path, doc.name);
        if (std::find(sections.begin(), sections.end(), section) == sections.end()) {
            sections.push_back(section);
        }
    }
    std::string out = "# " + std::string(title) + "\n\n" +
                      "Generated from the schema declarations (`Describe<T>` in the source); "
                      "do not edit by hand.\n";
    for (const std::string& section : sections) {
        out += "\n## " + (section.empty() ? std::string("Top level") : "`" + section + "`") + "\n\n";
        out += "| key | type | unit | range | default | description |\n";
        out += "|---|---|---|---|---|---|\n";
        for (const auto& [path, doc] : docs) {
            if (section_of(path, doc.name) == section) {
                out += markdown_row(path, doc, sections);
            }
        }
    }
    return out;
}

}  // namespace detail

}  // namespace tiersim::sim::config
