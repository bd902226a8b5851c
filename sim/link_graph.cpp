#include "sim/link_graph.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace tiersim::sim {

LinkGraph::LinkGraph(std::size_t node_count, std::span<const Edge> edges)
    : out_offsets_(node_count + 1, 0), in_offsets_(node_count + 1, 0) {
    if (edges.size() >= std::numeric_limits<LinkIndex>::max())
        throw std::length_error("LinkGraph: too many links for 32-bit link indices");
    for (const Edge& e : edges) {
        if (e.source >= node_count || e.target >= node_count)
            throw std::out_of_range("LinkGraph: edge refers to a node that does not exist");
        ++out_offsets_[e.source + 1];
    }
    for (std::size_t i = 0; i < node_count; ++i) {
        out_offsets_[i + 1] += out_offsets_[i];
    }
    // Counting sort by source keeps each source's edges in input order.
    sources_.resize(edges.size());
    targets_.resize(edges.size());
    std::vector<LinkIndex> next(out_offsets_.begin(), out_offsets_.end() - 1);
    for (const Edge& e : edges) {
        const LinkIndex link = next[e.source]++;
        sources_[link] = e.source;
        targets_[link] = e.target;
    }
    rebuild_reverse_index();
}

void LinkGraph::rebuild_reverse_index() {
    // Runs on one thread whenever links move: no allocation, three streams.
    // in_offsets_[t + 2] counts t's links (the last node's count is not
    // needed), so that after the prefix sums in_offsets_[t + 1] is where t's
    // list starts. It serves as t's fill cursor, and after the fill holds
    // where t's list ends: the offset of t + 1, in place.
    std::fill(in_offsets_.begin(), in_offsets_.end(), 0);
    const std::size_t size = in_offsets_.size();
    for (std::uint32_t target : targets_)
        if (target + std::size_t{2} < size) ++in_offsets_[target + 2];
    for (std::size_t i = 1; i + 1 < size; ++i) in_offsets_[i + 1] += in_offsets_[i];
    // Filling in link order makes every in-list ascending.
    in_links_.resize(targets_.size());
    for (LinkIndex link = 0; link < targets_.size(); ++link) in_links_[in_offsets_[targets_[link] + 1]++] = link;
}

std::size_t LinkGraph::memory_bytes() const noexcept {
    return sizeof(LinkIndex) * (out_offsets_.capacity() + in_offsets_.capacity() + in_links_.capacity()) +
           sizeof(std::uint32_t) * (sources_.capacity() + targets_.capacity());
}

}  // namespace tiersim::sim
