#include <tbb/parallel_for.h>
#include <boost/random/uniform_int_distribution.hpp>
#include <chrono>
#include <cmath>
#include <numeric>

#include "xbarmc/nn/backward.h"
#include "xbarmc/nn/train.h"
#include "xbarmc/util/error.h"
#include "xbarmc/util/rng.h"
#include "xbarmc/util/timer.h"

namespace xbarmc::nn {

namespace {

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

//! Work and buffers of one shard of a mini-batch.
struct Shard {
  ForwardScratch fwd;
  BackwardScratch bwd;
  Gradients grads;
  MatrixRM x, logits, dlogits;
  std::vector<std::int32_t> y, pred;
  double loss_sum = 0;      // summed cross-entropy of the shard's samples
  std::size_t correct = 0;  // correctly classified samples (before the update)
};

//! Forward and backward pass of samples order[lo..hi) of a mini-batch of `batch` samples.
void run_shard(const Network& net, const data::Dataset& train,
               const std::vector<std::size_t>& order, std::size_t lo, std::size_t hi,
               std::size_t batch, Shard& sh) {
  const std::size_t n = hi - lo;
  sh.x.resize(static_cast<Eigen::Index>(n), train.inputs.cols());
  sh.y.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    sh.x.row(static_cast<Eigen::Index>(i)) =
        train.inputs.row(static_cast<Eigen::Index>(order[lo + i]));
    sh.y[i] = train.labels[order[lo + i]];
  }
  net.forward(sh.x, sh.logits, sh.fwd);
  argmax_rows(sh.logits, sh.pred);
  sh.correct = 0;
  for (std::size_t i = 0; i < n; ++i) sh.correct += sh.pred[i] == sh.y[i] ? 1 : 0;
  sh.loss_sum =
      softmax_cross_entropy(sh.logits, sh.y.data(), sh.dlogits, batch) * static_cast<double>(n);
  backward(net, sh.x, sh.fwd, sh.dlogits, sh.grads, sh.bwd);
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
  std::vector<Shard> shards(cfg.shards);
  const std::size_t batches_per_epoch = (train.count + cfg.batch_size - 1) / cfg.batch_size;
  const double total_steps = static_cast<double>(batches_per_epoch * cfg.epochs);
  const auto t_start = util::Clock::now();
  meta = TrainingMetadata{};
  for (std::size_t epoch = 0; epoch < cfg.epochs; ++epoch) {
    const auto t_epoch = util::Clock::now();
    const auto order = epoch_order(train.count, cfg.seed, static_cast<std::uint32_t>(epoch));
    double loss_sum = 0;
    std::size_t correct = 0;
    for (std::size_t b = 0; b < batches_per_epoch; ++b) {
      const std::size_t start = b * cfg.batch_size;
      const std::size_t n = std::min(cfg.batch_size, train.count - start);
      // The mini-batch is cut into a fixed number of shards (depending on n and the config
      // only), each shard's gradient is computed on its own, and the shards are summed in
      // index order: the result does not depend on how many threads run them.
      const std::size_t used = std::min(shards.size(), n);
      tbb::parallel_for(std::size_t{0}, used, [&](std::size_t s) {
        run_shard(net, train, order, start + n * s / used, start + n * (s + 1) / used, n,
                  shards[s]);
      });
      Gradients& grads = shards[0].grads;
      for (std::size_t s = 0; s < used; ++s) {
        loss_sum += shards[s].loss_sum;
        correct += shards[s].correct;
        if (s == 0) continue;
        for (std::size_t i = 0; i < grads.weight.size(); ++i) {
          grads.weight[i] += shards[s].grads.weight[i];
          grads.bias[i] += shards[s].grads.bias[i];
        }
      }
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
    r.seconds = util::seconds_since(t_epoch);
    meta.loss.push_back(r.loss);
    meta.train_accuracy.push_back(r.train_accuracy);
    meta.test_accuracy_history.push_back(r.test_accuracy);
    meta.epoch_time_s.push_back(r.seconds);
    if (progress) progress(r);
  }
  meta.train_time_s = util::seconds_since(t_start);
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
