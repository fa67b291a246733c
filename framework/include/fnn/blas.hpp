#pragma once
#include <string>

#include "fnn/export.hpp"
#include "fnn/matrix.hpp"

namespace fnn::blas {

/// Whether gemm reads an operand as stored or transposed.
enum class Op { none, transpose };

/// C = alpha · op(A) · op(B) + beta · C, through OpenBLAS `cblas_sgemm` (row-major).
/// A large product is cut into fixed tiles of C's longer side that run in parallel on the
/// caller's TBB arena, each a single-threaded sgemm: OpenBLAS never starts threads of its own,
/// so TBB owns the cores, and the tiles depend on the shapes only, so the result is bit-identical
/// whatever the thread count (see docs/performance.md for the measurement behind this).
/// A C of up to 3 rows (single samples) is one matrix-vector product (sgemv) per row, on the
/// calling thread.
/// Shapes are checked in debug builds; on the hot path the caller guarantees them.
FNN_API void gemm(Op op_a, Op op_b, float alpha, ConstMatrixView a, ConstMatrixView b, float beta,
                  MatrixView c);

/// The BLAS build and the kernel core it chose for this machine, e.g. "OpenBLAS 0.3.21
/// DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64, core Haswell": two processes whose cores
/// differ may round sgemm differently, so MPI ranks compare it before training.
FNN_API std::string describe();

}  // namespace fnn::blas
