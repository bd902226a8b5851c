#include "models/market.hpp"

namespace tiersim::models {

bool has_domestic_supplier(const LinkTable& links, const sim::LinkGraph& graph, FirmIndex i) noexcept {
    const auto [first, last] = graph.out_links(i);
    for (auto l = first; l < last; ++l)
        if (links.share[l] > 0) return true;
    return false;
}

}  // namespace tiersim::models
