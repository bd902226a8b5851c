// The fuzz targets (harness.hpp): what a clean refusal is, and the promises
// of sim/config.hpp a tree must keep.
#include "harness.hpp"

#include "models/scenario.hpp"
#include "sim/config.hpp"

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>
#include <typeinfo>

namespace tiersim::fuzz {
namespace {

namespace config = sim::config;

[[noreturn]] void fail(std::string_view what, std::string_view detail) {
    std::fprintf(stderr, "tiersim fuzz: %.*s\n%.*s\n", static_cast<int>(what.size()), what.data(),
                 static_cast<int>(detail.size()), detail.data());
    std::abort();
}

/// parse_yaml(emit_yaml(n)) gives the same kinds, texts and keys (sim/config.hpp).
bool same_tree(const config::Node& a, const config::Node& b) {
    if (a.kind != b.kind) return false;
    switch (a.kind) {
        case config::Node::Kind::Null: return true;
        case config::Node::Kind::Scalar: return a.scalar == b.scalar;
        case config::Node::Kind::Sequence:
            if (a.items.size() != b.items.size()) return false;
            for (std::size_t i = 0; i < a.items.size(); ++i)
                if (!same_tree(a.items[i], b.items[i])) return false;
            return true;
        case config::Node::Kind::Map:
            if (a.entries.size() != b.entries.size()) return false;
            for (std::size_t i = 0; i < a.entries.size(); ++i)
                if (a.entries[i].key != b.entries[i].key || !same_tree(a.entries[i].value, b.entries[i].value))
                    return false;
            return true;
    }
    return false;
}

/// What every accepted tree must do: emit and read back as itself; decode to
/// a Scenario or a ConfigError; a decoded scenario's resolved YAML (what a
/// results file stores to rerun it) decodes to the same resolved YAML.
void check_tree(config::Node& root) {
    const std::string emitted = config::emit_yaml(root);
    try {
        const config::Node again = config::parse_yaml(emitted, "<emitted>");
        if (!same_tree(root, again)) fail("emit_yaml then parse_yaml changed the tree", emitted);
    } catch (const config::ConfigError& e) {
        fail("emit_yaml wrote YAML that parse_yaml refuses", std::string(e.what()) + "\n--- emitted:\n" + emitted);
    }
    // A layered scenario has its extends resolved; here there are no files to follow.
    if (root.kind == config::Node::Kind::Map) std::erase_if(root.entries, [](const auto& e) { return e.key == "extends"; });
    models::Scenario scenario;
    try {
        scenario = models::decode_scenario(root);
    } catch (const config::ConfigError&) {
        return;  // a clean refusal
    }
    const std::string resolved = config::emit_yaml(config::encode(scenario));
    try {
        const models::Scenario rerun = models::decode_scenario(config::parse_yaml(resolved, "<resolved>"));
        const std::string again = config::emit_yaml(config::encode(rerun));
        if (again != resolved) fail("the resolved scenario does not reproduce itself", resolved + "\n--- became:\n" + again);
    } catch (const config::ConfigError& e) {
        fail("the resolved scenario of an accepted one is refused", std::string(e.what()) + "\n--- resolved:\n" + resolved);
    }
}

template <class Body>
void guarded(Body&& body) {
    try {
        body();
    } catch (const config::ConfigError&) {
        // a clean refusal
    } catch (const std::exception& e) {
        fail(std::string("an exception other than ConfigError: ") + typeid(e).name(), e.what());
    }
}

}  // namespace

void scenario(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    guarded([&] {
        config::Node root = config::parse_yaml(text, "<fuzz>");
        check_tree(root);
    });
}

void override(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const std::size_t newline = input.find('\n');
    const std::string_view assignment = input.substr(0, newline);
    const std::string_view base = newline == std::string_view::npos ? std::string_view{} : input.substr(newline + 1);
    guarded([&] {
        config::Node root;
        try {
            root = config::parse_yaml(base, "<fuzz>");
        } catch (const config::ConfigError&) {
            root = config::Node{};  // the assignment is what is fuzzed: apply it to nothing
        }
        config::apply_override(root, assignment);
        check_tree(root);
    });
}

}  // namespace tiersim::fuzz
