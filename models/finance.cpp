// The finance phase: debt service, credit applications (with or without a
// guarantee), standing with banks, default and exit.
#include "models/pyramid_model.hpp"
#include "sim/parallel.hpp"
#include "sim/random.hpp"

#include <algorithm>

namespace tiersim::models {

namespace {
constexpr std::int32_t forever = 1 << 20;
}

void PyramidModel::finance(sim::Tick tick) {
    // Three passes: firms apply (in parallel); the guarantee fund shares out
    // its room in a queue (serial, deterministic); loans are booked (parallel).
    const auto& guarantee = scenario_.policies.credit_guarantee;
    const bool guarantee_open = guarantee && guarantee->in_force(static_cast<int>(tick));
    requests_.assign(firms_.size(), 0.0);
    bank_of_.assign(firms_.size(), -1);
    sim::for_each_index(firms_.size(), [&](std::size_t i) { apply_for_credit(static_cast<FirmIndex>(i), tick, guarantee_open); });
    if (guarantee_open) {
        Ledger& ledger = ledgers_[static_cast<std::size_t>(Program::credit_guarantee)];
        if (guarantee->allocation == GuaranteeAllocation::first_come) {
            double room = std::max(0.0, ledger.budget_left * guarantee->leverage - ledger.guaranteed_outstanding);
            allocate_in_queue(tick, requests_, room);
        } else {
            // Each application goes to one bank; it is guaranteed while that bank's winning volume lasts.
            for (std::size_t k = 0; k < bank_bids_.size(); ++k) {
                std::vector<double> mine(firms_.size(), 0.0);
                for (FirmIndex i = 0; i < firms_.size(); ++i)
                    if (bank_of_[i] == static_cast<std::int8_t>(k)) mine[i] = requests_[i];
                allocate_in_queue(tick, mine, bank_bids_[k].volume_left);
                for (FirmIndex i = 0; i < firms_.size(); ++i)
                    if (bank_of_[i] == static_cast<std::int8_t>(k)) requests_[i] = mine[i];
            }
            for (FirmIndex i = 0; i < firms_.size(); ++i)
                if (bank_of_[i] < 0 || static_cast<std::size_t>(bank_of_[i]) >= bank_bids_.size()) requests_[i] = 0;
        }
    }
    sim::for_each_index(firms_.size(), [&](std::size_t i) { settle_credit(static_cast<FirmIndex>(i), tick); });
}

void PyramidModel::apply_for_credit(FirmIndex i, sim::Tick tick, bool guarantee_open) {
    firms_.credit_outcome[i] = 0;
    firms_.loan_granted[i] = 0;
    firms_.defaulted_debt[i] = 0;
    if (!firms_.alive[i]) return;
    service_debt(i);
    // Borrow to restore the cash buffer, if the firm is willing and the bank agrees.
    const double monthly_costs = firms_.unit_cost[i] * firms_.forecast[i];
    const double need = credit_.cash_buffer_months * monthly_costs - firms_.cash[i];
    if (need <= 0 || firms_.credit_averse[i]) return;
    CreditApplicant applicant{firms_.size_class[i], need, firms_.fixed_assets[i], firms_.debt[i],
                              12.0 * firms_.revenue[i], firms_.history_months[i], firms_.months_since_default[i]};
    // The same stream for both scorings: a guarantee changes the collateral, not the income documents.
    auto rng = stream(firms_.id[i], tick, Purpose::credit_score);
    const Denial plain = score_application(credit_, applicant, rng);
    firms_.credit_outcome[i] = static_cast<std::uint8_t>(1 + static_cast<int>(plain));
    const auto& guarantee = scenario_.policies.credit_guarantee;
    if (!guarantee_open || !reaches(*guarantee, i, tick)) return;
    applicant.collateral_cover = guarantee->coverage;
    auto same_rng = stream(firms_.id[i], tick, Purpose::credit_score);
    if (score_application(credit_, applicant, same_rng) != Denial::none) return;
    // Approved with the guarantee: ask the fund for cover of this much principal.
    requests_[i] = guarantee->coverage * need;
    if (guarantee->allocation == GuaranteeAllocation::auction && guarantee->banks > 0)
        bank_of_[i] = static_cast<std::int8_t>(stream(firms_.id[i], tick, Purpose::guarantee_bank).below(
            static_cast<std::uint64_t>(guarantee->banks)));
}

void PyramidModel::settle_credit(FirmIndex i, sim::Tick) {
    if (!firms_.alive[i]) return;
    const double cover = requests_[i];
    const Denial plain = firms_.credit_outcome[i] > 0 ? static_cast<Denial>(firms_.credit_outcome[i] - 1) : Denial::none;
    if (cover > 0 || (firms_.credit_outcome[i] > 0 && plain == Denial::none)) {
        const double need = credit_.cash_buffer_months * firms_.unit_cost[i] * firms_.forecast[i] - firms_.cash[i];
        firms_.credit_outcome[i] = 1;  // approved
        firms_.debt[i] += need;
        firms_.cash[i] += need;
        firms_.loan_granted[i] = need;
        firms_.events[i] |= event_loan;
        if (cover > 0) {
            const auto& guarantee = *scenario_.policies.credit_guarantee;
            double discount = guarantee.rate_discount_annual;
            if (guarantee.allocation == GuaranteeAllocation::auction && bank_of_[i] >= 0)
                discount = bank_bids_[static_cast<std::size_t>(bank_of_[i])].rate_discount_annual;
            // The firm's guaranteed loans carry the average cut, weighted by principal.
            const double before = firms_.guaranteed_loans[i];
            firms_.guarantee_rate_discount[i] =
                (firms_.guarantee_rate_discount[i] * before + discount * need) / (before + need);
            firms_.guaranteed_loans[i] += need;
            firms_.guaranteed_cover[i] += cover;
            firms_.guarantee_fee[i] = guarantee.fee * cover;
            firms_.cash[i] -= firms_.guarantee_fee[i];
            firms_.benefits[i] |= program_bit(Program::credit_guarantee);
        }
    }
    // Standing: a month ending in the red counts against the firm.
    if (firms_.cash[i] < 0) {
        firms_.distress_months[i] = static_cast<std::uint8_t>(std::min(255, firms_.distress_months[i] + 1));
        firms_.history_months[i] = 0;
        // Months past due: the bank writes the loans off, and remembers.
        if (firms_.distress_months[i] == credit_.default_after_months && firms_.debt[i] > 0) {
            write_off(i);
            firms_.months_since_default[i] = 0;
            firms_.events[i] |= event_defaulted;
        }
    } else {
        firms_.distress_months[i] = 0;
        ++firms_.history_months[i];
    }
    firms_.months_since_default[i] = std::min(forever, firms_.months_since_default[i] + 1);
}

void PyramidModel::write_off(FirmIndex i) {
    // The bank loses the debt; the guarantee fund pays it the guaranteed part.
    firms_.defaulted_debt[i] += firms_.debt[i];
    firms_.guarantee_payout[i] += firms_.guaranteed_cover[i];
    if (firms_.guaranteed_cover[i] > 0) firms_.benefits[i] |= program_bit(Program::credit_guarantee);
    firms_.debt[i] = 0;
    firms_.guaranteed_loans[i] = 0;
    firms_.guaranteed_cover[i] = 0;
}

void PyramidModel::service_debt(FirmIndex i) {
    const double interest = firms_.debt[i] * monthly_rate(credit_, firms_.size_class[i]) -
                            firms_.guaranteed_loans[i] * firms_.guarantee_rate_discount[i] / 12.0;
    const double repaid_share = 1.0 / credit_.loan_term_months;
    const double principal = firms_.debt[i] * repaid_share;
    firms_.debt_service[i] = interest + principal;
    firms_.debt[i] -= principal;
    firms_.guaranteed_loans[i] *= 1.0 - repaid_share;
    firms_.guaranteed_cover[i] *= 1.0 - repaid_share;
    firms_.cash[i] -= interest + principal;
}

void PyramidModel::exit_failed_firms(sim::Tick) {
    const int limit = credit_.exit_after_months;
    sim::for_each_index(firms_.size(), [&](std::size_t index) {
        const auto i = static_cast<FirmIndex>(index);
        if (!firms_.alive[i] || firms_.distress_months[i] < limit) return;
        // The firm closes: its remaining loans default, its plant and workers go.
        firms_.alive[i] = 0;
        if (firms_.debt[i] > 0) firms_.events[i] |= event_defaulted;
        write_off(i);
        firms_.events[i] |= event_exited;
        firms_.months_since_default[i] = 0;
        firms_.capacity[i] = 0;
        firms_.employment[i] = 0;
        firms_.finished_goods[i] = 0;
        firms_.forecast[i] = 0;
        // What it had on order from domestic suppliers is cancelled: they stop shipping to it.
        const auto [first, last] = graph_.out_links(i);
        for (auto l = first; l < last; ++l) {
            links_.owed[l] = 0;
            links_.share[l] = 0;
        }
        firms_.on_order[i] = 0;
    });
}

}  // namespace tiersim::models
