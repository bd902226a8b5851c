// Prices, wages, trade and payment terms: the `economy` block of a scenario.
//
// Values default to the Mexico figures of ../shared/CALIBRATION.md where a
// source gives one (cited beside each default) and are marked as assumptions
// otherwise; docs/model.md lists them.
#pragma once

#include "sim/config.hpp"

#include <array>
#include <cstdint>
#include <string_view>

namespace tiersim::models {

/// Mexican manufacturing size classes by employees (APEC17 exec. summary).
enum class SizeClass : std::uint8_t { micro = 0, small = 1, medium = 2, large = 3 };
inline constexpr std::size_t size_class_count = 4;
inline constexpr std::array<std::string_view, size_class_count> size_class_labels{"micro", "small", "medium",
                                                                                 "large"};
/// micro ≤ 10 employees, small 11–50, medium 51–250, large > 250.
SizeClass size_class_of(double employees) noexcept;

/// The one of four per-size-class values that applies to `size`.
template <class T>
constexpr const T& by_size_class(SizeClass size, const T& micro, const T& small, const T& medium, const T& large) noexcept {
    switch (size) {
        case SizeClass::micro: return micro;
        case SizeClass::small: return small;
        case SizeClass::medium: return medium;
        case SizeClass::large: return large;
    }
    return large;
}

/// Position in the supply pyramid; OEMs sell to final demand, each tier
/// buys from the one below it, Tier 3 from the rest of the world.
enum class Tier : std::uint8_t { oem = 0, t1 = 1, t2 = 2, t3 = 3 };
inline constexpr std::size_t tier_count = 4;
inline constexpr std::array<std::string_view, tier_count> tier_labels{"OEM", "T1", "T2", "T3"};

enum class Ownership : std::uint8_t { domestic = 0, foreign = 1 };
inline constexpr std::array<std::string_view, 2> ownership_labels{"domestic", "foreign"};

/// Months a buyer of each size class takes to pay its suppliers.
struct PaymentTermsConfig {
    int micro = 1;   // assumption: small buyers pay within a month
    int small = 1;
    int medium = 2;
    int large = 3;   // APEC17 §3.2.2: large buyers pay 30–90 days after delivery
    int operator[](SizeClass size) const noexcept { return by_size_class(size, micro, small, medium, large); }
    int longest() const noexcept;
};

struct EconomyConfig {
    double exchange_rate_mxn_per_usd = 18.0;  // assumption: about the 2016–2018 average
    double wage_mxn_per_worker_month = 9000;  // assumption: manufacturing wage plus social charges
    double markup = 0.15;                     // assumption: price over unit cost
    /// How the markup answers to expected utilisation against the tier's normal
    /// (1 / capacity_headroom): markup × (1 + this × (u / u_normal - 1)), so a
    /// bottleneck earns what it needs to grow and a slack firm cuts its price (assumption).
    double markup_utilisation_response = 1.0;
    double mfn_tariff = 0.071;                // APEC17: MFN average tariff 7.1% (2015)
    double import_transport_share = 0.05;     // assumption: freight and insurance, share of the world price
    double initial_cash_months = 2;           // assumption: working capital at the start
    PaymentTermsConfig payment_terms_months;
};

}  // namespace tiersim::models

namespace tiersim::sim::config {

template <>
struct EnumNames<tiersim::models::Tier> {
    static constexpr std::array<std::pair<tiersim::models::Tier, std::string_view>, 4> values{{
        {tiersim::models::Tier::oem, "oem"},
        {tiersim::models::Tier::t1, "t1"},
        {tiersim::models::Tier::t2, "t2"},
        {tiersim::models::Tier::t3, "t3"},
    }};
};

template <>
struct EnumNames<tiersim::models::SizeClass> {
    static constexpr std::array<std::pair<tiersim::models::SizeClass, std::string_view>, 4> values{{
        {tiersim::models::SizeClass::micro, "micro"},
        {tiersim::models::SizeClass::small, "small"},
        {tiersim::models::SizeClass::medium, "medium"},
        {tiersim::models::SizeClass::large, "large"},
    }};
};


template <>
struct Describe<tiersim::models::PaymentTermsConfig> {
    static void fields(Fields<tiersim::models::PaymentTermsConfig>& f) {
        using P = tiersim::models::PaymentTermsConfig;
        f.add("micro", &P::micro).unit("months").range(0, 6).doc("Months a micro buyer takes to pay");
        f.add("small", &P::small).unit("months").range(0, 6).doc("Months a small buyer takes to pay");
        f.add("medium", &P::medium).unit("months").range(0, 6).doc("Months a medium buyer takes to pay");
        f.add("large", &P::large).unit("months").range(0, 6)
            .doc("Months a large buyer takes to pay (APEC17 §3.2.2: 30–90 days)");
    }
};

template <>
struct Describe<tiersim::models::EconomyConfig> {
    static void fields(Fields<tiersim::models::EconomyConfig>& f) {
        using E = tiersim::models::EconomyConfig;
        f.add("exchange_rate_mxn_per_usd", &E::exchange_rate_mxn_per_usd).unit("MXN/USD").range(0.1, 1000)
            .doc("Pesos per dollar: converts world prices to landed peso prices");
        f.add("wage_mxn_per_worker_month", &E::wage_mxn_per_worker_month).unit("MXN/worker/month").range(0, 1e7)
            .doc("Monthly labour cost of one worker");
        f.add("markup", &E::markup).unit("1").range(0, 5).doc("Price over unit cost, minus one, at the tier's normal utilisation");
        f.add("markup_utilisation_response", &E::markup_utilisation_response).unit("1").range(0, 100)
            .doc("Markup × (1 + this × (expected utilisation / normal - 1)), between 0 and 3 × markup; normal is 1 / capacity_headroom");
        f.add("mfn_tariff", &E::mfn_tariff).unit("1").range(0, 5)
            .doc("Most-favoured-nation tariff on imported inputs (APEC17: 7.1% average, 2015)");
        f.add("import_transport_share", &E::import_transport_share).unit("1").range(0, 5)
            .doc("Freight and insurance of imports, as a share of the world price");
        f.add("initial_cash_months", &E::initial_cash_months).unit("months").range(0, 120)
            .doc("Cash each firm holds at tick 0, in months of its expected costs");
        f.add("payment_terms_months", &E::payment_terms_months)
            .doc("Months buyers take to pay suppliers, by the buyer's size class");
    }
};

}  // namespace tiersim::sim::config
