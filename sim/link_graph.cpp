#include "sim/link_graph.hpp"

#include "sim/parallel.hpp"

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

void LinkGraph::update_reverse_index() {
    if (pending_.empty()) return;
    // The moves in link order; a link retargeted more than once since the
    // last update is listed under the `from` of one of its moves: that one.
    moves_.assign(pending_.begin(), pending_.end());
    pending_.clear();
    // (Moves equal in link and from are identical: the unstable parallel sort gives one order.)
    sort_in_parallel(moves_.begin(), moves_.end(),
                     [](const Move& a, const Move& b) { return a.link != b.link ? a.link < b.link : a.from < b.from; });
    const auto listed_under = [&](LinkIndex link, std::uint32_t node) {
        const auto in = in_links(node);
        return std::binary_search(in.begin(), in.end(), link);
    };
    changes_.clear();
    for (std::size_t k = 0; k < moves_.size();) {
        const LinkIndex link = moves_[k].link;
        std::size_t end = k + 1;
        while (end < moves_.size() && moves_[end].link == link) ++end;
        std::uint32_t from = moves_[k].from;
        if (end - k > 1) {
            std::size_t found = k;
            while (found < end && !listed_under(link, moves_[found].from)) ++found;
            if (found == end) throw std::logic_error("LinkGraph: a moved link is in no list its moves name");
            from = moves_[found].from;
        }
        if (const std::uint32_t to = targets_[link]; to != from) {
            changes_.push_back({from, link, true});
            changes_.push_back({to, link, false});
        }
        k = end;
    }
    if (changes_.empty()) return;
    // (A link leaves one node and joins another: no two changes share node and link.)
    sort_in_parallel(changes_.begin(), changes_.end(),
                     [](const Change& a, const Change& b) { return a.node != b.node ? a.node < b.node : a.link < b.link; });

    // Each touched node's new list, in lists_.
    lists_.clear();
    std::vector<Touched>& touched = touched_;
    touched.clear();
    for (std::size_t k = 0; k < changes_.size();) {
        const std::uint32_t node = changes_[k].node;
        std::size_t end = k + 1;
        while (end < changes_.size() && changes_[end].node == node) ++end;
        const LinkIndex old_begin = in_offsets_[node], old_end = in_offsets_[node + 1];
        const auto start = static_cast<LinkIndex>(lists_.size());
        // Merge the old list, less the links that leave, with those that join (both ascending).
        LinkIndex i = old_begin;
        for (std::size_t c = k; c < end; ++c) {
            const LinkIndex link = changes_[c].link;
            while (i < old_end && in_links_[i] < link) lists_.push_back(in_links_[i++]);
            if (changes_[c].remove) {
                if (i == old_end || in_links_[i] != link)
                    throw std::logic_error("LinkGraph: a moved link is not in its old target's list");
                ++i;
            } else {
                lists_.push_back(link);
            }
        }
        while (i < old_end) lists_.push_back(in_links_[i++]);
        touched.push_back({node, old_begin, old_end, start, static_cast<LinkIndex>(lists_.size()) - start, 0});
        k = end;
    }

    // The untouched lists between touched nodes keep their order and shift by
    // the net change of the touched nodes before them. The new index is
    // written to a second buffer in parallel, piece k being touched node k's
    // new list and the untouched lists after it (piece 0 also the lists
    // before the first touched node); then the buffers swap. Each piece also
    // moves the offsets of the nodes it covers. Positions depend on the moves
    // only: the same index for any thread count.
    const std::size_t count = touched.size();
    std::int64_t net = 0;
    for (Touched& t : touched) {
        net += static_cast<std::int64_t>(t.new_size) - static_cast<std::int64_t>(t.old_end - t.old_begin);
        t.shift = net;
    }
    spare_.resize(in_links_.size());
    const std::size_t nodes = node_count();
    for_each_index(count, [&](std::size_t b) {
        const Touched& t = touched[b];
        const std::int64_t before = b > 0 ? touched[b - 1].shift : 0;
        if (b == 0) std::copy_n(in_links_.begin(), t.old_begin, spare_.begin());
        std::copy_n(lists_.begin() + t.new_begin, t.new_size,
                    spare_.begin() + (static_cast<std::int64_t>(t.old_begin) + before));
        const LinkIndex end = b + 1 < count ? touched[b + 1].old_begin : static_cast<LinkIndex>(in_links_.size());
        std::copy(in_links_.begin() + t.old_end, in_links_.begin() + end,
                  spare_.begin() + (static_cast<std::int64_t>(t.old_end) + t.shift));
        // A node after this one, up to the next touched one, starts `shift` later.
        const std::size_t stop = b + 1 < count ? touched[b + 1].node : nodes;
        if (t.shift != 0)
            for (std::size_t n = t.node + std::size_t{1}; n <= stop; ++n)
                in_offsets_[n] = static_cast<LinkIndex>(static_cast<std::int64_t>(in_offsets_[n]) + t.shift);
    }, 64);
    in_links_.swap(spare_);
}

void LinkGraph::rebuild_reverse_index() {
    pending_.clear();
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
    return sizeof(LinkIndex) * (out_offsets_.capacity() + in_offsets_.capacity() + in_links_.capacity() +
                                spare_.capacity() + lists_.capacity()) +
           sizeof(std::uint32_t) * (sources_.capacity() + targets_.capacity()) +
           sizeof(Move) * (pending_.capacity() + moves_.capacity()) + sizeof(Change) * changes_.capacity() +
           sizeof(Touched) * touched_.capacity();
}

}  // namespace tiersim::sim
