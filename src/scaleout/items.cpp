#include "xbarmc/scaleout/items.h"

#include <cstring>

#include "xbarmc/util/error.h"

namespace xbarmc::scaleout {

namespace {

//! Bytes of one packed record: item index, status code, accuracies, layer errors.
std::size_t record_bytes(const study::ResultsShape& s) {
  return sizeof(std::uint64_t) + 1 + s.reads() * (1 + s.layers) * sizeof(float);
}

}  // namespace

std::vector<std::byte> pack_items(const study::StudyResults& r,
                                  const std::vector<std::uint64_t>& items) {
  const study::ResultsShape s = r.shape();
  std::vector<std::byte> out;
  out.reserve(items.size() * record_bytes(s));
  for (std::uint64_t item : items) {
    const auto [point, i] = r.split_item(item);
    const study::PointResults& pr = r.points[point];
    if (!pr.has_run(i)) continue;
    const std::size_t at = out.size();
    out.resize(at + record_bytes(s));
    std::byte* p = out.data() + at;
    std::memcpy(p, &item, sizeof item);
    p += sizeof item;
    std::memcpy(p, &pr.status[static_cast<std::size_t>(i)], 1);
    p += 1;
    const auto acc = pr.instance_accuracy(s, i);
    std::memcpy(p, acc.data(), acc.size_bytes());
    p += acc.size_bytes();
    const auto err = pr.instance_layer_error(s, i);
    std::memcpy(p, err.data(), err.size_bytes());
  }
  return out;
}

std::size_t unpack_items(const std::vector<std::byte>& bytes, study::StudyResults& r) {
  const study::ResultsShape s = r.shape();
  if (bytes.size() % record_bytes(s) != 0)
    throw InputError("packed results: " + std::to_string(bytes.size()) +
                     " bytes is not a multiple of the record size " +
                     std::to_string(record_bytes(s)));
  const std::size_t n = bytes.size() / record_bytes(s);
  const std::byte* p = bytes.data();
  for (std::size_t k = 0; k < n; ++k) {
    std::uint64_t item = 0;
    std::memcpy(&item, p, sizeof item);
    p += sizeof item;
    if (item >= r.item_count())
      throw InputError("packed results: work item " + std::to_string(item) +
                       " is outside the study");
    const auto [point, i] = r.split_item(item);
    study::PointResults& pr = r.points[point];
    std::memcpy(&pr.status[static_cast<std::size_t>(i)], p, 1);
    p += 1;
    const auto acc = pr.instance_accuracy(s, i);
    std::memcpy(acc.data(), p, acc.size_bytes());
    p += acc.size_bytes();
    const auto err = pr.instance_layer_error(s, i);
    std::memcpy(err.data(), p, err.size_bytes());
    p += err.size_bytes();
  }
  return n;
}

}  // namespace xbarmc::scaleout
