// Schemas of the policy levers and shocks (models/policy.hpp).
#include "models/policy.hpp"

namespace tiersim::models {

double path_value(const std::vector<PathPoint>& path, int tick, double initial) noexcept {
    double value = initial;
    int latest = -1;
    for (const PathPoint& point : path)
        if (point.tick <= tick && point.tick >= latest) value = point.value, latest = point.tick;
    return value;
}

}  // namespace tiersim::models

namespace tiersim::sim::config {

using namespace tiersim::models;

namespace {

/// Start, end and eligibility: the keys every program shares.
template <class P>
void add_terms(Fields<P>& f) {
    f.add("start_tick", static_cast<int P::*>(&ProgramTerms::start_tick)).unit("month").range(0, 100000)
        .doc("First tick the program is in force");
    f.add("end_tick", static_cast<int P::*>(&ProgramTerms::end_tick)).unit("month").range(-1, 100000)
        .doc("Last tick the program is in force (-1: to the end of the run)");
    f.add("eligibility", static_cast<Eligibility P::*>(&ProgramTerms::eligibility))
        .doc("Which firms the program reaches (empty lists: all)");
    f.check([](const P& p) -> CrossFieldProblem {
        if (p.end_tick >= 0 && p.end_tick < p.start_tick)
            return std::pair<std::string, std::string>{"end_tick", "ends before it starts"};
        return std::nullopt;
    });
}

}  // namespace

void Describe<Eligibility>::fields(Fields<Eligibility>& f) {
    f.add("tiers", &Eligibility::tiers).doc("Tiers reached (oem, t1, t2, t3)");
    f.add("size_classes", &Eligibility::size_classes).doc("Size classes reached (micro, small, medium, large)");
    f.add("sectors", &Eligibility::sectors).doc("Sectors reached, by name");
    f.add("clusters", &Eligibility::clusters).doc("Clusters reached, by name");
    f.add("domestic_only", &Eligibility::domestic_only).doc("Only Mexican-owned firms");
}

void Describe<CreditGuaranteeConfig>::fields(Fields<CreditGuaranteeConfig>& f) {
    using G = CreditGuaranteeConfig;
    add_terms(f);
    f.add("budget_mxn", &G::budget_mxn).unit("MXN").range(0, 1e15)
        .doc("Capital of the guarantee fund: pays the guaranteed share of defaults; null: unlimited");
    f.add("coverage", &G::coverage).unit("1").range(0, 1)
        .doc("Share of a loan's principal the fund guarantees; the bank counts it as collateral (APEC17 §4.3.1.2)");
    f.add("fee", &G::fee).unit("1").range(0, 1).doc("Fee on the guaranteed amount, paid by the borrower at origination");
    f.add("leverage", &G::leverage).unit("1").range(0, 1000)
        .doc("Most guaranteed principal outstanding per peso of capital left in the fund");
    f.add("rate_discount_annual", &G::rate_discount_annual).unit("1/year").range(0, 1)
        .doc("Rate cut on guaranteed loans under first-come allocation (auctions set it by the winning bids)");
    f.add("allocation", &G::allocation)
        .doc("first_come: loans are guaranteed as they come while room lasts; auction: banks bid volume and rate, "
             "the lowest rates win the room (APEC17 §4.3.1.2)");
    f.add("banks", &G::banks).unit("banks").range(1, 100).doc("Banks bidding in the auction");
    f.add("auction_period_months", &G::auction_period_months).unit("months").range(1, 120)
        .doc("Months between auctions");
}

void Describe<CertificationSubsidyConfig>::fields(Fields<CertificationSubsidyConfig>& f) {
    using S = CertificationSubsidyConfig;
    add_terms(f);
    f.add("budget_mxn", &S::budget_mxn).unit("MXN").range(0, 1e15).doc("Money the program can pay out; null: unlimited");
    f.add("share", &S::share).unit("1").range(0, 1).doc("Share of a certification's cost the program pays");
    f.add("cap_per_firm_mxn", &S::cap_per_firm_mxn).unit("MXN").range(0, 1e12)
        .doc("Most the program pays one firm over the run; null: no cap");
    f.add("certifications", &S::certifications).doc("Certifications covered, by name; empty: all");
}

void Describe<ProsecConfig>::fields(Fields<ProsecConfig>& f) {
    add_terms(f);
    f.add("rate", &ProsecConfig::rate).unit("1").range(0, 5)
        .doc("Tariff registered firms pay on their inputs instead of MFN (ECCP19: the Eighth Rule, zero)");
    f.add("registration_cost_mxn", &ProsecConfig::registration_cost_mxn).unit("MXN").range(0, 1e12)
        .doc("One-off cost of registering; a firm registers when a year of duty saved exceeds it");
}

void Describe<ImmexConfig>::fields(Fields<ImmexConfig>& f) {
    add_terms(f);
    f.add("registration_cost_mxn", &ImmexConfig::registration_cost_mxn).unit("MXN").range(0, 1e12)
        .doc("One-off cost of registering; a firm registers when a year of duty saved exceeds it");
}

void Describe<SupplierDevelopmentConfig>::fields(Fields<SupplierDevelopmentConfig>& f) {
    using D = SupplierDevelopmentConfig;
    add_terms(f);
    f.add("budget_mxn", &D::budget_mxn).unit("MXN").range(0, 1e15).doc("Money for matchmaking and pilot orders; null: unlimited");
    f.add("extra_candidates", &D::extra_candidates).unit("firms").range(0, 1000)
        .doc("Eligible suppliers added to every buyer's review sample (matchmaking)");
    f.add("cross_cluster", &D::cross_cluster).doc("Matched suppliers are seen whatever the distance");
    f.add("matchmaking_cost_mxn", &D::matchmaking_cost_mxn).unit("MXN").range(0, 1e9)
        .doc("Cost to the program of one buyer review with matchmaking");
    f.add("pilot_orders_per_month", &D::pilot_orders_per_month).unit("firms/month").range(0, 100000)
        .doc("Eligible firms without a customer that a sponsored pilot order lets certify, each month");
    f.add("pilot_cost_mxn", &D::pilot_cost_mxn).unit("MXN").range(0, 1e9).doc("Cost to the program of one pilot order");
    f.add("learning_boost", &D::learning_boost).unit("1/month").range(0, 1)
        .doc("Extra capability eligible firms gain per month from foreign buyers, times their foreign share and (1 - c)");
}

void Describe<RulesOfOriginConfig>::fields(Fields<RulesOfOriginConfig>& f) {
    using R = RulesOfOriginConfig;
    f.add("start_tick", &R::start_tick).unit("month").range(0, 100000).doc("First tick the rule applies");
    f.add("end_tick", &R::end_tick).unit("month").range(-1, 100000).doc("Last tick it applies (-1: to the end)");
    f.add("sectors", &R::sectors).doc("Sectors whose exports the rule covers; empty: all");
    f.add("regional_value_content", &R::regional_value_content).unit("1").range(0, 1)
        .doc("Least regional value content of an OEM's output for duty-free export");
    f.add("tariff", &R::tariff).unit("1").range(0, 5).doc("Duty on exports of OEMs below the threshold");
    f.add("regional_import_share", &R::regional_import_share).unit("1").range(0, 1)
        .doc("Share of imported content that comes from inside the region and counts as regional");
}

void Describe<PoliciesConfig>::fields(Fields<PoliciesConfig>& f) {
    using P = PoliciesConfig;
    f.add("credit_guarantee", &P::credit_guarantee).doc("Guarantees in place of collateral (APEC17 §4.3.1.2)");
    f.add("certification_subsidy", &P::certification_subsidy).doc("Pays part of certification costs");
    f.add("prosec", &P::prosec).doc("Sectoral input-tariff program (APEC17 §4.3)");
    f.add("immex", &P::immex).doc("Duty-free temporary imports for exported output (APEC17 §4.3)");
    f.add("supplier_development", &P::supplier_development).doc("Matchmaking, pilot orders and learning (APEC17 §5.1.3)");
    f.add("rules_of_origin", &P::rules_of_origin).doc("Regional value content rule on exports");
}

void Describe<DemandShock>::fields(Fields<DemandShock>& f) {
    f.add("sector", &DemandShock::sector).doc("Sector hit; empty: every sector");
    f.add("start_tick", &DemandShock::start_tick).unit("month").range(0, 100000).doc("First month of the shock");
    f.add("months", &DemandShock::months).unit("months").range(1, 100000).doc("How long it lasts");
    f.add("level", &DemandShock::level).unit("1").range(-1, 10).doc("Relative change of final demand (-0.3: a 30% fall)");
}

void Describe<ExportTariffShock>::fields(Fields<ExportTariffShock>& f) {
    f.add("sector", &ExportTariffShock::sector).doc("Sector whose exports are taxed; empty: every sector");
    f.add("start_tick", &ExportTariffShock::start_tick).unit("month").range(0, 100000).doc("First month");
    f.add("months", &ExportTariffShock::months).unit("months").range(1, 100000).doc("How long it lasts");
    f.add("rate", &ExportTariffShock::rate).unit("1").range(0, 5).doc("Tariff the destination levies on the exports");
}

void Describe<Disruption>::fields(Fields<Disruption>& f) {
    f.add("cluster", &Disruption::cluster).doc("Cluster hit, by name; empty: every cluster");
    f.add("start_tick", &Disruption::start_tick).unit("month").range(0, 100000).doc("First month");
    f.add("months", &Disruption::months).unit("months").range(1, 100000).doc("How long it lasts");
    f.add("capacity_lost", &Disruption::capacity_lost).unit("1").range(0, 1).doc("Share of its firms' capacity lost");
}

void Describe<CreditCrunch>::fields(Fields<CreditCrunch>& f) {
    f.add("start_tick", &CreditCrunch::start_tick).unit("month").range(0, 100000).doc("First month");
    f.add("months", &CreditCrunch::months).unit("months").range(1, 100000).doc("How long it lasts");
    f.add("collateral_multiplier", &CreditCrunch::collateral_multiplier).unit("1").range(0, 100)
        .doc("Banks ask this many times the usual collateral");
    f.add("rate_increase_annual", &CreditCrunch::rate_increase_annual).unit("1/year").range(0, 2)
        .doc("Added to every lending rate");
}

void Describe<PathPoint>::fields(Fields<PathPoint>& f) {
    f.add("tick", &PathPoint::tick).unit("month").range(0, 100000).doc("From this month on...");
    f.add("value", &PathPoint::value).range(0, 1e6).doc("...the variable takes this value (units: see the path)");
}

void Describe<ShocksConfig>::fields(Fields<ShocksConfig>& f) {
    using S = ShocksConfig;
    f.add("demand", &S::demand).doc("Final-demand shocks: relative level changes for some months");
    f.add("export_tariff", &S::export_tariff).doc("Tariffs levied abroad on a sector's exports, for some months");
    f.add("mfn_tariff", &S::mfn_tariff).unit("1").doc("Path of the MFN tariff on imported inputs: [{tick, value}]");
    f.add("exchange_rate", &S::exchange_rate).unit("MXN/USD").doc("Path of the exchange rate: [{tick, value}]");
    f.add("interest_rate", &S::interest_rate).unit("1/year").doc("Path of banks' base lending rate: [{tick, value}]");
    f.add("credit_crunch", &S::credit_crunch).doc("Months in which banks ask more collateral and charge more");
    f.add("disruptions", &S::disruptions).doc("Capacity lost by a cluster's firms for some months");
}

}  // namespace tiersim::sim::config
