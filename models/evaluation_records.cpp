#include "models/evaluation_records.hpp"

namespace tiersim::models {

namespace {

using sim::results::Column;
using sim::results::ColumnType;

std::vector<std::string> labels(auto const& names) { return {names.begin(), names.end()}; }

Column tick_column() { return {"tick", ColumnType::Int32, "month", "Month since the end of the burn-in"}; }
Column firm_column() { return {"firm", ColumnType::UInt32, "", "Stable firm id (panel/firms firm, events firm)"}; }
Column size_column() {
    return {"size_class", ColumnType::Int8, "", "Size class (labels in size_class.labels)", labels(size_class_labels)};
}
Column cluster_column(const std::vector<std::string>& clusters) {
    return {"cluster", ColumnType::Int8, "", "Cluster code (labels in cluster.labels)", clusters};
}

/// Labels of the verdict with cover: 0 when no guarantee considered the application.
std::vector<std::string> covered_outcome_labels() {
    std::vector<std::string> out{"not_considered"};
    for (auto label : denial_labels) out.emplace_back(label);
    return out;
}

/// What the first program that considered firm i's application did with it.
LoanCover loan_cover(const Levers& levers, FirmIndex i) {
    for (const Lever* lever : levers.configured())
        if (const LoanCover cover = lever->loan_cover(i); cover.outcome != 0) return cover;
    return {};
}

GrantRecord grant_record(const Levers& levers, FirmIndex i) {
    for (const Lever* lever : levers.configured())
        if (const GrantRecord grant = lever->grant_record(i); grant.certification >= 0) return grant;
    return {};
}

}  // namespace

std::vector<Column> loan_record_columns(const std::vector<std::string>& clusters) {
    return {
        tick_column(),
        firm_column(),
        size_column(),
        cluster_column(clusters),
        {"purpose", ColumnType::Int8, "", "What the loan is for (labels in purpose.labels)", labels(loan_purpose_labels)},
        {"asked_mxn", ColumnType::Float64, "MXN", "Principal applied for"},
        {"amount_mxn", ColumnType::Float64, "MXN", "Principal lent (0: denied)"},
        {"outcome_without_cover", ColumnType::Int8, "",
         "The bank's verdict on the application as it stood, without any guarantee (labels: approved or the "
         "first criterion failed)",
         labels(denial_labels)},
        {"outcome_with_cover", ColumnType::Int8, "",
         "The verdict with the guarantee's cover counted as collateral, same income draw; not_considered when no "
         "guarantee in force reached the firm",
         covered_outcome_labels()},
        {"cover_mxn", ColumnType::Float64, "MXN", "Principal the guarantee covers (0: none; the fund's room may run out)"},
        {"cover_share", ColumnType::Float64, "1", "cover_mxn / amount_mxn (0 when nothing was lent)"},
        {"rate_annual", ColumnType::Float64, "1/year", "Rate the loan carries: base + size spread - any guarantee rate cut"},
        {"bank", ColumnType::Int8, "", "Bank that took the application in a guarantee auction; -1: none"},
    };
}

std::vector<Column> loan_default_columns() {
    return {
        tick_column(),
        firm_column(),
        {"written_off_mxn", ColumnType::Float64, "MXN", "Bank debt written off: every loan of the firm still outstanding"},
        {"claimed_mxn", ColumnType::Float64, "MXN", "Guaranteed cover claimed from the fund"},
        {"paid_mxn", ColumnType::Float64, "MXN", "Claim the fund paid"},
        {"unpaid_mxn", ColumnType::Float64, "MXN", "Claim the fund could not pay (its capital ran out): the lender's loss"},
    };
}

std::vector<Column> grant_record_columns(const std::vector<std::string>& clusters,
                                         const std::vector<std::string>& certifications) {
    return {
        tick_column(),
        firm_column(),
        size_column(),
        cluster_column(clusters),
        {"certification", ColumnType::Int8, "", "Certification started (labels in certification.labels)", certifications},
        {"grant_mxn", ColumnType::Float64, "MXN", "Grant paid when the firm started"},
        {"cost_mxn", ColumnType::Float64, "MXN", "Cost of the certification before the grant"},
        {"would_start_without", ColumnType::Int8, "",
         "1 when the firm's decision rule with a grant of 0 (benefit over its horizon > cost, cash for cost and "
         "upkeep) would have started it anyway: deadweight"},
    };
}

// Plain tables (a flush rewrites the last chunk in place, sim/results.hpp) in chunks of about a
// month's rows of a large economy: the unfilled end of the last chunk is the slack a file holds.
void EvaluationRecords::open(sim::results::File& file, const std::vector<std::string>& clusters,
                             const std::vector<std::string>& certifications) {
    loans_ = &file.create_table("records/loans", loan_record_columns(clusters),
                                "Every loan application: verdicts without and with a guarantee's cover, what was lent",
                                256);
    defaults_ = &file.create_table("records/loan_defaults", loan_default_columns(),
                                   "Every write-off of a firm's loans and the guarantee claim on it", 64);
    grants_ = &file.create_table("records/grants", grant_record_columns(clusters, certifications),
                                 "Every certification grant, and whether the firm would have started without it", 64);
}

void EvaluationRecords::write(sim::Tick tick, const FirmTable& f, const Levers& levers, const CreditConfig& credit) {
    write_loans(tick, f, levers, credit);
    write_defaults(tick, f);
    write_grants(tick, f, levers);
}

void EvaluationRecords::write_loans(sim::Tick tick, const FirmTable& f, const Levers& levers,
                                    const CreditConfig& credit) {
    std::vector<std::uint32_t> firms;
    std::vector<std::int8_t> sizes, clusters, purposes, without, with, banks;
    std::vector<double> asked, amounts, covers, shares, rates;
    for (FirmIndex i = 0; i < f.size(); ++i) {
        if (f.credit_outcome[i] == 0) continue;  // did not apply this month
        const LoanCover cover = loan_cover(levers, i);
        firms.push_back(f.id[i]);
        sizes.push_back(static_cast<std::int8_t>(f.size_class[i]));
        clusters.push_back(static_cast<std::int8_t>(f.cluster[i]));
        purposes.push_back(0);
        asked.push_back(f.loan_asked[i]);
        amounts.push_back(f.loan_granted[i]);
        without.push_back(static_cast<std::int8_t>(f.uncovered_outcome[i] - 1));
        with.push_back(static_cast<std::int8_t>(cover.outcome));
        covers.push_back(cover.cover);
        shares.push_back(f.loan_granted[i] > 0 ? cover.cover / f.loan_granted[i] : 0.0);
        rates.push_back(12.0 * monthly_rate(credit, f.size_class[i]) - cover.rate_discount_annual);
        banks.push_back(cover.bank);
    }
    if (firms.empty()) return;
    loans_->append({std::vector<std::int32_t>(firms.size(), static_cast<std::int32_t>(tick)), firms, sizes, clusters,
                    purposes, asked, amounts, without, with, covers, shares, rates, banks});
}

void EvaluationRecords::write_defaults(sim::Tick tick, const FirmTable& f) {
    std::vector<std::uint32_t> firms;
    std::vector<double> written_off, claimed, paid, unpaid;
    for (FirmIndex i = 0; i < f.size(); ++i) {
        if (!(f.events[i] & event_defaulted)) continue;
        firms.push_back(f.id[i]);
        written_off.push_back(f.defaulted_debt[i]);
        claimed.push_back(f.guarantee_payout[i] + f.guarantee_claim_unpaid[i]);
        paid.push_back(f.guarantee_payout[i]);
        unpaid.push_back(f.guarantee_claim_unpaid[i]);
    }
    if (firms.empty()) return;
    defaults_->append({std::vector<std::int32_t>(firms.size(), static_cast<std::int32_t>(tick)), firms, written_off,
                       claimed, paid, unpaid});
}

void EvaluationRecords::write_grants(sim::Tick tick, const FirmTable& f, const Levers& levers) {
    std::vector<std::uint32_t> firms;
    std::vector<std::int8_t> sizes, clusters, certifications, anyway;
    std::vector<double> grants, costs;
    for (FirmIndex i = 0; i < f.size(); ++i) {
        if (f.subsidy_received[i] <= 0) continue;
        const GrantRecord grant = grant_record(levers, i);
        firms.push_back(f.id[i]);
        sizes.push_back(static_cast<std::int8_t>(f.size_class[i]));
        clusters.push_back(static_cast<std::int8_t>(f.cluster[i]));
        certifications.push_back(static_cast<std::int8_t>(grant.certification));
        grants.push_back(f.subsidy_received[i]);
        costs.push_back(grant.cost);
        anyway.push_back(grant.would_start_without ? 1 : 0);
    }
    if (firms.empty()) return;
    grants_->append({std::vector<std::int32_t>(firms.size(), static_cast<std::int32_t>(tick)), firms, sizes, clusters,
                     certifications, grants, costs, anyway});
}

}  // namespace tiersim::models
