// The pyramid's saved state: what a warm start restores (docs/model.md, "Warm start").
//
// Everything that carries from one tick to the next is saved: every firm and
// link column (from their X-macro declarations, so a field added later is
// saved too), the link graph with its reverse index, each lever's and shock's
// own state, the clock. Not saved, because the first phases of the next tick
// rebuild them before anything reads them: the Conditions (the exogenous phase
// rewrites every field), the supplier cards (sourcing recomputes them), the
// tier members (rebuilt from the firm columns here, as mobility last built
// them) and the levers' per-tick scratch. Random draws are counter-based
// (sim/random.hpp), so there is no generator state to save.
#include "models/pyramid_model.hpp"
#include "sim/parallel.hpp"

#include <string>

namespace tiersim::models {

namespace {

/// The group of a lever's or shock's own state; `bit` is saved for every
/// lever so that a snapshot from another lever table is recognised.
constexpr const char* lever_group = "levers";
constexpr const char* shock_group = "shocks";

}  // namespace

void PyramidModel::save_state(sim::StateWriter& out, sim::Tick next_tick) const {
    out.put_value("tick", std::uint32_t{next_tick}, "Model tick the state continues from");
    out.put_value("origin", std::uint32_t{origin_}, "Model tick of output tick 0 (the burn-in's length)");
    sim::StateWriter firms = out.sub("firms");
    firms_.visit_fields([&](const FieldInfo& field, const auto& column) {
        firms.put(std::string(field.name), column, std::string(field.description));
    });
    sim::StateWriter links = out.sub("links");
    links_.visit_fields([&](const FieldInfo& field, const auto& column) {
        links.put(std::string(field.name), column, std::string(field.description));
    });
    sim::StateWriter graph = out.sub("graph");
    graph_.visit_arrays([&](const char* name, const auto& array) {
        graph.put(name, array, "Link graph index (sim::LinkGraph)");
    });
    for (const auto& lever : levers_.all()) {
        sim::StateWriter mine = out.sub(std::string(lever_group) + "/" + std::string(lever->key()));
        mine.put_value("bit", lever->bit(), "The lever's bit in the firms' registered and benefits columns");
        if (!lever->configured()) continue;
        sim::StateWriter state = mine.sub("state");
        lever->save_state(state);
        state.put_value("configured", std::uint8_t{1}, "The scenario had this lever's block");
    }
    for (const auto& shock : shocks_.all()) {
        sim::StateWriter mine = out.sub(std::string(shock_group) + "/" + std::string(shock->key()));
        shock->save_state(mine);
        mine.put_value("saved", std::uint8_t{1}, "Marks the shock's group");
    }
}

void PyramidModel::end_burn_in(sim::Tick next_tick) {
    origin_ = next_tick;
    levers_ = Levers(scenario_.policies, origin_);
    shocks_ = Shocks(scenario_.shocks, origin_);
}

sim::Tick PyramidModel::restore_state(const sim::StateReader& in) {
    const auto next_tick = in.get_value<std::uint32_t>("tick");
    origin_ = in.get_value<std::uint32_t>("origin");
    const sim::StateReader firms = in.sub("firms");
    firms_.visit_fields([&](const FieldInfo& field, auto& column) { firms.get_into(std::string(field.name), column); });
    const sim::StateReader links = in.sub("links");
    links_.visit_fields([&](const FieldInfo& field, auto& column) {
        using Column = std::remove_reference_t<decltype(column)>;
        column = links.get<typename Column::value_type>(std::string(field.name));
    });
    const sim::StateReader graph = in.sub("graph");
    graph_.visit_arrays([&](const char* name, auto& array) {
        using Array = std::remove_reference_t<decltype(array)>;
        array = graph.get<typename Array::value_type>(name);
    });
    if (graph_.link_count() != links_.share.size() || graph_.node_count() != firms_.size())
        throw sim::results::ResultsError(in.group() + ": the link graph does not fit the firm and link columns");
    list_tier_members(firms_, pyramid_.sector_count(), members_);

    // The scenario's levers and shocks, on the saved clock; those the snapshot
    // has go on from their saved state, the others start fresh.
    levers_ = Levers(scenario_.policies, origin_);
    for (const auto& lever : levers_.all()) {
        const std::string group = std::string(lever_group) + "/" + std::string(lever->key());
        if (!in.has(group))
            throw sim::results::ResultsError(in.group() + ": holds no lever '" + std::string(lever->key()) +
                                             "' (saved by a tiersim with other levers)");
        if (in.sub(group).get_value<std::uint8_t>("bit") != lever->bit())
            throw sim::results::ResultsError(in.group() + ": lever '" + std::string(lever->key()) +
                                             "' has another bit (saved by a tiersim with other levers)");
        if (lever->configured() && in.has(group + "/state")) lever->restore_state(in.sub(group + "/state"));
    }
    shocks_ = Shocks(scenario_.shocks, origin_);
    for (const auto& shock : shocks_.all()) {
        const std::string group = std::string(shock_group) + "/" + std::string(shock->key());
        if (in.has(group)) shock->restore_state(in.sub(group));
    }
    return next_tick;
}

// The mobility phase lists them every tick; a restored state and the build once.
void list_tier_members(const FirmTable& firms, std::size_t sectors, TierMembers& members) {
    members.resize(sectors);
    sim::group_indices<FirmIndex>(
        firms.size(), sectors * tier_count,
        [&](std::size_t i) {
            return firms.alive[i] ? firms.sector[i] * tier_count + static_cast<std::size_t>(firms.tier[i])
                                  : sectors * tier_count;
        },
        [&](std::size_t g) -> std::vector<FirmIndex>& { return members[g / tier_count][g % tier_count]; });
}

}  // namespace tiersim::models
