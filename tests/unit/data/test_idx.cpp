#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>

#include "xbarmc/data/idx.h"
#include "xbarmc/util/error.h"

namespace fs = std::filesystem;
using xbarmc::IoError;
using xbarmc::data::read_idx;

namespace {

fs::path temp_dir() {
  const auto* info = testing::UnitTest::GetInstance()->current_test_info();
  fs::path dir = fs::temp_directory_path() / (std::string("xbarmc_idx_") + info->name());
  fs::create_directories(dir);
  return dir;
}

//! Bytes of an IDX file of unsigned bytes with the given dims and payload.
std::string idx_bytes(const std::vector<std::uint32_t>& dims, const std::string& payload,
                      unsigned char type = 0x08) {
  std::string s = {0, 0, static_cast<char>(type), static_cast<char>(dims.size())};
  for (auto d : dims)
    for (int shift = 24; shift >= 0; shift -= 8) s += static_cast<char>((d >> shift) & 0xFF);
  return s + payload;
}

void write_plain(const fs::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary) << bytes;
}

void write_gz(const fs::path& p, const std::string& bytes) {
  gzFile f = gzopen(p.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())),
            static_cast<int>(bytes.size()));
  gzclose(f);
}

std::string payload(std::size_t n) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s += static_cast<char>((i * 37) & 0xFF);
  return s;
}

template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const IoError& e) {
    return e.what();
  }
  return "no IoError";
}

}  // namespace

TEST(Idx, ReadsPlainAndGzipIdentically) {
  const auto dir = temp_dir();
  const std::string bytes = idx_bytes({3, 2, 4}, payload(24));
  write_plain(dir / "a.idx", bytes);
  write_gz(dir / "a.idx.gz", bytes);
  for (const auto* name : {"a.idx", "a.idx.gz"}) {
    const auto a = read_idx((dir / name).string());
    EXPECT_EQ(a.shape, (std::vector<std::size_t>{3, 2, 4}));
    ASSERT_EQ(a.values.size(), 24u);
    for (std::size_t i = 0; i < 24; ++i) EXPECT_EQ(a.values[i], (i * 37) & 0xFF);
  }
}

TEST(Idx, TruncatedPlainFileIsAnErrorNamingTheFile) {
  const auto dir = temp_dir();
  write_plain(dir / "t.idx", idx_bytes({3, 2, 4}, payload(20)));
  const std::string msg = error_of([&] { read_idx((dir / "t.idx").string()); });
  EXPECT_NE(msg.find("t.idx"), std::string::npos) << msg;
  EXPECT_NE(msg.find("truncated"), std::string::npos) << msg;
  EXPECT_NE(msg.find("24"), std::string::npos) << msg;
}

TEST(Idx, TruncatedGzipIsAnError) {
  const auto dir = temp_dir();
  write_gz(dir / "full.gz", idx_bytes({100, 10}, payload(1000)));
  std::ifstream in(dir / "full.gz", std::ios::binary);
  std::string gz((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  write_plain(dir / "cut.gz", gz.substr(0, gz.size() / 2));
  const std::string msg = error_of([&] { read_idx((dir / "cut.gz").string()); });
  EXPECT_NE(msg.find("cut.gz"), std::string::npos) << msg;
  EXPECT_NE(msg.find("truncated"), std::string::npos) << msg;
}

TEST(Idx, CorruptGzipIsAnError) {
  const auto dir = temp_dir();
  write_gz(dir / "c.gz", idx_bytes({100, 10}, payload(1000)));
  std::fstream f(dir / "c.gz", std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(20);
  f.write("\xff\xff\xff\xff\xff\xff", 6);  // inside the deflate stream
  f.close();
  EXPECT_NE(error_of([&] { read_idx((dir / "c.gz").string()); }).find("c.gz"), std::string::npos);
}

TEST(Idx, LongerThanHeaderBadMagicAndTypeAreErrors) {
  const auto dir = temp_dir();
  write_plain(dir / "long.idx", idx_bytes({2, 2}, payload(5)));
  EXPECT_NE(error_of([&] { read_idx((dir / "long.idx").string()); }).find("longer"),
            std::string::npos);
  write_plain(dir / "magic.idx", "\x01\x02\x08\x01" + std::string(8, 'x'));
  EXPECT_NE(error_of([&] { read_idx((dir / "magic.idx").string()); }).find("not an IDX"),
            std::string::npos);
  write_plain(dir / "float.idx", idx_bytes({1}, payload(4), 0x0D));
  EXPECT_NE(error_of([&] { read_idx((dir / "float.idx").string()); }).find("0x0D"),
            std::string::npos);
  EXPECT_NE(error_of([&] { read_idx((dir / "missing.idx").string()); }).find("missing.idx"),
            std::string::npos);
}
