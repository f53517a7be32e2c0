#include "xbarmc/device/read_noise.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "xbarmc/util/error.h"

namespace xbarmc::device {

void add_read_noise(const ConstRowMajorBlock& v, const Eigen::Ref<const Eigen::MatrixXf>& sigma_uS,
                    RandomStream& stream, RowMajorBlock currents) {
  if (v.cols() != sigma_uS.rows() || currents.rows() != v.rows() ||
      currents.cols() != sigma_uS.cols())
    throw InputError("add_read_noise: shapes V [" + std::to_string(v.rows()) + " x " +
                     std::to_string(v.cols()) + "], sigma [" + std::to_string(sigma_uS.rows()) +
                     " x " + std::to_string(sigma_uS.cols()) + "], I [" +
                     std::to_string(currents.rows()) + " x " + std::to_string(currents.cols()) +
                     "] do not match");
  const Eigen::Index batch = v.rows(), rows = v.cols(), cols = sigma_uS.cols();
  // Scratch vectors keep their storage across calls (they grow, never shrink), so tiles of
  // different shapes allocate nothing once the largest has been seen.
  thread_local std::vector<float> s2, var, z;
  s2.resize(static_cast<std::size_t>(rows * cols));  // sigma^2, row-major: j is contiguous
  for (Eigen::Index i = 0; i < rows; ++i)
    for (Eigen::Index j = 0; j < cols; ++j)
      s2[static_cast<std::size_t>(i * cols + j)] = sigma_uS(i, j) * sigma_uS(i, j);
  var.resize(static_cast<std::size_t>(cols));
  z.resize(static_cast<std::size_t>(batch * cols));
  stream.normals(z.data(), z.size());
  for (Eigen::Index b = 0; b < batch; ++b) {
    // var_j = sum_i v_bi^2 sigma_ij^2 for output row b.
    std::fill(var.begin(), var.end(), 0.0f);
    for (Eigen::Index i = 0; i < rows; ++i) {
      const float v2 = v(b, i) * v(b, i);
      if (v2 == 0.0f) continue;
      const float* s = s2.data() + i * cols;
      for (Eigen::Index j = 0; j < cols; ++j) var[static_cast<std::size_t>(j)] += v2 * s[j];
    }
    float* out = &currents(b, 0);
    const float* zb = z.data() + b * cols;
    for (Eigen::Index j = 0; j < cols; ++j)
      out[j] += std::sqrt(var[static_cast<std::size_t>(j)]) * zb[j];
  }
}

}  // namespace xbarmc::device
