// A policy lever: one YAML block under `policies:`, one class, two files.
//
// A lever lives in models/levers/<yaml key>.{hpp,cpp}: its config struct and
// schema, its eligibility, the hooks it adds to the phases, its account
// columns. Its header registers it with one line,
//
//     TIERSIM_LEVER(credit_guarantee, CreditGuarantee)
//
// which the build collects (models/CMakeLists.txt) into the lever table: the
// `policies:` schema, the levers a model runs and the `programs/accounts` rows
// all come from it. Nothing central lists the levers. docs/architecture.md
// walks through adding one.
//
// Hooks are called by the phases named in their comments; a lever overrides
// the ones it acts through and inherits "does nothing" for the rest. A lever is
// built for every run, its block present or not; without a block it is never
// in force and its account rows stay zero.
#pragma once

#include "models/credit.hpp"
#include "models/economy.hpp"
#include "models/levers/terms.hpp"
#include "sim/link_graph.hpp"
#include "sim/runner.hpp"

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>
#include <vector>

namespace tiersim::models {

using FirmIndex = std::uint32_t;
struct FirmTable;
struct Pyramid;
struct Conditions;
struct Streams;

/// What a lever may see and change: the firms (its own columns, and the ones
/// its hooks document), and read-only the pyramid, the tick's conditions and
/// the random streams.
struct LeverContext {
    FirmTable& firms;
    const Pyramid& pyramid;
    const Conditions& now;
    const Streams& streams;
};

/// A program's money: what it has left and what it spent this tick.
struct Ledger {
    double budget_left = std::numeric_limits<double>::infinity();
    double spent_this_tick = 0;
};

/// One firm's part in a program's accounts this tick (programs/accounts).
struct AccountFlows {
    double outlays = 0;          ///< public money spent on the firm
    double fees = 0;             ///< fees the program collected from it
    double payouts = 0;          ///< guarantee payouts on its default
    double revenue_forgone = 0;  ///< tariff revenue forgone on its imports
    double services = 0;         ///< the part of `outlays` that buys services (a resource cost, not a transfer)
    bool participant = false;    ///< enrolled (registered, with cover outstanding, ever subsidised)
};

/// A program's costs this tick that belong to no one firm (programs/accounts).
struct ProgramCosts {
    double rate_subsidy = 0;    ///< MXN paid to lenders for the rate cut on guaranteed loans (a transfer)
    double administration = 0;  ///< MXN of running the program (a resource cost)
    double capital_cost = 0;    ///< MXN: the opportunity cost of the capital the program ties up (a resource cost)
    double claims_unpaid = 0;   ///< MXN of claims the program could not pay (its capital ran out)
};

/// What a program did with a firm's loan application this tick (records/loans).
struct LoanCover {
    std::uint8_t outcome = 0;          ///< 0: not considered (out of force, not eligible); else 1 + Denial scored with the cover
    double cover = 0;                  ///< MXN of principal covered (0: none)
    double rate_discount_annual = 0;   ///< rate cut on the loan
    std::int8_t bank = -1;             ///< the bank of the application in an auction; -1: none
};

/// A certification grant as the program saw it (records/grants).
struct GrantRecord {
    int certification = -1;           ///< bit of the certification funded; -1: no grant
    double cost = 0;                  ///< MXN the certification costs before the grant
    bool would_start_without = false; ///< the firm's decision rule, evaluated with a grant of 0, says start
};

/// A rule of origin on a sector's exports: below the threshold, exports pay a duty.
struct OriginRule {
    double regional_value_content = 0;
    double tariff = 0;
    double regional_import_share = 0;
    /// Whether output with traced domestic content `d` qualifies: imports from
    /// inside the region count as regional.
    bool complies(double d) const noexcept { return d + regional_import_share * (1.0 - d) >= regional_value_content; }
};

/// A certification a firm is weighing (the certification phase's plan).
struct CertificationPlan {
    int bit = -1;
    double cost = 0;      ///< MXN, before any subsidy
    double benefit = 0;   ///< margin on the demand it unlocks over the horizon, net of upkeep
    double upkeep = 0;    ///< cash the firm keeps back to hold it: upkeep over the horizon (a month's, sponsored)
};

/// What sourcing lets a matchmaker look at: the pool of candidate suppliers of
/// the buyer's input, which of them the buyer could use, what each would cost
/// delivered, and the distance decay of search.
struct MatchRequest {
    FirmIndex buyer = 0;
    std::span<const FirmIndex> pool;
    std::function<bool(FirmIndex)> usable;           ///< eligible, not yet linked, with room
    std::function<double(FirmIndex)> delivered_cost;  ///< MXN per unit, as the buyer compares offers
    double distance_decay_km = 1;
};

/// A supplier a matchmaker introduced, and its delivered cost (infinite: none).
struct Match {
    FirmIndex supplier = 0;
    double delivered_cost = std::numeric_limits<double>::infinity();
    bool introduced = false;  ///< by a program: it competes with imports for a free slot, not with incumbents
};

class Lever {
public:
    virtual ~Lever() = default;

    /// The YAML key under `policies:`; also the program's label in results.
    virtual std::string_view key() const noexcept = 0;
    /// Keys of levers whose hooks must run before this one's (the registry orders by them).
    virtual std::vector<std::string_view> runs_after() const { return {}; }
    /// The scenario has this lever's block (it may still be out of force at a tick).
    virtual bool configured() const noexcept = 0;
    /// In force this tick (block present, between its start and end ticks).
    virtual bool in_force(sim::Tick tick) const noexcept = 0;
    /// The program's bit in FirmTable::registered and ::benefits (its place in the lever table).
    std::uint8_t bit() const noexcept { return bit_; }
    void set_bit(std::uint8_t bit) noexcept { bit_ = bit; }

    // --- programs phase (after exogenous) --------------------------------------------------
    /// Start of the tick: clear this tick's flows in its own firm columns, then act
    /// (registrations, pilot orders, auctions). Serial parts are deterministic.
    virtual void begin_tick(LeverContext&, sim::Tick) {}

    // --- tariffs (pricing, ordering, sourcing) ---------------------------------------------
    /// Whether this program lowers the tariff on registered firms' imported inputs.
    virtual bool is_tariff_program() const noexcept { return false; }
    /// The tariff a registered firm pays on imported inputs under this program.
    virtual double program_rate(const FirmTable&, const Conditions&, FirmIndex, double mfn_tariff) const noexcept {
        return mfn_tariff;
    }
    /// Registration cost of a tariff program (MXN, once).
    virtual double registration_cost() const noexcept { return 0; }
    /// Whether the program reaches the firm this tick (in force and eligible).
    virtual bool reaches(const LeverContext&, FirmIndex, sim::Tick) const noexcept { return false; }

    // --- exogenous and sourcing: rules of origin ---------------------------------------------
    /// The rule of origin this lever puts on the sector's exports this tick, if any.
    virtual std::optional<OriginRule> origin_rule(std::string_view, sim::Tick) const { return std::nullopt; }

    // --- finance: credit ---------------------------------------------------------------------
    /// Called for every firm that applied (parallel; write only firm i and this
    /// lever's per-firm slots): a guarantee may turn a denial into an approval.
    virtual void consider_loan(LeverContext&, FirmIndex, CreditApplicant, Denial, sim::Tick) {}
    /// After every application (serial): share out what the program can back.
    virtual void share_out_loans(LeverContext&, sim::Tick) {}
    /// The rate cut a firm can expect on a loan it asks for now (0: none); a
    /// firm kept from credit by its cost weighs it before applying.
    virtual double rate_discount_offered(const LeverContext&, FirmIndex, sim::Tick) const noexcept { return 0; }
    /// Whether the program backs firm i's loan this tick (approved thanks to it).
    virtual bool backs_loan(FirmIndex) const noexcept { return false; }
    /// A loan of `principal` was booked for firm i (parallel).
    virtual void book_loan(LeverContext&, FirmIndex, double) {}
    /// Firm i's loans are written off (parallel).
    virtual void on_default(LeverContext&, FirmIndex) {}
    /// What the program did with firm i's application this tick (read by the recorder, after the tick).
    virtual LoanCover loan_cover(FirmIndex) const noexcept { return {}; }

    // --- capability and certification ------------------------------------------------------
    /// Extra capability per month firm i gains per unit of foreign sales share.
    virtual double learning_boost(const LeverContext&, FirmIndex, sim::Tick) const noexcept { return 0; }
    /// Whether the lever funds certifications (then the phase asks it, and shares out its budget).
    virtual bool funds_certification() const noexcept { return false; }
    /// The grant firm i asks for towards `plan` (parallel); 0: none.
    virtual double certification_request(const LeverContext&, FirmIndex, const CertificationPlan&, sim::Tick) const {
        return 0;
    }
    /// Shares the budget among this tick's requests (serial); zeroes those not granted.
    virtual void share_out_certification(LeverContext&, std::vector<double>&, sim::Tick) {}
    /// Firm i started a certification with `grant` from this lever (parallel).
    virtual void book_certification_grant(LeverContext&, FirmIndex, double) {}
    /// The grant firm i got this tick, as the program saw it (read by the recorder, after the tick).
    virtual GrantRecord grant_record(FirmIndex) const noexcept { return {}; }

    // --- sourcing ----------------------------------------------------------------------------
    /// Matchmaking in a buyer's full review (parallel per buyer; writes only the buyer's columns).
    virtual Match introduce(LeverContext&, const MatchRequest&, sim::Tick) { return {}; }

    // --- accounts ----------------------------------------------------------------------------
    /// End of the tick (serial): settle this tick's flows into the ledger.
    virtual void settle(LeverContext&, sim::Tick) {}
    /// Firm i's part in this tick's accounts.
    virtual AccountFlows account(const FirmTable&, FirmIndex) const noexcept { return {}; }
    /// The budget left (infinite when unlimited).
    virtual double budget_left() const noexcept { return std::numeric_limits<double>::infinity(); }
    /// Guaranteed principal outstanding (credit guarantees; 0 for other levers).
    virtual double guaranteed_outstanding() const noexcept { return 0; }
    /// This tick's costs that belong to no one firm (after settle).
    virtual ProgramCosts program_costs() const noexcept { return {}; }

    // --- warm start (docs/model.md, "Warm start") -----------------------------------------
    /// Saves what the lever carries from one tick to the next (ledger, cover
    /// outstanding, auction results...): everything a continuation needs to
    /// equal the uninterrupted run to the bit. Scratch rebuilt every tick is not saved.
    virtual void save_state(sim::StateWriter&) const {}
    /// Reads back what save_state wrote (called once, before the first tick of a continuation).
    virtual void restore_state(const sim::StateReader&) {}

    // --- the clock ---------------------------------------------------------------------------
    /// Hooks receive the model's tick, which random streams are keyed on; the
    /// lever's schedule (start_tick, end_tick, auction months) counts policy
    /// months, month 0 being the first after any burn-in: compare it with
    /// policy_tick(tick), never with the tick itself.
    sim::Tick policy_tick(sim::Tick tick) const noexcept { return tick - origin_; }
    void set_origin(sim::Tick origin) noexcept { origin_ = origin; }

private:
    std::uint8_t bit_ = 0;
    sim::Tick origin_ = 0;  ///< the model tick of policy month 0
};

/// Whether `terms` reach firm i in policy month `month`: in force, operating and eligible.
bool reaches(const ProgramTerms& terms, const LeverContext& context, FirmIndex i, sim::Tick month) noexcept;

/// Grants requests in a random order fixed by (seed, tick), while `room` lasts:
/// a request larger than what is left gets nothing (zeroed); `room` shrinks by
/// what was granted. The same with any thread count.
void allocate_in_queue(const LeverContext& context, sim::Tick tick, std::vector<double>& requests, double& room);

struct PoliciesConfig;

/// The levers of a run: every registered lever, in the order their
/// `runs_after` allow (alphabetical otherwise), each built from its block.
class Levers {
public:
    /// `origin`: the model tick of policy month 0 (the burn-in's length).
    explicit Levers(const PoliciesConfig& policies, sim::Tick origin = 0);
    ~Levers();
    Levers(Levers&&) noexcept;
    Levers& operator=(Levers&&) noexcept;

    std::span<const std::unique_ptr<Lever>> all() const noexcept { return levers_; }
    /// The levers whose block the scenario has, in lever order: the only ones
    /// whose hooks can do anything, so hot loops visit just these.
    std::span<Lever* const> configured() const noexcept { return configured_; }
    std::size_t size() const noexcept { return levers_.size(); }
    Lever& operator[](std::size_t k) { return *levers_[k]; }
    const Lever& operator[](std::size_t k) const { return *levers_[k]; }
    /// The lever registered under `key`. @throws std::out_of_range for an unknown key.
    const Lever& find(std::string_view key) const;
    /// Levers that lower input tariffs, in lever order.
    std::span<Lever* const> tariff_programs() const noexcept { return tariff_programs_; }

    /// Keys of every registered lever, in lever order (the rows of programs/accounts).
    static std::vector<std::string> keys();

private:
    std::vector<std::unique_ptr<Lever>> levers_;
    std::vector<Lever*> tariff_programs_;
    std::vector<Lever*> configured_;
};

/// Per-lever factory, from the generated lever table.
struct LeverRegistration {
    std::string_view key;
    std::unique_ptr<Lever> (*make)(const PoliciesConfig&);
};
std::span<const LeverRegistration> lever_registrations();

/// What most levers share: an optional config block (absent: never in force),
/// a ledger opened with the block's `budget_mxn` when it has one, and
/// eligibility from its ProgramTerms. A lever derives from
/// ProgramLever<ItsConfig> and writes only its hooks.
template <class ConfigT>
class ProgramLever : public Lever {
public:
    using Config = ConfigT;
    explicit ProgramLever(const std::optional<Config>& config) : config_(config) {
        if constexpr (requires { config_->budget_mxn; })
            if (config_ && config_->budget_mxn) ledger_.budget_left = *config_->budget_mxn;
    }
    bool configured() const noexcept override { return config_.has_value(); }
    bool in_force(sim::Tick tick) const noexcept override { return models::in_force(config_, policy_tick(tick)); }
    bool reaches(const LeverContext& context, FirmIndex i, sim::Tick tick) const noexcept override {
        if constexpr (std::is_base_of_v<ProgramTerms, Config>)
            return config_ && models::reaches(*config_, context, i, policy_tick(tick));
        return false;
    }
    double budget_left() const noexcept override { return ledger_.budget_left; }
    void save_state(sim::StateWriter& out) const override {
        out.put_value("budget_left", ledger_.budget_left, "MXN the program has left");
        out.put_value("spent_this_tick", ledger_.spent_this_tick, "MXN spent in the last tick run");
    }
    void restore_state(const sim::StateReader& in) override {
        ledger_.budget_left = in.get_value<double>("budget_left");
        ledger_.spent_this_tick = in.get_value<double>("spent_this_tick");
    }

protected:
    /// Grants `requests` in the queue (allocate_in_queue) within what the
    /// budget has left, and books what was granted as spent this tick.
    void grant_within_budget(const LeverContext& context, std::vector<double>& requests, sim::Tick tick) {
        double room = ledger_.budget_left;
        allocate_in_queue(context, tick, requests, room);
        ledger_.spent_this_tick += ledger_.budget_left - room;
        ledger_.budget_left = room;
    }

    std::optional<Config> config_;
    Ledger ledger_;
};

/// Registers a lever under its YAML key: the build collects these lines from
/// models/levers/*.hpp into the lever table (models/CMakeLists.txt). In the
/// header itself it only checks that the class is a Lever.
#define TIERSIM_LEVER(yaml_key, Class) \
    static_assert(std::is_base_of_v<::tiersim::models::Lever, Class>, #Class " must derive from Lever")

}  // namespace tiersim::models
