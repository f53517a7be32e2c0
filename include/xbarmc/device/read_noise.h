#pragma once
//! \file device/read_noise.h
//! Output-referred read noise. With independent Gaussian device noise
//! G_ij + sigma_ij z_ij, an output current I_bj = sum_i V_bi G_ij receives the noise
//! sum_i V_bi sigma_ij z_ij, which is exactly N(0, sum_i V_bi^2 sigma_ij^2) (a linear
//! combination of independent Gaussians). Sampling it at the output costs O(outputs)
//! normals per read instead of O(devices).

#include <Eigen/Dense>

#include "xbarmc/util/rng.h"

namespace xbarmc::device {

//! Row-major float matrix (the engine's activations), and a view of a column block of one.
using RowMajorXf = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RowMajorBlock = Eigen::Ref<RowMajorXf, 0, Eigen::OuterStride<>>;
using ConstRowMajorBlock = Eigen::Ref<const RowMajorXf, 0, Eigen::OuterStride<>>;

//! Adds N(0, sum_i v_bi^2 sigma_ij^2) to currents(b, j), for inputs v [batch x rows] (V),
//! per-device sigma [rows x cols] (uS) and currents [batch x cols] (uA). Draws one normal
//! per output from `stream` (the caller's {instance, ReadNoise, layer, tile, cycle, sub}
//! stream) in one RandomStream::normals batch, in row-major order over the outputs.
//! Row-major views of the caller's matrices (no copy); thread-local scratch that keeps its
//! storage, so a repeated call with the same shapes allocates nothing.
void add_read_noise(const ConstRowMajorBlock& v, const Eigen::Ref<const Eigen::MatrixXf>& sigma_uS,
                    RandomStream& stream, RowMajorBlock currents);

}  // namespace xbarmc::device
