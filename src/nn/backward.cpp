#include "xbarmc/nn/backward.h"

#include <cmath>

#include "xbarmc/nn/ops.h"
#include "xbarmc/util/error.h"

namespace xbarmc::nn {

void Gradients::resize_for(const Network& net) {
  weight.resize(net.num_weight_layers());
  bias.resize(net.num_weight_layers());
  for (std::size_t i = 0; i < net.num_weight_layers(); ++i) {
    weight[i].resize(net.weight_matrix(i).rows(), net.weight_matrix(i).cols());
    bias[i].resize(net.bias(i).size());
  }
}

double softmax_cross_entropy(const MatrixRM& logits, const std::int32_t* labels, MatrixRM& dlogits,
                             std::size_t normalizer) {
  const Eigen::Index n = logits.rows(), k = logits.cols();
  dlogits.resize(n, k);
  double total = 0;
  const float inv_n =
      1.0f / static_cast<float>(normalizer > 0 ? static_cast<Eigen::Index>(normalizer) : n);
  for (Eigen::Index r = 0; r < n; ++r) {
    const float m = logits.row(r).maxCoeff();
    double sum = 0;
    for (Eigen::Index c = 0; c < k; ++c) {
      const float e = std::exp(logits(r, c) - m);
      dlogits(r, c) = e;
      sum += e;
    }
    const auto label = static_cast<Eigen::Index>(labels[r]);
    if (label < 0 || label >= k)
      throw InputError("label " + std::to_string(label) + " is not below the " + std::to_string(k) +
                       " network outputs");
    total += std::log(sum) + m - logits(r, label);
    const auto scale = static_cast<float>(1.0 / sum);
    for (Eigen::Index c = 0; c < k; ++c) dlogits(r, c) *= scale * inv_n;
    dlogits(r, label) -= inv_n;
  }
  return total / static_cast<double>(n);
}

void backward(const Network& net, const MatrixRM& inputs, const ForwardScratch& fwd,
              const MatrixRM& dlogits, Gradients& grads, BackwardScratch& scratch) {
  using MapRM = Eigen::Map<MatrixRM>;
  using ConstMapRM = Eigen::Map<const MatrixRM>;
  const auto batch = static_cast<std::size_t>(inputs.rows());
  if (fwd.out.size() != net.num_layers()) throw InputError("backward: run forward first");
  grads.resize_for(net);
  MatrixRM* dy = &scratch.grad_a;
  MatrixRM* dx = &scratch.grad_b;
  *dy = dlogits;
  const bool hwc_input = net.shape_before(0).spatial && net.shape_before(0).c > 1;
  std::size_t wi = net.num_weight_layers();
  for (std::size_t k = net.num_layers(); k-- > 0;) {
    const TensorShape& in = net.shape_before(k);
    const TensorShape& os = net.shape_before(k + 1);
    const MatrixRM& x = k > 0 ? fwd.out[k - 1] : (hwc_input ? fwd.input_hwc : inputs);
    const bool need_dx = k > 0;
    const auto rows = static_cast<Eigen::Index>(batch);
    const auto in_f = static_cast<Eigen::Index>(in.features());
    const Layer& layer = net.layers()[k];
    if (const auto* d = std::get_if<Dense>(&layer)) {
      --wi;
      const ConstMapRM g(dy->data(), rows, d->weight.cols());
      grads.weight[wi].noalias() = x.transpose() * g;
      grads.bias[wi] = g.colwise().sum().transpose();
      if (need_dx) {
        dx->resize(rows, in_f);
        dx->noalias() = g * d->weight.transpose();
      }
    } else if (const auto* c = std::get_if<Conv2D>(&layer)) {
      --wi;
      const ConstMapRM g(dy->data(), static_cast<Eigen::Index>(batch * os.h * os.w),
                         c->weight.cols());
      const MatrixRM& cols = fwd.cols[k];
      grads.weight[wi].noalias() = cols.transpose() * g;
      grads.bias[wi] = g.colwise().sum().transpose();
      if (need_dx) {
        scratch.dcols.resize(cols.rows(), cols.cols());
        scratch.dcols.noalias() = g * c->weight.transpose();
        dx->resize(rows, in_f);
        ops::col2im(scratch.dcols, batch, in, *c, dx->data());
      }
    } else if (!need_dx) {
      break;  // nothing below a parameter-free first layer needs a gradient
    } else if (std::holds_alternative<ReLU>(layer)) {
      const MatrixRM& y = fwd.out[k];
      dx->resize(y.rows(), y.cols());
      const ConstMapRM g(dy->data(), y.rows(), y.cols());
      dx->array() = (y.array() > 0.0f).select(g.array(), 0.0f);
    } else if (std::holds_alternative<MaxPool2D>(layer)) {
      dx->resize(rows, in_f);
      ops::max_pool_backward(dy->data(), batch, in, os, fwd.argmax[k].data(), dx->data());
    } else if (const auto* a = std::get_if<AvgPool2D>(&layer)) {
      dx->resize(rows, in_f);
      ops::avg_pool_backward(dy->data(), batch, in, *a, dx->data());
    } else {  // Flatten: back from (C,H,W) order to HWC
      dx->resize(rows, in_f);
      if (in.spatial && in.c > 1)
        ops::chw_to_hwc(dy->data(), batch, in, dx->data());
      else
        MapRM(dx->data(), rows, in_f) = ConstMapRM(dy->data(), rows, in_f);
    }
    std::swap(dx, dy);
  }
}

}  // namespace xbarmc::nn
