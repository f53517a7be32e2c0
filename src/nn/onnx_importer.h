#pragma once
// Internal to the ONNX import (onnx_import.cpp, onnx_ops.cpp): constants, values and the
// per-model importer state.
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "xbarmc/nn/onnx_import.h"

namespace xbarmc::nn::onnx_detail {

//! Stands for the batch size inside shape computations (Shape of a runtime value); a Reshape
//! target entry equal to it keeps the batch.
inline constexpr double BATCH = -1099511627776.0;  // -2^40

//! A constant tensor known at import (initializers, Constant nodes, folded shape subgraphs).
struct Const {
  std::vector<std::int64_t> dims;
  std::vector<double> v;
  bool is_int = false;
};

//! An ONNX value: a constant or a runtime graph value (id, per-sample dims).
struct Value {
  bool is_const = false;
  Const c;
  std::size_t id = 0;
};

std::string node_where(const onnx::NodeProto& n, std::int64_t opset);
Const tensor_to_const(const onnx::TensorProto& t, const std::string& where, const std::string& dir);

class Importer {
 public:
  Importer(const onnx::ModelProto& m, std::string where, std::string dir,
           const OnnxImportOptions& o);
  OnnxImport run();

 private:
  void import_node(const onnx::NodeProto& n);
  const Value& in(const onnx::NodeProto& n, int i);
  bool has_in(const onnx::NodeProto& n, int i) const;
  const Const& const_in(const onnx::NodeProto& n, int i);
  float scalar(const onnx::NodeProto& n, int i);  // a one-value constant input
  std::size_t runtime_in(const onnx::NodeProto& n, int i);
  std::size_t add_node(GraphNode g);
  void set_out(const onnx::NodeProto& n, Value v);
  void set_const(const onnx::NodeProto& n, Const c);
  [[noreturn]] void fail(const onnx::NodeProto& n, const std::string& what) const;
  // Operator groups (onnx_ops.cpp, onnx_ops_shape.cpp).
  bool shape_op(const onnx::NodeProto& n);
  void weight_op(const onnx::NodeProto& n);
  void window_op(const onnx::NodeProto& n);
  void batch_norm(const onnx::NodeProto& n);
  void add_op(const onnx::NodeProto& n);
  //! Node producing value v when it is a weight node used only once (by the current node).
  GraphNode* sole_weight_producer(std::size_t v, const onnx::NodeProto& consumer);

  const onnx::ModelProto& m_;
  std::string where_, dir_;
  const OnnxImportOptions& o_;
  std::int64_t opset_ = 0;
  std::map<std::string, Value> env_;
  std::map<std::string, int> uses_;  // number of consumers of each value name
  std::vector<std::vector<std::size_t>> dims_;
  std::vector<std::vector<std::size_t>> input_dims_;
  std::vector<std::string> input_names_;
  std::vector<GraphNode> nodes_;
  std::vector<std::string> node_out_;  // ONNX value name each node writes
  double declared_batch_ = 1;
  std::set<std::size_t> scalar_inputs_;  // graph inputs of rank 1 (one scalar per sample)
};

}  // namespace xbarmc::nn::onnx_detail
