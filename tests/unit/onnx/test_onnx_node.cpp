// ONNX's own backend node tests (Debian libonnx-testdata) through xbarmc's graph forward pass:
// every case whose operators are all supported is imported; the cases in
// tests/data/onnx_node_cases.txt must import and match the expected output (ONNX backend tolerance,
// rtol 1e-3, atol 1e-7); no imported case may disagree. Counts per operator are printed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>

#include "xbarmc/nn/onnx_import.h"
#include "xbarmc/util/error.h"

namespace fs = std::filesystem;
using namespace xbarmc;
using namespace xbarmc::nn;

namespace {
const char* NODE_DIR = "/usr/share/libonnx-testdata/data/node";

const std::set<std::string> SUPPORTED = {"Conv",        "Gemm",
                                         "MatMul",      "BatchNormalization",
                                         "Add",         "Concat",
                                         "Relu",        "Clip",
                                         "LeakyRelu",   "Sigmoid",
                                         "Tanh",        "MaxPool",
                                         "AveragePool", "GlobalAveragePool",
                                         "Flatten",     "Reshape",
                                         "Pad",         "Identity",
                                         "Dropout",     "Softmax",
                                         "LogSoftmax",  "Constant",
                                         "Shape",       "Gather",
                                         "Unsqueeze",   "Cast"};

struct Outcome {
  bool imported = false;
  bool matched = false;
  std::string why;  // reason when not imported or not matched
  double max_rel = 0;
};

Outcome run_case(const fs::path& dir, const OnnxModelInfo& info) {
  Outcome o;
  const fs::path data = dir / "test_data_set_0";
  std::vector<OnnxTensor> ins;
  for (std::size_t i = 0; i < info.inputs.size(); ++i)
    ins.push_back(read_onnx_tensor((data / ("input_" + std::to_string(i) + ".pb")).string()));
  const OnnxTensor expected = read_onnx_tensor((data / "output_0.pb").string());
  // Input 0 carries the batch; the others are constants (weights), except the data operands
  // of Add and Concat with the same batch.
  const bool data_op =
      info.op_types.size() == 1 && (info.op_types[0] == "Add" || info.op_types[0] == "Concat");
  OnnxImportOptions opt;
  opt.build_network = false;
  std::vector<std::size_t> runtime = {0};
  for (std::size_t i = 1; i < ins.size(); ++i) {
    if (data_op && ins[i].dims.size() == ins[0].dims.size() && !ins[0].dims.empty() &&
        ins[i].dims[0] == ins[0].dims[0])
      runtime.push_back(i);
    else
      opt.constant_inputs[info.inputs[i]] = ins[i];
  }
  OnnxImport imp;
  try {
    imp = import_onnx((dir / "model.onnx").string(), opt);
  } catch (const Error& e) {
    o.why = e.what();
    return o;
  }
  o.imported = true;
  const auto batch = static_cast<Eigen::Index>(ins[0].dims.at(0));
  std::vector<MatrixRM> mats;
  for (auto i : runtime) {
    const auto f = static_cast<Eigen::Index>(ins[i].data.size()) / batch;
    mats.emplace_back(Eigen::Map<const MatrixRM>(ins[i].data.data(), batch, f));
  }
  std::vector<const MatrixRM*> ptrs;
  for (const auto& m : mats) ptrs.push_back(&m);
  GraphScratch s;
  const Graph& g = imp.graph;
  const MatrixRM& out = g.forward_with(ptrs, s, [&](std::size_t w, const MatrixRM& x, MatrixRM& y) {
    y.noalias() = x * g.nodes()[g.weight_nodes()[w]].weight;
  });
  MatrixRM logical;
  storage_to_logical(out, g.dims(g.output_value()), logical);
  std::vector<std::int64_t> got = {batch};
  for (auto d : g.dims(g.output_value())) got.push_back(static_cast<std::int64_t>(d));
  auto squeeze = [](std::vector<std::int64_t> d) {
    std::erase(d, 1);
    return d;
  };
  if (squeeze(got) != squeeze(expected.dims) ||
      static_cast<std::size_t>(logical.size()) != expected.data.size()) {
    o.why = "output shape differs";
    return o;
  }
  o.matched = true;
  for (std::size_t i = 0; i < expected.data.size(); ++i) {
    const double e = expected.data[i], a = logical.data()[i];
    const double err = std::abs(a - e);
    o.max_rel = std::max(o.max_rel, err / std::max(std::abs(e), 1e-30));
    if (!(err <= 1e-7 + 1e-3 * std::abs(e))) {
      o.matched = false;
      o.why = "value " + std::to_string(i) + ": " + std::to_string(a) + " vs " + std::to_string(e);
      break;
    }
  }
  return o;
}
}  // namespace

TEST(OnnxNodeTests, SupportedOperatorsMatchOnnxReference) {
  if (!fs::is_directory(NODE_DIR))
    GTEST_SKIP() << NODE_DIR << " is missing: install libonnx-testdata (scripts/setup)";
  std::set<std::string> expected_pass;
  {
    std::ifstream in(std::string(XBARMC_TEST_DATA_DIR) + "/onnx_node_cases.txt");
    for (std::string line; std::getline(in, line);)
      if (!line.empty() && line[0] != '#') expected_pass.insert(line);
  }
  std::map<std::string, std::pair<int, int>> per_op;  // op -> (passed, out of scope)
  std::vector<std::string> dirs;
  for (const auto& e : fs::directory_iterator(NODE_DIR)) dirs.push_back(e.path().string());
  std::sort(dirs.begin(), dirs.end());
  std::set<std::string> passed;
  for (const auto& d : dirs) {
    OnnxModelInfo info;
    try {
      info = onnx_model_info(d + "/model.onnx");
    } catch (const Error&) {
      continue;
    }
    if (info.op_types.empty() ||
        !std::all_of(info.op_types.begin(), info.op_types.end(),
                     [](const std::string& op) { return SUPPORTED.count(op) > 0; }))
      continue;
    const std::string name = fs::path(d).filename().string();
    std::string op = info.op_types.back();
    for (const auto& t : info.op_types)
      if (t != "Constant") op = t;
    Outcome o;
    try {
      o = run_case(d, info);
    } catch (const Error& e) {
      o.why = e.what();
    }
    if (o.imported) {
      EXPECT_TRUE(o.matched) << name << ": " << o.why;
    }
    if (o.matched) {
      passed.insert(name);
      if (std::getenv("XBARMC_ONNX_LIST_PASSED")) std::cout << "passed: " << name << "\n";
      ++per_op[op].first;
    } else {
      ++per_op[op].second;
      std::cout << "out of scope: " << name << ": " << o.why.substr(0, 200) << "\n";
    }
  }
  std::cout << "ONNX node tests passed per operator (passed / not imported):\n";
  for (const auto& [op, c] : per_op)
    std::cout << "  " << op << ": " << c.first << " / " << c.second << "\n";
  for (const auto& name : expected_pass)
    EXPECT_TRUE(passed.count(name)) << name << " is listed as passing but did not pass";
  EXPECT_FALSE(expected_pass.empty()) << "tests/data/onnx_node_cases.txt is missing or empty";
}
