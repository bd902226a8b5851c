// receive_inputs: this month's slot of the inbound pipeline arrives.
#include "models/phases/phases.hpp"
#include "sim/parallel.hpp"

#include <algorithm>

namespace tiersim::models {

void receive_inputs(FirmTable& firms, const Pyramid& pyramid, sim::Tick tick) {
    sim::for_each_index(firms.size(), [&](std::size_t i) {
        firms.events[i] = 0;  // a new month: nothing has happened to the firm yet
        double& slot = firms.inbound[pyramid.inbound_slot(static_cast<FirmIndex>(i), tick)];
        firms.received[i] = slot;
        firms.input_stock[i] += slot;
        firms.on_order[i] = std::max(0.0, firms.on_order[i] - slot);
        slot = 0;
    });
}

}  // namespace tiersim::models
