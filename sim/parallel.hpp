// Parallel passes and reductions whose results do not depend on threads.
//
// A pass writes only to the slots of the index it visits, so any partition
// gives the same state. A reduction cuts [0, n) into fixed chunks whose size
// does not depend on the thread count, reduces each chunk in index order, and
// combines the chunk results in chunk order on one thread: floating-point sums
// come out bit-identical for 1 or N threads.
#pragma once

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/parallel_invoke.h>
#include <oneapi/tbb/parallel_sort.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

namespace tiersim::sim {

/// Chunk length for reductions: fixed, so the combine tree is fixed.
inline constexpr std::size_t reduction_chunk = 4096;

namespace detail {

/// Times the outermost parallel pass of a thread (a pass nested in another
/// runs inside its time).
class ParallelTimer {
public:
    ParallelTimer() noexcept : outermost_(depth()++ == 0) {
        if (outermost_) start_ = std::chrono::steady_clock::now();
    }
    ~ParallelTimer() {
        --depth();
        if (outermost_) total() += std::chrono::steady_clock::now() - start_;
    }
    ParallelTimer(const ParallelTimer&) = delete;
    ParallelTimer& operator=(const ParallelTimer&) = delete;

    static std::chrono::duration<double>& total() noexcept {
        thread_local std::chrono::duration<double> time{0};
        return time;
    }

private:
    static int& depth() noexcept {
        thread_local int nesting = 0;
        return nesting;
    }
    bool outermost_;
    std::chrono::steady_clock::time_point start_;
};

}  // namespace detail

/// Wall time this thread has spent in the parallel passes below (outermost
/// ones only): what a tick spends outside them is its serial work, which
/// more threads do not shorten (Schedule::serial_in, the bench).
inline std::chrono::duration<double> parallel_time_of_this_thread() noexcept {
    return detail::ParallelTimer::total();
}

/// Runs body(i) for every i in [0, n), in parallel. body must write only
/// state owned by i.
template <class Body>
void for_each_index(std::size_t n, Body&& body, std::size_t grain = 1024) {
    const detail::ParallelTimer timer;
    oneapi::tbb::parallel_for(oneapi::tbb::blocked_range<std::size_t>(0, n, grain),
                              [&](const oneapi::tbb::blocked_range<std::size_t>& r) {
                                  for (std::size_t i = r.begin(); i != r.end(); ++i) body(i);
                              });
}

/// Reduces [0, n): chunk(begin, end) returns the partial of one chunk;
/// combine(into, partial) folds partials in ascending chunk order.
template <class Partial, class Chunk, class Combine>
Partial deterministic_reduce(std::size_t n, const Partial& identity, Chunk&& chunk, Combine&& combine) {
    const std::size_t chunks = (n + reduction_chunk - 1) / reduction_chunk;
    std::vector<Partial> partials(chunks, identity);
    {
        const detail::ParallelTimer timer;
        oneapi::tbb::parallel_for(std::size_t{0}, chunks, [&](std::size_t c) {
            const std::size_t begin = c * reduction_chunk;
            const std::size_t end = std::min(n, begin + reduction_chunk);
            partials[c] = chunk(begin, end);
        });
    }
    Partial total = identity;
    for (const Partial& p : partials) combine(total, p);
    return total;
}

/// Sorts [first, last) by `less`, in parallel. The order is the same for any
/// thread count only when elements that compare equal are identical (a total
/// order on distinct keys): the sort is not stable.
template <class Iterator, class Less>
void sort_in_parallel(Iterator first, Iterator last, Less&& less) {
    const detail::ParallelTimer timer;
    oneapi::tbb::parallel_sort(first, last, less);
}

/// Lists, for each group g in [0, groups), the indices i in [0, n) whose
/// group_of(i) is g, ascending, into list(g) (a std::vector<Index>&, resized:
/// no allocation once it has held as many); group_of(i) >= groups puts i in
/// none. A counting sort in two parallel passes over fixed chunks, whose
/// per-chunk counts are turned into write positions between them: the same
/// lists for any thread count.
template <class Index, class GroupOf, class List>
void group_indices(std::size_t n, std::size_t groups, GroupOf&& group_of, List&& list) {
    const std::size_t chunks = (n + reduction_chunk - 1) / reduction_chunk;
    std::vector<std::size_t> at(chunks * groups, 0);  // per chunk and group: count, then write position
    const auto each_chunk = [&](auto&& visit) {
        const detail::ParallelTimer timer;
        oneapi::tbb::parallel_for(std::size_t{0}, chunks, [&](std::size_t c) {
            const std::size_t end = std::min(n, (c + 1) * reduction_chunk);
            for (std::size_t i = c * reduction_chunk; i < end; ++i)
                if (const std::size_t g = group_of(i); g < groups) visit(c * groups + g, g, i);
        });
    };
    each_chunk([&](std::size_t slot, std::size_t, std::size_t) { ++at[slot]; });
    for (std::size_t g = 0; g < groups; ++g) {
        std::size_t total = 0;
        for (std::size_t c = 0; c < chunks; ++c) {
            const std::size_t count = at[c * groups + g];
            at[c * groups + g] = total;
            total += count;
        }
        list(g).resize(total);
    }
    each_chunk([&](std::size_t slot, std::size_t g, std::size_t i) { list(g)[at[slot]++] = static_cast<Index>(i); });
}

/// Copies the items of `items` for which keep(item) holds into `out`, in
/// their order (resized: no allocation once it has held as many). keep runs
/// once per item, in parallel over fixed chunks whose counts give each
/// chunk's write position: the result of the serial filter for any thread
/// count. keep must only read.
template <class T, class Keep>
void select_in_order(const std::vector<T>& items, Keep&& keep, std::vector<T>& out) {
    thread_local std::vector<unsigned char> flag_scratch;
    std::vector<unsigned char>& flags = flag_scratch;  // this thread's, also where the workers write
    const std::size_t n = items.size();
    const std::size_t chunks = (n + reduction_chunk - 1) / reduction_chunk;
    flags.resize(n);
    std::vector<std::size_t> at(chunks, 0);
    {
        const detail::ParallelTimer timer;
        oneapi::tbb::parallel_for(std::size_t{0}, chunks, [&](std::size_t c) {
            const std::size_t end = std::min(n, (c + 1) * reduction_chunk);
            std::size_t count = 0;
            for (std::size_t k = c * reduction_chunk; k < end; ++k) count += flags[k] = keep(items[k]) ? 1 : 0;
            at[c] = count;
        });
    }
    std::size_t total = 0;
    for (std::size_t& a : at) total += std::exchange(a, total);
    out.resize(total);
    const detail::ParallelTimer timer;
    oneapi::tbb::parallel_for(std::size_t{0}, chunks, [&](std::size_t c) {
        const std::size_t end = std::min(n, (c + 1) * reduction_chunk);
        std::size_t w = at[c];
        for (std::size_t k = c * reduction_chunk; k < end; ++k)
            if (flags[k]) out[w++] = items[k];
    });
}

/// Runs body(i, out) for every i in [0, n), in parallel over fixed chunks of
/// `chunk` indices, where body appends what index i produces to `out` (a
/// std::vector<T>&, its chunk's); then appends the chunks' items to `into` in
/// chunk order. `into` ends as the serial loop `for i: body(i, into)` leaves
/// it, for any thread count. body must write nothing shared but `out`.
template <class T, class Body>
void append_in_order(std::size_t n, std::vector<T>& into, Body&& body, std::size_t chunk = reduction_chunk) {
    if (chunk == 0) chunk = 1;
    const std::size_t chunks = (n + chunk - 1) / chunk;
    std::vector<std::vector<T>> parts(chunks);
    {
        const detail::ParallelTimer timer;
        oneapi::tbb::parallel_for(std::size_t{0}, chunks, [&](std::size_t c) {
            const std::size_t end = std::min(n, (c + 1) * chunk);
            for (std::size_t i = c * chunk; i < end; ++i) body(i, parts[c]);
        });
    }
    std::vector<std::size_t> at(chunks);
    std::size_t total = into.size();
    for (std::size_t c = 0; c < chunks; ++c) at[c] = std::exchange(total, total + parts[c].size());
    into.resize(total);
    const detail::ParallelTimer timer;
    oneapi::tbb::parallel_for(std::size_t{0}, chunks, [&](std::size_t c) {
        std::copy(parts[c].begin(), parts[c].end(), into.begin() + static_cast<std::ptrdiff_t>(at[c]));
        std::vector<T>().swap(parts[c]);
    });
}

/// Runs the given functions at once (a timed parallel pass); one function
/// alone runs on this thread.
template <class... F>
void run_in_parallel(F&&... f) {
    const detail::ParallelTimer timer;
    if constexpr (sizeof...(F) == 1)
        (std::forward<F>(f)(), ...);
    else
        oneapi::tbb::parallel_invoke(std::forward<F>(f)...);
}

/// Counts the i in [0, n) for which pred(i) holds, in parallel (exact).
template <class Pred>
std::size_t count_in_parallel(std::size_t n, Pred&& pred) {
    return deterministic_reduce(
        n, std::size_t{0},
        [&](std::size_t begin, std::size_t end) {
            std::size_t count = 0;
            for (std::size_t i = begin; i < end; ++i) count += pred(i) ? 1 : 0;
            return count;
        },
        [](std::size_t& into, std::size_t partial) { into += partial; });
}

/// Caps the worker threads for its lifetime (0 = all cores).
class ThreadLimit {
public:
    explicit ThreadLimit(std::size_t threads);
    std::size_t threads() const noexcept { return threads_; }

private:
    std::size_t threads_;
    std::unique_ptr<oneapi::tbb::global_control> control_;
};

}  // namespace tiersim::sim
