#pragma once
//! \file chip/tile_gemm.h
//! The product of one row tile of a weight layer with its inputs, fused with what follows it
//! on a chip: ADC quantisation per output column, drift-compensation factor, and the digital
//! sum over row tiles:
//!   y[b, c] = (first ? 0 : y[b, c]) + comp[c] * q_c( sum_k x[b, k0 + k] W[k0 + k, c] ),
//!   q_c(v) = step[c] * clamp(nearbyint(v * inv_step[c]), -max_code, max_code)
//! (periphery::quantize, element for element). The weights are packed once per read
//! (PackedWeights), the partial sums never leave registers. With AVX-512 a 12 x 32 register
//! kernel (broadcast of x, two 16-float weight vectors per k); otherwise Eigen's GEMM into a
//! scratch block and the same epilogue. Optionally the input DAC is fused in front: each
//! 12-row block of the row tile's inputs is quantised into a small L1-resident buffer once and
//! used for every output panel, so the quantised input never goes to memory.

#include <vector>
#include "xbarmc/util/eigen.h"

#include "xbarmc/nn/layers.h"

namespace xbarmc::chip {

//! Weights [in x out] of one layer, packed per row tile into panels of 32 output columns,
//! k-major (panel p of row tile r holds W[k0_r + k, 32 p + j] at k * 32 + j, zero-padded).
class PackedWeights {
 public:
  //! Packs `w` [in x out] split at row-tile starts `k0` (ascending, k0[0] = 0; the last tile
  //! ends at w.rows()). Reuses its buffer: no allocation once sized.
  void pack(const Eigen::MatrixXf& w, const std::vector<int>& k0);

  [[nodiscard]] int out() const { return out_; }        //!< output columns
  [[nodiscard]] int panels() const { return panels_; }  //!< ceil(out / 32)
  [[nodiscard]] int tile_k0(int r) const { return k0_[static_cast<std::size_t>(r)]; }
  [[nodiscard]] int tile_rows(int r) const {
    return k0_[static_cast<std::size_t>(r) + 1] - tile_k0(r);
  }
  //! Panel `p` of row tile `r`: tile_rows(r) x 32 floats.
  [[nodiscard]] const float* panel(int r, int p) const {
    return data_.data() + static_cast<std::size_t>(tile_k0(r)) * panels_ * 32 +
           static_cast<std::size_t>(p) * tile_rows(r) * 32;
  }

 private:
  std::vector<float, Eigen::aligned_allocator<float>> data_;
  std::vector<int> k0_;  // row-tile starts, plus the end
  int out_ = 0;
  int panels_ = 0;
};

//! What follows the product of one row tile (null pointers switch a stage off).
struct TileEpilogue {
  const float* step = nullptr;      //!< ADC step per output column (weight units), or null
  const float* inv_step = nullptr;  //!< 1 / step per output column (with step)
  const float* comp = nullptr;      //!< compensation factor per output column, or null
  float max_code = 0;               //!< 2^(bits-1) - 1 of the ADC
  bool first = false;               //!< first row tile: y is overwritten, not accumulated
  //! DAC on the input, fused in front of the product (a prologue): x is read as
  //! q(x) = dac_step * clamp(nearbyint(x * (1 / dac_step)), -dac_max_code, dac_max_code)
  //! (periphery::quantize, element for element); dac_step = 0 leaves x as it is.
  float dac_step = 0;
  float dac_max_code = 0;  //!< 2^(bits-1) - 1 of the DAC
};

//! y [b x out] (row-major) gets row tile `r` of `w` applied to x [b x in] (row-major), fused
//! with `e` (see file comment). `scratch` is used by the portable path only (and, with the
//! DAC prologue, holds the quantised input there).
void tile_gemm(const nn::MatrixRM& x, const PackedWeights& w, const Eigen::MatrixXf& w_plain, int r,
               const TileEpilogue& e, nn::MatrixRM& y, nn::MatrixRM& scratch);

}  // namespace xbarmc::chip
