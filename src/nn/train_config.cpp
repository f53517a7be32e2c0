#include <cmath>
#include <numeric>

#include "xbarmc/nn/train.h"
#include "xbarmc/util/error.h"
#include "xbarmc/util/rng.h"

namespace xbarmc::nn {

namespace {

LayerSpec parse_layer(config::Node& node) {
  LayerSpec s;
  node.choice<std::string>("type", s.type,
                           {{"dense", "dense"},
                            {"conv2d", "conv2d"},
                            {"relu", "relu"},
                            {"maxpool2d", "maxpool2d"},
                            {"avgpool2d", "avgpool2d"},
                            {"flatten", "flatten"}});
  if (!node.has("type")) node.error("type", "required key is missing");
  const auto range = config::Range::between(1, 1 << 16);
  std::uint64_t v = 0;
  if (s.type == "dense") {
    node.require("units", v, range);
    s.units = v;
  } else if (s.type == "conv2d") {
    node.require("filters", v, range);
    s.filters = v;
    node.require("kernel", v, range);
    s.kernel = v;
    v = 1;
    node.get("stride", v, range);
    s.stride = v;
    v = 0;
    node.get("padding", v, config::Range::between(0, 1 << 10));
    s.padding = v;
  } else if (s.type == "maxpool2d" || s.type == "avgpool2d") {
    v = 2;
    node.get("size", v, range);
    s.size = v;
    v = s.size;
    node.get("stride", v, range);
    s.stride = v;
  }
  node.known({"units", "filters", "kernel", "stride", "padding", "size"});
  node.finish();
  return s;
}

}  // namespace

TrainConfig parse_train_config(const config::Json& json) {
  TrainConfig c;
  config::Diagnostics diag;
  c.resolved = config::Json::object();
  config::Node root(json, "", diag, &c.resolved);
  root.get("name", c.name);
  root.get("seed", c.seed);
  config::Node ds = root.child("dataset");
  if (!root.has("dataset")) root.error("dataset", "required key is missing");
  data::parse_dataset(ds, c.dataset);
  config::Node ts = root.child("test_dataset");
  if (!root.has("test_dataset")) root.error("test_dataset", "required key is missing");
  data::parse_dataset(ts, c.test_dataset);
  if (!root.has("architecture")) root.error("architecture", "required key is missing");
  for (config::Node& layer : root.children("architecture"))
    c.architecture.push_back(parse_layer(layer));
  config::Node opt = root.child("optimizer");
  auto& o = c.optimizer;
  opt.choice<std::string>("type", o.type, {{"adam", "adam"}, {"sgd", "sgd"}});
  if (o.type == "sgd" && !opt.has("learning_rate")) o.learning_rate = 0.01;
  opt.get("learning_rate", o.learning_rate, config::Range::positive());
  opt.get("momentum", o.momentum, {0.0, 1.0, false, true});
  opt.get("beta1", o.beta1, {0.0, 1.0, false, true});
  opt.get("beta2", o.beta2, {0.0, 1.0, false, true});
  opt.get("epsilon", o.epsilon, config::Range::positive());
  opt.get("weight_decay", o.weight_decay, config::Range::at_least(0));
  opt.choice<std::string>("schedule", o.schedule, {{"constant", "constant"}, {"cosine", "cosine"}});
  opt.finish();
  std::uint64_t v = c.epochs;
  root.get("epochs", v, config::Range::between(1, 100000));
  c.epochs = v;
  v = c.batch_size;
  root.get("batch_size", v, config::Range::between(1, 1 << 20));
  c.batch_size = v;
  v = c.shards;
  root.get("shards", v, config::Range::between(1, 64));
  c.shards = v;
  c.output = "results/networks/" + c.name + ".h5";
  root.get("output", c.output);
  root.finish();
  diag.throw_if_any();
  return c;
}

Network build_network(const std::string& name, const std::vector<LayerSpec>& arch,
                      const std::vector<std::size_t>& input_shape, std::size_t num_classes,
                      std::uint64_t seed) {
  if (arch.empty()) throw ConfigError("/architecture", "needs at least one layer");
  // Inputs of 3 dimensions are (C,H,W) images; any other shape is used as a feature vector.
  const std::vector<std::size_t> dims =
      input_shape.size() == 3
          ? input_shape
          : std::vector<std::size_t>{std::accumulate(input_shape.begin(), input_shape.end(),
                                                     std::size_t{1}, std::multiplies<>())};
  TensorShape s = dims.size() == 3 ? TensorShape{dims[0], dims[1], dims[2], true}
                                   : TensorShape{dims[0], 1, 1, false};
  std::vector<Layer> layers;
  std::uint32_t wi = 0;
  for (std::size_t k = 0; k < arch.size(); ++k) {
    const LayerSpec& a = arch[k];
    const std::string ptr = "/architecture/" + std::to_string(k);
    auto init = [&](Eigen::MatrixXf& w, std::size_t fan_in) {
      RandomStream rng(seed, StreamId{0, Purpose::TrainingInit, wi++, 0, 0, 0});
      const double sd = std::sqrt(2.0 / static_cast<double>(fan_in));
      for (Eigen::Index r = 0; r < w.rows(); ++r)
        for (Eigen::Index col = 0; col < w.cols(); ++col)
          w(r, col) = static_cast<float>(sd * rng.normal());
    };
    Layer layer;
    if (a.type == "dense") {
      if (s.spatial)
        throw ConfigError(
            ptr, "dense needs a feature vector, got " + s.str() + " (add a flatten layer)");
      Dense d{Eigen::MatrixXf(s.c, a.units),
              Eigen::VectorXf::Zero(static_cast<Eigen::Index>(a.units))};
      init(d.weight, s.c);
      layer = std::move(d);
    } else if (a.type == "conv2d") {
      if (!s.spatial) throw ConfigError(ptr, "conv2d needs a C x H x W input, got " + s.str());
      Conv2D c{s.c,
               a.filters,
               a.kernel,
               a.kernel,
               a.stride,
               a.padding,
               Eigen::MatrixXf(a.kernel * a.kernel * s.c, a.filters),
               Eigen::VectorXf::Zero(static_cast<Eigen::Index>(a.filters))};
      init(c.weight, a.kernel * a.kernel * s.c);
      layer = std::move(c);
    } else if (a.type == "relu") {
      layer = ReLU{};
    } else if (a.type == "maxpool2d") {
      layer = MaxPool2D{a.size, a.stride};
    } else if (a.type == "avgpool2d") {
      layer = AvgPool2D{a.size, a.stride};
    } else {
      layer = Flatten{};
    }
    try {
      s = output_shape(layer, s, "layer " + std::to_string(k));
    } catch (const InputError& e) {
      throw ConfigError(ptr, e.what());
    }
    layers.push_back(std::move(layer));
  }
  if (s.spatial || s.features() != num_classes)
    throw ConfigError("/architecture", "the last layer outputs " + s.str() +
                                           " values but the dataset has " +
                                           std::to_string(num_classes) + " classes");
  return Network(name, dims, std::move(layers));
}

}  // namespace xbarmc::nn
