#pragma once
// FNN_AVX2_CLONE: put before a hot loop's function to have the compiler build it twice, for
// baseline x86-64 (SSE2) and for AVX2, and pick one when the library loads (GCC and Clang
// `target_clones`, an ifunc). fnn builds for baseline x86-64 so that it runs on any such CPU;
// this gives the element-wise loops 8-wide vectors where the CPU has them.
//
// AVX2 without FMA on purpose: every float operation then rounds as in the baseline build, so
// results are bit-identical whichever clone runs. Use it on element-wise loops (no reductions
// whose order the vector width would change). Elsewhere it expands to nothing.
//
// Not under ThreadSanitizer: the loader runs an ifunc's resolver while it relocates the
// program, before TSan's runtime has started, and the instrumented resolver then crashes.
// Nor under libFuzzer's coverage instrumentation (the `fuzz` preset): a plugin's resolver runs
// while the loader relocates that plugin, and its coverage calls jump through entries not yet
// relocated (a SIGSEGV in dlopen of fnn_elu.so, found when fuzz_model_file began to load them).
#include "fnn/sanitizers.hpp"

#if defined(__has_feature)
#if __has_feature(coverage_sanitizer)
#define FNN_AVX2_CLONE
#endif
#endif
#if defined(__x86_64__) && defined(__has_attribute) && !defined(FNN_THREAD_SANITIZER) && \
    !defined(FNN_AVX2_CLONE)
#if __has_attribute(target_clones)
#define FNN_AVX2_CLONE __attribute__((target_clones("avx2", "default")))
#endif
#endif
#ifndef FNN_AVX2_CLONE
#define FNN_AVX2_CLONE
#endif
