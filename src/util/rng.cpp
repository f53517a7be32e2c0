#include "xbarmc/util/rng.h"

#include <bit>
#include <boost/random/normal_distribution.hpp>
#include <cmath>

namespace xbarmc {

RandomStream::RandomStream(std::uint64_t seed, const StreamId& id) {
  key_[0] = seed;
  key_[1] = id.instance;
  ctr_[0] = 0;  // block index within the stream, advanced by refill()
  ctr_[1] = (static_cast<std::uint64_t>(id.purpose) << 32) | id.layer;
  ctr_[2] = (static_cast<std::uint64_t>(id.tile) << 32) | id.cycle;
  ctr_[3] = id.sub;
}

void RandomStream::refill() {
  Engine engine;
  const auto out = engine(ctr_, key_);
  ++ctr_[0];
  for (unsigned i = 0; i < 4; ++i) buffer_[i] = out[i];
  pos_ = 0;
}

void RandomStream::seek(std::uint64_t index) {
  ctr_[0] = index / 4;
  refill();
  pos_ = static_cast<unsigned>(index % 4);
}

double RandomStream::normal() {
  boost::random::normal_distribution<double> standard;
  return standard(*this);
}

namespace {

// Ziggurat for the standard normal, Marsaglia & Tsang, "The ziggurat method for generating
// random variables", J. Stat. Softw. 5(8), 2000: 128 layers of equal area v, tail from r.
// Their tables with m = 2^24 (not 2^31): a 32-bit draw h gives the layer (bits 0-6), the sign
// (bit 7) and the abscissa u (bits 8-31, uniform on [0, 2^24)), so no bit serves twice
// (Doornik, "An improved ziggurat method", 2005). x = u w[i] is accepted at once when
// u < k[i] (inside the layer's inner rectangle, about 99 % of draws).
constexpr double ZIG_R = 3.442619855899;       // start of the tail
constexpr double ZIG_V = 9.91256303526217e-3;  // area of each layer
constexpr double ZIG_M = 16777216.0;           // 2^24

struct Ziggurat {
  std::array<std::uint32_t, 128> k{};
  std::array<float, 128> w{};
  std::array<double, 128> f{};
  Ziggurat() {
    double dn = ZIG_R, tn = dn;
    const double q = ZIG_V / std::exp(-0.5 * dn * dn);
    k[0] = static_cast<std::uint32_t>((dn / q) * ZIG_M);
    k[1] = 0;
    w[0] = static_cast<float>(q / ZIG_M);
    w[127] = static_cast<float>(dn / ZIG_M);
    f[0] = 1.0;
    f[127] = std::exp(-0.5 * dn * dn);
    for (int i = 126; i >= 1; --i) {
      dn = std::sqrt(-2.0 * std::log(ZIG_V / dn + std::exp(-0.5 * dn * dn)));
      k[static_cast<std::size_t>(i) + 1] = static_cast<std::uint32_t>((dn / tn) * ZIG_M);
      tn = dn;
      f[static_cast<std::size_t>(i)] = std::exp(-0.5 * dn * dn);
      w[static_cast<std::size_t>(i)] = static_cast<float>(dn / ZIG_M);
    }
  }
};

const Ziggurat& ziggurat() {
  static const Ziggurat z;
  return z;
}

//! The words of one stream from absolute word `index` on, generated 16 Philox blocks at a time:
//! the blocks are independent, so the CPU overlaps their ten dependent rounds (one block at a
//! time, as refill() does, is bound by the latency of the rounds). Same words as operator().
class BulkWords {
 public:
  using Engine = r123::Philox4x64;
  BulkWords(const Engine::key_type& key, const Engine::ctr_type& ctr, std::uint64_t index)
      : key_(key), ctr_(ctr), block_(index / 4) {
    fill();
    pos_ = static_cast<unsigned>(index % 4);
  }
  std::uint64_t operator()() {
    if (pos_ == WORDS) {
      block_ += BLOCKS;
      fill();
    }
    return words_[pos_++];
  }
  double uniform01() { return static_cast<double>((*this)() >> 11) * 0x1.0p-53; }
  double uniform_open01() { return (static_cast<double>((*this)() >> 11) + 0.5) * 0x1.0p-53; }
  //! Absolute index of the next word not handed out.
  [[nodiscard]] std::uint64_t position() const { return block_ * 4 + pos_; }

 private:
  static constexpr unsigned BLOCKS = 16, WORDS = 4 * BLOCKS;
  void fill() {
    Engine engine;
    for (unsigned b = 0; b < BLOCKS; ++b) {
      Engine::ctr_type c = ctr_;
      c[0] = block_ + b;
      const auto out = engine(c, key_);
      for (unsigned i = 0; i < 4; ++i) words_[4 * b + i] = out[i];
    }
    pos_ = 0;
  }
  Engine::key_type key_;
  Engine::ctr_type ctr_;
  std::uint64_t block_;
  std::array<std::uint64_t, WORDS> words_{};
  unsigned pos_ = 0;
};

//! The ziggurat's rare paths for the draw h that missed the inner rectangle: the wedge test,
//! the tail (Marsaglia, Ann. Math. Stat. 35, 1964: x = -ln(U1)/r, accept when
//! -2 ln(U2) > x^2), or a fresh 32-bit draw from `s`.
[[gnu::noinline]] float ziggurat_slow(BulkWords& s, std::uint32_t h) {
  const Ziggurat& z = ziggurat();
  for (;;) {
    const std::uint32_t i = h & 127u, u = h >> 8;
    const bool negative = ((h >> 7) & 1u) != 0;
    if (u < z.k[i]) {
      const float x = static_cast<float>(u) * z.w[i];
      return negative ? -x : x;
    }
    if (i == 0) {
      double x = 0, y = 0;
      do {
        x = -std::log(s.uniform_open01()) / ZIG_R;
        y = -std::log(s.uniform_open01());
      } while (y + y < x * x);
      return static_cast<float>(negative ? -(ZIG_R + x) : ZIG_R + x);
    }
    const double x = static_cast<double>(u) * static_cast<double>(z.w[i]);
    if (z.f[i] + s.uniform01() * (z.f[i - 1] - z.f[i]) < std::exp(-0.5 * x * x))
      return static_cast<float>(negative ? -x : x);
    h = static_cast<std::uint32_t>(s() >> 32);
  }
}

}  // namespace

// The stream's next word has absolute index (ctr_[0] - 1) * 4 + pos_ (ctr_[0] counts the blocks
// generated; modulo 2^64 this is 0 for a fresh stream). The batch samplers read from there with
// BulkWords and leave the stream positioned after the last word they used.
void RandomStream::normals(float* out, std::size_t n) {
  const Ziggurat& z = ziggurat();
  BulkWords words(key_, ctr_, (ctr_[0] - 1) * 4 + pos_);
  auto one = [&](std::uint32_t h) {
    const std::uint32_t i = h & 127u, u = h >> 8;
    if (u >= z.k[i]) [[unlikely]]
      return ziggurat_slow(words, h);
    // The sign from bit 7 without a branch (a branch on a random bit mispredicts half the
    // time): flipping the float's sign bit is exactly -x.
    const float x = static_cast<float>(u) * z.w[i];
    return std::bit_cast<float>(std::bit_cast<std::uint32_t>(x) ^ ((h & 128u) << 24));
  };
  std::size_t j = 0;
  for (; j + 2 <= n; j += 2) {
    const std::uint64_t word = words();
    out[j] = one(static_cast<std::uint32_t>(word));
    out[j + 1] = one(static_cast<std::uint32_t>(word >> 32));
  }
  if (j < n) out[j] = one(static_cast<std::uint32_t>(words()));
  seek(words.position());
}

void RandomStream::uniforms01(float* out, std::size_t n) {
  BulkWords words(key_, ctr_, (ctr_[0] - 1) * 4 + pos_);
  std::size_t j = 0;
  for (; j + 2 <= n; j += 2) {
    const std::uint64_t word = words();
    out[j] = static_cast<float>((word >> 8) & 0xFFFFFFu) * 0x1.0p-24f;
    out[j + 1] = static_cast<float>(word >> 40) * 0x1.0p-24f;
  }
  if (j < n) out[j] = static_cast<float>((words() >> 8) & 0xFFFFFFu) * 0x1.0p-24f;
  seek(words.position());
}

}  // namespace xbarmc
