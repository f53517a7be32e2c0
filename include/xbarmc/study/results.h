#pragma once
//! \file study/results.h
//! The raw results of a study and their one layout: per point, per instance, per programming
//! cycle, per read time (and per weight layer for the layer errors), instance-major. The runner,
//! checkpoints, shards, merge and the results file all index through this type; nothing else
//! re-derives the layout.

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace xbarmc::study {

//! Status of one instance, stored as its code in the results file (`status`, uint8).
enum class InstanceStatus : std::uint8_t {
  NotRun = 0,     //!< not evaluated (yet)
  Ok = 1,         //!< evaluated, all outputs finite
  NonFinite = 2,  //!< some output was NaN or Inf; its accuracies are NaN
};

//! Sizes of the per-instance block of one point.
struct ResultsShape {
  std::uint64_t instances = 0;  //!< instances per point
  std::uint32_t cycles = 0;     //!< programming cycles per instance
  std::size_t times = 0;        //!< read times per cycle
  std::size_t layers = 0;       //!< weight layers (layer errors per read)

  //! Reads (cycle, time) per instance.
  [[nodiscard]] std::size_t reads() const { return std::size_t{cycles} * times; }
  //! Index of read (instance, cycle, time) in a point's `accuracy`; times `layers` for
  //! the first layer error of that read in `layer_error`.
  [[nodiscard]] std::size_t read_slot(std::uint64_t instance, std::uint32_t cycle,
                                      std::size_t time) const {
    return static_cast<std::size_t>(instance) * reads() + std::size_t{cycle} * times + time;
  }
  friend bool operator==(const ResultsShape&, const ResultsShape&) = default;
};

//! Raw results of one point.
struct PointResults {
  std::vector<float> accuracy;       //!< [instances x cycles x times], fraction correct
  std::vector<float> layer_error;    //!< [instances x cycles x times x layers], relative RMS
  std::vector<std::uint8_t> status;  //!< [instances], InstanceStatus codes
  double noise_free_accuracy = 0;  //!< mapped chip with ideal devices (levels, circuit, periphery)

  //! Sizes the arrays for `shape`: every value NaN, every instance NotRun.
  void reset(const ResultsShape& shape);
  //! Status of instance `i`.
  [[nodiscard]] InstanceStatus status_of(std::uint64_t i) const {
    return static_cast<InstanceStatus>(status[static_cast<std::size_t>(i)]);
  }
  void set_status(std::uint64_t i, InstanceStatus s) {
    status[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(s);
  }
  //! Whether instance `i` was evaluated (Ok or NonFinite).
  [[nodiscard]] bool has_run(std::uint64_t i) const {
    return status_of(i) != InstanceStatus::NotRun;
  }
  //! The `shape.reads()` accuracies of instance `i`.
  [[nodiscard]] std::span<float> instance_accuracy(const ResultsShape& shape, std::uint64_t i);
  [[nodiscard]] std::span<const float> instance_accuracy(const ResultsShape& shape,
                                                         std::uint64_t i) const;
  //! The `shape.reads() * shape.layers` layer errors of instance `i`.
  [[nodiscard]] std::span<float> instance_layer_error(const ResultsShape& shape, std::uint64_t i);
  [[nodiscard]] std::span<const float> instance_layer_error(const ResultsShape& shape,
                                                            std::uint64_t i) const;
  //! Copies status, accuracies and layer errors of instance `i` from `from` (same shape).
  void copy_instance(const PointResults& from, const ResultsShape& shape, std::uint64_t i);
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

//! Global index of work item (point, instance): point-major, point * instances + instance.
inline std::uint64_t item_index(std::size_t point, std::uint64_t instance,
                                std::uint64_t instances) {
  return static_cast<std::uint64_t>(point) * instances + instance;
}

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
  bool interrupted = false;  //!< stopped by a stop request before every item ran
  //! Work items this call evaluated whose outputs were not finite (status NonFinite).
  std::uint64_t nonfinite = 0;
  std::uint64_t evaluated_items = 0;  //!< work items this call was asked to evaluate
  //! `nonfinite` exceeded both limits of MonteCarloParams (max_nonfinite and
  //! max_nonfinite_fraction of `evaluated_items`): no further item started after that.
  bool nonfinite_limit = false;

  //! The per-point layout.
  [[nodiscard]] ResultsShape shape() const { return {instances, cycles, times_s.size(), layers}; }
  //! Work items of the whole study (points x instances).
  [[nodiscard]] std::uint64_t item_count() const { return points.size() * instances; }
  //! (point, instance) of global work item `item`.
  [[nodiscard]] std::pair<std::size_t, std::uint64_t> split_item(std::uint64_t item) const {
    return {static_cast<std::size_t>(item / instances), item % instances};
  }
  //! Whether work item `item` was evaluated.
  [[nodiscard]] bool item_has_run(std::uint64_t item) const {
    const auto [p, i] = split_item(item);
    return points[p].has_run(i);
  }
  //! A copy with the same header (sizes, software accuracy, timings, noise-free accuracies)
  //! whose points hold nothing evaluated yet.
  [[nodiscard]] StudyResults empty_copy() const;
};

}  // namespace xbarmc::study
