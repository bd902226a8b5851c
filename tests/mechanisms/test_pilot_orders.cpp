// Supplier development run as evaluated programs are (policies.supplier_development):
// a cohort of eligible firms with a certification gap is assessed, the firms
// likely to pass the audit are selected, their audits paid, and each that
// certifies gets a pilot order from a buyer of its tier under contract
// (docs/model.md, "Supplier development").
#include "support/model_runs.hpp"
#include "support/paired.hpp"

#include <bit>
#include <map>

using namespace tiersim;
using namespace tiersim::testing;

namespace {

/// Tier 2 firms capable enough to pass an IATF 16949 audit (which OEMs demand
/// of Tier 1, so Tier 2 firms need it to move up); most of them lack it.
const std::vector<std::string> capable_tier2{"run.ticks=36", "sectors.vehicles.tiers.t2.capability_mean=0.6",
                                             "sectors.vehicles.tiers.t2.capability_sd=0.05"};

/// Supplier development without matchmaking or learning: cohorts, audits, pilot orders.
std::string program(int assessed, const std::string& budget = "null", double readiness = 0.5) {
    return "policies.supplier_development={extra_candidates: 0, matchmaking_cost_mxn: 0, learning_boost: 0, "
           "assessment_cost_mxn: 10000, pilot_cost_mxn: 50000, eligibility: {tiers: [t2]}, assessed_per_cohort: " +
           std::to_string(assessed) + ", selection_readiness: " + std::to_string(readiness) + ", budget_mxn: " + budget +
           "}";
}

struct ProgramRun {
    int assessed = 0, selected = 0, certified = 0, piloted = 0;
    int assessed_without_gap = 0;     ///< assessed although it held what its buyers and the tier above demand
    int selected_below_readiness = 0;  ///< selected with capability below readiness × pass capability
    int piloted_without_new_buyer = 0;  ///< a pilot order, but no buyer of its own buyer tier added that month
    int first_cohort = 0;               ///< firms assessed in the first month
    double charged = 0;                 ///< development_cost booked, MXN
};

ProgramRun run_program(const std::vector<std::string>& overrides) {
    static std::map<std::vector<std::string>, ProgramRun> done;
    if (const auto it = done.find(overrides); it != done.end()) return it->second;
    sim::ThreadLimit limit(2);
    models::PyramidModel model(teaching_scenario(overrides).scenario);
    const auto& f = model.firms();
    const auto& graph = model.graph();
    const auto& links = model.links();
    const auto& pyramid = model.pyramid();
    const double readiness = model.scenario().policies.supplier_development->selection_readiness;
    ProgramRun out;
    for (sim::Tick t = 0; t < static_cast<sim::Tick>(model.scenario().run.ticks); ++t) {
        const auto stage_before = f.development;
        const auto certifications_before = f.certifications;
        const auto capability_before = f.capability;
        model.schedule().run_tick(t);
        for (models::FirmIndex i = 0; i < f.size(); ++i) {
            out.charged += f.development_cost[i];
            const auto gained = static_cast<std::uint8_t>(f.development[i] & ~stage_before[i]);
            if (gained & models::development_assessed) {
                ++out.assessed;
                if (t == 0) ++out.first_cohort;
                const auto& masks = pyramid.required_mask[f.sector[i]];
                const auto tier = static_cast<std::size_t>(f.tier[i]);
                if (((masks[tier - 1] | masks[tier - 2]) & ~certifications_before[i]) == 0) ++out.assessed_without_gap;
            }
            if (gained & models::development_selected) {
                ++out.selected;
                // The firm's missing certification, as the program finds it: what the tier above demands.
                const auto& masks = pyramid.required_mask[f.sector[i]];
                const std::uint32_t missing =
                    (masks[static_cast<std::size_t>(f.tier[i]) - 1] & ~certifications_before[i])
                        ? masks[static_cast<std::size_t>(f.tier[i]) - 1] & ~certifications_before[i]
                        : masks[static_cast<std::size_t>(f.tier[i]) - 2] & ~certifications_before[i];
                const double pass = pyramid.certification_pass_capability[static_cast<std::size_t>(std::countr_zero(missing))];
                if (capability_before[i] < readiness * pass - 1e-12) ++out.selected_below_readiness;
            }
            if (gained & models::development_certified) ++out.certified;
            if (gained & models::development_piloted) {
                ++out.piloted;
                bool new_buyer = false;
                for (const sim::LinkIndex l : graph.in_links(i)) {
                    const auto b = graph.source(l);
                    if (links.share[l] > 0 && links.contract_end[l] == static_cast<std::uint32_t>(t) +
                                                  static_cast<std::uint32_t>(model.scenario().sourcing.contract_months) &&
                        static_cast<int>(f.tier[b]) == static_cast<int>(f.tier[i]) - 1)
                        new_buyer = true;
                }
                if (!new_buyer) ++out.piloted_without_new_buyer;
            }
        }
    }
    return done[overrides] = out;
}

std::vector<std::string> with(std::vector<std::string> base, const std::string& extra) {
    base.push_back(extra);
    return base;
}

}  // namespace

SCENARIO("supplier development assesses a cohort with a certification gap and selects the firms ready for the audit",
         "[lever:supplier_development][policy][supplier_development][mechanism]") {
    GIVEN("capable Tier 2 firms that lack what Tier 1 needs of its suppliers, and a program assessing 20 a year") {
        const auto run = run_program(with(capable_tier2, program(20)));
        CAPTURE(run.assessed, run.first_cohort, run.selected, run.certified, run.piloted, run.charged);
        THEN("20 firms are assessed in the first month, each with a gap to close") {
            CHECK(run.first_cohort == 20);
            CHECK(run.assessed_without_gap == 0);
        }
        THEN("some are selected, none below the readiness the program asks") {
            CHECK(run.selected > 0);
            CHECK(run.selected <= run.assessed);
            CHECK(run.selected_below_readiness == 0);
        }
        THEN("selected firms certify, and each that certifies gets a pilot order from a new buyer of its tier") {
            CHECK(run.certified > 0);
            CHECK(run.piloted > 0);
            CHECK(run.piloted <= run.certified);
            CHECK(run.piloted_without_new_buyer == 0);
        }
        THEN("the program is charged its assessments, pilot contracts and audits") {
            CHECK(run.charged >= 10000.0 * run.assessed + 50000.0 * run.selected - 1e-6);
        }
    }
}

SCENARIO("supplier development stops when its budget is spent", "[lever:supplier_development][policy][supplier_development][mechanism]") {
    GIVEN("a program whose budget pays for five assessments and nothing else") {
        const auto run = run_program(with(capable_tier2, program(20, "50000", 1.0)));
        CAPTURE(run.assessed, run.selected, run.charged);
        THEN("exactly five firms are assessed and the budget is not overspent") {
            CHECK(run.assessed == 5);
            CHECK(run.charged <= 50000 + 1e-6);
        }
    }
}

SCENARIO("sponsored firms certify without a customer record, with the program paying the audit",
         "[lever:supplier_development][policy][supplier_development][certification][mechanism]") {
    GIVEN("capable Tier 2 firms lacking IATF 16949, paired on three seeds") {
        WHEN("a program assesses 30 a year, or none") {
            for (int replication = 0; replication < 3; ++replication) {
                const auto base = with(capable_tier2, "run.replication=" + std::to_string(replication));
                const auto none = run_program(with(base, program(0)));
                const auto some = run_program(with(base, program(30)));
                CAPTURE(replication, none.selected, some.selected, some.certified);
                THEN("without the program no firm is selected; with it, selected firms certify") {
                    CHECK(none.selected == 0);
                    CHECK(some.certified > 0);
                }
            }
        }
    }
}

namespace {

/// Each firm slot's record over a run: exits, sales over the last twelve
/// months, workers at the end.
struct FirmRecords {
    std::vector<double> exits, last_year_sales, final_employment;
    std::vector<models::FirmIndex> selected;  ///< the firms a supplier-development program selected
};
FirmRecords records_by_firm(const std::string& scenario, int replication) {
    models::PyramidModel model(
        models::load_scenario(source_path(scenario), {"run.replication=" + std::to_string(replication)}).scenario);
    const auto& f = model.firms();
    const auto ticks = static_cast<sim::Tick>(model.scenario().run.ticks);
    FirmRecords out{std::vector<double>(f.size(), 0.0), std::vector<double>(f.size(), 0.0), {}, {}};
    for (sim::Tick t = 0; t < ticks; ++t) {
        model.schedule().run_tick(t);
        for (models::FirmIndex i = 0; i < f.size(); ++i) {
            out.exits[i] += (f.events[i] & models::event_exited) ? 1 : 0;
            if (t + 12 >= ticks && f.alive[i]) out.last_year_sales[i] += f.revenue[i];
        }
    }
    for (models::FirmIndex i = 0; i < f.size(); ++i) {
        out.final_employment.push_back(f.alive[i] ? f.employment[i] : 0.0);
        if (f.development[i] & models::development_selected) out.selected.push_back(i);
    }
    return out;
}

/// Ten paired replications of aerospace with and without its supplier
/// development program, run once for the tests below.
struct PairedRecords {
    FirmRecords with, without;
};
const std::vector<PairedRecords>& aerospace_development_runs() {
    static const std::vector<PairedRecords> runs = [] {
        sim::ThreadLimit limit(2);
        std::vector<PairedRecords> out;
        for (int replication = 0; replication < 10; ++replication)
            out.push_back({records_by_firm("scenarios/policies/aerospace_supplier_development.yaml", replication),
                           records_by_firm("scenarios/mexico/aerospace.yaml", replication)});
        return out;
    }();
    return runs;
}

/// A record summed over the firms the program selected, with and without the
/// program, one value per replication: the paired effect, and the mean
/// without the program.
std::pair<Interval, double> participant_effect(std::vector<double> FirmRecords::*record) {
    std::vector<double> with, without;
    for (const auto& run : aerospace_development_runs()) {
        double a = 0, b = 0;
        for (const auto i : run.with.selected) a += (run.with.*record)[i], b += (run.without.*record)[i];
        with.push_back(a);
        without.push_back(b);  // the same firms, followed without the program
    }
    return {paired_difference(with, without), mean_interval(without).mean};
}

}  // namespace

// Known gap, [!mayfail] (issue 12): measured here +1.0 [-1.4, +3.4] exits of
// about 58 participants (4.7 with the program against 3.7 for the same firms
// without it) over ten paired replications: no measurable effect either way.
// Nearly all of these exits, in both arms, are retirements of Tier 2 micro
// firms idle for 14 months: selected firms that never certified, and certified
// ones whose pilot order lapsed at its contract's end. Firms selected for
// readiness are seldom at risk, so there is little exit for the program to
// prevent.
SCENARIO("supplier development lowers its participants' exits", "[lever:supplier_development][policy][mechanism][!mayfail]") {
    GIVEN("the aerospace baseline and its supplier-development program, over ten paired replications") {
        const auto [effect, exits_without] = participant_effect(&FirmRecords::exits);
        CAPTURE(effect.mean, effect.low(), effect.high(), exits_without);
        THEN("fewer of them exit than of the same firms without the program") { CHECK(effect.high() < 0); }
    }
}


// Chile's supplier development program raised participants' sales and
// employment after about a year (Arraiz, Henriquez & Stucchi 2013): here the
// channel is the certificate, the pilot order it brings and the learning.
SCENARIO("supplier development raises its participants' sales", "[lever:supplier_development][policy][mechanism]") {
    GIVEN("the aerospace baseline and its supplier-development program, over ten paired replications") {
        const auto [sales, sales_base] = participant_effect(&FirmRecords::last_year_sales);
        CAPTURE(sales.mean, sales.low(), sales.high(), sales_base);
        THEN("in the last year the participants sell more than the same firms without the program") {
            CHECK(sales.low() > 0);
        }
    }
}

// Known gap, [!mayfail] (issue 12): participants sell +110 M MXN [+38, +183]
// more in the last year (of 739 M) but employ -318 [-498, -138] fewer workers
// (of 2,611): the program's learning raises capability, and labour
// productivity rises with it (0.1 + 0.9 c) faster than their sales, so
// upgrading sheds jobs. The evaluation found employment rising too.
SCENARIO("supplier development raises its participants' employment", "[lever:supplier_development][policy][mechanism][!mayfail]") {
    GIVEN("the aerospace baseline and its supplier-development program, over ten paired replications") {
        const auto [jobs, jobs_base] = participant_effect(&FirmRecords::final_employment);
        CAPTURE(jobs.mean, jobs.low(), jobs.high(), jobs_base);
        THEN("they employ more at the end than the same firms without the program") { CHECK(jobs.low() > 0); }
    }
}
