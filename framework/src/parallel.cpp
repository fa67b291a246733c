#include "fnn/parallel.hpp"

#include <algorithm>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_invoke.h>

#include "thread_sanitizer_edges.hpp"

namespace fnn::detail {

void run_blocks(std::size_t count, std::size_t block, void* body, BlockCall call) {
  block = std::max<std::size_t>(block, 1);
  const std::size_t blocks = (count + block - 1) / block;
  ForkJoinEdges edges;
  edges.fork();
  // One task per block (grain 1, simple partitioner): the partition is the caller's, not TBB's.
  tbb::parallel_for(
      tbb::blocked_range<std::size_t>(0, blocks, 1),
      [&](const tbb::blocked_range<std::size_t>& range) {
        edges.enter();
        for (std::size_t b = range.begin(); b != range.end(); ++b) {
          call(body, b * block, std::min(count, (b + 1) * block));
        }
        edges.leave();
      },
      tbb::simple_partitioner());
  edges.join();
}

void run_both(void* first, TaskCall call_first, void* second, TaskCall call_second) {
  ForkJoinEdges edges;
  const auto run = [&](TaskCall call, void* task) {
    edges.enter();
    call(task);
    edges.leave();
  };
  edges.fork();
  tbb::parallel_invoke([&] { run(call_first, first); }, [&] { run(call_second, second); });
  edges.join();
}

}  // namespace fnn::detail
