#include "xbarmc/chip/point_setup.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "xbarmc/periphery/periphery.h"
#include "xbarmc/periphery/quantizer.h"
#include "xbarmc/util/error.h"

namespace xbarmc::chip {

PointSetup prepare_point(const nn::Network& net, const study::PointModels& models,
                         const nn::MatrixRM& calibration) {
  PointSetup setup;
  setup.models = &models;
  setup.layers.resize(net.num_weight_layers());
  for (std::size_t l = 0; l < net.num_weight_layers(); ++l)
    setup.layers[l].map = mapping::map_layer(net.weight_matrix(l), models.mapping);

  // Software pass over the calibration batch: record each weight layer's input range and the
  // partial sums of each tile (the ADC sees one tile's rows at a time).
  const auto& per = models.periphery;
  nn::ForwardScratch scratch;
  nn::MatrixRM logits;
  Eigen::MatrixXf partial;
  const nn::Network::MatMul record = [&](std::size_t l, const nn::MatrixRM& x, nn::MatrixRM& y) {
    const Eigen::MatrixXf& w = net.weight_matrix(l);
    y.noalias() = x * w;
    LayerSetup& ls = setup.layers[l];
    // A row-major [b x in] matrix is a column-major [in x b] one: same elements.
    const Eigen::Map<const Eigen::MatrixXf> xt(x.data(), x.cols(), x.rows());
    ls.dac_range = per.dac.range_mode == periphery::RangeMode::Fixed
                       ? static_cast<float>(per.dac.range)
                       : periphery::calibrate_range(xt);
    ls.adc_range.resize(ls.map.tiles.size());
    for (const auto& t : ls.map.tiles) {
      Eigen::VectorXf& r = ls.adc_range[static_cast<std::size_t>(t.index)];
      if (per.adc.range_mode == periphery::RangeMode::Fixed) {
        r.setConstant(t.weight_cols, static_cast<float>(per.adc.range));
        continue;
      }
      partial.noalias() =
          x.middleCols(t.row0, t.rows) * w.block(t.row0, t.col0, t.rows, t.weight_cols);
      if (per.adc.per_column)
        r = periphery::calibrate_column_ranges(partial, per.adc.calibration_headroom);
      else
        r.setConstant(t.weight_cols,
                      periphery::calibrate_range(partial, per.adc.calibration_headroom));
    }
  };
  net.forward_with(calibration, logits, scratch, record);

  // Per-column ADC steps, exactly as periphery::quantize forms them (float range / max code).
  if (per.adc.bits > 0) {
    for (LayerSetup& ls : setup.layers) {
      ls.adc_step.resize(ls.map.n_row_tiles, ls.map.out);
      ls.adc_inv_step.resize(ls.map.n_row_tiles, ls.map.out);
      for (const auto& t : ls.map.tiles) {
        const Eigen::VectorXf& r = ls.adc_range[static_cast<std::size_t>(t.index)];
        for (int j = 0; j < t.weight_cols; ++j) {
          if (!(r[j] > 0) || !std::isfinite(r[j]))
            throw InputError("ADC range of layer tile " + std::to_string(t.index) + " column " +
                             std::to_string(j) + " must be a positive finite number, got " +
                             std::to_string(r[j]));
          const float step = periphery::quantizer_step(per.adc.bits, r[j]);
          ls.adc_step(t.index / ls.map.n_col_tiles, t.col0 + j) = step;
          ls.adc_inv_step(t.index / ls.map.n_col_tiles, t.col0 + j) = 1.0f / step;
        }
      }
    }
  }
  return setup;
}

}  // namespace xbarmc::chip
