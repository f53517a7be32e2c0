#pragma once
//! \file stats/confidence_sequence.h
//! Anytime-valid confidence sequence for a Bernoulli mean (a yield): intervals that cover
//! the true yield at every sample size simultaneously, so they stay valid when the number
//! of instances is chosen by looking at the data (optional stopping).
//!
//! Method (docs/statistics.md has the derivation): Robbins' beta mixture of Bernoulli
//! likelihood ratios (H. Robbins, "Statistical methods related to the law of the iterated
//! logarithm", Ann. Math. Statist. 41(5), 1397-1409, 1970), in the confidence-sequence
//! framework of Howard, Ramdas, McAuliffe & Sekhon, "Time-uniform, nonparametric,
//! nonasymptotic confidence sequences", Ann. Statist. 49(2), 1055-1080, 2021. With S
//! successes in n trials and a Beta(a, b) mixing prior,
//!
//!   M_n(p) = B(a + S, b + n - S) / B(a, b) / (p^S (1 - p)^(n - S))
//!
//! is a nonnegative martingale with M_0 = 1 when p is the true mean, so by Ville's
//! inequality P(exists n: M_n(p) >= 1/alpha) <= alpha, and C_n = {p : M_n(p) < 1/alpha} is a
//! (1 - alpha) confidence sequence. M_n(p) equals the prior-to-posterior density ratio of
//! Waudby-Smith & Ramdas (NeurIPS 2020). log M_n is convex in p with its minimum at S/n, so
//! C_n is an interval whose two ends are found by root finding on each side of S/n.

#include <cstdint>

#include "xbarmc/stats/summary.h"

namespace xbarmc::stats {

//! Beta(a, b) mixing distribution of the confidence sequence. The default a = b = 1/2
//! (Jeffreys; the Krichevsky-Trofimov mixture) is symmetric, so the sequence treats yields
//! near 0 and near 1 alike. Any a, b > 0 fixed before the data gives a valid sequence.
struct BetaPrior {
  double a = 0.5;  //!< first shape parameter (> 0)
  double b = 0.5;  //!< second shape parameter (> 0)
};

//! log M_n(p) for `successes` out of `n` trials (p in [0, 1]; +inf where the likelihood is 0).
double beta_mixture_log_martingale(std::uint64_t successes, std::uint64_t n, double p,
                                   BetaPrior prior = {});

//! C_n = {p : M_n(p) < 1/alpha}, alpha = 1 - confidence, as a closed interval [lo, hi]
//! rounded outwards (each end within 1e-12 of the exact root, on the conservative side).
//! lo = 0 when successes = 0 and hi = 1 when successes = n; n = 0 gives [0, 1].
Interval beta_mixture_interval(std::uint64_t successes, std::uint64_t n, double confidence,
                               BetaPrior prior = {});

//! A running confidence sequence: feed trials in order, read the current interval.
//! The interval is the running intersection of C_k over the sample sizes k at which
//! `add` was called: the truth lies in every C_k at once with probability >= 1 - alpha, so
//! it lies in their intersection too, and the interval never widens. (The intersection
//! can only be empty on that probability-alpha event; the current C_n is then reported.)
class BernoulliConfidenceSequence {
 public:
  //! `confidence` in (0, 1), e.g. 0.95.
  explicit BernoulliConfidenceSequence(double confidence, BetaPrior prior = {});

  //! Adds `trials` trials of which `successes` succeeded and updates the interval.
  void add(std::uint64_t successes, std::uint64_t trials);

  [[nodiscard]] std::uint64_t n() const { return n_; }                  //!< trials so far
  [[nodiscard]] std::uint64_t successes() const { return successes_; }  //!< successes so far
  [[nodiscard]] double confidence() const { return confidence_; }       //!< 1 - alpha
  //! Running-intersection interval; [0, 1] before any trial.
  [[nodiscard]] const Interval& interval() const { return interval_; }
  //! Interval at the current n alone (no intersection).
  [[nodiscard]] const Interval& current() const { return current_; }

 private:
  double confidence_;
  BetaPrior prior_;
  std::uint64_t n_ = 0;
  std::uint64_t successes_ = 0;
  Interval interval_;
  Interval current_;
};

}  // namespace xbarmc::stats
