#pragma once
//! \file chip/point_setup.h
//! What is fixed for one sweep point before any chip is drawn: the mapping of
//! every weight layer, and the periphery ranges calibrated on the software
//! network (DAC input range per layer, ADC range per tile), as a chip designer
//! sets them from the known model.

#include <vector>

#include "xbarmc/mapping/mapping.h"
#include "xbarmc/nn/network.h"
#include "xbarmc/study/study.h"

namespace xbarmc::chip {

//! One weight layer of one point.
struct LayerSetup {
  mapping::LayerMap map;  //!< targets per tile, weight scale
  float dac_range =
      1.0f;  //!< DAC full scale (input units): fixed, or max |input| on the calibration batch
  //! ADC full scale per tile and weight column (weight units): fixed, or max |partial sum| of
  //! that column (or of the whole tile) on the calibration batch, times the headroom.
  std::vector<Eigen::VectorXf> adc_range;
  //! ADC step (weight units) per row tile and output column [n_row_tiles x out]: the
  //! quantiser step range / (2^(bits-1) - 1) of the tile holding that column (empty
  //! without ADC). Precomputed so the hot loop neither divides ranges nor validates them.
  nn::MatrixRM adc_step;
  nn::MatrixRM adc_inv_step;  //!< 1 / adc_step, same shape
};

//! One sweep point, ready for its instances.
struct PointSetup {
  const study::PointModels* models =
      nullptr;                     //!< the point's parsed models (owned by the study::Study)
  std::vector<LayerSetup> layers;  //!< per weight layer
};

//! Maps every weight layer and calibrates the periphery ranges on `calibration`
//! (a batch of test inputs, software weights).
PointSetup prepare_point(const nn::Network& net, const study::PointModels& models,
                         const nn::MatrixRM& calibration);

}  // namespace xbarmc::chip
