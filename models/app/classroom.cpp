#include "models/app/classroom.hpp"

#include "models/credit.hpp"
#include "models/state.hpp"
#include "sim/config.hpp"
#include "tiersim/version.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <ctime>
#include <sstream>
#include <stdexcept>

namespace tiersim::app::classroom {

namespace {

using models::FirmIndex;
using models::Tier;

/// One row of the schema's reference (`tiersim schema`): unit, range, default, description.
struct SchemaRow {
    std::string unit;
    double low = 0;
    double high = 0;
    std::string description;
};

std::vector<std::string> table_cells(const std::string& line) {
    std::vector<std::string> cells;
    std::size_t start = 1;
    for (std::size_t bar = line.find('|', start); bar != std::string::npos; bar = line.find('|', start)) {
        std::string cell = line.substr(start, bar - start);
        const auto first = cell.find_first_not_of(' ');
        const auto last = cell.find_last_not_of(' ');
        cells.push_back(first == std::string::npos ? "" : cell.substr(first, last - first + 1));
        start = bar + 1;
    }
    return cells;
}

/// The row of `key` in the schema's section `section` (as `tiersim schema` prints them).
/// @throws std::logic_error when the schema has no such key: the page's levers must follow the schema
SchemaRow schema_row(const std::string& section, const std::string& key) {
    static const std::string schema = models::scenario_schema_markdown();
    std::istringstream lines(schema);
    std::string line;
    bool in_section = false;
    while (std::getline(lines, line)) {
        if (line.rfind("## ", 0) == 0) in_section = line == "## `" + section + "`";
        if (!in_section || line.rfind("| `" + key + "` |", 0) != 0) continue;
        const auto cells = table_cells(line);  // key, type, unit, range, default, description
        SchemaRow row;
        row.unit = cells.at(2);
        std::sscanf(cells.at(3).c_str(), "[%lf, %lf]", &row.low, &row.high);
        row.description = cells.at(5);
        return row;
    }
    throw std::logic_error("classroom: the schema has no key " + section + "." + key);
}

enum class LeverKind { policy, demand_shock, mfn_tariff, credit_crunch };

struct LeverSpec {
    const char* name;
    const char* label;
    const char* section;
    const char* key;
    LeverKind kind;
};

constexpr std::array lever_specs{
    LeverSpec{"guarantee_coverage", "Credit guarantee: coverage", "policies.credit_guarantee", "coverage",
              LeverKind::policy},
    LeverSpec{"subsidy_share", "Certification subsidy: share of cost", "policies.certification_subsidy", "share",
              LeverKind::policy},
    LeverSpec{"demand_shock", "Demand shock for 12 months (relative level)", "shocks.demand[]", "level",
              LeverKind::demand_shock},
    LeverSpec{"mfn_tariff", "Tariff on imported inputs (MFN)", "economy", "mfn_tariff", LeverKind::mfn_tariff},
    LeverSpec{"credit_crunch", "Credit crunch for 12 months (collateral multiplier)", "shocks.credit_crunch[]",
              "collateral_multiplier", LeverKind::credit_crunch},
};

/// Months a shock pulled in class lasts.
constexpr int shock_months = 12;

double initial_value(const models::Scenario& s, const LeverSpec& spec) {
    switch (spec.kind) {
        case LeverKind::policy:
            if (std::string_view(spec.name) == "guarantee_coverage")
                return s.policies.credit_guarantee ? s.policies.credit_guarantee->coverage : 0.0;
            return s.policies.certification_subsidy ? s.policies.certification_subsidy->share : 0.0;
        case LeverKind::demand_shock: return 0.0;
        case LeverKind::mfn_tariff: return s.economy.mfn_tariff;
        case LeverKind::credit_crunch: return 1.0;
    }
    return 0.0;
}

const LeverSpec* find_spec(const std::string& name) {
    for (const auto& spec : lever_specs)
        if (name == spec.name) return &spec;
    return nullptr;
}

std::string number_text(double value) { return json_number(value); }

/// `list` with `item` appended, as a YAML flow sequence for --set.
std::string appended(const YAML::Node& list, const YAML::Node& item) {
    YAML::Node copy = list.IsDefined() && list.IsSequence() ? YAML::Clone(list) : YAML::Node(YAML::NodeType::Sequence);
    copy.push_back(item);
    YAML::Emitter out;
    out << YAML::Flow << copy;
    return out.c_str();
}

std::string utc_now() {
    const std::time_t now = std::time(nullptr);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    return text;
}

/// OUTPUT for the first class, OUTPUT's stem with -2, -3... for each restart, beside it.
std::filesystem::path class_output(const std::filesystem::path& output, int number) {
    if (number == 1) return output;
    std::filesystem::path next = output;
    next.replace_filename(output.stem().string() + "-" + std::to_string(number) + output.extension().string());
    return next;
}

template <class Values>
std::string json_array(const Values& values) {
    std::string out = "[";
    for (std::size_t k = 0; k < values.size(); ++k) out += (k ? "," : "") + number_text(values[k]);
    return out + "]";
}

}  // namespace

std::vector<LeverControl> lever_controls(const models::Scenario& scenario) {
    std::vector<LeverControl> controls;
    for (const auto& spec : lever_specs) {
        const SchemaRow row = schema_row(spec.section, spec.key);
        const std::string section = spec.section;
        controls.push_back({spec.name, spec.label, section.substr(0, section.find('[')) + "." + spec.key, row.unit,
                            row.low, row.high, initial_value(scenario, spec), row.description});
    }
    return controls;
}

Classroom::Classroom(ClassSetup setup) : setup_(std::move(setup)), output_(setup_.output) {
    loaded_ = models::load_scenario(setup_.scenario, setup_.overrides);
    open(loaded_.scenario.run.seed);
}

Classroom::~Classroom() = default;

void Classroom::open(std::int64_t seed) {
    auto overrides = setup_.overrides;
    overrides.push_back("run.seed=" + std::to_string(seed));
    loaded_ = models::load_scenario(setup_.scenario, overrides);
    lever_overrides_.clear();
    run_.reset();
    model_.reset();
    lock_.reset();
    lock_ = sim::claim_output(output_, {setup_.scenario}, setup_.overwrite);
    model_ = std::make_unique<models::PyramidModel>(loaded_.scenario);
    add_decision_hooks();

    sim::RunOptions run;
    run.ticks = static_cast<sim::Tick>(loaded_.scenario.run.ticks);
    run.burn_in = static_cast<sim::Tick>(loaded_.scenario.run.burn_in_months);
    run.output = output_;
    run.attributes = {
        {"tiersim_version", std::string(tiersim::version)},
        {"git_commit", std::string(tiersim::git_commit)},
        {"scenario_file", setup_.scenario.string()},
        {"scenario_name", loaded_.scenario.name},
        {"seed", std::int64_t{loaded_.scenario.run.seed}},
        {"replication", std::int64_t{loaded_.scenario.run.replication}},
        {"threads", setup_.threads},
        {"ticks_planned", std::int64_t{loaded_.scenario.run.ticks}},
        {"command_line", setup_.command_line},
        {"created_utc", utc_now()},
        {"classroom", std::string("a live class: students' decisions and levers in classroom/events")},
    };
    run.texts = {{"scenario/resolved", loaded_.resolved_yaml}, {"scenario/input", loaded_.input_yaml}};
    run_ = std::make_unique<sim::SteppedRun>(*model_, run);
    events_ = &run_->file()->create_table(
        "classroom/events",
        {{"tick", sim::results::ColumnType::Int32, "month", "Month the change entered the model (output tick)"},
         {"actor", sim::results::ColumnType::String, "", "'teacher', or the student's name"},
         {"firm", sim::results::ColumnType::Int64, "", "Id of the student's firm; -1 for a lever"},
         {"action", sim::results::ColumnType::String, "",
          "order, certify, borrow (a student's decision), or the lever pulled (lever:NAME)"},
         {"value", sim::results::ColumnType::Float64, "",
          "units ordered, 1 for a certification, MXN asked to borrow, or the lever's new value"}},
        "Students' decisions and the teacher's levers, as they entered the model (docs/teaching/classroom.md)", 64);
    run_->file()->flush();
    history_.clear();
    for (std::size_t k = 0; k < students_.size(); ++k) {
        students_[k].firm = free_firm(k);
        students_[k].pending.reset();
        students_[k].last_outcome = "a new class has started";
    }
}

void Classroom::add_decision_hooks() {
    model_->after_phase("planning", [this](models::FirmTable& f, sim::Tick t) { order(f, t); });
    model_->after_phase("capability", [this](models::FirmTable& f, sim::Tick t) { certify(f, t); });
    model_->after_phase("finance", [this](models::FirmTable& f, sim::Tick t) { borrow(f, t); });
}

std::int64_t Classroom::next_month() const noexcept {
    return static_cast<std::int64_t>(run_->next_tick()) - static_cast<std::int64_t>(loaded_.scenario.run.burn_in_months);
}

void Classroom::record_event(const std::string& actor, std::uint32_t firm, const std::string& action, double value) {
    const std::int64_t firm_id = firm == UINT32_MAX ? -1 : std::int64_t{model_->firms().id[firm]};
    events_->append({std::vector<std::int32_t>{static_cast<std::int32_t>(next_month())},
                     std::vector<std::string>{actor}, std::vector<std::int64_t>{firm_id},
                     std::vector<std::string>{action}, std::vector<double>{value}});
}

void Classroom::step() {
    if (done()) return;
    this_month_.clear();
    for (auto& student : students_) {
        if (!student.pending) continue;
        const Decide& d = *student.pending;
        if (d.order_units) record_event(student.name, student.firm, "order", *d.order_units);
        if (d.start_certification) record_event(student.name, student.firm, "certify", 1.0);
        if (d.borrow_mxn > 0) record_event(student.name, student.firm, "borrow", d.borrow_mxn);
        this_month_[student.firm] = d;
        student.pending.reset();
        student.last_outcome.clear();
    }
    run_->step();
    history_.push_back(tick_json());
}

void Classroom::finish() {
    if (run_) run_->finish();
}

void Classroom::restart(std::int64_t seed) {
    finish();
    ++class_number_;
    output_ = class_output(setup_.output, class_number_);
    open(seed);
}

// --- the students' decisions, inside the tick ----------------------------------------------

void Classroom::order(models::FirmTable& f, sim::Tick) {
    for (const auto& student : students_) rule_order_[student.firm] = f.orders_placed[student.firm];
    for (const auto& [firm, d] : this_month_)
        if (d.order_units && f.alive[firm]) f.orders_placed[firm] = *d.order_units;
}

int Classroom::certification_to_start(const models::FirmTable& f, models::FirmIndex firm) const {
    // The certification its buyers ask for, else the cheapest it lacks (bits in name order); -1: it holds all.
    const models::Scenario& s = model_->scenario();
    const auto tier = static_cast<std::size_t>(f.tier[firm]);
    const std::uint32_t asked =
        tier == 0 ? 0u : model_->required_of_suppliers(f.sector[firm], static_cast<Tier>(tier - 1));
    int cheapest = -1;
    double cheapest_cost = 0;
    int bit = 0;
    for (const auto& [name, cert] : s.certifications) {
        const bool held = (f.certifications[firm] >> bit) & 1u;
        if (!held && ((asked >> bit) & 1u)) return bit;
        if (!held && (cheapest < 0 || cert.cost_mxn < cheapest_cost)) cheapest = bit, cheapest_cost = cert.cost_mxn;
        ++bit;
    }
    return cheapest;
}

void Classroom::certify(models::FirmTable& f, sim::Tick) {
    const models::Scenario& s = model_->scenario();
    for (const auto& [firm, d] : this_month_) {
        if (!d.start_certification || !f.alive[firm]) continue;
        auto& outcome = students_[static_cast<std::size_t>(std::ranges::find(students_, firm, &Student::firm) -
                                                          students_.begin())]
                            .last_outcome;
        if (f.certification_in_progress[firm] >= 0) {
            outcome += "certification already under way. ";
            continue;
        }
        const int chosen = certification_to_start(f, firm);
        if (chosen < 0) {
            outcome += "you hold every certification. ";
            continue;
        }
        const auto& [name, cert] = *std::next(s.certifications.begin(), chosen);
        if (f.cash[firm] < cert.cost_mxn) {
            outcome += "not enough cash for " + name + ". ";
            continue;
        }
        f.cash[firm] -= cert.cost_mxn;
        f.certification_in_progress[firm] = static_cast<std::int8_t>(chosen);
        f.certification_months_left[firm] = static_cast<std::uint8_t>(cert.months);
        outcome += "started " + name + ". ";
    }
}

void Classroom::borrow(models::FirmTable& f, sim::Tick tick) {
    const models::Streams streams{static_cast<std::uint64_t>(loaded_.scenario.run.seed),
                                  static_cast<std::uint64_t>(loaded_.scenario.run.replication)};
    for (const auto& [firm, d] : this_month_) {
        if (d.borrow_mxn <= 0 || !f.alive[firm]) continue;
        auto& outcome = students_[static_cast<std::size_t>(std::ranges::find(students_, firm, &Student::firm) -
                                                          students_.begin())]
                            .last_outcome;
        const models::CreditApplicant applicant{f.size_class[firm],     d.borrow_mxn,         f.fixed_assets[firm],
                                                f.debt[firm],           12.0 * f.revenue[firm], f.history_months[firm],
                                                f.months_since_default[firm]};
        // The bank scores the student's application with the draw it scores the firm's own with this month.
        auto rng = streams(f.id[firm], tick, models::Purpose::credit_score);
        const models::Denial verdict = models::score_application(model_->credit(), applicant, rng);
        if (verdict != models::Denial::none) {
            outcome += "loan refused (" + std::string(models::denial_labels[static_cast<std::size_t>(verdict)]) + "). ";
            continue;
        }
        f.debt[firm] += d.borrow_mxn;
        f.cash[firm] += d.borrow_mxn;
        f.loan_granted[firm] += d.borrow_mxn;
        f.events[firm] |= models::event_loan;
        outcome += "loan granted. ";
    }
}

// --- the teacher ---------------------------------------------------------------------------

std::optional<std::string> Classroom::pull_lever(const std::string& lever, double value) {
    const LeverSpec* spec = find_spec(lever);
    if (spec == nullptr) return "no lever '" + lever + "'";
    if (run_->in_burn_in()) return "levers come into force after the burn-in";
    if (done()) return "the class is over";
    const std::string month = std::to_string(next_month());
    std::string override;
    const YAML::Node resolved = YAML::Load(loaded_.resolved_yaml);
    YAML::Node item(YAML::NodeType::Map);
    switch (spec->kind) {
        case LeverKind::policy:
            override = std::string(spec->section) + "." + spec->key + "=" + number_text(value);
            break;
        case LeverKind::demand_shock:
            item["start_tick"] = month;
            item["months"] = shock_months;
            item["level"] = number_text(value);
            override = "shocks.demand=" + appended(resolved["shocks"]["demand"], item);
            break;
        case LeverKind::mfn_tariff:
            item["tick"] = month;
            item["value"] = number_text(value);
            override = "shocks.mfn_tariff=" + appended(resolved["shocks"]["mfn_tariff"], item);
            break;
        case LeverKind::credit_crunch:
            item["start_tick"] = month;
            item["months"] = shock_months;
            item["collateral_multiplier"] = number_text(value);
            override = "shocks.credit_crunch=" + appended(resolved["shocks"]["credit_crunch"], item);
            break;
    }
    auto overrides = setup_.overrides;
    overrides.push_back("run.seed=" + std::to_string(loaded_.scenario.run.seed));
    overrides.insert(overrides.end(), lever_overrides_.begin(), lever_overrides_.end());
    overrides.push_back(override);
    try {
        loaded_ = models::load_scenario(setup_.scenario, overrides);
    } catch (const sim::config::ConfigError& e) {
        const std::string what = e.what();
        return "refused: " + what.substr(0, what.find('\n'));
    }
    lever_overrides_.push_back(override);
    record_event("teacher", UINT32_MAX, "lever:" + lever, value);
    model_->amend(loaded_.scenario.policies, loaded_.scenario.shocks);
    return std::nullopt;
}

// --- the students --------------------------------------------------------------------------

models::FirmIndex Classroom::free_firm(std::size_t student) const {
    // The beer game's chain: students spread over Tier 1, 2, 3 and the OEMs in turn.
    constexpr std::array<Tier, 4> order{Tier::t1, Tier::t2, Tier::t3, Tier::oem};
    const models::FirmTable& f = model_->firms();
    for (std::size_t attempt = 0; attempt < order.size(); ++attempt) {
        const Tier tier = order[(student + attempt) % order.size()];
        for (std::size_t s = 0; s < model_->sector_count(); ++s) {
            const models::TierRange range = model_->tier_range(s, tier);
            for (FirmIndex i = range.first; i < range.last; ++i) {
                if (!f.alive[i] || f.vacant[i]) continue;
                const bool taken = std::any_of(students_.begin(), students_.begin() + static_cast<std::ptrdiff_t>(student),
                                               [&](const Student& other) { return other.firm == i; });
                if (!taken) return i;
            }
        }
    }
    throw std::length_error("every firm already has a student");
}

std::size_t Classroom::join(const std::string& name, const std::string& token) {
    if (!token.empty())
        for (std::size_t k = 0; k < students_.size(); ++k)
            if (students_[k].token == token) {
                students_[k].connected = true;
                return k;
            }
    Student student;
    student.name = name;
    // Unique among the class, so a name appears once in the ranking and the events.
    for (int n = 2; std::ranges::any_of(students_, [&](const Student& s) { return s.name == student.name; }); ++n)
        student.name = name + "-" + std::to_string(n);
    students_.push_back(student);
    try {
        students_.back().firm = free_firm(students_.size() - 1);
    } catch (...) {
        students_.pop_back();
        throw;
    }
    // Not a secret against the students' own machines: it only tells a returning page from a new one.
    students_.back().token = "s" + std::to_string(students_.size()) + "x" +
                             std::to_string(std::hash<std::string>{}(student.name + output_.string()) % 1000000007u);
    return students_.size() - 1;
}

void Classroom::decide(std::size_t student, const Decide& decision) { students_[student].pending = decision; }

bool Classroom::all_decided() const noexcept {
    return std::ranges::all_of(students_, [](const Student& s) { return !s.connected || s.pending.has_value(); });
}

std::size_t Classroom::connected_students() const noexcept {
    return static_cast<std::size_t>(std::ranges::count_if(students_, [](const Student& s) { return s.connected; }));
}

// --- JSON for the pages ----------------------------------------------------------------------

std::string Classroom::setup_json() const {
    std::string out = "{\"type\":\"setup\",\"scenario\":\"" + json_escape(loaded_.scenario.name) +
                      "\",\"seed\":" + std::to_string(seed()) + ",\"ticks_planned\":" + std::to_string(ticks_planned()) +
                      ",\"output\":\"" + json_escape(output_.filename().string()) + "\",\"tiers\":[";
    for (std::size_t t = 0; t < models::tier_count; ++t)
        out += std::string(t ? "," : "") + "\"" + std::string(models::tier_labels[t]) + "\"";
    out += "],\"levers\":[";
    const auto controls = lever_controls(loaded_.scenario);
    for (std::size_t k = 0; k < controls.size(); ++k) {
        const LeverControl& c = controls[k];
        out += std::string(k ? "," : "") + "{\"name\":\"" + c.name + "\",\"label\":\"" + json_escape(c.label) +
               "\",\"path\":\"" + c.schema_path + "\",\"unit\":\"" + json_escape(c.unit) +
               "\",\"low\":" + number_text(c.low) + ",\"high\":" + number_text(c.high) +
               ",\"initial\":" + number_text(c.initial) + ",\"description\":\"" + json_escape(c.description) + "\"}";
    }
    return out + "]}";
}

std::string Classroom::tick_json() const {
    const models::FirmTable& f = model_->firms();
    std::array<double, models::tier_count> firms{}, employment{}, value_added{}, orders{}, demand{};
    double imports = 0, domestic = 0, revenue = 0, domestic_value = 0, msmes = 0;
    double outlays = 0, fees = 0, payouts = 0, cover = 0;
    for (std::size_t i = 0; i < f.size(); ++i) {
        if (!f.alive[i] || f.vacant[i]) continue;
        const auto t = static_cast<std::size_t>(f.tier[i]);
        firms[t] += 1;
        employment[t] += f.employment[i];
        value_added[t] += f.value_added[i];
        orders[t] += f.orders_placed[i];
        demand[t] += f.orders_received[i];
        imports += f.imports[i];
        domestic += f.domestic_purchases[i];
        revenue += f.revenue[i];
        domestic_value += f.revenue[i] * f.domestic_content[i];
        if (f.size_class[i] != models::SizeClass::large) msmes += 1;
        outlays += f.subsidy_received[i] + f.guarantee_payout[i];
        fees += f.guarantee_fee[i];
        payouts += f.guarantee_payout[i];
        cover += f.guaranteed_cover[i];
    }
    const std::int64_t month = next_month() - 1;
    return "{\"type\":\"tick\",\"tick\":" + std::to_string(month) + ",\"firms\":" + json_array(firms) +
           ",\"employment\":" + json_array(employment) + ",\"value_added\":" + json_array(value_added) +
           ",\"orders\":" + json_array(orders) + ",\"demand\":" + json_array(demand) +
           ",\"import_share\":" + number_text(imports + domestic > 0 ? imports / (imports + domestic) : 0.0) +
           ",\"local_content\":" + number_text(revenue > 0 ? domestic_value / revenue : 0.0) +
           ",\"msmes\":" + number_text(msmes) + ",\"program_outlays\":" + number_text(outlays) +
           ",\"program_fees\":" + number_text(fees) + ",\"guarantee_payouts\":" + number_text(payouts) +
           ",\"guaranteed_cover\":" + number_text(cover) + "}";
}

std::string Classroom::firm_json(std::size_t k) const {
    const Student& s = students_[k];
    const models::FirmTable& f = model_->firms();
    const FirmIndex i = s.firm;
    std::string held;
    int bit = 0;
    for (const auto& [name, cert] : model_->scenario().certifications) {
        if ((f.certifications[i] >> bit) & 1u) held += (held.empty() ? "" : ", ") + name;
        ++bit;
    }
    const auto rule = rule_order_.find(i);
    return "{\"type\":\"firm\",\"name\":\"" + json_escape(s.name) + "\",\"token\":\"" + s.token +
           "\",\"month\":" + std::to_string(next_month()) + ",\"ticks_planned\":" + std::to_string(ticks_planned()) +
           ",\"firm\":" + std::to_string(f.id[i]) + ",\"tier\":\"" +
           std::string(models::tier_labels[static_cast<std::size_t>(f.tier[i])]) +
           "\",\"alive\":" + (f.alive[i] ? "true" : "false") + ",\"cash\":" + number_text(f.cash[i]) +
           ",\"debt\":" + number_text(f.debt[i]) + ",\"orders_received\":" + number_text(f.orders_received[i]) +
           ",\"orders_placed\":" + number_text(f.orders_placed[i]) +
           ",\"rule_order\":" + number_text(rule == rule_order_.end() ? f.orders_placed[i] : rule->second) +
           ",\"input_stock\":" + number_text(f.input_stock[i]) + ",\"on_order\":" + number_text(f.on_order[i]) +
           ",\"finished_goods\":" + number_text(f.finished_goods[i]) + ",\"backlog\":" + number_text(f.backlog[i]) +
           ",\"shipped\":" + number_text(f.shipped[i]) + ",\"capacity\":" + number_text(f.capacity[i]) +
           ",\"input_per_unit\":" + number_text(f.input_per_unit[i]) + ",\"certifications\":\"" + json_escape(held) +
           "\",\"certifying\":" + (f.certification_in_progress[i] >= 0 ? "true" : "false") +
           ",\"decided\":" + (s.pending ? "true" : "false") + ",\"outcome\":\"" + json_escape(s.last_outcome) +
           "\",\"done\":" + (done() ? "true" : "false") + "}";
}

std::string Classroom::roster_json() const {
    const models::FirmTable& f = model_->firms();
    std::string out = "{\"type\":\"roster\",\"students\":[";
    for (std::size_t k = 0; k < students_.size(); ++k) {
        const Student& s = students_[k];
        out += std::string(k ? "," : "") + "{\"name\":\"" + json_escape(s.name) + "\",\"firm\":" +
               std::to_string(f.id[s.firm]) + ",\"tier\":\"" +
               std::string(models::tier_labels[static_cast<std::size_t>(f.tier[s.firm])]) +
               "\",\"connected\":" + (s.connected ? "true" : "false") +
               ",\"decided\":" + (s.pending ? "true" : "false") + ",\"cash\":" + number_text(f.cash[s.firm]) + "}";
    }
    return out + "]}";
}

std::string Classroom::ranking_json() const {
    const models::FirmTable& f = model_->firms();
    std::vector<std::size_t> order(students_.size());
    for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
    // Survivors first, then by cash; a tie keeps the order of joining.
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        const FirmIndex x = students_[a].firm, y = students_[b].firm;
        if (f.alive[x] != f.alive[y]) return f.alive[x] > f.alive[y];
        return f.cash[x] > f.cash[y];
    });
    std::string out = "{\"type\":\"ranking\",\"rows\":[";
    for (std::size_t r = 0; r < order.size(); ++r) {
        const Student& s = students_[order[r]];
        out += std::string(r ? "," : "") + "{\"rank\":" + std::to_string(r + 1) + ",\"name\":\"" + json_escape(s.name) +
               "\",\"firm\":" + std::to_string(f.id[s.firm]) + ",\"tier\":\"" +
               std::string(models::tier_labels[static_cast<std::size_t>(f.tier[s.firm])]) +
               "\",\"alive\":" + (f.alive[s.firm] ? "true" : "false") + ",\"cash\":" + number_text(f.cash[s.firm]) + "}";
    }
    return out + "]}";
}

}  // namespace tiersim::app::classroom
