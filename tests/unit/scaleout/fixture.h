#pragma once
// A tiny study on a random MLP (as in tests/unit/engine) for the dist tests.
#include <cstring>

#include <gtest/gtest.h>

#include "common/random_mlp.h"
#include "xbarmc/runner/runner.h"
#include "xbarmc/study/study.h"
#include "xbarmc/util/rng.h"

namespace xbarmc::test {

struct Fixture {
  nn::Network net;
  data::Dataset data;
};

//! A random MLP 16-12-10 and inputs labelled by the network itself (software accuracy 1).
inline Fixture make_fixture(std::size_t samples = 120) {
  RandomStream s(99, StreamId{});
  nn::Network net = random_mlp(s, "dist_mlp", 16, 12, 10);
  data::Dataset data = self_labelled(s, net, samples);
  return Fixture{std::move(net), std::move(data)};
}

//! Two sweep points, 10 instances, 2 cycles, 2 times.
inline config::Json base_config() {
  return config::Json::parse(R"({
    "name": "dist_test", "seed": 11,
    "network": {"path": "unused.h5"},
    "dataset": {"format": "hdf5", "path": "unused.h5"},
    "mapping": {"tile_rows": 8, "tile_cols": 8, "g_min_uS": 1, "g_max_uS": 50},
    "device": {"g_min_uS": 1, "g_max_uS": 50,
               "programming": {"d2d": {"enabled": true, "form": "relative", "sigma_rel": 0.1},
                               "c2c": {"enabled": true, "form": "absolute", "sigma_uS": 1.0}},
               "read_noise": {"enabled": true, "form": "relative", "sigma_rel": 0.02}},
    "monte_carlo": {"instances": 10, "cycles": 2, "times_s": [1, 3600], "batch_size": 64, "probe_size": 16},
    "statistics": {"thresholds": [0.8]},
    "sweep": {"axes": [{"pointer": "/device/programming/d2d/sigma_rel", "values": [0.1, 0.3]}]},
    "output": {"path": "unused_out.h5"}
  })");
}

inline void expect_bit_identical(const study::StudyResults& a, const study::StudyResults& b) {
  ASSERT_EQ(a.points.size(), b.points.size());
  for (std::size_t p = 0; p < a.points.size(); ++p) {
    ASSERT_EQ(a.points[p].accuracy.size(), b.points[p].accuracy.size());
    EXPECT_EQ(0, std::memcmp(a.points[p].accuracy.data(), b.points[p].accuracy.data(),
                             a.points[p].accuracy.size() * sizeof(float)));
    EXPECT_EQ(0, std::memcmp(a.points[p].layer_error.data(), b.points[p].layer_error.data(),
                             a.points[p].layer_error.size() * sizeof(float)));
    EXPECT_EQ(a.points[p].status, b.points[p].status);
  }
}

}  // namespace xbarmc::test
