#include "xbarmc/runner/runner.h"

#include <oneapi/tbb/enumerable_thread_specific.h>
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/parallel_for.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <numeric>
#include <sstream>

#include "xbarmc/chip/chip.h"
#include "xbarmc/chip/point_setup.h"
#include "xbarmc/runner/checkpointer.h"
#include "xbarmc/runner/progress.h"
#include "xbarmc/study/open_study.h"
#include "xbarmc/util/error.h"
#include "xbarmc/util/parallel_for.h"
#include "xbarmc/util/timer.h"

namespace xbarmc::runner {

namespace {

//! The test set cut into fixed batches (shared, read-only), the probe batch, and the
//! software network's per-layer outputs on the probe (reference for layer errors).
struct Inputs {
  std::vector<nn::MatrixRM> batches;
  std::vector<std::vector<std::int32_t>> labels;
  nn::MatrixRM probe;
  std::vector<nn::MatrixRM> probe_reference;  // per weight layer, after bias
  std::uint64_t samples = 0;
};

Inputs cut_inputs(const nn::Network& net, const data::Dataset& test,
                  const study::MonteCarloParams& mc) {
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
  in.probe = study::probe_batch(mc, test);
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
  chip::Chip chip;
  nn::ForwardScratch scratch;
  nn::MatrixRM logits;
  std::vector<std::int32_t> predicted;
  std::vector<double> layer_sq;
  double evaluate_s = 0;
};

//! Fraction of the test set classified correctly by the chip's current state; NaN when any
//! logit is not finite.
double evaluate(const nn::Network& net, const Inputs& in, Worker& w) {
  const auto t0 = util::Clock::now();
  const nn::Network::MatMul mm = [&w](std::size_t l, const nn::MatrixRM& x, nn::MatrixRM& y) {
    w.chip.matmul(l, x, y);
  };
  w.chip.begin_reads(chip::Chip::READS_TEST_SET);
  std::uint64_t correct = 0;
  bool finite = true;
  for (std::size_t b = 0; b < in.batches.size(); ++b) {
    net.forward_with(in.batches[b], w.logits, w.scratch, mm);
    finite = finite && w.logits.allFinite();
    nn::argmax_rows(w.logits, w.predicted);
    for (std::size_t i = 0; i < w.predicted.size(); ++i)
      correct += w.predicted[i] == in.labels[b][i] ? 1 : 0;
  }
  w.evaluate_s += util::seconds_since(t0);
  if (!finite) return std::nan("");
  return static_cast<double>(correct) / static_cast<double>(in.samples);
}

//! Relative RMS deviation of each weight layer's output from the software network on the probe.
void layer_errors(const nn::Network& net, const Inputs& in, Worker& w, float* out) {
  const auto t0 = util::Clock::now();
  w.chip.begin_reads(chip::Chip::READS_PROBE);
  const nn::Network::MatMul mm = [&w](std::size_t l, const nn::MatrixRM& x, nn::MatrixRM& y) {
    w.chip.matmul(l, x, y);
  };
  net.forward_with(in.probe, w.logits, w.scratch, mm, [&](std::size_t l, const nn::MatrixRM& y) {
    const nn::MatrixRM& ref = in.probe_reference[l];
    const double num = (y - ref).squaredNorm();
    const double den = ref.squaredNorm();
    out[l] = static_cast<float>(std::sqrt(num / std::max(den, 1e-300)));
  });
  w.evaluate_s += util::seconds_since(t0);
}

//! Copies the completed instances of an earlier partial run into `r` (same study).
void copy_prior(const study::StudyResults& prior, study::StudyResults& r) {
  if (prior.points.size() != r.points.size() || prior.shape() != r.shape())
    throw InputError("resume: the earlier results have another shape than this study");
  for (std::size_t p = 0; p < r.points.size(); ++p)
    for (std::uint64_t i = 0; i < r.instances; ++i)
      if (prior.points[p].has_run(i)) r.points[p].copy_instance(prior.points[p], r.shape(), i);
}

//! The global indices of the items to evaluate: `options.items`, else the requested points
//! and instances; minus the items already done (resume).
std::vector<std::uint64_t> work_items(const RunOptions& options, const study::StudyResults& r,
                                      std::size_t n_points) {
  std::vector<std::uint64_t> items;
  if (options.items) {
    items = *options.items;
  } else {
    std::vector<std::size_t> order = options.point_order;
    if (order.empty()) {
      order.resize(n_points);
      std::iota(order.begin(), order.end(), 0);
    }
    std::vector<std::uint64_t> instances = options.instances;
    if (instances.empty()) {
      instances.resize(r.instances);
      std::iota(instances.begin(), instances.end(), 0);
    }
    for (std::size_t p : order)
      for (std::uint64_t i : instances) items.push_back(study::item_index(p, i, r.instances));
  }
  const std::uint64_t n_items = n_points * r.instances;
  std::erase_if(items, [&](std::uint64_t item) {
    if (item >= n_items)
      throw InputError("work item " + std::to_string(item) + " is outside the study's " +
                       std::to_string(n_items) + " items");
    return r.item_has_run(item);
  });
  return items;
}

}  // namespace

bool nonfinite_limit_exceeded(const study::MonteCarloParams& mc, std::uint64_t nonfinite,
                              std::uint64_t items) {
  return nonfinite > mc.max_nonfinite &&
         static_cast<double>(nonfinite) > mc.max_nonfinite_fraction * static_cast<double>(items);
}

std::string nonfinite_limit_message(const study::MonteCarloParams& mc, std::uint64_t nonfinite,
                                    std::uint64_t items) {
  std::ostringstream os;
  os << nonfinite << " instances gave non-finite outputs (NaN or Inf), more than both limits: "
     << "/monte_carlo/max_nonfinite = " << mc.max_nonfinite
     << " and /monte_carlo/max_nonfinite_fraction = " << mc.max_nonfinite_fraction << " of the "
     << items << " work items of this run; stopped";
  return os.str();
}

study::StudyResults run_study(const study::Study& study, const nn::Network& net,
                              const data::Dataset& test, const RunOptions& options) {
  const auto t_setup = util::Clock::now();
  const auto& mc = study.monte_carlo;
  study::StudyResults r;
  r.instances = mc.instances;
  r.cycles = mc.cycles;
  r.times_s = mc.times_s;
  r.layers = net.num_weight_layers();
  r.test_samples = test.count;
  r.software_accuracy = nn::accuracy(net, test);

  const Inputs in = cut_inputs(net, test, mc);
  const std::size_t n_points = study.points.size();
  const std::size_t T = mc.times_s.size(), C = mc.cycles, L = r.layers;
  const study::ResultsShape shape = r.shape();

  std::optional<tbb::global_control> threads;
  if (options.threads > 0)
    threads.emplace(tbb::global_control::max_allowed_parallelism,
                    static_cast<std::size_t>(options.threads));

  std::vector<chip::PointSetup> setups(n_points);
  r.points.resize(n_points);
  tbb::enumerable_thread_specific<Worker> workers;
  util::parallel_for_index(n_points, [&](std::size_t p) {
    setups[p] = chip::prepare_point(net, study.points[p], in.probe);
    study::PointResults& pr = r.points[p];
    pr.reset(shape);
    // The mapped chip with ideal devices: what levels, circuit and periphery alone cost.
    Worker& w = workers.local();
    w.chip.begin_instance(setups[p], p, study.seed, 0, /*ideal_devices=*/true);
    w.chip.program(0);
    w.chip.read_at(0, mc.times_s.front());
    pr.noise_free_accuracy = evaluate(net, in, w);
  });
  r.timings.setup_s = util::seconds_since(t_setup);

  if (options.prior != nullptr) copy_prior(*options.prior, r);
  const std::vector<std::uint64_t> items = work_items(options, r, n_points);
  // One flag per global item, set (release) after the item's slots are written, so the
  // checkpoint thread can copy completed items while the workers go on.
  std::vector<std::atomic<std::uint8_t>> item_done(n_points * mc.instances);
  for (std::size_t p = 0; p < n_points; ++p)
    for (std::uint64_t i = 0; i < mc.instances; ++i)
      if (r.points[p].has_run(i))
        item_done[study::item_index(p, i, mc.instances)].store(1, std::memory_order_relaxed);
  std::atomic<bool> stopped{false};
  std::atomic<std::uint64_t> nonfinite{0};
  std::atomic<bool> nonfinite_stop{false};
  const auto t_mc = util::Clock::now();
  {
    Checkpointer checkpointer(options.checkpoint_s, options.on_checkpoint, r, item_done);
    Progress progress(items.size(), options.quiet);
    util::parallel_for_index(items.size(), [&](std::size_t k) {
      if (nonfinite_stop.load(std::memory_order_relaxed)) return;
      if (options.stop_requested && options.stop_requested()) {
        stopped.store(true, std::memory_order_relaxed);
        return;
      }
      const auto [p, i] = r.split_item(items[k]);
      study::PointResults& pr = r.points[p];
      Worker& w = workers.local();
      w.chip.begin_instance(setups[p], p, study.seed, i);
      bool finite = true;
      for (std::uint32_t c = 0; c < C; ++c) {
        w.chip.program(c);
        for (std::size_t t = 0; t < T; ++t) {
          w.chip.read_at(static_cast<std::uint32_t>(t), mc.times_s[t]);
          const std::size_t slot = shape.read_slot(i, c, t);
          const double acc = evaluate(net, in, w);
          finite = finite && std::isfinite(acc);
          pr.accuracy[slot] = static_cast<float>(acc);
          layer_errors(net, in, w, &pr.layer_error[slot * L]);
        }
      }
      pr.set_status(i, finite ? study::InstanceStatus::Ok : study::InstanceStatus::NonFinite);
      item_done[items[k]].store(1, std::memory_order_release);
      if (!finite && nonfinite_limit_exceeded(mc, nonfinite.fetch_add(1) + 1, items.size()))
        nonfinite_stop.store(true, std::memory_order_relaxed);
      progress.tick();
    });
    checkpointer.rethrow();
  }
  r.interrupted = stopped.load();
  r.nonfinite = nonfinite.load();
  r.evaluated_items = items.size();
  r.nonfinite_limit = nonfinite_stop.load();
  r.timings.monte_carlo_s = util::seconds_since(t_mc);
  for (auto& w : workers) {
    r.timings.device_s += w.chip.device_seconds();
    r.timings.circuit_s += w.chip.circuit_seconds();
    r.timings.evaluate_s += w.evaluate_s;
  }
  return r;
}

}  // namespace xbarmc::runner
