#pragma once
//! \file nn/optimizer.h
//! Mini-batch optimisers for `xbarmc train`: Adam and SGD with momentum.

#include <string>
#include <vector>

#include "xbarmc/nn/backward.h"

namespace xbarmc::nn {

//! Optimiser settings (the "optimizer" object of a training config).
struct OptimizerParams {
  std::string type = "adam";          //!< "adam" or "sgd"
  double learning_rate = 1e-3;        //!< step size at the start of training
  double momentum = 0.9;              //!< sgd: momentum coefficient mu
  double beta1 = 0.9;                 //!< adam: decay of the first-moment estimate
  double beta2 = 0.999;               //!< adam: decay of the second-moment estimate
  double epsilon = 1e-8;              //!< adam: denominator offset
  double weight_decay = 0.0;          //!< L2 coefficient added to the gradient (lambda * w)
  std::string schedule = "constant";  //!< "constant" or "cosine" (annealed to 0 over training)
  //! One-line summary, e.g. "adam lr=0.001 schedule=cosine".
  [[nodiscard]] std::string describe() const;
};

//! Learning rate after `progress` (fraction of training done, in [0, 1]) under the schedule;
//! cosine: lr * (1 + cos(pi * progress)) / 2 (Loshchilov & Hutter, SGDR, ICLR 2017, eq. 5
//! with a single cycle and eta_min = 0).
double scheduled_learning_rate(const OptimizerParams& p, double progress);

//! Keeps the optimiser state (moments) of one network.
class Optimizer {
 public:
  Optimizer(const OptimizerParams& params, const Network& net);
  //! Applies one update with learning rate `lr` to every weight layer of `net`.
  //! adam: Kingma & Ba, "Adam", ICLR 2015, Algorithm 1 (with bias correction);
  //! sgd: v = mu v + g; w -= lr v (the heavy-ball form used by PyTorch, Sutskever et al. 2013).
  void step(Network& net, const Gradients& grads, double lr);

 private:
  void update(Eigen::Ref<Eigen::VectorXf> w, const Eigen::Ref<const Eigen::VectorXf>& g,
              Eigen::Ref<Eigen::VectorXf> m, Eigen::Ref<Eigen::VectorXf> v, double lr) const;
  OptimizerParams p_;
  std::size_t t_ = 0;               // steps taken
  std::vector<Eigen::VectorXf> m_;  // per tensor: first moment (adam) or velocity (sgd)
  std::vector<Eigen::VectorXf> v_;  // per tensor: second moment (adam)
};

}  // namespace xbarmc::nn
