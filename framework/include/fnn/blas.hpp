#pragma once
#include "fnn/export.hpp"
#include "fnn/matrix.hpp"

namespace fnn::blas {

/// Whether gemm reads an operand as stored or transposed.
enum class Op { none, transpose };

/// C = alpha · op(A) · op(B) + beta · C, through OpenBLAS `cblas_sgemm` (row-major).
/// Shapes are checked in debug builds; on the hot path the caller guarantees them.
FNN_API void gemm(Op op_a, Op op_b, float alpha, ConstMatrixView a, ConstMatrixView b, float beta,
                  MatrixView c);

/// How many threads OpenBLAS may use for one call. fnn sets 1 while TBB runs sample chunks in
/// parallel, so that the two never oversubscribe the cores (see docs/architecture.md).
FNN_API void set_threads(int threads);
FNN_API int threads();

}  // namespace fnn::blas
