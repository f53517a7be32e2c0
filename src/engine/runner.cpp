#include "xbarmc/engine/runner.h"

#include <oneapi/tbb/enumerable_thread_specific.h>
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/parallel_for.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <numeric>
#include <sstream>
#include <thread>

#include "xbarmc/engine/chip.h"
#include "xbarmc/engine/parallel_for.h"
#include "xbarmc/engine/point_setup.h"
#include "xbarmc/engine/progress.h"
#include "xbarmc/error.h"

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

//! Copies the completed instances of an earlier partial run into `r` (same study).
void copy_prior(const StudyResults& prior, StudyResults& r) {
  if (prior.points.size() != r.points.size() || prior.instances != r.instances ||
      prior.cycles != r.cycles || prior.times_s.size() != r.times_s.size() ||
      prior.layers != r.layers)
    throw InputError("resume: the earlier results have another shape than this study");
  const std::size_t per = r.cycles * r.times_s.size();
  for (std::size_t p = 0; p < r.points.size(); ++p) {
    const PointResults& from = prior.points[p];
    PointResults& to = r.points[p];
    for (std::uint64_t i = 0; i < r.instances; ++i) {
      if (from.status[i] == static_cast<std::uint8_t>(InstanceStatus::NotRun)) continue;
      to.status[i] = from.status[i];
      std::copy_n(from.accuracy.begin() + static_cast<std::ptrdiff_t>(i * per), per,
                  to.accuracy.begin() + static_cast<std::ptrdiff_t>(i * per));
      std::copy_n(from.layer_error.begin() + static_cast<std::ptrdiff_t>(i * per * r.layers),
                  per * r.layers,
                  to.layer_error.begin() + static_cast<std::ptrdiff_t>(i * per * r.layers));
    }
  }
}

//! The global indices of the items to evaluate: `options.items`, else the requested points
//! and instances; minus the items already done (resume).
std::vector<std::uint64_t> work_items(const RunOptions& options, const StudyResults& r,
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
      for (std::uint64_t i : instances) items.push_back(item_index(p, i, r.instances));
  }
  const std::uint64_t n_items = n_points * r.instances;
  std::erase_if(items, [&](std::uint64_t item) {
    if (item >= n_items)
      throw InputError("work item " + std::to_string(item) + " is outside the study's " +
                       std::to_string(n_items) + " items");
    const std::size_t p = static_cast<std::size_t>(item / r.instances);
    return r.points[p].status[item % r.instances] !=
           static_cast<std::uint8_t>(InstanceStatus::NotRun);
  });
  return items;
}

//! Calls RunOptions::on_checkpoint every checkpoint_s seconds from its own thread with a copy
//! of the completed items (acquired through their done flags), until destroyed.
class Checkpointer {
 public:
  Checkpointer(const RunOptions& options, const StudyResults& r,
               const std::vector<std::atomic<std::uint8_t>>& done)
      : options_(options), r_(r), done_(done) {
    if (options.checkpoint_s > 0 && options.on_checkpoint)
      thread_ = std::thread([this] { loop(); });
  }
  ~Checkpointer() {
    {
      const std::lock_guard lock(mutex_);
      finished_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;
  //! Rethrows the exception of a failed checkpoint, if any (call after the workers ended).
  void rethrow() const {
    if (error_) std::rethrow_exception(error_);
  }

 private:
  void loop() {
    const auto interval = std::chrono::duration<double>(options_.checkpoint_s);
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, interval, [this] { return finished_; })) {
      lock.unlock();
      try {
        options_.on_checkpoint(snapshot());
      } catch (...) {  // reported by rethrow() after the run; no further checkpoints
        error_ = std::current_exception();
        return;
      }
      lock.lock();
    }
  }
  [[nodiscard]] StudyResults snapshot() const {
    StudyResults s;
    s.software_accuracy = r_.software_accuracy;
    s.test_samples = r_.test_samples;
    s.instances = r_.instances;
    s.cycles = r_.cycles;
    s.times_s = r_.times_s;
    s.layers = r_.layers;
    s.timings = r_.timings;
    s.interrupted = true;
    const std::size_t per = r_.cycles * r_.times_s.size(), L = r_.layers;
    s.points.resize(r_.points.size());
    for (std::size_t p = 0; p < r_.points.size(); ++p) {
      const PointResults& from = r_.points[p];
      PointResults& to = s.points[p];
      to.noise_free_accuracy = from.noise_free_accuracy;
      to.accuracy.assign(from.accuracy.size(), std::nanf(""));
      to.layer_error.assign(from.layer_error.size(), std::nanf(""));
      to.status.assign(from.status.size(), static_cast<std::uint8_t>(InstanceStatus::NotRun));
      for (std::uint64_t i = 0; i < r_.instances; ++i) {
        if (done_[item_index(p, i, r_.instances)].load(std::memory_order_acquire) == 0) continue;
        to.status[i] = from.status[i];
        const auto a = static_cast<std::ptrdiff_t>(i * per);
        std::copy_n(from.accuracy.begin() + a, per, to.accuracy.begin() + a);
        std::copy_n(from.layer_error.begin() + a * static_cast<std::ptrdiff_t>(L), per * L,
                    to.layer_error.begin() + a * static_cast<std::ptrdiff_t>(L));
      }
    }
    return s;
  }
  const RunOptions& options_;
  const StudyResults& r_;
  const std::vector<std::atomic<std::uint8_t>>& done_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool finished_ = false;
  std::exception_ptr error_;
  std::thread thread_;
};

}  // namespace

bool nonfinite_limit_exceeded(const MonteCarloParams& mc, std::uint64_t nonfinite,
                              std::uint64_t items) {
  return nonfinite > mc.max_nonfinite &&
         static_cast<double>(nonfinite) > mc.max_nonfinite_fraction * static_cast<double>(items);
}

std::string nonfinite_limit_message(const MonteCarloParams& mc, std::uint64_t nonfinite,
                                    std::uint64_t items) {
  std::ostringstream os;
  os << nonfinite << " instances gave non-finite outputs (NaN or Inf), more than both limits: "
     << "/monte_carlo/max_nonfinite = " << mc.max_nonfinite
     << " and /monte_carlo/max_nonfinite_fraction = " << mc.max_nonfinite_fraction << " of the "
     << items << " work items of this run; stopped";
  return os.str();
}

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
  parallel_for_index(n_points, [&](std::size_t p) {
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

  if (options.prior != nullptr) copy_prior(*options.prior, r);
  const std::vector<std::uint64_t> items = work_items(options, r, n_points);
  // One flag per global item, set (release) after the item's slots are written, so the
  // checkpoint thread can copy completed items while the workers go on.
  std::vector<std::atomic<std::uint8_t>> item_done(n_points * mc.instances);
  for (std::size_t p = 0; p < n_points; ++p)
    for (std::uint64_t i = 0; i < mc.instances; ++i)
      if (r.points[p].status[i] != static_cast<std::uint8_t>(InstanceStatus::NotRun))
        item_done[item_index(p, i, mc.instances)].store(1, std::memory_order_relaxed);
  std::atomic<bool> stopped{false};
  std::atomic<std::uint64_t> nonfinite{0};
  std::atomic<bool> nonfinite_stop{false};
  const auto t_mc = Clock::now();
  {
    Checkpointer checkpointer(options, r, item_done);
    Progress progress(items.size(), options.quiet);
    parallel_for_index(items.size(), [&](std::size_t k) {
      if (nonfinite_stop.load(std::memory_order_relaxed)) return;
      if (options.stop_requested && options.stop_requested()) {
        stopped.store(true, std::memory_order_relaxed);
        return;
      }
      const std::size_t p = static_cast<std::size_t>(items[k] / mc.instances);
      const std::uint64_t i = items[k] % mc.instances;
      PointResults& pr = r.points[p];
      Worker& w = workers.local();
      w.chip.begin_instance(setups[p], p, study.seed, i);
      bool finite = true;
      for (std::uint32_t c = 0; c < C; ++c) {
        w.chip.program(c);
        for (std::size_t t = 0; t < T; ++t) {
          w.chip.read_at(static_cast<std::uint32_t>(t), mc.times_s[t]);
          const std::size_t slot = i * per_instance + c * T + t;
          const double acc = evaluate(net, in, w);
          finite = finite && std::isfinite(acc);
          pr.accuracy[slot] = static_cast<float>(acc);
          layer_errors(net, in, w, &pr.layer_error[slot * L]);
        }
      }
      pr.status[i] =
          static_cast<std::uint8_t>(finite ? InstanceStatus::Ok : InstanceStatus::NonFinite);
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
  r.timings.monte_carlo_s = seconds_since(t_mc);
  for (auto& w : workers) {
    r.timings.device_s += w.chip.device_seconds();
    r.timings.circuit_s += w.chip.circuit_seconds();
    r.timings.evaluate_s += w.evaluate_s;
  }
  return r;
}

}  // namespace xbarmc::engine
