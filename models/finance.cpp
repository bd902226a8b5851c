// The finance phase: debt service, credit applications and standing with banks.
#include "models/pyramid_model.hpp"
#include "sim/parallel.hpp"
#include "sim/random.hpp"

#include <algorithm>

namespace tiersim::models {

namespace {
constexpr std::int32_t forever = 1 << 20;
}

void PyramidModel::finance(sim::Tick tick) {
    const CreditConfig& credit = scenario_.credit;
    sim::for_each_index(firms_.size(), [&](std::size_t index) {
        const auto i = static_cast<FirmIndex>(index);
        firms_.credit_outcome[i] = 0;
        firms_.loan_granted[i] = 0;
        firms_.defaulted_debt[i] = 0;
        if (!firms_.alive[i]) return;
        service_debt(i);
        // Borrow to restore the cash buffer, if the firm is willing and the bank agrees.
        const double monthly_costs = firms_.unit_cost[i] * firms_.forecast[i];
        const double need = credit.cash_buffer_months * monthly_costs - firms_.cash[i];
        if (need > 0 && !firms_.credit_averse[i]) {
            auto rng = stream(firms_.id[i], tick, Purpose::credit_score);
            const CreditApplicant applicant{firms_.size_class[i], need, firms_.fixed_assets[i], firms_.debt[i],
                                            12.0 * firms_.revenue[i], firms_.history_months[i],
                                            firms_.months_since_default[i]};
            const Denial decision = score_application(credit, applicant, rng);
            firms_.credit_outcome[i] = static_cast<std::uint8_t>(1 + static_cast<int>(decision));
            if (decision == Denial::none) {
                firms_.debt[i] += need;
                firms_.cash[i] += need;
                firms_.loan_granted[i] = need;
                firms_.events[i] |= event_loan;
            }
        }
        // Standing: a month ending in the red counts against the firm.
        if (firms_.cash[i] < 0) {
            firms_.distress_months[i] = static_cast<std::uint8_t>(std::min(255, firms_.distress_months[i] + 1));
            firms_.history_months[i] = 0;
            // Months past due: the bank writes the loans off, and remembers.
            if (firms_.distress_months[i] == credit.default_after_months && firms_.debt[i] > 0) {
                firms_.defaulted_debt[i] = firms_.debt[i];
                firms_.debt[i] = 0;
                firms_.months_since_default[i] = 0;
                firms_.events[i] |= event_defaulted;
            }
        } else {
            firms_.distress_months[i] = 0;
            ++firms_.history_months[i];
        }
        firms_.months_since_default[i] = std::min(forever, firms_.months_since_default[i] + 1);
    });
}

void PyramidModel::service_debt(FirmIndex i) {
    const CreditConfig& credit = scenario_.credit;
    const double interest = firms_.debt[i] * monthly_rate(credit, firms_.size_class[i]);
    const double principal = firms_.debt[i] / credit.loan_term_months;
    firms_.debt_service[i] = interest + principal;
    firms_.debt[i] -= principal;
    firms_.cash[i] -= interest + principal;
}

void PyramidModel::exit_failed_firms(sim::Tick) {
    const int limit = scenario_.credit.exit_after_months;
    sim::for_each_index(firms_.size(), [&](std::size_t index) {
        const auto i = static_cast<FirmIndex>(index);
        if (!firms_.alive[i] || firms_.distress_months[i] < limit) return;
        // The firm closes: its remaining loans default, its plant and workers go.
        firms_.alive[i] = 0;
        firms_.defaulted_debt[i] += firms_.debt[i];
        if (firms_.debt[i] > 0) firms_.events[i] |= event_defaulted;
        firms_.events[i] |= event_exited;
        firms_.months_since_default[i] = 0;
        firms_.debt[i] = 0;
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
