// Regression guards of the engine's hot loop (docs/benchmarks.md), without timing assertions:
//  - Chip::matmul (fused DAC, per-row-tile GEMM, per-column ADC, compensation, digital sum)
//    equals the same stages written plainly with the library's periphery::quantize;
//  - once a thread's Chip has seen one instance, a further instance (draws, programming,
//    every read time, the forward products, read noise) performs no heap allocation.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>

#include "common/random_mlp.h"
#include "xbarmc/chip/chip.h"
#include "xbarmc/chip/point_setup.h"
#include "xbarmc/periphery/periphery.h"
#include "xbarmc/study/study.h"
#include "xbarmc/util/rng.h"

// Counting allocator for this test binary: malloc, calloc and realloc are interposed (glibc
// exports the real ones as __libc_*), so allocations through operator new and through Eigen's
// aligned allocator are all seen. Counts only while `g_counting` is set. Not under
// AddressSanitizer or ThreadSanitizer, which interpose the same functions (under TSan this
// instrumented malloc ran inside the runtime's own start-up and crashed it).
namespace {
std::atomic<bool> g_counting{false};
std::atomic<long> g_allocations{0};
}  // namespace

// GCC defines __SANITIZE_*__; clang 14 only answers __has_feature.
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define XBARMC_TEST_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__) || defined(XBARMC_TEST_SANITIZED)
constexpr bool kCanCount = false;
#else
constexpr bool kCanCount = true;
extern "C" {
void* __libc_malloc(std::size_t n);
void* __libc_calloc(std::size_t n, std::size_t size);
void* __libc_realloc(void* p, std::size_t n);
void* malloc(std::size_t n) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1);
  return __libc_malloc(n);
}
void* calloc(std::size_t n, std::size_t size) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1);
  return __libc_calloc(n, size);
}
void* realloc(void* p, std::size_t n) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1);
  return __libc_realloc(p, n);
}
}
#endif

using namespace xbarmc;
using config::Json;

namespace {

//! A random 40-70-12 MLP: 40 inputs span 3 row tiles of 16, 70 outputs 9 column tiles of 8
//! weight columns (ragged last tiles on both sides).
nn::Network make_net() {
  RandomStream s(5, StreamId{});
  return test::random_mlp(s, "hot_loop_mlp", 40, 70, 12);
}

nn::MatrixRM make_inputs(Eigen::Index rows, Eigen::Index cols) {
  RandomStream s(6, StreamId{});
  nn::MatrixRM x(rows, cols);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = static_cast<float>(s.uniform01());
  return x;
}

Json study_config(const char* compensation, bool read_noise) {
  Json j = Json::parse(R"({
    "name": "hot_loop", "seed": 3,
    "network": {"path": "unused.h5"},
    "dataset": {"format": "hdf5", "path": "unused.h5"},
    "mapping": {"tile_rows": 16, "tile_cols": 16, "g_min_uS": 1, "g_max_uS": 50},
    "device": {"g_min_uS": 1, "g_max_uS": 50,
               "programming": {"d2d": {"enabled": true, "form": "relative", "sigma_rel": 0.1},
                               "c2c": {"enabled": true, "form": "absolute", "sigma_uS": 1.0}},
               "faults": {"enabled": true, "stuck_at_g_min_rate": 0.01, "stuck_at_g_max_rate": 0.005},
               "drift": {"enabled": true, "nu_form": "normal", "nu_mean": 0.05, "nu_sigma": 0.01}},
    "circuit": {"r_wire_row_ohm": 2, "r_wire_col_ohm": 2},
    "periphery": {"dac": {"bits": 6}, "adc": {"bits": 5, "per_column": true}},
    "monte_carlo": {"instances": 2, "times_s": [1, 3600]}
  })");
  j["periphery"]["drift_compensation"] = compensation;
  j["device"]["read_noise"] =
      Json{{"enabled", read_noise}, {"form", "relative"}, {"sigma_rel", 0.02}};
  return j;
}

//! The stages of Chip::matmul written plainly: DAC, per row tile x * W_eff, per tile column
//! ADC with the library quantiser, compensation factor, digital sum in row-tile order.
nn::MatrixRM plain_matmul(const chip::LayerSetup& ls, const periphery::PeripheryParams& per,
                          const Eigen::MatrixXf& weff, const Eigen::MatrixXf& comp,
                          const nn::MatrixRM& x) {
  Eigen::MatrixXf xq = x;  // column-major copy: element order does not matter to the DAC
  periphery::quantize_dac(per.dac, ls.dac_range, xq);
  const auto& map = ls.map;
  Eigen::MatrixXf y = Eigen::MatrixXf::Zero(x.rows(), map.out);
  for (int tr = 0; tr < map.n_row_tiles; ++tr) {
    const auto& first = map.tiles[static_cast<std::size_t>(tr * map.n_col_tiles)];
    Eigen::MatrixXf part =
        xq.middleCols(first.row0, first.rows) * weff.middleRows(first.row0, first.rows);
    for (int tc = 0; tc < map.n_col_tiles; ++tc) {
      const auto& t = map.tiles[static_cast<std::size_t>(tr * map.n_col_tiles + tc)];
      auto blk = part.middleCols(t.col0, t.weight_cols);
      periphery::quantize_adc(per.adc, ls.adc_range[static_cast<std::size_t>(t.index)], blk);
      blk.array().rowwise() *= comp.row(tr).segment(t.col0, t.weight_cols).array();
    }
    y += part;
  }
  return y;
}

struct Prepared {
  nn::Network net = make_net();
  study::Study study;
  chip::PointSetup point;
  explicit Prepared(const Json& cfg) : study(study::parse_study(cfg, ".")) {
    point = chip::prepare_point(net, study.points[0], make_inputs(32, 40));
  }
};

}  // namespace

TEST(HotLoop, FusedMatmulEqualsPlainStagesWithLibraryQuantiser) {
  for (const char* comp : {"none", "per_column"}) {
    Prepared s(study_config(comp, false));
    chip::Chip chip;
    chip.begin_instance(s.point, 0, s.study.seed, 1);
    chip.program(0);
    chip.read_at(1, 3600.0);
    chip.begin_reads(0);
    const nn::MatrixRM x = make_inputs(37, 40);
    nn::MatrixRM y;
    chip.matmul(0, x, y);
    // The plain stages applied to the chip's own state (effective weights, compensation).
    const nn::MatrixRM ref = plain_matmul(s.point.layers[0], s.study.points[0].periphery,
                                          chip.effective_weights(0), chip.compensation(0), x);
    ASSERT_EQ(y.rows(), ref.rows());
    ASSERT_EQ(y.cols(), ref.cols());
    // Same float operations per element; only the GEMM's summation order may differ between
    // the row- and column-major products, which can move a partial sum across a quantiser
    // threshold in rare cases: allow at most one ADC step on at most 1 % of the elements.
    int differ = 0;
    for (Eigen::Index i = 0; i < y.size(); ++i)
      if (y.data()[i] != ref.data()[i]) ++differ;
    EXPECT_LE(differ, y.size() / 100) << "compensation " << comp;
    const float max_step = s.point.layers[0].adc_step.maxCoeff() * chip.compensation(0).maxCoeff();
    EXPECT_LE((y - ref).cwiseAbs().maxCoeff(),
              1.001f * max_step * s.point.layers[0].map.n_row_tiles)
        << "compensation " << comp;
  }
}

TEST(HotLoop, SecondInstanceAllocatesNothing) {
  if (!kCanCount)
    GTEST_SKIP() << "allocation counting is off under AddressSanitizer and ThreadSanitizer";
  // The counter works: one allocation outside the chip is seen.
  g_allocations = 0;
  g_counting = true;
  Eigen::VectorXf probe(1000);
  g_counting = false;
  ASSERT_GE(g_allocations.load(), 1);
  probe.setZero();
  // Read noise (output-referred sampler, its keyed streams, the row tile's partial sums) is
  // covered too, with a batch of 2100 rows: large enough that a GEMM through Eigen would take
  // its blocking buffers from the heap (above EIGEN_STACK_ALLOCATION_LIMIT).
  struct Case {
    const char* comp;
    bool read_noise;
    Eigen::Index batch;
  };
  for (const Case& tc : {Case{"none", false, 25}, Case{"global", false, 25},
                         Case{"none", true, 2100}, Case{"per_column", true, 25}}) {
    const char* comp = tc.comp;
    Prepared s(study_config(comp, tc.read_noise));
    chip::Chip chip;
    const nn::MatrixRM x = make_inputs(tc.batch, 40);
    nn::MatrixRM h, y;
    auto instance = [&](std::uint64_t i) {
      chip.begin_instance(s.point, 0, s.study.seed, i);
      for (std::uint32_t c = 0; c < 2; ++c) {
        chip.program(c);
        for (std::uint32_t k = 0; k < 2; ++k) {
          chip.read_at(k, k == 0 ? 1.0 : 3600.0);
          chip.begin_reads(0);
          chip.matmul(0, x, h);
          h = h.cwiseMax(0.0f);
          chip.matmul(1, h, y);
        }
      }
    };
    instance(0);  // sizes every buffer
    g_allocations = 0;
    g_counting = true;
    instance(1);
    g_counting = false;
    EXPECT_EQ(g_allocations.load(), 0)
        << "compensation " << comp << ", read noise " << tc.read_noise << ", batch " << tc.batch;
    EXPECT_TRUE(y.allFinite());
  }
}
