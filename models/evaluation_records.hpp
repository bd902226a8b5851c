// Evaluation records: one row per loan application, per loan default and per
// certification grant, so that an evaluator can tell the loans and grants a
// program caused from those it only paid for (additionality, deadweight).
//
// records/loans        every application: the bank's verdict without cover,
//                      the verdict with the guarantee's cover, what was lent
// records/loan_defaults every write-off: the debt, the claim on the guarantee,
//                      what the fund paid and what it could not
// records/grants       every certification grant, and whether the firm's own
//                      decision rule, with a grant of 0, would have started it
//
// A loan is identified by (firm, tick): a firm borrows at most once a month.
// It defaults at its borrower's first write-off at or after its tick
// (records/loan_defaults); rows are appended every month, so an interrupted
// run keeps every record up to its last completed month. docs/hdf5.md, "records".
#pragma once

#include "models/credit.hpp"
#include "models/firms.hpp"
#include "models/levers/lever.hpp"
#include "sim/results.hpp"

#include <string>
#include <vector>

namespace tiersim::models {

/// Labels of records/loans' `purpose` column (working capital: the cash buffer; the only purpose yet).
inline constexpr std::array<std::string_view, 1> loan_purpose_labels{"working_capital"};

class EvaluationRecords {
public:
    /// Creates the three tables; `clusters` and `certifications` label their coded columns.
    void open(sim::results::File& file, const std::vector<std::string>& clusters,
              const std::vector<std::string>& certifications);
    /// Appends this tick's rows, labelled `tick`, from the firms and what the levers report.
    void write(sim::Tick tick, const FirmTable& firms, const Levers& levers, const CreditConfig& credit);

private:
    void write_loans(sim::Tick tick, const FirmTable& firms, const Levers& levers, const CreditConfig& credit);
    void write_defaults(sim::Tick tick, const FirmTable& firms);
    void write_grants(sim::Tick tick, const FirmTable& firms, const Levers& levers);

    sim::results::Table* loans_ = nullptr;
    sim::results::Table* defaults_ = nullptr;
    sim::results::Table* grants_ = nullptr;
};

/// Columns of records/loans, records/loan_defaults and records/grants.
std::vector<sim::results::Column> loan_record_columns(const std::vector<std::string>& clusters);
std::vector<sim::results::Column> loan_default_columns();
std::vector<sim::results::Column> grant_record_columns(const std::vector<std::string>& clusters,
                                                       const std::vector<std::string>& certifications);

}  // namespace tiersim::models
