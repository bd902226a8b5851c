// The classroom without a browser: its message rules, and a class as a run.
#include "models/app/classroom.hpp"
#include "models/app/classroom_protocol.hpp"
#include "support/helpers.hpp"
#include "support/model_runs.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <limits>
#include <string>

using namespace tiersim;
using namespace tiersim::app::classroom;
using Catch::Contains;

namespace {

template <class T>
T accepted(std::string_view text) {
    auto parsed = parse_message(text);
    INFO("message: " << text);
    if (const auto* refusal = std::get_if<Refusal>(&parsed)) FAIL("refused: " << refusal->reason);
    const auto* message = std::get_if<T>(&std::get<Message>(parsed));
    REQUIRE(message != nullptr);
    return *message;
}

std::string refusal(std::string_view text) {
    auto parsed = parse_message(text);
    INFO("message: " << text);
    REQUIRE(std::holds_alternative<Refusal>(parsed));
    return std::get<Refusal>(parsed).reason;
}

ClassSetup setup_for(const testing::ScratchDir& dir, std::vector<std::string> overrides) {
    ClassSetup setup;
    setup.scenario = testing::source_path("scenarios/teaching/pyramid.yaml");
    setup.overrides = std::move(overrides);
    setup.output = dir / "class.h5";
    return setup;
}

/// The OEMs' final demand and the firms' orders after `months` of a class.
double oem_demand(const models::PyramidModel& model) {
    const auto& f = model.firms();
    double total = 0;
    for (std::size_t i = 0; i < f.size(); ++i)
        if (f.alive[i] && f.tier[i] == models::Tier::oem) total += f.orders_received[i];
    return total;
}

}  // namespace

TEST_CASE("a browser's messages are parsed into the class's verbs", "[classroom]") {
    CHECK(accepted<JoinTeacher>("hello teacher abc123").key == "abc123");
    const auto student = accepted<JoinStudent>("hello student K7QX Ana s1x42");
    CHECK(student.code == "K7QX");
    CHECK(student.name == "Ana");
    CHECK(student.token == "s1x42");
    CHECK(accepted<JoinStudent>("hello student K7QX Ana").token.empty());
    const auto order = accepted<Decide>("decide 1250.5 1 200000");
    REQUIRE(order.order_units);
    CHECK(*order.order_units == 1250.5);
    CHECK(order.start_certification);
    CHECK(order.borrow_mxn == 200000);
    CHECK_FALSE(accepted<Decide>("decide auto 0 0").order_units.has_value());
    CHECK(accepted<Speed>("speed 250").ms_per_month == 250);
    CHECK(accepted<Rounds>("rounds 30").seconds == 30);
    const auto lever = accepted<PullLever>("lever demand_shock -0.3");
    CHECK(lever.lever == "demand_shock");
    CHECK(lever.value == -0.3);
    CHECK(accepted<Restart>("restart 7").seed == 7);
    accepted<Start>("start");
    accepted<Pause>("  pause  ");
    accepted<Step>("step");
    accepted<Finish>("finish");
}

TEST_CASE("malformed, oversized and out-of-range messages are refused with a reason", "[classroom]") {
    CHECK_THAT(refusal(std::string(max_message_bytes + 1, 'a')), Contains("longer than"));
    CHECK_THAT(refusal("decide 10 0 0\n"), Contains("printable ASCII"));
    CHECK_THAT(refusal("hello student K7QX Ana\xc3\xa9"), Contains("printable ASCII"));
    CHECK_THAT(refusal(""), Contains("empty"));
    CHECK_THAT(refusal("{\"type\":\"start\"}"), Contains("unknown message"));
    CHECK_THAT(refusal("start now"), Contains("wrong number of arguments"));
    CHECK_THAT(refusal("decide -5 0 0"), Contains("order"));
    CHECK_THAT(refusal("decide nan 0 0"), Contains("order"));
    CHECK_THAT(refusal("decide inf 0 0"), Contains("order"));
    CHECK_THAT(refusal("decide 1e400 0 0"), Contains("order"));
    CHECK_THAT(refusal("decide 12abc 0 0"), Contains("order"));
    CHECK_THAT(refusal("decide 10 2 0"), Contains("certify"));
    CHECK_THAT(refusal("decide 10 0 -1"), Contains("borrow"));
    CHECK_THAT(refusal("decide 10 0"), Contains("decide ORDER"));
    CHECK_THAT(refusal("speed 1"), Contains("milliseconds"));
    CHECK_THAT(refusal("rounds 601"), Contains("rounds"));
    CHECK_THAT(refusal("restart -1"), Contains("SEED"));
    CHECK_THAT(refusal("lever ../../etc 1"), Contains("lever"));
    CHECK_THAT(refusal("hello student K7QX " + std::string(max_name_length + 1, 'a')), Contains("name"));
    CHECK_THAT(refusal("hello student K7/X Ana"), Contains("code"));
    CHECK_THAT(refusal("hello teacher"), Contains("hello teacher KEY"));
}

TEST_CASE("only teacher verbs need the teacher's page", "[classroom]") {
    CHECK(is_teacher_message(Message{Start{}}));
    CHECK(is_teacher_message(Message{PullLever{"mfn_tariff", 0.1}}));
    CHECK_FALSE(is_teacher_message(Message{Decide{}}));
    CHECK_FALSE(is_teacher_message(Message{JoinStudent{}}));
}

TEST_CASE("only page files of the page folder can be requested", "[classroom]") {
    CHECK(static_file_name("/static/teacher.js") == "teacher.js");
    CHECK(static_file_name("/static/classroom.css") == "classroom.css");
    CHECK_FALSE(static_file_name("/static/../CMakeLists.txt"));
    CHECK_FALSE(static_file_name("/static/..%2fREADME.md"));
    CHECK_FALSE(static_file_name("/static/sub/page.html"));
    CHECK_FALSE(static_file_name("/static/class.h5"));
    CHECK_FALSE(static_file_name("/static/.js"));
    CHECK_FALSE(static_file_name("/teacher.html"));
}

TEST_CASE("JSON text is escaped and non-finite numbers become null", "[classroom]") {
    CHECK(json_escape("a\"b\\c\nd") == "a\\\"b\\\\c\\u000ad");
    CHECK(json_number(0.25) == "0.25");
    CHECK(json_number(std::numeric_limits<double>::quiet_NaN()) == "null");
}

TEST_CASE("a class nobody acts in is `tiersim run` of its scenario and seed, to the bit", "[classroom]") {
    testing::ScratchDir dir("classroom-determinism");
    const std::vector<std::string> overrides{"run.ticks=18", "run.seed=11"};
    {
        Classroom lesson(setup_for(dir, overrides));
        while (!lesson.done()) lesson.step();
        lesson.finish();
    }
    testing::run_to_file(testing::teaching_scenario(overrides), dir / "run.h5", 2);
    const sim::results::Reader ran(dir / "run.h5"), taught(dir / "class.h5");
    CHECK(taught.attribute_string("/", "status") == "completed");
    CHECK(taught.table_rows("classroom/events") == 0);
    const auto tables = ran.tables("/");
    REQUIRE(!tables.empty());
    for (const auto& table : tables) {
        INFO("table " << table);
        REQUIRE(taught.table_rows(table) == ran.table_rows(table));
        for (const auto& column : ran.table_columns(table)) {
            INFO("column " << column);
            CHECK(testing::same_bits(taught.column(table, column), ran.column(table, column)));
        }
    }
}

TEST_CASE("a student's order enters the model at the next month and is recorded", "[classroom]") {
    testing::ScratchDir dir("classroom-order");
    Classroom lesson(setup_for(dir, {"run.ticks=6"}));
    lesson.step();
    const std::size_t ana = lesson.join("Ana", "");
    const std::size_t ben = lesson.join("Ben", "");
    CHECK(lesson.students()[ana].firm != lesson.students()[ben].firm);
    CHECK(lesson.join("Ana", lesson.students()[ana].token) == ana);  // a reconnection keeps the firm
    CHECK_FALSE(lesson.all_decided());
    // An order of nothing: the one a firm's cash never caps (ordering pays imports on order).
    Decide order;
    order.order_units = 0;
    lesson.decide(ana, order);
    lesson.decide(ben, Decide{});  // the model's rule
    CHECK(lesson.all_decided());
    const auto month = lesson.next_month();
    lesson.step();
    const auto firm = lesson.students()[ana].firm;
    CHECK(lesson.model().firms().orders_placed[firm] == 0);
    CHECK_THAT(lesson.firm_json(ana), Contains("\"orders_placed\":0,"));
    // Ben's firm ordered by the rule, as it would have without a student.
    CHECK(lesson.model().firms().orders_placed[lesson.students()[ben].firm] > 0);
    lesson.finish();
    const sim::results::Reader file(lesson.output());
    REQUIRE(file.table_rows("classroom/events") == 1);
    CHECK(file.string_column("classroom/events", "actor") == std::vector<std::string>{"Ana"});
    CHECK(file.string_column("classroom/events", "action") == std::vector<std::string>{"order"});
    CHECK(file.column("classroom/events", "tick") == std::vector<double>{static_cast<double>(month)});
    CHECK(file.column("classroom/events", "value") == std::vector<double>{0});
}

TEST_CASE("a student's certification and loan are decided by the model's rules and recorded", "[classroom]") {
    testing::ScratchDir dir("classroom-certify-borrow");
    Classroom lesson(setup_for(dir, {"run.ticks=6"}));
    lesson.step();
    std::vector<std::size_t> students;
    for (const char* name : {"Ana", "Ben", "Cai"}) students.push_back(lesson.join(name, ""));
    Decide decision;
    decision.start_certification = true;
    decision.borrow_mxn = 50000;
    std::vector<double> debt_before;
    for (const auto k : students) {
        lesson.decide(k, decision);
        debt_before.push_back(lesson.model().firms().debt[lesson.students()[k].firm]);
    }
    lesson.step();
    const auto& f = lesson.model().firms();
    for (std::size_t n = 0; n < students.size(); ++n) {
        const Student& s = lesson.students()[students[n]];
        INFO(s.name << ": " << s.last_outcome);
        const bool started = s.last_outcome.find("started") != std::string::npos;
        CHECK((started || s.last_outcome.find("every certification") != std::string::npos ||
               s.last_outcome.find("not enough cash") != std::string::npos ||
               s.last_outcome.find("already under way") != std::string::npos));
        if (started) CHECK(f.certification_in_progress[s.firm] >= 0);
        const bool granted = s.last_outcome.find("loan granted") != std::string::npos;
        CHECK((granted || s.last_outcome.find("loan refused") != std::string::npos));
        if (granted) CHECK(f.loan_granted[s.firm] >= 50000);
    }
    lesson.finish();
    const sim::results::Reader file(lesson.output());
    CHECK(file.string_column("classroom/events", "action") ==
          std::vector<std::string>{"certify", "borrow", "certify", "borrow", "certify", "borrow"});
    CHECK(file.string_column("classroom/events", "actor") ==
          std::vector<std::string>{"Ana", "Ana", "Ben", "Ben", "Cai", "Cai"});
}

TEST_CASE("a lever pulled mid-run moves the pyramid, and a value outside the schema is refused", "[classroom]") {
    testing::ScratchDir dir("classroom-lever");
    testing::ScratchDir other("classroom-lever-baseline");
    Classroom shocked(setup_for(dir, {"run.ticks=8"}));
    Classroom baseline(setup_for(other, {"run.ticks=8"}));
    for (int k = 0; k < 3; ++k) shocked.step(), baseline.step();
    const auto refused = shocked.pull_lever("guarantee_coverage", 1.5);
    REQUIRE(refused);
    CHECK_THAT(*refused, Contains("coverage"));
    CHECK(shocked.pull_lever("no_such_lever", 1).has_value());
    REQUIRE_FALSE(shocked.pull_lever("demand_shock", -0.5));
    shocked.step(), baseline.step();
    CHECK(oem_demand(shocked.model()) < 0.7 * oem_demand(baseline.model()));
    // Every lever of the page is accepted within its range, a program the scenario lacks included.
    CHECK_FALSE(shocked.model().levers().find("credit_guarantee").configured());
    for (const auto& [lever, value] : std::vector<std::pair<std::string, double>>{
             {"guarantee_coverage", 0.7}, {"subsidy_share", 0.5}, {"mfn_tariff", 0.2}, {"credit_crunch", 4}}) {
        INFO("lever " << lever);
        CHECK_FALSE(shocked.pull_lever(lever, value));
    }
    CHECK(shocked.model().levers().find("credit_guarantee").configured());
    CHECK(shocked.model().levers().find("certification_subsidy").configured());
    shocked.step();
    CHECK(shocked.model().conditions().economy.mfn_tariff == 0.2);
    shocked.finish();
    const sim::results::Reader file(shocked.output());
    CHECK(file.string_column("classroom/events", "action") ==
          std::vector<std::string>{"lever:demand_shock", "lever:guarantee_coverage", "lever:subsidy_share",
                                   "lever:mfn_tariff", "lever:credit_crunch"});
}

TEST_CASE("a restart starts a fresh pyramid from a new seed into a new file, and students keep their names", "[classroom]") {
    testing::ScratchDir dir("classroom-restart");
    Classroom lesson(setup_for(dir, {"run.ticks=4"}));
    const std::size_t ana = lesson.join("Ana", "");
    lesson.step();
    lesson.restart(5);
    CHECK(lesson.output() == dir / "class-2.h5");
    CHECK(lesson.seed() == 5);
    CHECK(lesson.next_month() == 0);
    CHECK(lesson.students()[ana].name == "Ana");
    CHECK(lesson.model().firms().alive[lesson.students()[ana].firm]);
    while (!lesson.done()) lesson.step();
    lesson.finish();
    const sim::results::Reader first(dir / "class.h5"), second(dir / "class-2.h5");
    CHECK(first.attribute_string("/", "status") == "interrupted");
    CHECK(second.attribute_string("/", "status") == "completed");
    CHECK(second.table_rows("series/by_tier") == 4 * first.table_rows("series/by_tier"));
}

TEST_CASE("the teacher's levers carry the schema's ranges and meanings", "[classroom]") {
    const auto controls = lever_controls(testing::teaching_scenario().scenario);
    REQUIRE(controls.size() == 5);
    const auto coverage = std::ranges::find(controls, std::string("guarantee_coverage"), &LeverControl::name);
    REQUIRE(coverage != controls.end());
    CHECK(coverage->schema_path == "policies.credit_guarantee.coverage");
    CHECK(coverage->low == 0);
    CHECK(coverage->high == 1);
    CHECK_THAT(coverage->description, Contains("guarantee"));
}
