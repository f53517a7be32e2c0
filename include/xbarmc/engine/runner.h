#pragma once
//! \file engine/runner.h
//! The Monte Carlo engine: every (point, instance) work item in parallel (TBB),
//! each single-threaded with reused per-thread scratch; results stored by index
//! so they do not depend on the thread count or schedule.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "xbarmc/data/dataset.h"
#include "xbarmc/engine/study.h"
#include "xbarmc/error.h"
#include "xbarmc/nn/network.h"

namespace xbarmc::engine {

//! Status of one instance.
enum class InstanceStatus : std::uint8_t {
  NotRun = 0,     //!< not evaluated (yet)
  Ok = 1,         //!< evaluated, all outputs finite
  NonFinite = 2,  //!< some output was NaN or Inf; its accuracies are NaN
};

struct StudyResults;

//! Options of one run (command line).
struct RunOptions {
  int threads = 0;                       //!< 0 = all cores
  bool quiet = false;                    //!< no progress output
  std::vector<std::size_t> point_order;  //!< order in which points are scheduled (empty = natural)
  //! Evaluate only these instances (empty = all), e.g. a replay of one instance.
  std::vector<std::uint64_t> instances;
  //! Evaluate only these work items (global index point * instances + instance, see
  //! docs/hpc.md); when set it replaces `point_order` and `instances` (and may be empty).
  std::optional<std::vector<std::uint64_t>> items;
  //! Results of an earlier, partial run of the same study (resume): instances whose status is
  //! not NotRun are copied into the result and count as done. Null = start empty.
  const StudyResults* prior = nullptr;
  //! Polled before each work item; when it returns true no further item starts, items in
  //! flight finish, and the run returns with `StudyResults::interrupted` set.
  std::function<bool()> stop_requested;
  //! Seconds between calls of `on_checkpoint` (<= 0: never).
  double checkpoint_s = 0;
  //! Receives a consistent snapshot of every completed item (others NotRun) every
  //! `checkpoint_s` seconds, from a helper thread while the workers go on.
  std::function<void(const StudyResults&)> on_checkpoint;
};

//! Raw results of one point.
struct PointResults {
  std::vector<float> accuracy;       //!< [instances x cycles x times], fraction correct
  std::vector<float> layer_error;    //!< [instances x cycles x times x layers], relative RMS
  std::vector<std::uint8_t> status;  //!< [instances], InstanceStatus
  double noise_free_accuracy = 0;  //!< mapped chip with ideal devices (levels, circuit, periphery)
};

//! Wall-clock seconds of the run's phases.
struct Timings {
  double setup_s = 0;        //!< loading, mapping, calibration, noise-free reference
  double monte_carlo_s = 0;  //!< the parallel part
  double device_s = 0;       //!< device sampling (summed over threads)
  double circuit_s = 0;      //!< circuit solves (summed over threads)
  double evaluate_s = 0;     //!< forward passes (summed over threads)
  double write_s = 0;        //!< statistics and HDF5
};

//! Results of a study.
struct StudyResults {
  double software_accuracy = 0;    //!< float network on the evaluated test samples
  std::uint64_t test_samples = 0;  //!< samples evaluated per read
  std::uint64_t instances = 0;     //!< instances per point
  std::uint32_t cycles = 0;
  std::vector<double> times_s;
  std::size_t layers = 0;  //!< weight layers
  std::vector<PointResults> points;
  Timings timings;
  bool interrupted = false;  //!< stopped by `RunOptions::stop_requested` before every item ran
  //! Work items this call evaluated whose outputs were not finite (status NonFinite).
  std::uint64_t nonfinite = 0;
  std::uint64_t evaluated_items = 0;  //!< work items this call was asked to evaluate
  //! `nonfinite` exceeded both limits of MonteCarloParams (max_nonfinite and
  //! max_nonfinite_fraction of `evaluated_items`): no further item started after that.
  bool nonfinite_limit = false;
};

//! Whether `nonfinite` non-finite instances out of a run of `items` work items exceed both
//! limits of `mc`: nonfinite > max_nonfinite and nonfinite > max_nonfinite_fraction * items.
bool nonfinite_limit_exceeded(const MonteCarloParams& mc, std::uint64_t nonfinite,
                              std::uint64_t items);

//! The message of a run stopped by the non-finite limit: the count, both limits with their
//! config pointers, and where the partial results are.
std::string nonfinite_limit_message(const MonteCarloParams& mc, std::uint64_t nonfinite,
                                    std::uint64_t items);

//! Global index of work item (point, instance): point-major, point * instances + instance.
inline std::uint64_t item_index(std::size_t point, std::uint64_t instance,
                                std::uint64_t instances) {
  return static_cast<std::uint64_t>(point) * instances + instance;
}

//! Too many instances gave non-finite outputs; the completed work was saved (partial file).
class NumericalFaultError : public Error {
 public:
  using Error::Error;
  [[nodiscard]] ExitCode exit_code() const override { return ExitCode::NumericalFault; }
};

//! Runs a study on `net` and `test` (already limited to the samples to evaluate).
StudyResults run_study(const Study& study, const nn::Network& net, const data::Dataset& test,
                       const RunOptions& options);

}  // namespace xbarmc::engine
