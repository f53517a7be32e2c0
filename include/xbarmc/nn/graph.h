#pragma once
//! \file nn/graph.h
//! A network as a directed acyclic graph of operators (ONNX-style), with a float32 reference
//! forward pass and the same analog hook as the sequential Network: every weight node (Conv,
//! Dense) is one matrix product [rows x in] * [in x out] that the engine may replace.
//!
//! Values: value i < num_inputs is graph input i; node k writes value num_inputs + k. Nodes are
//! in topological order and the last node's value is the graph output. Each value has
//! per-sample dims (the batch is the leading dimension, not listed). Storage is one row per
//! sample: rank-3 values (C,H,W) are stored channel-last (HWC, as nn/layers.h), every other
//! rank in row-major logical order.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "xbarmc/nn/layers.h"

namespace xbarmc::nn {

//! Operators of a graph network (names as in ONNX where they match one ONNX op).
enum class GraphOp : std::int32_t {
  Conv,           //!< 2-d convolution through im2col; block-diagonal matrix when group > 1
  Dense,          //!< y = x W + b on a feature vector (ONNX Gemm, MatMul)
  Affine,         //!< per-channel y = x * scale + shift (BatchNormalization not folded)
  Add,            //!< elementwise sum, numpy broadcasting; optional constant second operand
  Concat,         //!< concatenation along the channel (first per-sample) axis
  Relu,           //!< max(x, 0)
  Clip,           //!< min(max(x, lo), hi)
  LeakyRelu,      //!< x >= 0 ? x : alpha * x
  Sigmoid,        //!< 1 / (1 + exp(-x))
  Tanh,           //!< tanh(x)
  MaxPool,        //!< maximum over windows (padding never wins)
  AvgPool,        //!< mean over windows
  GlobalAvgPool,  //!< mean over H and W -> (C,1,1)
  Flatten,        //!< to a feature vector in logical (C,H,W) order
  Reshape,        //!< to `dims` (logical order kept)
  Pad,            //!< constant padding of H and W
  Softmax,        //!< softmax over the last axis of a vector
  LogSoftmax,     //!< log-softmax over the last axis of a vector
};
//! ONNX-style name of an operator ("Conv", "Dense", ...).
const char* graph_op_name(GraphOp op);

//! Window geometry of Conv and pooling nodes (pixels).
struct Window {
  std::size_t kh = 1, kw = 1;                              //!< kernel height and width
  std::size_t sh = 1, sw = 1;                              //!< strides
  std::size_t pad_t = 0, pad_l = 0, pad_b = 0, pad_r = 0;  //!< zero padding per side
  std::size_t dh = 1, dw = 1;                              //!< dilations
  bool ceil_mode = false;                                  //!< pooling: ceil instead of floor
  bool count_include_pad = false;                          //!< AvgPool: padding counts in the mean
  //! Output size along one axis for input n (0 when the window does not fit).
  [[nodiscard]] std::size_t out_h(std::size_t h) const;
  [[nodiscard]] std::size_t out_w(std::size_t w) const;  //!< see out_h
};

//! One operator application.
struct GraphNode {
  GraphOp op = GraphOp::Relu;
  std::string name;                        //!< name in the source model (for messages)
  std::vector<std::size_t> inputs;         //!< value ids
  Window win;                              //!< Conv, MaxPool, AvgPool; Pad uses the pad_* fields
  std::size_t group = 1;                   //!< Conv groups (in_c and out_c divisible by it)
  std::size_t out_channels = 0;            //!< Conv filters
  Eigen::MatrixXf weight;                  //!< Conv: im2col [kh*kw*in_c x out_c]; Dense: [in x out]
  Eigen::VectorXf bias;                    //!< Conv/Dense bias [out]; Affine shift [C]
  Eigen::VectorXf scale;                   //!< Affine scale [C]
  std::vector<float> constant;             //!< Add: constant operand (row-major logical order)
  std::vector<std::size_t> constant_dims;  //!< its dims, right-aligned against [batch, dims]
  float alpha = 0, beta = 0;               //!< Clip lo/hi, LeakyRelu alpha, Pad value
  std::vector<std::size_t> dims;           //!< Reshape target per-sample dims
  std::size_t axis = 0;                    //!< Concat: per-sample axis (0 = channels, ONNX axis 1)
  [[nodiscard]] bool is_weight() const { return op == GraphOp::Conv || op == GraphOp::Dense; }
};

//! Buffers of one graph forward pass (one per thread).
struct GraphScratch {
  std::vector<MatrixRM> values;  //!< storage of each value (inputs converted to storage)
  std::vector<MatrixRM> cols;    //!< im2col matrix of each conv node
  MatrixRM tmp_a, tmp_b, tmp_c;  //!< layout conversions of the generic broadcast path
};

//! A validated DAG of GraphNodes.
class Graph {
 public:
  Graph() = default;
  //! Infers every value's dims; InputError naming the node on an inconsistency.
  Graph(std::vector<std::vector<std::size_t>> input_dims, std::vector<GraphNode> nodes);

  [[nodiscard]] std::size_t num_inputs() const { return num_inputs_; }
  [[nodiscard]] const std::vector<GraphNode>& nodes() const { return nodes_; }
  std::vector<GraphNode>& mutable_nodes() { return nodes_; }  //!< weights only; no reshaping
  //! Per-sample dims of value v.
  [[nodiscard]] const std::vector<std::size_t>& dims(std::size_t v) const { return dims_[v]; }
  [[nodiscard]] std::size_t features(std::size_t v) const;  //!< product of dims(v)
  [[nodiscard]] std::size_t output_value() const { return dims_.size() - 1; }
  //! Node indices of the weight nodes, in order (the engine's weight layers).
  [[nodiscard]] const std::vector<std::size_t>& weight_nodes() const { return weight_nodes_; }
  //! Output positions per sample of weight node `w` (conv: out_h*out_w, dense: 1).
  [[nodiscard]] std::size_t positions(std::size_t w) const;
  [[nodiscard]] std::string describe() const;  //!< one line per node

  using MatMul = std::function<void(std::size_t, const MatrixRM&, MatrixRM&)>;  //!< as Network
  using Observer = std::function<void(std::size_t, const MatrixRM&)>;           //!< as Network
  //! Forward pass: inputs[i] [batch x features] in logical order (C,H,W for images);
  //! returns the output value's storage (HWC for rank-3 outputs), valid until the next call.
  const MatrixRM& forward_with(const std::vector<const MatrixRM*>& inputs, GraphScratch& s,
                               const MatMul& matmul, const Observer& observer = nullptr) const;

 private:
  std::size_t num_inputs_ = 0;
  std::vector<GraphNode> nodes_;
  std::vector<std::vector<std::size_t>> dims_;
  std::vector<std::size_t> weight_nodes_;
};

//! Per-sample dims of node `n` (number k, for messages) given the dims of all values so far;
//! InputError naming the node when they do not fit.
std::vector<std::size_t> infer_node_dims(const GraphNode& n,
                                         const std::vector<std::vector<std::size_t>>& dims,
                                         std::size_t k);
//! Storage to logical row-major order (identity unless `dims` has rank 3).
void storage_to_logical(const MatrixRM& in, const std::vector<std::size_t>& dims, MatrixRM& out);
//! Logical row-major order to storage (identity unless `dims` has rank 3).
void logical_to_storage(const MatrixRM& in, const std::vector<std::size_t>& dims, MatrixRM& out);
//! Conv im2col weight [kh*kw*in_c x out_c] from an ONNX weight [out_c][in_c/group][kh][kw]:
//! row (ky*kw + kx)*in_c + c, zero outside each group's diagonal block.
Eigen::MatrixXf conv_matrix_from_oihw(const std::vector<float>& w, std::size_t out_c,
                                      std::size_t in_c, std::size_t group, std::size_t kh,
                                      std::size_t kw);
//! The inverse of conv_matrix_from_oihw ([out_c][in_c/group][kh][kw], row-major).
std::vector<float> conv_matrix_to_oihw(const Eigen::MatrixXf& m, std::size_t in_c,
                                       std::size_t group, std::size_t kh, std::size_t kw);

}  // namespace xbarmc::nn
