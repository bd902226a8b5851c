#include "models/scenario.hpp"

#include <algorithm>

namespace tiersim::sim::config {

using namespace tiersim::models;

template <>
struct EnumNames<ForecastMethod> {
    static constexpr std::array<std::pair<ForecastMethod, std::string_view>, 2> values{{
        {ForecastMethod::moving_average, "moving_average"},
        {ForecastMethod::exponential_smoothing, "exponential_smoothing"},
    }};
};

template <>
struct Describe<RunConfig> {
    static void fields(Fields<RunConfig>& f) {
        f.add("ticks", &RunConfig::ticks).unit("months").range(1, 100000)
            .doc("Number of ticks (months) to simulate and record, after any burn-in");
        f.add("burn_in_months", &RunConfig::burn_in_months).unit("months").range(0, 100000)
            .doc("Months run first with no policy levers and no shocks in force and nothing recorded; then "
                 "policies, shocks and output start, month 0 of their schedules being the first month after it. "
                 "Ignored when continuing from a saved state (--from-state)");
        f.add("seed", &RunConfig::seed).range(0, 9.007199254740992e15)
            .doc("Seed of every random stream; the same seed gives bit-identical results");
        f.add("replication", &RunConfig::replication).range(0, 9.007199254740992e15)
            .doc("Replication number: a second, independent key of the random streams (sweeps vary it, not the seed)");
    }
};

template <>
struct Describe<OrderingConfig> {
    static void fields(Fields<OrderingConfig>& f) {
        f.add("forecast", &OrderingConfig::forecast)
            .doc("How firms forecast the orders they will receive");
        f.add("forecast_window_months", &OrderingConfig::forecast_window_months).unit("months").range(1, 24)
            .doc("Months averaged by the moving-average forecast (p)");
        f.add("smoothing", &OrderingConfig::smoothing).unit("1").range(0.01, 1)
            .doc("Weight of the newest month in exponential smoothing (alpha)");
        f.add("review_period_months", &OrderingConfig::review_period_months).unit("months").range(1, 12)
            .doc("Months between orders covered by the order-up-to target (R)");
        f.add("safety_stock_months", &OrderingConfig::safety_stock_months).unit("months").range(0, 12)
            .doc("Input safety stock, in months of forecast use");
        f.add("finished_goods_cover_months", &OrderingConfig::finished_goods_cover_months).unit("months").range(0, 12)
            .doc("Target finished-goods inventory, in months of forecast demand");
        f.add("adjustment_months", &OrderingConfig::adjustment_months).unit("months").range(1, 24)
            .doc("Months over which a firm closes the gap between its target and its position (tau; 1 = pure order-up-to)");
    }
};

template <>
struct Describe<FinalDemandConfig> {
    static void fields(Fields<FinalDemandConfig>& f) {
        f.add("level", &FinalDemandConfig::level).unit("units/month").range(0, 1e12)
            .doc("Mean final demand for the sector's OEM output at tick 0");
        f.add("trend_per_month", &FinalDemandConfig::trend_per_month).unit("1/month").range(-0.1, 0.1)
            .doc("Compound growth of the demand level per month");
        f.add("seasonal_amplitude", &FinalDemandConfig::seasonal_amplitude).unit("1").range(0, 0.9)
            .doc("Relative amplitude of a 12-month sinusoidal season");
        f.add("noise_sd", &FinalDemandConfig::noise_sd).unit("1").range(0, 1)
            .doc("Standard deviation of the relative month-to-month demand noise");
    }
};

template <>
struct Describe<TierPopulationConfig> {
    static void fields(Fields<TierPopulationConfig>& f) {
        f.add("firms", &TierPopulationConfig::firms).unit("firms").range(0, 50000000)
            .doc("Number of firms in this tier of the sector");
        f.add("capacity_headroom", &TierPopulationConfig::capacity_headroom).unit("1").range(0.1, 10)
            .doc("Capacity as a multiple of the firm's expected monthly demand at tick 0");
        f.add("size_dispersion", &TierPopulationConfig::size_dispersion).unit("1").range(0, 3)
            .doc("Log-normal sigma of firm size weights (OEM market shares; how often a supplier is chosen)");
        f.add("lead_time_months", &TierPopulationConfig::lead_time_months).unit("months").range(1, 12)
            .doc("Months between a supplier shipping to a firm of this tier and the goods arriving");
        f.add("suppliers_per_buyer", &TierPopulationConfig::suppliers_per_buyer).unit("firms").range(1, 50)
            .doc("Suppliers in the tier below each firm of this tier buys from (at least; Tier 3 buys abroad)");
        f.add("input_per_unit", &TierPopulationConfig::input_per_unit).unit("units/unit").range(0.01, 100)
            .doc("Units of input from the tier below per unit of this tier's output");
        f.add("world_price_usd", &TierPopulationConfig::world_price_usd).unit("USD/unit").range(0, 1e9)
            .doc("World price of this tier's output: what its buyers pay abroad before tariff and freight");
        f.add("labour_productivity", &TierPopulationConfig::labour_productivity).unit("units/worker/month")
            .range(1e-6, 1e9)
            .doc("Output per worker-month at capability 1; at capability c it is this × (0.1 + 0.9c)");
        f.add("capability_mean", &TierPopulationConfig::capability_mean).unit("1").range(0, 1)
            .doc("Mean initial capability of the tier's firms");
        f.add("capability_sd", &TierPopulationConfig::capability_sd).unit("1").range(0, 1)
            .doc("Standard deviation of initial capability (clipped to [0, 1])");
        f.add("foreign_share", &TierPopulationConfig::foreign_share).unit("1").range(0, 1)
            .doc("Share of the tier's firms that are foreign-owned");
        f.add("import_share", &TierPopulationConfig::import_share).unit("1").range(0, 1)
            .doc("Share of the tier's inputs bought abroad (Tier 3: of raw materials)");
        f.add("supplier_requirements", &TierPopulationConfig::supplier_requirements)
            .doc("Certifications this tier's firms demand of their suppliers (names from `certifications`)");
        f.add("requirement_share", &TierPopulationConfig::requirement_share).unit("1").range(0, 1)
            .doc("Share of the tier's firms (drawn per firm) that demand `supplier_requirements` of their suppliers; "
                 "the others buy from any supplier of the tier below (1: every buyer demands them)");
        f.add("initial_certifications", &TierPopulationConfig::initial_certifications).unit("1").range(0, 1)
            .doc("Share of the tier's firms holding each certification at tick 0");
        f.add("entry_capability", &TierPopulationConfig::entry_capability).unit("1").range(0, 1)
            .doc("Capability a firm of the tier below needs to move up into this tier");
        f.add("entry_reserve_share", &TierPopulationConfig::entry_reserve_share).unit("1").range(0, 100)
            .doc("Room for new entrants over the run, as a share of the tier's initial firms (0: no entry; not for OEMs)");
        f.add("entry_capacity_share", &TierPopulationConfig::entry_capacity_share).unit("1").range(0, 100)
            .doc("Capacity a firm of the tier below needs to move up into this tier, as a share of this tier's mean capacity at tick 0");
        f.add("sponsored_share", &TierPopulationConfig::sponsored_share).unit("1").range(0, 1)
            .doc("Share of the tier's firms whose certification audits a large buyer sponsors, so they need no customer record");
        f.add("clusters", &TierPopulationConfig::clusters).unit("1").at_least(0)
            .doc("Share of the tier's firms in each cluster, by name (normalised); empty: all in the first cluster");
        f.add("processes", &TierPopulationConfig::processes).unit("processes").range(1, 100)
            .doc("Production processes a firm of this tier certifies (each adds certifications.*.cost_per_process_mxn)");
        f.add("initial_history_months", &TierPopulationConfig::initial_history_months).unit("months").range(0, 600)
            .doc("Months of good standing with banks each firm starts with (a credit history)");
        f.check([](const TierPopulationConfig& t) -> CrossFieldProblem {
            // Shares are normalised: all zero would be 0/0, placing every firm nowhere.
            if (!t.clusters.empty() && std::all_of(t.clusters.begin(), t.clusters.end(),
                                                   [](const auto& entry) { return entry.second == 0; }))
                return std::pair<std::string, std::string>{
                    "clusters", "every share is 0: give at least one cluster a positive share (or leave clusters out)"};
            return std::nullopt;
        });
    }
};

template <>
struct Describe<TierSetConfig> {
    static void fields(Fields<TierSetConfig>& f) {
        f.add("oem", &TierSetConfig::oem).doc("Original equipment manufacturers: sell to final demand");
        f.add("t1", &TierSetConfig::t1).doc("Tier 1 suppliers: sell to OEMs");
        f.add("t2", &TierSetConfig::t2).doc("Tier 2 suppliers: sell to Tier 1");
        f.add("t3", &TierSetConfig::t3).doc("Tier 3 suppliers: sell to Tier 2, buy raw materials abroad");
        f.check([](const TierSetConfig& t) -> std::optional<std::pair<std::string, std::string>> {
            if (t.oem.firms < 1) return std::pair<std::string, std::string>{"oem", "a sector needs at least one OEM"};
            const TierPopulationConfig* tiers[] = {&t.oem, &t.t1, &t.t2, &t.t3};
            const char* names[] = {"oem", "t1", "t2", "t3"};
            for (int k = 1; k < 4; ++k)
                if (tiers[k]->firms == 0 && k < 3 && tiers[k + 1]->firms > 0)
                    return std::pair<std::string, std::string>{names[k], "an empty tier cannot have suppliers below it"};
            return std::nullopt;
        });
    }
};

template <>
struct Describe<ExportsConfig> {
    static void fields(Fields<ExportsConfig>& f) {
        f.add("share", &ExportsConfig::share).unit("1").range(0, 1)
            .doc("Share of final demand exported at tick 0 (APEC17 §1: 2.9 M of 3.6 M light vehicles in 2015)");
        f.add("price_elasticity", &ExportsConfig::price_elasticity).unit("1").range(0, 20)
            .doc("Export demand × (relative price)^-elasticity; relative price = OEM price over world price, "
                 "with duties abroad, against tick 0");
    }
};

template <>
struct Describe<SectorConfig> {
    static void fields(Fields<SectorConfig>& f) {
        f.add("final_demand", &SectorConfig::final_demand).doc("Final demand for the sector's output");
        f.add("exports", &SectorConfig::exports).doc("The exported part of final demand and its price elasticity");
        f.add("raw_material_price_usd", &SectorConfig::raw_material_price_usd).unit("USD/unit").range(0, 1e9)
            .doc("World price of the raw materials Tier 3 buys, per unit");
        f.add("tiers", &SectorConfig::tiers).doc("The firms of the sector, tier by tier");
    }
};

template <>
struct Describe<OutputConfig> {
    static void fields(Fields<OutputConfig>& f) {
        f.add("snapshot_ticks", &OutputConfig::snapshot_ticks).unit("months")
            .doc("Ticks at which every firm's state (panel/firms) and every link (network/links) are written");
        f.add("snapshot_every_months", &OutputConfig::snapshot_every_months).unit("months").range(0, 100000)
            .doc("Also write snapshots every this many months, from tick 0 (0: only snapshot_ticks)");
        f.add("events", &OutputConfig::events).doc("Write the event table (certified, moved tier, defaulted, entered, exited, loan)");
    }
};

/// The first of `names` -- a list, a map's keys or one name -- that `known`
/// lacks, blamed at its own place below `path` (an empty name means "all").
template <class Names, class Known>
std::optional<Blame> first_unknown(const Names& names, const Known& known, const std::string& path,
                                   std::string_view what) {
    auto refuse = [&](std::string blamed, const std::string& name, bool at_key) {
        return Blame{std::move(blamed), "unknown " + std::string(what) + " '" + name + "'", at_key};
    };
    if constexpr (std::is_convertible_v<Names, std::string_view>) {
        if (!names.empty() && !known.count(names)) return refuse(path, names, false);
    } else if constexpr (requires { typename Names::mapped_type; }) {
        for (const auto& [name, value] : names)
            if (!known.count(name)) return refuse(config::detail::join_path(path, name), name, true);
    } else {
        std::size_t index = 0;
        for (const auto& name : names) {
            if (!name.empty() && !known.count(name)) return refuse(config::detail::index_path(path, index), name, false);
            ++index;
        }
    }
    return std::nullopt;
}

/// Names used in one block that must be defined in another.
/// A lever's block or a shock's entry names only sectors, clusters and
/// certifications the scenario has: checked by member name, so a new lever or
/// shock with an `eligibility`, `sectors`, `sector`, `cluster` or
/// `certifications` key is checked without a line here. `path` is the block's
/// key path ("policies.credit_guarantee", "shocks.demand[0]").
template <class Entry>
std::optional<Blame> names_are_known(const Scenario& s, const std::string& path, const Entry& entry) {
    std::optional<Blame> problem;
    auto check = [&](const auto& names, const auto& known, std::string_view key, std::string_view what) {
        if (!problem) problem = first_unknown(names, known, config::detail::join_path(path, key), what);
    };
    if constexpr (std::is_base_of_v<ProgramTerms, Entry>) {
        check(entry.eligibility.sectors, s.sectors, "eligibility.sectors", "sector");
        check(entry.eligibility.clusters, s.clusters, "eligibility.clusters", "cluster");
    }
    if constexpr (requires { entry.certifications.begin(); })
        check(entry.certifications, s.certifications, "certifications", "certification");
    if constexpr (requires { entry.sectors.begin(); }) check(entry.sectors, s.sectors, "sectors", "sector");
    if constexpr (requires { entry.sector.size(); }) check(entry.sector, s.sectors, "sector", "sector");
    if constexpr (requires { entry.cluster.size(); }) check(entry.cluster, s.clusters, "cluster", "cluster");
    return problem;
}

std::optional<Blame> names_are_known(const Scenario& s) {
    using config::detail::join_path;
    std::optional<Blame> problem;
    for (const auto& [name, cluster] : s.clusters)
        if ((problem = first_unknown(cluster.distance_km, s.clusters, join_path(join_path("clusters", name), "distance_km"), "cluster")))
            return problem;
    for (const auto& [sector_name, sector] : s.sectors)
        for (const auto& [tier_key, tier] : {std::pair{"oem", &sector.tiers.oem}, std::pair{"t1", &sector.tiers.t1},
                                             std::pair{"t2", &sector.tiers.t2}, std::pair{"t3", &sector.tiers.t3}}) {
            const TierPopulationConfig& t = *tier;
            const std::string path = join_path(join_path(join_path("sectors", sector_name), "tiers"), tier_key);
            if ((problem = first_unknown(t.clusters, s.clusters, join_path(path, "clusters"), "cluster")) ||
                (problem = first_unknown(t.supplier_requirements, s.certifications, join_path(path, "supplier_requirements"),
                                         "certification")) ||
                (problem = first_unknown(t.initial_certifications, s.certifications,
                                         join_path(path, "initial_certifications"), "certification")))
                return problem;
        }
#define TIERSIM_CHECK_POLICY(yaml_key, Class) \
    if (s.policies.yaml_key && (problem = names_are_known(s, "policies." #yaml_key, *s.policies.yaml_key))) return problem;
    TIERSIM_LEVER_TABLE(TIERSIM_CHECK_POLICY)
#undef TIERSIM_CHECK_POLICY
#define TIERSIM_CHECK_SHOCK(yaml_key, Class)                                                     \
    for (std::size_t i = 0; i < s.shocks.yaml_key.size(); ++i)                                     \
        if ((problem = names_are_known(s, config::detail::index_path("shocks." #yaml_key, i), s.shocks.yaml_key[i]))) \
            return problem;
    TIERSIM_SHOCK_TABLE(TIERSIM_CHECK_SHOCK)
#undef TIERSIM_CHECK_SHOCK
    return std::nullopt;
}

void Describe<Scenario>::fields(Fields<Scenario>& f) {
    f.add("name", &Scenario::name).doc("Short name of the scenario");
    f.add("description", &Scenario::description).doc("What the scenario represents");
    f.add("run", &Scenario::run).doc("Length, seed and replication of the run");
    f.add("ordering", &Scenario::ordering).doc("Forecasting and order-up-to rules of every firm");
    f.add("economy", &Scenario::economy).doc("Prices, wages, tariffs and payment terms");
    f.add("credit", &Scenario::credit).doc("Banks' scoring rule, loans, credit aversion and exit after default");
    f.add("capability", &Scenario::capability).doc("How firms' capability grows and decays");
    f.add("certifications", &Scenario::certifications).max_entries(max_certifications)
        .doc("Certifications by name (ISO 9001, IATF 16949, AS9100, NADCAP, ISO 13485 or any other)");
    f.add("sourcing", &Scenario::sourcing).doc("How buyers choose between domestic suppliers and imports");
    f.add("investment", &Scenario::investment).doc("When firms add or scrap capacity");
    f.add("entry", &Scenario::entry).doc("How new MSMEs enter the tiers that reserve room for them");
    f.add("activity", &Scenario::activity).doc("When a firm that sells nothing is dormant, and when it closes");
    f.add("output", &Scenario::output).doc("Firm-level snapshots and events written beside the aggregates");
    f.add("clusters", &Scenario::clusters).max_entries(max_clusters)
        .doc("Regions by name: cluster organisation, services and distances (none: one cluster, 'national')");
    f.add("sectors", &Scenario::sectors).doc("Sectors by name: final demand and tiers of firms");
    f.add("policies", &Scenario::policies).doc("Policy levers in force: each block present is a program (DESIGN §4)");
    f.add("shocks", &Scenario::shocks).doc("Demand, trade, exchange-rate, credit and capacity shocks");
    f.check([](const Scenario& s) { return names_are_known(s); });
    f.check([](const Scenario& s) -> CrossFieldProblem {
        if (s.sectors.empty()) return std::pair<std::string, std::string>{"sectors", "a scenario needs at least one sector"};
        return std::nullopt;
    });
}

}  // namespace tiersim::sim::config

namespace tiersim::models {

namespace config = sim::config;

const TierPopulationConfig& TierSetConfig::operator[](Tier tier) const {
    switch (tier) {
        case Tier::oem: return oem;
        case Tier::t1: return t1;
        case Tier::t2: return t2;
        case Tier::t3: return t3;
    }
    return t3;
}

Scenario decode_scenario(const config::Node& root) { return config::decode<Scenario>(root); }

LoadedScenario load_scenario(const std::filesystem::path& path, const std::vector<std::string>& overrides) {
    config::Node root = config::load_layered(path);
    for (const std::string& assignment : overrides) config::apply_override(root, assignment);
    LoadedScenario loaded;
    loaded.scenario = decode_scenario(root);
    loaded.source_path = path.string();
    loaded.resolved_yaml = config::emit_yaml(config::encode(loaded.scenario));
    loaded.input_yaml = config::emit_yaml(root);
    return loaded;
}

std::string scenario_schema_markdown() {
    std::string page = config::schema_markdown<Scenario>("Scenario schema");
    page.insert(page.find("\n## "),
                "\nHow large a scenario may be (bytes, values, aliases, nesting, clusters) and which "
                "text it may hold: [input-limits.md](input-limits.md).\n");
    return page;
}

bool OutputConfig::is_snapshot(int tick) const {
    if (snapshot_every_months > 0 && tick % snapshot_every_months == 0) return true;
    return std::find(snapshot_ticks.begin(), snapshot_ticks.end(), tick) != snapshot_ticks.end();
}

int certification_bit(const Scenario& scenario, const std::string& name) {
    int bit = 0;
    for (const auto& [known, config] : scenario.certifications) {
        if (known == name) return bit;
        ++bit;
    }
    return -1;
}

double landed_import_price(const EconomyConfig& economy, double world_price_usd) noexcept {
    return world_price_usd * economy.exchange_rate_mxn_per_usd * (1.0 + economy.mfn_tariff + economy.import_transport_share);
}

SizeClass size_class_of(double employees) noexcept {
    if (employees <= 10) return SizeClass::micro;
    if (employees <= 50) return SizeClass::small;
    if (employees <= 250) return SizeClass::medium;
    return SizeClass::large;
}

int PaymentTermsConfig::longest() const noexcept { return std::max({micro, small, medium, large}); }

int max_lead_time(const Scenario& scenario) {
    int longest = 1;
    for (const auto& [name, sector] : scenario.sectors)
        for (Tier tier : {Tier::oem, Tier::t1, Tier::t2, Tier::t3})
            longest = std::max(longest, sector.tiers[tier].lead_time_months);
    return longest;
}

}  // namespace tiersim::models
