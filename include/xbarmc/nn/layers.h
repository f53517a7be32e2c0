#pragma once
//! \file nn/layers.h
//! The closed set of layer types of a Network and their activation shapes.
//!
//! Activation layout: every activation is a row-major matrix with one sample per row.
//! One-dimensional activations are plain feature vectors. Spatial activations (C,H,W) are
//! stored channel-last inside a row: element (y, x, c) at (y*W + x)*C + c ("HWC"), which makes
//! the im2col product of a Conv2D land directly in that layout. Network inputs use the
//! dataset's (C,H,W) order and are converted at the input; Flatten converts HWC back to
//! (C,H,W) order, so Dense weights after a Flatten index features as PyTorch and Keras
//! (channels-first) do.

#include <cstddef>
#include <string>
#include <variant>
#include <vector>
#include "xbarmc/util/eigen.h"

namespace xbarmc::nn {

//! Row-major float32 matrix (batch rows).
using MatrixRM = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

//! Shape of one sample's activation: spatial (C,H,W) or a feature vector (c features).
struct TensorShape {
  std::size_t c = 0;     //!< channels (spatial) or features (vector)
  std::size_t h = 1;     //!< height (1 for vectors)
  std::size_t w = 1;     //!< width (1 for vectors)
  bool spatial = false;  //!< true for (C,H,W) activations
  [[nodiscard]] std::size_t features() const { return c * h * w; }
  [[nodiscard]] std::vector<std::size_t> dims() const;  //!< {C,H,W} or {features}
  [[nodiscard]] std::string str() const;                //!< "8x28x28" or "784"
  bool operator==(const TensorShape&) const = default;
};

//! Fully connected layer: y = x W + b.
struct Dense {
  Eigen::MatrixXf weight;  //!< [in_features x out_features]
  Eigen::VectorXf bias;    //!< [out_features]
};

//! 2-d convolution (cross-correlation, as in PyTorch) with zero padding.
//! weight is the im2col matrix: row (ky*kernel_w + kx)*in_channels + c, column f holds the
//! PyTorch weight[f][c][ky][kx].
struct Conv2D {
  std::size_t in_channels = 0;   //!< input channels
  std::size_t out_channels = 0;  //!< filters
  std::size_t kernel_h = 0;      //!< kernel height, pixels
  std::size_t kernel_w = 0;      //!< kernel width, pixels
  std::size_t stride = 1;        //!< stride in both directions, pixels
  std::size_t padding = 0;       //!< zero padding on every side, pixels
  Eigen::MatrixXf weight;        //!< [kernel_h*kernel_w*in_channels x out_channels] (im2col)
  Eigen::VectorXf bias;          //!< [out_channels]
};

//! max(x, 0) elementwise.
struct ReLU {};

//! Max pooling over size x size windows, no padding (floor mode, as PyTorch's default).
struct MaxPool2D {
  std::size_t size = 2;    //!< window, pixels
  std::size_t stride = 2;  //!< step, pixels
};

//! Average pooling over size x size windows, no padding (floor mode).
struct AvgPool2D {
  std::size_t size = 2;    //!< window, pixels
  std::size_t stride = 2;  //!< step, pixels
};

//! Spatial (C,H,W) to a feature vector in (C,H,W) order.
struct Flatten {};

//! One layer of a network.
using Layer = std::variant<Dense, Conv2D, ReLU, MaxPool2D, AvgPool2D, Flatten>;

//! Name used in files and configs: dense, conv2d, relu, maxpool2d, avgpool2d, flatten.
std::string layer_type_name(const Layer& layer);

//! Output shape of `layer` for input `in`; InputError naming `where` when incompatible.
TensorShape output_shape(const Layer& layer, const TensorShape& in, const std::string& where);

//! Conv2D from a PyTorch-layout weight [out_c][in_c][kh][kw] (row-major, flat).
Conv2D conv2d_from_oihw(const std::vector<float>& oihw, std::size_t out_c, std::size_t in_c,
                        std::size_t kh, std::size_t kw, std::size_t stride, std::size_t padding,
                        const Eigen::VectorXf& bias);
//! The PyTorch-layout weight [out_c][in_c][kh][kw] (row-major, flat) of a Conv2D.
std::vector<float> conv2d_to_oihw(const Conv2D& conv);

}  // namespace xbarmc::nn
