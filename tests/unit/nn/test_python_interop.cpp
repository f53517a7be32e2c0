#include <gtest/gtest.h>

#include <cstdlib>

#include "xbarmc/data/dataset.h"
#include "xbarmc/nn/network_io.h"
#include "xbarmc/util/hdf5.h"

using namespace xbarmc;

// Run by tests/scripts/network_python.sh, which writes the files with h5py + numpy
// (scripts/make_network.py) and sets the variables; skipped when run without them.
TEST(PythonInterop, LogitsMatchNumpy) {
  const char* net_path = std::getenv("XBARMC_PY_NETWORK");
  const char* in_path = std::getenv("XBARMC_PY_INPUTS");
  const char* ref_path = std::getenv("XBARMC_PY_LOGITS");
  if (!net_path || !in_path || !ref_path)
    GTEST_SKIP() << "run through tests/scripts/network_python.sh";
  const nn::Network net = nn::load_network(net_path);
  data::DatasetParams p;
  p.format = "hdf5";
  p.path = in_path;
  const data::Dataset d = data::load_dataset(p);
  std::vector<hsize_t> shape;
  const auto ref = h5::File::open(ref_path).root().read<double>("logits", &shape);
  ASSERT_EQ(shape, (std::vector<hsize_t>{d.count, net.num_classes()}));
  nn::ForwardScratch s;
  nn::MatrixRM logits;
  net.forward(d.inputs, logits, s);
  // numpy computes in float64; xbarmc sums at most 36 float32 products per output and layer
  // over 4 weight layers: relative error ~ 4 * 36 * 6e-8 < 1e-5 of the logit scale; allow 1e-4.
  const double scale = std::max(
      1.0, Eigen::Map<const Eigen::VectorXd>(ref.data(), static_cast<Eigen::Index>(ref.size()))
               .cwiseAbs()
               .maxCoeff());
  for (std::size_t i = 0; i < ref.size(); ++i)
    EXPECT_NEAR(logits.data()[i], ref[i], 1e-4 * scale) << "flat index " << i;
}
