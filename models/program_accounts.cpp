#include "models/program_accounts.hpp"

#include "sim/parallel.hpp"

#include <cmath>

namespace tiersim::models {

namespace {

using sim::results::Column;
using sim::results::ColumnType;

// Per lever: outlays, fees, payouts, revenue forgone, services, take-up, participants, then beneficiaries.
constexpr std::size_t services = 4, take_up = 5, participants = 6, beneficiaries = 7;
constexpr std::size_t row_size = beneficiaries + tier_count * size_class_count;

std::vector<std::string> labels(auto const& names) { return {names.begin(), names.end()}; }

Column tick_column() { return {"tick", ColumnType::Int32, "month", "Month since the end of the burn-in (0: the first month recorded by a run without a saved state)"}; }
Column program_column(const Levers& levers) {
    std::vector<std::string> keys;
    for (const auto& lever : levers.all()) keys.emplace_back(lever->key());
    return {"program", ColumnType::Int8, "", "Program code (labels in program.labels)", keys};
}

std::vector<Column> account_columns(const Levers& levers) {
    return {
        tick_column(),
        program_column(levers),
        {"in_force", ColumnType::Int8, "", "1 when the scenario has the program and it is in force this tick"},
        {"outlays_mxn", ColumnType::Float64, "MXN/month",
         "Public money spent: guarantee payouts, subsidies, supplier-development costs"},
        {"fees_mxn", ColumnType::Float64, "MXN/month", "Fees the program collected (guarantee fees)"},
        {"payouts_mxn", ColumnType::Float64, "MXN/month", "Guarantee payouts on defaulted loans"},
        {"revenue_forgone_mxn", ColumnType::Float64, "MXN/month", "Tariff revenue forgone (PROSEC, IMMEX)"},
        {"take_up", ColumnType::Int64, "firms", "Firms the program reached this tick"},
        {"participants", ColumnType::Int64, "firms",
         "Firms enrolled: registered (PROSEC, IMMEX), with guaranteed loans outstanding, ever subsidised"},
        {"budget_left_mxn", ColumnType::Float64, "MXN", "Budget (guarantee: fund capital) left; NaN when unlimited"},
        {"guaranteed_outstanding_mxn", ColumnType::Float64, "MXN", "Guaranteed principal outstanding (credit guarantee)"},
        // The fiscal account (docs/model.md, "Fiscal accounts"): transfers move money to firms or
        // lenders; resource costs use up resources. fiscal cost = transfers + resource costs - fees.
        {"rate_subsidy_mxn", ColumnType::Float64, "MXN/month",
         "Rate cut on guaranteed loans paid to lenders (first-come guarantee; in an auction banks bear it)"},
        {"administration_mxn", ColumnType::Float64, "MXN/month", "Cost of running the program (scenario key per program)"},
        {"capital_cost_mxn", ColumnType::Float64, "MXN/month",
         "Opportunity cost of the capital the program ties up (guarantee fund: capital_cost_annual / 12 x capital)"},
        {"claims_unpaid_mxn", ColumnType::Float64, "MXN/month",
         "Guarantee claims the fund could not pay: its capital and fees ran out (not in payouts, not a cost to it)"},
        {"transfers_mxn", ColumnType::Float64, "MXN/month",
         "Transfers: guarantee payouts + subsidies + rate subsidy + tariff revenue forgone"},
        {"resource_cost_mxn", ColumnType::Float64, "MXN/month",
         "Resource costs: services bought (supplier development) + administration + capital cost"},
    };
}

std::vector<Column> beneficiary_columns(const Levers& levers) {
    return {
        tick_column(),
        program_column(levers),
        {"tier", ColumnType::Int8, "", "Tier code (labels in tier.labels)", labels(tier_labels)},
        {"size_class", ColumnType::Int8, "", "Size class (labels in size_class.labels)", labels(size_class_labels)},
        {"firms", ColumnType::Int64, "firms", "Firms the program reached this tick"},
    };
}

}  // namespace

void ProgramAccounts::open(sim::results::File& file) {
    // Rows every tick: plain tables in chunks of a year of rows (sim/results.hpp).
    accounts_ = &file.create_table("programs/accounts", account_columns(levers_),
                                   "Monthly accounts of each policy program: outlays, fees, payouts, revenue forgone, take-up",
                                   sim::results::tick_chunk_rows(levers_.size()));
    beneficiaries_ = &file.create_table("programs/beneficiaries", beneficiary_columns(levers_),
                                        "Firms each program reached, by tier and size class, every month",
                                        sim::results::tick_chunk_rows(levers_.size() * tier_count * size_class_count));
}

void ProgramAccounts::aggregate(const FirmTable& f) {
    const std::size_t n_levers = levers_.size();
    const std::vector<double> zero(n_levers * row_size, 0.0);
    totals_ = sim::deterministic_reduce(
        f.size(), zero,
        [&](std::size_t begin, std::size_t end) {
            std::vector<double> part = zero;
            for (std::size_t index = begin; index < end; ++index) {
                const auto i = static_cast<FirmIndex>(index);
                // Most firms take part in nothing: every program flow sets a benefit bit, and enrolment a registered bit.
                if (f.benefits[i] == 0 && f.registered[i] == 0) continue;
                for (std::size_t k = 0; k < n_levers; ++k) {
                    const Lever& lever = levers_[k];
                    const AccountFlows flows = lever.account(f, i);
                    double* r = &part[k * row_size];
                    r[0] += flows.outlays;
                    r[1] += flows.fees;
                    r[2] += flows.payouts;
                    r[3] += flows.revenue_forgone;
                    r[services] += flows.services;
                    const bool reached = (f.benefits[i] & lever.bit()) != 0;
                    r[take_up] += reached ? 1.0 : 0.0;
                    r[participants] += flows.participant && f.alive[i] ? 1.0 : 0.0;
                    if (reached)
                        r[beneficiaries + static_cast<std::size_t>(f.tier[i]) * size_class_count +
                          static_cast<std::size_t>(f.size_class[i])] += 1.0;
                }
            }
            return part;
        },
        [](std::vector<double>& into, const std::vector<double>& part) {
            for (std::size_t k = 0; k < into.size(); ++k) into[k] += part[k];
        });
}

void ProgramAccounts::write(sim::Tick tick, sim::Tick output_tick) {
    const auto this_tick = static_cast<std::int32_t>(output_tick);
    const std::size_t n_levers = levers_.size();
    std::vector<std::int8_t> codes, active;
    std::vector<double> outlays, fees, payouts, forgone, budget, outstanding;
    std::vector<double> rate_subsidy, administration, capital_cost, unpaid, transfers, resource;
    std::vector<std::int64_t> reached, enrolled;
    std::vector<std::int8_t> b_codes, b_tiers, b_sizes;
    std::vector<std::int64_t> b_firms;
    for (std::size_t k = 0; k < n_levers; ++k) {
        const Lever& lever = levers_[k];
        const double* r = &totals_[k * row_size];
        codes.push_back(static_cast<std::int8_t>(k));
        active.push_back(lever.in_force(tick) ? 1 : 0);
        outlays.push_back(r[0]);
        fees.push_back(r[1]);
        payouts.push_back(r[2]);
        forgone.push_back(r[3]);
        reached.push_back(static_cast<std::int64_t>(r[take_up]));
        enrolled.push_back(static_cast<std::int64_t>(r[participants]));
        budget.push_back(std::isinf(lever.budget_left()) ? std::nan("") : lever.budget_left());
        outstanding.push_back(lever.guaranteed_outstanding());
        const ProgramCosts costs = lever.program_costs();
        rate_subsidy.push_back(costs.rate_subsidy);
        administration.push_back(costs.administration);
        capital_cost.push_back(costs.capital_cost);
        unpaid.push_back(costs.claims_unpaid);
        transfers.push_back(r[0] - r[services] + costs.rate_subsidy + r[3]);
        resource.push_back(r[services] + costs.administration + costs.capital_cost);
        for (std::size_t t = 0; t < tier_count; ++t)
            for (std::size_t c = 0; c < size_class_count; ++c) {
                b_codes.push_back(static_cast<std::int8_t>(k));
                b_tiers.push_back(static_cast<std::int8_t>(t));
                b_sizes.push_back(static_cast<std::int8_t>(c));
                b_firms.push_back(static_cast<std::int64_t>(r[beneficiaries + t * size_class_count + c]));
            }
    }
    accounts_->append({std::vector<std::int32_t>(n_levers, this_tick), std::move(codes), std::move(active),
                       std::move(outlays), std::move(fees), std::move(payouts), std::move(forgone), std::move(reached),
                       std::move(enrolled), std::move(budget), std::move(outstanding), std::move(rate_subsidy),
                       std::move(administration), std::move(capital_cost), std::move(unpaid), std::move(transfers),
                       std::move(resource)});
    const std::size_t b_rows = b_codes.size();
    beneficiaries_->append({std::vector<std::int32_t>(b_rows, this_tick), std::move(b_codes), std::move(b_tiers),
                            std::move(b_sizes), std::move(b_firms)});
}

}  // namespace tiersim::models
