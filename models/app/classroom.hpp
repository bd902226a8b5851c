// A class: one model stepped live, its students' firms and the teacher's levers.
//
// Everything here runs on the server's one thread, between ticks: a student's
// decision or a teacher's lever waits for the next tick boundary, enters the
// model there through PyramidModel::after_phase / amend, and is recorded in
// the results file as a row of classroom/events. With no decision and no lever
// a class is `tiersim run` of the same scenario and seed, to the bit.
// Networking is classroom_server.cpp; docs/teaching/classroom.md.
#pragma once

#include "models/app/classroom_protocol.hpp"
#include "models/pyramid_model.hpp"
#include "models/scenario.hpp"
#include "sim/results.hpp"
#include "sim/runner.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tiersim::app::classroom {

struct ClassSetup {
    std::filesystem::path scenario;
    std::vector<std::string> overrides;  ///< --set KEY=VALUE, in order
    std::filesystem::path output;        ///< the results file of the class
    bool overwrite = false;
    std::string command_line;            ///< for the file's provenance
    std::int64_t threads = 0;            ///< worker threads in use (provenance; results do not depend on it)
};

/// A lever the teacher may pull, as the page shows it: its range, unit and
/// meaning come from the scenario schema (`tiersim schema`).
struct LeverControl {
    std::string name;         ///< in messages: "lever NAME VALUE"
    std::string label;        ///< on the page
    std::string schema_path;  ///< the key of the schema it sets, e.g. policies.credit_guarantee.coverage
    std::string unit;
    double low = 0;
    double high = 1;
    double initial = 0;       ///< the value in the scenario (or the schema's default)
    std::string description;
};

/// The levers of the teacher's page, from the schema (the same for every scenario).
std::vector<LeverControl> lever_controls(const models::Scenario& scenario);

/// One student and the firm they run.
struct Student {
    std::string name;
    std::string token;           ///< reclaims the firm after a reconnection
    models::FirmIndex firm = 0;
    bool connected = true;
    std::optional<Decide> pending;  ///< for the coming month
    std::string last_outcome;    ///< what became of the last month's decision, in words
};

class Classroom {
public:
    /// Loads the scenario, builds the model and opens the output.
    /// @throws sim::config::ConfigError, sim::OutputRefused, sim::results::ResultsError as `tiersim run`
    explicit Classroom(ClassSetup setup);
    ~Classroom();

    /// Runs the next month: the students' decisions and the levers pulled
    /// since the last month enter the model, then the tick runs and is recorded.
    void step();
    /// Every planned month has run, or the teacher finished the class.
    bool done() const noexcept { return run_->done(); }
    /// Ends the class: the file gets its end state and status; the closing screen follows.
    void finish();
    /// Starts a new class from the same scenario with `seed`, into the next output
    /// (OUTPUT-2.h5, -3...): the students keep their names and get fresh firms.
    void restart(std::int64_t seed);

    /// Pulls a lever from the next month on; a value outside the schema's range is refused (the reason).
    std::optional<std::string> pull_lever(const std::string& lever, double value);
    /// A student joins, or rejoins with their token: their index in students().
    /// @throws std::length_error when every firm is taken
    std::size_t join(const std::string& name, const std::string& token);
    void decide(std::size_t student, const Decide& decision);
    void disconnect(std::size_t student) { students_[student].connected = false; }
    /// Every connected student has decided for the coming month.
    bool all_decided() const noexcept;
    std::size_t connected_students() const noexcept;

    // --- what the pages are sent (JSON) ------------------------------------------------------
    /// The class as the teacher's page starts it: levers, tiers, planned months.
    std::string setup_json() const;
    /// The last month's aggregates (one point of every chart).
    std::string tick_json() const;
    /// Every month so far (a page that (re)connects redraws its charts from it).
    const std::vector<std::string>& history() const noexcept { return history_; }
    /// The student's firm as they see it before deciding.
    std::string firm_json(std::size_t student) const;
    /// Students, their firms and whether they have decided (the teacher's roster).
    std::string roster_json() const;
    /// Students' firms ranked by survival, then cash (the closing screen).
    std::string ranking_json() const;

    const std::vector<Student>& students() const noexcept { return students_; }
    const models::PyramidModel& model() const noexcept { return *model_; }
    /// The output tick of the month that runs next.
    std::int64_t next_month() const noexcept;
    std::int64_t ticks_planned() const noexcept { return loaded_.scenario.run.ticks; }
    const std::filesystem::path& output() const noexcept { return output_; }
    std::int64_t seed() const noexcept { return loaded_.scenario.run.seed; }

private:
    void open(std::int64_t seed);
    void add_decision_hooks();
    void record_event(const std::string& actor, std::uint32_t firm, const std::string& action, double value);
    models::FirmIndex free_firm(std::size_t student) const;
    void order(models::FirmTable& firms, sim::Tick tick);
    void certify(models::FirmTable& firms, sim::Tick tick);
    int certification_to_start(const models::FirmTable& firms, models::FirmIndex firm) const;
    void borrow(models::FirmTable& firms, sim::Tick tick);

    ClassSetup setup_;
    models::LoadedScenario loaded_;
    std::vector<std::string> lever_overrides_;  ///< the levers pulled, as --set overrides, in order
    std::filesystem::path output_;
    int class_number_ = 1;
    std::unique_ptr<sim::results::OutputLock> lock_;
    std::unique_ptr<models::PyramidModel> model_;
    std::unique_ptr<sim::SteppedRun> run_;
    sim::results::Table* events_ = nullptr;
    std::vector<Student> students_;
    std::map<models::FirmIndex, Decide> this_month_;  ///< the decisions entering the running tick, by firm
    std::map<models::FirmIndex, double> rule_order_;  ///< what the model's rule ordered for each student's firm
    std::vector<std::string> history_;
};

}  // namespace tiersim::app::classroom
