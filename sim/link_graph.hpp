// Directed links between entities in compressed sparse rows.
//
// Links are grouped by their source ("buyer"); link indices within a buyer are
// contiguous, so per-link state (order slots, shares, volumes) lives in plain
// arrays indexed by link. The reverse index lists, for each target
// ("supplier"), its incoming link indices in ascending order: a supplier
// gathers what its buyers wrote into their slots in that fixed order, which is
// what makes the gathered sums independent of thread count.
#pragma once

#include <oneapi/tbb/concurrent_vector.h>

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace tiersim::sim {

using LinkIndex = std::uint32_t;

class LinkGraph {
public:
    struct Edge {
        std::uint32_t source;
        std::uint32_t target;
    };

    LinkGraph() = default;
    /// Builds the graph over `node_count` nodes. Links of one source keep the
    /// order in which their edges appear in `edges`.
    LinkGraph(std::size_t node_count, std::span<const Edge> edges);

    std::size_t node_count() const noexcept { return out_offsets_.empty() ? 0 : out_offsets_.size() - 1; }
    std::size_t link_count() const noexcept { return targets_.size(); }

    /// Links leaving `node`: indices [first, last).
    std::pair<LinkIndex, LinkIndex> out_links(std::uint32_t node) const noexcept {
        return {out_offsets_[node], out_offsets_[node + 1]};
    }
    /// Links arriving at `node`, ascending.
    std::span<const LinkIndex> in_links(std::uint32_t node) const noexcept {
        return {in_links_.data() + in_offsets_[node], in_offsets_[node + 1] - in_offsets_[node]};
    }
    std::uint32_t source(LinkIndex link) const noexcept { return sources_[link]; }
    std::uint32_t target(LinkIndex link) const noexcept { return targets_[link]; }

    /// Points an existing link at another target. The reverse index is stale
    /// until update_reverse_index() (or rebuild_reverse_index()); call it once
    /// after a batch of changes. Safe in a parallel pass that retargets
    /// distinct links: the move is recorded for the update.
    void retarget(LinkIndex link, std::uint32_t new_target) {
        const std::uint32_t from = targets_[link];
        if (from == new_target) return;
        targets_[link] = new_target;
        pending_.push_back({link, from});
    }
    /// Moves the links retargeted since the last update between their old
    /// and new targets' incoming lists: the same index, to the bit, as
    /// rebuild_reverse_index(). Serial work grows with the moves only; the
    /// index is copied, with the moved lists merged in, in parallel (a
    /// stream, not a scatter of every link). Does nothing when no link moved.
    void update_reverse_index();
    /// Rebuilds every node's ascending list of incoming links from the targets.
    void rebuild_reverse_index();
    /// Links retargeted since the reverse index was last brought up to date.
    std::size_t pending_moves() const noexcept { return pending_.size(); }

    /// Bytes held by the index structures.
    std::size_t memory_bytes() const noexcept;

    /// Calls visit(name, array) for each of the graph's index arrays, so that
    /// a saved graph is restored exactly, reverse index included (warm starts).
    template <class Visitor>
    void visit_arrays(Visitor&& visit) {
        visit("out_offsets", out_offsets_), visit("sources", sources_), visit("targets", targets_);
        visit("in_offsets", in_offsets_), visit("in_links", in_links_);
    }
    template <class Visitor>
    void visit_arrays(Visitor&& visit) const {
        visit("out_offsets", out_offsets_), visit("sources", sources_), visit("targets", targets_);
        visit("in_offsets", in_offsets_), visit("in_links", in_links_);
    }

private:
    /// A retargeted link and the target the reverse index lists it under.
    struct Move {
        LinkIndex link;
        std::uint32_t from;
    };
    /// One change to a node's incoming list: `link` leaves it (remove) or joins it.
    struct Change {
        std::uint32_t node;
        LinkIndex link;
        bool remove;
    };
    /// A node whose list changes: its old range, where its new list waits in
    /// lists_, and the net change of the touched nodes up to it.
    struct Touched {
        std::uint32_t node;
        LinkIndex old_begin, old_end, new_begin, new_size;
        std::int64_t shift;
    };

    std::vector<LinkIndex> out_offsets_;
    std::vector<std::uint32_t> sources_;
    std::vector<std::uint32_t> targets_;
    std::vector<LinkIndex> in_offsets_;
    std::vector<LinkIndex> in_links_;
    // Moves recorded by retarget(), from any thread; working space of update_reverse_index().
    oneapi::tbb::concurrent_vector<Move> pending_;
    std::vector<Move> moves_;
    std::vector<Change> changes_;
    std::vector<Touched> touched_;
    std::vector<LinkIndex> lists_;
    std::vector<LinkIndex> spare_;  ///< the index's next version, written beside the current one
};

}  // namespace tiersim::sim
