#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "xbarmc/util/error.h"
#include "xbarmc/util/hdf5.h"

namespace fs = std::filesystem;
using xbarmc::IoError;
using xbarmc::h5::File;

namespace {
std::string temp_path(const std::string& name) {
  return (fs::temp_directory_path() / ("xbarmc_test_" + std::to_string(::getpid()) + "_" + name))
      .string();
}

template <class T>
void round_trip_type() {
  const std::string path = temp_path("rt.h5");
  std::vector<T> data(24);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<T>(i * 3 + 1);
  {
    File f = File::create(path);
    auto root = f.root();
    root.write("plain", data, {2, 3, 4});
    root.write("packed", data, {4, 6}, {{2, 3}, 6});
    root.write_attr("scalar", static_cast<T>(7));
    root.write_attr("vector", data);
  }
  File f = File::open(path);
  auto root = f.root();
  std::vector<hsize_t> shape;
  EXPECT_EQ(root.read<T>("plain", &shape), data);
  EXPECT_EQ(shape, (std::vector<hsize_t>{2, 3, 4}));
  EXPECT_EQ(root.read<T>("packed", &shape), data);
  EXPECT_EQ(shape, (std::vector<hsize_t>{4, 6}));
  EXPECT_EQ(root.read_attr<T>("scalar"), static_cast<T>(7));
  EXPECT_EQ(root.read_attr_vector<T>("vector"), data);
  fs::remove(path);
}
}  // namespace

TEST(Hdf5, RoundTripFloat) { round_trip_type<float>(); }
TEST(Hdf5, RoundTripDouble) { round_trip_type<double>(); }
TEST(Hdf5, RoundTripInt32) { round_trip_type<std::int32_t>(); }
TEST(Hdf5, RoundTripInt64) { round_trip_type<std::int64_t>(); }
TEST(Hdf5, RoundTripUint8) { round_trip_type<std::uint8_t>(); }
TEST(Hdf5, RoundTripUint64) { round_trip_type<std::uint64_t>(); }

TEST(Hdf5, StringsGroupsAndSlabs) {
  const std::string path = temp_path("str.h5");
  {
    File f = File::create(path);
    auto root = f.root();
    root.write_attr("name", "xbarmc \xce\xbc");  // UTF-8 is kept
    auto g = root.create_group("points/0");
    g.write_string("json", "{\"a\": 1}");
    std::vector<float> zeros(6, 0.0f);
    g.write("acc", zeros, {2, 3});
    const float row[3] = {1, 2, 3};
    g.write_slab("acc", row, {1, 0}, {1, 3});
  }
  File f = File::open(path, File::Mode::ReadOnly);
  auto root = f.root();
  EXPECT_EQ(root.read_attr<std::string>("name"), "xbarmc \xce\xbc");
  EXPECT_TRUE(root.exists("points/0/acc"));
  EXPECT_FALSE(root.exists("points/1/acc"));
  auto g = root.open_group("points/0");
  EXPECT_EQ(g.read_string("json"), "{\"a\": 1}");
  EXPECT_EQ(g.read<float>("acc"), (std::vector<float>{0, 0, 0, 1, 2, 3}));
  EXPECT_EQ(root.open_group("points").children(), (std::vector<std::string>{"0"}));
  fs::remove(path);
}

TEST(Hdf5, ClearErrors) {
  EXPECT_THROW(File::open("/nonexistent/file.h5"), IoError);
  const std::string text = temp_path("text.h5");
  std::ofstream(text) << "not hdf5";
  try {
    File::open(text);
    FAIL() << "expected IoError";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("not an HDF5 file"), std::string::npos) << e.what();
  }
  fs::remove(text);
  const std::string path = temp_path("err.h5");
  {
    File f = File::create(path);
    f.root().write("ints", std::vector<std::int32_t>{1, 2});
    f.root().write_attr("x", 1.5);
  }
  File f = File::open(path);
  auto root = f.root();
  try {
    (void)root.read<float>("missing");
    FAIL();
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find(":/missing: missing dataset"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW((void)root.read_attr<std::int64_t>("x"), IoError);  // wrong type
  EXPECT_THROW((void)root.read_attr<std::string>("x"), IoError);
  EXPECT_THROW((void)root.open_group("ints"), IoError);  // not a group
  EXPECT_THROW((void)root.read_attr<double>("nope"), IoError);
  EXPECT_THROW(File::create("/nonexistent-dir/x.h5"), IoError);
  fs::remove(path);
}
