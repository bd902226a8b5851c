#include "models/memory_estimate.hpp"

#include "models/firms.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace tiersim::models {

namespace {

constexpr std::array<Tier, tier_count> all_tiers{Tier::oem, Tier::t1, Tier::t2, Tier::t3};

/// Dormant slots kept for entrants (as population.cpp lays them out).
std::uint64_t reserve_slots(const TierPopulationConfig& population, Tier tier) {
    if (tier == Tier::oem) return 0;
    return static_cast<std::uint64_t>(std::max(0.0, std::round(population.entry_reserve_share * population.firms)));
}

std::uint64_t tier_slots(const TierPopulationConfig& population, Tier tier) {
    return static_cast<std::uint64_t>(std::max(0, population.firms)) + reserve_slots(population, tier);
}

/// E[max(w, X)] for X ~ Poisson(lambda): each buyer keeps the suppliers that
/// drew it as their first buyer (about Poisson(suppliers / buyers) of them)
/// and picks more until it has w. E[max(w, X)] = lambda + sum_{k<w} (w-k) P(X=k).
double expected_suppliers(double lambda, double wanted) {
    double expected = lambda;
    double log_p = -lambda;  // log P(X = 0)
    for (int k = 0; k < static_cast<int>(wanted); ++k) {
        expected += (wanted - k) * std::exp(log_p);
        log_p += std::log(lambda) - std::log(static_cast<double>(k + 1));
    }
    return expected;
}

std::uint64_t estimate_link_slots(const Scenario& scenario) {
    double links = 0;
    for (const auto& [name, sector] : scenario.sectors) {
        const TierSetConfig& tiers = sector.tiers;
        for (Tier buyer : {Tier::oem, Tier::t1, Tier::t2}) {
            const Tier supplier = static_cast<Tier>(static_cast<int>(buyer) + 1);
            const double buyers = std::max(0, tiers[buyer].firms);
            const double suppliers = std::max(0, tiers[supplier].firms);
            const double supplier_slots = static_cast<double>(tier_slots(tiers[supplier], supplier));
            const double wanted =
                std::min({static_cast<double>(std::max(0, tiers[buyer].suppliers_per_buyer)), supplier_slots, suppliers});
            // Buyers and their suppliers (population.cpp, link_tiers).
            if (buyers > 0 && suppliers > 0) links += buyers * expected_suppliers(suppliers / buyers, wanted);
            // Spare slots for entrants (add_spare_links).
            if (supplier_slots >= 2) {
                links += static_cast<double>(reserve_slots(tiers[buyer], buyer)) *
                         std::min(static_cast<double>(std::max(0, tiers[buyer].suppliers_per_buyer)), supplier_slots);
                // Slots operating buyers keep open for entrants.
                links += buyers * std::min(static_cast<double>(scenario.entry.open_slots_per_buyer), supplier_slots);
            }
        }
        // One spare slot per Tier 3 firm, for a move up.
        const std::uint64_t t3 = tier_slots(tiers[Tier::t3], Tier::t3);
        if (t3 >= 2) links += static_cast<double>(t3);
    }
    return static_cast<std::uint64_t>(std::ceil(links));
}

/// Reads "Key: value kB" from a /proc file, in bytes.
std::optional<std::uint64_t> proc_kilobytes(const char* file, const std::string& key) {
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line)) {
        if (line.compare(0, key.size(), key) != 0 || line.size() <= key.size() || line[key.size()] != ':') continue;
        std::istringstream fields(line.substr(key.size() + 1));
        std::uint64_t kilobytes = 0;
        if (fields >> kilobytes) return kilobytes * 1024;
    }
    return std::nullopt;
}

std::optional<std::uint64_t> read_number(const std::string& file) {
    std::ifstream in(file);
    std::string text;
    if (!(in >> text) || text == "max") return std::nullopt;
    try {
        return std::stoull(text);
    } catch (...) {
        return std::nullopt;
    }
}

/// memory.max less memory.current of this process's cgroup (v2), if limited.
std::optional<std::uint64_t> cgroup_available() {
    std::ifstream in("/proc/self/cgroup");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("0::", 0) != 0) continue;
        const std::string directory = "/sys/fs/cgroup" + line.substr(3);
        const auto limit = read_number(directory + "/memory.max");
        if (!limit) return std::nullopt;
        const std::uint64_t used = read_number(directory + "/memory.current").value_or(0);
        return *limit > used ? *limit - used : 0;
    }
    return std::nullopt;
}

struct Available {
    std::optional<std::uint64_t> bytes;
    std::string source;

    void consider(std::optional<std::uint64_t> candidate, const char* name) {
        if (!candidate || (bytes && *bytes <= *candidate)) return;
        bytes = candidate;
        source = name;
    }
};

Available find_available() {
    Available available;
    auto physical = proc_kilobytes("/proc/meminfo", "MemAvailable");
    if (physical) {
        available.consider(physical, "MemAvailable in /proc/meminfo");
    } else {
        const long pages = ::sysconf(_SC_AVPHYS_PAGES);
        const long page_size = ::sysconf(_SC_PAGESIZE);
        if (pages > 0 && page_size > 0)
            available.consider(static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page_size),
                               "free physical memory (sysconf)");
    }
    available.consider(cgroup_available(), "the cgroup's memory.max");
    rlimit limit{};
    if (::getrlimit(RLIMIT_AS, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
        const std::uint64_t mapped = proc_kilobytes("/proc/self/status", "VmSize").value_or(0);
        const auto cap = static_cast<std::uint64_t>(limit.rlim_cur);
        available.consider(cap > mapped ? cap - mapped : 0, "RLIMIT_AS (ulimit -v) less the address space in use");
    }
    return available;
}

}  // namespace

MemoryEstimate estimate_memory(const Scenario& scenario) {
    MemoryEstimate e;
    for (const auto& [name, sector] : scenario.sectors)
        for (Tier tier : all_tiers) e.firm_slots += tier_slots(sector.tiers[tier], tier);
    e.link_slots = estimate_link_slots(scenario);

    // Ring lengths, as PyramidModel::lay_out_pyramid sets them.
    const std::uint64_t history = scenario.ordering.forecast == ForecastMethod::moving_average
                                      ? static_cast<std::uint64_t>(std::max(0, scenario.ordering.forecast_window_months))
                                      : 0;
    const std::uint64_t pipeline = static_cast<std::uint64_t>(max_lead_time(scenario)) + 1;
    const std::uint64_t payment_ring =
        static_cast<std::uint64_t>(std::max(0, scenario.economy.payment_terms_months.longest())) + 1;
    auto slots = [&](FieldExtent extent) -> std::uint64_t {
        switch (extent) {
        case FieldExtent::one: return 1;
        case FieldExtent::history: return history;
        case FieldExtent::pipeline: return pipeline;
        case FieldExtent::payment_ring: return payment_ring;
        }
        return 1;
    };
    std::uint64_t per_firm = 0;
    for (const FieldInfo& field : firm_fields) per_firm += field.element_bytes * slots(field.extent);
    std::uint64_t per_link = 0;
    for (const FieldInfo& field : link_fields) per_link += field.element_bytes * slots(field.extent);

    e.firm_bytes = per_firm * e.firm_slots;
    // The link graph: source, target and reverse index per link; two offset arrays over firms.
    const std::uint64_t graph = 3 * sizeof(std::uint32_t) * e.link_slots + 2 * sizeof(std::uint32_t) * (e.firm_slots + 1);
    e.link_bytes = per_link * e.link_slots + graph;
    // Working arrays per firm: tier members (4), supplier cards (8), the
    // builder's size and eligibility weights (8 + 8); per link, the builder's
    // edge list (8, up to twice that while it grows).
    e.work_bytes = 28 * e.firm_slots + 16 * e.link_slots;
    return e;
}

std::optional<std::uint64_t> available_memory() { return find_available().bytes; }

std::string available_memory_source() { return find_available().source; }

std::string format_bytes(std::uint64_t bytes) {
    static constexpr const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    double value = static_cast<double>(bytes);
    std::size_t unit = 0;
    while (value >= 1024 && unit + 1 < std::size(units)) value /= 1024, ++unit;
    char text[32];
    if (unit == 0)
        std::snprintf(text, sizeof text, "%llu B", static_cast<unsigned long long>(bytes));
    else
        std::snprintf(text, sizeof text, "%.1f %s", value, units[unit]);
    return text;
}

std::optional<std::uint64_t> parse_bytes(const std::string& text) {
    std::size_t used = 0;
    double number = 0;
    try {
        number = std::stod(text, &used);
    } catch (...) {
        return std::nullopt;
    }
    if (!std::isfinite(number) || number < 0 || (used > 0 && (text[0] == '+' || text[0] == ' '))) return std::nullopt;
    std::string unit = text.substr(used);
    std::transform(unit.begin(), unit.end(), unit.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    double scale = 0;
    if (unit.empty() || unit == "B") scale = 1;
    static const std::pair<const char*, int> prefixes[] = {{"K", 1}, {"M", 2}, {"G", 3}, {"T", 4}};
    for (const auto& [prefix, power] : prefixes) {
        const std::string p = prefix;
        if (unit == p || unit == p + "IB") scale = std::pow(1024.0, power);
        if (unit == p + "B") scale = std::pow(1000.0, power);
    }
    if (scale == 0) return std::nullopt;
    const double bytes = number * scale;
    if (bytes >= 1.8e19) return std::nullopt;
    return static_cast<std::uint64_t>(bytes);
}

}  // namespace tiersim::models
