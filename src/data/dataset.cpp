#include "xbarmc/data/dataset.h"

#include <algorithm>
#include <boost/random/uniform_int_distribution.hpp>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <sstream>

#include "xbarmc/config/node.h"
#include "xbarmc/data/idx.h"
#include "xbarmc/util/error.h"
#include "xbarmc/util/hdf5.h"
#include "xbarmc/util/rng.h"

namespace xbarmc::data {

std::size_t Dataset::features() const {
  return std::accumulate(sample_shape.begin(), sample_shape.end(), std::size_t{1},
                         std::multiplies<>());
}

void parse_dataset(config::Node& node, DatasetParams& p) {
  node.choice<std::string>("format", p.format, {{"idx", "idx"}, {"hdf5", "hdf5"}});
  if (p.format == "idx") {
    node.require("images", p.images);
    node.require("labels", p.labels);
    node.known({"path"});
  } else {
    node.require("path", p.path);
    node.known({"images", "labels"});
  }
  node.choice<std::string>(
      "normalization", p.normalization,
      {{"auto", "auto"}, {"unit", "unit"}, {"standard", "standard"}, {"none", "none"}});
  node.get("mean", p.mean);
  node.get("std", p.std, config::Range::positive());
  std::uint64_t limit = p.limit;
  node.get("limit", limit);
  p.limit = limit;
  node.choice<std::string>("subset", p.subset, {{"first", "first"}, {"random", "random"}});
  node.get("subset_seed", p.subset_seed);
  std::uint64_t classes = p.num_classes;
  node.get("num_classes", classes, config::Range::between(0, 1 << 20));
  p.num_classes = classes;
  node.finish();
}

namespace {

Dataset load_idx(const DatasetParams& p) {
  const IdxArray images = read_idx(p.images);
  const IdxArray labels = read_idx(p.labels);
  if (labels.shape.size() != 1)
    throw IoError(p.labels + ": labels must be a 1-d IDX array, found " +
                  std::to_string(labels.shape.size()) + " dimensions");
  if (images.shape[0] != labels.shape[0]) {
    throw IoError(p.images + " has " + std::to_string(images.shape[0]) + " samples but " +
                  p.labels + " has " + std::to_string(labels.shape[0]) + " labels");
  }
  Dataset d;
  d.count = images.shape[0];
  if (images.shape.size() == 3)
    d.sample_shape = {1, images.shape[1], images.shape[2]};  // grey images: one channel
  else
    d.sample_shape.assign(images.shape.begin() + 1, images.shape.end());
  const std::size_t f = d.features();
  d.inputs.resize(static_cast<Eigen::Index>(d.count), static_cast<Eigen::Index>(f));
  float* dst = d.inputs.data();
  for (std::size_t i = 0; i < d.count * f; ++i) dst[i] = static_cast<float>(images.values[i]);
  d.labels.assign(labels.values.begin(), labels.values.end());
  d.description = "idx images=" + p.images + " labels=" + p.labels;
  return d;
}

Dataset load_hdf5(const DatasetParams& p) {
  const h5::File file = h5::File::open(p.path);
  const h5::Group root = file.root();
  // Shapes first: a small file can declare huge datasets of fill values, which must be refused
  // before their announced size is allocated. 2^32 float32 = 16 GiB, far above any test set.
  const std::vector<hsize_t> in_shape = root.shape("inputs");
  const std::vector<hsize_t> label_shape = root.shape("labels");
  double elements = 1;
  for (auto d : in_shape) elements *= static_cast<double>(d);
  if (elements > 4294967296.0) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g", elements);
    throw IoError(p.path + ": /inputs declares " + buf + " values, more than 2^32");
  }
  if (in_shape.size() < 2)
    throw IoError(p.path + ": /inputs must have shape [n, ...sample shape], found " +
                  std::to_string(in_shape.size()) + " dimension(s)");
  if (label_shape.size() != 1 || label_shape[0] != in_shape[0]) {
    throw IoError(p.path + ": /labels must have shape [" + std::to_string(in_shape[0]) +
                  "] to match /inputs");
  }
  std::vector<float> inputs = root.read<float>("inputs", nullptr);
  std::vector<std::int64_t> labels = root.read<std::int64_t>("labels", nullptr);
  Dataset d;
  d.count = in_shape[0];
  d.sample_shape.assign(in_shape.begin() + 1, in_shape.end());
  const std::size_t f = d.features();
  d.inputs = Eigen::Map<SampleMatrix>(inputs.data(), static_cast<Eigen::Index>(d.count),
                                      static_cast<Eigen::Index>(f));
  for (std::size_t i = 0; i < inputs.size(); ++i)
    if (!std::isfinite(inputs[i]))
      throw IoError(p.path + ": /inputs holds a non-finite value at sample " +
                    std::to_string(i / f));
  d.labels.resize(labels.size());
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] < 0 || labels[i] > (1 << 30))
      throw IoError(p.path + ": /labels[" + std::to_string(i) + "] = " + std::to_string(labels[i]) +
                    " is not a class index (must be >= 0)");
    d.labels[i] = static_cast<std::int32_t>(labels[i]);
  }
  d.description = "hdf5 " + p.path;
  return d;
}

void normalize(Dataset& d, const DatasetParams& p, std::string& how) {
  how = p.normalization;
  if (how == "auto") how = p.format == "idx" ? "unit" : "none";
  if (how == "unit") {
    d.inputs *= 1.0f / 255.0f;
  } else if (how == "standard") {
    const float scale = static_cast<float>(1.0 / (255.0 * p.std));
    const float shift = static_cast<float>(p.mean / p.std);
    d.inputs = (d.inputs.array() * scale - shift).matrix();
  } else if (how != "none") {
    throw InputError("dataset normalization \"" + how +
                     "\" is not one of auto, unit, standard, none");
  }
}

std::vector<std::size_t> subset_rows(std::size_t count, const DatasetParams& p) {
  std::vector<std::size_t> rows(count);
  std::iota(rows.begin(), rows.end(), std::size_t{0});
  if (p.subset == "random") {
    // Partial Fisher-Yates shuffle (Knuth, TAOCP vol. 2, Algorithm 3.4.2 P), then sorted so the
    // subset keeps file order.
    RandomStream rng(p.subset_seed, StreamId{0, Purpose::DatasetSubset, 0, 0, 0, 0});
    for (std::size_t i = 0; i < p.limit; ++i) {
      boost::random::uniform_int_distribution<std::size_t> pick(i, count - 1);
      std::swap(rows[i], rows[pick(rng)]);
    }
    rows.resize(p.limit);
    std::sort(rows.begin(), rows.end());
  } else if (p.subset == "first") {
    rows.resize(p.limit);
  } else {
    throw InputError("dataset subset \"" + p.subset + "\" is not one of first, random");
  }
  return rows;
}

}  // namespace

Dataset select_rows(const Dataset& d, const std::vector<std::size_t>& rows) {
  Dataset out;
  out.sample_shape = d.sample_shape;
  out.num_classes = d.num_classes;
  out.description = d.description;
  out.count = rows.size();
  out.inputs.resize(static_cast<Eigen::Index>(rows.size()), d.inputs.cols());
  out.labels.resize(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (rows[i] >= d.count)
      throw InputError("select_rows: row " + std::to_string(rows[i]) + " out of range");
    out.inputs.row(static_cast<Eigen::Index>(i)) = d.inputs.row(static_cast<Eigen::Index>(rows[i]));
    out.labels[i] = d.labels[rows[i]];
  }
  return out;
}

Dataset load_dataset(const DatasetParams& p) {
  Dataset d;
  if (p.format == "idx")
    d = load_idx(p);
  else if (p.format == "hdf5")
    d = load_hdf5(p);
  else
    throw InputError("dataset format \"" + p.format + "\" is not one of idx, hdf5");
  const std::string& source = p.format == "idx" ? p.labels : p.path;
  const auto max_label = d.labels.empty() ? 0 : *std::max_element(d.labels.begin(), d.labels.end());
  if (p.num_classes == 0) {
    d.num_classes = static_cast<std::size_t>(max_label) + 1;
  } else {
    d.num_classes = p.num_classes;
    if (static_cast<std::size_t>(max_label) >= p.num_classes)
      throw IoError(source + ": label " + std::to_string(max_label) +
                    " is not below num_classes = " + std::to_string(p.num_classes));
  }
  // Subset first: normalisation is elementwise, so the order does not change the values and
  // only the kept samples need scaling.
  const bool subset = p.limit > 0 && p.limit < d.count;
  if (subset) d = select_rows(d, subset_rows(d.count, p));
  std::string how;
  normalize(d, p, how);
  std::ostringstream desc;
  desc << d.description << "; normalization=" << how;
  if (how == "standard") desc << " (mean " << p.mean << ", std " << p.std << ")";
  if (subset) {
    desc << "; subset=" << p.subset << " limit=" << p.limit;
    if (p.subset == "random") desc << " seed=" << p.subset_seed;
  }
  d.description = desc.str();
  return d;
}

DatasetParams fashion_mnist_params(bool train) {
  DatasetParams p;
  const std::string prefix = std::string(FASHION_MNIST_DIR) + (train ? "/train" : "/t10k");
  p.images = prefix + "-images-idx3-ubyte.gz";
  p.labels = prefix + "-labels-idx1-ubyte.gz";
  p.normalization = "unit";
  p.num_classes = 10;
  return p;
}

Dataset fashion_mnist_test() { return load_dataset(fashion_mnist_params(false)); }
Dataset fashion_mnist_train() { return load_dataset(fashion_mnist_params(true)); }

}  // namespace xbarmc::data
