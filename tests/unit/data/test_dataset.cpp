#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "xbarmc/config/node.h"
#include "xbarmc/data/dataset.h"
#include "xbarmc/util/error.h"
#include "xbarmc/util/hdf5.h"

namespace fs = std::filesystem;
using namespace xbarmc;
using data::DatasetParams;

namespace {

fs::path temp_dir() {
  const auto* info = testing::UnitTest::GetInstance()->current_test_info();
  fs::path dir = fs::temp_directory_path() / (std::string("xbarmc_ds_") + info->name());
  fs::create_directories(dir);
  return dir;
}

void write_idx(const fs::path& p, const std::vector<std::uint32_t>& dims,
               const std::vector<std::uint8_t>& v) {
  std::string s = {0, 0, 8, static_cast<char>(dims.size())};
  for (auto d : dims)
    for (int shift = 24; shift >= 0; shift -= 8) s += static_cast<char>((d >> shift) & 0xFF);
  s.append(v.begin(), v.end());
  std::ofstream(p, std::ios::binary) << s;
}

//! 20 images of 2x3 pixels with pixel value (10*i + j) % 256, labels i % 4.
DatasetParams small_idx(const fs::path& dir) {
  std::vector<std::uint8_t> img, lab;
  for (std::uint32_t i = 0; i < 20; ++i) {
    for (std::uint32_t j = 0; j < 6; ++j)
      img.push_back(static_cast<std::uint8_t>((10 * i + j) % 256));
    lab.push_back(static_cast<std::uint8_t>(i % 4));
  }
  write_idx(dir / "img.idx", {20, 2, 3}, img);
  write_idx(dir / "lab.idx", {20}, lab);
  DatasetParams p;
  p.images = (dir / "img.idx").string();
  p.labels = (dir / "lab.idx").string();
  return p;
}

}  // namespace

TEST(Dataset, IdxUnitNormalisationShapeAndClasses) {
  const auto d = data::load_dataset(small_idx(temp_dir()));
  EXPECT_EQ(d.count, 20u);
  EXPECT_EQ(d.sample_shape, (std::vector<std::size_t>{1, 2, 3}));
  EXPECT_EQ(d.num_classes, 4u);
  EXPECT_FLOAT_EQ(d.inputs(7, 5), 75.0f / 255.0f);
  EXPECT_EQ(d.labels[7], 3);
  EXPECT_NE(d.description.find("normalization=unit"), std::string::npos);
}

TEST(Dataset, StandardNormalisation) {
  auto p = small_idx(temp_dir());
  p.normalization = "standard";
  p.mean = 0.5;
  p.std = 0.25;
  const auto d = data::load_dataset(p);
  EXPECT_NEAR(d.inputs(7, 5), (75.0 / 255.0 - 0.5) / 0.25, 1e-6);
}

TEST(Dataset, MismatchedCountsAndLabelRangeAreErrors) {
  const auto dir = temp_dir();
  auto p = small_idx(dir);
  write_idx(dir / "lab19.idx", {19}, std::vector<std::uint8_t>(19, 0));
  p.labels = (dir / "lab19.idx").string();
  try {
    data::load_dataset(p);
    FAIL() << "expected IoError";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("19 labels"), std::string::npos) << e.what();
  }
  p = small_idx(dir);
  p.num_classes = 3;
  EXPECT_THROW(data::load_dataset(p), IoError);
}

TEST(Dataset, FirstAndRandomSubsetsAreDeterministic) {
  auto p = small_idx(temp_dir());
  p.limit = 5;
  auto first = data::load_dataset(p);
  ASSERT_EQ(first.count, 5u);
  EXPECT_EQ(first.labels, (std::vector<std::int32_t>{0, 1, 2, 3, 0}));
  p.subset = "random";
  p.subset_seed = 11;
  const auto a = data::load_dataset(p), b = data::load_dataset(p);
  EXPECT_EQ(a.inputs, b.inputs);
  p.subset_seed = 12;
  const auto c = data::load_dataset(p);
  EXPECT_NE(a.inputs, c.inputs);
  // Rows are distinct samples of the file, kept in file order.
  std::vector<float> firsts;
  for (int i = 0; i < 5; ++i) firsts.push_back(a.inputs(i, 0));
  EXPECT_TRUE(std::is_sorted(firsts.begin(), firsts.end()));
  EXPECT_EQ(std::set<float>(firsts.begin(), firsts.end()).size(), 5u);
}

TEST(Dataset, Hdf5FormatRoundTripAndErrors) {
  const auto dir = temp_dir();
  const std::string path = (dir / "d.h5").string();
  {
    auto f = h5::File::create(path);
    std::vector<float> x(4 * 2 * 3);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = 0.5f * static_cast<float>(i);
    f.root().write("inputs", x, {4, 2, 3});
    f.root().write("labels", std::vector<std::int32_t>{2, 0, 1, 2});
  }
  DatasetParams p;
  p.format = "hdf5";
  p.path = path;
  const auto d = data::load_dataset(p);
  EXPECT_EQ(d.sample_shape, (std::vector<std::size_t>{2, 3}));
  EXPECT_EQ(d.num_classes, 3u);
  EXPECT_FLOAT_EQ(d.inputs(3, 5), 0.5f * 23);  // "auto" = no scaling for hdf5
  {
    auto f = h5::File::open(path, h5::File::Mode::ReadWrite);
    f.root().write("labels", std::vector<std::int32_t>{2, 0, 1});
  }
  EXPECT_THROW(data::load_dataset(p), IoError);
  {
    auto f = h5::File::open(path, h5::File::Mode::ReadWrite);
    f.root().write("labels", std::vector<float>{2, 0, 1, 1});
  }
  EXPECT_THROW(data::load_dataset(p), IoError);
}

TEST(Dataset, ParseReportsUnknownKeysAndBadValues) {
  const auto json = config::parse_json_text(
      R"({"format": "idx", "images": "a", "labels": "b", "limt": 5, "subset": "randm"})", "t");
  config::Diagnostics diag;
  config::Node node(json, "/dataset", diag, nullptr);
  DatasetParams p;
  data::parse_dataset(node, p);
  ASSERT_EQ(diag.issues().size(), 2u);
  std::set<std::string> pointers;
  for (const auto& i : diag.issues()) pointers.insert(i.pointer);
  EXPECT_TRUE(pointers.count("/dataset/limt"));
  EXPECT_TRUE(pointers.count("/dataset/subset"));
}

// Debian's dataset-fashion-mnist (installed by scripts/setup): the test split has 10000
// images of 28x28 and exactly 1000 per class (Xiao, Rasul, Vollgraf 2017, arXiv:1708.07747).
TEST(Dataset, FashionMnistTestSplit) {
  const auto d = data::fashion_mnist_test();
  EXPECT_EQ(d.count, 10000u);
  EXPECT_EQ(d.sample_shape, (std::vector<std::size_t>{1, 28, 28}));
  EXPECT_EQ(d.num_classes, 10u);
  std::vector<int> per_class(10, 0);
  for (auto l : d.labels) ++per_class[static_cast<std::size_t>(l)];
  for (int n : per_class) EXPECT_EQ(n, 1000);
  EXPECT_GE(d.inputs.minCoeff(), 0.0f);
  EXPECT_LE(d.inputs.maxCoeff(), 1.0f);
}
