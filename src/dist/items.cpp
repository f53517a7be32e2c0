#include "xbarmc/dist/items.h"

#include <cstring>

#include "xbarmc/error.h"

namespace xbarmc::dist {

namespace {

struct Shape {
  std::size_t per = 0;     // floats of accuracy per instance (C*T)
  std::size_t layers = 0;  // L
  [[nodiscard]] std::size_t record_bytes() const {
    return sizeof(std::uint64_t) + 1 + per * (1 + layers) * sizeof(float);
  }
};

Shape shape_of(const engine::StudyResults& r) { return {r.cycles * r.times_s.size(), r.layers}; }

}  // namespace

std::vector<std::byte> pack_items(const engine::StudyResults& r,
                                  const std::vector<std::uint64_t>& items) {
  const Shape s = shape_of(r);
  std::vector<std::byte> out;
  out.reserve(items.size() * s.record_bytes());
  for (std::uint64_t item : items) {
    const auto& pr = r.points[static_cast<std::size_t>(item / r.instances)];
    const std::uint64_t i = item % r.instances;
    const std::uint8_t status = pr.status[i];
    if (status == static_cast<std::uint8_t>(engine::InstanceStatus::NotRun)) continue;
    const std::size_t at = out.size();
    out.resize(at + s.record_bytes());
    std::byte* p = out.data() + at;
    std::memcpy(p, &item, sizeof item);
    p += sizeof item;
    std::memcpy(p, &status, 1);
    p += 1;
    std::memcpy(p, pr.accuracy.data() + i * s.per, s.per * sizeof(float));
    p += s.per * sizeof(float);
    std::memcpy(p, pr.layer_error.data() + i * s.per * s.layers, s.per * s.layers * sizeof(float));
  }
  return out;
}

std::size_t unpack_items(const std::vector<std::byte>& bytes, engine::StudyResults& r) {
  const Shape s = shape_of(r);
  if (bytes.size() % s.record_bytes() != 0)
    throw InputError("packed results: " + std::to_string(bytes.size()) +
                     " bytes is not a multiple of the record size " +
                     std::to_string(s.record_bytes()));
  const std::size_t n = bytes.size() / s.record_bytes();
  const std::byte* p = bytes.data();
  for (std::size_t k = 0; k < n; ++k) {
    std::uint64_t item = 0;
    std::memcpy(&item, p, sizeof item);
    p += sizeof item;
    if (item >= r.points.size() * r.instances)
      throw InputError("packed results: work item " + std::to_string(item) +
                       " is outside the study");
    auto& pr = r.points[static_cast<std::size_t>(item / r.instances)];
    const std::uint64_t i = item % r.instances;
    std::memcpy(&pr.status[i], p, 1);
    p += 1;
    std::memcpy(pr.accuracy.data() + i * s.per, p, s.per * sizeof(float));
    p += s.per * sizeof(float);
    std::memcpy(pr.layer_error.data() + i * s.per * s.layers, p, s.per * s.layers * sizeof(float));
    p += s.per * s.layers * sizeof(float);
  }
  return n;
}

}  // namespace xbarmc::dist
