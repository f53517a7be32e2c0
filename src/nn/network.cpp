#include "xbarmc/nn/network.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <utility>

#include "xbarmc/data/dataset.h"
#include "xbarmc/nn/ops.h"
#include "xbarmc/util/error.h"
#include "xbarmc/util/overloaded.h"

namespace xbarmc::nn {

namespace {
void check_finite(const Eigen::MatrixXf& m, const std::string& what) {
  if (!m.allFinite()) throw InputError(what + " holds NaN or Inf values");
}
void check_finite(const Eigen::VectorXf& v, const std::string& what) {
  if (!v.allFinite()) throw InputError(what + " holds NaN or Inf values");
}
}  // namespace

Network::Network(std::string name, std::vector<std::size_t> input_shape, std::vector<Layer> layers)
    : name_(std::move(name)), input_dims_(std::move(input_shape)), layers_(std::move(layers)) {
  TensorShape s;
  if (input_dims_.size() == 1 && input_dims_[0] > 0) {
    s = {input_dims_[0], 1, 1, false};
  } else if (input_dims_.size() == 3 && input_dims_[0] > 0 && input_dims_[1] > 0 &&
             input_dims_[2] > 0) {
    s = {input_dims_[0], input_dims_[1], input_dims_[2], true};
  } else {
    throw InputError("network \"" + name_ +
                     "\": input shape must be {features} or {C, H, W} with positive sizes");
  }
  if (layers_.empty()) throw InputError("network \"" + name_ + "\" has no layers");
  shapes_.push_back(s);
  for (std::size_t k = 0; k < layers_.size(); ++k) {
    const std::string where =
        "layer " + std::to_string(k) + " (" + layer_type_name(layers_[k]) + ")";
    s = output_shape(layers_[k], s, where);
    if (s.features() == 0) throw InputError(where + ": output is empty");
    shapes_.push_back(s);
    if (const auto* d = std::get_if<Dense>(&layers_[k])) {
      check_finite(d->weight, where + " weight");
      check_finite(d->bias, where + " bias");
      weight_layers_.push_back(k);
    } else if (const auto* c = std::get_if<Conv2D>(&layers_[k])) {
      check_finite(c->weight, where + " weight");
      check_finite(c->bias, where + " bias");
      weight_layers_.push_back(k);
    }
  }
  if (s.spatial)
    throw InputError("network \"" + name_ +
                     "\": the last layer must output a vector of class logits, got " + s.str());
}

Network::Network(std::string name, Graph graph) : name_(std::move(name)), graph_(std::move(graph)) {
  const auto& in = graph_->dims(0);
  if (graph_->num_inputs() != 1)
    throw InputError("network \"" + name_ + "\": a graph network has exactly one input, got " +
                     std::to_string(graph_->num_inputs()));
  if (in.size() == 1)
    shapes_.push_back({in[0], 1, 1, false});
  else if (in.size() == 3)
    shapes_.push_back({in[0], in[1], in[2], true});
  else
    throw InputError("network \"" + name_ + "\": input must be {features} or {C, H, W}, got " +
                     std::to_string(in.size()) + " dims");
  input_dims_ = in;
  const auto& out = graph_->dims(graph_->output_value());
  if (out.size() != 1)
    throw InputError("network \"" + name_ +
                     "\": the graph must output a vector of class logits, got " +
                     std::to_string(out.size()) + " dims");
  shapes_.push_back({out[0], 1, 1, false});
  weight_layers_ = graph_->weight_nodes();
}

const Graph& Network::graph() const {
  if (!graph_) throw InputError("network \"" + name_ + "\" is sequential, not a graph");
  return *graph_;
}

std::size_t Network::weight_positions(std::size_t i) const {
  if (graph_) return graph_->positions(i);
  const TensorShape& out = shapes_[layer_of_weight(i) + 1];
  return out.spatial ? out.h * out.w : 1;
}

const Eigen::MatrixXf& Network::weight_matrix(std::size_t i) const {
  if (graph_) return graph_->nodes()[layer_of_weight(i)].weight;
  const Layer& l = layers_.at(layer_of_weight(i));
  if (const auto* d = std::get_if<Dense>(&l)) return d->weight;
  return std::get<Conv2D>(l).weight;
}

const Eigen::VectorXf& Network::bias(std::size_t i) const {
  if (graph_) return graph_->nodes()[layer_of_weight(i)].bias;
  const Layer& l = layers_.at(layer_of_weight(i));
  if (const auto* d = std::get_if<Dense>(&l)) return d->bias;
  return std::get<Conv2D>(l).bias;
}

Eigen::MatrixXf& Network::mutable_weight_matrix(std::size_t i) {
  if (graph_) return graph_->mutable_nodes()[layer_of_weight(i)].weight;
  return const_cast<Eigen::MatrixXf&>(std::as_const(*this).weight_matrix(i));
}
Eigen::VectorXf& Network::mutable_bias(std::size_t i) {
  if (graph_) return graph_->mutable_nodes()[layer_of_weight(i)].bias;
  return const_cast<Eigen::VectorXf&>(std::as_const(*this).bias(i));
}

std::size_t Network::layer_of_weight(std::size_t i) const {
  if (i >= weight_layers_.size())
    throw InputError("weight layer " + std::to_string(i) + " does not exist (network has " +
                     std::to_string(weight_layers_.size()) + ")");
  return weight_layers_[i];
}

std::size_t Network::num_parameters() const {
  std::size_t n = 0;
  for (std::size_t i = 0; i < num_weight_layers(); ++i)
    n += static_cast<std::size_t>(weight_matrix(i).size() + bias(i).size());
  return n;
}

std::string Network::describe() const {
  std::ostringstream os;
  os << "network \"" << name_ << "\": input " << shapes_.front().str() << ", " << num_classes()
     << " classes, " << num_parameters() << " parameters\n";
  if (graph_) return os.str() + graph_->describe();
  for (std::size_t k = 0; k < layers_.size(); ++k) {
    os << "  " << k << " " << layer_type_name(layers_[k]);
    std::visit(util::Overloaded{
                   [&](const Dense& d) { os << " " << d.weight.rows() << "x" << d.weight.cols(); },
                   [&](const Conv2D& c) {
                     os << " " << c.out_channels << " filters " << c.kernel_h << "x" << c.kernel_w
                        << " stride " << c.stride << " padding " << c.padding << " (matrix "
                        << c.weight.rows() << "x" << c.weight.cols() << ")";
                   },
                   [&](const MaxPool2D& p) { os << " " << p.size << " stride " << p.stride; },
                   [&](const AvgPool2D& p) { os << " " << p.size << " stride " << p.stride; },
                   [](const auto&) {}},
               layers_[k]);
    os << " -> " << shapes_[k + 1].str() << "\n";
  }
  return os.str();
}

void Network::forward(const MatrixRM& inputs, MatrixRM& logits, ForwardScratch& scratch) const {
  forward_with(inputs, logits, scratch, [this](std::size_t i, const MatrixRM& x, MatrixRM& y) {
    y.noalias() = x * weight_matrix(i);
  });
}

void Network::forward_with(const MatrixRM& inputs, MatrixRM& logits, ForwardScratch& scratch,
                           const MatMul& matmul, const Observer& observer) const {
  if (graph_) {
    if (static_cast<std::size_t>(inputs.cols()) != input_features())
      throw InputError("forward: inputs have " + std::to_string(inputs.cols()) +
                       " features, network \"" + name_ + "\" expects " +
                       std::to_string(input_features()) + " (" + shapes_.front().str() + ")");
    logits = graph_->forward_with({&inputs}, scratch.graph, matmul, observer);
    return;
  }
  if (layers_.empty()) throw InputError("forward: the network has no layers");
  if (static_cast<std::size_t>(inputs.cols()) != input_features())
    throw InputError("forward: inputs have " + std::to_string(inputs.cols()) +
                     " features, network \"" + name_ + "\" expects " +
                     std::to_string(input_features()) + " (" + shapes_.front().str() + ")");
  const auto batch = static_cast<std::size_t>(inputs.rows());
  const auto rows = static_cast<Eigen::Index>(batch);
  scratch.out.resize(layers_.size());
  scratch.cols.resize(layers_.size());
  scratch.argmax.resize(layers_.size());
  const MatrixRM* x = &inputs;
  if (shapes_[0].spatial && shapes_[0].c > 1) {
    scratch.input_hwc.resize(inputs.rows(), inputs.cols());
    ops::chw_to_hwc(inputs.data(), batch, shapes_[0], scratch.input_hwc.data());
    x = &scratch.input_hwc;
  }
  std::size_t wi = 0;
  for (std::size_t k = 0; k < layers_.size(); ++k) {
    const TensorShape& in = shapes_[k];
    const TensorShape& os = shapes_[k + 1];
    MatrixRM& y = scratch.out[k];
    std::visit(util::Overloaded{
                   [&](const Dense& d) {
                     y.resize(rows, d.weight.cols());
                     matmul(wi, *x, y);
                     y.rowwise() += d.bias.transpose();
                     if (observer) observer(wi, y);
                     ++wi;
                   },
                   [&](const Conv2D& c) {
                     ops::im2col(x->data(), batch, in, c, scratch.cols[k]);
                     y.resize(static_cast<Eigen::Index>(batch * os.h * os.w), c.weight.cols());
                     matmul(wi, scratch.cols[k], y);
                     y.rowwise() += c.bias.transpose();
                     if (observer) observer(wi, y);
                     ++wi;
                   },
                   [&](const ReLU&) { y = x->cwiseMax(0.0f); },
                   [&](const MaxPool2D& p) {
                     y.resize(rows, static_cast<Eigen::Index>(os.features()));
                     scratch.argmax[k].resize(batch * os.features());
                     ops::max_pool(x->data(), batch, in, p, y.data(), scratch.argmax[k].data());
                   },
                   [&](const AvgPool2D& p) {
                     y.resize(rows, static_cast<Eigen::Index>(os.features()));
                     ops::avg_pool(x->data(), batch, in, p, y.data());
                   },
                   [&](const Flatten&) {
                     y.resize(rows, static_cast<Eigen::Index>(os.features()));
                     if (in.spatial && in.c > 1)
                       ops::hwc_to_chw(x->data(), batch, in, y.data());
                     else
                       std::copy(x->data(), x->data() + batch * in.features(), y.data());
                   }},
               layers_[k]);
    x = &y;
  }
  logits = Eigen::Map<const MatrixRM>(x->data(), rows, static_cast<Eigen::Index>(num_classes()));
}

void argmax_rows(const MatrixRM& logits, std::vector<std::int32_t>& out) {
  out.resize(static_cast<std::size_t>(logits.rows()));
  for (Eigen::Index r = 0; r < logits.rows(); ++r) {
    Eigen::Index best = 0;
    for (Eigen::Index c = 1; c < logits.cols(); ++c)
      if (logits(r, c) > logits(r, best)) best = c;
    out[static_cast<std::size_t>(r)] = static_cast<std::int32_t>(best);
  }
}

std::vector<std::int32_t> predict(const Network& net, const MatrixRM& inputs,
                                  ForwardScratch& scratch, std::size_t batch) {
  std::vector<std::int32_t> out(static_cast<std::size_t>(inputs.rows())), part;
  MatrixRM x, logits;
  batch = std::max<std::size_t>(batch, 1);
  for (std::size_t start = 0; start < out.size(); start += batch) {
    const auto n = static_cast<Eigen::Index>(std::min(batch, out.size() - start));
    x = inputs.middleRows(static_cast<Eigen::Index>(start), n);
    net.forward(x, logits, scratch);
    argmax_rows(logits, part);
    std::copy(part.begin(), part.end(), out.begin() + static_cast<std::ptrdiff_t>(start));
  }
  return out;
}

double accuracy(const Network& net, const data::Dataset& data, std::size_t batch) {
  if (data.features() != net.input_features())
    throw InputError("dataset samples have " + std::to_string(data.features()) +
                     " features, network \"" + net.name() + "\" expects " +
                     std::to_string(net.input_features()));
  if (data.count == 0) throw InputError("accuracy: the dataset is empty");
  for (const auto label : data.labels)
    if (label < 0 || static_cast<std::size_t>(label) >= net.num_classes())
      throw InputError("dataset label " + std::to_string(label) + " is not a class of network \"" +
                       net.name() + "\" (" + std::to_string(net.num_classes()) + " classes)");
  ForwardScratch scratch;
  const auto pred = predict(net, data.inputs, scratch, batch);
  std::size_t correct = 0;
  for (std::size_t i = 0; i < pred.size(); ++i) correct += pred[i] == data.labels[i] ? 1 : 0;
  return static_cast<double>(correct) / static_cast<double>(pred.size());
}

}  // namespace xbarmc::nn
