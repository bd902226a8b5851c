#include "sim/link_graph.hpp"

#include "sim/parallel.hpp"

#include <oneapi/tbb/task_arena.h>

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace tiersim::sim {

namespace {

/// A counting sort of items [0, items) by node, in parallel: offsets (size
/// nodes + 1) gets where each node's items start, and place(item, position)
/// is called with the positions of each node's items in item order. The
/// nodes are cut into parts; the task of a part scans every item and counts,
/// then places, those of its nodes. The result does not depend on the number
/// of parts (one per thread), only the work each thread does.
template <class NodeOf, class Place>
void sort_by_node(std::size_t items, std::size_t nodes, std::vector<LinkIndex>& offsets, NodeOf&& node_of,
                  Place&& place) {
    offsets.assign(nodes + 1, 0);
    const std::size_t threads = std::min<std::size_t>(
        static_cast<std::size_t>(oneapi::tbb::this_task_arena::max_concurrency()),
        oneapi::tbb::global_control::active_value(oneapi::tbb::global_control::max_allowed_parallelism));
    const std::size_t parts = std::clamp<std::size_t>(threads, 1, std::max<std::size_t>(1, nodes));
    const auto first_of = [&](std::size_t p) { return nodes * p / parts; };
    std::vector<LinkIndex> base(parts + 1, 0);
    // Each part counts its nodes' items and sums them up within the part.
    for_each_index(parts, [&](std::size_t p) {
        const std::size_t lo = first_of(p), hi = first_of(p + 1);
        for (std::size_t i = 0; i < items; ++i)
            if (const std::size_t n = node_of(i); n >= lo && n < hi) ++offsets[n + 1];
        for (std::size_t n = lo + 1; n < hi; ++n) offsets[n + 1] += offsets[n];
        base[p + 1] = hi > lo ? offsets[hi] : 0;
    }, 1);
    for (std::size_t p = 0; p < parts; ++p) base[p + 1] += base[p];
    // Each part shifts its offsets by the parts before it and places its items.
    for_each_index(parts, [&](std::size_t p) {
        const std::size_t lo = first_of(p), hi = first_of(p + 1);
        if (hi == lo) return;
        std::vector<LinkIndex> next(hi - lo);
        next[0] = base[p];
        for (std::size_t n = lo + 1; n <= hi; ++n) offsets[n] += base[p];
        for (std::size_t n = lo + 1; n < hi; ++n) next[n - lo] = offsets[n];
        for (std::size_t i = 0; i < items; ++i)
            if (const std::size_t n = node_of(i); n >= lo && n < hi) place(i, next[n - lo]++);
    }, 1);
}

}  // namespace

LinkGraph::LinkGraph(std::size_t node_count, std::span<const Edge> edges) : in_offsets_(node_count + 1, 0) {
    if (edges.size() >= std::numeric_limits<LinkIndex>::max())
        throw std::length_error("LinkGraph: too many links for 32-bit link indices");
    if (count_in_parallel(edges.size(), [&](std::size_t i) {
            return edges[i].source >= node_count || edges[i].target >= node_count;
        }) != 0)
        throw std::out_of_range("LinkGraph: edge refers to a node that does not exist");
    // Counting sort by source keeps each source's edges in input order.
    sources_.resize(edges.size());
    targets_.resize(edges.size());
    sort_by_node(edges.size(), node_count, out_offsets_, [&](std::size_t i) { return edges[i].source; },
                 [&](std::size_t i, LinkIndex link) {
                     sources_[link] = edges[i].source;
                     targets_[link] = edges[i].target;
                 });
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
    if (out_offsets_.empty()) return;  // a graph of no nodes
    // Filling in link order makes every in-list ascending.
    in_links_.resize(targets_.size());
    sort_by_node(targets_.size(), node_count(), in_offsets_, [&](std::size_t link) { return targets_[link]; },
                 [&](std::size_t link, LinkIndex position) { in_links_[position] = static_cast<LinkIndex>(link); });
}

std::size_t LinkGraph::memory_bytes() const noexcept {
    return sizeof(LinkIndex) * (out_offsets_.capacity() + in_offsets_.capacity() + in_links_.capacity() +
                                spare_.capacity() + lists_.capacity()) +
           sizeof(std::uint32_t) * (sources_.capacity() + targets_.capacity()) +
           sizeof(Move) * (pending_.capacity() + moves_.capacity()) + sizeof(Change) * changes_.capacity() +
           sizeof(Touched) * touched_.capacity();
}

}  // namespace tiersim::sim
