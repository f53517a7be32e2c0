// Pre-flight check of the results path (io/output_check.h): every way a path cannot be written
// is refused with the path and the reason, and a writable path is left untouched.
#include "xbarmc/io/output_check.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "xbarmc/util/error.h"

namespace xbarmc::io {
namespace {

namespace fs = std::filesystem;

class OutputCheck : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("xbarmc-output-check-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  static std::string message_of(const std::string& path) {
    try {
      check_output_writable(path);
    } catch (const IoError& e) {
      return e.what();
    }
    return "";
  }
  fs::path dir_;
};

TEST_F(OutputCheck, WritablePathPassesAndLeavesNothingBehind) {
  const fs::path out = dir_ / "r.h5";
  EXPECT_NO_THROW(check_output_writable(out.string()));
  EXPECT_TRUE(fs::is_empty(dir_));
}

TEST_F(OutputCheck, MissingFolderIsNamed) {
  const std::string m = message_of((dir_ / "no" / "r.h5").string());
  EXPECT_NE(m.find("output folder " + (dir_ / "no").string() + " does not exist"),
            std::string::npos)
      << m;
}

TEST_F(OutputCheck, ParentThatIsAFileIsRefused) {
  std::ofstream(dir_ / "file.txt") << "x";
  const std::string m = message_of((dir_ / "file.txt" / "r.h5").string());
  EXPECT_NE(m.find("is not a folder"), std::string::npos) << m;
}

TEST_F(OutputCheck, TargetThatIsAFolderIsRefused) {
  fs::create_directories(dir_ / "r.h5");
  const std::string m = message_of((dir_ / "r.h5").string());
  EXPECT_NE(m.find("it is a folder"), std::string::npos) << m;
}

TEST_F(OutputCheck, UncreatableFileIsRefusedWithTheReason) {
  // /proc refuses new files even to root, unlike a folder without write permission.
  const std::string m = message_of("/proc/xbarmc-output-check.h5");
  EXPECT_NE(m.find("cannot create a file in /proc ("), std::string::npos) << m;
}

}  // namespace
}  // namespace xbarmc::io
