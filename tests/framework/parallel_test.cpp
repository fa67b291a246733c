#include "fnn/parallel.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <stdexcept>
#include <tbb/task_arena.h>
#include <utility>
#include <vector>

TEST_CASE("parallel_blocks visits every index once, in the caller's fixed blocks",
          "[parallel][threads]") {
  tbb::task_arena arena(2);
  for (const std::size_t count : {0UL, 1UL, 100UL, 4096UL, 4097UL, 10000UL}) {
    std::vector<int> visits(count, 0);
    std::vector<std::pair<std::size_t, std::size_t>> blocks(count / 1000 + 2);
    arena.execute([&] {
      fnn::parallel_blocks(count, 1000, [&](std::size_t begin, std::size_t end) {
        blocks[begin / 1000] = {begin, end};
        for (std::size_t i = begin; i < end; ++i) ++visits[i];
      });
    });
    CHECK(std::count(visits.begin(), visits.end(), 1) == static_cast<long>(count));
    for (std::size_t b = 0; b * 1000 < count; ++b) {
      CHECK(blocks[b] == std::make_pair(b * 1000, std::min(count, (b + 1) * 1000)));
    }
  }
}

TEST_CASE("run_side_by_side runs both pieces of work before it returns", "[parallel][threads]") {
  tbb::task_arena arena(2);
  std::vector<float> first(50000, 0.0F);
  std::vector<float> second(50000, 0.0F);
  arena.execute([&] {
    fnn::run_side_by_side([&] { std::fill(first.begin(), first.end(), 1.0F); },
                          [&] { std::fill(second.begin(), second.end(), 2.0F); });
  });
  CHECK(std::count(first.begin(), first.end(), 1.0F) == 50000);
  CHECK(std::count(second.begin(), second.end(), 2.0F) == 50000);
}

TEST_CASE("an exception in a parallel block or side task reaches the caller",
          "[parallel][threads]") {
  const auto fail = [] { throw std::runtime_error("task failed"); };
  CHECK_THROWS_WITH(fnn::run_side_by_side([] {}, fail), "task failed");
  CHECK_THROWS_WITH(fnn::parallel_blocks(10, 2,
                                         [&](std::size_t begin, std::size_t) {
                                           if (begin == 6) fail();
                                         }),
                    "task failed");
}
