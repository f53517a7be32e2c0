#include "xbarmc/data/idx.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <limits>

#include "xbarmc/util/error.h"

namespace xbarmc::data {

namespace {

//! Owns a zlib gzFile; gzread reads plain (uncompressed) files transparently.
class GzReader {
 public:
  explicit GzReader(const std::string& path) : path_(path), f_(gzopen(path.c_str(), "rb")) {
    if (f_ == nullptr) throw IoError(path + ": cannot open file for reading");
  }
  GzReader(const GzReader&) = delete;
  GzReader& operator=(const GzReader&) = delete;
  ~GzReader() {
    if (f_ != nullptr) gzclose(f_);
  }

  //! Reads up to `n` bytes; returns how many were read (less only at end of data).
  std::size_t read(void* dst, std::size_t n) {
    auto* p = static_cast<unsigned char*>(dst);
    std::size_t done = 0;
    while (done < n) {
      const auto chunk = static_cast<unsigned>(
          std::min<std::size_t>(n - done, std::numeric_limits<int>::max() / 2));
      const int got = gzread(f_, p + done, chunk);
      if (got < 0) {
        int code = 0;
        const char* msg = gzerror(f_, &code);
        throw IoError(path_ + ": corrupt compressed data (" + std::string(msg ? msg : "?") + ")");
      }
      if (got == 0) break;
      done += static_cast<std::size_t>(got);
    }
    // A gzip stream cut short reads as a short count with Z_BUF_ERROR set.
    int code = Z_OK;
    gzerror(f_, &code);
    if (code != Z_OK && code != Z_STREAM_END)
      throw IoError(path_ + ": truncated or corrupt compressed data");
    return done;
  }

 private:
  std::string path_;
  gzFile f_;
};

std::uint32_t big_endian_u32(const unsigned char* b) {
  return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) |
         std::uint32_t{b[3]};
}

}  // namespace

IdxArray read_idx(const std::string& path) {
  GzReader in(path);
  std::array<unsigned char, 4> magic{};
  if (in.read(magic.data(), 4) != 4) throw IoError(path + ": truncated IDX header");
  if (magic[0] != 0 || magic[1] != 0)
    throw IoError(path + ": not an IDX file (magic bytes must start with 0x00 0x00)");
  if (magic[2] != 0x08) {
    throw IoError(path + ": unsupported IDX element type 0x" +
                  std::string(1, "0123456789ABCDEF"[magic[2] >> 4]) +
                  std::string(1, "0123456789ABCDEF"[magic[2] & 15]) +
                  " (only unsigned byte, 0x08, is supported)");
  }
  const unsigned ndim = magic[3];
  if (ndim == 0 || ndim > 8)
    throw IoError(path + ": IDX header has " + std::to_string(ndim) +
                  " dimensions (1..8 supported)");
  IdxArray out;
  std::size_t total = 1;
  for (unsigned d = 0; d < ndim; ++d) {
    std::array<unsigned char, 4> b{};
    if (in.read(b.data(), 4) != 4) throw IoError(path + ": truncated IDX header");
    const std::size_t n = big_endian_u32(b.data());
    if (n == 0) throw IoError(path + ": IDX dimension " + std::to_string(d) + " is zero");
    if (total > (std::size_t{1} << 40) / n)
      throw IoError(path + ": IDX dimensions are implausibly large");
    total *= n;
    out.shape.push_back(n);
  }
  // Read in chunks, growing the array as data arrives: a short (or hostile) file whose header
  // announces up to 2^40 bytes must fail as truncated, not allocate the announced size first.
  constexpr std::size_t CHUNK_BYTES = std::size_t{1} << 24;
  std::size_t got = 0;
  while (got < total) {
    const std::size_t want = std::min(CHUNK_BYTES, total - got);
    out.values.resize(got + want);
    const std::size_t n = in.read(out.values.data() + got, want);
    got += n;
    if (n < want) break;
  }
  if (got != total) {
    throw IoError(path + ": truncated IDX file: header announces " + std::to_string(total) +
                  " data bytes, found " + std::to_string(got));
  }
  unsigned char extra = 0;
  if (in.read(&extra, 1) != 0)
    throw IoError(path + ": IDX file is longer than its header announces (" +
                  std::to_string(total) + " data bytes)");
  return out;
}

}  // namespace xbarmc::data
