#include "xbarmc/nn/network_io.h"

#include <cmath>
#include <filesystem>
#include <set>

#include "xbarmc/nn/graph_io.h"
#include "xbarmc/nn/onnx_import.h"
#include "xbarmc/util/error.h"
#include "xbarmc/util/hdf5.h"
#include "xbarmc/util/version.h"

namespace xbarmc::nn {

namespace {
constexpr const char* FILETYPE = "xbarmc-network";
//! Largest tensor a network file may hold (4 GiB of float32): far above any crossbar layer.
constexpr double MAX_TENSOR_ELEMENTS = 1073741824.0;

std::vector<std::int64_t> to_i64(const std::vector<std::size_t>& v) { return {v.begin(), v.end()}; }

std::string shape_text(const std::vector<hsize_t>& s) {
  std::string out = "[";
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i > 0) out += ", ";
    out += std::to_string(s[i]);
  }
  return out + "]";
}

//! Reads a float dataset of exactly `expected` shape; IoError naming the object otherwise.
std::vector<float> read_tensor(const h5::Group& g, const std::string& name,
                               const std::vector<hsize_t>& expected) {
  const std::string where = g.file() + ":" + g.path() + "/" + name;
  // Shape first, then data: a tiny file may declare a huge (fill-value) dataset, which must be
  // refused before anything of its announced size is allocated.
  const std::vector<hsize_t> shape = g.shape(name);
  if (shape != expected)
    throw IoError(where + ": shape " + shape_text(shape) + ", expected " + shape_text(expected));
  double elements = 1;
  for (auto d : shape) elements *= static_cast<double>(d);
  if (elements > MAX_TENSOR_ELEMENTS)
    throw IoError(where + ": shape " + shape_text(shape) + " has more than 2^30 elements");
  std::vector<float> v = g.read<float>(name, nullptr);
  for (std::size_t i = 0; i < v.size(); ++i)
    if (!std::isfinite(v[i]))
      throw IoError(where + ": non-finite value (NaN or Inf) at flat index " + std::to_string(i));
  return v;
}

std::size_t positive_attr(const h5::Group& g, const std::string& name,
                          std::optional<std::int64_t> fallback) {
  if (!g.has_attr(name)) {
    if (fallback) return static_cast<std::size_t>(*fallback);
    throw IoError(g.file() + ":" + g.path() + "@" + name + ": missing attribute");
  }
  const auto v = g.read_attr<std::int64_t>(name);
  if (v < 0 || (v == 0 && name != "padding"))
    throw IoError(g.file() + ":" + g.path() + "@" + name + ": must be " +
                  (name == "padding" ? ">= 0" : ">= 1") + ", got " + std::to_string(v));
  return static_cast<std::size_t>(v);
}

Layer read_layer(const h5::Group& g, TensorShape& shape) {
  const std::string where = g.file() + ":" + g.path();
  const std::string type = g.read_attr<std::string>("type");
  Layer layer;
  if (type == "dense") {
    const auto wshape = g.shape("weight");
    if (wshape.size() != 2)
      throw IoError(where + "/weight: must be 2-d [in, out], got " + shape_text(wshape));
    const auto w = read_tensor(g, "weight", {shape.features(), wshape[1]});
    const auto b = read_tensor(g, "bias", {wshape[1]});
    Dense d;
    d.weight =
        Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
            w.data(), static_cast<Eigen::Index>(wshape[0]), static_cast<Eigen::Index>(wshape[1]));
    d.bias = Eigen::Map<const Eigen::VectorXf>(b.data(), static_cast<Eigen::Index>(b.size()));
    layer = std::move(d);
  } else if (type == "conv2d") {
    const auto wshape = g.shape("weight");
    if (wshape.size() != 4)
      throw IoError(where + "/weight: must be 4-d [out_c, in_c, kh, kw], got " +
                    shape_text(wshape));
    const auto w = read_tensor(g, "weight", {wshape[0], shape.c, wshape[2], wshape[3]});
    const auto b = read_tensor(g, "bias", {wshape[0]});
    layer = conv2d_from_oihw(
        w, wshape[0], shape.c, wshape[2], wshape[3], positive_attr(g, "stride", 1),
        positive_attr(g, "padding", 0),
        Eigen::Map<const Eigen::VectorXf>(b.data(), static_cast<Eigen::Index>(b.size())));
  } else if (type == "relu") {
    layer = ReLU{};
  } else if (type == "flatten") {
    layer = Flatten{};
  } else if (type == "maxpool2d" || type == "avgpool2d") {
    const std::size_t size = positive_attr(g, "size", std::nullopt);
    const std::size_t stride = positive_attr(g, "stride", static_cast<std::int64_t>(size));
    if (type == "maxpool2d")
      layer = MaxPool2D{size, stride};
    else
      layer = AvgPool2D{size, stride};
  } else {
    throw IoError(where + "@type: unknown layer type \"" + type +
                  "\" (known: dense, conv2d, relu, maxpool2d, avgpool2d, flatten)");
  }
  try {
    shape = output_shape(layer, shape, where);
  } catch (const InputError& e) {
    throw IoError(e.what());
  }
  return layer;
}
}  // namespace

Network load_network(const std::string& path) {
  if (is_onnx_file(path)) return import_onnx(path, OnnxImportOptions{}).network;
  const h5::File file = h5::File::open(path);
  const h5::Group root = file.root();
  if (!root.has_attr("filetype") || root.read_attr<std::string>("filetype") != FILETYPE)
    throw IoError(path + ": not an xbarmc network file (root attribute filetype must be \"" +
                  FILETYPE + "\")");
  const auto version = root.read_attr_vector<std::int64_t>("format_version");
  if (version.size() != 2 ||
      (version[0] != NETWORK_FORMAT_MAJOR && version[0] != GRAPH_FORMAT_MAJOR)) {
    std::string v;
    for (std::size_t i = 0; i < version.size(); ++i) {
      if (i > 0) v += '.';
      v += std::to_string(version[i]);
    }
    throw IoError(path + ": unsupported network format_version " + v + " (this build reads " +
                  std::to_string(NETWORK_FORMAT_MAJOR) + ".x and " +
                  std::to_string(GRAPH_FORMAT_MAJOR) + ".x)");
  }
  const std::string name = root.read_attr<std::string>("name");
  const auto dims64 = root.read_attr_vector<std::int64_t>("input_shape");
  std::vector<std::size_t> dims;
  for (auto d : dims64) {
    if (d <= 0) throw IoError(path + ":/@input_shape: sizes must be positive");
    dims.push_back(static_cast<std::size_t>(d));
  }
  if (dims.size() != 1 && dims.size() != 3)
    throw IoError(path + ":/@input_shape: must be [features] or [C, H, W]");
  TensorShape shape = dims.size() == 1 ? TensorShape{dims[0], 1, 1, false}
                                       : TensorShape{dims[0], dims[1], dims[2], true};
  if (version[0] == GRAPH_FORMAT_MAJOR) {
    Network net = read_graph_network(root, name, dims);
    for (const char* key : {"source_file", "source_sha256", "source_producer"})
      if (root.has_attr(key)) net.set_provenance(key, root.read_attr<std::string>(key));
    const auto classes = root.read_attr<std::int64_t>("num_classes");
    if (static_cast<std::int64_t>(net.num_classes()) != classes)
      throw IoError(path + ":/@num_classes: is " + std::to_string(classes) +
                    " but the graph outputs " + std::to_string(net.num_classes()));
    return net;
  }
  const h5::Group layers = root.open_group("layers");
  const auto names = layers.children();
  std::vector<Layer> out;
  for (std::size_t k = 0; k < names.size(); ++k) {
    if (!layers.exists(std::to_string(k)))
      throw IoError(path + ":/layers: layers must be named 0.." + std::to_string(names.size() - 1) +
                    ", missing /layers/" + std::to_string(k));
    out.push_back(read_layer(layers.open_group(std::to_string(k)), shape));
  }
  if (out.empty()) throw IoError(path + ":/layers: the network has no layers");
  const auto classes = root.read_attr<std::int64_t>("num_classes");
  if (shape.spatial || static_cast<std::int64_t>(shape.features()) != classes)
    throw IoError(path + ":/@num_classes: is " + std::to_string(classes) +
                  " but the last layer outputs " + shape.str());
  try {
    return Network(name, dims, std::move(out));
  } catch (const InputError& e) {
    throw IoError(path + ": " + e.what());
  }
}

std::optional<TrainingMetadata> load_training_metadata(const std::string& path) {
  const h5::File file = h5::File::open(path);
  const h5::Group root = file.root();
  if (!root.exists("training")) return std::nullopt;
  const h5::Group t = root.open_group("training");
  TrainingMetadata m;
  m.config_json = t.read_attr<std::string>("config");
  m.seed = t.read_attr<std::uint64_t>("seed");
  m.epochs = static_cast<std::size_t>(t.read_attr<std::int64_t>("epochs"));
  m.optimizer = t.read_attr<std::string>("optimizer");
  m.train_time_s = t.read_attr<double>("train_time_s");
  m.train_dataset = t.read_attr<std::string>("train_dataset");
  m.test_dataset = t.read_attr<std::string>("test_dataset");
  m.normalization = t.read_attr<std::string>("normalization");
  if (root.has_attr("test_accuracy")) m.test_accuracy = root.read_attr<double>("test_accuracy");
  m.loss = t.read<double>("loss");
  m.train_accuracy = t.read<double>("train_accuracy");
  m.test_accuracy_history = t.read<double>("test_accuracy");
  m.epoch_time_s = t.read<double>("epoch_time_s");
  return m;
}

void save_network(const Network& net, const std::string& path, const TrainingMetadata* meta) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  std::error_code ec;
  if (target.has_parent_path()) fs::create_directories(target.parent_path(), ec);
  const std::string tmp = path + ".tmp";
  {
    h5::File file = h5::File::create(tmp);
    h5::Group root = file.root();
    root.write_attr("filetype", FILETYPE);
    root.write_attr(
        "format_version",
        std::vector<std::int64_t>{net.is_graph() ? GRAPH_FORMAT_MAJOR : NETWORK_FORMAT_MAJOR, 0});
    root.write_attr("name", net.name());
    root.write_attr("input_shape", to_i64(net.input_shape()));
    root.write_attr("num_classes", static_cast<std::int64_t>(net.num_classes()));
    root.write_attr("xbarmc_version", std::string(version_string()) + " (git " + git_sha() + ")");
    if (net.is_graph()) write_graph_nodes(root, net);
    for (const auto& [key, value] : net.provenance()) root.write_attr(key, value);
    h5::Group layers = root.create_group("layers");
    for (std::size_t k = 0; k < net.num_layers(); ++k) {
      h5::Group g = layers.create_group(std::to_string(k));
      const Layer& l = net.layers()[k];
      g.write_attr("type", layer_type_name(l));
      if (const auto* d = std::get_if<Dense>(&l)) {
        const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> w = d->weight;
        g.write("weight", w.data(),
                {static_cast<hsize_t>(w.rows()), static_cast<hsize_t>(w.cols())});
        g.write("bias", d->bias.data(), {static_cast<hsize_t>(d->bias.size())});
      } else if (const auto* c = std::get_if<Conv2D>(&l)) {
        g.write("weight", conv2d_to_oihw(*c),
                {c->out_channels, c->in_channels, c->kernel_h, c->kernel_w});
        g.write("bias", c->bias.data(), {static_cast<hsize_t>(c->bias.size())});
        g.write_attr("stride", static_cast<std::int64_t>(c->stride));
        g.write_attr("padding", static_cast<std::int64_t>(c->padding));
      } else if (const auto* p = std::get_if<MaxPool2D>(&l)) {
        g.write_attr("size", static_cast<std::int64_t>(p->size));
        g.write_attr("stride", static_cast<std::int64_t>(p->stride));
      } else if (const auto* a = std::get_if<AvgPool2D>(&l)) {
        g.write_attr("size", static_cast<std::int64_t>(a->size));
        g.write_attr("stride", static_cast<std::int64_t>(a->stride));
      }
    }
    if (meta != nullptr) {
      if (meta->test_accuracy) root.write_attr("test_accuracy", *meta->test_accuracy);
      h5::Group t = root.create_group("training");
      t.write_attr("config", meta->config_json);
      t.write_attr("seed", meta->seed);
      t.write_attr("epochs", static_cast<std::int64_t>(meta->epochs));
      t.write_attr("optimizer", meta->optimizer);
      t.write_attr("train_time_s", meta->train_time_s);
      t.write_attr("train_dataset", meta->train_dataset);
      t.write_attr("test_dataset", meta->test_dataset);
      t.write_attr("normalization", meta->normalization);
      t.write("loss", meta->loss);
      t.write("train_accuracy", meta->train_accuracy);
      t.write("test_accuracy", meta->test_accuracy_history);
      t.write("epoch_time_s", meta->epoch_time_s);
    }
    file.close();
  }
  fs::rename(tmp, target, ec);
  if (ec) throw IoError(path + ": cannot move the finished file into place: " + ec.message());
}

}  // namespace xbarmc::nn
