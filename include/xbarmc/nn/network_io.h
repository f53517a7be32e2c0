#pragma once
//! \file nn/network_io.h
//! The HDF5 network file (format 1.0, documented field by field in docs/network-format.md).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "xbarmc/nn/network.h"

namespace xbarmc::nn {

//! Major and minor format version written by this build; readers accept the same major.
inline constexpr std::int64_t NETWORK_FORMAT_MAJOR = 1;
inline constexpr std::int64_t NETWORK_FORMAT_MINOR = 0;  //!< see NETWORK_FORMAT_MAJOR

//! How a network was trained (written by `xbarmc train`, optional in a network file).
struct TrainingMetadata {
  std::string config_json;                    //!< resolved training config
  std::uint64_t seed = 0;                     //!< training seed
  std::size_t epochs = 0;                     //!< epochs run
  std::string optimizer;                      //!< e.g. "adam lr=0.001"
  double train_time_s = 0;                    //!< wall time of training, seconds
  std::string train_dataset;                  //!< description of the training data
  std::string test_dataset;                   //!< description of the test data
  std::string normalization;                  //!< input normalisation the network expects
  std::optional<double> test_accuracy;        //!< final accuracy on test_dataset, fraction
  std::vector<double> loss;                   //!< mean training loss per epoch
  std::vector<double> train_accuracy;         //!< training accuracy per epoch (during the epoch)
  std::vector<double> test_accuracy_history;  //!< test accuracy after each epoch
  std::vector<double> epoch_time_s;           //!< wall time of each epoch, seconds
};

//! Reads a network file. IoError naming the file and object on: not HDF5, wrong filetype,
//! unsupported format version, missing or unknown layer type, wrong shapes, NaN/Inf values.
Network load_network(const std::string& path);
//! Reads the training metadata of a network file (nullopt when it has none).
std::optional<TrainingMetadata> load_training_metadata(const std::string& path);
//! Writes `net` (and `meta` when not null) to `path`, creating parent folders; the file is
//! written under a temporary name and renamed when complete.
void save_network(const Network& net, const std::string& path, const TrainingMetadata* meta);

}  // namespace xbarmc::nn
