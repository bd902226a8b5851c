// The phases of one tick, in the order PyramidModel runs them (DESIGN §3;
// docs/model.md states each rule). Each phase lives in the file named after
// it and takes everything it reads and writes as arguments: a non-const
// argument is written, a const one only read. In a debug build, and in the
// suite's check, each phase's declared firm columns are the only ones it may
// change (PyramidModel::check_phase_writes).
#pragma once

#include "models/firms.hpp"
#include "models/levers/lever.hpp"
#include "models/market.hpp"
#include "models/requirements.hpp"
#include "models/scenario.hpp"
#include "models/shocks/shock.hpp"
#include "models/state.hpp"
#include "sim/link_graph.hpp"

#include <cstdint>
#include <vector>

namespace tiersim::models {

class Levers;

/// Units per worker-month of firm i: its tier's productivity at the frontier of
/// this tick, scaled by capability (at c = 0 a worker makes a tenth of the best:
/// APEC17 §3.2, micro subcontractors at about 10% of modern parts suppliers).
inline double labour_productivity_of(const Pyramid& pyramid, const Conditions& now, const FirmTable& f,
                                     FirmIndex i) noexcept {
    return pyramid.population(f.sector[i], f.tier[i]).labour_productivity * now.productivity_level *
           (0.1 + 0.9 * f.capability[i]);
}

/// Per cluster, the share of its operating firms its organisation's services
/// reach now: its monthly budget over what serving all of them costs (at most
/// 1; 1 without a budget or without members). The capability phase serves the
/// firms operating after the month's exits and entries.
using ServicesReach = std::vector<double>;
ServicesReach cluster_services_reach(const FirmTable& firms, const Pyramid& pyramid);

/// Capability per month firm i gains from its cluster's services, and the
/// share of a certification's cost they save it: the organisation's
/// `learning_boost` and `certification_cost_discount`, in proportion to their reach.
inline double cluster_learning_of(const Pyramid& pyramid, const ServicesReach& reach, const FirmTable& f,
                                  FirmIndex i) noexcept {
    return pyramid.cluster_learning[f.cluster[i]] * reach[f.cluster[i]];
}
inline double cluster_discount_of(const Pyramid& pyramid, const ServicesReach& reach, const FirmTable& f,
                                  FirmIndex i) noexcept {
    return pyramid.cluster_certification_discount[f.cluster[i]] * reach[f.cluster[i]];
}

/// exogenous: paths and shocks set this tick's prices, rates, tariffs and
/// capacity; final demand is drawn, its exported part answering to the OEMs'
/// price against the world's and to any rule of origin.
void set_conditions(Conditions& now, const Scenario& scenario, const Pyramid& pyramid, const Shocks& shocks,
                    const Levers& levers, const FirmTable& firms, const Streams& streams, sim::Tick tick);

/// programs: levers clear this tick's flows, firms register for tariff
/// programs, pilot orders and guarantee auctions are held.
void run_programs(LeverContext& context, Levers& levers, sim::Tick tick);

/// pricing: cost-plus prices and traced domestic content, from last tick's
/// prices of each firm's suppliers; all take effect together.
void set_prices(FirmTable& firms, const LinkTable& links, const sim::LinkGraph& graph, const Market& market);

/// A firm's cost-plus price and traced domestic content (share of the price).
struct PriceAndContent {
    double unit_cost, price, domestic_content;
};
/// Cost-plus price and traced domestic content of firm i, from its suppliers' current values.
PriceAndContent price_of(const FirmTable& firms, const LinkTable& links, const sim::LinkGraph& graph,
                         const Market& market, FirmIndex i) noexcept;

/// receive_inputs: this month's slot of the inbound pipeline arrives.
void receive_inputs(FirmTable& firms, const Pyramid& pyramid, sim::Tick tick);

/// planning: forecast orders and set the order-up-to quantity.
void plan_orders(FirmTable& firms, const OrderingConfig& rule, const Pyramid& pyramid, const Conditions& now,
                 sim::Tick tick);

/// ordering: inputs split between imports (paid on order) and domestic suppliers (into link slots).
void place_orders(FirmTable& firms, LinkTable& links, const sim::LinkGraph& graph, const Market& market,
                  LeverContext& context, const Levers& levers, sim::Tick tick);

/// order_intake: suppliers gather their links' orders; OEMs take final demand.
void take_orders(FirmTable& firms, LinkTable& links, const sim::LinkGraph& graph, const Conditions& now);

/// production: within capacity, inputs on hand and the production target.
void produce(FirmTable& firms, const OrderingConfig& rule, const Conditions& now);

/// shipping: backlogs served from stock, rationed proportionally; invoices booked.
void ship(FirmTable& firms, LinkTable& links, const sim::LinkGraph& graph, const Pyramid& pyramid, sim::Tick tick);

/// receiving: buyers book shipments into their pipelines and payables.
void collect_shipments(FirmTable& firms, const LinkTable& links, const sim::LinkGraph& graph, const Pyramid& pyramid,
                       const Conditions& now, sim::Tick tick);

/// payments: revenue, wages, employment, and what falls due.
void settle_payments(FirmTable& firms, const Pyramid& pyramid, const Conditions& now, sim::Tick tick);

/// finance: debt service, credit applications, guarantees, standing and default.
void finance(LeverContext& context, Levers& levers, const InvestmentConfig& investment, sim::Tick tick);

/// The cost of the plant firm i plans this month: a growth step when expected
/// sales press on capacity beyond investment.invest_above_normal and nothing
/// is on order; 0 otherwise. Financed in the finance phase, built in mobility.
double planned_plant_cost(const FirmTable& f, const InvestmentConfig& rule, const Pyramid& pyramid, const Conditions& now,
                          FirmIndex i);

/// exit: firms in the red too long, or dormant too long, close; their loans
/// default, their orders are cancelled. Counts each firm's months without a sale.
void exit_failed_firms(LeverContext& context, const Levers& levers, const ActivityConfig& activity, LinkTable& links,
                       const sim::LinkGraph& graph);

/// entry: firms enter with an order, where buyers sought domestic supply no
/// supplier had room for (unmet domestic demand) and incumbents make money.
void admit_entrants(FirmTable& firms, LinkTable& links, sim::LinkGraph& graph, const EntryConfig& rule,
                    const SourcingConfig& sourcing, const CapabilityConfig& capability, const Pyramid& pyramid,
                    const Conditions& now, const TierMembers& members, const Streams& streams, sim::Tick tick);

/// A new order for `supplier`: a free slot of the buyer now points at it, with
/// the volume taken from the buyer's imports, under a new contract. Returns the
/// volume placed (0 without a free slot or inputs to buy). The caller rebuilds
/// the reverse index.
double place_order(FirmTable& f, LinkTable& links, sim::LinkGraph& graph, const SourcingConfig& sourcing,
                   const Conditions& now, FirmIndex buyer, FirmIndex supplier, double volume, sim::Tick tick);

/// A buyer's first free link slot, or the end of its links.
sim::LinkIndex free_slot(const LinkTable& links, const sim::LinkGraph& graph, FirmIndex buyer);

/// Whether a newcomer could win one step of the buyer's imports: a free slot,
/// imports to take it from, and inputs to buy.
bool order_to_win(const FirmTable& f, const LinkTable& links, const sim::LinkGraph& graph, const SourcingConfig& sourcing,
                  FirmIndex buyer);

/// capability: learning, certification upkeep and decisions (with any subsidy).
void develop_capability(LeverContext& context, Levers& levers, const CapabilityConfig& rule,
                        const std::map<std::string, CertificationConfig>& certifications, sim::Tick tick);

/// mobility: moves up a tier (with an order from a buyer of the new tier in
/// hand), pilot orders for sponsored suppliers that certified, investment and
/// shrinking; rebuilds the tier members.
void move_up_and_invest(FirmTable& firms, LinkTable& links, sim::LinkGraph& graph, const InvestmentConfig& rule,
                        const SourcingConfig& sourcing, const Pyramid& pyramid, const Conditions& now,
                        const Streams& streams, TierMembers& members, sim::Tick tick);

/// What the bank sees of firm i asking for `principal` at `tick` (finance):
/// its books, and the credit bureau's file on it for the year.
CreditApplicant credit_applicant(const FirmTable& firms, const CreditConfig& credit, const Streams& streams,
                                 FirmIndex i, double principal, sim::Tick tick);

/// What a buyer checks about a supplier, packed in one word per firm (sourcing).
using SupplierCards = std::vector<std::uint64_t>;

/// What a buyer reads of a supplier when it weighs it (sourcing), in one
/// record so that a candidate or a linked supplier costs one memory access:
/// written every tick from the firm columns, which sourcing does not change.
/// Aligned so that no record straddles two cache lines.
struct alignas(32) SupplierOffer {
    std::uint64_t card = 0;      ///< as SupplierCards
    double base_cost = 0;        ///< price × defect and unreliability penalties (the delivered cost before freight and bias)
    double capacity = 0;         ///< units/month
    std::uint8_t cluster = 0;
    std::uint8_t domestic = 0;   ///< domestic-owned
    std::uint8_t room = 0;       ///< shows spare capacity for new business
    std::uint8_t late = 0;       ///< smoothed fill rate below the early-review threshold
};

/// The sourcing phase's working space (no state across ticks: the cards are
/// rewritten every tick; the rest is zero between ticks, reset where written).
struct SourcingScratch {
    SupplierCards cards;            ///< per firm
    std::vector<double> requested;  ///< per link: share of the buyer's inputs asked of the supplier
    std::vector<double> granted;    ///< per link: what the supplier could take of it
    std::vector<SupplierOffer> offers;   ///< per firm, rewritten every tick
    std::vector<std::uint8_t> reviewed;  ///< per firm: reviewed this tick, asked a supplier for more
    std::vector<std::uint8_t> asked;     ///< per firm: a buyer asked it for more this tick
    std::size_t memory_bytes() const noexcept {
        return cards.capacity() * sizeof(std::uint64_t) + (requested.capacity() + granted.capacity()) * sizeof(double) +
               offers.capacity() * sizeof(SupplierOffer) + reviewed.capacity() + asked.capacity();
    }
};

/// sourcing: repairs links to failed suppliers; at contract renewals and
/// review months, shares move toward their cost-logit targets (with
/// matchmaking and rules of origin), gains only within suppliers' spare capacity.
void source_inputs(FirmTable& firms, LinkTable& links, sim::LinkGraph& graph, SourcingScratch& scratch,
                   const SourcingConfig& rule, const Market& market, LeverContext& context, Levers& levers,
                   const TierMembers& members, sim::Tick tick);

/// At build: each buyer's link and import affinities are set so that its
/// current shares are its sourcing targets, and contracts end staggered.
void calibrate_sourcing(FirmTable& firms, LinkTable& links, const sim::LinkGraph& graph, const SourcingConfig& rule,
                        const Market& market);


/// accounts: each lever settles this tick's flows into its ledger.
void settle_accounts(LeverContext& context, Levers& levers, sim::Tick tick);

/// Operating firms now in each (sector, tier), ascending; listed in parallel,
/// in place (no allocation once the lists have held as many firms).
void list_tier_members(const FirmTable& firms, std::size_t sectors, TierMembers& members);

}  // namespace tiersim::models
