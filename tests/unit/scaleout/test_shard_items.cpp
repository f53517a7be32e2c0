#include <gtest/gtest.h>

#include <numeric>

#include "fixture.h"
#include "xbarmc/scaleout/comm.h"
#include "xbarmc/scaleout/items.h"
#include "xbarmc/scaleout/shard.h"
#include "xbarmc/util/error.h"

using namespace xbarmc;

TEST(Shard, ParsesKOverN) {
  const scaleout::Shard s = scaleout::parse_shard("2/5");
  EXPECT_EQ(s.index, 2u);
  EXPECT_EQ(s.count, 5u);
  for (const char* bad : {"5/5", "1", "a/3", "1/0", "-1/3", "1/3x", "/3", ""})
    EXPECT_THROW(scaleout::parse_shard(bad), ConfigError) << bad;
}

TEST(Shard, BlocksAreContiguousDisjointBalancedAndCoverAll) {
  for (std::uint64_t total : {0u, 1u, 7u, 12u, 100u, 1001u}) {
    for (std::uint64_t count : {1u, 2u, 3u, 7u, 16u}) {
      std::uint64_t next = 0, lo = total, hi = 0;
      for (std::uint64_t k = 0; k < count; ++k) {
        const scaleout::ItemRange r = scaleout::block(total, k, count);
        EXPECT_EQ(r.begin, next) << total << " " << count << " " << k;
        next = r.end;
        lo = std::min(lo, r.size());
        hi = std::max(hi, r.size());
      }
      EXPECT_EQ(next, total);
      EXPECT_LE(hi - lo, 1u);
    }
  }
  EXPECT_THROW(scaleout::block(10, 3, 3), InputError);
}

TEST(Shard, BlockOfAListSplitsLikeBlock) {
  std::vector<std::uint64_t> items(10);
  std::iota(items.begin(), items.end(), 100);
  EXPECT_EQ(scaleout::block_of(items, 0, 3), (std::vector<std::uint64_t>{100, 101, 102, 103}));
  EXPECT_EQ(scaleout::block_of(items, 2, 3), (std::vector<std::uint64_t>{107, 108, 109}));
}

namespace {
study::StudyResults synthetic(std::size_t points, std::uint64_t instances) {
  study::StudyResults r;
  r.instances = instances;
  r.cycles = 2;
  r.times_s = {1, 10, 100};
  r.layers = 2;
  float v = 0.5f;
  for (std::size_t p = 0; p < points; ++p) {
    study::PointResults pr;
    for (std::uint64_t i = 0; i < instances * 6; ++i) pr.accuracy.push_back(v += 0.25f);
    for (std::uint64_t i = 0; i < instances * 12; ++i) pr.layer_error.push_back(v -= 0.125f);
    pr.status.assign(instances, 1);
    r.points.push_back(pr);
  }
  return r;
}

study::StudyResults empty_like(const study::StudyResults& r) {
  study::StudyResults e = r;
  for (auto& pr : e.points) {
    std::fill(pr.accuracy.begin(), pr.accuracy.end(), std::nanf(""));
    std::fill(pr.layer_error.begin(), pr.layer_error.end(), std::nanf(""));
    std::fill(pr.status.begin(), pr.status.end(), 0);
  }
  return e;
}
}  // namespace

TEST(Items, PackUnpackRoundTripsEveryItemExactly) {
  const study::StudyResults full = synthetic(3, 5);
  study::StudyResults target = empty_like(full);
  std::vector<std::uint64_t> all(15);
  std::iota(all.begin(), all.end(), 0);
  // Two disjoint halves, as two ranks would send them.
  EXPECT_EQ(
      scaleout::unpack_items(scaleout::pack_items(full, scaleout::block_of(all, 0, 2)), target),
      8u);
  EXPECT_EQ(
      scaleout::unpack_items(scaleout::pack_items(full, scaleout::block_of(all, 1, 2)), target),
      7u);
  test::expect_bit_identical(full, target);
}

TEST(Items, SkipsItemsNotRunAndRejectsBadBuffers) {
  study::StudyResults r = synthetic(1, 4);
  r.points[0].status[2] = 0;
  const auto bytes = scaleout::pack_items(r, {0, 1, 2, 3});
  study::StudyResults target = empty_like(r);
  EXPECT_EQ(scaleout::unpack_items(bytes, target), 3u);
  EXPECT_EQ(target.points[0].status, (std::vector<std::uint8_t>{1, 1, 0, 1}));
  auto truncated = bytes;
  truncated.pop_back();
  EXPECT_THROW(scaleout::unpack_items(truncated, target), InputError);
  study::StudyResults smaller = synthetic(1, 2);
  EXPECT_THROW(scaleout::unpack_items(bytes, smaller), InputError);  // item 3 outside
}

TEST(Comm, SerialBuildIsRankZeroOfOne) {
  scaleout::Comm& c = scaleout::Comm::world();
  EXPECT_EQ(c.rank(), 0);
  EXPECT_EQ(c.size(), 1);
  const std::vector<std::byte> mine = {std::byte{1}, std::byte{2}};
  const auto all = c.gather_to_root(mine);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0], mine);
  EXPECT_TRUE(c.any(true));
  EXPECT_FALSE(c.any(false));
}
