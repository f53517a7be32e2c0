// ONNX import: batch norm and MatMul bias folding, the native round trip with provenance, and
// SHA-256 against the FIPS 180-4 example vectors.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "unit/nn/nn_test_util.h"
#include "xbarmc/nn/network_io.h"
#include "xbarmc/nn/onnx_import.h"
#include "xbarmc/util/error.h"

using namespace xbarmc;
using namespace xbarmc::nn;

namespace {
// Conv -> BatchNormalization -> Relu -> Add(relu, bn) -> Flatten -> MatMul -> Add(bias), written
// by onnx.helper (the fuzz seed).
const std::string SEED = std::string(XBARMC_SOURCE_DIR) + "/fuzz/corpus/onnx/small_residual.onnx";
}  // namespace

TEST(OnnxImport, FoldsBatchNormIntoConvAndBiasIntoMatMul) {
  const OnnxImport r = import_onnx(SEED, {});
  const Graph& g = r.graph;
  std::vector<GraphOp> ops;
  for (const auto& n : g.nodes()) ops.push_back(n.op);
  EXPECT_EQ(ops, (std::vector<GraphOp>{GraphOp::Conv, GraphOp::Relu, GraphOp::Add, GraphOp::Flatten,
                                       GraphOp::Dense}));
  EXPECT_EQ(r.network.num_weight_layers(), 2u);
  EXPECT_EQ(r.network.num_classes(), 3u);
  EXPECT_EQ(r.network.input_shape(), (std::vector<std::size_t>{1, 4, 4}));
  EXPECT_EQ(r.opset, 13);
  // The Dense bias is the folded Add constant, not zero.
  EXPECT_GT(r.network.bias(1).norm(), 0.0f);
}

TEST(OnnxImport, NativeRoundTripKeepsLogitsAndProvenance) {
  const OnnxImport r = import_onnx(SEED, {});
  const auto path = std::filesystem::temp_directory_path() / "xbarmc_onnx_import_rt.h5";
  save_network(r.network, path.string(), nullptr);
  const Network back = load_network(path.string());
  std::ifstream in(SEED, std::ios::binary);
  std::ostringstream os;
  os << in.rdbuf();
  EXPECT_EQ(back.provenance().at("source_sha256"), sha256_hex(os.str()));
  EXPECT_EQ(back.provenance().at("source_file"), "small_residual.onnx");
  const MatrixRM x = testing_util::random_matrix(4, 16, 5);
  ForwardScratch s1, s2;
  MatrixRM a, b, c;
  r.network.forward(x, a, s1);
  back.forward(x, b, s2);
  EXPECT_EQ(a, b);
  // network.path may name the .onnx file itself.
  load_network(SEED).forward(x, c, s1);
  EXPECT_EQ(a, c);
  std::filesystem::remove(path);
}

TEST(OnnxImport, ChecksDatasetShapeAndClasses) {
  OnnxImportOptions o;
  o.sample_dims = {16};  // same number of features: accepted
  EXPECT_NO_THROW(import_onnx(SEED, o));
  o.sample_dims = {1, 5, 5};
  EXPECT_THROW(import_onnx(SEED, o), InputError);
  o.sample_dims = {};
  o.num_classes = 10;
  try {
    import_onnx(SEED, o);
    FAIL() << "no error for 3 logits vs 10 classes";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("outputs 3 logits but the dataset has 10 classes"),
              std::string::npos)
        << e.what();
  }
}

TEST(Sha256, Fips180ExampleVectors) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}
