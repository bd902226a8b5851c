// Warm starts: a burn-in, the state saved in the results file, and runs that
// continue from it equal the uninterrupted run to the bit (docs/model.md, "Warm start").
#include "models/warm_start.hpp"
#include "support/model_runs.hpp"

#include <algorithm>
#include <cstring>
#include <optional>

using namespace tiersim;
using namespace tiersim::testing;

namespace {



/// Every table of `part` equals, to the bit, the rows of `whole` from tick `first` on.
void require_rows_from(const std::filesystem::path& whole, const std::filesystem::path& part, double first) {
    const sim::results::Reader all(whole), tail(part);
    const auto tables = tail.tables("/");
    REQUIRE(!tables.empty());
    REQUIRE(tables == all.tables("/"));
    for (const auto& table : tables) {
        INFO("table " << table);
        const auto ticks = all.column(table, "tick");
        // An evaluation record table is empty when nothing happened (no grant without a subsidy).
        const bool in_whole = std::ranges::any_of(ticks, [&](double t) { return t >= first; });
        REQUIRE((tail.table_rows(table) > 0) == in_whole);
        for (const auto& column : tail.table_columns(table)) {
            INFO("column " << column);
            const auto x = all.column(table, column);
            std::vector<double> expected;
            for (std::size_t r = 0; r < x.size(); ++r)
                if (ticks[r] >= first) expected.push_back(x[r]);
            REQUIRE(same_bits(expected, tail.column(table, column)));
        }
    }
}

/// The two files' saved states `label` hold the same firm, link and graph arrays, to the bit.
void require_same_state(const std::filesystem::path& a, const std::filesystem::path& b, const std::string& label) {
    const sim::results::Reader left(a), right(b);
    const sim::StateReader x(left, "/state/" + label), y(right, "/state/" + label);
    REQUIRE(x.get_value<std::uint32_t>("tick") == y.get_value<std::uint32_t>("tick"));
    auto compare = [](const sim::StateReader& p, const sim::StateReader& q, const std::string& name, const auto& like) {
        using T = typename std::remove_cvref_t<decltype(like)>::value_type;
        INFO(p.group() << "/" << name);
        REQUIRE(same_bits(p.get<T>(name), q.get<T>(name)));
    };
    models::FirmTable firms;
    firms.visit_fields([&](const models::FieldInfo& f, const auto& c) { compare(x.sub("firms"), y.sub("firms"), std::string(f.name), c); });
    models::LinkTable links;
    links.visit_fields([&](const models::FieldInfo& f, const auto& c) { compare(x.sub("links"), y.sub("links"), std::string(f.name), c); });
    sim::LinkGraph graph;
    graph.visit_arrays([&](const char* name, const auto& c) { compare(x.sub("graph"), y.sub("graph"), name, c); });
}

}  // namespace

SCENARIO("a run continued from its saved state equals the uninterrupted run to the bit", "[warm_start][property]") {
    constexpr int half = 15;
    for (const bool auction : {false, true}) {
        GIVEN(std::string("the teaching pyramid with every lever and shock in force") +
              (auction ? ", guarantees auctioned" : "")) {
            auto overrides = every_lever_and_shock(2 * half);
            if (auction)
                overrides.push_back("policies.credit_guarantee={coverage: 0.7, budget_mxn: 5.0e7, allocation: auction, "
                                    "auction_period_months: 4}");
            overrides.push_back("output.snapshot_ticks=[" + std::to_string(2 * half - 1) + "]");
            const auto whole = teaching_scenario(overrides);
            overrides.push_back("run.ticks=" + std::to_string(half));
            const auto first_half = teaching_scenario(overrides);
            ScratchDir dir("warm-start");
            run_to_file(whole, dir / "whole.h5", 1);
            for (const auto& [before, after] : {std::pair{1, 1}, std::pair{2, 1}, std::pair{1, 2}}) {
                WHEN("it runs " << half << " months on " << before << " thread(s), then " << half << " more from "
                                << "the saved state on " << after) {
                    run_to_file(first_half, dir / "first.h5", before);
                    run_to_file(first_half, dir / "second.h5", after, (dir / "first.h5").string() + ":end");
                    THEN("every table from month " << half << " on and the final state are the same bits") {
                        require_rows_from(dir / "whole.h5", dir / "second.h5", half);
                        require_same_state(dir / "whole.h5", dir / "second.h5", "end");
                    }
                }
            }
        }
    }
}

SCENARIO("a burn-in runs without levers, shocks or output, then they start at month 0", "[warm_start][property]") {
    GIVEN("the teaching pyramid with a guarantee from month 0 and a year of burn-in") {
        const auto loaded = teaching_scenario({"run.ticks=12", "run.burn_in_months=12",
                                               "policies.credit_guarantee={coverage: 0.7}"});
        ScratchDir dir("burn-in");
        run_to_file(loaded, dir / "run.h5", 2);
        const sim::results::Reader file(dir / "run.h5");
        THEN("the rows are months 0 to 11, the guarantee in force from the first") {
            const auto ticks = file.column("/programs/accounts", "tick");
            REQUIRE(ticks.front() == 0);
            REQUIRE(ticks.back() == 11);
            REQUIRE(file.column("/series/by_sector", "tick").size() == 12);
            const auto active = file.column("/programs/accounts", "in_force");
            REQUIRE(std::find(active.begin(), active.end(), 1.0) != active.end());
        }
        THEN("the states at the end of the burn-in and of the run are saved, at model ticks 12 and 24") {
            REQUIRE(sim::StateReader(file, "/state/burn_in").get_value<std::uint32_t>("tick") == 12);
            REQUIRE(sim::StateReader(file, "/state/end").get_value<std::uint32_t>("tick") == 24);
            REQUIRE(sim::StateReader(file, "/state/end").get_value<std::uint32_t>("origin") == 12);
        }
    }
}

SCENARIO("arms branch from one warmed state", "[warm_start][property]") {
    GIVEN("a base run with a year of burn-in and no policy") {
        const std::vector<std::string> base_keys{"run.ticks=24", "run.burn_in_months=12",
                                                 "economy.initial_cash_months=0.3",
                                                 "credit.credit_averse={micro: 0, small: 0, medium: 0, large: 0}"};
        ScratchDir dir("arms");
        run_to_file(teaching_scenario(base_keys), dir / "base.h5", 2);
        const std::string warmed = (dir / "base.h5").string() + ":burn_in";
        WHEN("a no-policy arm continues from the end of the burn-in") {
            run_to_file(teaching_scenario(base_keys), dir / "none.h5", 1, warmed);
            THEN("it equals the base run's output to the bit") {
                require_rows_from(dir / "base.h5", dir / "none.h5", 0);
                require_same_state(dir / "base.h5", dir / "none.h5", "end");
            }
        }
        WHEN("a credit-guarantee arm continues from it") {
            auto keys = base_keys;
            keys.push_back("policies.credit_guarantee={coverage: 0.7, budget_mxn: 5.0e7}");
            run_to_file(teaching_scenario(keys), dir / "guarantee.h5", 2, warmed);
            THEN("the guarantee starts fresh at month 0 and the arm's output is its own") {
                const sim::results::Reader arm(dir / "guarantee.h5"), base(dir / "base.h5");
                REQUIRE(arm.column("/programs/accounts", "tick").front() == 0);
                REQUIRE(!same_bits(arm.column("/series/by_tier", "loan_amount"), base.column("/series/by_tier", "loan_amount")));
            }
        }
        WHEN("an arm changes the seed") {
            auto keys = base_keys;
            keys.push_back("run.seed=7");
            THEN("it is refused, naming run.seed") {
                REQUIRE_THROWS_WITH(run_to_file(teaching_scenario(keys), dir / "seed.h5", 1, warmed),
                                    Catch::Contains("run.seed"));
            }
        }
        WHEN("an arm changes the population") {
            auto keys = base_keys;
            keys.push_back("sectors.vehicles.tiers.t1.firms=9");
            THEN("it is refused, naming the key") {
                REQUIRE_THROWS_WITH(run_to_file(teaching_scenario(keys), dir / "firms.h5", 1, warmed),
                                    Catch::Contains("sectors.vehicles.tiers.t1.firms"));
            }
        }
    }
}

SCENARIO("a missing, corrupt or foreign saved state is refused in one line, exit 2", "[warm_start][property][cli]") {
    ScratchDir dir("bad-state");
    const std::string scenario = source_path("scenarios/teaching/pyramid.yaml").string();
    const std::string out = " -q --set run.ticks=3 -o " + (dir / "out.h5").string();
    auto refused = [&](const std::string& from, const std::string& says) {
        const auto result = run_tiersim("run " + scenario + " --from-state '" + from + "'" + out);
        INFO(result.output);
        REQUIRE(result.exit_code == 2);
        REQUIRE(result.output.find(says) != std::string::npos);
        REQUIRE(std::count(result.output.begin(), result.output.end(), '\n') == 1);
        REQUIRE(!std::filesystem::exists(dir / "out.h5"));
    };
    REQUIRE(run_tiersim("run " + scenario + " -q --set run.ticks=3 -o " + (dir / "ok.h5").string()).exit_code == 0);
    std::FILE* text = std::fopen((dir / "text.h5").c_str(), "w");
    std::fputs("not hdf5\n", text);
    std::fclose(text);
    std::filesystem::copy_file(dir / "ok.h5", dir / "cut.h5");
    std::filesystem::resize_file(dir / "cut.h5", std::filesystem::file_size(dir / "ok.h5") / 2);
    refused((dir / "missing.h5").string(), "no such file");
    refused((dir / "text.h5").string(), "not a tiersim results file");
    refused((dir / "cut.h5").string(), "--from-state");
    refused((dir / "ok.h5").string() + ":burn_in", "holds no saved state 'burn_in'");
    refused(dir.path().string(), "is a directory");
}
