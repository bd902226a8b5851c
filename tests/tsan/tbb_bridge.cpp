// Lets ThreadSanitizer see oneTBB's synchronisation (docs/testing.md#sanitizers).
//
// Debian's libtbb.so.12 is not built with -fsanitize=thread, so TSan sees
// neither the hand-over of a task from the thread that spawns it to the one
// that runs it, nor the join at the end of a parallel_for, nor the reuse of a
// task's memory by TBB's small-object pool: every parallel pass looks like a
// race, in TBB's code and in ours. This library, preloaded into the tests of
// the tsan preset (LD_PRELOAD, and INTEL_LIBITTNOTIFY64 so that TBB loads it
// as its ITT collector), closes both gaps without hiding anything:
//
// 1. Compiled with TBB_USE_PROFILING_TOOLS=2 (the tsan preset), TBB's headers
//    announce each hand-over through ITT: sync_releasing on spawn and on
//    every reference dropped, sync_acquired where the waiter resumes. Here
//    they become __tsan_release and __tsan_acquire on the same address: the
//    happens-before edges TBB guarantees, and no others.
// 2. TBB's task objects come from r1::allocate and go back through
//    r1::deallocate (its small-object pool). Defined here, they win over
//    libtbb's (symbol interposition) and use operator new and delete, which
//    TSan intercepts, so memory one thread frees and another reuses is new
//    memory to TSan, as it is to the program.
//
// 3. A waiter (the thread that called parallel_for) leaves r1::wait or
//    r1::execute_and_wait once the last worker's fetch_sub on the
//    wait_context's reference count reaches zero, a load done inside libtbb.
//    Defined here, they call libtbb's and then replay that acquire load where
//    TSan sees it, so the waiter's next use of that stack memory (the next
//    pass's wait_context) follows the workers' last touch of it.
//
// Built without -fsanitize (it is part of neither side), it calls TSan's entry
// points only when the process has TSan (weak symbols): the shell, h5diff and
// the other tools a test starts load it too, harmlessly.
#include <oneapi/tbb/detail/_task.h>

#include <dlfcn.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <new>

extern "C" {
void __tsan_acquire(void* addr) __attribute__((weak));
void __tsan_release(void* addr) __attribute__((weak));
std::uint64_t __tsan_atomic64_load(const volatile std::uint64_t* addr, int order) __attribute__((weak));

// The ITT collector interface (ittnotify, version 1: functions found by name).
__attribute__((visibility("default"))) const char* __itt_api_version() { return "tiersim TSan bridge"; }
__attribute__((visibility("default"))) void __itt_sync_releasing(void* addr) {
    if (__tsan_release) __tsan_release(addr);
}
__attribute__((visibility("default"))) void __itt_sync_acquired(void* addr) {
    if (__tsan_acquire) __tsan_acquire(addr);
}
}

namespace tbb::detail {
namespace r1 {
namespace {
char pool_tag;  // what the pool pointer holds: deallocate ignores it
d1::small_object_pool* tag() { return reinterpret_cast<d1::small_object_pool*>(&pool_tag); }

// wait_context is {uint64 m_version_and_traits; atomic<uint64> m_ref_count} (oneTBB 2021).
static_assert(sizeof(d1::wait_context) == 16, "oneTBB's wait_context changed: revisit tests/tsan/tbb_bridge.cpp");
constexpr int tsan_acquire_order = 2;  // __tsan_memory_order_acquire

void acquire_ref_count(d1::wait_context& wait_ctx) {
    if (__tsan_atomic64_load == nullptr) return;
    const auto* ref_count = reinterpret_cast<const volatile std::uint64_t*>(
        reinterpret_cast<const char*>(&wait_ctx) + sizeof(std::uint64_t));
    __tsan_atomic64_load(ref_count, tsan_acquire_order);
}

template <class F>
F next_definition(const char* mangled) {
    void* f = dlsym(RTLD_NEXT, mangled);
    if (f == nullptr) {
        std::fprintf(stderr, "tiersim_tsan_tbb: %s not found after the bridge\n", mangled);
        std::abort();
    }
    return reinterpret_cast<F>(f);
}
}  // namespace

__attribute__((visibility("default"))) void wait(d1::wait_context& wait_ctx, d1::task_group_context& ctx) {
    using Wait = void (*)(d1::wait_context&, d1::task_group_context&);
    static const Wait real = next_definition<Wait>("_ZN3tbb6detail2r14waitERNS0_2d112wait_contextERNS2_18task_group_contextE");
    real(wait_ctx, ctx);
    acquire_ref_count(wait_ctx);
}

__attribute__((visibility("default"))) void execute_and_wait(d1::task& t, d1::task_group_context& t_ctx,
                                                             d1::wait_context& wait_ctx, d1::task_group_context& w_ctx) {
    using ExecuteAndWait = void (*)(d1::task&, d1::task_group_context&, d1::wait_context&, d1::task_group_context&);
    static const ExecuteAndWait real = next_definition<ExecuteAndWait>(
        "_ZN3tbb6detail2r116execute_and_waitERNS0_2d14taskERNS2_18task_group_contextERNS2_12wait_contextES6_");
    real(t, t_ctx, wait_ctx, w_ctx);
    acquire_ref_count(wait_ctx);
}

__attribute__((visibility("default"))) void* allocate(d1::small_object_pool*& pool, std::size_t size) {
    pool = tag();
    return ::operator new(size);
}
__attribute__((visibility("default"))) void* allocate(d1::small_object_pool*& pool, std::size_t size,
                                                      const d1::execution_data&) {
    pool = tag();
    return ::operator new(size);
}
__attribute__((visibility("default"))) void deallocate(d1::small_object_pool&, void* ptr, std::size_t) {
    ::operator delete(ptr);
}
__attribute__((visibility("default"))) void deallocate(d1::small_object_pool&, void* ptr, std::size_t,
                                                       const d1::execution_data&) {
    ::operator delete(ptr);
}
}  // namespace r1
}  // namespace tbb::detail
