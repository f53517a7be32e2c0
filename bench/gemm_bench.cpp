// GCC 12 raises a false -Wuninitialized in its AVX-512 intrinsics inlined from Eigen under
// -march=native (GCC bug 105593); -Wmaybe-uninitialized is off for the whole build
// (CMakeLists.txt).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
// Machine yardsticks for the reference benchmark (bench/run.sh, docs/benchmarks.md), measured
// on `--threads N` threads running at the same time (as the study runs):
//  1. FMA peak: independent single-precision FMA chains in registers, the widest vector
//     the build targets (AVX-512 or AVX2); GFLOP/s summed over the threads.
//  3. the engine's fused tile kernel (tile_gemm) on the first layer with the DAC prologue and
//     the ADC epilogue, as the engine runs it.
//  2. SGEMM: Eigen's single-threaded float GEMM per thread on the network's first-layer
//     shape (10000 x 784 times 784 x 256, row-major as the engine holds it) and on the
//     engine's per-tile shape (batch x 128 times 128 x 256).
// Prints `key value` lines (GFLOP/s totals over the threads).
// Usage: gemm_bench [--threads N] [--seconds S]
#include <immintrin.h>

#include <Eigen/Dense>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <functional>
#include <thread>
#include <vector>

#include "xbarmc/chip/tile_gemm.h"

namespace {

using Clock = std::chrono::steady_clock;
using MatrixRM = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

double thread_cpu_s() {  // this thread's CPU time: what it got of a shared machine
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

//! GFLOP/s of one measurement: over wall time (slowest thread) and per CPU-second of the
//! threads times the thread count (what the threads reach while they hold their cores).
struct Rate {
  double wall = 0, cpu = 0;
};

//! Runs `work(thread)` on `threads` threads at once, `reps` times each, and returns the
//! median over repetitions of (total flops / slowest thread's time) in GFLOP/s, and the
//! median of the CPU-time rate.
Rate run_parallel(int threads, int reps, double flops_per_call,
                  const std::function<void(int)>& work) {
  std::vector<double> rates, cpu_rates;
  for (int r = 0; r < reps; ++r) {
    std::atomic<int> ready{0};
    std::vector<double> secs(static_cast<std::size_t>(threads)),
        cpu(static_cast<std::size_t>(threads));
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([&, t] {
        ready.fetch_add(1);
        while (ready.load() < threads) {
        }
        const auto t0 = Clock::now();
        const double c0 = thread_cpu_s();
        work(t);
        cpu[static_cast<std::size_t>(t)] = thread_cpu_s() - c0;
        secs[static_cast<std::size_t>(t)] =
            std::chrono::duration<double>(Clock::now() - t0).count();
      });
    for (auto& th : pool) th.join();
    const double slowest = *std::max_element(secs.begin(), secs.end());
    rates.push_back(flops_per_call * threads / slowest * 1e-9);
    double cpu_sum = 0;
    for (double c : cpu) cpu_sum += c;
    cpu_rates.push_back(flops_per_call * threads / cpu_sum * threads * 1e-9);
  }
  std::sort(rates.begin(), rates.end());
  std::sort(cpu_rates.begin(), cpu_rates.end());
  return {rates[rates.size() / 2], cpu_rates[cpu_rates.size() / 2]};
}

#if defined(__AVX512F__)
using Vec = __m512;
constexpr int kLanes = 16;
inline Vec vset(float x) { return _mm512_set1_ps(x); }
inline Vec vfma(Vec a, Vec b, Vec c) { return _mm512_fmadd_ps(a, b, c); }
inline float vsum(Vec a) { return _mm512_reduce_add_ps(a); }
#elif defined(__AVX2__) && defined(__FMA__)
using Vec = __m256;
constexpr int kLanes = 8;
inline Vec vset(float x) { return _mm256_set1_ps(x); }
inline Vec vfma(Vec a, Vec b, Vec c) { return _mm256_fmadd_ps(a, b, c); }
inline float vsum(Vec a) {
  alignas(32) float f[8];
  _mm256_store_ps(f, a);
  float s = 0;
  for (float v : f) s += v;
  return s;
}
#else
#error "gemm_bench needs AVX2+FMA or AVX-512"
#endif

//! 12 independent FMA chains (enough to cover latency x throughput on current x86 cores).
float fma_chains(long iters) {
  Vec a = vset(0.999f), b = vset(1e-7f);
  Vec c0 = vset(0), c1 = vset(1), c2 = vset(2), c3 = vset(3), c4 = vset(4), c5 = vset(5);
  Vec c6 = vset(6), c7 = vset(7), c8 = vset(8), c9 = vset(9), c10 = vset(10), c11 = vset(11);
  for (long i = 0; i < iters; ++i) {
    c0 = vfma(c0, a, b), c1 = vfma(c1, a, b), c2 = vfma(c2, a, b), c3 = vfma(c3, a, b);
    c4 = vfma(c4, a, b), c5 = vfma(c5, a, b), c6 = vfma(c6, a, b), c7 = vfma(c7, a, b);
    c8 = vfma(c8, a, b), c9 = vfma(c9, a, b), c10 = vfma(c10, a, b), c11 = vfma(c11, a, b);
    __asm__ volatile("" : "+v"(c0), "+v"(c1), "+v"(c2), "+v"(c3));
  }
  return vsum(c0) + vsum(c1) + vsum(c2) + vsum(c3) + vsum(c4) + vsum(c5) + vsum(c6) + vsum(c7) +
         vsum(c8) + vsum(c9) + vsum(c10) + vsum(c11);
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 1;
  int reps = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--threads") == 0) threads = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--reps") == 0) reps = std::atoi(argv[i + 1]);
  }
  threads = std::max(threads, 1);
  reps = std::max(reps, 1);
  Eigen::setNbThreads(1);

  // 1. FMA peak.
  const long iters = 100'000'000;
  std::vector<float> sink(static_cast<std::size_t>(threads));
  const double fma_flops = 2.0 * kLanes * 12.0 * static_cast<double>(iters);
  const Rate peak = run_parallel(threads, reps, fma_flops, [&](int t) {
    sink[static_cast<std::size_t>(t)] = fma_chains(iters);
  });
  std::printf("vector_bits %d\nthreads %d\nfma_peak_gflops %.1f\nfma_peak_cpu_gflops %.1f\n",
              kLanes * 32, threads, peak.wall, peak.cpu);

  // 2. SGEMM, one per thread, on private operands (allocated and touched before timing).
  struct Operands {
    MatrixRM x, w, y;
  };
  auto sgemm = [&](const char* name, int m, int k, int n, int calls) {
    std::vector<Operands> ops(static_cast<std::size_t>(threads));
    for (auto& o : ops) {
      o.x = MatrixRM::Random(m, k);
      o.w = MatrixRM::Random(k, n);
      o.y = MatrixRM::Zero(m, n);
      o.y.noalias() = o.x * o.w;  // warm-up
    }
    const double flops = 2.0 * m * k * n * calls;
    const Rate rate = run_parallel(threads, reps, flops, [&](int t) {
      auto& o = ops[static_cast<std::size_t>(t)];
      for (int c = 0; c < calls; ++c) o.y.noalias() = o.x * o.w;
    });
    std::printf("sgemm_%s_gflops %.1f\nsgemm_%s_cpu_gflops %.1f\n", name, rate.wall, name,
                rate.cpu);
  };
  sgemm("784x256_by_10000", 10000, 784, 256, 2);
  sgemm("tile_500x128x256", 500, 128, 256, 200);
  // 3. The engine's kernel: a 784 x 256 layer on 128-row tiles, batch 500, with the fused
  //    8-bit DAC prologue, ADC epilogue and the digital sum (xbarmc::chip::tile_gemm).
  {
    const int m = 500, k = 784, n = 256, calls = 20;
    std::vector<int> k0;
    for (int r = 0; r < k; r += 128) k0.push_back(r);
    struct Kernel {
      MatrixRM x, y, scratch;
      Eigen::MatrixXf w;
      xbarmc::chip::PackedWeights packed;
      Eigen::VectorXf step, inv_step;
    };
    std::vector<Kernel> ks(static_cast<std::size_t>(threads));
    for (auto& kk : ks) {
      kk.x = MatrixRM::Random(m, k);
      kk.w = Eigen::MatrixXf::Random(k, n);
      kk.y = MatrixRM::Zero(m, n);
      kk.step = Eigen::VectorXf::Constant(n, 0.05f);
      kk.inv_step = kk.step.cwiseInverse();
      kk.packed.pack(kk.w, k0);
    }
    auto run = [&](Kernel& kk) {
      for (int r = 0; r < static_cast<int>(k0.size()); ++r) {
        xbarmc::chip::TileEpilogue e{kk.step.data(), kk.inv_step.data(), nullptr, 127.0f, r == 0};
        e.dac_step = 0.01f;  // the engine fuses the 8-bit input DAC in front (tile_gemm.h)
        e.dac_max_code = 127.0f;
        xbarmc::chip::tile_gemm(kk.x, kk.packed, kk.w, r, e, kk.y, kk.scratch);
      }
    };
    for (auto& kk : ks) run(kk);
    const double flops = 2.0 * m * k * n * calls;
    const Rate rate = run_parallel(threads, reps, flops, [&](int t) {
      for (int c = 0; c < calls; ++c) run(ks[static_cast<std::size_t>(t)]);
    });
    std::printf("engine_tile_gemm_adc_gflops %.1f\nengine_tile_gemm_adc_cpu_gflops %.1f\n",
                rate.wall, rate.cpu);
  }
  float s = 0;
  for (float v : sink) s += v;
  std::fprintf(stderr, "(checksum %g)\n", static_cast<double>(s));
  return 0;
}
