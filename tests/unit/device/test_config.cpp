#include <filesystem>
#include <fstream>

#include "helpers.h"

using namespace test_device;

// Every shipped preset parses, names its source and has a sane range.
TEST(Presets, AllParse) {
  const auto names = preset_names();
  ASSERT_GE(names.size(), 6u);
  for (const auto& name : names) {
    SCOPED_TRACE(name);
    config::Json resolved;
    DeviceParams p;
    ASSERT_NO_THROW(p = parse(R"({"preset": ")" + name + R"("})", &resolved));
    EXPECT_EQ(p.name, name);
    EXPECT_GT(p.source.size(), 20u);
    EXPECT_GT(p.g_max_uS, p.g_min_uS);
    EXPECT_FALSE(p.resolved_from.empty());
    EXPECT_EQ(resolved["device"]["preset_file"].get<std::string>(), p.resolved_from);
    EXPECT_EQ(resolved["device"]["g_max_uS"].get<double>(), p.g_max_uS);
  }
  for (const char* required : {"pcm_ibm", "rram_cmo_hfox", "rram_neurram", "rram_milo",
                               "rram_lognormal", "neuromem_table_template"})
    EXPECT_NE(std::find(names.begin(), names.end(), required), names.end()) << required;
}

// User keys are merged over the preset (JSON merge patch) and show in the resolved config.
TEST(Presets, UserKeysOverride) {
  config::Json resolved;
  const DeviceParams p = parse(R"({"preset": "pcm_ibm", "drift": {"enabled": false},
                                   "faults": {"stuck_at_g_min_rate": 0.01}})",
                               &resolved);
  EXPECT_FALSE(p.drift.enabled);
  EXPECT_TRUE(p.read_noise.enabled);
  EXPECT_TRUE(p.faults.enabled);
  EXPECT_DOUBLE_EQ(p.faults.stuck_at_g_min_rate, 0.01);
  EXPECT_EQ(p.programming.c2c.coeffs_uS.size(), 3u);
  EXPECT_EQ(resolved["device"]["drift"]["enabled"], false);
  EXPECT_EQ(resolved["device"]["preset"], "pcm_ibm");
  EXPECT_EQ(resolved["device"]["programming"]["c2c"]["coeffs_uS"].size(), 3u);
  EXPECT_DOUBLE_EQ(resolved["device"]["read_noise"]["t_read_s"].get<double>(), 250e-9);
}

TEST(Presets, BadNameIsConfigErrorWithPointer) {
  const auto is = issues(R"({"preset": "pcm_ibn"})");
  ASSERT_EQ(is.size(), 1u);
  EXPECT_EQ(is[0].pointer, "/device/preset");
  EXPECT_NE(is[0].message.find("did you mean \"pcm_ibm\""), std::string::npos) << is[0].message;
  EXPECT_THROW(parse(R"({"preset": "../etc/passwd"})"), ConfigError);
}

TEST(DeviceConfig, BadKeysReportPointers) {
  const auto is = issues(R"({"preset": "pcm_ibm", "drift": {"nu_mena": 0.1},
                              "programming": {"c2c": {"sigma_rel": 0.1}}, "faults": {"stuck_at_g_min_rate": 2}})");
  std::vector<std::string> pointers;
  for (const auto& i : is) pointers.push_back(i.pointer + ": " + i.message);
  ASSERT_EQ(is.size(), 3u) << ::testing::PrintToString(pointers);
  EXPECT_EQ(is[0].pointer, "/device/programming/c2c/sigma_rel");
  EXPECT_NE(is[0].message.find("not used by form \"polynomial\""), std::string::npos);
  EXPECT_EQ(is[1].pointer, "/device/faults/stuck_at_g_min_rate");
  EXPECT_EQ(is[2].pointer, "/device/drift/nu_mena");
  EXPECT_NE(is[2].message.find("unknown key"), std::string::npos);
}

TEST(DeviceConfig, MissingRangeAndConflicts) {
  auto is = issues(R"({"programming": {"d2d": {"form": "lognormal"}}})");
  ASSERT_GE(is.size(), 2u);
  EXPECT_EQ(is[0].pointer, "/device/g_min_uS");
  EXPECT_EQ(is[1].pointer, "/device/g_max_uS");
  is = issues(R"({"g_min_uS": 1, "g_max_uS": 2, "programming": {"c2c": {}},
                  "table": {"levels": [{"target_uS": 1, "mean_uS": 1, "sigma_uS": 0.1}]}})");
  ASSERT_EQ(is.size(), 1u);
  EXPECT_EQ(is[0].pointer, "/device/table");
}

// Table model: a CSV with non-monotonic targets is rejected with a clear message.
TEST(Table, RejectsNonMonotonicLevels) {
  const auto path = std::filesystem::temp_directory_path() / "xbarmc_test_bad_levels.csv";
  {
    std::ofstream out(path);
    out << "target_uS,mean_uS,sigma_uS\n10,10,1\n30,29,1\n20,21,1\n";
  }
  try {
    load_level_table(path);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("strictly increasing"), std::string::npos) << e.what();
  }
  std::filesystem::remove(path);
  const auto is = issues(R"({"g_min_uS": 1, "g_max_uS": 40, "table": {"levels": [
      {"target_uS": 10, "mean_uS": 10, "sigma_uS": 1}, {"target_uS": 5, "mean_uS": 5, "sigma_uS": 1}]}})");
  ASSERT_EQ(is.size(), 1u);
  EXPECT_EQ(is[0].pointer, "/device/table/levels/1/target_uS");
  EXPECT_NE(is[0].message.find("strictly increasing"), std::string::npos);
}

// Table model sampling: targets snap to the nearest level; G - level mean has sd = level
// sigma (D2D and C2C parts add in variance); 5-standard-error bands.
TEST(Table, SamplesLevelStatistics) {
  const DeviceParams p =
      parse(R"({"g_min_uS": 1, "g_max_uS": 40, "table": {"d2d_fraction": 0.3, "levels": [
      {"target_uS": 10, "mean_uS": 10.5, "sigma_uS": 0.8, "nu_mean": 0.02, "nu_sigma": 0.005},
      {"target_uS": 30, "mean_uS": 29.0, "sigma_uS": 1.5, "nu_mean": 0.01, "nu_sigma": 0.002}]},
      "drift": {"nu_form": "table"}})");
  Eigen::MatrixXf target(N_SIDE, N_SIDE);
  for (int j = 0; j < N_SIDE; ++j) target.col(j).setConstant(j % 2 ? 26.0f : 12.0f);
  TileDevices dev;
  dev.draw_instance(p, TileKey{3, 0, 0, 0}, target);
  dev.program(p, TileKey{3, 0, 0, 0}, 0);
  Eigen::MatrixXf lo(N_SIDE, N_SIDE / 2), hi(N_SIDE, N_SIDE / 2), nu_lo(N_SIDE, N_SIDE / 2);
  for (int j = 0; j < N_SIDE / 2; ++j) {
    lo.col(j) = dev.programmed_uS().col(2 * j);
    hi.col(j) = dev.programmed_uS().col(2 * j + 1);
    nu_lo.col(j) = dev.nu().col(2 * j);
    EXPECT_EQ(dev.target_uS()(0, 2 * j), 10.0f);
    EXPECT_EQ(dev.target_uS()(0, 2 * j + 1), 30.0f);
  }
  expect_gaussian_moments(moments(lo), 10.5, 0.8);
  expect_gaussian_moments(moments(hi), 29.0, 1.5);
  expect_gaussian_moments(moments(nu_lo), 0.02, 0.005);
}

// The shipped illustrative CSV loads (and is labelled illustrative).
TEST(Table, TemplateCsvLoads) {
  const DeviceParams p = parse(R"({"preset": "neuromem_table_template"})");
  EXPECT_EQ(p.table.levels.size(), 8u);
  EXPECT_TRUE(p.table.levels.has_drift());
  EXPECT_NE(p.source.find("ILLUSTRATIVE"), std::string::npos);
}

// Preset lookup without a path compiled into the library: next to the config (its folder and
// its devices/ subfolder) first, then the data folder relative to the executable (for a test
// binary BUILD/tests/x: BUILD/share/xbarmc/devices, a link to configs/devices), then
// $XBARMC_DATA_DIR/devices.
TEST(Presets, RelocatableLookup) {
  namespace fs = std::filesystem;
  const fs::path root = fs::temp_directory_path() / "xbarmc_preset_lookup";
  fs::remove_all(root);
  fs::create_directories(root / "cfg" / "devices");
  fs::create_directories(root / "data" / "devices");
  const char* body =
      R"({"source": "test preset for the lookup order, no physical meaning", "g_min_uS": 1, "g_max_uS": 9})";
  std::ofstream(root / "cfg" / "devices" / "near.json") << body;
  std::ofstream(root / "data" / "devices" / "env_only.json") << body;
  std::ofstream(root / "data" / "devices" / "pcm_ibm.json") << body;  // shadowed by the install
  EXPECT_EQ(find_preset("near", root / "cfg"), root / "cfg" / "devices" / "near.json");
  EXPECT_TRUE(find_preset("env_only", root / "cfg").empty());
  ::setenv("XBARMC_DATA_DIR", (root / "data").c_str(), 1);
  EXPECT_EQ(find_preset("env_only", {}), root / "data" / "devices" / "env_only.json");
  // The shipped preset next to the executable comes before the environment's copy.
  const fs::path shipped = find_preset("pcm_ibm", {});
  EXPECT_EQ(shipped.filename(), "pcm_ibm.json");
  EXPECT_NE(shipped.parent_path(), root / "data" / "devices");
  const auto names = preset_names(root / "cfg");
  EXPECT_NE(std::find(names.begin(), names.end(), "near"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "env_only"), names.end());
  ::unsetenv("XBARMC_DATA_DIR");
  fs::remove_all(root);
}
