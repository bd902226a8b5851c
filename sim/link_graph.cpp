#include "sim/link_graph.hpp"

#include <algorithm>
#include <cstring>
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
    std::sort(moves_.begin(), moves_.end(),
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
    std::sort(changes_.begin(), changes_.end(),
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
    // the net change of the touched nodes before them; blocks moving left are
    // moved left to right, those moving right right to left, so none
    // overwrites one not yet moved (the new ranges keep the old order).
    // Block b lies after touched node b: old range [old_end_b, old_begin_{b+1}).
    const std::size_t count = touched.size();
    std::int64_t net = 0;
    for (Touched& t : touched) {
        net += static_cast<std::int64_t>(t.new_size) - static_cast<std::int64_t>(t.old_end - t.old_begin);
        t.shift = net;
    }
    const auto shift = [&](std::size_t b) { return touched[b].shift; };
    const auto move_block = [&](std::size_t b) {
        const LinkIndex begin = touched[b].old_end;
        const LinkIndex end = b + 1 < count ? touched[b + 1].old_begin : static_cast<LinkIndex>(in_links_.size());
        if (shift(b) == 0 || begin == end) return;
        std::memmove(in_links_.data() + (static_cast<std::int64_t>(begin) + shift(b)), in_links_.data() + begin,
                     sizeof(LinkIndex) * (end - begin));
    };
    for (std::size_t b = 0; b < count; ++b)
        if (shift(b) < 0) move_block(b);
    for (std::size_t b = count; b-- > 0;)
        if (shift(b) > 0) move_block(b);
    // The touched nodes' lists at their new places, and the offsets of every
    // node after the first touched one: a node starts `shift` of the block it
    // follows later than it did.
    std::int64_t before = 0;
    for (std::size_t b = 0; b < count; ++b) {
        const auto at = static_cast<std::int64_t>(touched[b].old_begin) + before;
        std::copy_n(lists_.begin() + touched[b].new_begin, touched[b].new_size, in_links_.begin() + at);
        const std::uint32_t stop = b + 1 < count ? touched[b + 1].node : static_cast<std::uint32_t>(node_count());
        if (shift(b) != 0)
            for (std::uint32_t t = touched[b].node + 1; t <= stop; ++t)
                in_offsets_[t] = static_cast<LinkIndex>(static_cast<std::int64_t>(in_offsets_[t]) + shift(b));
        before = shift(b);
    }
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
                                lists_.capacity()) +
           sizeof(std::uint32_t) * (sources_.capacity() + targets_.capacity()) +
           sizeof(Move) * (pending_.capacity() + moves_.capacity()) + sizeof(Change) * changes_.capacity() +
           sizeof(Touched) * touched_.capacity();
}

}  // namespace tiersim::sim
