#include "models/credit.hpp"

namespace tiersim::models {

Denial score_application(const CreditConfig& credit, const CreditApplicant& a, sim::RandomStream& rng) {
    // The order follows a loan officer's file: documents, history, then the numbers.
    if (!rng.bernoulli(credit.provable_income[a.size])) return Denial::unprovable_income;
    if (a.months_since_default < credit.bad_history_memory_months) return Denial::bad_history;
    if (a.history_months < credit.min_history_months) return Denial::no_history;
    const double uncovered = a.principal * (1.0 - a.collateral_cover);
    if (a.fixed_assets * credit.pledgeable_share[a.size] < credit.collateral_required * uncovered)
        return Denial::no_collateral;
    if (a.debt + a.principal > credit.max_debt_to_annual_revenue * a.annual_revenue) return Denial::too_much_debt;
    return Denial::none;
}

double monthly_rate(const CreditConfig& credit, SizeClass size) noexcept {
    return (credit.base_rate_annual + credit.spread_annual[size]) / 12.0;
}

}  // namespace tiersim::models
