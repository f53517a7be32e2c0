// GCC 12 reports a false -Wmaybe-uninitialized inside Eigen 3.4's AVX-512 GEMM kernel
// (gebp_kernel) under -march=native; the warning is in Eigen, not in this file.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include "xbarmc/device/read_noise.h"

#include <cmath>
#include <string>

#include "xbarmc/error.h"

namespace xbarmc::device {

void add_read_noise(const Eigen::Ref<const Eigen::MatrixXf>& v,
                    const Eigen::Ref<const Eigen::MatrixXf>& sigma_uS, RandomStream& stream,
                    Eigen::Ref<Eigen::MatrixXf> currents) {
  if (v.cols() != sigma_uS.rows() || currents.rows() != v.rows() ||
      currents.cols() != sigma_uS.cols())
    throw InputError("add_read_noise: shapes V [" + std::to_string(v.rows()) + " x " +
                     std::to_string(v.cols()) + "], sigma [" + std::to_string(sigma_uS.rows()) +
                     " x " + std::to_string(sigma_uS.cols()) + "], I [" +
                     std::to_string(currents.rows()) + " x " + std::to_string(currents.cols()) +
                     "] do not match");
  thread_local Eigen::MatrixXf v2, s2, var;
  v2 = v.array().square();
  s2 = sigma_uS.array().square();
  var.noalias() = v2 * s2;  // [batch x cols]: sum_i v_bi^2 sigma_ij^2
  for (Eigen::Index b = 0; b < currents.rows(); ++b)
    for (Eigen::Index j = 0; j < currents.cols(); ++j)
      currents(b, j) +=
          static_cast<float>(std::sqrt(static_cast<double>(var(b, j))) * stream.normal());
}

}  // namespace xbarmc::device
