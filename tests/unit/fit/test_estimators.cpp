// Estimators against hand-computed or published values.
#include <gtest/gtest.h>

#include <cmath>

#include "xbarmc/fit/estimators.h"
#include "xbarmc/util/error.h"

using namespace xbarmc::fit;

TEST(Sha256, FipsExamples) {
  // FIPS 180-4 / NIST CSRC example values.
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(OneWayAnova, HandComputedBalanced) {
  // Groups {1,2,3}, {4,5,6}: MSB = 13.5, MSW = 1, n0 = 3, s_a^2 = 12.5/3, total = 4.5 + 2/3.
  const auto a = one_way_anova({{1, 2, 3}, {4, 5, 6}}, 0.95);
  EXPECT_DOUBLE_EQ(a.ms_between, 13.5);
  EXPECT_DOUBLE_EQ(a.ms_within, 1.0);
  EXPECT_DOUBLE_EQ(a.n0, 3.0);
  EXPECT_NEAR(a.var_between.estimate, 12.5 / 3, 1e-12);
  EXPECT_NEAR(a.var_total.estimate, 4.5 + 2.0 / 3, 1e-12);
  EXPECT_DOUBLE_EQ(a.mean.estimate, 3.5);
  EXPECT_TRUE(a.between_identified);
  // Within: exact chi-square interval with 4 df: [4/11.1433, 4/0.4844].
  EXPECT_NEAR(a.var_within.lo, 4 / 11.143287, 1e-5);
  EXPECT_NEAR(a.var_within.hi, 4 / 0.484419, 1e-4);
  EXPECT_LE(a.var_between.lo, a.var_between.estimate);
  EXPECT_GE(a.var_between.hi, a.var_between.estimate);
}

TEST(OneWayAnova, UnidentifiedComponentsAreNaN) {
  const auto one_group = one_way_anova({{1, 2, 4}}, 0.95);
  EXPECT_FALSE(one_group.between_identified);
  EXPECT_TRUE(std::isnan(one_group.var_between.estimate));
  const auto singletons = one_way_anova({{1}, {2}, {4}}, 0.95);
  EXPECT_FALSE(singletons.within_identified);
  EXPECT_TRUE(std::isnan(singletons.var_within.estimate));
  EXPECT_NEAR(singletons.var_total.estimate, 7.0 / 3, 1e-12);  // sample variance of 1,2,4
  EXPECT_THROW(one_way_anova({{1}}, 0.95), xbarmc::InputError);
}

TEST(Wilson, PublishedValue) {
  // 5 of 10 at 95 %: [0.2366, 0.7634] (Newcombe, Stat. Med. 17, 857, 1998, table I method 3).
  const auto w = wilson_interval(5, 10, 0.95);
  EXPECT_NEAR(w.lo, 0.2366, 1e-4);
  EXPECT_NEAR(w.hi, 0.7634, 1e-4);
  EXPECT_DOUBLE_EQ(wilson_interval(0, 10, 0.95).lo, 0.0);
}

TEST(PolyFit, RecoversExactQuadraticAndSelectsIt) {
  std::vector<double> x, y, w;
  for (int i = 0; i < 8; ++i) {
    x.push_back(0.1 * i);
    y.push_back(1 + 2 * x.back() - 3 * x.back() * x.back());
    w.push_back(1e6);
  }
  const auto f = poly_fit(x, y, w, 2, 0.95);
  EXPECT_NEAR(f.coeffs[0].estimate, 1, 1e-9);
  EXPECT_NEAR(f.coeffs[1].estimate, 2, 1e-9);
  EXPECT_NEAR(f.coeffs[2].estimate, -3, 1e-9);
  EXPECT_EQ(poly_fit_select(x, y, w, 3, true, 0.95).coeffs.size(), 3u);
  EXPECT_EQ(poly_fit_select(x, y, w, 3, false, 0.95).coeffs.size(), 3u);
}

TEST(Ks, StatisticOfKnownSample) {
  // One point at the median: D = max(1 - 0.5, 0.5 - 0) = 0.5.
  EXPECT_NEAR(ks_normal({0.0}, 0, 1).d, 0.5, 1e-12);
  // An evenly spread sample at the normal quantiles (i - 0.5)/n has D = 0.5/n.
  std::vector<double> s;
  for (int i = 1; i <= 50; ++i) s.push_back(normal_quantile((i - 0.5) / 50));
  const auto k = ks_normal(s, 0, 1);
  EXPECT_NEAR(k.d, 0.01, 1e-9);
  EXPECT_GT(k.p, 0.99);
  // Far from the model: tiny p.
  EXPECT_LT(ks_normal(s, 3, 1).p, 1e-6);
}
