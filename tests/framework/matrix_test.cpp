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

namespace {

// The stored matrix behind op(X) of shape rows × cols: cols × rows when transposed.
fnn::Matrix random_operand(fnn::blas::Op op, std::size_t rows, std::size_t cols, fnn::Rng& rng) {
  fnn::Matrix m = op == fnn::blas::Op::none ? fnn::Matrix(rows, cols) : fnn::Matrix(cols, rows);
  for (float& x : m.values()) x = static_cast<float>(static_cast<int>(rng.below(9))) - 4.0F;
  return m;
}

float operand(fnn::blas::Op op, const fnn::Matrix& m, std::size_t row, std::size_t col) {
  return op == fnn::blas::Op::none ? m(row, col) : m(col, row);
}

}  // namespace

TEST_CASE("large products are cut into parallel tiles and still exact", "[matrix][blas]") {
  using fnn::blas::Op;
  fnn::Rng rng(17);
  // m > n cuts rows, m < n cuts columns; 200 = 3 × 64 + 8 leaves a ragged tile. Small whole
  // numbers keep every sum exact, so the tiles must give exactly the reference.
  for (const auto& [m, n, k] : {std::tuple<std::size_t, std::size_t, std::size_t>{200, 70, 40},
                                {48, 200, 90}, {130, 130, 33}}) {
    for (const Op op_a : {Op::none, Op::transpose}) {
      for (const Op op_b : {Op::none, Op::transpose}) {
        const fnn::Matrix a = random_operand(op_a, m, k, rng);
        const fnn::Matrix b = random_operand(op_b, k, n, rng);
        fnn::Matrix c(m, n);
        std::fill(c.values().begin(), c.values().end(), 1.0F);
        fnn::blas::gemm(op_a, op_b, 2.0F, a, b, 0.5F, c);
        std::size_t wrong = 0;
        for (std::size_t i = 0; i < m; ++i) {
          for (std::size_t j = 0; j < n; ++j) {
            float expected = 0.5F;
            for (std::size_t l = 0; l < k; ++l) {
              expected += 2.0F * operand(op_a, a, i, l) * operand(op_b, b, l, j);
            }
            wrong += c(i, j) != expected ? 1 : 0;
          }
        }
        CHECK(wrong == 0);
      }
    }
  }
}

TEST_CASE("the BLAS description names OpenBLAS's build and its core", "[matrix][blas]") {
  const std::string description = fnn::blas::describe();
  CHECK_THAT(description, Catch::Matchers::StartsWith("OpenBLAS"));
  const std::size_t core = description.rfind(", core ");
  REQUIRE(core != std::string::npos);
  CHECK(core + 7 < description.size());  // a core name follows
}
