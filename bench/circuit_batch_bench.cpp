// Benchmark (not a test) of the batched exact solve against the per-tile one, in the
// same run: per tile size, 16 tiles solved one by one with TileSolver::effective
// (the engine's call today) and together with TileSolver::effective_batch, in
// alternating order, `rounds` times; this thread's CPU time per tile, medians and
// the median of the per-round ratios (other processes on the machine then cancel
// out as far as possible). Accuracy: largest element-wise relative difference of
// each float solve from the double elimination of the same float conductances
// (itself checked against the dense solve and ngspice to 1e-9 in the tests).
// Usage: circuit_batch_bench [rounds] [r_wire_ohm]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <vector>

#include "xbarmc/circuit/multifrontal.h"
#include "xbarmc/circuit/tile_solver.h"
#include "xbarmc/util/rng.h"

using namespace xbarmc;
using namespace xbarmc::circuit;

namespace {

double cpu_s() {  // this thread's CPU time
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double max_rel(const Eigen::MatrixXf& x, const Eigen::MatrixXd& ref) {
  return ((x.cast<double>() - ref).array().abs() / ref.array().abs()).maxCoeff();
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds_arg = argc > 1 ? std::atoi(argv[1]) : 0;
  const double r_ohm = argc > 2 ? std::atof(argv[2]) : 1.0;
  constexpr int kTiles = TileSolver::kBatchTiles;
  std::printf("## exact G_eff per tile: per-tile solve vs batch of %d, same run, one thread\n",
              kTiles);
  std::printf("## r_wire = %g ohm, g uniform in [1,100] uS, float elimination; CPU ms per tile\n",
              r_ohm);
  std::printf("%7s %6s %10s %10s %10s %10s %12s %14s %14s\n", "tile", "rounds", "old_med",
              "new_med", "old_min", "new_min", "ratio_med", "old_max_rel", "new_max_rel");
  for (int n : {32, 64, 128}) {
    const int rounds = rounds_arg > 0 ? rounds_arg : (n == 128 ? 15 : 41);
    CircuitParams p;
    p.r_wire_row_ohm = p.r_wire_col_ohm = r_ohm;
    TileSolver solver(n, n, p);
    RandomStream rng(n, StreamId{});
    std::vector<Eigen::MatrixXf> g(kTiles, Eigen::MatrixXf(n, n)), a(kTiles), b(kTiles);
    std::vector<const Eigen::MatrixXf*> gp;
    std::vector<Eigen::MatrixXf*> bp;
    for (int t = 0; t < kTiles; ++t) {
      for (Eigen::Index k = 0; k < g[t].size(); ++k)
        g[t].data()[k] = static_cast<float>(1.0 + 99.0 * rng.uniform01());
      a[t].resize(n, n);
      gp.push_back(&g[t]);
      bp.push_back(&b[t]);
    }
    auto run_old = [&] {
      for (int t = 0; t < kTiles; ++t) solver.effective(g[t], a[t]);
    };
    auto run_new = [&] { solver.effective_batch(gp, bp); };
    run_old(), run_new();  // warm-up (and the batch schedule, built once per solver)
    std::vector<double> old_ms, new_ms, ratio;
    for (int r = 0; r < rounds; ++r) {
      double to = 0, tn = 0;
      for (int order = 0; order < 2; ++order) {
        const double c0 = cpu_s();
        if (order == r % 2)
          run_old();
        else
          run_new();
        ((order == r % 2) ? to : tn) = 1e3 * (cpu_s() - c0) / kTiles;
      }
      old_ms.push_back(to), new_ms.push_back(tn), ratio.push_back(to / tn);
    }
    Multifrontal ref_solver(TileTopology(n, n, p));
    double err_old = 0, err_new = 0;
    for (int t = 0; t < kTiles; ++t) {
      Eigen::MatrixXd ref(n, n);
      ref_solver.effective(g[t].cast<double>(), ref);
      err_old = std::max(err_old, max_rel(a[t], ref));
      err_new = std::max(err_new, max_rel(b[t], ref));
    }
    std::printf("%3dx%-3d %6d %10.4f %10.4f %10.4f %10.4f %12.2f %14.2e %14.2e\n", n, n, rounds,
                median(old_ms), median(new_ms), *std::min_element(old_ms.begin(), old_ms.end()),
                *std::min_element(new_ms.begin(), new_ms.end()), median(ratio), err_old, err_new);
  }
  return 0;
}
