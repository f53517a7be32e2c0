#include "xbarmc/study/results.h"

#include <algorithm>
#include <cmath>

namespace xbarmc::study {

void PointResults::reset(const ResultsShape& shape) {
  const std::size_t n_reads = static_cast<std::size_t>(shape.instances) * shape.reads();
  accuracy.assign(n_reads, std::nanf(""));
  layer_error.assign(n_reads * shape.layers, std::nanf(""));
  status.assign(static_cast<std::size_t>(shape.instances),
                static_cast<std::uint8_t>(InstanceStatus::NotRun));
}

std::span<float> PointResults::instance_accuracy(const ResultsShape& shape, std::uint64_t i) {
  return std::span<float>(accuracy).subspan(shape.read_slot(i, 0, 0), shape.reads());
}

std::span<const float> PointResults::instance_accuracy(const ResultsShape& shape,
                                                       std::uint64_t i) const {
  return std::span<const float>(accuracy).subspan(shape.read_slot(i, 0, 0), shape.reads());
}

std::span<float> PointResults::instance_layer_error(const ResultsShape& shape, std::uint64_t i) {
  return std::span<float>(layer_error)
      .subspan(shape.read_slot(i, 0, 0) * shape.layers, shape.reads() * shape.layers);
}

std::span<const float> PointResults::instance_layer_error(const ResultsShape& shape,
                                                          std::uint64_t i) const {
  return std::span<const float>(layer_error)
      .subspan(shape.read_slot(i, 0, 0) * shape.layers, shape.reads() * shape.layers);
}

void PointResults::copy_instance(const PointResults& from, const ResultsShape& shape,
                                 std::uint64_t i) {
  status[static_cast<std::size_t>(i)] = from.status[static_cast<std::size_t>(i)];
  std::ranges::copy(from.instance_accuracy(shape, i), instance_accuracy(shape, i).begin());
  std::ranges::copy(from.instance_layer_error(shape, i), instance_layer_error(shape, i).begin());
}

StudyResults StudyResults::empty_copy() const {
  StudyResults s;
  s.software_accuracy = software_accuracy;
  s.test_samples = test_samples;
  s.instances = instances;
  s.cycles = cycles;
  s.times_s = times_s;
  s.layers = layers;
  s.timings = timings;
  s.points.resize(points.size());
  for (std::size_t p = 0; p < points.size(); ++p) {
    s.points[p].reset(shape());
    s.points[p].noise_free_accuracy = points[p].noise_free_accuracy;
  }
  return s;
}

}  // namespace xbarmc::study
