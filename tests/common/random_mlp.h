#pragma once
// Test helpers shared by the runner and scaleout tests: a random two-layer ReLU MLP and a dataset
// labelled by that network itself (software accuracy 1, so every analog error shows up as a
// misclassification). Draws come from the given stream in a fixed order.
#include <string>

#include "xbarmc/data/dataset.h"
#include "xbarmc/nn/network.h"
#include "xbarmc/util/rng.h"

namespace xbarmc::test {

//! Normal(0, scale^2) entries, column-major order.
inline Eigen::MatrixXf random_matrix(RandomStream& s, Eigen::Index rows, Eigen::Index cols,
                                     float scale) {
  Eigen::MatrixXf m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = scale * static_cast<float>(s.normal());
  return m;
}

//! in -> hidden (ReLU) -> out dense network, weights N(0, 0.3^2), biases N(0, 0.1^2).
inline nn::Network random_mlp(RandomStream& s, const std::string& name, Eigen::Index in,
                              Eigen::Index hidden, Eigen::Index out) {
  nn::Dense d1{random_matrix(s, in, hidden, 0.3f),
               Eigen::VectorXf(random_matrix(s, hidden, 1, 0.1f))};
  nn::Dense d2{random_matrix(s, hidden, out, 0.3f),
               Eigen::VectorXf(random_matrix(s, out, 1, 0.1f))};
  return nn::Network(name, {static_cast<std::size_t>(in)}, {d1, nn::ReLU{}, d2});
}

//! `samples` inputs uniform in [0, 1), labelled by `net`'s own predictions.
inline data::Dataset self_labelled(RandomStream& s, const nn::Network& net, std::size_t samples) {
  data::Dataset d;
  const auto features = static_cast<Eigen::Index>(net.input_features());
  d.sample_shape = {net.input_features()};
  d.count = samples;
  d.inputs.resize(static_cast<Eigen::Index>(samples), features);
  for (Eigen::Index i = 0; i < d.inputs.size(); ++i)
    d.inputs.data()[i] = static_cast<float>(s.uniform01());
  d.num_classes = net.num_classes();
  nn::ForwardScratch scratch;
  d.labels = nn::predict(net, d.inputs, scratch);
  return d;
}

}  // namespace xbarmc::test
