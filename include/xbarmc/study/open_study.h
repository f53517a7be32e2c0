#pragma once
//! \file study/open_study.h
//! A study with its inputs loaded once: the fixed network, the test set cut to
//! /monte_carlo/test_limit and the probe batch. `run`, `spice` and the tests open studies only
//! through here, so the evaluated samples and the calibration batch have one definition.

#include <string>
#include <vector>

#include "xbarmc/data/dataset.h"
#include "xbarmc/nn/network.h"
#include "xbarmc/study/study.h"

namespace xbarmc::study {

//! A parsed study and its loaded inputs.
struct OpenStudy {
  Study study;
  nn::Network network;  //!< from /network/path
  data::Dataset test;   //!< the first /monte_carlo/test_limit samples (all when 0)
  //! The probe batch: the first min(/monte_carlo/probe_size, test samples) rows of `test`. The
  //! periphery is calibrated on it (docs/models.md) and layer errors are measured on it.
  nn::MatrixRM probe;
};

//! The first `study.monte_carlo.test_limit` samples of `test` (all when the limit is 0 or
//! larger); throws InputError when the sample size does not match `net`'s input.
data::Dataset limit_test_set(const Study& study, const nn::Network& net, data::Dataset test);

//! The probe batch of a test set already cut by `limit_test_set`.
nn::MatrixRM probe_batch(const MonteCarloParams& mc, const data::Dataset& test);

//! Loads the network and the test set of a parsed study.
OpenStudy open_study(Study study);

//! Loads a config file (with `--set` overrides), its network and its test set.
OpenStudy open_study(const std::string& config_path, const std::vector<std::string>& overrides);

}  // namespace xbarmc::study
