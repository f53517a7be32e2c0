#include "xbarmc/nn/layers.h"

#include "xbarmc/nn/ops.h"
#include "xbarmc/util/error.h"
#include "xbarmc/util/overloaded.h"

namespace xbarmc::nn {

std::vector<std::size_t> TensorShape::dims() const {
  if (spatial) return {c, h, w};
  return {c};
}

std::string TensorShape::str() const {
  if (!spatial) return std::to_string(c);
  return std::to_string(c) + "x" + std::to_string(h) + "x" + std::to_string(w);
}

namespace {
TensorShape pooled(const TensorShape& in, std::size_t size, std::size_t stride,
                   const std::string& where, const char* what) {
  if (!in.spatial)
    throw InputError(where + ": " + what + " needs a C x H x W input, got " + in.str());
  if (size == 0 || stride == 0)
    throw InputError(where + ": " + what + " size and stride must be >= 1");
  if (size > in.h || size > in.w)
    throw InputError(where + ": " + what + " window " + std::to_string(size) +
                     " is larger than the input " + in.str());
  return {in.c, ops::out_size(in.h, size, stride, 0), ops::out_size(in.w, size, stride, 0), true};
}
}  // namespace

std::string layer_type_name(const Layer& layer) {
  return std::visit(
      util::Overloaded{
          [](const Dense&) { return "dense"; }, [](const Conv2D&) { return "conv2d"; },
          [](const ReLU&) { return "relu"; }, [](const MaxPool2D&) { return "maxpool2d"; },
          [](const AvgPool2D&) { return "avgpool2d"; }, [](const Flatten&) { return "flatten"; }},
      layer);
}

TensorShape output_shape(const Layer& layer, const TensorShape& in, const std::string& where) {
  return std::visit(
      util::Overloaded{
          [&](const Dense& d) -> TensorShape {
            if (in.spatial)
              throw InputError(where + ": dense needs a feature-vector input, got " + in.str() +
                               " (add a flatten layer before it)");
            if (static_cast<std::size_t>(d.weight.rows()) != in.c)
              throw InputError(where + ": dense weight has " + std::to_string(d.weight.rows()) +
                               " input rows but the layer input has " + std::to_string(in.c) +
                               " features");
            if (d.bias.size() != d.weight.cols())
              throw InputError(where + ": dense bias has " + std::to_string(d.bias.size()) +
                               " entries, expected " + std::to_string(d.weight.cols()));
            return {static_cast<std::size_t>(d.weight.cols()), 1, 1, false};
          },
          [&](const Conv2D& cv) -> TensorShape {
            if (!in.spatial)
              throw InputError(where + ": conv2d needs a C x H x W input, got " + in.str());
            if (cv.in_channels != in.c)
              throw InputError(where + ": conv2d expects " + std::to_string(cv.in_channels) +
                               " input channels, the layer input has " + std::to_string(in.c));
            if (cv.kernel_h == 0 || cv.kernel_w == 0 || cv.stride == 0 || cv.out_channels == 0)
              throw InputError(where + ": conv2d kernel, stride and filters must be >= 1");
            if (static_cast<std::size_t>(cv.weight.rows()) !=
                    cv.kernel_h * cv.kernel_w * cv.in_channels ||
                static_cast<std::size_t>(cv.weight.cols()) != cv.out_channels ||
                static_cast<std::size_t>(cv.bias.size()) != cv.out_channels)
              throw InputError(where + ": conv2d weight or bias shape does not match its kernel");
            if (cv.kernel_h > in.h + 2 * cv.padding || cv.kernel_w > in.w + 2 * cv.padding)
              throw InputError(where + ": conv2d kernel is larger than the padded input " +
                               in.str());
            return {cv.out_channels, ops::out_size(in.h, cv.kernel_h, cv.stride, cv.padding),
                    ops::out_size(in.w, cv.kernel_w, cv.stride, cv.padding), true};
          },
          [&](const ReLU&) { return in; },
          [&](const MaxPool2D& p) { return pooled(in, p.size, p.stride, where, "maxpool2d"); },
          [&](const AvgPool2D& p) { return pooled(in, p.size, p.stride, where, "avgpool2d"); },
          [&](const Flatten&) -> TensorShape {
            return {in.features(), 1, 1, false};
          }},
      layer);
}

Conv2D conv2d_from_oihw(const std::vector<float>& oihw, std::size_t out_c, std::size_t in_c,
                        std::size_t kh, std::size_t kw, std::size_t stride, std::size_t padding,
                        const Eigen::VectorXf& bias) {
  if (oihw.size() != out_c * in_c * kh * kw)
    throw InputError("conv2d weight has " + std::to_string(oihw.size()) + " values, expected " +
                     std::to_string(out_c * in_c * kh * kw));
  Conv2D cv{in_c, out_c, kh, kw, stride, padding, Eigen::MatrixXf(kh * kw * in_c, out_c), bias};
  for (std::size_t f = 0; f < out_c; ++f)
    for (std::size_t c = 0; c < in_c; ++c)
      for (std::size_t ky = 0; ky < kh; ++ky)
        for (std::size_t kx = 0; kx < kw; ++kx)
          cv.weight((ky * kw + kx) * in_c + c, f) = oihw[((f * in_c + c) * kh + ky) * kw + kx];
  return cv;
}

std::vector<float> conv2d_to_oihw(const Conv2D& cv) {
  const std::size_t kh = cv.kernel_h, kw = cv.kernel_w, in_c = cv.in_channels;
  std::vector<float> oihw(cv.out_channels * in_c * kh * kw);
  for (std::size_t f = 0; f < cv.out_channels; ++f)
    for (std::size_t c = 0; c < in_c; ++c)
      for (std::size_t ky = 0; ky < kh; ++ky)
        for (std::size_t kx = 0; kx < kw; ++kx)
          oihw[((f * in_c + c) * kh + ky) * kw + kx] = cv.weight((ky * kw + kx) * in_c + c, f);
  return oihw;
}

}  // namespace xbarmc::nn
