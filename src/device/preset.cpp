// Device presets: resolution of {"preset": NAME} / {"preset_file": PATH}, RFC 7386 merge
// of the user's keys on top, and recording of the merged values in the resolved config.
#include <algorithm>
#include <cstdlib>
#include <set>
#include <string>

#include "xbarmc/device/params.h"
#include "xbarmc/util/error.h"
#include "xbarmc/util/paths.h"

namespace xbarmc::device {

namespace {

namespace fs = std::filesystem;

bool valid_name(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

// Writes every value of `resolved` (the merged object as parsed) into the real resolved
// configuration through `node`: a key the user gave reads back the user's value (equal to
// the merged one), an absent key records the preset's value.
void replay(config::Node& node, const config::Json& resolved) {
  for (auto it = resolved.begin(); it != resolved.end(); ++it) {
    const std::string& key = it.key();
    const config::Json& v = it.value();
    if (v.is_object()) {
      config::Node c = node.child(key);
      replay(c, v);
    } else if (v.is_boolean()) {
      bool b = v.get<bool>();
      node.get(key, b);
    } else if (v.is_string()) {
      std::string s = v.get<std::string>();
      node.get(key, s);
    } else if (v.is_number_integer()) {
      std::int64_t i = v.get<std::int64_t>();
      node.get(key, i);
    } else if (v.is_number()) {
      double d = v.get<double>();
      node.get(key, d);
    } else if (v.is_array() &&
               std::all_of(v.begin(), v.end(), [](const auto& e) { return e.is_number(); })) {
      std::vector<double> a = v.get<std::vector<double>>();
      node.get(key, a);
    } else {
      node.accept(key);  // arrays of objects: only the user's own value can be recorded
    }
  }
}

}  // namespace

std::vector<fs::path> preset_dirs(const fs::path& config_dir) {
  std::vector<fs::path> dirs;
  if (!config_dir.empty()) {
    dirs.push_back(config_dir);
    dirs.push_back(config_dir / "devices");
  }
  const fs::path exe = util::executable_dir();
  if (!exe.empty()) {
    dirs.push_back(exe.parent_path() / "share" / "xbarmc" / "devices");  // PREFIX/bin/xbarmc
    dirs.push_back(exe / "share" / "xbarmc" / "devices");                // BUILD/xbarmc
  }
  if (const char* data = std::getenv("XBARMC_DATA_DIR"); data != nullptr && *data != '\0')
    dirs.push_back(fs::path(data) / "devices");
  return dirs;
}

std::vector<std::string> preset_names(const fs::path& config_dir) {
  std::set<std::string> names;
  for (const fs::path& dir : preset_dirs(config_dir)) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
      if (e.path().extension() == ".json" && valid_name(e.path().stem().string()))
        names.insert(e.path().stem().string());
  }
  return {names.begin(), names.end()};
}

fs::path find_preset(const std::string& name, const fs::path& config_dir) {
  if (!valid_name(name)) return {};
  for (const fs::path& dir : preset_dirs(config_dir)) {
    const fs::path p = dir / (name + ".json");
    if (fs::is_regular_file(p)) return p;
  }
  return {};
}

config::Json expand_preset(const config::Json& device, const std::string& pointer,
                           const fs::path& config_dir) {
  if (!device.is_object() || (!device.contains("preset") && !device.contains("preset_file")))
    return device;
  if (device.contains("preset") && device.contains("preset_file"))
    throw ConfigError(pointer + "/preset_file",
                      "give either \"preset\" or \"preset_file\", not both");
  fs::path path;
  if (device.contains("preset")) {
    const config::Json& n = device["preset"];
    if (!n.is_string())
      throw ConfigError(pointer + "/preset", "must be a string, got " + config::describe(n));
    const std::string name = n.get<std::string>();
    path = find_preset(name, config_dir);
    if (path.empty()) {
      const auto names = preset_names(config_dir);
      std::string msg = "unknown device preset \"" + name + "\"";
      if (auto best = config::suggest(name, std::set<std::string>(names.begin(), names.end())))
        msg += " (did you mean \"" + *best + "\"?)";
      std::string list;
      for (const auto& s : names) list += (list.empty() ? "" : ", ") + s;
      std::string searched;
      for (const fs::path& d : preset_dirs(config_dir))
        searched += (searched.empty() ? "" : ", ") + d.string();
      msg += "; searched " + searched + "; available: " + (list.empty() ? "none" : list);
      throw ConfigError(pointer + "/preset", msg);
    }
  } else {
    const config::Json& f = device["preset_file"];
    if (!f.is_string())
      throw ConfigError(pointer + "/preset_file", "must be a string, got " + config::describe(f));
    path = f.get<std::string>();
    if (path.is_relative() && !config_dir.empty()) path = config_dir / path;
    if (!fs::is_regular_file(path))
      throw ConfigError(pointer + "/preset_file", "no such preset file: " + path.string());
  }
  config::Json merged = config::load_json_file(path.string());
  if (!merged.is_object())
    throw ConfigError(pointer + "/preset", path.string() + ": a preset must be a JSON object");
  if (merged.contains("preset") || merged.contains("preset_file"))
    throw ConfigError(pointer + "/preset",
                      path.string() + ": presets cannot refer to other presets");
  config::Json patch = device;
  patch.erase("preset_file");
  merged.merge_patch(patch);
  merged["preset_file"] = fs::absolute(path).lexically_normal().string();
  return merged;
}

void parse_device(config::Node& node, DeviceParams& p, const fs::path& config_dir) {
  const config::Json& raw = node.raw();
  if (!raw.contains("preset") && !raw.contains("preset_file")) {
    parse_device_stages(node, p, std::vector<std::filesystem::path>{config_dir});
    if (p.name.empty()) p.name = "custom";
    return;
  }
  config::Json merged;
  try {
    merged = expand_preset(raw, node.pointer(), config_dir);
  } catch (const ConfigError& e) {
    for (const auto& issue : e.issues()) node.diagnostics().add(issue.pointer, issue.message);
    for (auto it = raw.begin(); it != raw.end(); ++it) node.accept(it.key());
    return;
  } catch (const IoError& e) {
    node.error(raw.contains("preset") ? "preset" : "preset_file", e.what());
    for (auto it = raw.begin(); it != raw.end(); ++it) node.accept(it.key());
    return;
  }
  p.resolved_from = merged["preset_file"].get<std::string>();
  // Parse the merged object at the same pointer (errors land at /device/...), then
  // record its resolved values through the real node.
  const auto before = node.diagnostics().issues().size();
  config::Json resolved = config::Json::object();
  config::Node merged_node(merged, node.pointer(), node.diagnostics(), &resolved);
  node.known({"preset", "preset_file"});
  merged_node.accept("preset");
  merged_node.accept("preset_file");
  parse_device_stages(merged_node, p,
                      std::vector<fs::path>{config_dir, fs::path(p.resolved_from).parent_path()});
  if (p.name.empty()) p.name = raw.contains("preset") ? raw["preset"].get<std::string>() : "custom";
  if (node.diagnostics().issues().size() != before) return;
  config::Json tree =
      resolved.at(config::Json::json_pointer(node.pointer().empty() ? "" : node.pointer()));
  replay(node, tree);
}

}  // namespace xbarmc::device
