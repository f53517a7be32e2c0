// Engine scheduling used by checkpoint/resume, MPI and shards: any split of the work items,
// stopped early and resumed from the partial results, gives the uninterrupted results bit for bit.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <mutex>
#include <numeric>

#include "fixture.h"
#include "xbarmc/scaleout/shard.h"
#include "xbarmc/util/error.h"

using namespace xbarmc;

namespace {
study::StudyResults run(const study::Study& study, const test::Fixture& f, runner::RunOptions o) {
  o.quiet = true;
  return runner::run_study(study, f.net, f.data, o);
}

std::size_t count_done(const study::StudyResults& r) {
  std::size_t n = 0;
  for (const auto& p : r.points)
    for (auto s : p.status) n += s != 0 ? 1 : 0;
  return n;
}
}  // namespace

TEST(RunnerResume, BlocksOfItemsJoinedEqualTheFullRun) {
  const auto f = test::make_fixture();
  const study::Study study = study::parse_study(test::base_config(), ".");
  const auto full = run(study, f, {});
  // Three blocks as three ranks or shards, each run on its own, joined by prior chaining.
  study::StudyResults joined;
  for (std::uint64_t k = 0; k < 3; ++k) {
    runner::RunOptions o;
    const scaleout::ItemRange range = scaleout::block(20, k, 3);
    o.items.emplace(range.size());
    std::iota(o.items->begin(), o.items->end(), range.begin);
    if (k > 0) o.prior = &joined;
    o.threads = static_cast<int>(k % 2 + 1);
    auto part = run(study, f, o);
    EXPECT_EQ(count_done(part), range.end);  // blocks 0..k are done
    joined = std::move(part);
  }
  test::expect_bit_identical(full, joined);
  EXPECT_FALSE(joined.interrupted);
}

TEST(RunnerResume, StopRequestLeavesAConsistentPartialResultThatResumes) {
  const auto f = test::make_fixture();
  const study::Study study = study::parse_study(test::base_config(), ".");
  const auto full = run(study, f, {});
  runner::RunOptions o;
  o.threads = 1;
  std::atomic<int> polls{0};
  o.stop_requested = [&] { return polls.fetch_add(1) >= 6; };  // stop after 6 items
  const auto partial = run(study, f, o);
  EXPECT_TRUE(partial.interrupted);
  EXPECT_EQ(count_done(partial), 6u);
  for (std::size_t p = 0; p < partial.points.size(); ++p)
    for (std::uint64_t i = 0; i < partial.instances; ++i)
      if (partial.points[p].status[i] == 0) {
        EXPECT_TRUE(std::isnan(partial.points[p].accuracy[i * 4]));
      } else {
        EXPECT_EQ(partial.points[p].accuracy[i * 4], full.points[p].accuracy[i * 4]);
      }
  runner::RunOptions resume;
  resume.prior = &partial;
  resume.threads = 2;
  const auto resumed = run(study, f, resume);
  EXPECT_FALSE(resumed.interrupted);
  test::expect_bit_identical(full, resumed);
}

TEST(RunnerResume, CheckpointSnapshotsHoldOnlyCompletedItemsWithFinalValues) {
  const auto f = test::make_fixture(400);
  const study::Study study = study::parse_study(test::base_config(), ".");
  const auto full = run(study, f, {});
  runner::RunOptions o;
  o.threads = 2;
  o.checkpoint_s = 1e-3;
  std::mutex m;
  std::vector<study::StudyResults> snapshots;
  o.on_checkpoint = [&](const study::StudyResults& s) {
    const std::lock_guard lock(m);
    if (snapshots.size() < 50) snapshots.push_back(s);
  };
  const auto r = run(study, f, o);
  test::expect_bit_identical(full, r);
  // Snapshots are taken every millisecond; a run of 20 items takes far longer on any machine
  // this test runs on, but we do not rely on it: zero snapshots only weakens the check below.
  for (const auto& s : snapshots) {
    for (std::size_t p = 0; p < s.points.size(); ++p)
      for (std::uint64_t i = 0; i < s.instances; ++i) {
        if (s.points[p].status[i] == 0) continue;
        EXPECT_EQ(s.points[p].status[i], full.points[p].status[i]);
        for (std::size_t k = 0; k < 4; ++k)
          EXPECT_EQ(s.points[p].accuracy[i * 4 + k], full.points[p].accuracy[i * 4 + k]);
      }
  }
}

TEST(RunnerResume, RejectsItemsOutsideTheStudyAndAnEmptyListRunsNothing) {
  const auto f = test::make_fixture();
  const study::Study study = study::parse_study(test::base_config(), ".");
  runner::RunOptions o;
  o.items = std::vector<std::uint64_t>{20};
  EXPECT_THROW(run(study, f, o), InputError);
  o.items = std::vector<std::uint64_t>{};
  EXPECT_EQ(count_done(run(study, f, o)), 0u);
}
