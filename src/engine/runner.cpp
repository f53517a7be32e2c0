#include "xbarmc/engine/runner.h"

#include <oneapi/tbb/enumerable_thread_specific.h>
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/parallel_for.h>

#include <chrono>
#include <cmath>
#include <numeric>

#include "xbarmc/engine/chip.h"
#include "xbarmc/engine/point_setup.h"
#include "xbarmc/engine/progress.h"

namespace xbarmc::engine {

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

//! The test set cut into fixed batches (shared, read-only), the probe batch, and the
//! software network's per-layer outputs on the probe (reference for layer errors).
struct Inputs {
  std::vector<nn::MatrixRM> batches;
  std::vector<std::vector<std::int32_t>> labels;
  nn::MatrixRM probe;
  std::vector<nn::MatrixRM> probe_reference;  // per weight layer, after bias
  std::uint64_t samples = 0;
};

Inputs cut_inputs(const nn::Network& net, const data::Dataset& test, const MonteCarloParams& mc) {
  Inputs in;
  in.samples = test.count;
  const std::size_t b = mc.batch_size;
  for (std::size_t start = 0; start < test.count; start += b) {
    const std::size_t n = std::min(b, test.count - start);
    in.batches.emplace_back(
        test.inputs.middleRows(static_cast<Eigen::Index>(start), static_cast<Eigen::Index>(n)));
    in.labels.emplace_back(test.labels.begin() + static_cast<std::ptrdiff_t>(start),
                           test.labels.begin() + static_cast<std::ptrdiff_t>(start + n));
  }
  const std::size_t np = std::min<std::size_t>(mc.probe_size, test.count);
  in.probe = test.inputs.topRows(static_cast<Eigen::Index>(np));
  in.probe_reference.resize(net.num_weight_layers());
  nn::ForwardScratch scratch;
  nn::MatrixRM logits;
  net.forward_with(
      in.probe, logits, scratch,
      [&](std::size_t l, const nn::MatrixRM& x, nn::MatrixRM& y) {
        y.noalias() = x * net.weight_matrix(l);
      },
      [&](std::size_t l, const nn::MatrixRM& y) { in.probe_reference[l] = y; });
  return in;
}

//! Per-thread state, reused across work items.
struct Worker {
  Chip chip;
  nn::ForwardScratch scratch;
  nn::MatrixRM logits;
  std::vector<std::int32_t> predicted;
  std::vector<double> layer_sq;
  double evaluate_s = 0;
};

//! Fraction of the test set classified correctly by the chip's current state; NaN when any
//! logit is not finite.
double evaluate(const nn::Network& net, const Inputs& in, Worker& w) {
  const auto t0 = Clock::now();
  const nn::Network::MatMul mm = [&w](std::size_t l, const nn::MatrixRM& x, nn::MatrixRM& y) {
    w.chip.matmul(l, x, y);
  };
  w.chip.begin_reads(0);
  std::uint64_t correct = 0;
  bool finite = true;
  for (std::size_t b = 0; b < in.batches.size(); ++b) {
    net.forward_with(in.batches[b], w.logits, w.scratch, mm);
    finite = finite && w.logits.allFinite();
    nn::argmax_rows(w.logits, w.predicted);
    for (std::size_t i = 0; i < w.predicted.size(); ++i)
      correct += w.predicted[i] == in.labels[b][i] ? 1 : 0;
  }
  w.evaluate_s += seconds_since(t0);
  if (!finite) return std::nan("");
  return static_cast<double>(correct) / static_cast<double>(in.samples);
}

//! Relative RMS deviation of each weight layer's output from the software network on the probe.
void layer_errors(const nn::Network& net, const Inputs& in, Worker& w, float* out) {
  const auto t0 = Clock::now();
  w.chip.begin_reads(1);
  const nn::Network::MatMul mm = [&w](std::size_t l, const nn::MatrixRM& x, nn::MatrixRM& y) {
    w.chip.matmul(l, x, y);
  };
  net.forward_with(in.probe, w.logits, w.scratch, mm, [&](std::size_t l, const nn::MatrixRM& y) {
    const nn::MatrixRM& ref = in.probe_reference[l];
    const double num = (y - ref).squaredNorm();
    const double den = ref.squaredNorm();
    out[l] = static_cast<float>(std::sqrt(num / std::max(den, 1e-300)));
  });
  w.evaluate_s += seconds_since(t0);
}

}  // namespace

StudyResults run_study(const Study& study, const nn::Network& net, const data::Dataset& test,
                       const RunOptions& options) {
  const auto t_setup = Clock::now();
  const auto& mc = study.monte_carlo;
  StudyResults r;
  r.instances = mc.instances;
  r.cycles = mc.cycles;
  r.times_s = mc.times_s;
  r.layers = net.num_weight_layers();
  r.test_samples = test.count;
  r.software_accuracy = nn::accuracy(net, test);

  const Inputs in = cut_inputs(net, test, mc);
  const std::size_t n_points = study.points.size();
  const std::size_t T = mc.times_s.size(), C = mc.cycles, L = r.layers;
  const std::size_t per_instance = C * T;

  std::optional<tbb::global_control> threads;
  if (options.threads > 0)
    threads.emplace(tbb::global_control::max_allowed_parallelism,
                    static_cast<std::size_t>(options.threads));

  std::vector<PointSetup> setups(n_points);
  r.points.resize(n_points);
  tbb::enumerable_thread_specific<Worker> workers;
  tbb::parallel_for(std::size_t{0}, n_points, [&](std::size_t p) {
    setups[p] = prepare_point(net, study.points[p], in.probe);
    PointResults& pr = r.points[p];
    pr.accuracy.assign(mc.instances * per_instance, std::nanf(""));
    pr.layer_error.assign(mc.instances * per_instance * L, std::nanf(""));
    pr.status.assign(mc.instances, static_cast<std::uint8_t>(InstanceStatus::NotRun));
    // The mapped chip with ideal devices: what levels, circuit and periphery alone cost.
    Worker& w = workers.local();
    w.chip.begin_instance(setups[p], p, study.seed, 0, /*ideal_devices=*/true);
    w.chip.program(0);
    w.chip.read_at(0, mc.times_s.front());
    pr.noise_free_accuracy = evaluate(net, in, w);
  });
  r.timings.setup_s = seconds_since(t_setup);

  // Work items: (point, instance) in the requested point order.
  std::vector<std::size_t> order = options.point_order;
  if (order.empty()) {
    order.resize(n_points);
    std::iota(order.begin(), order.end(), 0);
  }
  std::vector<std::uint64_t> instances = options.instances;
  if (instances.empty()) {
    instances.resize(mc.instances);
    std::iota(instances.begin(), instances.end(), 0);
  }
  const std::size_t n_items = order.size() * instances.size();
  const auto t_mc = Clock::now();
  {
    Progress progress(n_items, options.quiet);
    tbb::parallel_for(std::size_t{0}, n_items, [&](std::size_t item) {
      const std::size_t p = order[item / instances.size()];
      const std::uint64_t i = instances[item % instances.size()];
      PointResults& pr = r.points[p];
      Worker& w = workers.local();
      w.chip.begin_instance(setups[p], p, study.seed, i);
      bool finite = true;
      for (std::uint32_t c = 0; c < C; ++c) {
        w.chip.program(c);
        for (std::size_t k = 0; k < T; ++k) {
          w.chip.read_at(static_cast<std::uint32_t>(k), mc.times_s[k]);
          const std::size_t slot = i * per_instance + c * T + k;
          const double acc = evaluate(net, in, w);
          finite = finite && std::isfinite(acc);
          pr.accuracy[slot] = static_cast<float>(acc);
          layer_errors(net, in, w, &pr.layer_error[slot * L]);
        }
      }
      pr.status[i] =
          static_cast<std::uint8_t>(finite ? InstanceStatus::Ok : InstanceStatus::NonFinite);
      progress.tick();
    });
  }
  r.timings.monte_carlo_s = seconds_since(t_mc);
  for (auto& w : workers) {
    r.timings.device_s += w.chip.device_seconds();
    r.timings.circuit_s += w.chip.circuit_seconds();
    r.timings.evaluate_s += w.evaluate_s;
  }
  return r;
}

}  // namespace xbarmc::engine
