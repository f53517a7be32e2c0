// Graph networks: construction, shape inference and description (the forward pass is in
// graph_forward.cpp).
#include <algorithm>
#include <sstream>
#include <utility>

#include "xbarmc/nn/graph.h"
#include "xbarmc/util/error.h"

namespace xbarmc::nn {

const char* graph_op_name(GraphOp op) {
  switch (op) {
    case GraphOp::Conv:
      return "Conv";
    case GraphOp::Dense:
      return "Dense";
    case GraphOp::Affine:
      return "Affine";
    case GraphOp::Add:
      return "Add";
    case GraphOp::Concat:
      return "Concat";
    case GraphOp::Relu:
      return "Relu";
    case GraphOp::Clip:
      return "Clip";
    case GraphOp::LeakyRelu:
      return "LeakyRelu";
    case GraphOp::Sigmoid:
      return "Sigmoid";
    case GraphOp::Tanh:
      return "Tanh";
    case GraphOp::MaxPool:
      return "MaxPool";
    case GraphOp::AvgPool:
      return "AveragePool";
    case GraphOp::GlobalAvgPool:
      return "GlobalAveragePool";
    case GraphOp::Flatten:
      return "Flatten";
    case GraphOp::Reshape:
      return "Reshape";
    case GraphOp::Pad:
      return "Pad";
    case GraphOp::Softmax:
      return "Softmax";
    case GraphOp::LogSoftmax:
      return "LogSoftmax";
  }
  return "?";
}

namespace {
// Output size of a window op along one axis (ONNX Conv/MaxPool/AveragePool shape inference;
// in ceil mode a window that would start in the end padding is dropped, as PyTorch does).
std::size_t window_out(std::size_t n, std::size_t k, std::size_t s, std::size_t p0, std::size_t p1,
                       std::size_t d, bool ceil_mode) {
  const std::size_t span = d * (k - 1) + 1;
  if (s == 0 || span > n + p0 + p1) return 0;
  const std::size_t room = n + p0 + p1 - span;
  std::size_t out = (ceil_mode ? (room + s - 1) / s : room / s) + 1;
  if (ceil_mode && (out - 1) * s >= n + p0) --out;
  return out;
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

std::size_t product(const std::vector<std::size_t>& d) {
  std::size_t n = 1;
  for (auto x : d) n *= x;
  return n;
}
}  // namespace

std::size_t Window::out_h(std::size_t h) const {
  return window_out(h, kh, sh, pad_t, pad_b, dh, ceil_mode);
}
std::size_t Window::out_w(std::size_t w) const {
  return window_out(w, kw, sw, pad_l, pad_r, dw, ceil_mode);
}

std::vector<std::size_t> infer_node_dims(const GraphNode& n,
                                         const std::vector<std::vector<std::size_t>>& dims_,
                                         std::size_t k) {
  const std::string where =
      "node " + std::to_string(k) + " \"" + n.name + "\" (" + graph_op_name(n.op) + ")";
  auto fail = [&](const std::string& what) { throw InputError(where + ": " + what); };
  const std::size_t arity = n.op == GraphOp::Concat ? std::max<std::size_t>(n.inputs.size(), 1)
                            : n.op == GraphOp::Add  ? (n.constant_dims.empty() ? 2 : 1)
                                                    : 1;
  if (n.inputs.size() != arity)
    fail("has " + std::to_string(n.inputs.size()) + " inputs, expected " + std::to_string(arity));
  for (auto v : n.inputs)
    if (v >= dims_.size()) fail("input value " + std::to_string(v) + " is not computed yet");
  const std::vector<std::size_t>& in = dims_[n.inputs[0]];
  std::vector<std::size_t> out = in;
  auto need_rank3 = [&] {
    if (in.size() != 3) fail("needs a C x H x W input, got " + dims_text(in));
  };
  switch (n.op) {
    case GraphOp::Conv: {
      need_rank3();
      const std::size_t kk = n.win.kh * n.win.kw;
      if (kk == 0 || n.group == 0 || n.out_channels == 0 || in[0] % n.group != 0 ||
          n.out_channels % n.group != 0)
        fail("kernel, groups and filters must be positive and divide the channels");
      if (static_cast<std::size_t>(n.weight.rows()) != kk * in[0] ||
          static_cast<std::size_t>(n.weight.cols()) != n.out_channels ||
          static_cast<std::size_t>(n.bias.size()) != n.out_channels)
        fail("weight " + std::to_string(n.weight.rows()) + "x" + std::to_string(n.weight.cols()) +
             " or bias does not match input " + dims_text(in));
      out = {n.out_channels, n.win.out_h(in[1]), n.win.out_w(in[2])};
      break;
    }
    case GraphOp::MaxPool:
    case GraphOp::AvgPool:
      need_rank3();
      out = {in[0], n.win.out_h(in[1]), n.win.out_w(in[2])};
      break;
    case GraphOp::Dense:
      if (in.size() != 1) fail("needs a feature vector, got " + dims_text(in));
      if (static_cast<std::size_t>(n.weight.rows()) != in[0] || n.bias.size() != n.weight.cols())
        fail("weight " + std::to_string(n.weight.rows()) + "x" + std::to_string(n.weight.cols()) +
             " does not match input " + dims_text(in));
      out = {static_cast<std::size_t>(n.weight.cols())};
      break;
    case GraphOp::Affine:
      if (static_cast<std::size_t>(n.scale.size()) != in[0] || n.bias.size() != n.scale.size())
        fail("scale/shift size does not match the channels of " + dims_text(in));
      break;
    case GraphOp::Add: {
      const std::vector<std::size_t>& b =
          n.constant_dims.empty() ? dims_[n.inputs[1]] : n.constant_dims;
      if (n.constant_dims.empty() && b.size() != in.size())
        fail("operands of different rank " + dims_text(in) + " and " + dims_text(b));
      if (!n.constant_dims.empty() && product(b) != n.constant.size())
        fail("constant has " + std::to_string(n.constant.size()) + " values for dims " +
             dims_text(b));
      // Constant dims are right-aligned against [batch, dims...]; a leading extra dim is
      // the batch and must be 1.
      std::size_t rb = b.size();
      if (rb > in.size() + 1 || (rb == in.size() + 1 && b[0] != 1))
        fail("constant " + dims_text(b) + " does not broadcast against a batch of " +
             dims_text(in));
      rb = std::min(rb, in.size());
      for (std::size_t i = 0; i < rb; ++i) {
        std::size_t& o = out[in.size() - 1 - i];
        const std::size_t bi = b[b.size() - 1 - i];
        if (o == bi || bi == 1) continue;
        if (o == 1) {
          o = bi;
          continue;
        }
        fail("shapes " + dims_text(in) + " and " + dims_text(b) + " do not broadcast");
      }
      break;
    }
    case GraphOp::Concat: {
      if (n.axis >= in.size()) fail("axis " + std::to_string(n.axis) + " is out of range");
      std::size_t c = 0;
      for (auto v : n.inputs) {
        auto d = dims_[v];
        if (d.size() != in.size()) fail("inputs of different rank");
        c += d[n.axis];
        d[n.axis] = in[n.axis];
        if (d != in)
          fail("inputs " + dims_text(in) + " and " + dims_text(dims_[v]) +
               " differ outside the concatenation axis");
      }
      out[n.axis] = c;
      break;
    }
    case GraphOp::GlobalAvgPool:
      need_rank3();
      out = {in[0], 1, 1};
      break;
    case GraphOp::Flatten:
      out = {product(in)};
      break;
    case GraphOp::Reshape:
      if (product(n.dims) != product(in) || n.dims.empty())
        fail("cannot reshape " + dims_text(in) + " to " + dims_text(n.dims));
      out = n.dims;
      break;
    case GraphOp::Pad:
      need_rank3();
      out = {in[0], in[1] + n.win.pad_t + n.win.pad_b, in[2] + n.win.pad_l + n.win.pad_r};
      break;
    case GraphOp::Clip:
      if (!(n.alpha <= n.beta)) fail("min is larger than max");
      break;
    case GraphOp::Softmax:
    case GraphOp::LogSoftmax:
      if (n.group == 0 || product(in) % n.group != 0)
        fail("block of " + std::to_string(n.group) + " does not divide " + dims_text(in));
      break;
    default:
      break;
  }
  if (product(out) == 0) fail("output " + dims_text(out) + " is empty");
  return out;
}

std::size_t Graph::features(std::size_t v) const { return product(dims_.at(v)); }

Graph::Graph(std::vector<std::vector<std::size_t>> input_dims, std::vector<GraphNode> nodes)
    : num_inputs_(input_dims.size()), nodes_(std::move(nodes)), dims_(std::move(input_dims)) {
  if (num_inputs_ == 0) throw InputError("graph has no inputs");
  if (nodes_.empty()) throw InputError("graph has no nodes");
  for (const auto& d : dims_)
    if (d.empty() || product(d) == 0)
      throw InputError("graph input dims " + dims_text(d) + " must be non-empty and positive");
  for (std::size_t k = 0; k < nodes_.size(); ++k) {
    const GraphNode& n = nodes_[k];
    auto out = infer_node_dims(n, dims_, k);
    if (n.is_weight()) {
      if (!n.weight.allFinite() || !n.bias.allFinite())
        throw InputError("node " + std::to_string(k) + " \"" + n.name +
                         "\": weight or bias holds NaN or Inf");
      weight_nodes_.push_back(k);
    }
    dims_.push_back(std::move(out));
  }
}

std::size_t Graph::positions(std::size_t w) const {
  const std::size_t k = weight_nodes_.at(w);
  if (nodes_[k].op == GraphOp::Dense) return 1;
  const auto& d = dims_[num_inputs_ + k];
  return d[1] * d[2];
}

std::string Graph::describe() const {
  std::ostringstream os;
  for (std::size_t k = 0; k < nodes_.size(); ++k) {
    const GraphNode& n = nodes_[k];
    os << "  %" << num_inputs_ + k << " = " << graph_op_name(n.op) << "(";
    for (std::size_t i = 0; i < n.inputs.size(); ++i) os << (i ? ", %" : "%") << n.inputs[i];
    os << ")";
    if (n.op == GraphOp::Conv)
      os << " " << n.out_channels << " filters " << n.win.kh << "x" << n.win.kw << " stride "
         << n.win.sh << (n.group > 1 ? " groups " + std::to_string(n.group) : "");
    if (n.is_weight()) os << " (matrix " << n.weight.rows() << "x" << n.weight.cols() << ")";
    os << " -> " << dims_text(dims_[num_inputs_ + k]);
    if (!n.name.empty()) os << "  [" << n.name << "]";
    os << "\n";
  }
  return os.str();
}

Eigen::MatrixXf conv_matrix_from_oihw(const std::vector<float>& w, std::size_t out_c,
                                      std::size_t in_c, std::size_t group, std::size_t kh,
                                      std::size_t kw) {
  const std::size_t cg = in_c / group, fg = out_c / group;
  if (w.size() != out_c * cg * kh * kw)
    throw InputError("conv weight has " + std::to_string(w.size()) + " values, expected " +
                     std::to_string(out_c * cg * kh * kw));
  Eigen::MatrixXf m = Eigen::MatrixXf::Zero(static_cast<Eigen::Index>(kh * kw * in_c),
                                            static_cast<Eigen::Index>(out_c));
  for (std::size_t f = 0; f < out_c; ++f) {
    const std::size_t c0 = (f / fg) * cg;
    for (std::size_t c = 0; c < cg; ++c)
      for (std::size_t ky = 0; ky < kh; ++ky)
        for (std::size_t kx = 0; kx < kw; ++kx)
          m(static_cast<Eigen::Index>((ky * kw + kx) * in_c + c0 + c),
            static_cast<Eigen::Index>(f)) = w[((f * cg + c) * kh + ky) * kw + kx];
  }
  return m;
}

std::vector<float> conv_matrix_to_oihw(const Eigen::MatrixXf& m, std::size_t in_c,
                                       std::size_t group, std::size_t kh, std::size_t kw) {
  const auto out_c = static_cast<std::size_t>(m.cols());
  const std::size_t cg = in_c / group, fg = out_c / group;
  std::vector<float> w(out_c * cg * kh * kw);
  for (std::size_t f = 0; f < out_c; ++f) {
    const std::size_t c0 = (f / fg) * cg;
    for (std::size_t c = 0; c < cg; ++c)
      for (std::size_t ky = 0; ky < kh; ++ky)
        for (std::size_t kx = 0; kx < kw; ++kx)
          w[((f * cg + c) * kh + ky) * kw + kx] =
              m(static_cast<Eigen::Index>((ky * kw + kx) * in_c + c0 + c),
                static_cast<Eigen::Index>(f));
  }
  return w;
}

}  // namespace xbarmc::nn
