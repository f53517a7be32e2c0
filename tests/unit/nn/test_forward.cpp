#include <gtest/gtest.h>

#include "nn_test_util.h"
#include "xbarmc/nn/network.h"
#include "xbarmc/util/error.h"

using namespace xbarmc;
using namespace xbarmc::nn;
using namespace xbarmc::nn::testing_util;

namespace {
MatrixRM run(const Network& net, const MatrixRM& x) {
  ForwardScratch s;
  MatrixRM y;
  net.forward(x, y, s);
  return y;
}

//! Direct convolution (PyTorch semantics) on one CHW sample, output CHW.
std::vector<float> direct_conv(const std::vector<float>& in, std::size_t C, std::size_t H,
                               std::size_t W, const Conv2D& cv) {
  const std::vector<float> w = conv2d_to_oihw(cv);
  const std::size_t kh = cv.kernel_h, kw = cv.kernel_w;
  const std::size_t oh = (H + 2 * cv.padding - kh) / cv.stride + 1,
                    ow = (W + 2 * cv.padding - kw) / cv.stride + 1;
  std::vector<float> out(cv.out_channels * oh * ow);
  for (std::size_t f = 0; f < cv.out_channels; ++f)
    for (std::size_t oy = 0; oy < oh; ++oy)
      for (std::size_t ox = 0; ox < ow; ++ox) {
        double acc = cv.bias(static_cast<Eigen::Index>(f));
        for (std::size_t c = 0; c < C; ++c)
          for (std::size_t ky = 0; ky < kh; ++ky)
            for (std::size_t kx = 0; kx < kw; ++kx) {
              const auto y = static_cast<std::ptrdiff_t>(oy * cv.stride + ky) -
                             static_cast<std::ptrdiff_t>(cv.padding);
              const auto x = static_cast<std::ptrdiff_t>(ox * cv.stride + kx) -
                             static_cast<std::ptrdiff_t>(cv.padding);
              if (y < 0 || x < 0 || y >= static_cast<std::ptrdiff_t>(H) ||
                  x >= static_cast<std::ptrdiff_t>(W))
                continue;
              acc += static_cast<double>(w[((f * C + c) * kh + ky) * kw + kx]) *
                     in[(c * H + static_cast<std::size_t>(y)) * W + static_cast<std::size_t>(x)];
            }
        out[(f * oh + oy) * ow + ox] = static_cast<float>(acc);
      }
  return out;
}
}  // namespace

TEST(Forward, DenseHandComputed) {
  Dense d{Eigen::MatrixXf(2, 3), Eigen::VectorXf(3)};
  d.weight << 1, 2, 3, 4, 5, 6;
  d.bias << 0.1f, 0.2f, 0.3f;
  const Network net("d", {2}, {d});
  MatrixRM x(2, 2);
  x << 1, 2, -1, 0.5f;
  const MatrixRM y = run(net, x);
  // Row 0: [1*1+2*4, 1*2+2*5, 1*3+2*6] + b; row 1: [-1+2, -2+2.5, -3+3] + b.
  EXPECT_FLOAT_EQ(y(0, 0), 9.1f);
  EXPECT_FLOAT_EQ(y(0, 1), 12.2f);
  EXPECT_FLOAT_EQ(y(0, 2), 15.3f);
  EXPECT_FLOAT_EQ(y(1, 0), 1.1f);
  EXPECT_FLOAT_EQ(y(1, 1), 0.7f);
  EXPECT_FLOAT_EQ(y(1, 2), 0.3f);
}

TEST(Forward, Conv2DHandComputed) {
  // Input 1x3x3 = 1..9, kernel [[1,2],[3,4]], bias 0.5.
  const std::vector<float> k{1, 2, 3, 4};
  MatrixRM x(1, 9);
  x << 1, 2, 3, 4, 5, 6, 7, 8, 9;
  const Eigen::VectorXf b = Eigen::VectorXf::Constant(1, 0.5f);
  const Network valid("c", {1, 3, 3}, {conv2d_from_oihw(k, 1, 1, 2, 2, 1, 0, b), Flatten{}});
  const MatrixRM y = run(valid, x);
  ASSERT_EQ(y.cols(), 4);
  EXPECT_FLOAT_EQ(y(0, 0), 37.5f);  // 1*1 + 2*2 + 4*3 + 5*4
  EXPECT_FLOAT_EQ(y(0, 1), 47.5f);  // 2 + 6 + 15 + 24
  EXPECT_FLOAT_EQ(y(0, 2), 67.5f);  // 4 + 10 + 21 + 32
  EXPECT_FLOAT_EQ(y(0, 3), 77.5f);  // 5 + 12 + 24 + 36
  // Padding 1, stride 2: windows start at (-1,-1), (-1,1), (1,-1), (1,1).
  const Network padded("c", {1, 3, 3}, {conv2d_from_oihw(k, 1, 1, 2, 2, 2, 1, b), Flatten{}});
  const MatrixRM z = run(padded, x);
  ASSERT_EQ(z.cols(), 4);
  EXPECT_FLOAT_EQ(z(0, 0), 4.5f);   // 4*1
  EXPECT_FLOAT_EQ(z(0, 1), 18.5f);  // 3*2 + 4*3
  EXPECT_FLOAT_EQ(z(0, 2), 36.5f);  // 2*4 + 4*7
  EXPECT_FLOAT_EQ(z(0, 3), 77.5f);  // 1*5 + 2*6 + 3*8 + 4*9
}

TEST(Forward, Im2colConvolutionEqualsDirectConvolution) {
  struct Case {
    std::size_t c, h, w, f, k, stride, pad;
  };
  for (const Case& t : {Case{3, 7, 6, 4, 3, 1, 1}, Case{2, 8, 8, 3, 3, 2, 1},
                        Case{1, 5, 5, 2, 5, 1, 2}, Case{4, 6, 9, 5, 2, 3, 0}}) {
    const Conv2D cv = random_conv(t.c, t.f, t.k, t.stride, t.pad, 7 + t.k);
    const Network net("c", {t.c, t.h, t.w}, {cv, Flatten{}});
    const MatrixRM x = random_matrix(3, static_cast<Eigen::Index>(t.c * t.h * t.w), 5);
    const MatrixRM y = run(net, x);
    for (Eigen::Index b = 0; b < 3; ++b) {
      const std::vector<float> in(x.row(b).data(), x.row(b).data() + x.cols());
      const auto ref = direct_conv(in, t.c, t.h, t.w, cv);
      ASSERT_EQ(static_cast<std::size_t>(y.cols()), ref.size());
      // float32 sums of at most 100 products of O(1) terms: |error| well below 1e-4.
      for (std::size_t i = 0; i < ref.size(); ++i)
        EXPECT_NEAR(y(b, static_cast<Eigen::Index>(i)), ref[i], 1e-4);
    }
  }
}

TEST(Forward, PoolingAndFlattenOrder) {
  // 2x4x4 input, channel c pixel (y,x) = 100c + 4y + x (CHW order).
  MatrixRM x(1, 32);
  for (int i = 0; i < 32; ++i) x(0, i) = static_cast<float>(100 * (i / 16) + i % 16);
  const MatrixRM mx = run(Network("m", {2, 4, 4}, {MaxPool2D{2, 2}, Flatten{}}), x);
  const MatrixRM av = run(Network("a", {2, 4, 4}, {AvgPool2D{2, 2}, Flatten{}}), x);
  const float max_ref[] = {5, 7, 13, 15, 105, 107, 113, 115};
  const float avg_ref[] = {2.5f, 4.5f, 10.5f, 12.5f, 102.5f, 104.5f, 110.5f, 112.5f};
  for (int i = 0; i < 8; ++i) {
    EXPECT_FLOAT_EQ(mx(0, i), max_ref[i]);
    EXPECT_FLOAT_EQ(av(0, i), avg_ref[i]);
  }
  // Flatten of an untouched multi-channel input returns the (C,H,W) order of the dataset.
  EXPECT_EQ(run(Network("f", {2, 4, 4}, {Flatten{}}), x), x);
  const MatrixRM r = run(Network("r", {4}, {ReLU{}}), (MatrixRM(1, 4) << -1, 2, -3, 0).finished());
  EXPECT_EQ(r, (MatrixRM(1, 4) << 0, 2, 0, 0).finished());
}

TEST(Forward, ForwardWithSameProductIsBitIdenticalAndUsesTheHook) {
  const Network net = small_cnn();
  const MatrixRM x = random_matrix(5, 3 * 9 * 9, 11);
  ForwardScratch s;
  MatrixRM ref, y;
  net.forward(x, ref, s);
  std::vector<std::size_t> seen;
  net.forward_with(
      x, y, s,
      [&](std::size_t i, const MatrixRM& in, MatrixRM& out) {
        seen.push_back(i);
        EXPECT_EQ(in.cols(), net.weight_matrix(i).rows());
        out.noalias() = in * net.weight_matrix(i);
      },
      [&](std::size_t i, const MatrixRM& out) {
        EXPECT_EQ(out.cols(), net.weight_matrix(i).cols());
      });
  EXPECT_EQ(seen, (std::vector<std::size_t>{0, 1, 2, 3}));
  EXPECT_EQ(y, ref);
  // A product forced to zero leaves only the last bias: the hook really replaces the product.
  net.forward_with(x, y, s, [](std::size_t, const MatrixRM&, MatrixRM& out) { out.setZero(); });
  for (Eigen::Index b = 0; b < 5; ++b)
    EXPECT_EQ(Eigen::VectorXf(y.row(b).transpose()), net.bias(3));
  EXPECT_EQ(net.num_weight_layers(), 4u);
  EXPECT_EQ(net.weight_matrix(1).rows(), 3 * 3 * 4);
  EXPECT_EQ(net.num_classes(), 6u);
}

TEST(Forward, ShapeErrorsNameTheLayer) {
  try {
    Network("bad", {1, 4, 4}, {Dense{Eigen::MatrixXf::Zero(16, 2), Eigen::VectorXf::Zero(2)}});
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("layer 0 (dense)"), std::string::npos) << e.what();
  }
  EXPECT_THROW(Network("bad", {4}, {Dense{Eigen::MatrixXf::Zero(3, 2), Eigen::VectorXf::Zero(2)}}),
               InputError);
  EXPECT_THROW(Network("bad", {1, 4, 4}, {MaxPool2D{2, 2}}), InputError);  // spatial output
  Dense nan{Eigen::MatrixXf::Zero(4, 2), Eigen::VectorXf::Zero(2)};
  nan.weight(1, 1) = std::numeric_limits<float>::quiet_NaN();
  EXPECT_THROW(Network("bad", {4}, {nan}), InputError);
  const Network ok("ok", {4}, {Dense{Eigen::MatrixXf::Zero(4, 2), Eigen::VectorXf::Zero(2)}});
  ForwardScratch s;
  MatrixRM y;
  EXPECT_THROW(ok.forward(MatrixRM::Zero(2, 5), y, s), InputError);
}
