#include "xbarmc/scaleout/shard.h"

#include <charconv>

#include "xbarmc/util/error.h"

namespace xbarmc::scaleout {

namespace {
bool parse_u64(std::string_view s, std::uint64_t& out) {
  const auto* end = s.data() + s.size();
  const auto [ptr, ec] = std::from_chars(s.data(), end, out);
  return !s.empty() && ec == std::errc{} && ptr == end;
}
}  // namespace

Shard parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  Shard s;
  if (slash == std::string::npos || !parse_u64(std::string_view(text).substr(0, slash), s.index) ||
      !parse_u64(std::string_view(text).substr(slash + 1), s.count))
    throw ConfigError("--shard", "expected K/N with integers 0 <= K < N, got \"" + text + "\"");
  if (s.count == 0 || s.index >= s.count)
    throw ConfigError("--shard", "shard \"" + text + "\" is out of range: need 0 <= K < N (K is " +
                                     "0-based, e.g. 0/3, 1/3, 2/3)");
  return s;
}

ItemRange block(std::uint64_t total, std::uint64_t index, std::uint64_t count) {
  if (count == 0 || index >= count)
    throw InputError("block " + std::to_string(index) + " of " + std::to_string(count) +
                     " does not exist");
  // Balanced split: the first (total % count) blocks get one item more.
  const std::uint64_t base = total / count, extra = total % count;
  ItemRange r;
  r.begin = index * base + std::min(index, extra);
  r.end = r.begin + base + (index < extra ? 1 : 0);
  return r;
}

std::vector<std::uint64_t> block_of(const std::vector<std::uint64_t>& items, std::uint64_t index,
                                    std::uint64_t count) {
  const ItemRange r = block(items.size(), index, count);
  return {items.begin() + static_cast<std::ptrdiff_t>(r.begin),
          items.begin() + static_cast<std::ptrdiff_t>(r.end)};
}

}  // namespace xbarmc::scaleout
