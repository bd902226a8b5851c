// The programs phase and the levers' shared rules: who a program reaches,
// which tariff a firm pays, registrations, pilot orders, the guarantee
// auction, and the queue that shares out a budget deterministically.
#include "models/pyramid_model.hpp"
#include "sim/parallel.hpp"
#include "sim/random.hpp"

#include <algorithm>
#include <numeric>

namespace tiersim::models {

namespace {

template <class T>
bool listed(const std::vector<T>& list, const T& value) {
    return list.empty() || std::ranges::find(list, value) != list.end();
}

}  // namespace

bool PyramidModel::reaches(const ProgramTerms& terms, FirmIndex i, sim::Tick tick) const noexcept {
    const Eligibility& e = terms.eligibility;
    return terms.in_force(static_cast<int>(tick)) && firms_.alive[i] && listed(e.tiers, firms_.tier[i]) &&
           listed(e.size_classes, firms_.size_class[i]) && listed(e.sectors, sector_names_[firms_.sector[i]]) &&
           listed(e.clusters, cluster_names_[firms_.cluster[i]]) &&
           (!e.domestic_only || firms_.ownership[i] == Ownership::domestic);
}

double PyramidModel::program_tariff(FirmIndex i) const noexcept {
    double tariff = economy_.mfn_tariff;
    const auto& p = scenario_.policies;
    if ((firms_.registered[i] & program_bit(Program::prosec)) && p.prosec && p.prosec->in_force(tick_))
        tariff = std::min(tariff, p.prosec->rate);
    // IMMEX: inputs of the exported share of output enter duty-free.
    if ((firms_.registered[i] & program_bit(Program::immex)) && p.immex && p.immex->in_force(tick_))
        tariff = std::min(tariff, economy_.mfn_tariff * (1.0 - export_share_[firms_.sector[i]]));
    return tariff;
}

void PyramidModel::record_duty_forgone(FirmIndex i, double imported_units) {
    firms_.duty_forgone[i] = 0;
    if (firms_.registered[i] == 0 || imported_units <= 0) return;
    const double tariff = tariff_of(i);
    if (tariff >= economy_.mfn_tariff) return;
    const double landed = landed_input_price(i);
    const double world_value = landed / (1.0 + tariff + economy_.import_transport_share);
    firms_.duty_forgone[i] = imported_units * world_value * (economy_.mfn_tariff - tariff);
    // The program granting the lower rate gets the credit.
    const auto& prosec = scenario_.policies.prosec;
    const bool by_prosec = (firms_.registered[i] & program_bit(Program::prosec)) && prosec &&
                           prosec->in_force(tick_) && prosec->rate <= tariff;
    firms_.benefits[i] |= program_bit(by_prosec ? Program::prosec : Program::immex);
}

void PyramidModel::run_programs(sim::Tick tick) {
    for (Ledger& ledger : ledgers_) ledger.spent_this_tick = 0;
    sim::for_each_index(firms_.size(), [&](std::size_t i) {
        for (double* flow : {&firms_.guarantee_fee[i], &firms_.guarantee_payout[i], &firms_.subsidy_received[i],
                             &firms_.duty_forgone[i], &firms_.development_cost[i]})
            *flow = 0;
        firms_.benefits[i] = 0;
    });
    register_for_tariff_programs(tick);
    sponsor_pilot_orders(tick);
    hold_guarantee_auction(tick);
}

void PyramidModel::settle_accounts(sim::Tick) {
    // The guarantee fund pays the guaranteed part of defaults and keeps its fees;
    // matchmaking spending comes out of supplier development's budget.
    struct Flows {
        double payouts = 0, fees = 0, matchmaking = 0;
    };
    const Flows flows = sim::deterministic_reduce(
        firms_.size(), Flows{},
        [&](std::size_t begin, std::size_t end) {
            Flows part;
            for (std::size_t i = begin; i < end; ++i) {
                part.payouts += firms_.guarantee_payout[i];
                part.fees += firms_.guarantee_fee[i];
                part.matchmaking += firms_.development_cost[i];
            }
            return part;
        },
        [](Flows& into, const Flows& part) {
            into.payouts += part.payouts;
            into.fees += part.fees;
            into.matchmaking += part.matchmaking;
        });
    Ledger& fund = ledgers_[static_cast<std::size_t>(Program::credit_guarantee)];
    fund.budget_left += flows.fees - flows.payouts;
    fund.spent_this_tick = flows.payouts;
    Ledger& development = ledgers_[static_cast<std::size_t>(Program::supplier_development)];
    // Pilot orders were charged when granted; what remains of this tick's costs is matchmaking.
    const double matchmaking = flows.matchmaking - development.spent_this_tick;
    development.budget_left -= matchmaking;
    development.spent_this_tick += matchmaking;
}

void PyramidModel::register_for_tariff_programs(sim::Tick tick) {
    const auto& p = scenario_.policies;
    if (!p.prosec && !p.immex) return;
    // A firm registers when a year of the duty it would save pays for the paperwork.
    sim::for_each_index(firms_.size(), [&](std::size_t index) {
        const auto i = static_cast<FirmIndex>(index);
        const double mfn = economy_.mfn_tariff;
        const double world_imports = firms_.imports[i] / (1.0 + tariff_of(i) + economy_.import_transport_share);
        auto consider = [&](Program program, const auto& config, double rate) {
            const std::uint8_t bit = program_bit(program);
            if (!config || (firms_.registered[i] & bit) || !reaches(*config, i, tick)) return;
            const double saving = 12.0 * world_imports * std::max(0.0, std::min(mfn, tariff_of(i)) - rate);
            if (saving <= config->registration_cost_mxn || firms_.cash[i] < config->registration_cost_mxn) return;
            firms_.registered[i] |= bit;
            firms_.cash[i] -= config->registration_cost_mxn;
        };
        if (p.prosec) consider(Program::prosec, p.prosec, p.prosec->rate);
        if (p.immex) consider(Program::immex, p.immex, mfn * (1.0 - export_share_[firms_.sector[i]]));
    });
}

void PyramidModel::allocate_in_queue(sim::Tick tick, std::vector<double>& requests, double& room) const {
    // Requests are served in a random order drawn per (seed, tick), so no firm
    // index comes first every month, and the result does not depend on threads.
    std::vector<std::pair<std::uint64_t, FirmIndex>> queue;
    for (FirmIndex i = 0; i < requests.size(); ++i)
        if (requests[i] > 0) queue.emplace_back(stream(firms_.id[i], tick, Purpose::program_queue).next_u64(), i);
    std::ranges::sort(queue);
    for (const auto& [priority, i] : queue) {
        if (requests[i] > room) {
            requests[i] = 0;
            continue;
        }
        room -= requests[i];
    }
}

void PyramidModel::sponsor_pilot_orders(sim::Tick tick) {
    const auto& program = scenario_.policies.supplier_development;
    if (!program || !program->in_force(static_cast<int>(tick)) || program->pilot_orders_per_month == 0) return;
    // Candidates: reachable suppliers with no customer to show an auditor.
    requests_.assign(firms_.size(), 0.0);
    for (FirmIndex i = 0; i < firms_.size(); ++i)
        if (firms_.tier[i] != Tier::oem && !firms_.sponsored[i] && firms_.forecast[i] <= 0 && reaches(*program, i, tick))
            requests_[i] = program->pilot_cost_mxn > 0 ? program->pilot_cost_mxn : 1e-9;
    Ledger& ledger = ledgers_[static_cast<std::size_t>(Program::supplier_development)];
    double room = std::min(ledger.budget_left, program->pilot_orders_per_month * std::max(program->pilot_cost_mxn, 1e-9));
    allocate_in_queue(tick, requests_, room);
    int granted = 0;
    for (FirmIndex i = 0; i < firms_.size() && granted < program->pilot_orders_per_month; ++i) {
        if (requests_[i] <= 0) continue;
        firms_.sponsored[i] = 1;
        firms_.development_cost[i] += program->pilot_cost_mxn;
        firms_.benefits[i] |= program_bit(Program::supplier_development);
        ++granted;
    }
    ledger.budget_left -= granted * program->pilot_cost_mxn;
    ledger.spent_this_tick += granted * program->pilot_cost_mxn;
}

void PyramidModel::hold_guarantee_auction(sim::Tick tick) {
    const auto& program = scenario_.policies.credit_guarantee;
    if (!program || !program->in_force(static_cast<int>(tick))) return;
    Ledger& ledger = ledgers_[static_cast<std::size_t>(Program::credit_guarantee)];
    ledger.guaranteed_outstanding = sim::deterministic_reduce(
        firms_.size(), 0.0,
        [&](std::size_t begin, std::size_t end) {
            double sum = 0;
            for (std::size_t i = begin; i < end; ++i) sum += firms_.guaranteed_cover[i];
            return sum;
        },
        [](double& into, double part) { into += part; });
    if (program->allocation != GuaranteeAllocation::auction) return;
    if ((tick - static_cast<sim::Tick>(program->start_tick)) % static_cast<sim::Tick>(program->auction_period_months) != 0)
        return;
    // Each bank bids a volume of guaranteed lending and the rate cut it will
    // pass on; the fund takes the deepest cuts first until its room is used.
    const double room = std::max(0.0, ledger.budget_left * program->leverage - ledger.guaranteed_outstanding);
    std::vector<BankBid> bids(static_cast<std::size_t>(program->banks));
    for (std::size_t k = 0; k < bids.size(); ++k) {
        auto rng = stream(k, tick, Purpose::guarantee_auction);
        bids[k].rate_discount_annual = program->rate_discount_annual * (0.5 + rng.uniform());
        bids[k].volume_left = room * (0.2 + 0.6 * rng.uniform());  // assumption: bids oversubscribe the room
    }
    std::ranges::stable_sort(bids, [](const BankBid& a, const BankBid& b) { return a.rate_discount_annual > b.rate_discount_annual; });
    double left = room;
    for (BankBid& bid : bids) left -= bid.volume_left = std::min(bid.volume_left, left);
    bank_bids_ = std::move(bids);
}

}  // namespace tiersim::models
