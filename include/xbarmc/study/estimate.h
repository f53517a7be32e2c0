#pragma once
//! \file study/estimate.h
//! Pre-flight size check of a run: memory of the raw results arrays and a rough compute-time
//! estimate, so that absurd studies (e.g. 10^12 instances) are refused with both numbers before
//! anything is allocated.

#include <cstdint>
#include <string>

#include "xbarmc/nn/network.h"
#include "xbarmc/study/study.h"

namespace xbarmc::study {

//! What a run would cost.
struct RunEstimate {
  double results_bytes = 0;      //!< raw results arrays (accuracy, layer_error, status), bytes
  double evaluations = 0;        //!< chip reads: points x instances x cycles x times
  double macs = 0;               //!< multiply-accumulates of all forward passes
  double time_s = 0;             //!< rough wall time on `threads` threads, seconds
  int threads = 1;               //!< threads the time estimate assumes
  std::string describe() const;  //!< "results arrays 12.3 GiB, about 4.5 h on 8 threads (...)"
};

//! Multiply-accumulates of one forward pass of one sample through the weight layers of `net`.
double macs_per_sample(const nn::Network& net);

//! Estimates the cost of running `study` on `net` with `test_samples` samples per read, on
//! `threads` threads (0 = all cores). Memory: points*instances*cycles*times*(4 + 4*layers)
//! bytes (float32 accuracy and per-layer error) + points*instances status bytes, exactly what
//! the runner allocates. Time: MACs / (MACS_PER_THREAD_SECOND * threads): forward passes only,
//! closer to a lower bound (device sampling and the circuit solve are not counted).
RunEstimate estimate_run(const Study& study, const nn::Network& net, std::uint64_t test_samples,
                         int threads);

//! Throws ConfigError (pointer /monte_carlo/instances) with both estimates when the results
//! arrays would need more than half of `ram_bytes`, or the run would take more than a year.
void check_run_size(const RunEstimate& e, double ram_bytes);

//! Physical memory of this machine, bytes (0 when unknown).
double physical_memory_bytes();

//! Assumed forward-pass throughput of one thread, multiply-accumulates per second (float32
//! GEMM with AVX2/AVX-512 reaches 10^10-10^11; device sampling and the circuit solve lower the
//! effective rate, so a conservative figure is used).
inline constexpr double MACS_PER_THREAD_SECOND = 2e9;

}  // namespace xbarmc::study
