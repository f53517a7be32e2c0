// The batch samplers of RandomStream (rng.h: normals, uniforms01) that every device stage and
// the read-noise sampler draw from, against their analytic distributions.
#include <algorithm>
#include <cmath>
#include <vector>

#include "helpers.h"

using namespace test_device;

namespace {

constexpr std::size_t N = 400000;

//! Kolmogorov-Smirnov statistic D_n of sorted samples x against the CDF `cdf`.
template <class Cdf>
double ks_statistic(std::vector<float> x, Cdf cdf) {
  std::sort(x.begin(), x.end());
  const auto n = static_cast<double>(x.size());
  double d = 0;
  for (std::size_t k = 0; k < x.size(); ++k) {
    const double f = cdf(static_cast<double>(x[k]));
    d = std::max({d, f - static_cast<double>(k) / n, static_cast<double>(k + 1) / n - f});
  }
  return d;
}

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

}  // namespace

// Bands: sample mean se 1/sqrt(n); variance se sqrt(2/n); fourth moment se sqrt((105 - 9)/n)
// (E z^8 = 105); the count beyond the ziggurat's tail start r = 3.4426 is binomial with
// p = 2(1 - Phi(r)); each within 5 se. KS: P(sqrt(n) D_n > 2.5) = 7.5e-6 (Kolmogorov
// distribution), about a 4.5-sigma band. Fixed seed.
TEST(BatchSampler, NormalsMatchStandardNormal) {
  RandomStream s(11, StreamId{3, Purpose::ProgrammingD2D, 1, 2, 0, 0});
  std::vector<float> z(N);
  s.normals(z.data(), z.size());
  double m1 = 0, m2 = 0, m4 = 0;
  std::size_t tail = 0;
  for (const float v : z) {
    const double x = v;
    ASSERT_TRUE(std::isfinite(x));
    m1 += x;
    m2 += x * x;
    m4 += x * x * x * x;
    if (std::abs(x) > 3.442619855899) ++tail;
  }
  const double n = static_cast<double>(N);
  m1 /= n;
  m2 /= n;
  m4 /= n;
  EXPECT_NEAR(m1, 0.0, 5.0 / std::sqrt(n));
  EXPECT_NEAR(m2, 1.0, 5.0 * std::sqrt(2.0 / n));
  EXPECT_NEAR(m4, 3.0, 5.0 * std::sqrt(96.0 / n));
  const double p_tail = 2.0 * (1.0 - normal_cdf(3.442619855899));
  EXPECT_NEAR(static_cast<double>(tail), n * p_tail, 5.0 * std::sqrt(n * p_tail * (1 - p_tail)));
  EXPECT_LT(ks_statistic(z, normal_cdf), 2.5 / std::sqrt(n));
  // Both signs and both halves of each 64-bit word behave alike: KS on the odd positions.
  std::vector<float> odd;
  for (std::size_t k = 1; k < N; k += 2) odd.push_back(z[k]);
  EXPECT_LT(ks_statistic(odd, normal_cdf), 2.5 / std::sqrt(n / 2));
}

// Uniforms: in [0, 1); mean se sqrt(1/12 n); KS band as above.
TEST(BatchSampler, UniformsMatchUniform) {
  RandomStream s(12, StreamId{4, Purpose::FaultsD2D, 0, 1, 0, 0});
  std::vector<float> u(N);
  s.uniforms01(u.data(), u.size());
  double m = 0;
  for (const float v : u) {
    ASSERT_GE(v, 0.0f);
    ASSERT_LT(v, 1.0f);
    m += v;
  }
  const double n = static_cast<double>(N);
  EXPECT_NEAR(m / n, 0.5, 5.0 * std::sqrt(1.0 / (12.0 * n)));
  EXPECT_LT(ks_statistic(u, [](double x) { return std::clamp(x, 0.0, 1.0); }), 2.5 / std::sqrt(n));
}

// A pure function of (seed, StreamId, position): the same stream repeats, another key differs,
// and a batch split at an even count continues the same sequence.
TEST(BatchSampler, KeyedAndRepeatable) {
  const StreamId id{1, Purpose::DriftNuD2D, 0, 0, 0, 0};
  std::vector<float> a(1001), b(1001), c(1001);
  RandomStream sa(5, id), sb(5, id), sc(6, id);
  sa.normals(a.data(), a.size());
  sb.normals(b.data(), 500);
  sb.normals(b.data() + 500, 501);
  sc.normals(c.data(), c.size());
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

// The batch samplers read the stream's words in order from its current position (also in the
// middle of a Philox block) and leave it after the last word used: uniforms01 takes exactly
// one word per two values.
TEST(BatchSampler, ContinuesTheStreamsWords) {
  const StreamId id{2, Purpose::FaultsD2D, 1, 0, 0, 0};
  RandomStream a(9, id), b(9, id);
  const std::uint64_t first = a();  // one word by the scalar API: mid-block from here on
  EXPECT_EQ(first, b());
  std::vector<float> u(10);
  a.uniforms01(u.data(), u.size());  // words 1..5
  for (std::size_t k = 0; k < u.size(); k += 2) {
    const std::uint64_t w = b();
    EXPECT_EQ(u[k], static_cast<float>((w >> 8) & 0xFFFFFFu) * 0x1.0p-24f);
    EXPECT_EQ(u[k + 1], static_cast<float>(w >> 40) * 0x1.0p-24f);
  }
  EXPECT_EQ(a(), b());  // word 6 on both
  // Long batches cross many bulk refills: the same as two shorter calls.
  RandomStream c(9, id), d(9, id);
  std::vector<float> x(3001), y(3001);
  c.uniforms01(x.data(), x.size());
  d.uniforms01(y.data(), 1000);
  d.uniforms01(y.data() + 1000, 2001);
  EXPECT_EQ(x, y);
  EXPECT_EQ(c(), d());
}
