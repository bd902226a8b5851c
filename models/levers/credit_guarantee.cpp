#include "models/levers/credit_guarantee.hpp"

#include "models/firms.hpp"
#include "models/state.hpp"
#include "sim/parallel.hpp"

#include <algorithm>
#include <cmath>

namespace tiersim::models {

void CreditGuarantee::begin_tick(LeverContext& context, sim::Tick tick) {
    ledger_.spent_this_tick = 0;
    if (!config_) return;
    FirmTable& f = context.firms;
    sim::for_each_index(f.size(), [&](std::size_t i) { f.guarantee_fee[i] = f.guarantee_payout[i] = 0; });
    cover_asked_.assign(f.size(), 0.0);
    bank_of_.assign(f.size(), -1);
    covered_outcome_.assign(f.size(), 0);
    costs_ = {};
    // Loans keep their cut after the program ends, so the cut is paid while they are outstanding.
    costs_.rate_subsidy = rate_cut_this_month(f);
    if (!in_force(tick)) return;
    outstanding_ = sim::deterministic_reduce(
        f.size(), 0.0,
        [&](std::size_t begin, std::size_t end) {
            double sum = 0;
            for (std::size_t i = begin; i < end; ++i) sum += f.guaranteed_cover[i];
            return sum;
        },
        [](double& into, double part) { into += part; });
    hold_auction(context, tick);
}

double CreditGuarantee::rate_cut_this_month(const FirmTable& f) const {
    // First come, the program pays lenders the cut it promises (assumption: an interest subsidy);
    // in an auction the banks bid the cut to win the cover, so it costs the treasury nothing.
    if (config_->allocation == GuaranteeAllocation::auction) return 0.0;
    // The interest finance will charge this tick is on the guaranteed principal as it stands now.
    return sim::deterministic_reduce(
        f.size(), 0.0,
        [&](std::size_t begin, std::size_t end) {
            double sum = 0;
            for (std::size_t i = begin; i < end; ++i)
                if (f.alive[i]) sum += f.guaranteed_loans[i] * f.guarantee_rate_discount[i] / 12.0;
            return sum;
        },
        [](double& into, double part) { into += part; });
}

void CreditGuarantee::hold_auction(LeverContext& context, sim::Tick tick) {
    const Config& program = *config_;
    if (program.allocation != GuaranteeAllocation::auction) return;
    if ((policy_tick(tick) - static_cast<sim::Tick>(program.start_tick)) % static_cast<sim::Tick>(program.auction_period_months) != 0)
        return;
    // Each bank bids a volume of guaranteed lending and the rate cut it will
    // pass on; the fund takes the deepest cuts first until its room is used.
    const double room = std::max(0.0, ledger_.budget_left * program.leverage - outstanding_);
    // A bank's bid follows from its costs and the loss it sheds: the cover takes
    // `coverage` of the expected loss off the bank, which competition passes on
    // as a rate cut, less what lending under the program costs that bank.
    std::vector<BankBid> bids(static_cast<std::size_t>(program.banks));
    for (std::size_t k = 0; k < bids.size(); ++k) {
        auto rng = context.streams(k, tick, Purpose::guarantee_auction);
        const double cost = program.bank_cost_annual * (0.5 + rng.uniform());  // banks differ (assumption: ±50%)
        bids[k].rate_discount_annual = std::max(0.0, program.coverage * msme_loss_annual_ - cost);
        bids[k].volume_left = room * (0.2 + 0.6 * rng.uniform());  // assumption: bids oversubscribe the room
    }
    std::ranges::stable_sort(bids, [](const BankBid& a, const BankBid& b) { return a.rate_discount_annual > b.rate_discount_annual; });
    double left = room;
    for (BankBid& bid : bids) left -= bid.volume_left = std::min(bid.volume_left, left);
    bank_bids_ = std::move(bids);
}

double CreditGuarantee::rate_discount_offered(const LeverContext& context, FirmIndex i, sim::Tick tick) const noexcept {
    if (!config_ || !in_force(tick) || !reaches(context, i, tick)) return 0;
    if (config_->allocation == GuaranteeAllocation::first_come) return config_->rate_discount_annual;
    double best = 0;
    for (const BankBid& bid : bank_bids_)
        if (bid.volume_left > 0) best = std::max(best, bid.rate_discount_annual);
    return best;
}

void CreditGuarantee::consider_loan(LeverContext& context, FirmIndex i, CreditApplicant applicant, Denial, sim::Tick tick) {
    if (!in_force(tick) || !reaches(context, i, tick)) return;
    // Scored again with the cover counted as collateral, on the same stream:
    // a guarantee changes the collateral, not the income documents.
    applicant.collateral_cover = config_->coverage;
    auto rng = context.streams(context.firms.id[i], tick, Purpose::credit_score);
    const Denial with_cover = score_application(context.now.credit, applicant, rng);
    covered_outcome_[i] = static_cast<std::uint8_t>(1 + static_cast<int>(with_cover));
    if (with_cover != Denial::none) return;
    // Approved with the guarantee: ask the fund for cover of this much principal.
    cover_asked_[i] = config_->coverage * applicant.principal;
    if (config_->allocation == GuaranteeAllocation::auction && config_->banks > 0)
        bank_of_[i] = static_cast<std::int8_t>(context.streams(context.firms.id[i], tick, Purpose::guarantee_bank)
                                                   .below(static_cast<std::uint64_t>(config_->banks)));
}

void CreditGuarantee::share_out_loans(LeverContext& context, sim::Tick tick) {
    if (!in_force(tick)) return;
    const std::size_t n = context.firms.size();
    if (config_->allocation == GuaranteeAllocation::first_come) {
        double room = std::max(0.0, ledger_.budget_left * config_->leverage - outstanding_);
        allocate_in_queue(context, tick, cover_asked_, room);
        return;
    }
    // Each application went to one bank; it is covered while that bank's winning volume lasts.
    for (std::size_t k = 0; k < bank_bids_.size(); ++k) {
        std::vector<double> mine(n, 0.0);
        for (FirmIndex i = 0; i < n; ++i)
            if (bank_of_[i] == static_cast<std::int8_t>(k)) mine[i] = cover_asked_[i];
        allocate_in_queue(context, tick, mine, bank_bids_[k].volume_left);
        for (FirmIndex i = 0; i < n; ++i)
            if (bank_of_[i] == static_cast<std::int8_t>(k)) cover_asked_[i] = mine[i];
    }
    for (FirmIndex i = 0; i < n; ++i)
        if (bank_of_[i] < 0 || static_cast<std::size_t>(bank_of_[i]) >= bank_bids_.size()) cover_asked_[i] = 0;
}

void CreditGuarantee::book_loan(LeverContext& context, FirmIndex i, double principal) {
    if (!backs_loan(i)) return;
    FirmTable& f = context.firms;
    const double cover = cover_asked_[i];
    const double discount = rate_discount_of(i);
    // The firm's guaranteed loans carry the average cut, weighted by principal.
    const double before = f.guaranteed_loans[i];
    f.guarantee_rate_discount[i] = (f.guarantee_rate_discount[i] * before + discount * principal) / (before + principal);
    f.guaranteed_loans[i] += principal;
    f.guaranteed_cover[i] += cover;
    f.guarantee_fee[i] = config_->fee * cover;
    f.cash[i] -= f.guarantee_fee[i];
    f.benefits[i] |= bit();
    f.registered[i] |= bit();  // enrolled while cover is outstanding
}

double CreditGuarantee::rate_discount_of(FirmIndex i) const noexcept {
    if (config_->allocation == GuaranteeAllocation::auction && bank_of_[i] >= 0 &&
        static_cast<std::size_t>(bank_of_[i]) < bank_bids_.size())
        return bank_bids_[static_cast<std::size_t>(bank_of_[i])].rate_discount_annual;
    return config_->rate_discount_annual;
}

LoanCover CreditGuarantee::loan_cover(FirmIndex i) const noexcept {
    if (!config_ || i >= covered_outcome_.size()) return {};
    LoanCover record{.outcome = covered_outcome_[i], .cover = cover_asked_[i]};
    if (record.cover > 0) {
        record.rate_discount_annual = rate_discount_of(i);
        record.bank = bank_of_[i];
    }
    return record;
}

void CreditGuarantee::on_default(LeverContext& context, FirmIndex i) {
    // The fund pays the bank the guaranteed part of what it loses.
    FirmTable& f = context.firms;
    f.guarantee_payout[i] += f.guaranteed_cover[i];
    if (f.guaranteed_cover[i] > 0) f.benefits[i] |= bit();
    f.guaranteed_loans[i] = 0;
    f.guaranteed_cover[i] = 0;
    f.registered[i] &= static_cast<std::uint8_t>(~bit());
}

void CreditGuarantee::settle(LeverContext& context, sim::Tick tick) {
    if (!config_) return;
    // The fund keeps its fees and pays the guaranteed part of defaults, as far as its capital goes.
    FirmTable& f = context.firms;
    struct Flows {
        double payouts = 0, fees = 0, cover = 0;
    };
    const Flows flows = sim::deterministic_reduce(
        f.size(), Flows{},
        [&](std::size_t begin, std::size_t end) {
            Flows part;
            for (std::size_t i = begin; i < end; ++i) {
                part.payouts += f.guarantee_payout[i];
                part.fees += f.guarantee_fee[i];
                part.cover += f.guaranteed_cover[i];
            }
            return part;
        },
        [](Flows& into, const Flows& part) {
            into.payouts += part.payouts;
            into.fees += part.fees;
            into.cover += part.cover;
        });
    pay_claims(f, flows.payouts, flows.fees);
    observe_losses(f);
    const Config& program = *config_;
    costs_.administration = program.administration_cost_annual / 12.0 * flows.cover;
    // The capital tied up: all of it while the program runs; afterwards what still backs the cover
    // outstanding (the rest goes back to the treasury). Unlimited: what the cover needs at `leverage`.
    const double backing = program.leverage > 0 ? flows.cover / program.leverage : 0.0;
    const double capital = std::isinf(ledger_.budget_left) ? backing
                           : in_force(tick)                ? ledger_.budget_left
                                                           : std::min(ledger_.budget_left, backing);
    costs_.capital_cost = program.capital_cost_annual / 12.0 * capital;
}

void CreditGuarantee::observe_losses(const FirmTable& f) {
    // What banks lose on MSME loans, as a yearly rate smoothed over about a year:
    // the loss the auction's bidders expect the cover to take off them.
    struct Book {
        double written_off = 0, lent = 0;
    };
    const Book book = sim::deterministic_reduce(
        f.size(), Book{},
        [&](std::size_t begin, std::size_t end) {
            Book part;
            for (std::size_t i = begin; i < end; ++i) {
                if (f.size_class[i] == SizeClass::large) continue;
                part.written_off += f.defaulted_debt[i];
                part.lent += f.debt[i] + f.defaulted_debt[i];
            }
            return part;
        },
        [](Book& into, const Book& part) {
            into.written_off += part.written_off;
            into.lent += part.lent;
        });
    if (book.lent <= 0) return;
    constexpr double weight = 1.0 / 12.0;
    msme_loss_annual_ += weight * (12.0 * book.written_off / book.lent - msme_loss_annual_);
}

void CreditGuarantee::pay_claims(FirmTable& f, double claims, double fees) {
    // Claims are paid from the capital and this tick's fees; when they exceed both, every claim
    // gets the same share and the rest is recorded unpaid: the capital never goes negative.
    const double available = std::max(0.0, ledger_.budget_left) + fees;
    const double paid = std::min(claims, available);
    const double share = claims > 0 ? paid / claims : 1.0;
    sim::for_each_index(f.size(), [&](std::size_t i) {
        f.guarantee_claim_unpaid[i] = f.guarantee_payout[i] * (1.0 - share);
        f.guarantee_payout[i] *= share;
    });
    costs_.claims_unpaid = claims - paid;
    ledger_.budget_left = std::max(0.0, ledger_.budget_left + (fees - paid));
    ledger_.spent_this_tick = paid;
}

void CreditGuarantee::save_state(sim::StateWriter& out) const {
    ProgramLever::save_state(out);
    // The cover outstanding is read by the accounts while the program is out
    // of force, and the last auction's bids serve until the next auction.
    out.put_value("outstanding", outstanding_, "MXN of cover outstanding at the start of the last tick");
    out.put_value("msme_loss_annual", msme_loss_annual_, "Banks' smoothed yearly loss rate on MSME debt (auction bids)");
    std::vector<double> rates, volumes;
    for (const BankBid& bid : bank_bids_) rates.push_back(bid.rate_discount_annual), volumes.push_back(bid.volume_left);
    out.put("bid_rate_discount_annual", rates, "Last auction's winning rate cut, by bank (1/year)");
    out.put("bid_volume_left", volumes, "Room left of each bank's winning volume (MXN)");
}

void CreditGuarantee::restore_state(const sim::StateReader& in) {
    ProgramLever::restore_state(in);
    outstanding_ = in.get_value<double>("outstanding");
    msme_loss_annual_ = in.get_value<double>("msme_loss_annual");
    const auto rates = in.get<double>("bid_rate_discount_annual");
    const auto volumes = in.get<double>("bid_volume_left");
    bank_bids_.clear();
    for (std::size_t k = 0; k < rates.size() && k < volumes.size(); ++k) bank_bids_.push_back({rates[k], volumes[k]});
}

AccountFlows CreditGuarantee::account(const FirmTable& f, FirmIndex i) const noexcept {
    return {.outlays = f.guarantee_payout[i], .fees = f.guarantee_fee[i], .payouts = f.guarantee_payout[i],
            .participant = f.guaranteed_cover[i] > 0};
}

}  // namespace tiersim::models

namespace tiersim::sim::config {

using tiersim::models::CreditGuaranteeConfig;

void Describe<CreditGuaranteeConfig>::fields(Fields<CreditGuaranteeConfig>& f) {
    using G = CreditGuaranteeConfig;
    add_program_terms(f);
    f.add("budget_mxn", &G::budget_mxn).unit("MXN").range(0, 1e15)
        .doc("Capital of the guarantee fund: pays the guaranteed share of defaults; null: unlimited");
    f.add("coverage", &G::coverage).unit("1").range(0, 1)
        .doc("Share of a loan's principal the fund guarantees; the bank counts it as collateral (APEC17 §4.3.1.2)");
    f.add("fee", &G::fee).unit("1").range(0, 1).doc("Fee on the guaranteed amount, paid by the borrower at origination");
    f.add("leverage", &G::leverage).unit("1").range(0, 1000)
        .doc("Most cover outstanding per peso of capital left in the fund: new cover is granted only while "
             "cover outstanding + cover asked <= leverage x capital left");
    f.add("rate_discount_annual", &G::rate_discount_annual).unit("1/year").range(0, 1)
        .doc("Rate cut on guaranteed loans under first-come allocation (auctions set it by the winning bids, from banks' "
             "expected losses and costs)");
    f.add("allocation", &G::allocation)
        .doc("first_come: loans are guaranteed as they come while room lasts; auction: banks bid volume and rate, "
             "the lowest rates win the room (APEC17 §4.3.1.2)");
    f.add("bank_cost_annual", &G::bank_cost_annual).unit("1/year").range(0, 1)
        .doc("Yearly cost to a bank of lending under the program, per peso lent (banks differ by +-50%); an auction "
             "bid's rate cut is coverage x the MSME loss rate banks have seen, less this cost");
    f.add("banks", &G::banks).unit("banks").range(1, 100).doc("Banks bidding in the auction");
    f.add("auction_period_months", &G::auction_period_months).unit("months").range(1, 120)
        .doc("Months between auctions");
    f.add("administration_cost_annual", &G::administration_cost_annual).unit("1/year").range(0, 1)
        .doc("Yearly cost of running the fund per peso of cover outstanding (assumption: 1%)");
    f.add("capital_cost_annual", &G::capital_cost_annual).unit("1/year").range(0, 1)
        .doc("Yearly opportunity cost of a peso of the fund's capital (SHCP social discount rate: 10%)");
}

}  // namespace tiersim::sim::config
