#include <algorithm>
#include <cmath>
#include <string>

#include "xbarmc/periphery/periphery.h"
#include "xbarmc/periphery/quantizer.h"
#include "xbarmc/util/error.h"

namespace xbarmc::periphery {

namespace {

void check_range(float range, const char* what) {
  if (!(range > 0) || !std::isfinite(range))
    throw InputError(std::string(what) +
                     ": quantiser range must be a positive finite number, got " +
                     std::to_string(range));
}

}  // namespace

void quantize(int bits, float range, Eigen::Ref<Eigen::MatrixXf> x) {
  if (bits <= 0) return;
  if (bits < 2 || bits > 24)
    throw InputError("quantize: bits must be in [2, 24], got " + std::to_string(bits));
  check_range(range, "quantize");
  const float mc = max_code(bits), step = quantizer_step(bits, range);
  if (x.outerStride() == x.rows()) {  // contiguous: the vector form
    quantize_values(x.data(), x.data(), x.size(), step, mc);
    return;
  }
  for (Eigen::Index c = 0; c < x.cols(); ++c)
    quantize_values(x.col(c).data(), x.col(c).data(), x.rows(), step, mc);
}

void quantize_dac(const DacParams& p, float range, Eigen::Ref<Eigen::MatrixXf> x) {
  quantize(p.bits, range, x);
}

void quantize_adc(const AdcParams& p, float range, Eigen::Ref<Eigen::MatrixXf> y) {
  quantize(p.bits, range, y);
}

void quantize_adc(const AdcParams& p, const Eigen::Ref<const Eigen::VectorXf>& ranges,
                  Eigen::Ref<Eigen::MatrixXf> y) {
  if (ranges.size() != y.cols())
    throw InputError("quantize_adc: " + std::to_string(ranges.size()) + " column ranges for " +
                     std::to_string(y.cols()) + " columns");
  for (Eigen::Index j = 0; j < y.cols(); ++j) quantize(p.bits, ranges(j), y.col(j));
}

float calibrate_range(const Eigen::Ref<const Eigen::MatrixXf>& x, double headroom) {
  float m = 0;
  for (Eigen::Index c = 0; c < x.cols(); ++c)
    for (Eigen::Index r = 0; r < x.rows(); ++r) m = std::max(m, std::abs(x(r, c)));
  return m > 0 ? static_cast<float>(headroom * m) : 1.0f;
}

Eigen::VectorXf calibrate_column_ranges(const Eigen::Ref<const Eigen::MatrixXf>& y,
                                        double headroom) {
  Eigen::VectorXf r(y.cols());
  for (Eigen::Index j = 0; j < y.cols(); ++j) r(j) = calibrate_range(y.col(j), headroom);
  return r;
}

}  // namespace xbarmc::periphery
