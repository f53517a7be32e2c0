// Graph networks in the native network file (format 2.0; docs/network-format.md).
#include "xbarmc/nn/graph_io.h"

#include <cmath>

#include "xbarmc/util/error.h"

namespace xbarmc::nn {

namespace {
using Idx = Eigen::Index;
constexpr double MAX_ELEMENTS = 1073741824.0;  // as network_io.cpp: 2^30 values per tensor

std::vector<std::int64_t> i64(const std::vector<std::size_t>& v) { return {v.begin(), v.end()}; }

const GraphOp ALL_OPS[] = {
    GraphOp::Conv,    GraphOp::Dense,   GraphOp::Affine,        GraphOp::Add,     GraphOp::Concat,
    GraphOp::Relu,    GraphOp::Clip,    GraphOp::LeakyRelu,     GraphOp::Sigmoid, GraphOp::Tanh,
    GraphOp::MaxPool, GraphOp::AvgPool, GraphOp::GlobalAvgPool, GraphOp::Flatten, GraphOp::Reshape,
    GraphOp::Pad,     GraphOp::Softmax, GraphOp::LogSoftmax};

std::vector<float> read_floats(const h5::Group& g, const std::string& name,
                               std::vector<hsize_t>& shape) {
  const std::string where = g.file() + ":" + g.path() + "/" + name;
  if (!g.exists(name)) throw IoError(where + ": missing dataset");
  shape = g.shape(name);
  double n = 1;
  for (auto d : shape) n *= static_cast<double>(d);
  if (n > MAX_ELEMENTS) throw IoError(where + ": more than 2^30 elements");
  std::vector<float> v = g.read<float>(name, nullptr);
  for (std::size_t i = 0; i < v.size(); ++i)
    if (!std::isfinite(v[i]))
      throw IoError(where + ": non-finite value (NaN or Inf) at flat index " + std::to_string(i));
  return v;
}

std::vector<std::size_t> sizes_attr(const h5::Group& g, const std::string& name,
                                    std::size_t count) {
  const auto v = g.read_attr_vector<std::int64_t>(name);
  if (count != 0 && v.size() != count)
    throw IoError(g.file() + ":" + g.path() + "@" + name + ": expected " + std::to_string(count) +
                  " values");
  std::vector<std::size_t> out;
  for (auto x : v) {
    if (x < 0 || x > (std::int64_t{1} << 31))
      throw IoError(g.file() + ":" + g.path() + "@" + name + ": value " + std::to_string(x) +
                    " out of range");
    out.push_back(static_cast<std::size_t>(x));
  }
  return out;
}

Eigen::VectorXf vec(const std::vector<float>& v) {
  return Eigen::Map<const Eigen::VectorXf>(v.data(), static_cast<Idx>(v.size()));
}
}  // namespace

void write_graph_nodes(h5::Group& root, const Network& net) {
  const Graph& g = net.graph();
  h5::Group nodes = root.create_group("nodes");
  for (std::size_t k = 0; k < g.nodes().size(); ++k) {
    const GraphNode& n = g.nodes()[k];
    h5::Group h = nodes.create_group(std::to_string(k));
    h.write_attr("op", std::string(graph_op_name(n.op)));
    h.write_attr("name", n.name);
    h.write_attr("inputs", i64(n.inputs));
    const Window& w = n.win;
    switch (n.op) {
      case GraphOp::Conv: {
        const auto in_c = static_cast<std::size_t>(n.weight.rows()) / (w.kh * w.kw);
        h.write("weight", conv_matrix_to_oihw(n.weight, in_c, n.group, w.kh, w.kw),
                {n.out_channels, in_c / n.group, w.kh, w.kw});
        h.write("bias", n.bias.data(), {static_cast<hsize_t>(n.bias.size())});
        h.write_attr("group", static_cast<std::int64_t>(n.group));
        [[fallthrough]];
      }
      case GraphOp::MaxPool:
      case GraphOp::AvgPool:
        h.write_attr("kernel_shape", i64({w.kh, w.kw}));
        h.write_attr("strides", i64({w.sh, w.sw}));
        h.write_attr("pads", i64({w.pad_t, w.pad_l, w.pad_b, w.pad_r}));
        h.write_attr("dilations", i64({w.dh, w.dw}));
        h.write_attr("ceil_mode", static_cast<std::int64_t>(w.ceil_mode));
        h.write_attr("count_include_pad", static_cast<std::int64_t>(w.count_include_pad));
        break;
      case GraphOp::Dense: {
        const MatrixRM m = n.weight;
        h.write("weight", m.data(),
                {static_cast<hsize_t>(m.rows()), static_cast<hsize_t>(m.cols())});
        h.write("bias", n.bias.data(), {static_cast<hsize_t>(n.bias.size())});
        break;
      }
      case GraphOp::Affine:
        h.write("scale", n.scale.data(), {static_cast<hsize_t>(n.scale.size())});
        h.write("shift", n.bias.data(), {static_cast<hsize_t>(n.bias.size())});
        break;
      case GraphOp::Add:
        if (!n.constant_dims.empty())
          h.write("constant", n.constant.data(),
                  std::vector<hsize_t>(n.constant_dims.begin(), n.constant_dims.end()));
        break;
      case GraphOp::Clip:
        h.write_attr("min", static_cast<double>(n.alpha));
        h.write_attr("max", static_cast<double>(n.beta));
        break;
      case GraphOp::LeakyRelu:
        h.write_attr("alpha", static_cast<double>(n.alpha));
        break;
      case GraphOp::Concat:
        h.write_attr("axis", static_cast<std::int64_t>(n.axis));
        break;
      case GraphOp::Reshape:
        h.write_attr("shape", i64(n.dims));
        break;
      case GraphOp::Pad:
        h.write_attr("pads", i64({w.pad_t, w.pad_l, w.pad_b, w.pad_r}));
        h.write_attr("value", static_cast<double>(n.alpha));
        break;
      case GraphOp::Softmax:
      case GraphOp::LogSoftmax:
        h.write_attr("block", static_cast<std::int64_t>(n.group));
        break;
      default:
        break;
    }
  }
}

Network read_graph_network(const h5::Group& root, const std::string& name,
                           const std::vector<std::size_t>& input_dims) {
  const h5::Group nodes = root.open_group("nodes");
  const std::size_t count = nodes.children().size();
  std::vector<GraphNode> out;
  for (std::size_t k = 0; k < count; ++k) {
    if (!nodes.exists(std::to_string(k)))
      throw IoError(root.file() + ":/nodes: nodes must be named 0.." + std::to_string(count - 1) +
                    ", missing /nodes/" + std::to_string(k));
    const h5::Group h = nodes.open_group(std::to_string(k));
    const std::string where = h.file() + ":" + h.path();
    GraphNode n;
    const std::string op = h.read_attr<std::string>("op");
    bool known = false;
    for (auto o : ALL_OPS)
      if (op == graph_op_name(o)) {
        n.op = o;
        known = true;
      }
    if (!known) throw IoError(where + "@op: unknown operator \"" + op + "\"");
    n.name = h.read_attr<std::string>("name");
    n.inputs = sizes_attr(h, "inputs", 0);
    std::vector<hsize_t> shape;
    if (n.op == GraphOp::Conv || n.op == GraphOp::MaxPool || n.op == GraphOp::AvgPool) {
      const auto ks = sizes_attr(h, "kernel_shape", 2), st = sizes_attr(h, "strides", 2),
                 pads = sizes_attr(h, "pads", 4), dil = sizes_attr(h, "dilations", 2);
      n.win = {ks[0],
               ks[1],
               st[0],
               st[1],
               pads[0],
               pads[1],
               pads[2],
               pads[3],
               dil[0],
               dil[1],
               h.read_attr<std::int64_t>("ceil_mode") != 0,
               h.read_attr<std::int64_t>("count_include_pad") != 0};
    }
    switch (n.op) {
      case GraphOp::Conv: {
        const auto w = read_floats(h, "weight", shape);
        n.group = sizes_attr(h, "group", 1)[0];
        if (shape.size() != 4 || n.group == 0 || shape[2] != n.win.kh || shape[3] != n.win.kw ||
            shape[0] % n.group != 0)
          throw IoError(where + "/weight: shape does not match kernel_shape and group");
        n.out_channels = shape[0];
        n.weight =
            conv_matrix_from_oihw(w, shape[0], shape[1] * n.group, n.group, shape[2], shape[3]);
        n.bias = vec(read_floats(h, "bias", shape));
        break;
      }
      case GraphOp::Dense: {
        const auto w = read_floats(h, "weight", shape);
        if (shape.size() != 2) throw IoError(where + "/weight: must be 2-d [in, out]");
        n.weight = Eigen::Map<const MatrixRM>(w.data(), static_cast<Idx>(shape[0]),
                                              static_cast<Idx>(shape[1]));
        n.bias = vec(read_floats(h, "bias", shape));
        break;
      }
      case GraphOp::Affine:
        n.scale = vec(read_floats(h, "scale", shape));
        n.bias = vec(read_floats(h, "shift", shape));
        break;
      case GraphOp::Add:
        if (h.exists("constant")) {
          n.constant = read_floats(h, "constant", shape);
          n.constant_dims.assign(shape.begin(), shape.end());
          if (n.constant_dims.empty()) n.constant_dims = {1};
        }
        break;
      case GraphOp::Clip:
        n.alpha = static_cast<float>(h.read_attr<double>("min"));
        n.beta = static_cast<float>(h.read_attr<double>("max"));
        break;
      case GraphOp::LeakyRelu:
        n.alpha = static_cast<float>(h.read_attr<double>("alpha"));
        break;
      case GraphOp::Concat:
        if (h.has_attr("axis")) n.axis = sizes_attr(h, "axis", 1)[0];
        break;
      case GraphOp::Reshape:
        n.dims = sizes_attr(h, "shape", 0);
        break;
      case GraphOp::Pad: {
        const auto p = sizes_attr(h, "pads", 4);
        n.win.pad_t = p[0], n.win.pad_l = p[1], n.win.pad_b = p[2], n.win.pad_r = p[3];
        n.alpha = static_cast<float>(h.read_attr<double>("value"));
        break;
      }
      case GraphOp::Softmax:
      case GraphOp::LogSoftmax:
        n.group = sizes_attr(h, "block", 1)[0];
        break;
      default:
        break;
    }
    out.push_back(std::move(n));
  }
  try {
    return Network(name, Graph({input_dims}, std::move(out)));
  } catch (const InputError& e) {
    throw IoError(root.file() + ": " + e.what());
  }
}

}  // namespace xbarmc::nn
