// Graph networks: equivalence with the sequential forward pass, the analog hook contract,
// grouped (depthwise) convolution against a direct loop, and the native format 2.0 round trip.
#include <gtest/gtest.h>

#include <filesystem>

#include "unit/nn/nn_test_util.h"
#include "xbarmc/nn/graph.h"
#include "xbarmc/nn/network_io.h"
#include "xbarmc/util/hdf5.h"

using namespace xbarmc;
using namespace xbarmc::nn;
using namespace xbarmc::nn::testing_util;

namespace {
GraphNode conv_node(const Conv2D& c, std::size_t input) {
  GraphNode g;
  g.op = GraphOp::Conv;
  g.inputs = {input};
  g.win.kh = c.kernel_h;
  g.win.kw = c.kernel_w;
  g.win.sh = g.win.sw = c.stride;
  g.win.pad_t = g.win.pad_l = g.win.pad_b = g.win.pad_r = c.padding;
  g.out_channels = c.out_channels;
  g.weight = c.weight;
  g.bias = c.bias;
  return g;
}
GraphNode simple(GraphOp op, std::vector<std::size_t> in) {
  GraphNode g;
  g.op = op;
  g.inputs = std::move(in);
  return g;
}

// The same layers as small_cnn() (nn_test_util.h) as a graph.
Network small_cnn_graph(const Network& seq) {
  const auto& L = seq.layers();
  std::vector<GraphNode> nodes;
  nodes.push_back(conv_node(std::get<Conv2D>(L[0]), 0));
  nodes.push_back(simple(GraphOp::Relu, {1}));
  GraphNode mp = simple(GraphOp::MaxPool, {2});
  mp.win.kh = mp.win.kw = mp.win.sh = mp.win.sw = 2;
  nodes.push_back(mp);
  nodes.push_back(conv_node(std::get<Conv2D>(L[3]), 3));
  GraphNode ap = simple(GraphOp::AvgPool, {4});
  ap.win.kh = ap.win.kw = 2;
  nodes.push_back(ap);
  nodes.push_back(simple(GraphOp::Flatten, {5}));
  for (std::size_t k = 6; k < L.size(); ++k) {
    if (const auto* d = std::get_if<Dense>(&L[k])) {
      GraphNode g = simple(GraphOp::Dense, {k});
      g.weight = d->weight;
      g.bias = d->bias;
      nodes.push_back(g);
    } else {
      nodes.push_back(simple(GraphOp::Relu, {k}));
    }
  }
  return Network("g", Graph({seq.input_shape()}, std::move(nodes)));
}
}  // namespace

TEST(GraphNetwork, SequentialNetworkAsGraphGivesIdenticalLogitsAndHookCalls) {
  const Network seq = small_cnn();
  const Network g = small_cnn_graph(seq);
  ASSERT_EQ(g.num_weight_layers(), seq.num_weight_layers());
  for (std::size_t i = 0; i < seq.num_weight_layers(); ++i) {
    EXPECT_EQ(g.weight_matrix(i), seq.weight_matrix(i));
    EXPECT_EQ(g.weight_positions(i), seq.weight_positions(i));
  }
  const MatrixRM x = random_matrix(5, static_cast<Eigen::Index>(seq.input_features()), 7);
  ForwardScratch s1, s2;
  MatrixRM a, b;
  seq.forward(x, a, s1);
  std::vector<std::size_t> calls;
  g.forward_with(x, b, s2, [&](std::size_t w, const MatrixRM& in, MatrixRM& y) {
    calls.push_back(w);
    EXPECT_EQ(in.cols(), g.weight_matrix(w).rows());
    y.noalias() = in * g.weight_matrix(w);
  });
  EXPECT_EQ(calls, (std::vector<std::size_t>{0, 1, 2, 3}));
  ASSERT_EQ(a.rows(), b.rows());
  ASSERT_EQ(a.cols(), b.cols());
  for (Eigen::Index i = 0; i < a.size(); ++i) EXPECT_FLOAT_EQ(a.data()[i], b.data()[i]);
}

TEST(GraphNetwork, DepthwiseConvWithAsymmetricPadsAndDilationMatchesDirectLoop) {
  const std::size_t C = 3, H = 6, W = 5, M = 6, G = 3, K = 3;
  const MatrixRM wr = random_matrix(static_cast<Eigen::Index>(M * (C / G) * K * K), 1, 3);
  const std::vector<float> w(wr.data(), wr.data() + wr.size());
  GraphNode g;
  g.op = GraphOp::Conv;
  g.inputs = {0};
  g.win = {K, K, 2, 1, 1, 0, 2, 1, 2, 1, false, false};
  g.group = G;
  g.out_channels = M;
  g.weight = conv_matrix_from_oihw(w, M, C, G, K, K);
  g.bias = Eigen::VectorXf::Zero(M);
  EXPECT_EQ(conv_matrix_to_oihw(g.weight, C, G, K, K), w);
  const Graph graph({{C, H, W}}, {g});
  const auto& od = graph.dims(1);
  const MatrixRM x = random_matrix(2, static_cast<Eigen::Index>(C * H * W), 4);
  GraphScratch s;
  const MatrixRM& y =
      graph.forward_with({&x}, s, [&](std::size_t, const MatrixRM& in, MatrixRM& o) {
        o.noalias() = in * graph.nodes()[0].weight;
      });
  MatrixRM yl;
  storage_to_logical(y, od, yl);
  for (Eigen::Index b = 0; b < 2; ++b)
    for (std::size_t f = 0; f < M; ++f)
      for (std::size_t oy = 0; oy < od[1]; ++oy)
        for (std::size_t ox = 0; ox < od[2]; ++ox) {
          double acc = 0;
          const std::size_t cg = C / G, c0 = f / (M / G) * cg;
          for (std::size_t c = 0; c < cg; ++c)
            for (std::size_t ky = 0; ky < K; ++ky)
              for (std::size_t kx = 0; kx < K; ++kx) {
                const auto iy = static_cast<long>(oy * 2 + ky * 2) - 1;
                const auto ix = static_cast<long>(ox * 1 + kx * 1) - 0;
                if (iy < 0 || iy >= long(H) || ix < 0 || ix >= long(W)) continue;
                acc += double(w[((f * cg + c) * K + ky) * K + kx]) *
                       x(b, static_cast<Eigen::Index>(((c0 + c) * H + std::size_t(iy)) * W +
                                                      std::size_t(ix)));
              }
          EXPECT_NEAR(yl(b, static_cast<Eigen::Index>((f * od[1] + oy) * od[2] + ox)), acc, 1e-5);
        }
}

TEST(GraphNetwork, NativeFormatRoundTripIsVersion2AndSequentialStays1) {
  const Network seq = small_cnn();
  const Network g = small_cnn_graph(seq);
  const auto dir = std::filesystem::temp_directory_path() / "xbarmc_graph_io";
  std::filesystem::create_directories(dir);
  const std::string gp = (dir / "g.h5").string(), sp = (dir / "s.h5").string();
  save_network(g, gp, nullptr);
  save_network(seq, sp, nullptr);
  auto version = [](const std::string& p) {
    const h5::File f = h5::File::open(p);
    return f.root().read_attr_vector<std::int64_t>("format_version");
  };
  EXPECT_EQ(version(gp), (std::vector<std::int64_t>{2, 0}));
  EXPECT_EQ(version(sp), (std::vector<std::int64_t>{1, 0}));
  const Network back = load_network(gp);
  ASSERT_TRUE(back.is_graph());
  const MatrixRM x = random_matrix(3, static_cast<Eigen::Index>(seq.input_features()), 9);
  ForwardScratch s1, s2;
  MatrixRM a, b;
  g.forward(x, a, s1);
  back.forward(x, b, s2);
  EXPECT_EQ(a, b);
  EXPECT_FALSE(load_network(sp).is_graph());
  std::filesystem::remove_all(dir);
}

TEST(GraphNetwork, ConcatAlongChannelsAndHeightInLogicalOrder) {
  // [2,3,2] + [1,3,2] along channels and [2,3,2] + [2,1,2] along height, checked against
  // concatenating the logical (C,H,W) arrays directly.
  for (std::size_t axis : {0u, 1u}) {
    const std::vector<std::size_t> da = {2, 3, 2};
    std::vector<std::size_t> db = da;
    db[axis] = 1;
    GraphNode g;
    g.op = GraphOp::Concat;
    g.inputs = {0, 1};
    g.axis = axis;
    const Graph graph({da, db}, {g});
    const std::size_t fb = db[0] * db[1] * db[2];
    const MatrixRM a = random_matrix(2, 12, 11),
                   b = random_matrix(2, static_cast<Eigen::Index>(fb), 12);
    GraphScratch s;
    const MatrixRM& y = graph.forward_with({&a, &b}, s, nullptr);
    MatrixRM yl;
    storage_to_logical(y, graph.dims(2), yl);
    const std::size_t outer = axis == 0 ? 1 : 2, ba = 12 / outer, bb = fb / outer;
    for (Eigen::Index r = 0; r < 2; ++r) {
      std::vector<float> want;
      for (std::size_t o = 0; o < outer; ++o) {
        for (std::size_t i = 0; i < ba; ++i)
          want.push_back(a(r, static_cast<Eigen::Index>(o * ba + i)));
        for (std::size_t i = 0; i < bb; ++i)
          want.push_back(b(r, static_cast<Eigen::Index>(o * bb + i)));
      }
      for (std::size_t i = 0; i < want.size(); ++i)
        EXPECT_EQ(yl(r, static_cast<Eigen::Index>(i)), want[i]) << "axis " << axis << " at " << i;
    }
  }
}
