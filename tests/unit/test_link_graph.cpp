#include "sim/link_graph.hpp"

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
