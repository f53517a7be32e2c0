#include <gtest/gtest.h>

#include "nn_test_util.h"
#include "xbarmc/nn/network_io.h"
#include "xbarmc/util/error.h"
#include "xbarmc/util/hdf5.h"

using namespace xbarmc;
using namespace xbarmc::nn;
using namespace xbarmc::nn::testing_util;

namespace {
std::string saved_cnn(const std::string& name) {
  const std::string path = (temp_dir("xbarmc_io_") / name).string();
  save_network(small_cnn(), path, nullptr);
  return path;
}

template <class F>
std::string io_error(const std::string& path, F&& edit) {
  {
    auto f = h5::File::open(path, h5::File::Mode::ReadWrite);
    auto root = f.root();
    edit(root);
  }
  try {
    load_network(path);
  } catch (const IoError& e) {
    return e.what();
  }
  return "no IoError";
}
}  // namespace

TEST(NetworkIo, RoundTripGivesIdenticalWeightsAndLogits) {
  const Network net = small_cnn();
  const std::string path = (temp_dir("xbarmc_io_") / "net.h5").string();
  TrainingMetadata meta;
  meta.config_json = R"({"a":1})";
  meta.seed = 5;
  meta.epochs = 2;
  meta.optimizer = "adam";
  meta.test_accuracy = 0.75;
  meta.loss = {1.0, 0.5};
  meta.train_accuracy = {0.5, 0.6};
  meta.test_accuracy_history = {0.7, 0.75};
  meta.epoch_time_s = {1, 1};
  save_network(net, path, &meta);
  const Network back = load_network(path);
  EXPECT_EQ(back.name(), "small_cnn");
  EXPECT_EQ(back.input_shape(), net.input_shape());
  ASSERT_EQ(back.num_weight_layers(), net.num_weight_layers());
  for (std::size_t i = 0; i < net.num_weight_layers(); ++i) {
    EXPECT_EQ(back.weight_matrix(i), net.weight_matrix(i));
    EXPECT_EQ(back.bias(i), net.bias(i));
  }
  EXPECT_EQ(back.describe(), net.describe());
  const MatrixRM x = random_matrix(4, 243, 3);
  ForwardScratch s;
  MatrixRM a, b;
  net.forward(x, a, s);
  back.forward(x, b, s);
  EXPECT_EQ(a, b);
  const auto m = load_training_metadata(path);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->seed, 5u);
  EXPECT_EQ(m->test_accuracy, 0.75);
  EXPECT_EQ(m->loss, meta.loss);
  EXPECT_EQ(h5::File::open(path).root().read_attr<double>("test_accuracy"), 0.75);
}

TEST(NetworkIo, RejectsBadFilesWithTheObjectNamed) {
  auto msg = io_error(saved_cnn("v.h5"), [](h5::Group& r) {
    r.write_attr("format_version", std::vector<std::int64_t>{3, 0});
  });
  EXPECT_NE(msg.find("format_version 3.0"), std::string::npos) << msg;
  msg =
      io_error(saved_cnn("t.h5"), [](h5::Group& r) { r.write_attr("filetype", "xbarmc-results"); });
  EXPECT_NE(msg.find("not an xbarmc network"), std::string::npos) << msg;
  msg = io_error(saved_cnn("u.h5"),
                 [](h5::Group& r) { r.open_group("layers/1").write_attr("type", "gelu"); });
  EXPECT_NE(msg.find("/layers/1@type: unknown layer type \"gelu\""), std::string::npos) << msg;
  msg = io_error(saved_cnn("n.h5"), [](h5::Group& r) {
    auto g = r.open_group("layers/6");
    auto w = g.read<float>("weight");
    w[3] = std::numeric_limits<float>::infinity();
    g.write("weight", w, {5, 20});
  });
  EXPECT_NE(msg.find("/layers/6/weight: non-finite"), std::string::npos) << msg;
  msg = io_error(saved_cnn("s.h5"), [](h5::Group& r) {
    r.open_group("layers/8").write("bias", std::vector<float>(5, 0.0f));
  });
  EXPECT_NE(msg.find("/layers/8/bias: shape [5], expected [6]"), std::string::npos) << msg;
  msg = io_error(saved_cnn("c.h5"), [](h5::Group& r) {
    r.open_group("layers/3").write("weight", std::vector<float>(5 * 3 * 9, 0.0f), {5, 3, 3, 3});
  });
  EXPECT_NE(msg.find("/layers/3/weight: shape [5, 3, 3, 3], expected [5, 4, 3, 3]"),
            std::string::npos)
      << msg;
  msg = io_error(saved_cnn("k.h5"),
                 [](h5::Group& r) { r.write_attr("num_classes", std::int64_t{7}); });
  EXPECT_NE(msg.find("num_classes"), std::string::npos) << msg;
  EXPECT_THROW(load_network((temp_dir("xbarmc_io_") / "missing.h5").string()), IoError);
}
