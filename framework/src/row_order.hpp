#pragma once
// The order of an epoch's rows, each index in as many bits as the row count needs (21 for a
// million rows): it is the one piece of training memory that grows with the data, since a
// store's rows are read when a batch needs them, never kept.
#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "fnn/random.hpp"
#include "fnn/sizes.hpp"

namespace fnn::detail {

class RowOrder {
 public:
  /// Rows 0..count-1, shuffled by Fisher–Yates from the identity with `rng` when `shuffle`: the
  /// order depends only on the generator's state, not on how it is stored. The words of the
  /// last epoch are reused: an epoch after the first allocates nothing.
  void reset(std::size_t count, bool shuffle, Rng& rng) {
    bits_ = std::max<std::size_t>(1, std::bit_width(count > 0 ? count - 1 : 0));
    words_.resize(checked_multiply(count, bits_, "the row order's bits") / 64 + 1);
    for (std::size_t i = 0; i < count; ++i) set(i, i);
    if (!shuffle) return;
    for (std::size_t i = count; i > 1; --i) {
      const std::size_t j = rng.below(i);
      const std::size_t last = get(i - 1);
      set(i - 1, get(j));
      set(j, last);
    }
  }

  /// Rows first..first + to.size() - 1 of the order, into `to`.
  void copy(std::size_t first, std::span<std::size_t> to) const {
    for (std::size_t r = 0; r < to.size(); ++r) to[r] = get(first + r);
  }

 private:
  // Index i takes bits [i·bits_, (i+1)·bits_) of the words, low bits first; it may straddle two
  // words (the extra last word keeps the second one in range).
  std::size_t get(std::size_t i) const {
    const std::size_t bit = i * bits_;
    const std::size_t word = bit / 64;
    const std::size_t shift = bit % 64;
    std::uint64_t value = words_[word] >> shift;
    if (shift + bits_ > 64) value |= words_[word + 1] << (64 - shift);
    return static_cast<std::size_t>(value & mask());
  }

  void set(std::size_t i, std::size_t value) {
    const std::size_t bit = i * bits_;
    const std::size_t word = bit / 64;
    const std::size_t shift = bit % 64;
    words_[word] = (words_[word] & ~(mask() << shift)) | (std::uint64_t{value} << shift);
    if (shift + bits_ > 64) {
      const std::size_t spilled = 64 - shift;  // bits in the first word
      words_[word + 1] =
          (words_[word + 1] & ~(mask() >> spilled)) | (std::uint64_t{value} >> spilled);
    }
  }

  std::uint64_t mask() const {
    return bits_ == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << bits_) - 1;
  }

  std::size_t bits_ = 1;
  std::vector<std::uint64_t> words_;
};

}  // namespace fnn::detail
