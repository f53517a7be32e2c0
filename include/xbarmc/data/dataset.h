#pragma once
//! \file data/dataset.h
//! Labelled sample sets (test and training data): loading from IDX (MNIST-style) or HDF5
//! files, normalisation, and deterministic subsets. Format and normalisation are described in
//! docs/datasets.md.

#include <cstdint>
#include <string>
#include <vector>
#include "xbarmc/util/eigen.h"

namespace xbarmc::config {
class Node;
}

namespace xbarmc::data {

//! Row-major float32 matrix: one sample per row.
using SampleMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

//! A labelled set of samples; row-major float32.
struct Dataset {
  std::vector<std::size_t> sample_shape;  //!< per-sample shape, e.g. {1, 28, 28} (C,H,W) or {784}
  std::size_t count = 0;                  //!< number of samples
  SampleMatrix inputs;                    //!< [count x product(sample_shape)]
  std::vector<std::int32_t> labels;       //!< [count], each in [0, num_classes)
  std::size_t num_classes = 0;            //!< number of classes
  std::string description;                //!< source files, normalisation, subset

  //! Number of features per sample (product of sample_shape).
  [[nodiscard]] std::size_t features() const;
};

//! How to load a dataset (the "dataset" object of a config).
struct DatasetParams {
  std::string format = "idx";  //!< "idx" (images + labels files) or "hdf5" (one file)
  std::string images;          //!< idx: images file (.gz or plain)
  std::string labels;          //!< idx: labels file (.gz or plain)
  std::string path;            //!< hdf5: file with /inputs and /labels
  //! "auto" (= "unit" for idx, "none" for hdf5), "unit": x/255, "standard": (x/255 - mean)/std,
  //! "none": values as stored.
  std::string normalization = "auto";
  double mean = 0.2860;   //!< mean of x/255 for "standard" (default: Fashion-MNIST training set)
  double std = 0.3530;    //!< standard deviation of x/255 for "standard" (Fashion-MNIST train)
  std::size_t limit = 0;  //!< keep at most this many samples; 0 = all
  std::string subset = "first";   //!< with limit: "first" samples or a seeded "random" subset
  std::uint64_t subset_seed = 0;  //!< seed of the "random" subset (stream Purpose::DatasetSubset)
  std::size_t num_classes = 0;    //!< 0 = max label + 1; otherwise labels must be below it
};

//! Reads a dataset object (keys as in DatasetParams) and calls node.finish().
void parse_dataset(config::Node& node, DatasetParams& p);

//! Loads, normalises and subsets. IoError naming the file on any problem (missing, truncated,
//! corrupt, counts of images and labels that differ, labels out of range).
Dataset load_dataset(const DatasetParams& p);

//! Folder of Debian's dataset-fashion-mnist package.
inline constexpr const char* FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist";

//! Parameters of the Fashion-MNIST test (`train == false`) or training split, "unit" scaling.
DatasetParams fashion_mnist_params(bool train);
//! The 10000 Fashion-MNIST test images, shape {1, 28, 28}, x/255.
Dataset fashion_mnist_test();
//! The 60000 Fashion-MNIST training images, shape {1, 28, 28}, x/255.
Dataset fashion_mnist_train();

//! Keeps the given rows (in the given order) of `d`; used for subsets and tests.
Dataset select_rows(const Dataset& d, const std::vector<std::size_t>& rows);

}  // namespace xbarmc::data
