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
    std::fill(in_offsets_.begin(), in_offsets_.end(), 0);
    for (std::uint32_t target : targets_) ++in_offsets_[target + 1];
    for (std::size_t i = 0; i + 1 < in_offsets_.size(); ++i) in_offsets_[i + 1] += in_offsets_[i];
    // Filling in link order makes every in-list ascending.
    in_links_.resize(targets_.size());
    std::vector<LinkIndex> next_in(in_offsets_.begin(), in_offsets_.end() - 1);
    for (LinkIndex link = 0; link < targets_.size(); ++link) in_links_[next_in[targets_[link]]++] = link;
}

std::size_t LinkGraph::memory_bytes() const noexcept {
    return sizeof(LinkIndex) * (out_offsets_.capacity() + in_offsets_.capacity() + in_links_.capacity()) +
           sizeof(std::uint32_t) * (sources_.capacity() + targets_.capacity());
}

}  // namespace tiersim::sim
