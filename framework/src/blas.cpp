#include "fnn/blas.hpp"

#include <cblas.h>

#include <cassert>

namespace fnn::blas {

namespace {
CBLAS_TRANSPOSE to_cblas(Op op) { return op == Op::none ? CblasNoTrans : CblasTrans; }
}  // namespace

void gemm(Op op_a, Op op_b, float alpha, ConstMatrixView a, ConstMatrixView b, float beta,
          MatrixView c) {
  const std::size_t m = op_a == Op::none ? a.rows() : a.cols();
  const std::size_t k = op_a == Op::none ? a.cols() : a.rows();
  const std::size_t n = op_b == Op::none ? b.cols() : b.rows();
  assert(k == (op_b == Op::none ? b.rows() : b.cols()));
  assert(c.rows() == m && c.cols() == n);
  if (m == 0 || n == 0) return;
  cblas_sgemm(CblasRowMajor, to_cblas(op_a), to_cblas(op_b), static_cast<blasint>(m),
              static_cast<blasint>(n), static_cast<blasint>(k), alpha, a.data(),
              static_cast<blasint>(a.stride()), b.data(), static_cast<blasint>(b.stride()), beta,
              c.data(), static_cast<blasint>(c.stride()));
}

void set_threads(int threads) { openblas_set_num_threads(threads); }
int threads() { return openblas_get_num_threads(); }

}  // namespace fnn::blas
