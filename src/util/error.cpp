#include "xbarmc/util/error.h"

#include <utility>

namespace xbarmc {
namespace {
std::string join_issues(const std::vector<ConfigIssue>& issues) {
  std::string text;
  for (const auto& issue : issues) {
    if (!text.empty()) text += '\n';
    text += (issue.pointer.empty() ? std::string("/") : issue.pointer) + ": " + issue.message;
  }
  return text;
}
}  // namespace

ConfigError::ConfigError(std::vector<ConfigIssue> issues)
    : Error(join_issues(issues)), issues_(std::move(issues)) {}

ConfigError::ConfigError(std::string pointer, std::string message)
    : ConfigError(std::vector<ConfigIssue>{{std::move(pointer), std::move(message)}}) {}

}  // namespace xbarmc
