#include "models/firms.hpp"

#include "sim/parallel.hpp"

#include <functional>

namespace tiersim::models {

namespace {

/// Slots of a field of `extent` for `firms` firms.
struct Extents {
    std::size_t firms, history_length, pipeline_length, payment_ring_length;
    std::size_t operator()(FieldExtent extent) const noexcept {
        switch (extent) {
        case FieldExtent::one: return firms;
        case FieldExtent::history: return firms * history_length;
        case FieldExtent::pipeline: return firms * pipeline_length;
        case FieldExtent::payment_ring: return firms * payment_ring_length;
        }
        return firms;
    }
};

}  // namespace

// Each field is assigned by a task of its own, the tasks in parallel: at a
// million firms most of a resize is the kernel handing out zeroed pages,
// which threads do side by side. Every slot gets its field's initial value.
// The memory is reserved first, on this thread, so that it comes from this
// thread's malloc arena (as when resize ran serially), not the workers': a
// table freed and built again then reuses it instead of growing the process.
#define TIERSIM_FIELD_RESERVE(name, type, initial, extent, units, panel, description) \
    name.reserve(slots(FieldExtent::extent));
#define TIERSIM_FIELD_ASSIGN(name, type, initial, extent, units, panel, description) \
    [&] { name.assign(slots(FieldExtent::extent), type{initial}); },

namespace {
template <std::size_t N>
void run_tasks(const std::function<void()> (&tasks)[N]) {
    sim::for_each_index(N, [&](std::size_t k) { tasks[k](); }, 1);
}
}  // namespace

void FirmTable::resize(std::size_t firms, std::size_t history_length, std::size_t pipeline_length,
                       std::size_t payment_ring_length) {
    const Extents slots{firms, history_length, pipeline_length, payment_ring_length};
    TIERSIM_FIRM_FIELDS(TIERSIM_FIELD_RESERVE)
    const std::function<void()> tasks[] = {TIERSIM_FIRM_FIELDS(TIERSIM_FIELD_ASSIGN)};
    run_tasks(tasks);
}

void LinkTable::resize(std::size_t links) {
    const Extents slots{links, 0, 0, 0};
    TIERSIM_LINK_FIELDS(TIERSIM_FIELD_RESERVE)
    const std::function<void()> tasks[] = {TIERSIM_LINK_FIELDS(TIERSIM_FIELD_ASSIGN)};
    run_tasks(tasks);
}

#undef TIERSIM_FIELD_ASSIGN
#undef TIERSIM_FIELD_RESERVE

std::size_t FirmTable::memory_bytes() const noexcept {
    std::size_t bytes = 0;
    visit_fields([&](const FieldInfo&, const auto& v) { bytes += v.capacity() * sizeof(v[0]); });
    return bytes;
}

std::size_t LinkTable::memory_bytes() const noexcept {
    std::size_t bytes = 0;
    visit_fields([&](const FieldInfo&, const auto& v) { bytes += v.capacity() * sizeof(v[0]); });
    return bytes;
}

}  // namespace tiersim::models
