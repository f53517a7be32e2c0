// The per-model ONNX importer: graph inputs and outputs, dispatch of nodes, pruning.
#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "onnx_importer.h"
#include "xbarmc/util/error.h"

namespace xbarmc::nn::onnx_detail {

namespace {
const char* SUPPORTED =
    "Conv, Gemm, MatMul, BatchNormalization, Add, Concat, Relu, Clip, LeakyRelu, Sigmoid, Tanh, "
    "MaxPool, AveragePool, GlobalAveragePool, Flatten, Reshape, Pad, Identity, Dropout, "
    "Softmax, LogSoftmax; on constants also Constant, Shape, Gather, Unsqueeze, Squeeze, "
    "Concat, Reshape, Cast, Sub, Mul, Div";

// Attributes each operator accepts (values are checked by the operator).
const std::map<std::string, std::set<std::string>>& known_attributes() {
  static const std::map<std::string, std::set<std::string>> m = {
      {"Conv", {"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"}},
      {"Gemm", {"alpha", "beta", "transA", "transB"}},
      {"MatMul", {}},
      {"BatchNormalization", {"epsilon", "momentum", "training_mode", "spatial"}},
      {"Add", {}},
      {"Sub", {}},
      {"Mul", {}},
      {"Div", {}},
      {"Concat", {"axis"}},
      {"Relu", {}},
      {"Clip", {"min", "max"}},
      {"LeakyRelu", {"alpha"}},
      {"Sigmoid", {}},
      {"Tanh", {}},
      {"MaxPool",
       {"auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "storage_order", "strides"}},
      {"AveragePool",
       {"auto_pad", "ceil_mode", "count_include_pad", "kernel_shape", "pads", "strides"}},
      {"GlobalAveragePool", {}},
      {"Flatten", {"axis"}},
      {"Reshape", {"allowzero"}},
      {"Pad", {"mode", "pads", "value"}},
      {"Identity", {}},
      {"Dropout", {"ratio", "seed"}},
      {"Softmax", {"axis"}},
      {"LogSoftmax", {"axis"}},
      {"Constant", {"value", "value_float", "value_floats", "value_int", "value_ints"}},
      {"Shape", {"start", "end"}},
      {"Gather", {"axis"}},
      {"Unsqueeze", {"axes"}},
      {"Squeeze", {"axes"}},
      {"Cast", {"to"}},
  };
  return m;
}

std::string dims_text(const std::vector<std::size_t>& d) {
  std::string s = "[";
  for (std::size_t i = 0; i < d.size(); ++i) {
    if (i > 0) s += ',';
    s += std::to_string(d[i]);
  }
  s += ']';
  return s;
}
}  // namespace

Importer::Importer(const onnx::ModelProto& m, std::string where, std::string dir,
                   const OnnxImportOptions& o)
    : m_(m), where_(std::move(where)), dir_(std::move(dir)), o_(o) {
  for (const auto& op : m_.opset_import())
    if (op.domain().empty() || op.domain() == "ai.onnx") opset_ = op.version();
  if (m_.opset_import().empty()) opset_ = 1;
  for (const auto& n : m_.graph().node())
    for (const auto& i : n.input()) ++uses_[i];
  for (const auto& out : m_.graph().output()) ++uses_[out.name()];
}

void Importer::fail(const onnx::NodeProto& n, const std::string& what) const {
  throw InputError(where_ + ": " + node_where(n, opset_) + ": " + what);
}

bool Importer::has_in(const onnx::NodeProto& n, int i) const {
  return i < n.input_size() && !n.input(i).empty();
}

const Value& Importer::in(const onnx::NodeProto& n, int i) {
  if (!has_in(n, i)) fail(n, "input " + std::to_string(i) + " is missing");
  const auto it = env_.find(n.input(i));
  if (it == env_.end())
    fail(n, "input \"" + n.input(i) + "\" is not produced by an earlier node or initializer");
  return it->second;
}

float Importer::scalar(const onnx::NodeProto& n, int i) {
  const Const& c = const_in(n, i);
  if (c.v.size() != 1) fail(n, "input " + std::to_string(i) + " must be a single value");
  return static_cast<float>(c.v[0]);
}

const Const& Importer::const_in(const onnx::NodeProto& n, int i) {
  const Value& v = in(n, i);
  if (!v.is_const)
    fail(n, "input " + std::to_string(i) + " (\"" + n.input(i) +
                "\") must be a constant (initializer), not computed at run time");
  return v.c;
}

std::size_t Importer::runtime_in(const onnx::NodeProto& n, int i) {
  const Value& v = in(n, i);
  if (v.is_const)
    fail(n, "input " + std::to_string(i) + " (\"" + n.input(i) +
                "\") is a constant; this operator needs a run-time value there");
  return v.id;
}

std::size_t Importer::add_node(GraphNode g) {
  dims_.push_back(infer_node_dims(g, dims_, nodes_.size()));
  nodes_.push_back(std::move(g));
  return dims_.size() - 1;
}

void Importer::set_out(const onnx::NodeProto& n, Value v) {
  if (n.output_size() < 1) fail(n, "has no output");
  for (int i = 1; i < n.output_size(); ++i)
    if (!n.output(i).empty() && uses_[n.output(i)] > 0)
      fail(n, "output " + std::to_string(i) + " (\"" + n.output(i) +
                  "\") is used; only the first output is supported");
  if (!v.is_const) node_out_.resize(nodes_.size(), "");
  if (!v.is_const && v.id >= input_dims_.size() && v.id - input_dims_.size() < node_out_.size() &&
      node_out_[v.id - input_dims_.size()].empty())
    node_out_[v.id - input_dims_.size()] = n.output(0);
  env_[n.output(0)] = std::move(v);
}

void Importer::set_const(const onnx::NodeProto& n, Const c) {
  Value v;
  v.is_const = true;
  v.c = std::move(c);
  set_out(n, std::move(v));
}

GraphNode* Importer::sole_weight_producer(std::size_t v, const onnx::NodeProto& consumer) {
  if (v < input_dims_.size()) return nullptr;
  const std::size_t k = v - input_dims_.size();
  if (!nodes_[k].is_weight() || k >= node_out_.size()) return nullptr;
  const auto it = uses_.find(node_out_[k]);
  if (it == uses_.end() || it->second != 1 || consumer.input(0) != node_out_[k]) return nullptr;
  return &nodes_[k];
}

void Importer::import_node(const onnx::NodeProto& n) {
  if (!n.domain().empty() && n.domain() != "ai.onnx")
    fail(n,
         "operator domain \"" + n.domain() + "\" is not supported (supported: " + SUPPORTED + ")");
  const auto known = known_attributes().find(n.op_type());
  if (known == known_attributes().end())
    fail(n, "unsupported operator (supported: " + std::string(SUPPORTED) + ")");
  for (const auto& a : n.attribute())
    if (!known->second.count(a.name())) fail(n, "unsupported attribute \"" + a.name() + "\"");
  if (n.output_size() < 1 || n.output(0).empty()) fail(n, "has no output");
  if (shape_op(n)) return;
  const std::string& op = n.op_type();
  GraphNode g;
  g.name = n.name().empty() ? n.output(0) : n.name();
  auto unary = [&](GraphOp o) {
    g.op = o;
    g.inputs = {runtime_in(n, 0)};
    Value v;
    v.id = add_node(std::move(g));
    set_out(n, v);
  };
  auto float_attr = [&](const char* name, float dflt) {
    for (const auto& a : n.attribute())
      if (a.name() == name) return a.f();
    return dflt;
  };
  auto int_attr = [&](const char* name, std::int64_t dflt) {
    for (const auto& a : n.attribute())
      if (a.name() == name) return a.i();
    return dflt;
  };
  if (op == "Identity") {
    set_out(n, in(n, 0));
  } else if (op == "Dropout") {
    if (has_in(n, 2) && in(n, 2).is_const && !in(n, 2).c.v.empty() && in(n, 2).c.v[0] != 0)
      fail(n, "training_mode = true is not supported (inference only)");
    set_out(n, in(n, 0));
  } else if (op == "Cast") {
    if (int_attr("to", 1) != onnx::TensorProto::FLOAT) fail(n, "a run-time Cast must be to float");
    set_out(n, in(n, 0));
  } else if (op == "Relu") {
    unary(GraphOp::Relu);
  } else if (op == "Sigmoid") {
    unary(GraphOp::Sigmoid);
  } else if (op == "Tanh") {
    unary(GraphOp::Tanh);
  } else if (op == "LeakyRelu") {
    g.alpha = float_attr("alpha", 0.01f);
    unary(GraphOp::LeakyRelu);
  } else if (op == "Clip") {
    g.alpha = -std::numeric_limits<float>::infinity();
    g.beta = std::numeric_limits<float>::infinity();
    if (opset_ < 11) {
      g.alpha = float_attr("min", g.alpha);
      g.beta = float_attr("max", g.beta);
    } else {
      if (has_in(n, 1)) g.alpha = scalar(n, 1);
      if (has_in(n, 2)) g.beta = scalar(n, 2);
    }
    unary(GraphOp::Clip);
  } else if (op == "Conv" || op == "Gemm" || op == "MatMul") {
    weight_op(n);
  } else if (op == "MaxPool" || op == "AveragePool" || op == "GlobalAveragePool" || op == "Pad") {
    window_op(n);
  } else if (op == "BatchNormalization") {
    batch_norm(n);
  } else if (op == "Add") {
    add_op(n);
  } else if (op == "Concat") {
    for (int i = 0; i < n.input_size(); ++i)
      if (scalar_inputs_.count(runtime_in(n, i))) fail(n, "concatenation along the batch axis");
    const std::size_t rank = dims_[runtime_in(n, 0)].size() + 1;
    std::int64_t axis = int_attr("axis", 1);
    if (axis < 0) axis += static_cast<std::int64_t>(rank);
    if (axis < 1 || axis >= static_cast<std::int64_t>(rank))
      fail(n, "concatenation along the batch axis (or out of range) is not supported");
    g.op = GraphOp::Concat;
    g.axis = static_cast<std::size_t>(axis - 1);
    for (int i = 0; i < n.input_size(); ++i) g.inputs.push_back(runtime_in(n, i));
    Value v;
    v.id = add_node(std::move(g));
    set_out(n, v);
  } else if (op == "Flatten") {
    const std::size_t rank = dims_[runtime_in(n, 0)].size() + 1;
    std::int64_t axis = int_attr("axis", 1);
    if (axis < 0) axis += static_cast<std::int64_t>(rank);
    if (axis != 1) fail(n, "only axis = 1 is supported (other axes merge the batch)");
    unary(GraphOp::Flatten);
  } else if (op == "Reshape") {
    const std::size_t x = runtime_in(n, 0);
    const Const& t = const_in(n, 1);
    const auto& d = dims_[x];
    std::size_t feats = 1;
    for (auto e : d) feats *= e;
    if (t.v.empty()) fail(n, "empty target shape");
    const double t0 = t.v[0];
    const bool batch_first = t0 == BATCH || t0 == 0 || t0 == declared_batch_ ||
                             (t0 == -1 && std::count(t.v.begin(), t.v.end(), -1.0) == 1);
    if (!batch_first) fail(n, "the target shape must keep the batch as its first dimension");
    std::vector<std::size_t> out;
    std::size_t fixed = 1;
    int infer = -1;
    for (std::size_t i = 1; i < t.v.size(); ++i) {
      const double e = t.v[i];
      if (e == -1 && t0 != -1 && infer < 0) {
        infer = static_cast<int>(out.size());
        out.push_back(1);
      } else if (e == 0 && int_attr("allowzero", 0) == 0) {
        if (i - 1 >= d.size()) fail(n, "0 in the target copies a dimension the input lacks");
        out.push_back(d[i - 1]);
        fixed *= d[i - 1];
      } else if (e >= 1) {
        out.push_back(static_cast<std::size_t>(e));
        fixed *= out.back();
      } else {
        fail(n, "target dimension " + std::to_string(e) + " is not supported");
      }
    }
    if (infer >= 0) {
      if (fixed == 0 || feats % fixed != 0) fail(n, "cannot infer the -1 dimension");
      out[static_cast<std::size_t>(infer)] = feats / fixed;
    }
    if (out.empty()) out = {1};
    g.op = GraphOp::Reshape;
    g.inputs = {x};
    g.dims = out;
    Value v;
    v.id = add_node(std::move(g));
    set_out(n, v);
  } else if (op == "Softmax" || op == "LogSoftmax") {
    const std::size_t x = runtime_in(n, 0);
    const auto& d = dims_[x];
    const std::int64_t rank = static_cast<std::int64_t>(d.size()) + 1;
    std::int64_t axis = int_attr("axis", opset_ < 13 ? 1 : -1);
    if (axis < 0) axis += rank;
    if (axis < 1 || axis >= rank) fail(n, "axis must not be the batch axis");
    std::size_t block = 1, after = 1;
    for (std::int64_t i = axis; i < rank; ++i) block *= d[static_cast<std::size_t>(i - 1)];
    for (std::int64_t i = axis + 1; i < rank; ++i) after *= d[static_cast<std::size_t>(i - 1)];
    if (opset_ >= 13 && after != 1)
      fail(n, "softmax over an axis other than the last is not supported");
    g.group = block;
    unary(op == "Softmax" ? GraphOp::Softmax : GraphOp::LogSoftmax);
  } else {
    fail(n, "needs run-time support that is not implemented (supported: " + std::string(SUPPORTED) +
                ")");
  }
}

OnnxImport Importer::run() {
  const auto& graph = m_.graph();
  for (const auto& t : graph.initializer()) {
    Value v;
    v.is_const = true;
    v.c = tensor_to_const(t, where_ + ": initializer \"" + t.name() + "\"", dir_);
    env_[t.name()] = std::move(v);
  }
  for (const auto& i : graph.input()) {
    if (env_.count(i.name())) continue;  // IR < 4 lists initializers as inputs too
    if (const auto c = o_.constant_inputs.find(i.name()); c != o_.constant_inputs.end()) {
      Value v;
      v.is_const = true;
      v.c.dims = c->second.dims;
      v.c.v.assign(c->second.data.begin(), c->second.data.end());
      env_[i.name()] = std::move(v);
      continue;
    }
    const std::string where = where_ + ": graph input \"" + i.name() + "\"";
    if (!i.type().has_tensor_type() ||
        i.type().tensor_type().elem_type() != onnx::TensorProto::FLOAT)
      throw InputError(where + ": must be a float tensor");
    const auto& shape = i.type().tensor_type().shape();
    if (shape.dim_size() < 1) throw InputError(where + ": needs a batch dimension");
    if (shape.dim(0).has_dim_value())
      declared_batch_ = static_cast<double>(shape.dim(0).dim_value());
    std::vector<std::size_t> d;
    for (int k = 1; k < shape.dim_size(); ++k) {
      if (!shape.dim(k).has_dim_value() || shape.dim(k).dim_value() <= 0)
        throw InputError(where + ": dimension " + std::to_string(k) +
                         " is symbolic or not positive; export with a fixed sample shape");
      d.push_back(static_cast<std::size_t>(shape.dim(k).dim_value()));
    }
    if (d.empty()) {  // a batch of scalars: one feature per sample, no axis but the batch
      d = {1};
      scalar_inputs_.insert(input_dims_.size());
    }
    if (!o_.sample_dims.empty() && input_dims_.empty()) {
      std::size_t a = 1, b = 1;
      for (auto x : d) a *= x;
      for (auto x : o_.sample_dims) b *= x;
      if (a != b)
        throw InputError(where + ": sample shape " + dims_text(d) +
                         " does not match the dataset's " + dims_text(o_.sample_dims));
    }
    Value v;
    v.id = input_dims_.size();
    env_[i.name()] = v;
    input_dims_.push_back(d);
    input_names_.push_back(i.name());
  }
  if (input_dims_.empty()) throw InputError(where_ + ": the graph has no run-time input");
  if (o_.build_network && input_dims_.size() != 1)
    throw InputError(where_ + ": the graph has " + std::to_string(input_dims_.size()) +
                     " run-time inputs; a network has exactly one");
  dims_ = input_dims_;
  for (const auto& n : graph.node()) import_node(n);
  if (graph.output_size() != 1)
    throw InputError(where_ + ": the graph has " + std::to_string(graph.output_size()) +
                     " outputs; exactly one (the class logits) is supported");
  const auto it = env_.find(graph.output(0).name());
  if (it == env_.end() || it->second.is_const)
    throw InputError(where_ + ": the graph output \"" + graph.output(0).name() +
                     "\" is not computed from the input");
  std::size_t out = it->second.id;
  // Keep only the nodes the output depends on; the output becomes the last value.
  const std::size_t ni = input_dims_.size();
  std::vector<bool> live(dims_.size(), false);
  std::vector<std::size_t> stack = {out};
  while (!stack.empty()) {
    const std::size_t v = stack.back();
    stack.pop_back();
    if (live[v]) continue;
    live[v] = true;
    if (v >= ni)
      for (auto u : nodes_[v - ni].inputs) stack.push_back(u);
  }
  std::vector<std::size_t> remap(dims_.size());
  std::vector<GraphNode> kept;
  for (std::size_t v = 0; v < ni; ++v) remap[v] = v;
  for (std::size_t k = 0; k < nodes_.size(); ++k) {
    if (!live[ni + k]) continue;
    GraphNode g = std::move(nodes_[k]);
    for (auto& u : g.inputs) u = remap[u];
    remap[ni + k] = ni + kept.size();
    kept.push_back(std::move(g));
  }
  if (out < ni) {  // the output is an input: copy it through one node
    GraphNode g;
    g.op = GraphOp::Reshape;
    g.name = "output";
    g.inputs = {out};
    g.dims = input_dims_[out];
    kept.push_back(std::move(g));
  }
  OnnxImport r;
  r.opset = opset_;
  r.runtime_inputs = input_names_;
  r.graph = Graph(input_dims_, std::move(kept));
  const auto& od = r.graph.dims(r.graph.output_value());
  if (o_.build_network) {
    if (od.size() != 1)
      throw InputError(where_ + ": the graph output has per-sample shape " + dims_text(od) +
                       "; a classifier outputs a vector of class logits");
    if (o_.num_classes && od[0] != *o_.num_classes)
      throw InputError(where_ + ": the graph outputs " + std::to_string(od[0]) +
                       " logits but the dataset has " + std::to_string(*o_.num_classes) +
                       " classes");
    std::string name = graph.name().empty() ? "onnx" : graph.name();
    r.network = Network(name, r.graph);
  }
  return r;
}

}  // namespace xbarmc::nn::onnx_detail
