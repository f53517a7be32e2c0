#pragma once
//! \file nn/ops.h
//! Batched kernels on HWC activations (see nn/layers.h for the layout): im2col and its
//! adjoint col2im, pooling, layout conversions. Single-threaded, no allocation.

#include <cstdint>

#include "xbarmc/nn/layers.h"

namespace xbarmc::nn::ops {

//! Output height or width of a window op: floor((n + 2*pad - k) / stride) + 1; 0 if k > n+2pad.
std::size_t out_size(std::size_t n, std::size_t k, std::size_t stride, std::size_t pad);

//! Patches of `in` ([batch x H*W*C], HWC) for `conv`: cols [batch*oh*ow x kh*kw*C], row
//! (b*oh + oy)*ow + ox, column (ky*kw + kx)*C + c; zero outside the image (padding).
void im2col(const float* in, std::size_t batch, const TensorShape& in_shape, const Conv2D& conv,
            MatrixRM& cols);
//! Adjoint of im2col: accumulates the patch gradients `dcols` into `din` (zeroed first).
void col2im(const MatrixRM& dcols, std::size_t batch, const TensorShape& in_shape,
            const Conv2D& conv, float* din);

//! Max pooling; `argmax` receives, per output element, the input offset (within the sample)
//! of the first maximum in window scan order (used by training).
void max_pool(const float* in, std::size_t batch, const TensorShape& in_shape, const MaxPool2D& p,
              float* out, std::int32_t* argmax);
//! Gradient of max pooling: dout routed to the recorded argmax positions.
void max_pool_backward(const float* dout, std::size_t batch, const TensorShape& in_shape,
                       const TensorShape& out_shape, const std::int32_t* argmax, float* din);
//! Average pooling.
void avg_pool(const float* in, std::size_t batch, const TensorShape& in_shape, const AvgPool2D& p,
              float* out);
//! Gradient of average pooling.
void avg_pool_backward(const float* dout, std::size_t batch, const TensorShape& in_shape,
                       const AvgPool2D& p, float* din);

//! Per sample, (C,H,W) order to HWC order.
void chw_to_hwc(const float* in, std::size_t batch, const TensorShape& shape, float* out);
//! Per sample, HWC order to (C,H,W) order.
void hwc_to_chw(const float* in, std::size_t batch, const TensorShape& shape, float* out);

}  // namespace xbarmc::nn::ops
