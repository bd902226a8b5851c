#include "sim/link_graph.hpp"
#include "sim/parallel.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

using tiersim::sim::LinkGraph;

TEST_CASE("links are grouped by source in input order, with an ascending reverse index", "[link_graph]") {
    // 0 buys from 2 and 3; 1 buys from 3 and 2; edges given out of order.
    const std::vector<LinkGraph::Edge> edges{{1, 3}, {0, 2}, {1, 2}, {0, 3}};
    const LinkGraph g(4, edges);
    REQUIRE(g.node_count() == 4);
    REQUIRE(g.link_count() == 4);

    auto [first0, last0] = g.out_links(0);
    REQUIRE(last0 - first0 == 2);
    CHECK(g.target(first0) == 2);
    CHECK(g.target(first0 + 1) == 3);
    auto [first1, last1] = g.out_links(1);
    CHECK(g.target(first1) == 3);
    CHECK(g.target(first1 + 1) == 2);
    CHECK(g.out_links(2).first == g.out_links(2).second);

    for (std::uint32_t supplier : {2u, 3u}) {
        const auto in = g.in_links(supplier);
        REQUIRE(in.size() == 2);
        CHECK(std::is_sorted(in.begin(), in.end()));
        for (auto l : in) CHECK(g.target(l) == supplier);
    }
    for (tiersim::sim::LinkIndex l = 0; l < g.link_count(); ++l) {
        const auto [first, last] = g.out_links(g.source(l));
        CHECK(l >= first);
        CHECK(l < last);
    }
}

TEST_CASE("an edge to a node that does not exist is refused", "[link_graph]") {
    const std::vector<LinkGraph::Edge> edges{{0, 5}};
    CHECK_THROWS_AS(LinkGraph(2, edges), std::out_of_range);
}

TEST_CASE("retargeting a link moves it between reverse lists once the index is rebuilt", "[link_graph]") {
    const std::vector<LinkGraph::Edge> edges{{0, 2}, {0, 3}, {1, 3}};
    LinkGraph g(4, edges);
    const auto [first, last] = g.out_links(0);
    g.retarget(first, 3);  // 0 now buys twice from 3, no longer from 2
    g.rebuild_reverse_index();
    CHECK(g.in_links(2).empty());
    const auto in3 = g.in_links(3);
    REQUIRE(in3.size() == 3);
    CHECK(std::is_sorted(in3.begin(), in3.end()));
    CHECK(g.out_links(0) == std::make_pair(first, last));
}

TEST_CASE("after many retargets the rebuilt reverse index lists exactly each node's links, ascending", "[link_graph]") {
    // Nodes with no links at the start, the middle and the end (the last node's count is not stored).
    constexpr std::uint32_t nodes = 9;
    std::vector<LinkGraph::Edge> edges;
    for (std::uint32_t source = 0; source < nodes; ++source)
        for (std::uint32_t k = 0; k < source % 4; ++k) edges.push_back({source, (source * 7 + k * 3) % nodes});
    LinkGraph g(nodes, edges);
    std::uint32_t state = 12345;
    for (int round = 0; round < 50; ++round) {
        for (tiersim::sim::LinkIndex l = 0; l < g.link_count(); l += 2) {
            state = state * 1664525u + 1013904223u;
            g.retarget(l, (state >> 8) % nodes);
        }
        g.rebuild_reverse_index();
        for (std::uint32_t node = 0; node < nodes; ++node) {
            std::vector<tiersim::sim::LinkIndex> expected;
            for (tiersim::sim::LinkIndex l = 0; l < g.link_count(); ++l)
                if (g.target(l) == node) expected.push_back(l);
            const auto in = g.in_links(node);
            REQUIRE(std::vector<tiersim::sim::LinkIndex>(in.begin(), in.end()) == expected);
        }
    }
}

namespace {

/// The graph's index arrays, to compare two graphs to the bit.
std::vector<std::vector<std::uint32_t>> arrays_of(const LinkGraph& g) {
    std::vector<std::vector<std::uint32_t>> out;
    g.visit_arrays([&](const char*, const auto& array) { out.emplace_back(array.begin(), array.end()); });
    return out;
}

}  // namespace

TEST_CASE("the patched reverse index equals a full rebuild after random retargets", "[link_graph]") {
    // Nodes with no links, hubs with many, links moved once, twice, back where
    // they were, in batches of a few to most of the links.
    constexpr std::uint32_t nodes = 40;
    std::vector<LinkGraph::Edge> edges;
    for (std::uint32_t source = 0; source < nodes; ++source)
        for (std::uint32_t k = 0; k < source % 6; ++k) edges.push_back({source, (source * 11 + k * 5) % 7 + (k % 2) * 30});
    LinkGraph patched(nodes, edges);
    std::uint32_t state = 2024;
    const auto next = [&] { return state = state * 1664525u + 1013904223u, state >> 8; };
    for (int round = 0; round < 300; ++round) {
        const auto moves = static_cast<std::uint32_t>(next() % (round % 3 == 0 ? patched.link_count() * 2 : 5) + 1);
        for (std::uint32_t k = 0; k < moves; ++k) {
            const auto l = static_cast<tiersim::sim::LinkIndex>(next() % patched.link_count());
            // Targets crowd the low and high nodes, so lists grow and shrink at both ends.
            const std::uint32_t target = next() % 4 == 0 ? next() % nodes : (next() % 2 ? next() % 3 : nodes - 1 - next() % 3);
            patched.retarget(l, target);
        }
        LinkGraph rebuilt = patched;
        rebuilt.rebuild_reverse_index();
        patched.update_reverse_index();
        CHECK(patched.pending_moves() == 0);
        REQUIRE(arrays_of(patched) == arrays_of(rebuilt));
    }
}

TEST_CASE("links retargeted from a parallel pass are all moved by the update", "[link_graph]") {
    constexpr std::uint32_t nodes = 5000;
    std::vector<LinkGraph::Edge> edges;
    for (std::uint32_t source = 0; source < nodes; ++source)
        for (std::uint32_t k = 0; k < 4; ++k) edges.push_back({source, (source * 7919u + k * 104729u) % nodes});
    LinkGraph patched(nodes, edges);
    for (int round = 0; round < 5; ++round) {
        tiersim::sim::for_each_index(nodes, [&](std::size_t source) {
            const auto [first, last] = patched.out_links(static_cast<std::uint32_t>(source));
            for (auto l = first; l < last; ++l)
                if ((l * 2654435761u + round) % 7 == 0) patched.retarget(l, (l * 31u + round * 17u) % nodes);
        }, 64);
        LinkGraph rebuilt = patched;
        rebuilt.rebuild_reverse_index();
        patched.update_reverse_index();
        REQUIRE(arrays_of(patched) == arrays_of(rebuilt));
    }
}

TEST_CASE("a graph built and re-indexed on 1, 2 and 3 threads is the serial counting sort's, to the bit",
          "[link_graph]") {
    // Edges out of source order; nodes without links at the start, middle and
    // end; sizes below and above the parts a thread takes.
    for (const std::uint32_t nodes : {1u, 2u, 7u, 5003u}) {
        std::vector<LinkGraph::Edge> edges;
        std::uint32_t state = nodes;
        const auto next = [&] { return state = state * 1664525u + 1013904223u, state >> 8; };
        const std::size_t count = nodes * 3u + 1;
        for (std::size_t k = 0; k < count; ++k) {
            const std::uint32_t source = nodes > 4 ? 1 + next() % (nodes - 3) : next() % nodes;
            edges.push_back({source, next() % 3 == 0 ? nodes - 1 : next() % nodes});
        }
        // The reference: a serial counting sort by source (input order kept), and in-links ascending.
        std::vector<std::uint32_t> out_offsets(nodes + 1, 0), sources, targets, in_offsets(nodes + 1, 0), in_links;
        for (const auto& e : edges) ++out_offsets[e.source + 1];
        for (std::uint32_t n = 0; n < nodes; ++n) out_offsets[n + 1] += out_offsets[n];
        for (std::uint32_t n = 0; n < nodes; ++n)
            for (const auto& e : edges)
                if (e.source == n) sources.push_back(e.source), targets.push_back(e.target);
        for (std::uint32_t n = 0; n < nodes; ++n) {
            for (std::uint32_t l = 0; l < targets.size(); ++l)
                if (targets[l] == n) in_links.push_back(l);
            in_offsets[n + 1] = static_cast<std::uint32_t>(in_links.size());
        }
        const std::vector<std::vector<std::uint32_t>> expected{out_offsets, sources, targets, in_offsets, in_links};
        for (const std::size_t threads : {1, 2, 3}) {
            tiersim::sim::ThreadLimit limit(threads);
            LinkGraph g(nodes, edges);
            REQUIRE(arrays_of(g) == expected);
            g.rebuild_reverse_index();
            REQUIRE(arrays_of(g) == expected);
        }
    }
    const LinkGraph empty(0, std::vector<LinkGraph::Edge>{});
    CHECK(empty.node_count() == 0);
    CHECK(empty.link_count() == 0);
}
