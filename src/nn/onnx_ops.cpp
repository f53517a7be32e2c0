// ONNX operators with weights or windows (Conv, Gemm, MatMul, BatchNormalization, Add,
// pooling, Pad) and the constant (shape) subgraph evaluated at import.
#include <algorithm>
#include <cmath>

#include "onnx_importer.h"
#include "xbarmc/util/error.h"

namespace xbarmc::nn::onnx_detail {

namespace {
using Idx = Eigen::Index;

const onnx::AttributeProto* attr(const onnx::NodeProto& n, const char* name) {
  for (const auto& a : n.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}
std::int64_t int_attr(const onnx::NodeProto& n, const char* name, std::int64_t dflt) {
  const auto* a = attr(n, name);
  return a ? a->i() : dflt;
}
float float_attr(const onnx::NodeProto& n, const char* name, float dflt) {
  const auto* a = attr(n, name);
  return a ? a->f() : dflt;
}
std::vector<std::int64_t> ints_attr(const onnx::NodeProto& n, const char* name) {
  const auto* a = attr(n, name);
  if (!a) return {};
  return {a->ints().begin(), a->ints().end()};
}
std::size_t count(const std::vector<std::int64_t>& dims) {
  std::size_t c = 1;
  for (auto d : dims) c *= static_cast<std::size_t>(d);
  return c;
}
}  // namespace

// ---- Conv, Gemm, MatMul -------------------------------------------------------------------

void Importer::weight_op(const onnx::NodeProto& n) {
  GraphNode g;
  g.name = n.name().empty() ? n.output(0) : n.name();
  const std::size_t x = runtime_in(n, 0);
  const auto& d = dims_[x];
  const Const& w = const_in(n, 1);
  if (n.op_type() == "Conv") {
    if (w.dims.size() != 4 || d.size() != 3)
      fail(n, "only 2-d convolutions of N x C x H x W inputs are supported");
    const auto M = static_cast<std::size_t>(w.dims[0]), kh = static_cast<std::size_t>(w.dims[2]),
               kw = static_cast<std::size_t>(w.dims[3]);
    const auto group = static_cast<std::size_t>(int_attr(n, "group", 1));
    if (group == 0 || d[0] % group != 0 || M % group != 0 ||
        static_cast<std::size_t>(w.dims[1]) * group != d[0])
      fail(n, "weight " + std::to_string(w.dims[1]) + " channels per group x group " +
                  std::to_string(group) + " does not match the input's " + std::to_string(d[0]) +
                  " channels");
    const auto ks = ints_attr(n, "kernel_shape");
    if (!ks.empty() && (ks.size() != 2 || ks[0] != w.dims[2] || ks[1] != w.dims[3]))
      fail(n, "kernel_shape does not match the weight");
    auto st = ints_attr(n, "strides"), dl = ints_attr(n, "dilations"), pads = ints_attr(n, "pads");
    if (st.empty()) st = {1, 1};
    if (dl.empty()) dl = {1, 1};
    if (pads.empty()) pads = {0, 0, 0, 0};
    if (st.size() != 2 || dl.size() != 2 || pads.size() != 4 ||
        std::any_of(pads.begin(), pads.end(), [](auto p) { return p < 0; }) || st[0] < 1 ||
        st[1] < 1 || dl[0] < 1 || dl[1] < 1)
      fail(n, "strides, dilations and pads must be 2, 2 and 4 non-negative values");
    g.op = GraphOp::Conv;
    g.win = {kh,
             kw,
             static_cast<std::size_t>(st[0]),
             static_cast<std::size_t>(st[1]),
             static_cast<std::size_t>(pads[0]),
             static_cast<std::size_t>(pads[1]),
             static_cast<std::size_t>(pads[2]),
             static_cast<std::size_t>(pads[3]),
             static_cast<std::size_t>(dl[0]),
             static_cast<std::size_t>(dl[1]),
             false,
             false};
    const auto* ap = attr(n, "auto_pad");
    if (ap && ap->s() != "NOTSET") {
      if (ap->s() == "VALID") {
        g.win.pad_t = g.win.pad_l = g.win.pad_b = g.win.pad_r = 0;
      } else if (ap->s() == "SAME_UPPER" || ap->s() == "SAME_LOWER") {
        auto same = [&](std::size_t in, std::size_t k, std::size_t s, std::size_t dil,
                        std::size_t& lo, std::size_t& hi) {
          const std::size_t out = (in + s - 1) / s, span = (k - 1) * dil + 1;
          const std::size_t need = (out - 1) * s + span;
          const std::size_t total = need > in ? need - in : 0;
          lo = ap->s() == "SAME_UPPER" ? total / 2 : total - total / 2;
          hi = total - lo;
        };
        same(d[1], kh, g.win.sh, g.win.dh, g.win.pad_t, g.win.pad_b);
        same(d[2], kw, g.win.sw, g.win.dw, g.win.pad_l, g.win.pad_r);
      } else {
        fail(n, "auto_pad \"" + ap->s() + "\" is not supported");
      }
    }
    if (static_cast<double>(kh) * static_cast<double>(kw) * static_cast<double>(d[0]) *
            static_cast<double>(M) >
        1073741824.0)
      fail(n, "the im2col weight matrix would exceed 2^30 entries");
    g.group = group;
    g.out_channels = M;
    const std::vector<float> wf(w.v.begin(), w.v.end());
    g.weight = conv_matrix_from_oihw(wf, M, d[0], group, kh, kw);
    g.bias = Eigen::VectorXf::Zero(static_cast<Idx>(M));
    if (has_in(n, 2)) {
      const Const& b = const_in(n, 2);
      if (b.v.size() != M) fail(n, "bias has " + std::to_string(b.v.size()) + " values");
      for (std::size_t i = 0; i < M; ++i) g.bias[static_cast<Idx>(i)] = static_cast<float>(b.v[i]);
    }
  } else {
    if (d.size() != 1)
      fail(n, "needs a batch of feature vectors (N x K), got per-sample rank " +
                  std::to_string(d.size()));
    if (w.dims.size() != 2) fail(n, "the weight must be a 2-d initializer");
    const bool trans_b = n.op_type() == "Gemm" && int_attr(n, "transB", 0) != 0;
    if (n.op_type() == "Gemm" && int_attr(n, "transA", 0) != 0)
      fail(n, "transA = 1 is not supported (it would transpose the batch)");
    const float alpha = n.op_type() == "Gemm" ? float_attr(n, "alpha", 1.0f) : 1.0f;
    const float beta = n.op_type() == "Gemm" ? float_attr(n, "beta", 1.0f) : 1.0f;
    const auto r = static_cast<std::size_t>(w.dims[0]), c = static_cast<std::size_t>(w.dims[1]);
    const std::size_t K = trans_b ? c : r, N = trans_b ? r : c;
    if (K != d[0])
      fail(n, "weight needs " + std::to_string(K) + " input features, the input has " +
                  std::to_string(d[0]));
    g.op = GraphOp::Dense;
    g.weight.resize(static_cast<Idx>(K), static_cast<Idx>(N));
    for (std::size_t i = 0; i < r; ++i)
      for (std::size_t j = 0; j < c; ++j) {
        const auto v = static_cast<float>(alpha * w.v[i * c + j]);
        if (trans_b)
          g.weight(static_cast<Idx>(j), static_cast<Idx>(i)) = v;
        else
          g.weight(static_cast<Idx>(i), static_cast<Idx>(j)) = v;
      }
    g.bias = Eigen::VectorXf::Zero(static_cast<Idx>(N));
    if (n.op_type() == "Gemm" && has_in(n, 2)) {
      const Const& b = const_in(n, 2);
      const bool row = b.v.size() == N && (b.dims.size() <= 1 || b.dims[0] == 1);
      if (!row && b.v.size() != 1)
        fail(n, "bias C must be a scalar or one row of " + std::to_string(N) +
                    " values (a per-sample bias is not supported)");
      for (std::size_t i = 0; i < N; ++i)
        g.bias[static_cast<Idx>(i)] = beta * static_cast<float>(b.v[row ? i : 0]);
    }
  }
  g.inputs = {x};
  Value v;
  v.id = add_node(std::move(g));
  set_out(n, v);
}

// ---- BatchNormalization: folded into the weight node before it, or a digital affine -------

void Importer::batch_norm(const onnx::NodeProto& n) {
  if (int_attr(n, "training_mode", 0) != 0) fail(n, "training_mode = 1 is not supported");
  if (int_attr(n, "spatial", 1) != 1) fail(n, "spatial = 0 is not supported");
  const std::size_t x = runtime_in(n, 0);
  const std::size_t C = dims_[x][0];
  const Const &scale = const_in(n, 1), &shift = const_in(n, 2), &mean = const_in(n, 3),
              &var = const_in(n, 4);
  for (const Const* c : {&scale, &shift, &mean, &var})
    if (c->v.size() != C)
      fail(n, "scale, B, mean and var must have " + std::to_string(C) + " values (channels)");
  const double eps = float_attr(n, "epsilon", 1e-5f);
  Eigen::VectorXf s(static_cast<Idx>(C)), t(static_cast<Idx>(C));
  for (std::size_t c = 0; c < C; ++c) {
    const double sc = scale.v[c] / std::sqrt(var.v[c] + eps);
    s[static_cast<Idx>(c)] = static_cast<float>(sc);
    t[static_cast<Idx>(c)] = static_cast<float>(shift.v[c] - mean.v[c] * sc);
  }
  if (GraphNode* w = sole_weight_producer(x, n)) {
    // y = (x W + b) * s + t = x (W diag(s)) + (b * s + t): the same analog matrix product
    // with scaled columns (Ioffe & Szegedy 2015, inference form; Jacob et al. 2018, sec. 3.2).
    for (std::size_t c = 0; c < C; ++c) {
      w->weight.col(static_cast<Idx>(c)) *= s[static_cast<Idx>(c)];
      w->bias[static_cast<Idx>(c)] =
          w->bias[static_cast<Idx>(c)] * s[static_cast<Idx>(c)] + t[static_cast<Idx>(c)];
    }
    Value v;
    v.id = x;
    set_out(n, v);
    return;
  }
  GraphNode g;
  g.op = GraphOp::Affine;
  g.name = n.name().empty() ? n.output(0) : n.name();
  g.inputs = {x};
  g.scale = s;
  g.bias = t;
  Value v;
  v.id = add_node(std::move(g));
  set_out(n, v);
}

// ---- Add: residual sum, bias folded into the weight node before it, or broadcast constant -

void Importer::add_op(const onnx::NodeProto& n) {
  const Value& a = in(n, 0);
  const Value& b = in(n, 1);
  GraphNode g;
  g.op = GraphOp::Add;
  g.name = n.name().empty() ? n.output(0) : n.name();
  if (!a.is_const && !b.is_const) {
    g.inputs = {a.id, b.id};
  } else {
    const Value& r = a.is_const ? b : a;
    const Const& c = a.is_const ? a.c : b.c;
    const auto& d = dims_[r.id];
    // The bias of a MatMul (or a second bias of a Gemm/Conv): [out], [1, out], [C, 1, 1].
    onnx::NodeProto as_first = n;
    as_first.set_input(0, a.is_const ? n.input(1) : n.input(0));
    if (GraphNode* w = sole_weight_producer(r.id, as_first)) {
      const auto out = static_cast<std::size_t>(w->bias.size());
      std::size_t nontrivial = 0;
      for (auto e : c.dims) nontrivial += e != 1 ? 1 : 0;
      const bool chan =
          c.v.size() == out &&
          (w->op == GraphOp::Dense ? (c.dims.size() <= 1 || (c.dims.size() == 2 && c.dims[0] == 1))
                                   : (c.dims.size() >= 3 &&
                                      c.dims[c.dims.size() - 3] == static_cast<std::int64_t>(out) &&
                                      c.dims.size() <= 4 && nontrivial <= 1));
      if (chan || c.v.size() == 1) {
        for (std::size_t i = 0; i < out; ++i)
          w->bias[static_cast<Idx>(i)] += static_cast<float>(c.v[c.v.size() == 1 ? 0 : i]);
        Value v;
        v.id = r.id;
        set_out(n, v);
        return;
      }
    }
    (void)d;
    g.inputs = {r.id};
    g.constant.assign(c.v.begin(), c.v.end());
    g.constant_dims.assign(c.dims.begin(), c.dims.end());
    if (g.constant_dims.empty()) g.constant_dims = {1};
  }
  Value v;
  v.id = add_node(std::move(g));
  set_out(n, v);
}

// ---- MaxPool, AveragePool, GlobalAveragePool, Pad ------------------------------------------

void Importer::window_op(const onnx::NodeProto& n) {
  GraphNode g;
  g.name = n.name().empty() ? n.output(0) : n.name();
  const std::size_t x = runtime_in(n, 0);
  const auto& d = dims_[x];
  g.inputs = {x};
  if (d.size() != 3) fail(n, "only N x C x H x W inputs are supported");
  const std::string& op = n.op_type();
  if (op == "GlobalAveragePool") {
    g.op = GraphOp::GlobalAvgPool;
  } else if (op == "Pad") {
    const auto* mode = attr(n, "mode");
    if (mode && mode->s() != "constant") fail(n, "only mode \"constant\" is supported");
    std::vector<std::int64_t> pads;
    float value = 0;
    if (opset_ < 11) {
      pads = ints_attr(n, "pads");
      value = float_attr(n, "value", 0.0f);
    } else {
      const Const& p = const_in(n, 1);
      for (double v : p.v) pads.push_back(static_cast<std::int64_t>(v));
      if (has_in(n, 2)) value = scalar(n, 2);
      if (has_in(n, 3)) fail(n, "the axes input is not supported");
    }
    if (pads.size() != 8 || pads[0] || pads[1] || pads[4] || pads[5] ||
        std::any_of(pads.begin(), pads.end(), [](auto p) { return p < 0; }))
      fail(n, "only non-negative padding of H and W is supported");
    g.op = GraphOp::Pad;
    g.win.pad_t = static_cast<std::size_t>(pads[2]);
    g.win.pad_l = static_cast<std::size_t>(pads[3]);
    g.win.pad_b = static_cast<std::size_t>(pads[6]);
    g.win.pad_r = static_cast<std::size_t>(pads[7]);
    g.alpha = value;
  } else {
    g.op = op == "MaxPool" ? GraphOp::MaxPool : GraphOp::AvgPool;
    const auto ks = ints_attr(n, "kernel_shape");
    auto st = ints_attr(n, "strides"), dl = ints_attr(n, "dilations"), pads = ints_attr(n, "pads");
    if (st.empty()) st = {1, 1};
    if (dl.empty()) dl = {1, 1};
    if (pads.empty()) pads = {0, 0, 0, 0};
    if (ks.size() != 2 || st.size() != 2 || dl.size() != 2 || pads.size() != 4 || ks[0] < 1 ||
        ks[1] < 1 || st[0] < 1 || st[1] < 1 || dl[0] < 1 || dl[1] < 1 ||
        std::any_of(pads.begin(), pads.end(), [](auto p) { return p < 0; }))
      fail(n, "only 2-d pooling with positive kernel_shape, strides, dilations is supported");
    if (int_attr(n, "storage_order", 0) != 0) fail(n, "storage_order = 1 is not supported");
    g.win = {static_cast<std::size_t>(ks[0]),   static_cast<std::size_t>(ks[1]),
             static_cast<std::size_t>(st[0]),   static_cast<std::size_t>(st[1]),
             static_cast<std::size_t>(pads[0]), static_cast<std::size_t>(pads[1]),
             static_cast<std::size_t>(pads[2]), static_cast<std::size_t>(pads[3]),
             static_cast<std::size_t>(dl[0]),   static_cast<std::size_t>(dl[1]),
             int_attr(n, "ceil_mode", 0) != 0,  int_attr(n, "count_include_pad", 0) != 0};
    const auto* ap = attr(n, "auto_pad");
    if (ap && ap->s() != "NOTSET") {
      if (ap->s() == "VALID") {
        g.win.pad_t = g.win.pad_l = g.win.pad_b = g.win.pad_r = 0;
      } else if (ap->s() == "SAME_UPPER" || ap->s() == "SAME_LOWER") {
        auto same = [&](std::size_t in, std::size_t k, std::size_t s, std::size_t dil,
                        std::size_t& lo, std::size_t& hi) {
          const std::size_t out = (in + s - 1) / s, span = (k - 1) * dil + 1;
          const std::size_t need = (out - 1) * s + span;
          const std::size_t total = need > in ? need - in : 0;
          lo = ap->s() == "SAME_UPPER" ? total / 2 : total - total / 2;
          hi = total - lo;
        };
        same(d[1], g.win.kh, g.win.sh, g.win.dh, g.win.pad_t, g.win.pad_b);
        same(d[2], g.win.kw, g.win.sw, g.win.dw, g.win.pad_l, g.win.pad_r);
      } else {
        fail(n, "auto_pad \"" + ap->s() + "\" is not supported");
      }
    }
  }
  Value v;
  v.id = add_node(std::move(g));
  set_out(n, v);
}

// ---- constant (shape) subgraphs --------------------------------------------------------------

bool Importer::shape_op(const onnx::NodeProto& n) {
  const std::string& op = n.op_type();
  if (op == "Constant") {
    Const c;
    if (const auto* a = attr(n, "value")) {
      c = tensor_to_const(a->t(), where_ + ": " + node_where(n, opset_), dir_);
    } else if (const auto* f = attr(n, "value_float")) {
      c.v = {f->f()};
    } else if (const auto* fs = attr(n, "value_floats")) {
      c.v.assign(fs->floats().begin(), fs->floats().end());
      c.dims = {static_cast<std::int64_t>(c.v.size())};
    } else if (const auto* i = attr(n, "value_int")) {
      c.v = {static_cast<double>(i->i())};
      c.is_int = true;
    } else if (const auto* is = attr(n, "value_ints")) {
      c.v.assign(is->ints().begin(), is->ints().end());
      c.dims = {static_cast<std::int64_t>(c.v.size())};
      c.is_int = true;
    } else {
      fail(n, "needs a value attribute");
    }
    set_const(n, std::move(c));
    return true;
  }
  if (op == "Shape") {
    const Value& x = in(n, 0);
    std::vector<double> s;
    if (x.is_const) {
      s.assign(x.c.dims.begin(), x.c.dims.end());
    } else {
      s.push_back(BATCH);
      for (auto e : dims_[x.id]) s.push_back(static_cast<double>(e));
    }
    auto r = static_cast<std::int64_t>(s.size());
    std::int64_t start = int_attr(n, "start", 0), end = int_attr(n, "end", r);
    if (start < 0) start += r;
    if (end < 0) end += r;
    start = std::clamp<std::int64_t>(start, 0, r);
    end = std::clamp<std::int64_t>(end, start, r);
    Const c;
    c.is_int = true;
    c.v.assign(s.begin() + start, s.begin() + end);
    c.dims = {static_cast<std::int64_t>(c.v.size())};
    set_const(n, std::move(c));
    return true;
  }
  static const std::set<std::string> foldable = {"Gather",  "Unsqueeze", "Squeeze",  "Concat",
                                                 "Reshape", "Cast",      "Identity", "Add",
                                                 "Sub",     "Mul",       "Div",      "Flatten"};
  if (!foldable.count(op)) return false;
  for (int i = 0; i < n.input_size(); ++i)
    if (has_in(n, i) && !in(n, i).is_const) return false;
  const Const& a = const_in(n, 0);
  Const c;
  c.is_int = a.is_int;
  auto axes_of = [&]() {
    std::vector<std::int64_t> axes = ints_attr(n, "axes");
    if (has_in(n, 1))
      for (double v : const_in(n, 1).v) axes.push_back(static_cast<std::int64_t>(v));
    return axes;
  };
  if (op == "Identity" || op == "Cast") {
    c = a;
    if (op == "Cast") {
      const auto to = int_attr(n, "to", 1);
      c.is_int = to == onnx::TensorProto::INT64 || to == onnx::TensorProto::INT32;
      if (c.is_int)
        for (auto& v : c.v) v = v == BATCH ? v : std::trunc(v);
    }
  } else if (op == "Gather") {
    const Const& idx = const_in(n, 1);
    const auto r = static_cast<std::int64_t>(a.dims.size());
    std::int64_t axis = int_attr(n, "axis", 0);
    if (axis < 0) axis += r;
    if (axis < 0 || axis >= r) fail(n, "axis out of range");
    const auto ax = static_cast<std::size_t>(axis);
    std::size_t outer = 1, inner = 1;
    for (std::size_t i = 0; i < ax; ++i) outer *= static_cast<std::size_t>(a.dims[i]);
    for (std::size_t i = ax + 1; i < a.dims.size(); ++i)
      inner *= static_cast<std::size_t>(a.dims[i]);
    const auto len = a.dims[ax];
    if (static_cast<double>(outer) * static_cast<double>(idx.v.size()) *
            static_cast<double>(inner) >
        1073741824.0)
      fail(n, "the result would exceed 2^30 values");
    c.dims.assign(a.dims.begin(), a.dims.begin() + axis);
    c.dims.insert(c.dims.end(), idx.dims.begin(), idx.dims.end());
    c.dims.insert(c.dims.end(), a.dims.begin() + axis + 1, a.dims.end());
    for (std::size_t o = 0; o < outer; ++o)
      for (double iv : idx.v) {
        auto k = static_cast<std::int64_t>(iv);
        if (k < 0) k += len;
        if (k < 0 || k >= len) fail(n, "index out of range");
        for (std::size_t i = 0; i < inner; ++i)
          c.v.push_back(
              a.v[(o * static_cast<std::size_t>(len) + static_cast<std::size_t>(k)) * inner + i]);
      }
  } else if (op == "Unsqueeze" || op == "Squeeze" || op == "Flatten" || op == "Reshape") {
    c = a;
    if (op == "Unsqueeze") {
      auto axes = axes_of();
      const auto r = static_cast<std::int64_t>(a.dims.size() + axes.size());
      for (auto& x : axes) x = x < 0 ? x + r : x;
      std::sort(axes.begin(), axes.end());
      for (auto x : axes) {
        if (x < 0 || x > static_cast<std::int64_t>(c.dims.size())) fail(n, "axis out of range");
        c.dims.insert(c.dims.begin() + x, 1);
      }
    } else if (op == "Squeeze") {
      auto axes = axes_of();
      const auto r = static_cast<std::int64_t>(a.dims.size());
      std::vector<std::int64_t> d;
      for (std::int64_t i = 0; i < r; ++i) {
        const bool listed = axes.empty() ? a.dims[static_cast<std::size_t>(i)] == 1
                                         : std::count(axes.begin(), axes.end(), i) +
                                                   std::count(axes.begin(), axes.end(), i - r) >
                                               0;
        if (!listed) d.push_back(a.dims[static_cast<std::size_t>(i)]);
      }
      c.dims = d;
    } else if (op == "Flatten") {
      c.dims = {a.dims.empty() ? 1 : a.dims[0],
                static_cast<std::int64_t>(
                    count(a.dims) / std::max<std::size_t>(1, a.dims.empty() ? 1 : a.dims[0]))};
    } else {
      const Const& t = const_in(n, 1);
      c.dims.clear();
      std::int64_t known = 1;
      int infer = -1;
      for (std::size_t i = 0; i < t.v.size(); ++i) {
        auto e = static_cast<std::int64_t>(t.v[i]);
        if (e == 0 && i < a.dims.size()) e = a.dims[i];
        if (e == -1) {
          infer = static_cast<int>(i);
          e = 1;
        } else if (e < 0) {
          fail(n, "target dimension " + std::to_string(e));
        }
        c.dims.push_back(e);
        known *= e;
      }
      if (infer >= 0 && known > 0)
        c.dims[static_cast<std::size_t>(infer)] = static_cast<std::int64_t>(a.v.size()) / known;
      if (count(c.dims) != a.v.size()) fail(n, "cannot reshape the constant");
    }
  } else if (op == "Concat") {
    const auto r = static_cast<std::int64_t>(a.dims.size());
    std::int64_t axis = int_attr(n, "axis", 0);
    if (axis < 0) axis += r;
    if (axis < 0 || axis >= r) fail(n, "axis out of range");
    const auto ax = static_cast<std::size_t>(axis);
    std::size_t outer = 1;
    for (std::size_t i = 0; i < ax; ++i) outer *= static_cast<std::size_t>(a.dims[i]);
    c.dims = a.dims;
    c.dims[ax] = 0;
    std::vector<const Const*> parts;
    for (int i = 0; i < n.input_size(); ++i) {
      parts.push_back(&const_in(n, i));
      if (parts.back()->dims.size() != a.dims.size()) fail(n, "inputs of different rank");
      c.dims[ax] += parts.back()->dims[ax];
      c.is_int = c.is_int && parts.back()->is_int;
    }
    for (std::size_t o = 0; o < outer; ++o)
      for (const Const* p : parts) {
        const std::size_t block = p->v.size() / std::max<std::size_t>(outer, 1);
        c.v.insert(c.v.end(), p->v.begin() + static_cast<std::ptrdiff_t>(o * block),
                   p->v.begin() + static_cast<std::ptrdiff_t>((o + 1) * block));
      }
  } else {  // Add, Sub, Mul, Div: same shapes or a scalar operand
    const Const& b = const_in(n, 1);
    const bool scalar_a = a.v.size() == 1, scalar_b = b.v.size() == 1;
    if (!(a.dims == b.dims || scalar_a || scalar_b))
      fail(n, "constant operands must have equal shapes or one must be a scalar");
    c = scalar_a && !scalar_b ? b : a;
    c.is_int = a.is_int && b.is_int;
    for (std::size_t i = 0; i < c.v.size(); ++i) {
      const double x = a.v[scalar_a ? 0 : i], y = b.v[scalar_b ? 0 : i];
      if (x == BATCH || y == BATCH) fail(n, "arithmetic on the batch size is not supported");
      double z = op == "Add" ? x + y : op == "Sub" ? x - y : op == "Mul" ? x * y : x / y;
      if (op == "Div" && c.is_int) z = std::trunc(z);
      c.v[i] = z;
    }
  }
  set_const(n, std::move(c));
  return true;
}

}  // namespace xbarmc::nn::onnx_detail
