#include "xbarmc/nn/ops.h"

#include <algorithm>
#include <cstring>

namespace xbarmc::nn::ops {

std::size_t out_size(std::size_t n, std::size_t k, std::size_t stride, std::size_t pad) {
  if (k > n + 2 * pad || stride == 0) return 0;
  return (n + 2 * pad - k) / stride + 1;
}

// im2col lowers convolution to one GEMM (Chellapilla, Puri, Simard, "High performance
// convolutional neural networks for document processing", IWFHR 2006).
void im2col(const float* in, std::size_t batch, const TensorShape& s, const Conv2D& cv,
            MatrixRM& cols) {
  const std::size_t oh = out_size(s.h, cv.kernel_h, cv.stride, cv.padding);
  const std::size_t ow = out_size(s.w, cv.kernel_w, cv.stride, cv.padding);
  const std::size_t C = s.c, kw = cv.kernel_w, K = cv.kernel_h * kw * C;
  cols.resize(static_cast<Eigen::Index>(batch * oh * ow), static_cast<Eigen::Index>(K));
  const auto pad = static_cast<std::ptrdiff_t>(cv.padding);
  const auto H = static_cast<std::ptrdiff_t>(s.h), W = static_cast<std::ptrdiff_t>(s.w);
  float* dst = cols.data();
  for (std::size_t b = 0; b < batch; ++b) {
    const float* img = in + b * s.features();
    for (std::size_t oy = 0; oy < oh; ++oy)
      for (std::size_t ox = 0; ox < ow; ++ox) {
        const std::ptrdiff_t y0 = static_cast<std::ptrdiff_t>(oy * cv.stride) - pad;
        const std::ptrdiff_t x0 = static_cast<std::ptrdiff_t>(ox * cv.stride) - pad;
        for (std::size_t ky = 0; ky < cv.kernel_h; ++ky, dst += kw * C) {
          const std::ptrdiff_t y = y0 + static_cast<std::ptrdiff_t>(ky);
          if (y < 0 || y >= H) {
            std::fill(dst, dst + kw * C, 0.0f);
            continue;
          }
          // Columns x0 .. x0+kw-1: zero the parts outside [0, W), copy the inside in one run.
          const std::ptrdiff_t lo = std::max<std::ptrdiff_t>(0, -x0);
          const std::ptrdiff_t hi =
              std::min<std::ptrdiff_t>(static_cast<std::ptrdiff_t>(kw), W - x0);
          std::fill(dst, dst + lo * static_cast<std::ptrdiff_t>(C), 0.0f);
          if (hi > lo)
            std::memcpy(dst + lo * static_cast<std::ptrdiff_t>(C),
                        img + ((y * W) + x0 + lo) * static_cast<std::ptrdiff_t>(C),
                        static_cast<std::size_t>(hi - lo) * C * sizeof(float));
          std::fill(dst + std::max(hi, lo) * static_cast<std::ptrdiff_t>(C), dst + kw * C, 0.0f);
        }
      }
  }
}

void col2im(const MatrixRM& dcols, std::size_t batch, const TensorShape& s, const Conv2D& cv,
            float* din) {
  const std::size_t oh = out_size(s.h, cv.kernel_h, cv.stride, cv.padding);
  const std::size_t ow = out_size(s.w, cv.kernel_w, cv.stride, cv.padding);
  const std::size_t C = s.c;
  std::fill(din, din + batch * s.features(), 0.0f);
  const auto pad = static_cast<std::ptrdiff_t>(cv.padding);
  const auto H = static_cast<std::ptrdiff_t>(s.h), W = static_cast<std::ptrdiff_t>(s.w);
  const float* src = dcols.data();
  for (std::size_t b = 0; b < batch; ++b) {
    float* img = din + b * s.features();
    for (std::size_t oy = 0; oy < oh; ++oy)
      for (std::size_t ox = 0; ox < ow; ++ox) {
        const std::ptrdiff_t y0 = static_cast<std::ptrdiff_t>(oy * cv.stride) - pad;
        const std::ptrdiff_t x0 = static_cast<std::ptrdiff_t>(ox * cv.stride) - pad;
        for (std::size_t ky = 0; ky < cv.kernel_h; ++ky) {
          const std::ptrdiff_t y = y0 + static_cast<std::ptrdiff_t>(ky);
          for (std::size_t kx = 0; kx < cv.kernel_w; ++kx, src += C) {
            const std::ptrdiff_t x = x0 + static_cast<std::ptrdiff_t>(kx);
            if (y < 0 || y >= H || x < 0 || x >= W) continue;
            float* p = img + (y * W + x) * static_cast<std::ptrdiff_t>(C);
            for (std::size_t c = 0; c < C; ++c) p[c] += src[c];
          }
        }
      }
  }
}

void max_pool(const float* in, std::size_t batch, const TensorShape& s, const MaxPool2D& p,
              float* out, std::int32_t* argmax) {
  const std::size_t oh = out_size(s.h, p.size, p.stride, 0),
                    ow = out_size(s.w, p.size, p.stride, 0);
  const std::size_t C = s.c;
  for (std::size_t b = 0; b < batch; ++b) {
    const float* img = in + b * s.features();
    for (std::size_t oy = 0; oy < oh; ++oy)
      for (std::size_t ox = 0; ox < ow; ++ox, out += C, argmax += C) {
        for (std::size_t c = 0; c < C; ++c) {
          const std::size_t first = ((oy * p.stride) * s.w + ox * p.stride) * C + c;
          out[c] = img[first];
          argmax[c] = static_cast<std::int32_t>(first);
        }
        for (std::size_t dy = 0; dy < p.size; ++dy)
          for (std::size_t dx = 0; dx < p.size; ++dx) {
            const std::size_t base = ((oy * p.stride + dy) * s.w + ox * p.stride + dx) * C;
            for (std::size_t c = 0; c < C; ++c)
              if (img[base + c] > out[c]) {
                out[c] = img[base + c];
                argmax[c] = static_cast<std::int32_t>(base + c);
              }
          }
      }
  }
}

void max_pool_backward(const float* dout, std::size_t batch, const TensorShape& in_shape,
                       const TensorShape& out_shape, const std::int32_t* argmax, float* din) {
  std::fill(din, din + batch * in_shape.features(), 0.0f);
  const std::size_t n = out_shape.features();
  for (std::size_t b = 0; b < batch; ++b) {
    float* img = din + b * in_shape.features();
    for (std::size_t i = 0; i < n; ++i) img[argmax[b * n + i]] += dout[b * n + i];
  }
}

void avg_pool(const float* in, std::size_t batch, const TensorShape& s, const AvgPool2D& p,
              float* out) {
  const std::size_t oh = out_size(s.h, p.size, p.stride, 0),
                    ow = out_size(s.w, p.size, p.stride, 0);
  const std::size_t C = s.c;
  const float inv = 1.0f / static_cast<float>(p.size * p.size);
  for (std::size_t b = 0; b < batch; ++b) {
    const float* img = in + b * s.features();
    for (std::size_t oy = 0; oy < oh; ++oy)
      for (std::size_t ox = 0; ox < ow; ++ox, out += C) {
        std::fill(out, out + C, 0.0f);
        for (std::size_t dy = 0; dy < p.size; ++dy)
          for (std::size_t dx = 0; dx < p.size; ++dx) {
            const float* px = img + ((oy * p.stride + dy) * s.w + ox * p.stride + dx) * C;
            for (std::size_t c = 0; c < C; ++c) out[c] += px[c];
          }
        for (std::size_t c = 0; c < C; ++c) out[c] *= inv;
      }
  }
}

void avg_pool_backward(const float* dout, std::size_t batch, const TensorShape& s,
                       const AvgPool2D& p, float* din) {
  const std::size_t oh = out_size(s.h, p.size, p.stride, 0),
                    ow = out_size(s.w, p.size, p.stride, 0);
  const std::size_t C = s.c;
  const float inv = 1.0f / static_cast<float>(p.size * p.size);
  std::fill(din, din + batch * s.features(), 0.0f);
  for (std::size_t b = 0; b < batch; ++b) {
    float* img = din + b * s.features();
    for (std::size_t oy = 0; oy < oh; ++oy)
      for (std::size_t ox = 0; ox < ow; ++ox, dout += C)
        for (std::size_t dy = 0; dy < p.size; ++dy)
          for (std::size_t dx = 0; dx < p.size; ++dx) {
            float* px = img + ((oy * p.stride + dy) * s.w + ox * p.stride + dx) * C;
            for (std::size_t c = 0; c < C; ++c) px[c] += dout[c] * inv;
          }
  }
}

void chw_to_hwc(const float* in, std::size_t batch, const TensorShape& s, float* out) {
  const std::size_t hw = s.h * s.w;
  for (std::size_t b = 0; b < batch; ++b, in += s.features(), out += s.features())
    for (std::size_t c = 0; c < s.c; ++c)
      for (std::size_t i = 0; i < hw; ++i) out[i * s.c + c] = in[c * hw + i];
}

void hwc_to_chw(const float* in, std::size_t batch, const TensorShape& s, float* out) {
  const std::size_t hw = s.h * s.w;
  for (std::size_t b = 0; b < batch; ++b, in += s.features(), out += s.features())
    for (std::size_t i = 0; i < hw; ++i)
      for (std::size_t c = 0; c < s.c; ++c) out[c * hw + i] = in[i * s.c + c];
}

}  // namespace xbarmc::nn::ops
