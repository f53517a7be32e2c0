#pragma once
// Helpers shared by the nn tests: random networks and inputs from fixed RandomStreams.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "xbarmc/nn/network.h"
#include "xbarmc/util/rng.h"

namespace xbarmc::nn::testing_util {

inline MatrixRM random_matrix(Eigen::Index rows, Eigen::Index cols, std::uint64_t sub) {
  RandomStream rng(99, StreamId{0, Purpose::TrainingInit, 0, 0, 0, sub});
  MatrixRM m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = static_cast<float>(rng.normal());
  return m;
}

inline Dense random_dense(Eigen::Index in, Eigen::Index out, std::uint64_t sub) {
  return Dense{random_matrix(in, out, sub) * 0.3f, random_matrix(out, 1, sub + 1000).col(0) * 0.1f};
}

inline Conv2D random_conv(std::size_t in_c, std::size_t out_c, std::size_t k, std::size_t stride,
                          std::size_t pad, std::uint64_t sub) {
  Conv2D c{in_c, out_c, k, k, stride, pad, {}, {}};
  c.weight = random_matrix(static_cast<Eigen::Index>(k * k * in_c),
                           static_cast<Eigen::Index>(out_c), sub) *
             0.3f;
  c.bias = random_matrix(static_cast<Eigen::Index>(out_c), 1, sub + 1000).col(0) * 0.1f;
  return c;
}

//! 3x9x9 input -> conv 3x3 (4, stride 1, pad 1) -> relu -> maxpool 2 -> conv 3x3 (5, stride 2,
//! pad 1) -> avgpool 2 stride 1 -> flatten -> dense 20 -> relu -> dense 6.
inline Network small_cnn() {
  std::vector<Layer> layers{
      random_conv(3, 4, 3, 1, 1, 1),  ReLU{},          MaxPool2D{2, 2},
      random_conv(4, 5, 3, 2, 1, 2),  AvgPool2D{2, 1}, Flatten{},
      random_dense(5 * 1 * 1, 20, 3), ReLU{},          random_dense(20, 6, 4)};
  return Network("small_cnn", {3, 9, 9}, std::move(layers));
}

inline std::filesystem::path temp_dir(const std::string& prefix) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  auto dir = std::filesystem::temp_directory_path() /
             (prefix + info->test_suite_name() + "_" + info->name());
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace xbarmc::nn::testing_util
