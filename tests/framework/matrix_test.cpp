#include <fnn/blas.hpp>

#include "support/test_support.hpp"

TEST_CASE("matrices are row-major, one sample per row", "[matrix]") {
  const fnn::Matrix m{{1, 2, 3}, {4, 5, 6}};
  CHECK(m.rows() == 2);
  CHECK(m.cols() == 3);
  CHECK(m.data()[3] == 4.0F);
  const fnn::ConstMatrixView second = m.view().row_block(1, 1);
  CHECK(second(0, 2) == 6.0F);
  CHECK(fnn::test::error_message([] { fnn::Matrix ragged{{1, 2}, {3}}; }) ==
        "Matrix: row 2 has 1 values, the first row has 2");
}

TEST_CASE("gemm computes op(A)·op(B) in every transpose combination", "[matrix][blas]") {
  using fnn::blas::Op;
  const fnn::Matrix a{{1, 2}, {3, 4}, {5, 6}};           // 3 × 2
  const fnn::Matrix a_t{{1, 3, 5}, {2, 4, 6}};           // its transpose
  const fnn::Matrix b{{1, 0, 2}, {-1, 3, 1}};            // 2 × 3
  const fnn::Matrix b_t{{1, -1}, {0, 3}, {2, 1}};
  const fnn::Matrix expected{{-1, 6, 4}, {-1, 12, 10}, {-1, 18, 16}};
  for (const auto& [op_a, left] : {std::pair{Op::none, &a}, std::pair{Op::transpose, &a_t}}) {
    for (const auto& [op_b, right] : {std::pair{Op::none, &b}, std::pair{Op::transpose, &b_t}}) {
      fnn::Matrix c(3, 3);
      fnn::blas::gemm(op_a, op_b, 1.0F, *left, *right, 0.0F, c);
      CHECK(std::vector<float>(c.values().begin(), c.values().end()) ==
            std::vector<float>(expected.values().begin(), expected.values().end()));
    }
  }
  // beta = 1 accumulates, alpha scales.
  fnn::Matrix c(3, 3);
  std::fill(c.values().begin(), c.values().end(), 1.0F);
  fnn::blas::gemm(Op::none, Op::none, 2.0F, a, b, 1.0F, c);
  CHECK(c(2, 1) == 37.0F);
}
