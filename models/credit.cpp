#include "models/credit.hpp"

#include <algorithm>
#include <cmath>

namespace tiersim::models {

namespace {

/// Exponential with the given mean, so that a few firms hold most of what is measured.
double exponential(double mean, sim::RandomStream& rng) {
    return mean <= 0 ? 0.0 : -mean * std::log1p(-rng.uniform());
}

/// Obligations the bank counts against its limit, this loan included.
double obligations(const CreditApplicant& a) noexcept { return a.debt + a.file.other_obligations + a.principal; }

}  // namespace

BureauFile read_bureau_file(const CreditConfig& credit, SizeClass size, double annual_revenue, sim::RandomStream& rng) {
    BureauFile file;
    file.delinquent = rng.bernoulli(credit.bureau_delinquent[size]);
    file.thin = rng.bernoulli(credit.thin_file[size]);
    file.pledgeable_share = std::min(1.0, exponential(credit.pledgeable_share[size], rng));
    file.other_obligations = exponential(credit.other_obligations[size], rng) * std::max(0.0, annual_revenue);
    return file;
}

Denial score_application(const CreditConfig& credit, const CreditApplicant& a, sim::RandomStream& rng) {
    // Both draws are always made, so a file scored with and without a guarantee's
    // cover reads the same documents.
    const double documents = rng.uniform();
    const double waiver = rng.uniform();
    // Moral hazard: the less of the loss the bank bears, the less it checks.
    const double relief = std::clamp(credit.screening_relief * a.collateral_cover, 0.0, 0.99);
    const bool waived = waiver < relief;
    // The order follows a loan officer's file: documents, history, then the numbers.
    if (!waived && documents >= credit.provable_income[a.size]) return Denial::unprovable_income;
    if (a.months_since_default < credit.bad_history_memory_months) return Denial::bad_history;
    if (a.file.delinquent && !waived) return Denial::bad_history;
    if (a.age_months < credit.min_history_months || a.file.thin) return Denial::no_history;
    const double uncovered = a.principal * (1.0 - a.collateral_cover);
    if (a.fixed_assets * a.file.pledgeable_share < credit.collateral_required * uncovered) return Denial::no_collateral;
    if (obligations(a) > credit.max_debt_to_annual_revenue * a.annual_revenue / (1.0 - relief))
        return Denial::too_much_debt;
    return Denial::none;
}

double risk_premium_annual(const CreditConfig& credit, const CreditApplicant& a) noexcept {
    const double limit = credit.max_debt_to_annual_revenue * a.annual_revenue;
    const double used = limit > 0 ? obligations(a) / limit : 1.0;
    return credit.risk_premium_annual * std::clamp(used, 0.0, 1.0);
}

double monthly_rate(const CreditConfig& credit, SizeClass size) noexcept {
    return (credit.base_rate_annual + credit.spread_annual[size]) / 12.0;
}

bool rate_tempts(const CreditConfig& credit, double rate_annual, double u) noexcept {
    const double floor = credit.reservation_rate_floor_annual;
    return rate_annual < floor + u * (credit.reservation_rate_ceiling_annual - floor);
}

}  // namespace tiersim::models
