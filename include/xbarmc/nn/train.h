#pragma once
//! \file nn/train.h
//! `xbarmc train`: the training config, network construction and the training loop
//! (softmax cross-entropy, mini-batches, Adam or SGD). Deterministic: the same config and
//! seed give bit-identical weights on the same build. See docs/training.md.

#include <functional>
#include <string>
#include <vector>

#include "xbarmc/config/node.h"
#include "xbarmc/data/dataset.h"
#include "xbarmc/nn/network.h"
#include "xbarmc/nn/network_io.h"
#include "xbarmc/nn/optimizer.h"

namespace xbarmc::nn {

//! One entry of the "architecture" array.
struct LayerSpec {
  std::string type;         //!< dense, conv2d, relu, maxpool2d, avgpool2d, flatten
  std::size_t units = 0;    //!< dense: outputs
  std::size_t filters = 0;  //!< conv2d: output channels
  std::size_t kernel = 0;   //!< conv2d: square kernel size, pixels
  std::size_t stride = 0;   //!< conv2d (default 1) and pooling (default = size), pixels
  std::size_t padding = 0;  //!< conv2d: zero padding, pixels
  std::size_t size = 2;     //!< pooling window, pixels
};

//! A training config (configs/networks/*.json).
struct TrainConfig {
  std::string name = "network";         //!< network name stored in the file
  std::uint64_t seed = 1;               //!< seed of initialisation and shuffling
  data::DatasetParams dataset;          //!< training data
  data::DatasetParams test_dataset;     //!< test data (accuracy per epoch and at the end)
  std::vector<LayerSpec> architecture;  //!< layers in order
  OptimizerParams optimizer;            //!< optimiser
  std::size_t epochs = 10;              //!< passes over the training data
  std::size_t batch_size = 64;          //!< samples per mini-batch
  //! Each mini-batch is split into this many parts whose gradients are computed in parallel
  //! (TBB) and summed in a fixed order; results depend on it, not on the thread count.
  std::size_t shards = 2;
  std::string output;     //!< network file; default results/networks/<name>.h5
  config::Json resolved;  //!< the config with every default filled in
};

//! Parses and validates a training config; ConfigError listing every problem.
TrainConfig parse_train_config(const config::Json& json);

//! A fresh network for `architecture` with He-normal weights, N(0, 2/fan_in) (He et al.,
//! "Delving deep into rectifiers", ICCV 2015, eq. 10), and zero biases; draws come from
//! stream (seed, Purpose::TrainingInit, layer = weight-layer index) in row-major order.
//! ConfigError at /architecture/<i> when shapes do not fit.
Network build_network(const std::string& name, const std::vector<LayerSpec>& architecture,
                      const std::vector<std::size_t>& input_shape, std::size_t num_classes,
                      std::uint64_t seed);

//! Progress of one epoch.
struct EpochReport {
  std::size_t epoch = 0;   //!< 1-based
  std::size_t epochs = 0;  //!< total
  double loss = 0;         //!< mean training loss over the epoch, nats
  double train_accuracy =
      0;  //!< fraction of training samples classified correctly (before each update)
  double test_accuracy = 0;  //!< accuracy on the test data after the epoch
  double seconds = 0;        //!< wall time of the epoch
};

//! Trains a network built from `cfg` on `train` and evaluates on `test`.
//! `progress` (may be null) is called after every epoch.
Network train_network(const TrainConfig& cfg, const data::Dataset& train, const data::Dataset& test,
                      TrainingMetadata& meta,
                      const std::function<void(const EpochReport&)>& progress);

}  // namespace xbarmc::nn
