#include "xbarmc/rng.h"

#include <boost/random/normal_distribution.hpp>

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

}  // namespace xbarmc
