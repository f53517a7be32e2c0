// xbarmc import MODEL.onnx -o NET.h5: an ONNX model to the native network file (format 2.0).
#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <memory>

#include "xbarmc/cli/commands.h"
#include "xbarmc/data/dataset.h"
#include "xbarmc/nn/network_io.h"
#include "xbarmc/nn/onnx_import.h"
#include "xbarmc/util/hdf5.h"

namespace xbarmc::cli {

namespace {
struct ImportOptions {
  std::string model;
  std::string output;
  std::vector<std::size_t> sample_shape;
  std::size_t classes = 0;
  std::string check_data;
  std::string logits_out;
  bool quiet = false;
};

void run_import(const ImportOptions& o) {
  nn::OnnxImportOptions opt;
  opt.sample_dims = o.sample_shape;
  if (o.classes > 0) opt.num_classes = o.classes;
  nn::OnnxImport r = nn::import_onnx(o.model, opt);
  if (!o.quiet) std::cerr << r.network.describe();
  nn::save_network(r.network, o.output, nullptr);
  if (!o.check_data.empty()) {
    // Software (float32 reference) forward of the saved network on an HDF5 dataset, as
    // stored (no normalisation): accuracy and, on request, the logits (round-trip tests).
    data::DatasetParams p;
    p.format = "hdf5";
    p.path = o.check_data;
    p.normalization = "none";
    const data::Dataset d = data::load_dataset(p);
    const nn::Network net = nn::load_network(o.output);
    nn::ForwardScratch scratch;
    nn::MatrixRM logits;
    net.forward(d.inputs, logits, scratch);
    std::vector<std::int32_t> pred;
    nn::argmax_rows(logits, pred);
    std::size_t correct = 0;
    for (std::size_t i = 0; i < pred.size(); ++i) correct += pred[i] == d.labels[i] ? 1 : 0;
    std::cout << "software accuracy " << correct << "/" << pred.size() << "\n";
    if (!o.logits_out.empty()) {
      h5::File f = h5::File::create(o.logits_out);
      f.root().write("logits", logits.data(),
                     {static_cast<hsize_t>(logits.rows()), static_cast<hsize_t>(logits.cols())});
      f.close();
    }
  }
  std::cout << "wrote " << o.output << " (" << r.network.num_weight_layers() << " weight layers, "
            << r.network.num_parameters() << " parameters; from " << r.producer << ", opset "
            << r.opset << ", sha256 " << r.sha256 << ")\n";
}
}  // namespace

void add_import_command(CLI::App& app) {
  auto* sub = app.add_subcommand(
      "import", "Convert an ONNX model (a classifier) to an xbarmc network file (docs/import.md)");
  auto opts = std::make_shared<ImportOptions>();
  sub->add_option("model", opts->model, "ONNX model file (.onnx)")->required();
  sub->add_option("-o,--output", opts->output, "Network file to write (HDF5)")->required();
  sub->add_option("--sample-shape", opts->sample_shape,
                  "Expected sample shape of the dataset, e.g. 1 28 28 (checked against the "
                  "model's input)");
  sub->add_option("--classes", opts->classes, "Expected number of classes (checked)");
  sub->add_option("--check", opts->check_data,
                  "HDF5 dataset (/inputs, /labels; used as stored) to run the imported network "
                  "on: prints the software accuracy");
  sub->add_option("--logits", opts->logits_out,
                  "With --check: write the software logits to this HDF5 file (/logits)");
  sub->add_flag("--quiet", opts->quiet, "Do not print the imported graph on stderr");
  sub->callback([opts] { run_import(*opts); });
}

}  // namespace xbarmc::cli
