#include "models/warm_start.hpp"

#include "sim/config.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <string_view>

namespace tiersim::models {

namespace {

/// Keys a branch may change: what happens to the pyramid from now on, and
/// what is written, never what the pyramid is made of or how draws are keyed.
constexpr std::array<std::string_view, 7> branch_keys{"name",   "description", "policies",         "shocks",
                                                      "output", "run.ticks",   "run.burn_in_months"};

bool may_differ(const std::string& path) { return std::ranges::find(branch_keys, path) != branch_keys.end(); }

std::string child_path(const std::string& parent, const std::string& key) {
    return parent.empty() ? key : parent + "." + key;
}

/// The first path below `path` where the two trees differ, or nothing.
std::optional<std::string> first_difference(const sim::config::Node& a, const sim::config::Node& b,
                                            const std::string& path) {
    using Kind = sim::config::Node::Kind;
    if (may_differ(path)) return std::nullopt;
    if (a.kind != b.kind) return path;
    switch (a.kind) {
        case Kind::Null: return std::nullopt;
        case Kind::Scalar: return a.scalar == b.scalar ? std::nullopt : std::optional<std::string>(path);
        case Kind::Sequence:
            for (std::size_t k = 0; k < std::min(a.items.size(), b.items.size()); ++k)
                if (auto d = first_difference(a.items[k], b.items[k], path + "[" + std::to_string(k) + "]")) return d;
            if (a.items.size() != b.items.size()) return path;
            return std::nullopt;
        case Kind::Map:
            for (const auto& entry : a.entries) {
                const std::string key = child_path(path, entry.key);
                const sim::config::Node* other = b.find(entry.key);
                if (!other) {
                    if (may_differ(key)) continue;
                    return key;
                }
                if (auto d = first_difference(entry.value, *other, key)) return d;
            }
            for (const auto& entry : b.entries)
                if (!a.find(entry.key) && !may_differ(child_path(path, entry.key))) return child_path(path, entry.key);
            return std::nullopt;
    }
    return std::nullopt;
}

/// The first line of an error: state errors are one line.
std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

}  // namespace

StateSource parse_state_source(const std::string& text) {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string::npos || text.find('/', colon) != std::string::npos) return {text, "end"};
    StateSource source{text.substr(0, colon), text.substr(colon + 1)};
    if (source.label.empty()) source.label = "end";
    return source;
}

std::string first_structural_difference(const std::string& saved_yaml, const std::string& new_yaml) {
    const auto saved = sim::config::parse_yaml(saved_yaml, "saved scenario");
    const auto fresh = sim::config::parse_yaml(new_yaml, "scenario");
    return first_difference(saved, fresh, "").value_or("");
}

SavedState open_saved_state(const StateSource& source, const LoadedScenario& loaded) {
    const std::string name = "--from-state " + source.text();
    auto refuse = [&](const std::string& problem) { return StateRefused(name + ": " + problem); };
    std::error_code error;
    if (!std::filesystem::exists(source.file, error)) throw refuse("no such file");
    if (std::filesystem::is_directory(source.file, error)) throw refuse("is a directory, not a results file");
    if (!sim::results::is_results_file(source.file)) throw refuse("not a tiersim results file");
    SavedState saved{source, nullptr, "/state/" + source.label};
    try {
        saved.reader = std::make_unique<sim::results::Reader>(source.file);
        if (!saved.reader->exists(saved.group)) {
            std::string known;
            if (saved.reader->exists("/state"))
                for (const auto& label : saved.reader->children("/state")) known += (known.empty() ? "" : ", ") + label;
            throw refuse("holds no saved state '" + source.label + "'" +
                         (known.empty() ? " (it holds none: written by a run without states)"
                                        : " (it holds: " + known + ")"));
        }
        if (!saved.reader->exists("/scenario/resolved")) throw refuse("holds no resolved scenario to compare with");
        const std::string difference =
            first_structural_difference(saved.reader->text("/scenario/resolved"), loaded.resolved_yaml);
        if (!difference.empty())
            throw refuse("the scenario differs from the saved one at '" + difference +
                         "'; a branch may change only policies, shocks, output, run.ticks and run.burn_in_months");
    } catch (const sim::results::ResultsError& e) {
        throw refuse("unreadable (" + first_line(e.what()) + ")");
    } catch (const sim::config::ConfigError& e) {
        throw refuse("its resolved scenario is unreadable (" + first_line(e.what()) + ")");
    }
    return saved;
}

}  // namespace tiersim::models
