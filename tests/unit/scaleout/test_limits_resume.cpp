// A run stopped by the non-finite limits may be resumed with other limits: they do not change
// what a work item holds, so the resume check ignores them (and nothing else of /monte_carlo).
#include <gtest/gtest.h>

#include "xbarmc/scaleout/checkpoint.h"

using namespace xbarmc;

TEST(ResumeLimits, ConfigDifferenceIgnoresOnlyTheNonFiniteLimits) {
  const config::Json a = config::Json::parse(R"({"monte_carlo": {"instances": 8,
    "max_nonfinite": 100, "max_nonfinite_fraction": 0.1}, "output": {"path": "a.h5"}})");
  config::Json b = a;
  b["monte_carlo"]["max_nonfinite"] = 1000;
  b["monte_carlo"]["max_nonfinite_fraction"] = 1.0;
  b["output"]["path"] = "b.h5";
  EXPECT_EQ(scaleout::config_difference(a.dump(), b.dump()), "");
  b["monte_carlo"]["instances"] = 9;
  EXPECT_EQ(scaleout::config_difference(a.dump(), b.dump()), "/monte_carlo/instances");
}
