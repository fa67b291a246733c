#pragma once
// Shards of a batch and the one fixed tree that combines their sums (docs/distributed.md).
// The core owns the cut, the tree and the error checks; a GradientExchange only moves partial
// sums between participants (processes) that each compute some of the shards.
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "fnn/export.hpp"

namespace fnn {

/// The most shards a batch is cut into.
inline constexpr std::size_t max_shards = 4096;

/// The half-open range [begin, end) of rows or shards.
struct ShardRange {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::size_t size() const noexcept { return end - begin; }
  bool operator==(const ShardRange&) const = default;
};

/// The rows of a batch of `rows` that shard `shard` of `shards` holds:
/// [shard·rows/shards, (shard+1)·rows/shards). Empty for some shards when rows < shards.
FNN_API ShardRange shard_rows(std::size_t rows, std::size_t shards, std::size_t shard);

/// The shards participant `participant` of `participants` computes:
/// [participant·shards/participants, (participant+1)·shards/participants).
FNN_API ShardRange participant_shards(std::size_t shards, std::size_t participants,
                                      std::size_t participant);

/// The combination tree over shards [0, S): a node [b, e) of two or more shards is
/// left + right, left = [b, m), right = [m, e), m = b + the largest power of two below e − b.
/// This is the pairwise tree: shards 0+1, 2+3, … first, then those pairs pairwise, an odd one out
/// moving up a level unchanged; for S = 6, ((0+1)+(2+3))+(4+5).
/// The nodes a participant holding `mine` sums by itself: the largest tree nodes inside `mine`,
/// left to right (for S = 6 and mine = [1, 5): [1,2), [2,4), [4,5)).
FNN_API std::vector<ShardRange> subtree_roots(std::size_t shards, ShardRange mine);

/// Per-shard sums of one batch: shard s's gradient sum is `gradients[s·parameters, (s+1)·parameters)`
/// and its loss sum `losses[s]`. A tree node's sum is kept in the slot of its first shard.
struct ShardSums {
  std::span<float> gradients;  ///< shards × parameters
  std::span<double> losses;    ///< one per shard
  std::size_t parameters = 0;
  std::span<float> gradient(std::size_t shard) const {
    return gradients.subspan(shard * parameters, parameters);
  }
};

/// Every participant's subtree roots in one list, in participant order, into `all` (cleared
/// first; its capacity is reused, so a batch after the first allocates nothing): the `done`
/// nodes of the tree's last levels.
FNN_API void all_roots(std::span<const std::vector<ShardRange>> roots, std::vector<ShardRange>& all);

/// Adds the sums of node `node` into its first shard's slot, by the tree, treating the nodes in
/// `done` (and single shards) as already summed. Element-wise in parallel blocks on the caller's
/// TBB arena: bit-identical for every thread count.
FNN_API void combine_shards(const ShardSums& sums, ShardRange node,
                            std::span<const ShardRange> done = {});

/// A participant's word on stopping, carried with each batch's sums (GradientExchange::
/// share_with_stops): no_stop, or the signal of its stop request (0 when code asked).
inline constexpr int no_stop = -1;

/// Moves partial sums between the participants of a run; the core does all the adding, in its
/// fixed order, so an implementation only copies bits. fnn::LocalExchange is one process holding
/// every shard; an MPI module implements the same interface for many.
class FNN_API GradientExchange {
 public:
  virtual ~GradientExchange();
  virtual std::size_t participants() const noexcept = 0;
  virtual std::size_t participant() const noexcept = 0;  ///< 0-based
  /// Called once per batch by every participant, in the same order. `roots[p]` are participant
  /// p's subtree roots (subtree_roots of its shards); each root's sums lie in `sums` at its
  /// first shard. On entry this participant's are filled; on return every participant's must be,
  /// bit for bit as their owners computed them. Throws fnn::Error naming what failed; the core
  /// then applies nothing.
  virtual void share(std::span<const std::vector<ShardRange>> roots, const ShardSums& sums) = 0;
  /// `share`, and with the sums every participant's word on stopping (no_stop or a signal), so
  /// that all stop after the same batch: `stops[p]` is participant p's; on entry this
  /// participant's is set, on return every participant's. The MPI module carries them in the
  /// loss sums' messages; the default calls `share` and then `gather` (one more round trip).
  virtual void share_with_stops(std::span<const std::vector<ShardRange>> roots,
                                const ShardSums& sums, std::span<int> stops);
  /// `share_with_stops`, then the rest of the tree: on return shard 0's slot holds the batch's
  /// gradient and loss sums on every participant, bit for bit what combine_shards over all the
  /// roots gives (the other slots are left undefined). The default shares and then combines
  /// here; the MPI module may instead reduce-scatter: each participant combines one segment of
  /// the parameters from every participant's roots, by the same tree, and the segments are then
  /// gathered (element-wise sums, so the cut into segments changes no bit).
  virtual void share_and_combine(std::span<const std::vector<ShardRange>> roots,
                                 const ShardSums& sums, std::span<int> stops);
  /// Start-up agreement, called by every participant in the same order. Copies participant 0's
  /// `values` into every participant's (the initial parameters and optimizer state); all must
  /// pass the same size. One participant: nothing to do.
  virtual void broadcast(std::span<float> values);
  /// Every participant's `text`, in participant order (for a fingerprint every one compares).
  /// One participant: {text}.
  virtual std::vector<std::string> gather(const std::string& text);
  /// From now on `share`, `broadcast` and `gather` throw fnn::Error when the other participants
  /// have not all taken part within `seconds` (one is stuck or lost), naming the step (and, at
  /// start-up, the participants that never came); the trainer names the batch. Default: none.
  virtual void set_deadline(double seconds);
};

/// One process computes every shard: there is nothing to share.
class FNN_API LocalExchange final : public GradientExchange {
 public:
  std::size_t participants() const noexcept override { return 1; }
  std::size_t participant() const noexcept override { return 0; }
  void share(std::span<const std::vector<ShardRange>> roots, const ShardSums& sums) override;
};

}  // namespace fnn
