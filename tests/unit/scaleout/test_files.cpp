// Results files of shards and checkpoints: read back exactly, merged, checked before resume.
#include <gtest/gtest.h>

#include <filesystem>
#include <numeric>

#include "fixture.h"
#include "xbarmc/io/results.h"
#include "xbarmc/scaleout/checkpoint.h"
#include "xbarmc/scaleout/merge.h"
#include "xbarmc/scaleout/shard.h"
#include "xbarmc/util/error.h"

using namespace xbarmc;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() /
           ("xbarmc_dist_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  [[nodiscard]] std::string file(const std::string& name) const { return (path / name).string(); }
};

struct StudySetup {
  test::Fixture f = test::make_fixture();
  study::Study study = study::parse_study(test::base_config(), ".");
  io::ResultsMeta meta = io::make_meta(study, f.net);
  study::StudyResults run(std::optional<std::vector<std::uint64_t>> items = std::nullopt) const {
    runner::RunOptions o;
    o.quiet = true;
    o.items = std::move(items);
    return runner::run_study(study, f.net, f.data, o);
  }
  //! Shard k of n written to a file.
  std::string shard(const TempDir& d, std::uint64_t k, std::uint64_t n) const {
    const scaleout::ItemRange range = scaleout::block(20, k, n);
    std::vector<std::uint64_t> items(range.size());
    std::iota(items.begin(), items.end(), range.begin);
    const std::string path = d.file("shard" + std::to_string(k) + ".h5");
    io::write_results(path, meta, run(items), {k, n});
    return path;
  }
};

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const IoError& e) {
    return e.what();
  }
  return "(no IoError)";
}

}  // namespace

TEST(DistFiles, ResultsFileReadsBackExactlyWithCompleteAndShardMarks) {
  const StudySetup s;
  const TempDir d;
  const auto full = s.run();
  io::write_results(d.file("full.h5"), s.meta, full);
  const io::LoadedResults back = io::read_results(d.file("full.h5"));
  test::expect_bit_identical(full, back.results);
  EXPECT_TRUE(back.complete);
  EXPECT_EQ(back.shard_count, 0u);
  EXPECT_EQ(back.meta.config, s.meta.config);
  EXPECT_EQ(back.meta.histogram_bins, s.study.statistics.histogram_bins);
  EXPECT_EQ(back.meta.point_labels, s.meta.point_labels);
  const std::string sh = s.shard(d, 1, 3);
  const io::LoadedResults shard = io::read_results(sh);
  EXPECT_FALSE(shard.complete);
  EXPECT_EQ(shard.shard_index, 1u);
  EXPECT_EQ(shard.shard_count, 3u);
  // A partial whole-study file (checkpoint) is not complete either.
  io::write_results(d.file("partial.h5"), s.meta, s.run(std::vector<std::uint64_t>{0, 5}));
  EXPECT_FALSE(io::read_results(d.file("partial.h5")).complete);
  for (const auto& entry : fs::directory_iterator(d.path))  // no temporary file left behind
    EXPECT_EQ(entry.path().string().find(".tmp-"), std::string::npos) << entry.path();
}

TEST(DistFiles, MergedShardsEqualTheSingleRunWithRecomputedSummaries) {
  const StudySetup s;
  const TempDir d;
  io::write_results(d.file("full.h5"), s.meta, s.run());
  const std::vector<std::string> shards = {s.shard(d, 2, 3), s.shard(d, 0, 3), s.shard(d, 1, 3)};
  scaleout::merge_shards(d.file("merged.h5"), shards);
  const io::LoadedResults a = io::read_results(d.file("full.h5"));
  const io::LoadedResults b = io::read_results(d.file("merged.h5"));
  test::expect_bit_identical(a.results, b.results);
  EXPECT_TRUE(b.complete);
  EXPECT_EQ(b.shard_count, 0u);
  EXPECT_EQ(scaleout::config_difference(a.meta.config, b.meta.config), "");
  const auto sa = io::read_summary(d.file("full.h5")), sb = io::read_summary(d.file("merged.h5"));
  ASSERT_EQ(sa.rows.size(), sb.rows.size());
  for (std::size_t k = 0; k < sa.rows.size(); ++k) {
    EXPECT_EQ(sa.rows[k].n, 10u);
    EXPECT_EQ(sa.rows[k].n, sb.rows[k].n);
    EXPECT_EQ(sa.rows[k].mean, sb.rows[k].mean);
    EXPECT_EQ(sa.rows[k].quantiles, sb.rows[k].quantiles);
    EXPECT_EQ(sa.rows[k].yield, sb.rows[k].yield);
  }
}

TEST(DistFiles, MergeRefusesOverlapGapsAndOtherStudiesNamingTheProblem) {
  StudySetup s;
  const TempDir d;
  const std::string s0 = s.shard(d, 0, 3), s1 = s.shard(d, 1, 3), s2 = s.shard(d, 2, 3);
  fs::copy_file(s1, d.file("copy1.h5"));
  const std::string out = d.file("out.h5");
  EXPECT_NE(message_of([&] {
              scaleout::merge_shards(out, {s0, s1, d.file("copy1.h5"), s2});
            }).find("instance 7 of point 0 is in both"),
            std::string::npos);
  const std::string gap = message_of([&] { scaleout::merge_shards(out, {s0, s2}); });
  EXPECT_NE(gap.find("7 of 20 instances are in no shard"), std::string::npos) << gap;
  EXPECT_NE(gap.find("missing shards: 1/3"), std::string::npos) << gap;
  const std::string two = s.shard(d, 0, 2);  // overwrites shard0.h5 with block 0 of 2
  EXPECT_NE(message_of([&] {
              scaleout::merge_shards(out, {two, s1, s2});
            }).find("shard counts"),
            std::string::npos);
  config::Json other = test::base_config();
  other["statistics"]["confidence"] = 0.9;
  s.study = study::parse_study(other, ".");
  s.meta = io::make_meta(s.study, s.f.net);
  const std::string o0 = s.shard(d, 0, 3);
  EXPECT_NE(message_of([&] {
              scaleout::merge_shards(out, {o0, s1, s2});
            }).find("different configs (they differ at /statistics/confidence)"),
            std::string::npos);
  EXPECT_FALSE(fs::exists(out));
}

TEST(DistFiles, ResumeChecksConfigSeedAndShard) {
  StudySetup s;
  const TempDir d;
  const std::string path = d.file("ckpt.h5");
  io::write_results(path, s.meta, s.run(std::vector<std::uint64_t>{1, 2, 3}));
  const io::LoadedResults ok = scaleout::load_for_resume(path, s.meta, {});
  EXPECT_EQ(ok.results.points[0].status, (std::vector<std::uint8_t>{0, 1, 1, 1, 0, 0, 0, 0, 0, 0}));
  io::ResultsMeta moved = s.meta;  // another output path is the same study
  config::Json c = config::Json::parse(moved.config);
  c["output"]["path"] = "elsewhere.h5";
  moved.config = c.dump();
  EXPECT_NO_THROW(scaleout::load_for_resume(path, moved, {}));
  io::ResultsMeta seed = s.meta;
  seed.seed = 12;
  EXPECT_NE(message_of([&] { scaleout::load_for_resume(path, seed, {}); }).find("seed 11"),
            std::string::npos);
  c["monte_carlo"]["cycles"] = 3;
  moved.config = c.dump();
  EXPECT_NE(message_of([&] {
              scaleout::load_for_resume(path, moved, {});
            }).find("differs at /monte_carlo/cycles"),
            std::string::npos);
  EXPECT_NE(message_of([&] {
              scaleout::load_for_resume(path, s.meta, {1, 3});
            }).find("the file is a whole-study file but this run is shard 1/3"),
            std::string::npos);
}
