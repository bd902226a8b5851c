// `tiersim summarize SWEEP.h5`: per-arm means and t-intervals of the sweep's
// metrics, with paired differences against arm 0, printed and written as CSV
// and HDF5 tables.
#include "models/app/cli.hpp"
#include "models/app/commands.hpp"
#include "sim/results.hpp"
#include "sim/sweep/stats.hpp"
#include "sim/sweep/sweep_file.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <sstream>

namespace tiersim::app {

namespace {

namespace sw = sim::sweep;

std::string number(double v) {
    std::ostringstream out;
    out << std::setprecision(17) << v;
    return out.str();
}

std::string short_number(double v) {
    char text[32];
    std::snprintf(text, sizeof text, "%.4g", v);
    return text;
}

void print_summary(const sw::SweepTable& table, const std::vector<sw::SummaryRow>& rows, double level) {
    for (std::size_t m = 0; m < table.metrics.size(); ++m) {
        std::printf("\n%s  (mean [%g%% t-interval]; difference vs arm 0, paired by replication)\n",
                    table.metrics[m].c_str(), 100 * level);
        std::printf("%5s", "arm");
        for (const auto& p : table.parameters) std::printf("  %s", p.c_str());
        std::printf("  %3s  %-34s  %s\n", "n", "mean", "difference");
        for (const auto& row : rows) {
            if (row.metric != m) continue;
            std::printf("%5lld", static_cast<long long>(row.arm));
            for (std::size_t j = 0; j < row.parameters.size(); ++j)
                std::printf("  %*s", static_cast<int>(table.parameters[j].size()), short_number(row.parameters[j]).c_str());
            const auto& v = row.value;
            const auto& d = row.difference;
            const std::string value = short_number(v.mean) + " [" + short_number(v.low) + ", " + short_number(v.high) + "]";
            std::printf("  %3zu  %-34s  %s [%s, %s]\n", v.n, value.c_str(), short_number(d.mean).c_str(),
                        short_number(d.low).c_str(), short_number(d.high).c_str());
        }
    }
}

const char* stat_names[] = {"n", "mean", "sd", "ci_low", "ci_high", "diff_n", "diff_mean", "diff_sd", "diff_ci_low",
                            "diff_ci_high"};

std::vector<double> stats_of(const sw::SummaryRow& row) {
    const auto& v = row.value;
    const auto& d = row.difference;
    return {static_cast<double>(v.n), v.mean, v.sd, v.low, v.high, static_cast<double>(d.n), d.mean, d.sd, d.low, d.high};
}

void write_csv(const std::filesystem::path& path, const sw::SweepTable& table, const std::vector<sw::SummaryRow>& rows) {
    std::ofstream out(path);
    out << "arm,metric";
    for (const auto& p : table.parameters) out << "," << p;
    for (const char* s : stat_names) out << "," << s;
    out << "\n";
    for (const auto& row : rows) {
        out << row.arm << "," << table.metrics[row.metric];
        for (double p : row.parameters) out << "," << number(p);
        for (double s : stats_of(row)) out << "," << number(s);
        out << "\n";
    }
    if (!out) throw std::runtime_error("cannot write " + path.string());
}

void write_hdf5(const std::filesystem::path& path, const sw::SweepTable& table, const std::vector<sw::SummaryRow>& rows,
                double level) {
    using sim::results::Column;
    using sim::results::ColumnType;
    std::vector<Column> columns{{"arm", ColumnType::Int64, "", "index of the parameter combination"},
                                {"metric", ColumnType::Int32, "", "metric code (metric.labels)", table.metrics}};
    for (const auto& p : table.parameters) columns.push_back({p, ColumnType::Float64, "", "value of the varied key"});
    for (const char* s : stat_names) columns.push_back({s, ColumnType::Float64, "", std::string("statistic ") + s});
    std::vector<sim::results::ColumnData> data(columns.size());
    std::vector<std::int64_t> arms;
    std::vector<std::int32_t> metrics;
    std::vector<std::vector<double>> numbers(columns.size() - 2);
    for (const auto& row : rows) {
        arms.push_back(row.arm);
        metrics.push_back(static_cast<std::int32_t>(row.metric));
        std::vector<double> values = row.parameters;
        const auto stats = stats_of(row);
        values.insert(values.end(), stats.begin(), stats.end());
        for (std::size_t c = 0; c < values.size(); ++c) numbers[c].push_back(values[c]);
    }
    data[0] = std::move(arms);
    data[1] = std::move(metrics);
    for (std::size_t c = 0; c < numbers.size(); ++c) data[c + 2] = std::move(numbers[c]);
    auto file = sim::results::File::create(path);
    auto& summary = file->create_table("summary", columns, "per arm and metric: mean, t-interval, paired difference vs arm 0",
                                       std::max<std::uint64_t>(rows.size(), 1));
    summary.append(data);
    file->set_attribute("/", "confidence_level", level);
    file->set_attribute("/", "sweep_name", table.name);
    file->flush();
}

/// Two run files: per table and column, the totals of each and the largest
/// row-by-row difference (tables of equal length), so a policy run can be read
/// against its baseline. Identical columns are summed up in one line.
int compare_runs(const std::filesystem::path& a, const std::filesystem::path& b) {
    const sim::results::Reader left(a), right(b);
    std::printf("%s (A) against %s (B): totals over all rows, B - A, largest |B - A| row by row\n"
                "one draw, no interval: two single runs differ by chance as well as by policy; for an effect "
                "with its interval, run `tiersim compare A.yaml B.yaml` (docs/evaluation.md)\n",
                a.string().c_str(), b.string().c_str());
    for (const std::string& table : left.tables("/")) {
        if (!right.exists(table)) {
            std::printf("\n%s: only in A\n", table.c_str());
            continue;
        }
        std::printf("\n%s (%llu rows in A, %llu in B)\n", table.c_str(),
                    static_cast<unsigned long long>(left.table_rows(table)),
                    static_cast<unsigned long long>(right.table_rows(table)));
        std::size_t identical = 0;
        const auto theirs = right.table_columns(table);
        for (const std::string& column : left.table_columns(table)) {
            if (std::find(theirs.begin(), theirs.end(), column) == theirs.end()) continue;
            const auto x = left.column(table, column), y = right.column(table, column);
            if (x == y) {
                ++identical;
                continue;
            }
            double sx = 0, sy = 0, largest = NAN;
            for (double v : x) sx += v;
            for (double v : y) sy += v;
            if (x.size() == y.size()) {
                largest = 0;
                for (std::size_t i = 0; i < x.size(); ++i) largest = std::max(largest, std::abs(y[i] - x[i]));
            }
            std::printf("  %-24s A %-12s B %-12s B-A %-12s max|B-A| %s\n", column.c_str(), short_number(sx).c_str(),
                        short_number(sy).c_str(), short_number(sy - sx).c_str(), short_number(largest).c_str());
        }
        if (identical > 0) std::printf("  (%zu columns identical)\n", identical);
    }
    return int{exit_ok};
}

bool is_sweep_file(const std::filesystem::path& path) { return sim::results::Reader(path).exists("runs"); }

}  // namespace

int summarize_command(const std::vector<std::string>& args) {
    return guarded("summarize", [&] {
        po::options_description options("Options");
        options.add_options()
            ("sweep", po::value<std::string>()->required(), "sweep file written by tiersim sweep")
            ("other", po::value<std::string>(), "with two run files A B: compare B against A")
            ("output,o", po::value<std::string>(), "prefix of the tables (default: SWEEP without .h5, plus .summary): "
                                                  "PREFIX.csv and PREFIX.h5")
            ("level", po::value<double>()->default_value(0.95), "confidence level of the intervals");
        po::positional_options_description positional;
        positional.add("sweep", 1).add("other", 1);
        const auto vm = parse(args, "tiersim summarize SWEEP.h5 [-o PREFIX] [--level 0.95]\n       tiersim summarize RUN_A.h5 RUN_B.h5",
                              options, positional);
        if (!vm) return int{exit_ok};
        const std::filesystem::path input = (*vm)["sweep"].as<std::string>();
        if (vm->count("other")) return compare_runs(input, (*vm)["other"].as<std::string>());
        if (!is_sweep_file(input)) throw po::error(input.string() + " is not a sweep file (no /runs); "
                                                   "give two run files to compare them");
        const double level = (*vm)["level"].as<double>();
        if (!(level > 0 && level < 1)) throw po::error("--level must be between 0 and 1");
        std::filesystem::path prefix = input;
        prefix.replace_extension();
        const std::string out = vm->count("output") ? (*vm)["output"].as<std::string>() : prefix.string() + ".summary";
        const sw::SweepTable table = sw::read_sweep_file(input);
        const auto rows = sw::summarize(table, level);
        print_summary(table, rows, level);
        write_csv(out + ".csv", table, rows);
        write_hdf5(out + ".h5", table, rows, level);
        std::fprintf(stderr, "wrote %s.csv and %s.h5\n", out.c_str(), out.c_str());
        return int{exit_ok};
    });
}

}  // namespace tiersim::app
