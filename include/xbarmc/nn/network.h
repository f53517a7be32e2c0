#pragma once
//! \file nn/network.h
//! A feed-forward classifier and its float32 reference forward pass (the "software
//! accuracy"), plus the hook through which the analog engine replaces every weight layer's
//! matrix product.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>
#include "xbarmc/util/eigen.h"

#include "xbarmc/nn/graph.h"
#include "xbarmc/nn/layers.h"

namespace xbarmc::data {
struct Dataset;
}

namespace xbarmc::nn {

//! Buffers of one forward pass, reused across calls (no allocation once the largest batch
//! has been seen). One per thread; never shared between concurrent calls.
struct ForwardScratch {
  MatrixRM input_hwc;                             //!< input converted to HWC (multi-channel inputs)
  std::vector<MatrixRM> out;                      //!< output of each layer (conv: [b*oh*ow x F])
  std::vector<MatrixRM> cols;                     //!< im2col matrix of each conv layer
  std::vector<std::vector<std::int32_t>> argmax;  //!< max-pool argmax of each maxpool layer
  GraphScratch graph;                             //!< buffers of a graph network
};

//! A sequential network of Dense, Conv2D, ReLU, pooling and Flatten layers whose last
//! output is a vector of class logits.
class Network {
 public:
  //! Product of weight layer `weight_layer`: fill y [rows x out] (already sized) with x * W.
  //! For Conv2D, x is the im2col matrix [batch*out_h*out_w x kh*kw*in_c].
  using MatMul = std::function<void(std::size_t weight_layer, const MatrixRM& x, MatrixRM& y)>;
  //! Sees each weight layer's output after the bias, before any activation: [rows x out].
  using Observer = std::function<void(std::size_t weight_layer, const MatrixRM& y)>;

  Network() = default;
  //! Validates the layer chain for `input_shape` ({C,H,W} or {features}); InputError naming the
  //! offending layer when shapes do not fit or weights are not finite.
  Network(std::string name, std::vector<std::size_t> input_shape, std::vector<Layer> layers);
  //! A graph (DAG) network: one input of dims {C,H,W} or {features}, one output vector of
  //! class logits. Its weight layers are the graph's weight nodes in node order; it has no
  //! sequential layers (num_layers() = 0, layers() empty).
  Network(std::string name, Graph graph);

  //! True for a graph network (see graph()).
  [[nodiscard]] bool is_graph() const { return graph_.has_value(); }
  //! The graph of a graph network (InputError for a sequential one).
  [[nodiscard]] const Graph& graph() const;
  //! Output positions per sample of weight layer `weight_layer`: out_h*out_w for a
  //! convolution (its matrix is applied once per position), 1 for a dense layer.
  [[nodiscard]] std::size_t weight_positions(std::size_t weight_layer) const;

  [[nodiscard]] std::size_t num_layers() const { return layers_.size(); }
  [[nodiscard]] std::size_t num_weight_layers() const { return weight_layers_.size(); }
  //! Weight matrix [in x out] of a weight layer (Conv2D: im2col layout, see layers.h).
  [[nodiscard]] const Eigen::MatrixXf& weight_matrix(std::size_t weight_layer) const;
  //! Bias [out] of a weight layer (digital, added after the product).
  [[nodiscard]] const Eigen::VectorXf& bias(std::size_t weight_layer) const;
  //! Mutable weights and bias (for training); shapes must not change.
  Eigen::MatrixXf& mutable_weight_matrix(std::size_t weight_layer);
  Eigen::VectorXf& mutable_bias(std::size_t weight_layer);  //!< see mutable_weight_matrix
  //! Index into layers() of weight layer `weight_layer` (graph network: index of its node).
  [[nodiscard]] std::size_t layer_of_weight(std::size_t weight_layer) const;

  [[nodiscard]] const std::vector<Layer>& layers() const { return layers_; }
  //! Input shape of layer k (k = num_layers(): the network output; graph network: k = 0 the
  //! input, k = 1 the output).
  [[nodiscard]] const TensorShape& shape_before(std::size_t k) const { return shapes_[k]; }
  [[nodiscard]] std::vector<std::size_t> input_shape() const { return input_dims_; }
  [[nodiscard]] std::size_t input_features() const { return shapes_.front().features(); }
  [[nodiscard]] std::size_t num_classes() const { return shapes_.back().features(); }
  [[nodiscard]] std::string name() const { return name_; }
  //! Provenance attributes written at the root of the network file (e.g. the source model's
  //! source_sha256 and source_producer for an ONNX import); empty for trained networks.
  [[nodiscard]] const std::map<std::string, std::string>& provenance() const { return provenance_; }
  void set_provenance(const std::string& key, const std::string& value) {  //!< see provenance
    provenance_[key] = value;
  }
  //! One line per layer with type, parameters and output shape.
  [[nodiscard]] std::string describe() const;
  //! Number of trainable parameters (weights and biases).
  [[nodiscard]] std::size_t num_parameters() const;

  //! Reference forward: inputs [batch x input_features] (dataset layout) -> logits
  //! [batch x classes]. Single-threaded.
  void forward(const MatrixRM& inputs, MatrixRM& logits, ForwardScratch& scratch) const;
  //! Forward with every weight layer's product done by `matmul`; bias, activations and pooling
  //! stay digital. Bit-identical to forward() when matmul computes `y.noalias() = x * W`.
  void forward_with(const MatrixRM& inputs, MatrixRM& logits, ForwardScratch& scratch,
                    const MatMul& matmul, const Observer& observer = nullptr) const;

 private:
  std::string name_;
  std::vector<std::size_t> input_dims_;
  std::vector<Layer> layers_;
  std::vector<TensorShape> shapes_;         // shapes_[k] = input of layer k; back() = output
  std::vector<std::size_t> weight_layers_;  // layer index of each weight layer
  std::optional<Graph> graph_;              // set for a graph network (layers_ empty)
  std::map<std::string, std::string> provenance_;
};

//! Class with the largest logit per row (the first on ties).
std::vector<std::int32_t> predict(const Network& net, const MatrixRM& inputs,
                                  ForwardScratch& scratch, std::size_t batch = 1000);
//! Fraction of `data` classified correctly, in [0, 1]. InputError when the dataset's sample
//! size does not match the network input.
double accuracy(const Network& net, const data::Dataset& data, std::size_t batch = 1000);
//! Index of the largest entry of each row (the first on ties).
void argmax_rows(const MatrixRM& logits, std::vector<std::int32_t>& out);

}  // namespace xbarmc::nn
