// Sourcing: buyers repair links to failed or ineligible suppliers at once,
// and periodically weigh domestic offers against the import option.
#include "models/pyramid_model.hpp"
#include "sim/parallel.hpp"
#include "sim/random.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace tiersim::models {

namespace {
constexpr double unavailable = std::numeric_limits<double>::infinity();
}

namespace {

// What a buyer checks about a supplier, packed in one word so that checking a
// link costs one memory access instead of five.
constexpr std::uint64_t operating_bit = 1ull << 63;
constexpr std::uint64_t reliable_bit = 1ull << 62;

std::uint64_t supplier_card(bool operating, bool reliable, Tier tier, std::size_t sector, std::uint32_t certifications) {
    return (operating ? operating_bit : 0) | (reliable ? reliable_bit : 0) |
           (static_cast<std::uint64_t>(tier) << 48) | (static_cast<std::uint64_t>(sector & 0xffff) << 32) |
           certifications;
}

}  // namespace

bool PyramidModel::acceptable_supplier(FirmIndex j, std::size_t sector, Tier buyer_tier) const noexcept {
    const std::uint64_t card = supplier_cards_[j];
    const std::uint64_t wanted = supplier_card(true, true, static_cast<Tier>(static_cast<int>(buyer_tier) + 1), sector,
                                               required_mask_[sector][static_cast<std::size_t>(buyer_tier)]);
    // Operating, reliable, right tier and sector, holding at least what is required.
    return (card & ~0xffffffffull) == (wanted & ~0xffffffffull) && (card & wanted & 0xffffffffull) == (wanted & 0xffffffffull);
}

void PyramidModel::source_inputs(sim::Tick tick) {
    const double min_fill = scenario_.sourcing.min_fill_rate;
    supplier_cards_.resize(firms_.size());
    sim::for_each_index(firms_.size(), [&](std::size_t j) {
        supplier_cards_[j] = supplier_card(firms_.alive[j] != 0, firms_.fill_rate[j] >= min_fill, firms_.tier[j],
                                           firms_.sector[j], firms_.certifications[j]);
    });
    const auto period = static_cast<std::uint32_t>(scenario_.sourcing.review_period_months);
    std::vector<std::uint8_t> relinked(firms_.size(), 0);
    sim::for_each_index(firms_.size(), [&](std::size_t index) {
        const auto b = static_cast<FirmIndex>(index);
        if (!firms_.alive[b] || firms_.tier[b] == Tier::t3) return;
        // Reviews are staggered over the period so buyers do not all move at once.
        const bool full_review = (tick + firms_.id[b]) % period == 0;
        const auto [first, last] = graph_.out_links(b);
        bool broken = false;
        for (auto l = first; l < last && !broken; ++l)
            broken = links_.share[l] > 0 && !acceptable_supplier(graph_.target(l), firms_.sector[b], firms_.tier[b]);
        if (!broken && !full_review) return;
        relinked[b] = review_suppliers(b, tick, full_review) ? 1 : 0;
    });
    // Retargeted links move between suppliers' incoming lists.
    if (std::find(relinked.begin(), relinked.end(), 1) != relinked.end()) graph_.rebuild_reverse_index();
}

double PyramidModel::origin_penalty(FirmIndex oem, sim::Tick tick) const noexcept {
    const auto& rule = scenario_.policies.rules_of_origin;
    if (!rule || !rule->in_force(static_cast<int>(tick))) return 0.0;
    const std::size_t s = firms_.sector[oem];
    if (!rule->sectors.empty() && std::ranges::find(rule->sectors, sector_name(s)) == rule->sectors.end()) return 0.0;
    const double d = firms_.domestic_content[oem];
    if (d + rule->regional_import_share * (1.0 - d) >= rule->regional_value_content) return 0.0;
    return rule->tariff * export_share_[s];
}

bool PyramidModel::review_suppliers(FirmIndex b, sim::Tick tick, bool full_review) {
    const SourcingConfig& rule = scenario_.sourcing;
    const std::size_t sector = firms_.sector[b];
    const Tier tier = firms_.tier[b];
    // What one unit costs delivered: price, plus the cost of defects, plus a
    // foreign-owned buyer's preference for its overseas suppliers.
    const double bias = firms_.ownership[b] == Ownership::foreign ? 1.0 + rule.foreign_home_bias : 1.0;
    auto delivered_cost = [&](FirmIndex j) {
        const double km = distance_km(firms_.cluster[b], firms_.cluster[j]);
        return firms_.price[j] * (1.0 + rule.defect_cost * (1.0 - firms_.capability[j])) *
               (1.0 + rule.unreliability_cost * (1.0 - firms_.fill_rate[j])) *
               (1.0 + rule.freight_share_per_1000km * km / 1000.0) * bias;
    };
    const auto [first, last] = graph_.out_links(b);
    auto already_linked = [&](FirmIndex j) {
        for (auto l = first; l < last; ++l)
            if (graph_.target(l) == j && links_.share[l] > 0) return true;
        return false;
    };

    // The buyer sees a few eligible domestic firms, drawn at random; nearer
    // ones are likelier to be seen.
    auto rng = stream(firms_.id[b], tick, Purpose::sourcing);
    const auto& pool = tier_members(sector, static_cast<Tier>(static_cast<int>(tier) + 1));
    FirmIndex best = 0;
    double best_cost = unavailable;
    // A supplier can take more business only up to its spare capacity: without
    // this check every buyer would pile onto the same cheapest firm.
    const double step_volume = rule.import_step * firms_.forecast[b] * firms_.input_per_unit[b];
    auto has_room = [&](FirmIndex j) {
        return firms_.capacity[j] * capacity_factor_[firms_.cluster[j]] - firms_.forecast[j] >= step_volume;
    };
    auto consider = [&](FirmIndex j) {
        if (!acceptable_supplier(j, sector, tier) || already_linked(j) || !has_room(j)) return;
        const double km = distance_km(firms_.cluster[b], firms_.cluster[j]);
        if (km > 0 && !rng.bernoulli(std::exp(-km / rule.distance_decay_km))) return;
        const double cost = delivered_cost(j);
        if (cost < best_cost) best = j, best_cost = cost;
    };
    for (int k = 0; k < rule.candidates_seen && !pool.empty(); ++k) consider(pool[rng.below(pool.size())]);
    // Matchmaking (supplier development) introduces the buyer to program
    // firms, wherever they are; a good match takes business from imports.
    FirmIndex match = 0;
    double match_cost = unavailable;
    if (const auto& program = scenario_.policies.supplier_development;
        program && full_review && program->in_force(static_cast<int>(tick)) && firms_.import_share[b] > 0 &&
        ledgers_[static_cast<std::size_t>(Program::supplier_development)].budget_left > 0 && !pool.empty()) {
        auto match_rng = stream(firms_.id[b], tick, Purpose::matchmaking);
        int introduced = 0;
        for (int attempt = 0; introduced < program->extra_candidates && attempt < 8 * program->extra_candidates; ++attempt) {
            const FirmIndex j = pool[match_rng.below(pool.size())];
            if (!reaches(*program, j, tick)) continue;
            ++introduced;
            if (!acceptable_supplier(j, sector, tier) || already_linked(j) || !has_room(j)) continue;
            const double km = distance_km(firms_.cluster[b], firms_.cluster[j]);
            if (km > 0 && !program->cross_cluster && !match_rng.bernoulli(std::exp(-km / rule.distance_decay_km))) continue;
            if (const double cost = delivered_cost(j); cost < match_cost) match = j, match_cost = cost;
        }
        firms_.development_cost[b] += program->matchmaking_cost_mxn;
        firms_.benefits[b] |= program_bit(Program::supplier_development);
    }

    // Repair: a failed or ineligible supplier is replaced by the best offer
    // seen, or its share goes abroad. What it still owed is cancelled.
    double lost = 0;
    bool retargeted = false;
    for (auto l = first; l < last; ++l) {
        if (links_.share[l] == 0 || acceptable_supplier(graph_.target(l), sector, tier)) continue;
        firms_.on_order[b] = std::max(0.0, firms_.on_order[b] - links_.owed[l]);
        links_.owed[l] = 0;
        if (best_cost < unavailable) {
            graph_.retarget(l, best);
            retargeted = true;
            best_cost = unavailable;  // one offer fills one place
        } else {
            lost += links_.share[l];
            links_.share[l] = 0;
        }
    }
    double& m = firms_.import_share[b];
    if (lost > 0) {
        const double kept = 1.0 - lost;
        if (kept <= 1e-12) {
            m = 1.0;
        } else {
            for (auto l = first; l < last; ++l) links_.share[l] /= kept;
            m += (1.0 - m) * lost;
        }
    }
    if (!full_review) return retargeted;

    // Review: compare the domestic delivered cost with the import option.
    double domestic = 0, placed = 0;
    for (auto l = first; l < last; ++l) {
        if (links_.share[l] == 0) continue;
        domestic += links_.share[l] * delivered_cost(graph_.target(l));
        placed += links_.share[l];
    }
    // The cheapest current supplier with room for one more step of business.
    auto cheapest_with_room = [&] {
        auto cheapest = last;
        for (auto l = first; l < last; ++l)
            if (links_.share[l] > 0 && has_room(graph_.target(l)) &&
                (cheapest == last || delivered_cost(graph_.target(l)) < delivered_cost(graph_.target(cheapest))))
                cheapest = l;
        return cheapest;
    };
    domestic = placed > 0 ? domestic / placed : unavailable;
    // An OEM whose content falls short of a rule of origin pays its duty on
    // the exported share: imported inputs cost it that much more.
    double import_cost = landed_input_price(b);
    if (tier == Tier::oem) import_cost *= 1.0 + origin_penalty(b, tick);
    const double offer = std::min(domestic, best_cost);
    if (offer < import_cost * (1.0 - rule.switching_cost_share) && m > 0) {
        const double step = std::min(rule.import_step, m);
        if (placed == 0) {
            // No domestic supplier yet: the best offer takes a free link slot.
            if (first == last || best_cost == unavailable) return retargeted;
            auto slot = first;
            for (auto l = first; l < last; ++l)
                if (links_.share[l] == 0) slot = l;
            if (links_.share[slot] != 0) return retargeted;
            firms_.on_order[b] = std::max(0.0, firms_.on_order[b] - links_.owed[slot]);
            links_.owed[slot] = 0;
            graph_.retarget(slot, best);
            links_.share[slot] = 1.0;
            links_.payment_term[slot] = static_cast<std::uint8_t>(economy_.payment_terms_months[firms_.size_class[b]]);
            m -= step;
            return true;
        }
        // A cheaper eligible newcomer wins business from the dearest current
        // supplier: this is how entrants and improvers get in. With a free link
        // slot it takes a trial share; otherwise it replaces the dearest outright.
        if (best_cost < unavailable) {
            auto dearest = last, free_slot = last;
            for (auto l = first; l < last; ++l) {
                if (links_.share[l] == 0) free_slot = l;
                else if (dearest == last || delivered_cost(graph_.target(l)) > delivered_cost(graph_.target(dearest)))
                    dearest = l;
            }
            if (best_cost < delivered_cost(graph_.target(dearest)) * (1.0 - rule.switching_cost_share)) {
                const auto slot = free_slot != last ? free_slot : dearest;
                firms_.on_order[b] = std::max(0.0, firms_.on_order[b] - links_.owed[slot]);
                links_.owed[slot] = 0;
                graph_.retarget(slot, best);
                retargeted = true;
                if (slot == free_slot) {
                    const double trial = std::min(links_.share[dearest], rule.import_step / std::max(1.0 - m, rule.import_step));
                    links_.share[dearest] -= trial;
                    links_.share[slot] = trial;
                    links_.payment_term[slot] =
                        static_cast<std::uint8_t>(economy_.payment_terms_months[firms_.size_class[b]]);
                }
            }
        }
        // Shift `step` of all inputs from imports to the cheapest domestic supplier with room.
        const auto cheapest = cheapest_with_room();
        if (cheapest == last) return retargeted;
        shift_from_imports(b, cheapest, step);
    } else if (import_cost < domestic * (1.0 - rule.switching_cost_share) && m < 1) {
        m = std::min(1.0, m + rule.import_step);
    }
    if (match_cost < import_cost * (1.0 - rule.switching_cost_share) && m > 0)
        retargeted |= place_with_match(b, match, std::min(rule.import_step, m));
    return retargeted;
}

bool PyramidModel::place_with_match(FirmIndex b, FirmIndex match, double step) {
    // A free link slot goes to the match with `step` of the buyer's inputs, taken from imports.
    const auto [first, last] = graph_.out_links(b);
    auto slot = last;
    for (auto l = first; l < last; ++l)
        if (links_.share[l] == 0) slot = l;
    if (slot == last) return false;
    firms_.on_order[b] = std::max(0.0, firms_.on_order[b] - links_.owed[slot]);
    links_.owed[slot] = 0;
    graph_.retarget(slot, match);
    links_.payment_term[slot] = static_cast<std::uint8_t>(economy_.payment_terms_months[firms_.size_class[b]]);
    shift_from_imports(b, slot, step);
    return true;
}

void PyramidModel::shift_from_imports(FirmIndex b, sim::LinkIndex link, double step) {
    // Shares are of domestic purchases: rescale to shares of all inputs, move
    // `step` from imports to `link`, rescale back.
    double& m = firms_.import_share[b];
    const auto [first, last] = graph_.out_links(b);
    for (auto l = first; l < last; ++l) links_.share[l] *= 1.0 - m;
    links_.share[link] += step;
    m -= step;
    for (auto l = first; l < last; ++l) links_.share[l] /= 1.0 - m;
}

}  // namespace tiersim::models
