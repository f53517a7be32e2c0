#include "xbarmc/stats/confidence_sequence.h"

#include <algorithm>
#include <boost/math/special_functions/gamma.hpp>
#include <boost/math/tools/toms748_solve.hpp>
#include <cmath>
#include <limits>

#include "xbarmc/util/error.h"

namespace xbarmc::stats {

namespace {

double log_beta(double a, double b) {
  return boost::math::lgamma(a) + boost::math::lgamma(b) - boost::math::lgamma(a + b);
}

//! Absolute tolerance on each end of the interval.
constexpr double kTolerance = 1e-12;

//! f(p) = log M_n(p) - log(1/alpha) with the p-independent part precomputed.
struct Boundary {
  double successes, failures, constant;
  [[nodiscard]] double operator()(double p) const {
    const double s = successes > 0 ? successes * std::log(p) : 0.0;
    const double f = failures > 0 ? failures * std::log1p(-p) : 0.0;
    return constant - s - f;
  }
};

//! Root of the monotone `f` between `inside` (f < 0) and `outside` (f >= 0), returned as
//! the end of the final bracket nearest `outside` (conservative: never inside the root).
double root(const Boundary& f, double inside, double outside) {
  double a = std::min(inside, outside), b = std::max(inside, outside);
  double fa = f(a), fb = f(b);
  std::uintmax_t iterations = 200;
  const auto tol = [](double x, double y) { return std::abs(x - y) <= kTolerance; };
  const auto [lo, hi] = boost::math::tools::toms748_solve(f, a, b, fa, fb, tol, iterations);
  return outside < inside ? lo : hi;
}

}  // namespace

double beta_mixture_log_martingale(std::uint64_t successes, std::uint64_t n, double p,
                                   BetaPrior prior) {
  const double s = static_cast<double>(successes);
  const double f = static_cast<double>(n - successes);
  const Boundary b{s, f, log_beta(prior.a + s, prior.b + f) - log_beta(prior.a, prior.b)};
  if ((s > 0 && p <= 0) || (f > 0 && p >= 1)) return std::numeric_limits<double>::infinity();
  return b(p);
}

Interval beta_mixture_interval(std::uint64_t successes, std::uint64_t n, double confidence,
                               BetaPrior prior) {
  if (!(confidence > 0 && confidence < 1))
    throw InputError("confidence must lie in (0, 1), got " + std::to_string(confidence));
  if (!(prior.a > 0 && prior.b > 0)) throw InputError("beta prior shapes must be positive");
  if (successes > n) throw InputError("more successes than trials");
  if (n == 0) return {0.0, 1.0};
  const double s = static_cast<double>(successes);
  const double fl = static_cast<double>(n - successes);
  const double log_inv_alpha = -std::log1p(-confidence);
  const Boundary f{
      s, fl, log_beta(prior.a + s, prior.b + fl) - log_beta(prior.a, prior.b) - log_inv_alpha};
  // At p = S/n the mixture is at most the maximum likelihood ratio, 1 < 1/alpha: f < 0.
  const double mle = s / static_cast<double>(n);
  Interval out{0.0, 1.0};
  if (successes > 0) {
    // f -> +inf as p -> 0: halve towards 0 until f >= 0, then solve.
    double outside = mle / 2;
    while (f(outside) < 0 && outside > 1e-300) outside /= 2;
    out.lo = f(outside) < 0 ? 0.0 : root(f, mle, outside);
  }
  if (successes < n) {
    // In q = 1 - p: f -> +inf as q -> 0.
    double q = (1 - mle) / 2;
    while (f(1 - q) < 0 && q > 1e-16) q /= 2;
    out.hi = f(1 - q) < 0 ? 1.0 : root(f, mle, 1 - q);
  }
  return out;
}

BernoulliConfidenceSequence::BernoulliConfidenceSequence(double confidence, BetaPrior prior)
    : confidence_(confidence), prior_(prior) {
  if (!(confidence > 0 && confidence < 1))
    throw InputError("confidence must lie in (0, 1), got " + std::to_string(confidence));
  if (!(prior.a > 0 && prior.b > 0)) throw InputError("beta prior shapes must be positive");
}

void BernoulliConfidenceSequence::add(std::uint64_t successes, std::uint64_t trials) {
  if (successes > trials) throw InputError("more successes than trials");
  n_ += trials;
  successes_ += successes;
  current_ = beta_mixture_interval(successes_, n_, confidence_, prior_);
  const Interval both{std::max(interval_.lo, current_.lo), std::min(interval_.hi, current_.hi)};
  interval_ = both.lo <= both.hi ? both : current_;
}

}  // namespace xbarmc::stats
