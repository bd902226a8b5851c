// A shock: one list under `shocks:`, one class, two files.
//
// A shock lives in models/shocks/<yaml key>.{hpp,cpp}: its entries' struct and
// schema and what it does to the tick's conditions (exogenous phase). Its
// header registers it with one line, `TIERSIM_SHOCK(demand, DemandShocks)`,
// collected by the build into the shock table like the levers' (lever.hpp).
#pragma once

#include "sim/config.hpp"
#include "sim/runner.hpp"

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace tiersim::models {

struct Conditions;
struct Pyramid;
struct Scenario;

/// The ticks a shock's hooks receive are policy months (month 0: the first
/// after any burn-in), the months its entries are written in; a shock draws
/// no random numbers. Shocks::policy_tick converts the model's tick.
class Shock {
public:
    virtual ~Shock() = default;
    virtual std::string_view key() const noexcept = 0;
    /// Keys of shocks that must act on the conditions before this one.
    virtual std::vector<std::string_view> runs_after() const { return {}; }
    /// Changes this tick's conditions (reset to the scenario's values before the first shock acts).
    virtual void adjust_conditions(Conditions&, const Pyramid&, sim::Tick) const {}
    /// Multiplies the sector's final-demand level by this tick's factors.
    virtual void scale_demand(std::string_view, sim::Tick, double&) const {}
    /// Adds the duties levied abroad on the sector's exports this tick.
    virtual void add_export_duty(std::string_view, sim::Tick, double&) const {}
    /// Saves what the shock carries from one tick to the next (warm starts;
    /// today's shocks are functions of the month and carry nothing).
    virtual void save_state(sim::StateWriter&) const {}
    /// Reads back what save_state wrote.
    virtual void restore_state(const sim::StateReader&) {}
};

/// Whether `tick` falls in the months [start, start + months).
inline bool within(sim::Tick tick, int start, int months) {
    const auto now = static_cast<int>(tick);
    return now >= start && now < start + months;
}

/// Whether a shock naming `sector` (empty: every sector) hits `name`.
inline bool hits(const std::string& sector, std::string_view name) { return sector.empty() || sector == name; }

/// From `tick` on, a path variable takes `value` (until the next point).
struct PathPoint {
    int tick = 0;
    double value = 0;
};

/// Value of a step path at `tick`: the last point at or before it, else `initial`.
double path_value(const std::vector<PathPoint>& path, int tick, double initial) noexcept;

struct ShocksConfig;

/// The shocks of a run: every registered one, in the order their runs_after allow.
class Shocks {
public:
    /// `origin`: the model tick of policy month 0 (the burn-in's length).
    explicit Shocks(const ShocksConfig& config, sim::Tick origin = 0);
    ~Shocks();
    Shocks(Shocks&&) noexcept;
    Shocks& operator=(Shocks&&) noexcept;
    std::span<const std::unique_ptr<Shock>> all() const noexcept { return shocks_; }
    /// The policy month of a model tick: what the shocks' hooks are given.
    sim::Tick policy_tick(sim::Tick tick) const noexcept { return tick - origin_; }

private:
    std::vector<std::unique_ptr<Shock>> shocks_;
    sim::Tick origin_ = 0;
};

#define TIERSIM_SHOCK(yaml_key, Class) \
    static_assert(std::is_base_of_v<::tiersim::models::Shock, Class>, #Class " must derive from Shock")

}  // namespace tiersim::models

namespace tiersim::sim::config {
template <>
struct Describe<tiersim::models::PathPoint> {
    static void fields(Fields<tiersim::models::PathPoint>& f);
};
}  // namespace tiersim::sim::config
