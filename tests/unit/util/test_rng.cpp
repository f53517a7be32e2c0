#include <gtest/gtest.h>

#include <cmath>

#include "xbarmc/util/rng.h"

using xbarmc::Purpose;
using xbarmc::RandomStream;
using xbarmc::StreamId;

TEST(RandomStream, SameIdGivesSameSequence) {
  StreamId id{7, Purpose::ProgrammingD2D, 2, 3, 0, 0};
  RandomStream a(42, id), b(42, id);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a(), b());
}

TEST(RandomStream, EveryFieldSelectsADifferentStream) {
  const StreamId base{7, Purpose::ProgrammingD2D, 2, 3, 4, 5};
  const auto first = [](std::uint64_t seed, StreamId id) { return RandomStream(seed, id)(); };
  const auto ref = first(42, base);
  StreamId s = base;
  EXPECT_NE(ref, first(43, base));
  s = base;
  s.instance = 8;
  EXPECT_NE(ref, first(42, s));
  s = base;
  s.purpose = Purpose::ProgrammingC2C;
  EXPECT_NE(ref, first(42, s));
  s = base;
  s.layer = 1;
  EXPECT_NE(ref, first(42, s));
  s = base;
  s.tile = 1;
  EXPECT_NE(ref, first(42, s));
  s = base;
  s.cycle = 1;
  EXPECT_NE(ref, first(42, s));
  s = base;
  s.sub = 1;
  EXPECT_NE(ref, first(42, s));
}

TEST(RandomStream, SeekGivesRandomAccess) {
  RandomStream a(1, StreamId{}), b(1, StreamId{});
  std::vector<std::uint64_t> seq(11);
  for (auto& x : seq) x = a();
  b.seek(9);
  EXPECT_EQ(b(), seq[9]);
  EXPECT_EQ(b(), seq[10]);
}

// Moments of 2e5 standard normals: the sample mean has sd 1/sqrt(n) = 2.2e-3, the
// sample variance sd sqrt(2/n) = 3.2e-3; a 5-sigma band keeps the fixed-seed test
// meaningful without being flaky if the engine changes.
TEST(RandomStream, NormalMoments) {
  RandomStream s(123, StreamId{});
  const int n = 200000;
  double sum = 0, sum2 = 0;
  for (int i = 0; i < n; ++i) {
    const double x = s.normal();
    sum += x;
    sum2 += x * x;
  }
  const double mean = sum / n, var = sum2 / n - mean * mean;
  EXPECT_NEAR(mean, 0.0, 5.0 / std::sqrt(n));
  EXPECT_NEAR(var, 1.0, 5.0 * std::sqrt(2.0 / n));
}

// Uniform [0,1): mean 1/2 with sd sqrt(1/12/n).
TEST(RandomStream, UniformMean) {
  RandomStream s(9, StreamId{});
  const int n = 200000;
  double sum = 0;
  for (int i = 0; i < n; ++i) {
    const double u = s.uniform01();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
  }
  EXPECT_NEAR(sum / n, 0.5, 5.0 * std::sqrt(1.0 / 12.0 / n));
}
