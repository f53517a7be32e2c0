#pragma once
//! \file nn/backward.h
//! Softmax cross-entropy loss and back-propagation through a Network (for `xbarmc train`).
//! Single-threaded with a fixed summation order, so gradients are bit-reproducible.

#include <cstdint>
#include <vector>

#include "xbarmc/nn/network.h"

namespace xbarmc::nn {

//! Gradients of the loss with respect to every weight layer's matrix and bias.
struct Gradients {
  std::vector<Eigen::MatrixXf> weight;  //!< same shapes as Network::weight_matrix
  std::vector<Eigen::VectorXf> bias;    //!< same shapes as Network::bias
  //! Sizes the buffers for `net` (zeroing is not needed: backward overwrites them).
  void resize_for(const Network& net);
};

//! Buffers of one backward pass, reused across calls.
struct BackwardScratch {
  MatrixRM grad_a;  //!< gradient flowing backwards (ping)
  MatrixRM grad_b;  //!< gradient flowing backwards (pong)
  MatrixRM dcols;   //!< gradient of a conv layer's im2col matrix
};

//! Mean softmax cross-entropy of `logits` [batch x classes] against `labels`, and its
//! gradient with respect to the logits (softmax - one-hot) / normalizer, in `dlogits`
//! (normalizer 0 = batch; a mini-batch split into shards passes the whole batch size).
//! Uses the log-sum-exp shift for stability (e.g. Goodfellow, Bengio, Courville, Deep
//! Learning, 2016, sec. 4.1). Returns the mean loss (nats).
double softmax_cross_entropy(const MatrixRM& logits, const std::int32_t* labels, MatrixRM& dlogits,
                             std::size_t normalizer = 0);

//! Back-propagates `dlogits` through `net` using the activations that net.forward(inputs, ...)
//! left in `fwd`; writes the parameter gradients (summed over the batch) into `grads`.
void backward(const Network& net, const MatrixRM& inputs, const ForwardScratch& fwd,
              const MatrixRM& dlogits, Gradients& grads, BackwardScratch& scratch);

}  // namespace xbarmc::nn
