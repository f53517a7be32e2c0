#include "xbarmc/config/node.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace xbarmc::config {

namespace {
const Json& empty_object() {
  static const Json empty = Json::object();
  return empty;
}

std::string format_number(double v) {
  std::ostringstream os;
  os.precision(12);
  os << v;
  return os.str();
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}
//! True when `s` is well-formed UTF-8 (RFC 3629: no overlong forms, surrogates or > U+10FFFF).
bool is_valid_utf8(const std::string& s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1Fu;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0Fu;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07u;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;  // continuation bytes missing
    for (std::size_t k = 1; k <= n; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if ((b & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (b & 0x3Fu);
    }
    const std::uint32_t min[] = {0, 0x80, 0x800, 0x10000};
    if (cp < min[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n + 1;
  }
  return true;
}

//! `s` with bytes outside printable ASCII written as \xNN (for messages about bad text).
std::string printable(const std::string& s) {
  std::string out;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c < 0x7F) {
      out += ch;
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      out += buf;
    }
  }
  return out;
}

}  // namespace

std::string Range::violation(double v) const {
  if (!std::isfinite(v)) return "must be a finite number";
  const bool lo_bad = lo && (lo_open ? !(v > *lo) : !(v >= *lo));
  const bool hi_bad = hi && (hi_open ? !(v < *hi) : !(v <= *hi));
  if (!lo_bad && !hi_bad) return {};
  if (lo && hi) {
    return "must be in " + std::string(lo_open ? "(" : "[") + format_number(*lo) + ", " +
           format_number(*hi) + (hi_open ? ")" : "]");
  }
  if (lo_bad) return std::string("must be ") + (lo_open ? "> " : ">= ") + format_number(*lo);
  return std::string("must be ") + (hi_open ? "< " : "<= ") + format_number(*hi);
}

void Diagnostics::add(std::string pointer, std::string message) {
  issues_.push_back({std::move(pointer), std::move(message)});
}

void Diagnostics::throw_if_any() const {
  if (!issues_.empty()) throw ConfigError(issues_);
}

std::string escape_pointer_token(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

std::optional<std::string> suggest(const std::string& word,
                                   const std::set<std::string>& candidates) {
  std::optional<std::string> best;
  std::size_t best_d = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const auto& c : candidates) {
    const std::size_t d = edit_distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best;
}

std::string describe(const Json& v) {
  std::string text = v.dump();
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return std::string(v.type_name()) + " " + text;
}

Node::Node(const Json& value, std::string pointer, Diagnostics& diagnostics, Json* resolved_root)
    : value_(&value),
      pointer_(std::move(pointer)),
      diag_(&diagnostics),
      resolved_root_(resolved_root) {
  if (!value.is_object()) {
    diag_->add(pointer_, "must be an object, got " + describe(value));
    value_ = &empty_object();
    is_object_ = false;
  }
}

std::string Node::pointer_of(const std::string& key) const {
  return pointer_ + "/" + escape_pointer_token(key);
}

bool Node::has(const std::string& key) const { return value_->contains(key); }

const Json* Node::find(const std::string& key) {
  read_.insert(key);
  known_.insert(key);
  auto it = value_->find(key);
  return it == value_->end() ? nullptr : &*it;
}

void Node::record(const std::string& key, Json value) {
  if (resolved_root_ == nullptr) return;
  (*resolved_root_)[Json::json_pointer(pointer_of(key))] = std::move(value);
}

void Node::error(const std::string& key, const std::string& message) const {
  diag_->add(pointer_of(key), message);
}

void Node::missing(const std::string& key) {
  read_.insert(key);
  known_.insert(key);
  error(key, "required key is missing");
}

bool Node::check_number(const std::string& key, const Json& v, Range range, double& out) {
  if (!v.is_number()) {
    error(key, "must be a number, got " + describe(v));
    return false;
  }
  out = v.get<double>();
  const std::string why = range.violation(out);
  if (!why.empty()) {
    error(key, why + ", got " + v.dump());
    return false;
  }
  return true;
}

void Node::get(const std::string& key, double& out, Range range) {
  if (const Json* v = find(key)) {
    double d = 0;
    if (check_number(key, *v, range, d)) out = d;
  }
  record(key, out);
}

void Node::get(const std::string& key, float& out, Range range) {
  double d = out;
  get(key, d, range);
  out = static_cast<float>(d);
}

namespace {
template <class Int>
void get_integer(Node& node, const Json* v, const std::string& key, Int& out, Range range) {
  if (v == nullptr) return;
  if (!v->is_number_integer() &&
      !(v->is_number_float() && std::floor(v->get<double>()) == v->get<double>() &&
        std::abs(v->get<double>()) < 9.0e15)) {
    node.error(key, "must be an integer, got " + describe(*v));
    return;
  }
  if (v->is_number_unsigned() && v->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
    node.error(key, "must be at most 9.2e18, got " + v->dump());
    return;
  }
  const double d = v->get<double>();
  const std::string why = range.violation(d);
  if (!why.empty()) {
    node.error(key, why + ", got " + v->dump());
    return;
  }
  if (d < static_cast<double>(std::numeric_limits<Int>::min()) ||
      d > static_cast<double>(std::numeric_limits<Int>::max())) {
    node.error(key, "is out of the representable range, got " + v->dump());
    return;
  }
  out = v->is_number_integer() ? static_cast<Int>(v->get<std::int64_t>()) : static_cast<Int>(d);
}
}  // namespace

void Node::get(const std::string& key, int& out, Range range) {
  get_integer(*this, find(key), key, out, range);
  record(key, out);
}
void Node::get(const std::string& key, std::int64_t& out, Range range) {
  get_integer(*this, find(key), key, out, range);
  record(key, out);
}
void Node::get(const std::string& key, std::uint64_t& out, Range range) {
  if (!range.lo) range.lo = 0.0;
  get_integer(*this, find(key), key, out, range);
  record(key, out);
}

void Node::get(const std::string& key, bool& out) {
  if (const Json* v = find(key)) {
    if (v->is_boolean())
      out = v->get<bool>();
    else
      error(key, "must be true or false, got " + describe(*v));
  }
  record(key, out);
}

void Node::get(const std::string& key, std::string& out) {
  if (const Json* v = find(key)) {
    if (v->is_string())
      out = v->get<std::string>();
    else
      error(key, "must be a string, got " + describe(*v));
  }
  record(key, out);
}

void Node::get(const std::string& key, std::vector<double>& out, Range range) {
  if (const Json* v = find(key)) {
    if (!v->is_array()) {
      error(key, "must be an array of numbers, got " + describe(*v));
    } else {
      std::vector<double> values;
      bool good = true;
      for (std::size_t i = 0; i < v->size(); ++i) {
        const Json& e = (*v)[i];
        const std::string p = pointer_of(key) + "/" + std::to_string(i);
        if (!e.is_number()) {
          diag_->add(p, "must be a number, got " + describe(e));
          good = false;
          continue;
        }
        const double d = e.get<double>();
        const std::string why = range.violation(d);
        if (!why.empty()) {
          diag_->add(p, why + ", got " + e.dump());
          good = false;
        }
        values.push_back(d);
      }
      if (good) out = std::move(values);
    }
  }
  record(key, out);
}

void Node::get(const std::string& key, std::vector<std::string>& out) {
  if (const Json* v = find(key)) {
    bool good = v->is_array();
    if (good)
      for (const auto& e : *v) good = good && e.is_string();
    if (good)
      out = v->get<std::vector<std::string>>();
    else
      error(key, "must be an array of strings, got " + describe(*v));
  }
  record(key, out);
}

void Node::get_choice(const std::string& key, std::string& out,
                      const std::vector<std::string>& allowed) {
  if (const Json* v = find(key)) {
    if (!v->is_string()) {
      error(key, "must be a string, got " + describe(*v));
    } else {
      const auto s = v->get<std::string>();
      if (std::find(allowed.begin(), allowed.end(), s) != allowed.end()) {
        out = s;
      } else {
        std::string list;
        for (const auto& a : allowed) list += (list.empty() ? "\"" : ", \"") + a + "\"";
        std::string msg = "must be one of " + list + ", got \"" + s + "\"";
        if (auto best = suggest(s, std::set<std::string>(allowed.begin(), allowed.end())))
          msg += " (did you mean \"" + *best + "\"?)";
        error(key, msg);
      }
    }
  }
  record(key, out);
}

Node Node::child(const std::string& key) {
  const Json* v = find(key);
  if (resolved_root_ != nullptr)
    (*resolved_root_)[Json::json_pointer(pointer_of(key))] = Json::object();
  return Node(v ? *v : empty_object(), pointer_of(key), *diag_, resolved_root_);
}

std::vector<Node> Node::children(const std::string& key) {
  std::vector<Node> out;
  const Json* v = find(key);
  if (v == nullptr) return out;
  if (!v->is_array()) {
    error(key, "must be an array of objects, got " + describe(*v));
    return out;
  }
  if (resolved_root_ != nullptr)
    (*resolved_root_)[Json::json_pointer(pointer_of(key))] = Json::array();
  for (std::size_t i = 0; i < v->size(); ++i) {
    const std::string p = pointer_of(key) + "/" + std::to_string(i);
    if (resolved_root_ != nullptr) (*resolved_root_)[Json::json_pointer(p)] = Json::object();
    out.emplace_back((*v)[i], p, *diag_, resolved_root_);
  }
  return out;
}

void Node::accept(const std::string& key) {
  read_.insert(key);
  known_.insert(key);
  if (auto it = value_->find(key); it != value_->end()) record(key, *it);
}

void Node::known(const std::vector<std::string>& names) {
  known_.insert(names.begin(), names.end());
}

void Node::finish() {
  if (!is_object_) return;
  for (auto it = value_->begin(); it != value_->end(); ++it) {
    if (read_.count(it.key()) != 0) continue;
    std::string msg = "unknown key";
    if (auto best = suggest(it.key(), known_)) msg += " (did you mean \"" + *best + "\"?)";
    diag_->add(pointer_of(it.key()), msg);
  }
}

Json parse_json_text(const std::string& text, const std::string& source_name) {
  try {
    return Json::parse(text, nullptr, true, /*ignore_comments=*/true);
  } catch (const Json::parse_error& e) {
    // Recompute line and column from the byte offset for a stable message.
    std::size_t line = 1, column = 1;
    const std::size_t end = std::min<std::size_t>(e.byte == 0 ? 0 : e.byte - 1, text.size());
    for (std::size_t i = 0; i < end; ++i) {
      if (text[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    std::string what = e.what();
    const auto pos = what.find("syntax error");
    const std::string detail = pos == std::string::npos ? what : what.substr(pos);
    throw ConfigError("", source_name + ": malformed JSON at line " + std::to_string(line) +
                              ", column " + std::to_string(column) + ": " + detail);
  } catch (const Json::exception& e) {
    // e.g. out_of_range 406 for a number like 1e999 that does not fit a double
    std::string what = e.what();
    const auto pos = what.find("] ");
    throw ConfigError("", source_name + ": invalid JSON: " +
                              (pos == std::string::npos ? what : what.substr(pos + 2)));
  }
}

Json load_json_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(path + ": cannot open file for reading");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return parse_json_text(buffer.str(), path);
}

void apply_override(Json& config, const std::string& assignment) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0 || assignment[0] != '/') {
    throw ConfigError("", "--set \"" + assignment + "\": expected /json/pointer=value");
  }
  const std::string pointer = assignment.substr(0, eq);
  const std::string text = assignment.substr(eq + 1);
  Json value;
  try {
    value = Json::parse(text);
  } catch (const Json::parse_error&) {
    if (!is_valid_utf8(text))
      throw ConfigError("", "--set \"" + printable(assignment) + "\": not valid UTF-8 text");
    value = text;  // a bare word is a string
  } catch (const Json::exception& e) {
    throw ConfigError(pointer, std::string("--set value is not a valid JSON value: ") + e.what());
  }
  try {
    config[Json::json_pointer(pointer)] = std::move(value);
  } catch (const Json::exception& e) {
    throw ConfigError(pointer, std::string("--set cannot assign here: ") + e.what());
  }
}

}  // namespace xbarmc::config
