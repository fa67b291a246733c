#pragma once
// The order of an epoch's rows, in as few bytes a row as the row count allows: it is the one
// piece of training memory that grows with the data (a store's rows are read, never kept).
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <span>
#include <utility>
#include <variant>
#include <vector>

#include "fnn/random.hpp"

namespace fnn::detail {

class RowOrder {
 public:
  /// Rows 0..count-1, shuffled by Fisher–Yates from the identity with `rng` when `shuffle`: the
  /// order depends only on the generator's state, not on the index width.
  void reset(std::size_t count, bool shuffle, Rng& rng) {
    if (count <= std::numeric_limits<std::uint32_t>::max()) {
      fill(reused<std::uint32_t>(), count, shuffle, rng);
    } else {
      fill(reused<std::uint64_t>(), count, shuffle, rng);
    }
  }

  /// Rows first..first + to.size() - 1 of the order, into `to`.
  void copy(std::size_t first, std::span<std::size_t> to) const {
    std::visit(
        [&](const auto& indices) {
          for (std::size_t r = 0; r < to.size(); ++r) to[r] = indices[first + r];
        },
        indices_);
  }

 private:
  // The vector of the last epoch when it has this width: an epoch after the first allocates
  // nothing.
  template <typename Index>
  std::vector<Index>& reused() {
    if (auto* indices = std::get_if<std::vector<Index>>(&indices_)) return *indices;
    return indices_.emplace<std::vector<Index>>();
  }

  template <typename Index>
  static void fill(std::vector<Index>& indices, std::size_t count, bool shuffle, Rng& rng) {
    indices.resize(count);
    std::iota(indices.begin(), indices.end(), Index{0});
    if (!shuffle) return;
    for (std::size_t i = count; i > 1; --i) std::swap(indices[i - 1], indices[rng.below(i)]);
  }

  std::variant<std::vector<std::uint32_t>, std::vector<std::uint64_t>> indices_;
};

}  // namespace fnn::detail
