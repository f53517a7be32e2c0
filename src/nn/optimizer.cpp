#include "xbarmc/nn/optimizer.h"

#include <cmath>
#include <numbers>
#include <sstream>

#include "xbarmc/util/error.h"

namespace xbarmc::nn {

std::string OptimizerParams::describe() const {
  std::ostringstream os;
  os << type << " lr=" << learning_rate;
  if (type == "sgd") os << " momentum=" << momentum;
  if (type == "adam") os << " beta1=" << beta1 << " beta2=" << beta2 << " eps=" << epsilon;
  if (weight_decay != 0) os << " weight_decay=" << weight_decay;
  os << " schedule=" << schedule;
  return os.str();
}

double scheduled_learning_rate(const OptimizerParams& p, double progress) {
  if (p.schedule == "cosine")
    return p.learning_rate * 0.5 * (1.0 + std::cos(std::numbers::pi * progress));
  return p.learning_rate;
}

Optimizer::Optimizer(const OptimizerParams& params, const Network& net) : p_(params) {
  if (p_.type != "adam" && p_.type != "sgd")
    throw InputError("optimizer type \"" + p_.type + "\" is not one of adam, sgd");
  for (std::size_t i = 0; i < net.num_weight_layers(); ++i) {
    for (const Eigen::Index n : {net.weight_matrix(i).size(), net.bias(i).size()}) {
      m_.push_back(Eigen::VectorXf::Zero(n));
      v_.push_back(Eigen::VectorXf::Zero(p_.type == "adam" ? n : 0));
    }
  }
}

void Optimizer::update(Eigen::Ref<Eigen::VectorXf> w, const Eigen::Ref<const Eigen::VectorXf>& g,
                       Eigen::Ref<Eigen::VectorXf> m, Eigen::Ref<Eigen::VectorXf> v,
                       double lr) const {
  const auto wd = static_cast<float>(p_.weight_decay);
  if (p_.type == "sgd") {
    const auto mu = static_cast<float>(p_.momentum);
    m = mu * m + g + wd * w;
    w -= static_cast<float>(lr) * m;
    return;
  }
  const auto b1 = static_cast<float>(p_.beta1), b2 = static_cast<float>(p_.beta2);
  const double t = static_cast<double>(t_);
  // Bias-corrected step size alpha_t = lr * sqrt(1 - b2^t) / (1 - b1^t) (Kingma & Ba, sec. 2).
  const auto alpha = static_cast<float>(lr * std::sqrt(1.0 - std::pow(p_.beta2, t)) /
                                        (1.0 - std::pow(p_.beta1, t)));
  const auto eps = static_cast<float>(p_.epsilon);
  for (Eigen::Index i = 0; i < w.size(); ++i) {
    const float gi = g[i] + wd * w[i];
    m[i] = b1 * m[i] + (1.0f - b1) * gi;
    v[i] = b2 * v[i] + (1.0f - b2) * gi * gi;
    w[i] -= alpha * m[i] / (std::sqrt(v[i]) + eps);
  }
}

void Optimizer::step(Network& net, const Gradients& grads, double lr) {
  ++t_;
  for (std::size_t i = 0; i < net.num_weight_layers(); ++i) {
    Eigen::MatrixXf& w = net.mutable_weight_matrix(i);
    Eigen::VectorXf& b = net.mutable_bias(i);
    update(Eigen::Map<Eigen::VectorXf>(w.data(), w.size()),
           Eigen::Map<const Eigen::VectorXf>(grads.weight[i].data(), grads.weight[i].size()),
           m_[2 * i], v_[2 * i], lr);
    update(b, grads.bias[i], m_[2 * i + 1], v_[2 * i + 1], lr);
  }
}

}  // namespace xbarmc::nn
