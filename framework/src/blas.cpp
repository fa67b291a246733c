#include "fnn/blas.hpp"

#include <cblas.h>

#include <algorithm>
#include <cassert>

#include "fnn/parallel.hpp"

namespace fnn::blas {

namespace {

CBLAS_TRANSPOSE to_cblas(Op op) { return op == Op::none ? CblasNoTrans : CblasTrans; }

// Below this many multiply-adds a product runs whole: a tile would cost more to schedule than
// it saves (the 128 × 10 output layer of a 784-256-128-10 network at batch 64 stays whole).
constexpr std::size_t min_parallel_work = std::size_t{1} << 17;
// Tile length along C's longer side: a multiple of the sgemm kernels' register blocks, and short
// enough that a batch-64 layer of 256 units gives each of 2-4 threads work.
constexpr std::size_t tile = 64;
// Up to this many rows of C, a product is one sgemv per row: sgemm would first copy all of B
// into packed panels, which costs more than reading B once per row (the demo network's forward
// pass: 12-13 µs a row as sgemv; 55 µs for 2 rows and 49 µs for 4 as tiled sgemm).
constexpr std::size_t max_vector_rows = 3;

// OpenBLAS would otherwise start its own threads and fight TBB's for the cores.
const bool single_threaded_openblas = [] {
  openblas_set_num_threads(1);
  return true;
}();

}  // namespace

std::string describe() {
  return std::string(openblas_get_config()) + ", core " + openblas_get_corename();
}

namespace {

void sgemm(Op op_a, Op op_b, std::size_t m, std::size_t n, std::size_t k, float alpha,
           const float* a, std::size_t lda, const float* b, std::size_t ldb, float beta, float* c,
           std::size_t ldc) {
  cblas_sgemm(CblasRowMajor, to_cblas(op_a), to_cblas(op_b), static_cast<blasint>(m),
              static_cast<blasint>(n), static_cast<blasint>(k), alpha, a,
              static_cast<blasint>(lda), b, static_cast<blasint>(ldb), beta, c,
              static_cast<blasint>(ldc));
}

// C = alpha · x · op(B) + beta · C for a C of one row, x the one row of op(A) (`incx` floats
// between its values): sgemv reads B once, where sgemm would first copy it into packed panels.
void row_times_matrix(Op op_b, std::size_t n, std::size_t k, float alpha, const float* x,
                      std::size_t incx, const float* b, std::size_t ldb, float beta, float* c) {
  if (beta == 0.0F) std::fill_n(c, n, 0.0F);  // BLAS leaves it to scaling: a NaN would stay
  // Row-major B is k × n (x·B = Bᵀ·x), a transposed one n × k (x·Bᵀ = B·x).
  const bool stored_k_by_n = op_b == Op::none;
  cblas_sgemv(CblasRowMajor, stored_k_by_n ? CblasTrans : CblasNoTrans,
              static_cast<blasint>(stored_k_by_n ? k : n),
              static_cast<blasint>(stored_k_by_n ? n : k), alpha, b, static_cast<blasint>(ldb), x,
              static_cast<blasint>(incx), beta, c, 1);
}

}  // namespace

void gemm(Op op_a, Op op_b, float alpha, ConstMatrixView a, ConstMatrixView b, float beta,
          MatrixView c) {
  (void)single_threaded_openblas;
  const std::size_t m = op_a == Op::none ? a.rows() : a.cols();
  const std::size_t k = op_a == Op::none ? a.cols() : a.rows();
  const std::size_t n = op_b == Op::none ? b.cols() : b.rows();
  assert(k == (op_b == Op::none ? b.rows() : b.cols()));
  assert(c.rows() == m && c.cols() == n);
  if (m == 0 || n == 0) return;
  if (m <= max_vector_rows && k > 0) {
    // A few rows (single-sample predictions): memory-bound, on the calling thread; tiles would
    // cost more to hand out than they save. Row r of op(A): a row of A or a column of Aᵀ.
    for (std::size_t r = 0; r < m; ++r) {
      const bool rows_of_a = op_a == Op::none;
      row_times_matrix(op_b, n, k, alpha, a.data() + (rows_of_a ? r * a.stride() : r),
                       rows_of_a ? 1 : a.stride(), b.data(), b.stride(), beta,
                       c.data() + r * c.stride());
    }
    return;
  }
  if (m * n * k < min_parallel_work || (m <= tile && n <= tile)) {
    sgemm(op_a, op_b, m, n, k, alpha, a.data(), a.stride(), b.data(), b.stride(), beta, c.data(),
          c.stride());
    return;
  }
  // Cut the longer side of C: each tile then re-reads (packs) only the shorter operand.
  if (m >= n) {
    parallel_blocks(m, tile, [&](std::size_t first, std::size_t end) {
      // Rows first..end of op(A): rows of A, or columns of a transposed A.
      const float* a_rows = op_a == Op::none ? a.data() + first * a.stride() : a.data() + first;
      sgemm(op_a, op_b, end - first, n, k, alpha, a_rows, a.stride(), b.data(), b.stride(), beta,
            c.data() + first * c.stride(), c.stride());
    });
  } else {
    parallel_blocks(n, tile, [&](std::size_t first, std::size_t end) {
      // Columns first..end of op(B): columns of B, or rows of a transposed B.
      const float* b_columns =
          op_b == Op::none ? b.data() + first : b.data() + first * b.stride();
      sgemm(op_a, op_b, m, end - first, k, alpha, a.data(), a.stride(), b_columns, b.stride(),
            beta, c.data() + first, c.stride());
    });
  }
}

}  // namespace fnn::blas
