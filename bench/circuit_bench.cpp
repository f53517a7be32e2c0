// Benchmark of the line-resistance solver (not a test):
//  1. exact G_eff (multifrontal Kron reduction) of 32x32 to 256x256 tiles
//     on one thread, in double and in float (with the float error against double),
//     plus the first-order mode;
//  2. the SPICE route: ngspice operating points of 32x32 and 64x64 tiles, one per
//     input row (a full G_eff needs `rows` of them).
// Usage: circuit_bench [--spice-rows-64 K] [--no-spice]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "xbarmc/circuit/first_order.h"
#include "xbarmc/circuit/multifrontal.h"
#include "xbarmc/circuit/spice.h"
#include "xbarmc/circuit/tile_solver.h"
#include "xbarmc/util/rng.h"

using namespace xbarmc;
using namespace xbarmc::circuit;

namespace {

double wall_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
double cpu_s() {  // this thread's CPU time: robust against other processes on the machine
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

Eigen::MatrixXd random_tile(int n, std::uint64_t seed) {
  RandomStream rng(seed, StreamId{});
  Eigen::MatrixXd g(n, n);
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < n; ++i) g(i, j) = 1.0 + 99.0 * rng.uniform01();
  return g;
}

struct Timing {
  double min_ms, median_ms, cpu_min_ms;
};

template <class F>
Timing time_it(int reps, F&& f) {
  f();  // warm-up
  std::vector<double> wall, cpu;
  for (int r = 0; r < reps; ++r) {
    const double w0 = wall_s(), c0 = cpu_s();
    f();
    wall.push_back(1e3 * (wall_s() - w0));
    cpu.push_back(1e3 * (cpu_s() - c0));
  }
  std::sort(wall.begin(), wall.end());
  return {wall.front(), wall[wall.size() / 2], *std::min_element(cpu.begin(), cpu.end())};
}

std::map<int, double> bench_exact() {
  std::map<int, double> min_ms;
  std::printf("## exact G_eff, one thread (r_wire = 1 ohm, g uniform in [1,100] uS)\n");
  std::printf("%6s %10s %8s %10s %12s %12s %12s %10s %12s\n", "tile", "symbolic", "fronts",
              "max_front", "flops", "min_ms", "median_ms", "GFlop/s", "first_ord_ms");
  for (int n : {32, 64, 128, 256}) {
    CircuitParams p;
    p.r_wire_row_ohm = p.r_wire_col_ohm = 1.0;
    const double t0 = wall_s();
    const TileTopology topo(n, n, p);
    Multifrontal mf(topo);
    const double symbolic_ms = 1e3 * (wall_s() - t0);
    const Eigen::MatrixXd g = random_tile(n, 1);
    Eigen::MatrixXd out(n, n);
    const int reps = n <= 128 ? 30 : 8;
    const Timing t = time_it(reps, [&] { mf.effective(g, out); });
    CircuitParams fo = p;
    fo.solver = Solver::FirstOrder;
    const Timing tf = time_it(reps, [&] { first_order_effective(g, fo, out); });
    std::printf("%3dx%-3d %9.2fms %8d %10d %12.3g %12.3f %12.3f %10.1f %12.4f\n", n, n, symbolic_ms,
                mf.num_fronts(), mf.max_front(), mf.flops(), t.min_ms, t.median_ms,
                mf.flops() / (1e-3 * t.min_ms) / 1e9, tf.min_ms);
    // Float interface as the engine calls it, eliminating in float and in double, and the
    // accuracy of the float elimination against the double one (same float inputs).
    const Eigen::MatrixXf gf = g.cast<float>();
    Eigen::MatrixXf outf(n, n), outfd(n, n);
    const Timing tff = time_it(reps, [&] { mf.effective(gf, outf, Precision::Float); });
    const Timing tfd = time_it(reps, [&] { mf.effective(gf, outfd, Precision::Double); });
    const Eigen::MatrixXd ref = outfd.cast<double>();
    const Eigen::ArrayXXd diff = (outf.cast<double>() - ref).array().abs();
    std::printf(
        "        float in/out: float elimination min %.3f ms, median %.3f ms, CPU min %.3f ms; "
        "double elimination min %.3f ms, median %.3f ms, CPU min %.3f ms; "
        "float vs double: max rel %.2e, Frobenius rel %.2e; |G_eff - G| / |G| = %.2f\n",
        tff.min_ms, tff.median_ms, tff.cpu_min_ms, tfd.min_ms, tfd.median_ms, tfd.cpu_min_ms,
        (diff / ref.array()).maxCoeff(), diff.matrix().norm() / ref.norm(),
        (ref - gf.cast<double>()).norm() / gf.cast<double>().norm());
    min_ms[n] = t.min_ms;
  }
  return min_ms;
}

// One ngspice operating point per input row (row k at 0.2 V, others 0 V), as a
// SPICE-based flow would need to build G_eff.
double bench_spice(int n, int rows_to_run, double exact_ms) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("xbarmc_bench_" + std::to_string(n));
  fs::create_directories(dir);
  CircuitParams p;
  p.r_wire_row_ohm = p.r_wire_col_ohm = 1.0;
  const Eigen::MatrixXd g = random_tile(n, 2);
  double total = 0.0;
  for (int k = 0; k < rows_to_run; ++k) {
    Eigen::VectorXd v = Eigen::VectorXd::Zero(n);
    v[k] = 0.2;
    const std::string cir = (dir / "t.cir").string();
    write_spice_tile(cir, (dir / "t.csv").string(), g, v, p, "bench");
    const std::string cmd = "ngspice -b '" + cir + "' > '" + (dir / "log").string() + "' 2>&1";
    const double t0 = wall_s();
    if (std::system(cmd.c_str()) != 0) {
      std::printf("ngspice failed: %s\n", cmd.c_str());
      return -1;
    }
    total += wall_s() - t0;
  }
  fs::remove_all(dir);
  const double per_row = total / rows_to_run;
  std::printf(
      "%3dx%-3d ngspice: %d operating points run, %.3f s each; G_eff by SPICE = %d x = "
      "%.1f s\n",
      n, n, rows_to_run, per_row, n, per_row * n);
  std::printf(
      "        exact G_eff %.3f ms: %.2g x faster than one operating point, %.2g x "
      "faster than G_eff by SPICE\n",
      exact_ms, 1e3 * per_row / exact_ms, 1e3 * per_row * n / exact_ms);
  return per_row * n;
}

}  // namespace

int main(int argc, char** argv) {
  int rows64 = 4;
  bool spice = true;
  for (int a = 1; a < argc; ++a) {
    const std::string arg = argv[a];
    if (arg == "--spice-rows-64" && a + 1 < argc) rows64 = std::atoi(argv[++a]);
    if (arg == "--no-spice") spice = false;
  }
  const std::map<int, double> exact_ms = bench_exact();
  if (!spice) return 0;
  std::printf("\n## SPICE route (ngspice -b, wall time incl. start-up)\n");
  bench_spice(32, 32, exact_ms.at(32));
  bench_spice(64, std::max(1, std::min(rows64, 64)), exact_ms.at(64));
  return 0;
}
