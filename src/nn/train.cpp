#include <boost/random/uniform_int_distribution.hpp>
#include <chrono>
#include <cmath>
#include <numeric>

#include "xbarmc/error.h"
#include "xbarmc/nn/backward.h"
#include "xbarmc/nn/train.h"
#include "xbarmc/rng.h"

namespace xbarmc::nn {

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

//! Fisher-Yates shuffle (Knuth, TAOCP vol. 2, Algorithm 3.4.2 P) of 0..n-1 for one epoch,
//! from stream (seed, Purpose::TrainingShuffle, cycle = epoch).
std::vector<std::size_t> epoch_order(std::size_t n, std::uint64_t seed, std::uint32_t epoch) {
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  RandomStream rng(seed, StreamId{0, Purpose::TrainingShuffle, 0, 0, epoch, 0});
  for (std::size_t i = n; i > 1; --i) {
    boost::random::uniform_int_distribution<std::size_t> pick(0, i - 1);
    std::swap(order[i - 1], order[pick(rng)]);
  }
  return order;
}

}  // namespace

Network train_network(const TrainConfig& cfg, const data::Dataset& train, const data::Dataset& test,
                      TrainingMetadata& meta,
                      const std::function<void(const EpochReport&)>& progress) {
  if (train.count == 0) throw InputError("training dataset is empty");
  if (test.features() != train.features())
    throw InputError("test samples have " + std::to_string(test.features()) +
                     " features, training samples " + std::to_string(train.features()));
  const std::size_t classes = std::max(train.num_classes, test.num_classes);
  Network net = build_network(cfg.name, cfg.architecture, train.sample_shape, classes, cfg.seed);
  Optimizer opt(cfg.optimizer, net);
  ForwardScratch fwd;
  BackwardScratch bwd;
  Gradients grads;
  MatrixRM xb, logits, dlogits;
  std::vector<std::int32_t> yb, pred;
  const auto features = static_cast<Eigen::Index>(train.features());
  const std::size_t batches_per_epoch = (train.count + cfg.batch_size - 1) / cfg.batch_size;
  const double total_steps = static_cast<double>(batches_per_epoch * cfg.epochs);
  const auto t_start = std::chrono::steady_clock::now();
  meta = TrainingMetadata{};
  for (std::size_t epoch = 0; epoch < cfg.epochs; ++epoch) {
    const auto t_epoch = std::chrono::steady_clock::now();
    const auto order = epoch_order(train.count, cfg.seed, static_cast<std::uint32_t>(epoch));
    double loss_sum = 0;
    std::size_t correct = 0;
    for (std::size_t b = 0; b < batches_per_epoch; ++b) {
      const std::size_t start = b * cfg.batch_size;
      const std::size_t n = std::min(cfg.batch_size, train.count - start);
      xb.resize(static_cast<Eigen::Index>(n), features);
      yb.resize(n);
      for (std::size_t i = 0; i < n; ++i) {
        xb.row(static_cast<Eigen::Index>(i)) =
            train.inputs.row(static_cast<Eigen::Index>(order[start + i]));
        yb[i] = train.labels[order[start + i]];
      }
      net.forward(xb, logits, fwd);
      argmax_rows(logits, pred);
      for (std::size_t i = 0; i < n; ++i) correct += pred[i] == yb[i] ? 1 : 0;
      loss_sum += softmax_cross_entropy(logits, yb.data(), dlogits) * static_cast<double>(n);
      backward(net, xb, fwd, dlogits, grads, bwd);
      const double step = static_cast<double>(epoch * batches_per_epoch + b);
      opt.step(net, grads, scheduled_learning_rate(cfg.optimizer, step / total_steps));
    }
    if (!std::isfinite(loss_sum))
      throw InputError("training diverged (loss is not finite) in epoch " +
                       std::to_string(epoch + 1) + "; lower /optimizer/learning_rate");
    EpochReport r;
    r.epoch = epoch + 1;
    r.epochs = cfg.epochs;
    r.loss = loss_sum / static_cast<double>(train.count);
    r.train_accuracy = static_cast<double>(correct) / static_cast<double>(train.count);
    r.test_accuracy = accuracy(net, test);
    r.seconds = seconds_since(t_epoch);
    meta.loss.push_back(r.loss);
    meta.train_accuracy.push_back(r.train_accuracy);
    meta.test_accuracy_history.push_back(r.test_accuracy);
    meta.epoch_time_s.push_back(r.seconds);
    if (progress) progress(r);
  }
  meta.train_time_s = seconds_since(t_start);
  meta.config_json = cfg.resolved.dump();
  meta.seed = cfg.seed;
  meta.epochs = cfg.epochs;
  meta.optimizer = cfg.optimizer.describe();
  meta.train_dataset = train.description;
  meta.test_dataset = test.description;
  const auto n = train.description.find("normalization=");
  if (n != std::string::npos) {
    const auto end = train.description.find(';', n);
    meta.normalization =
        train.description.substr(n + 14, end == std::string::npos ? end : end - n - 14);
  }
  meta.test_accuracy = meta.test_accuracy_history.back();
  return net;
}

}  // namespace xbarmc::nn
