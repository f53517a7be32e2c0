// Forward pass of graph networks: digital kernels on the storage layout of nn/graph.h and the
// analog hook for every weight node.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "xbarmc/nn/graph.h"
#include "xbarmc/util/error.h"

namespace xbarmc::nn {

namespace {
using Idx = Eigen::Index;
using std::ptrdiff_t;

std::size_t prod(const std::vector<std::size_t>& d) {
  std::size_t n = 1;
  for (auto x : d) n *= x;
  return n;
}

// im2col for a general window (strides, asymmetric pads, dilation) on HWC samples (the
// lowering of Chellapilla, Puri, Simard, IWFHR 2006); zero outside the image.
void im2col(const float* in, std::size_t batch, const std::vector<std::size_t>& d, const Window& w,
            std::size_t oh, std::size_t ow, MatrixRM& cols) {
  const std::size_t C = d[0];
  const auto H = static_cast<ptrdiff_t>(d[1]), W = static_cast<ptrdiff_t>(d[2]);
  cols.resize(static_cast<Idx>(batch * oh * ow), static_cast<Idx>(w.kh * w.kw * C));
  float* dst = cols.data();
  for (std::size_t b = 0; b < batch; ++b) {
    const float* img = in + b * C * d[1] * d[2];
    for (std::size_t oy = 0; oy < oh; ++oy)
      for (std::size_t ox = 0; ox < ow; ++ox)
        for (std::size_t ky = 0; ky < w.kh; ++ky) {
          const ptrdiff_t y =
              static_cast<ptrdiff_t>(oy * w.sh + ky * w.dh) - static_cast<ptrdiff_t>(w.pad_t);
          for (std::size_t kx = 0; kx < w.kw; ++kx, dst += C) {
            const ptrdiff_t x =
                static_cast<ptrdiff_t>(ox * w.sw + kx * w.dw) - static_cast<ptrdiff_t>(w.pad_l);
            if (y < 0 || y >= H || x < 0 || x >= W)
              std::fill(dst, dst + C, 0.0f);
            else
              std::memcpy(dst, img + (y * W + x) * static_cast<ptrdiff_t>(C), C * sizeof(float));
          }
        }
  }
}

// Max or average pooling on HWC samples. Padding never wins a max; an average divides by the
// in-image count, or with count_include_pad by the count inside the padded image.
void pool(const float* in, std::size_t batch, const std::vector<std::size_t>& d, const Window& w,
          bool is_max, const std::vector<std::size_t>& od, float* out) {
  const std::size_t C = d[0];
  const auto H = static_cast<ptrdiff_t>(d[1]), W = static_cast<ptrdiff_t>(d[2]);
  const auto Hp = H + static_cast<ptrdiff_t>(w.pad_b), Wp = W + static_cast<ptrdiff_t>(w.pad_r);
  std::vector<float> acc(C);
  for (std::size_t b = 0; b < batch; ++b) {
    const float* img = in + b * prod(d);
    for (std::size_t oy = 0; oy < od[1]; ++oy)
      for (std::size_t ox = 0; ox < od[2]; ++ox, out += C) {
        std::fill(acc.begin(), acc.end(), is_max ? -std::numeric_limits<float>::infinity() : 0.0f);
        std::size_t valid = 0, padded = 0;
        for (std::size_t ky = 0; ky < w.kh; ++ky) {
          const ptrdiff_t y =
              static_cast<ptrdiff_t>(oy * w.sh + ky * w.dh) - static_cast<ptrdiff_t>(w.pad_t);
          for (std::size_t kx = 0; kx < w.kw; ++kx) {
            const ptrdiff_t x =
                static_cast<ptrdiff_t>(ox * w.sw + kx * w.dw) - static_cast<ptrdiff_t>(w.pad_l);
            if (y < Hp && x < Wp) ++padded;
            if (y < 0 || y >= H || x < 0 || x >= W) continue;
            ++valid;
            const float* px = img + (y * W + x) * static_cast<ptrdiff_t>(C);
            if (is_max)
              for (std::size_t c = 0; c < C; ++c) acc[c] = std::max(acc[c], px[c]);
            else
              for (std::size_t c = 0; c < C; ++c) acc[c] += px[c];
          }
        }
        const float inv =
            is_max ? 1.0f : 1.0f / static_cast<float>(w.count_include_pad ? padded : valid);
        for (std::size_t c = 0; c < C; ++c) out[c] = acc[c] * inv;
      }
  }
}

// out = a + b with numpy broadcasting over logical [batch, dims] tensors. `b` is either a
// runtime value (batch rows) or a constant (bbatch = false, one row).
void broadcast_add(const MatrixRM& a, const std::vector<std::size_t>& da, const float* b,
                   const std::vector<std::size_t>& db, bool b_batched,
                   const std::vector<std::size_t>& dout, MatrixRM& out) {
  const std::size_t r = dout.size();
  auto strides = [&](const std::vector<std::size_t>& d) {
    std::vector<std::size_t> full(r, 1), st(r, 0);
    const std::size_t rd = std::min(d.size(), r);
    for (std::size_t i = 0; i < rd; ++i) full[r - 1 - i] = d[d.size() - 1 - i];
    std::size_t s = 1;
    for (std::size_t i = r; i-- > 0;) {
      st[i] = full[i] == 1 ? 0 : s;
      s *= full[i];
    }
    return st;
  };
  const auto sa = strides(da), sb = strides(db);
  const std::size_t fa = prod(da), fb = prod(db), fo = prod(dout);
  out.resize(a.rows(), static_cast<Idx>(fo));
  std::vector<std::size_t> idx(r);
  for (Idx n = 0; n < a.rows(); ++n) {
    const float* pa = a.data() + static_cast<std::size_t>(n) * fa;
    const float* pb = b + (b_batched ? static_cast<std::size_t>(n) * fb : 0);
    float* po = out.data() + static_cast<std::size_t>(n) * fo;
    std::fill(idx.begin(), idx.end(), 0);
    for (std::size_t o = 0; o < fo; ++o) {
      std::size_t ia = 0, ib = 0;
      for (std::size_t i = 0; i < r; ++i) {
        ia += idx[i] * sa[i];
        ib += idx[i] * sb[i];
      }
      po[o] = pa[ia] + pb[ib];
      for (std::size_t i = r; i-- > 0;) {
        if (++idx[i] < dout[i]) break;
        idx[i] = 0;
      }
    }
  }
}
}  // namespace

void storage_to_logical(const MatrixRM& in, const std::vector<std::size_t>& d, MatrixRM& out) {
  out.resize(in.rows(), in.cols());
  if (d.size() != 3 || d[0] == 1) {
    out = in;
    return;
  }
  const std::size_t C = d[0], hw = d[1] * d[2];
  for (Idx b = 0; b < in.rows(); ++b) {
    const float* src = in.row(b).data();
    float* dst = out.row(b).data();
    for (std::size_t i = 0; i < hw; ++i)
      for (std::size_t c = 0; c < C; ++c) dst[c * hw + i] = src[i * C + c];
  }
}

void logical_to_storage(const MatrixRM& in, const std::vector<std::size_t>& d, MatrixRM& out) {
  out.resize(in.rows(), in.cols());
  if (d.size() != 3 || d[0] == 1) {
    out = in;
    return;
  }
  const std::size_t C = d[0], hw = d[1] * d[2];
  for (Idx b = 0; b < in.rows(); ++b) {
    const float* src = in.row(b).data();
    float* dst = out.row(b).data();
    for (std::size_t i = 0; i < hw; ++i)
      for (std::size_t c = 0; c < C; ++c) dst[i * C + c] = src[c * hw + i];
  }
}

const MatrixRM& Graph::forward_with(const std::vector<const MatrixRM*>& inputs, GraphScratch& s,
                                    const MatMul& matmul, const Observer& observer) const {
  if (inputs.size() != num_inputs_)
    throw InputError("graph forward: " + std::to_string(inputs.size()) + " inputs, expected " +
                     std::to_string(num_inputs_));
  const Idx batch = inputs[0]->rows();
  s.values.resize(dims_.size());
  s.cols.resize(nodes_.size());
  for (std::size_t i = 0; i < num_inputs_; ++i) {
    if (inputs[i]->rows() != batch || static_cast<std::size_t>(inputs[i]->cols()) != features(i))
      throw InputError("graph forward: input " + std::to_string(i) + " is " +
                       std::to_string(inputs[i]->rows()) + "x" + std::to_string(inputs[i]->cols()) +
                       ", expected " + std::to_string(batch) + "x" + std::to_string(features(i)));
    logical_to_storage(*inputs[i], dims_[i], s.values[i]);
  }
  const auto nb = static_cast<std::size_t>(batch);
  std::size_t wi = 0;
  for (std::size_t k = 0; k < nodes_.size(); ++k) {
    const GraphNode& n = nodes_[k];
    const std::size_t ov = num_inputs_ + k;
    const MatrixRM& x = s.values[n.inputs[0]];
    const auto& din = dims_[n.inputs[0]];
    const auto& dout = dims_[ov];
    MatrixRM& y = s.values[ov];
    const auto fo = static_cast<Idx>(prod(dout));
    switch (n.op) {
      case GraphOp::Conv: {
        im2col(x.data(), nb, din, n.win, dout[1], dout[2], s.cols[k]);
        y.resize(static_cast<Idx>(nb * dout[1] * dout[2]), n.weight.cols());
        matmul(wi, s.cols[k], y);
        y.rowwise() += n.bias.transpose();
        if (observer) observer(wi, y);
        ++wi;
        y.resize(batch, fo);  // same coefficients: Eigen keeps the data (HWC per sample)
        break;
      }
      case GraphOp::Dense:
        y.resize(batch, n.weight.cols());
        matmul(wi, x, y);
        y.rowwise() += n.bias.transpose();
        if (observer) observer(wi, y);
        ++wi;
        break;
      case GraphOp::Affine: {
        y = x;
        const std::size_t C = din[0], f = prod(din);
        const bool chan_last = din.size() == 3;
        const std::size_t inner = chan_last ? 1 : f / C;
        for (std::size_t b = 0; b < nb; ++b) {
          float* p = y.data() + b * f;
          for (std::size_t i = 0; i < f; ++i) {
            const auto c = static_cast<Idx>(chan_last ? i % C : i / inner);
            p[i] = p[i] * n.scale[c] + n.bias[c];
          }
        }
        break;
      }
      case GraphOp::Add: {
        if (n.constant_dims.empty() && dims_[n.inputs[1]] == din && dout == din) {
          y = x + s.values[n.inputs[1]];
        } else if (!n.constant_dims.empty() &&
                   prod(n.constant_dims) == static_cast<std::size_t>(fo) && dout == din) {
          // Constant of the full per-sample shape: add in logical order.
          storage_to_logical(x, din, s.tmp_a);
          s.tmp_a.rowwise() += Eigen::Map<const Eigen::RowVectorXf>(n.constant.data(), fo);
          logical_to_storage(s.tmp_a, dout, y);
        } else {
          storage_to_logical(x, din, s.tmp_a);
          const float* pb = n.constant.data();
          std::vector<std::size_t> db = n.constant_dims;
          bool batched = false;
          if (n.constant_dims.empty()) {
            storage_to_logical(s.values[n.inputs[1]], dims_[n.inputs[1]], s.tmp_b);
            pb = s.tmp_b.data();
            db = dims_[n.inputs[1]];
            batched = true;
          } else if (db.size() > din.size()) {
            db.erase(db.begin());  // the batch dim, checked to be 1
          }
          broadcast_add(s.tmp_a, din, pb, db, batched, dout, s.tmp_c);
          logical_to_storage(s.tmp_c, dout, y);
        }
        break;
      }
      case GraphOp::Concat: {
        // Channels of HWC storage: per pixel; any other axis: in logical order, where each
        // input contributes one contiguous block per index of the axes before `axis`.
        const bool hwc = din.size() == 3 && n.axis == 0;
        std::vector<MatrixRM> logical;
        if (!hwc) {
          logical.resize(n.inputs.size());
          for (std::size_t i = 0; i < n.inputs.size(); ++i)
            storage_to_logical(s.values[n.inputs[i]], dims_[n.inputs[i]], logical[i]);
        }
        std::size_t outer = 1;
        if (hwc)
          outer = din[1] * din[2];
        else
          for (std::size_t i = 0; i < n.axis; ++i) outer *= din[i];
        MatrixRM& dst_m = hwc ? y : s.tmp_a;
        dst_m.resize(batch, fo);
        for (std::size_t b = 0; b < nb; ++b) {
          float* dst = dst_m.data() + b * static_cast<std::size_t>(fo);
          for (std::size_t o = 0; o < outer; ++o)
            for (std::size_t i = 0; i < n.inputs.size(); ++i) {
              const std::size_t v = n.inputs[i], block = features(v) / outer;
              const float* src =
                  (hwc ? s.values[v] : logical[i]).data() + b * features(v) + o * block;
              dst = std::copy(src, src + block, dst);
            }
        }
        if (!hwc) logical_to_storage(s.tmp_a, dout, y);
        break;
      }
      case GraphOp::Relu:
        y = x.cwiseMax(0.0f);
        break;
      case GraphOp::Clip:
        y = x.cwiseMax(n.alpha).cwiseMin(n.beta);
        break;
      case GraphOp::LeakyRelu:
        y = x.unaryExpr([a = n.alpha](float v) { return v >= 0 ? v : a * v; });
        break;
      case GraphOp::Sigmoid:
        y = x.unaryExpr([](float v) { return 1.0f / (1.0f + std::exp(-v)); });
        break;
      case GraphOp::Tanh:
        y = x.array().tanh().matrix();
        break;
      case GraphOp::MaxPool:
      case GraphOp::AvgPool:
        y.resize(batch, fo);
        pool(x.data(), nb, din, n.win, n.op == GraphOp::MaxPool, dout, y.data());
        break;
      case GraphOp::GlobalAvgPool: {
        y.setZero(batch, fo);
        const std::size_t C = din[0], hw = din[1] * din[2];
        for (std::size_t b = 0; b < nb; ++b)
          for (std::size_t i = 0; i < hw; ++i)
            for (std::size_t c = 0; c < C; ++c)
              y(static_cast<Idx>(b), static_cast<Idx>(c)) += x.data()[(b * hw + i) * C + c];
        y /= static_cast<float>(hw);
        break;
      }
      case GraphOp::Flatten:
        storage_to_logical(x, din, y);
        break;
      case GraphOp::Reshape:
        storage_to_logical(x, din, s.tmp_a);
        logical_to_storage(s.tmp_a, dout, y);
        break;
      case GraphOp::Pad: {
        y.setConstant(batch, fo, n.alpha);
        const std::size_t C = din[0];
        for (std::size_t b = 0; b < nb; ++b)
          for (std::size_t r = 0; r < din[1]; ++r) {
            const float* src = x.data() + (b * din[1] + r) * din[2] * C;
            float* dst = y.data() + b * static_cast<std::size_t>(fo) +
                         ((r + n.win.pad_t) * dout[2] + n.win.pad_l) * C;
            std::copy(src, src + din[2] * C, dst);
          }
        break;
      }
      case GraphOp::Softmax:
      case GraphOp::LogSoftmax: {
        // Over contiguous logical blocks of n.group values (the axes from the softmax axis).
        storage_to_logical(x, din, s.tmp_a);
        const std::size_t blk = n.group, total = nb * prod(din);
        float* p = s.tmp_a.data();
        for (std::size_t o = 0; o + blk <= total; o += blk) {
          float m = p[o];
          for (std::size_t i = 1; i < blk; ++i) m = std::max(m, p[o + i]);
          double sum = 0;
          for (std::size_t i = 0; i < blk; ++i) sum += std::exp(double(p[o + i]) - m);
          for (std::size_t i = 0; i < blk; ++i)
            p[o + i] = n.op == GraphOp::Softmax
                           ? static_cast<float>(std::exp(double(p[o + i]) - m) / sum)
                           : static_cast<float>(double(p[o + i]) - m - std::log(sum));
        }
        logical_to_storage(s.tmp_a, dout, y);
        break;
      }
    }
  }
  return s.values.back();
}

}  // namespace xbarmc::nn
