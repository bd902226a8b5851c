// The order levers and shocks act in: alphabetical by key, except that a unit
// comes after every unit its runs_after() names.
#pragma once

#include <algorithm>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace tiersim::models {

/// @throws std::logic_error when runs_after() forms a cycle.
template <class Unit>
std::vector<std::unique_ptr<Unit>> in_run_order(std::vector<std::unique_ptr<Unit>> units, std::string_view what) {
    std::ranges::sort(units, {}, [](const auto& unit) { return unit->key(); });
    std::vector<std::unique_ptr<Unit>> ordered;
    std::set<std::string_view> placed;
    auto waiting_for = [&](std::string_view key) {
        return !placed.count(key) && std::ranges::any_of(units, [&](const auto& u) { return u->key() == key; });
    };
    while (!units.empty()) {
        auto ready = std::ranges::find_if(units, [&](const auto& unit) {
            return std::ranges::none_of(unit->runs_after(), waiting_for);
        });
        if (ready == units.end()) throw std::logic_error(std::string(what) + ": runs_after forms a cycle");
        placed.insert((*ready)->key());
        ordered.push_back(std::move(*ready));
        units.erase(ready);
    }
    return ordered;
}

}  // namespace tiersim::models
