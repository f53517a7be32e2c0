#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "nn_test_util.h"
#include "xbarmc/data/dataset.h"
#include "xbarmc/nn/network_io.h"

using namespace xbarmc;

namespace {
struct CliResult {
  int code = -1;
  std::string out, err;
};

CliResult run_xbarmc(const std::string& args, const std::filesystem::path& dir) {
  const std::string out = (dir / "stdout.txt").string(), err = (dir / "stderr.txt").string();
  const int status =
      std::system((std::string(XBARMC_BINARY) + " " + args + " >" + out + " 2>" + err).c_str());
  auto slurp = [](const std::string& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  };
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out), slurp(err)};
}

std::string tiny_config(const std::string& extra) {
  const std::string dir = data::FASHION_MNIST_DIR;
  return R"({"name": "tiny", "seed": 2, "epochs": 1, "batch_size": 50,)" + extra + R"(
    "dataset": {"images": ")" +
         dir + R"(/train-images-idx3-ubyte.gz", "labels": ")" + dir +
         R"(/train-labels-idx1-ubyte.gz", "limit": 200},
    "test_dataset": {"images": ")" +
         dir + R"(/t10k-images-idx3-ubyte.gz", "labels": ")" + dir +
         R"(/t10k-labels-idx1-ubyte.gz", "limit": 100},
    "architecture": [{"type": "flatten"}, {"type": "dense", "units": 10}]})";
}
}  // namespace

TEST(TrainCli, WritesNetworkAndReportsAccuracy) {
  const auto dir = nn::testing_util::temp_dir("xbarmc_cli_");
  std::ofstream(dir / "c.json") << tiny_config("");
  const auto out = dir / "net.h5";
  const CliResult r = run_xbarmc(
      "train " + (dir / "c.json").string() + " -o " + out.string() + " --set /seed=5", dir);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("test_accuracy 0."), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("epoch   1/1"), std::string::npos) << r.err;
  const auto meta = nn::load_training_metadata(out.string());
  ASSERT_TRUE(meta.has_value());
  EXPECT_EQ(meta->seed, 5u);
  EXPECT_EQ(nn::load_network(out.string()).num_classes(), 10u);
}

TEST(TrainCli, ConfigAndIoErrorsGiveTheirExitCodes) {
  const auto dir = nn::testing_util::temp_dir("xbarmc_cli_");
  std::ofstream(dir / "bad.json") << tiny_config(R"("epochz": 2,)");
  CliResult r = run_xbarmc("train " + (dir / "bad.json").string() + " --quiet", dir);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("/epochz: unknown key (did you mean \"epochs\"?)"), std::string::npos)
      << r.err;
  std::ofstream(dir / "io.json") << tiny_config("");
  r = run_xbarmc(
      "train " + (dir / "io.json").string() + " --quiet --set /dataset/labels=/nonexistent.gz",
      dir);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("/nonexistent.gz"), std::string::npos) << r.err;
}
