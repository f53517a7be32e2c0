#pragma once
//! \file util/rng.h
//! Counter-based random streams (Random123 Philox4x64-10; Salmon et al., SC'11,
//! "Parallel random numbers: as easy as 1, 2, 3").
//!
//! Every random number in xbarmc is a pure function of
//! (seed, instance, purpose, layer, tile, cycle, sub, position-in-stream).
//! The key of the Philox bijection is (seed, instance); the counter holds
//! (block, purpose|layer, tile|cycle, sub). A stream never depends on thread,
//! scheduling order or the shape of other layers, and adding a new Purpose
//! never shifts the draws of existing ones. This is the one key function of
//! the project: nothing else builds Philox keys or counters.

#include <Random123/philox.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>

namespace xbarmc {

//! What a stream is used for. The numeric values are part of the results
//! format (they select the draws): never renumber, only append.
enum class Purpose : std::uint32_t {
  ProgrammingD2D = 1,    //!< programming error fixed per instance
  ProgrammingC2C = 2,    //!< programming error redrawn per cycle
  FaultsD2D = 3,         //!< stuck-at faults, per instance
  DriftNuD2D = 4,        //!< per-device drift exponent, per instance
  RelaxationC2C = 5,     //!< RRAM relaxation, per cycle (and time via `sub`)
  ReadNoise = 6,         //!< read noise, per read (cycle, time via `sub`)
  WriteVerify = 7,       //!< extra programming pulses of write-verify, per cycle
  LevelsD2D = 8,         //!< table-model level sampling, per instance
  RandomTelegraph = 9,   //!< random telegraph noise trap states, per cycle and time (`sub`)
  DatasetSubset = 32,    //!< deterministic subset of a dataset
  TrainingInit = 33,     //!< weight initialisation in `xbarmc train`
  TrainingShuffle = 34,  //!< mini-batch order in `xbarmc train`
};

//! Identifies one stream. Field ranges: layer < 2^16, tile < 2^32, cycle < 2^32, sub < 2^64.
struct StreamId {
  std::uint64_t instance = 0;  //!< chip instance index
  Purpose purpose = Purpose::ProgrammingD2D;
  std::uint32_t layer = 0;  //!< weight-layer index
  std::uint32_t tile = 0;   //!< tile index within the layer
  std::uint32_t cycle = 0;  //!< programming cycle
  std::uint64_t sub = 0;    //!< further index (time index, read batch, ...)
};

//! A sequential stream of 64-bit words; satisfies UniformRandomBitGenerator, so
//! Boost.Random distributions can draw from it. Cheap to construct (no state
//! beyond key and counter): create one per (instance, purpose, layer, tile, cycle).
class RandomStream {
 public:
  using result_type = std::uint64_t;
  RandomStream(std::uint64_t seed, const StreamId& id);

  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }

  //! Next 64 random bits.
  result_type operator()() {
    if (pos_ == 4) refill();
    return buffer_[pos_++];
  }
  //! Uniform double in [0, 1) with 53 random bits.
  double uniform01() { return static_cast<double>((*this)() >> 11) * 0x1.0p-53; }
  //! Uniform double in (0, 1): never 0, safe for log().
  double uniform_open01() { return (static_cast<double>((*this)() >> 11) + 0.5) * 0x1.0p-53; }
  //! Standard normal N(0, 1) (Boost.Random's ziggurat normal_distribution).
  double normal();

  // Batch API for bulk sampling (device tiles, read noise). Values are a pure function of
  // (seed, StreamId, position in the stream) like every other draw; the sequences differ from
  // repeated normal()/uniform01() calls, so a stream is used with one API or the other.

  //! Fills out[0, n) with standard normals N(0, 1) in float: a 128-layer ziggurat on 32-bit
  //! draws, two per 64-bit word (Marsaglia & Tsang, J. Stat. Softw. 5(8), 2000; separate bits
  //! for layer, sign and abscissa as Doornik, 2005, recommends). See rng.cpp.
  void normals(float* out, std::size_t n);
  //! Fills out[0, n) with uniforms in [0, 1) in float (24 random bits), two per 64-bit word.
  void uniforms01(float* out, std::size_t n);

  //! Position the stream at word `index` (random access; 4 words per Philox block).
  void seek(std::uint64_t index);

 private:
  void refill();
  using Engine = r123::Philox4x64;
  Engine::key_type key_{};
  Engine::ctr_type ctr_{};
  std::array<std::uint64_t, 4> buffer_{};
  unsigned pos_ = 4;
};

//! Name of the generator written into result files.
inline constexpr const char* RNG_NAME =
    "philox4x64-10 (Random123); device stages and read noise: RandomStream::normals/uniforms01 "
    "(ziggurat, Marsaglia & Tsang 2000); other draws: Boost.Random distributions";

}  // namespace xbarmc
