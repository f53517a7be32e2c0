#pragma once
//! \file config/node.h
//! Typed, validated reading of a JSON configuration.
//!
//! A Node is a view of one JSON object at a JSON pointer. Parsers read each key
//! into a field of a parameter struct whose member initialisers are the
//! defaults; the Node validates type and range, records every problem with its
//! pointer (parsing goes on, so a file reports all its errors at once), and
//! writes the value actually used into the resolved configuration. After a
//! parser has read an object, `finish()` reports every key it did not read as
//! unknown, with a did-you-mean suggestion.

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "xbarmc/util/error.h"

namespace xbarmc::config {

using Json = nlohmann::ordered_json;

//! Inclusive/exclusive numeric bounds for a value.
struct Range {
  std::optional<double> lo;  //!< lower bound
  std::optional<double> hi;  //!< upper bound
  bool lo_open = false;      //!< lower bound exclusive (value > lo)
  bool hi_open = false;      //!< upper bound exclusive (value < hi)

  static Range any() { return {}; }
  static Range at_least(double v) { return {v, std::nullopt, false, false}; }
  static Range positive() { return {0.0, std::nullopt, true, false}; }
  static Range between(double a, double b) { return {a, b, false, false}; }
  static Range unit() { return between(0.0, 1.0); }  //!< [0, 1]
  //! Empty when `v` satisfies the range, otherwise the constraint text ("must be >= 1").
  [[nodiscard]] std::string violation(double v) const;
};

//! Collects every issue of one configuration.
class Diagnostics {
 public:
  void add(std::string pointer, std::string message);
  [[nodiscard]] bool ok() const { return issues_.empty(); }
  [[nodiscard]] const std::vector<ConfigIssue>& issues() const { return issues_; }
  //! Throws ConfigError with every issue if there is any.
  void throw_if_any() const;

 private:
  std::vector<ConfigIssue> issues_;
};

//! A validated view of one JSON object.
class Node {
 public:
  //! `value` must outlive the node; `resolved_root` (the root of the resolved
  //! document, may be null) receives the values used, at the same pointers.
  Node(const Json& value, std::string pointer, Diagnostics& diagnostics, Json* resolved_root);

  [[nodiscard]] const std::string& pointer() const { return pointer_; }
  [[nodiscard]] std::string pointer_of(const std::string& key) const;
  [[nodiscard]] bool has(const std::string& key) const;
  [[nodiscard]] Diagnostics& diagnostics() const { return *diag_; }
  //! The raw JSON object (for special-purpose parsers).
  [[nodiscard]] const Json& raw() const { return *value_; }

  //! Optional number: keeps `out` (the default) when absent.
  void get(const std::string& key, double& out, Range range = Range::any());
  void get(const std::string& key, float& out, Range range = Range::any());
  void get(const std::string& key, int& out, Range range = Range::any());
  void get(const std::string& key, std::int64_t& out, Range range = Range::any());
  void get(const std::string& key, std::uint64_t& out, Range range = Range::any());
  void get(const std::string& key, bool& out);
  void get(const std::string& key, std::string& out);
  void get(const std::string& key, std::vector<double>& out, Range range = Range::any());
  void get(const std::string& key, std::vector<std::string>& out);

  //! Required variants: a missing key is an error.
  template <class T, class... Args>
  void require(const std::string& key, T& out, Args&&... args) {
    if (!has(key)) {
      missing(key);
      return;
    }
    get(key, out, std::forward<Args>(args)...);
  }

  //! String restricted to a set of names mapped to enum values.
  template <class E>
  void choice(const std::string& key, E& out, const std::vector<std::pair<std::string, E>>& names) {
    std::string current;
    for (const auto& [name, value] : names)
      if (value == out) current = name;
    std::vector<std::string> allowed;
    for (const auto& n : names) allowed.push_back(n.first);
    get_choice(key, current, allowed);
    for (const auto& [name, value] : names)
      if (name == current) out = value;
  }

  //! Child object (empty when absent, so defaults apply). Records it in the resolved config.
  Node child(const std::string& key);
  //! Elements of an array of objects (empty when absent).
  std::vector<Node> children(const std::string& key);
  //! Marks a key as known although this parser does not read it (handled elsewhere).
  void accept(const std::string& key);
  //! Adds names offered as suggestions for unknown keys.
  void known(const std::vector<std::string>& names);
  //! Reports unknown keys. Call once the object is fully read.
  void finish();

  //! Records an error at this object's key.
  void error(const std::string& key, const std::string& message) const;

 private:
  const Json* find(const std::string& key);
  bool check_number(const std::string& key, const Json& v, Range range, double& out);
  void get_choice(const std::string& key, std::string& out,
                  const std::vector<std::string>& allowed);
  void missing(const std::string& key);
  void record(const std::string& key, Json value);

  const Json* value_;
  std::string pointer_;
  Diagnostics* diag_;
  Json* resolved_root_;
  std::set<std::string> read_;
  std::set<std::string> known_;
  bool is_object_ = true;
};

//! Escapes a key for use in a JSON pointer (RFC 6901: ~ -> ~0, / -> ~1).
std::string escape_pointer_token(const std::string& key);

//! The closest candidate to `word` by edit distance, if close enough to suggest.
std::optional<std::string> suggest(const std::string& word,
                                   const std::set<std::string>& candidates);

//! Short text of a JSON value's type and value for messages ("string \"abc\"").
std::string describe(const Json& v);

//! Parses JSON text; malformed input throws ConfigError naming line and column.
Json parse_json_text(const std::string& text, const std::string& source_name);
//! Reads and parses a JSON file (IoError when unreadable).
Json load_json_file(const std::string& path);

//! Applies `--set /pointer=value` overrides. The value is parsed as JSON when
//! it is valid JSON, otherwise taken as a string. Creates missing keys (which
//! later validation reports if unknown).
void apply_override(Json& config, const std::string& assignment);

}  // namespace xbarmc::config
