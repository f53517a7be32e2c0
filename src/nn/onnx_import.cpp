// ONNX model files to graph networks: reading the protobuf (Debian's libonnx-dev classes),
// tensors and external data, graph inputs and outputs. The operators are in onnx_ops.cpp.
#include "xbarmc/nn/onnx_import.h"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "onnx_importer.h"
#include "xbarmc/util/error.h"

namespace xbarmc::nn {

namespace {
std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(path + ": cannot open the file");
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}
}  // namespace

namespace onnx_detail {

std::string node_where(const onnx::NodeProto& n, std::int64_t opset) {
  return "ONNX node \"" + n.name() + "\" (op " + n.op_type() + ", opset " + std::to_string(opset) +
         ")";
}

Const tensor_to_const(const onnx::TensorProto& t, const std::string& where,
                      const std::string& dir) {
  Const c;
  c.dims.assign(t.dims().begin(), t.dims().end());
  double n = 1;
  for (auto d : c.dims) {
    if (d < 0) throw IoError(where + ": negative tensor dimension");
    n *= static_cast<double>(d);
  }
  if (n > 1073741824.0) throw IoError(where + ": tensor of more than 2^30 elements");
  const auto count = static_cast<std::size_t>(n);
  std::string raw;
  bool has_raw = t.has_raw_data();
  if (t.data_location() == onnx::TensorProto::EXTERNAL) {
    std::string location;
    std::int64_t offset = 0, length = -1;
    for (const auto& kv : t.external_data()) {
      try {
        if (kv.key() == "location") location = kv.value();
        if (kv.key() == "offset") offset = std::stoll(kv.value());
        if (kv.key() == "length") length = std::stoll(kv.value());
      } catch (const std::exception&) {
        throw IoError(where + ": external data " + kv.key() + " \"" + kv.value() +
                      "\" is not a number");
      }
    }
    if (location.empty() || dir.empty())
      throw IoError(where + ": external data without a location or model folder");
    const std::string file = (std::filesystem::path(dir) / location).string();
    std::ifstream in(file, std::ios::binary);
    if (!in) throw IoError(where + ": external data file " + file + " is missing");
    std::error_code ec;
    const auto file_size = std::filesystem::file_size(file, ec);
    if (ec || offset < 0 || static_cast<std::uintmax_t>(offset) > file_size)
      throw IoError(where + ": external data offset is outside " + file);
    in.seekg(offset);
    const std::size_t elem =
        t.data_type() == onnx::TensorProto::DOUBLE || t.data_type() == onnx::TensorProto::INT64 ? 8
                                                                                                : 4;
    const std::size_t want = length >= 0 ? static_cast<std::size_t>(length) : count * elem;
    if (want > file_size - static_cast<std::uintmax_t>(offset))
      throw IoError(where + ": external data file " + file + " is shorter than the tensor");
    raw.resize(want);
    in.read(raw.data(), static_cast<std::streamsize>(want));
    if (static_cast<std::size_t>(in.gcount()) != want)
      throw IoError(where + ": external data file " + file + " is shorter than the tensor");
    has_raw = true;
  } else if (has_raw) {
    raw = t.raw_data();
  }
  auto from_raw = [&](auto tag) {
    using T = decltype(tag);
    if (raw.size() != count * sizeof(T))
      throw IoError(where + ": raw data holds " + std::to_string(raw.size()) + " bytes, expected " +
                    std::to_string(count * sizeof(T)));
    c.v.resize(count);
    for (std::size_t i = 0; i < count; ++i) {
      T x;
      std::memcpy(&x, raw.data() + i * sizeof(T), sizeof(T));
      c.v[i] = static_cast<double>(x);
    }
  };
  auto from_field = [&](const auto& field) {
    if (static_cast<std::size_t>(field.size()) != count)
      throw IoError(where + ": holds " + std::to_string(field.size()) + " values, expected " +
                    std::to_string(count));
    c.v.resize(count);
    for (std::size_t i = 0; i < count; ++i)
      c.v[i] = static_cast<double>(field[static_cast<int>(i)]);
  };
  switch (t.data_type()) {
    case onnx::TensorProto::FLOAT:
      has_raw ? from_raw(float{}) : from_field(t.float_data());
      break;
    case onnx::TensorProto::DOUBLE:
      has_raw ? from_raw(double{}) : from_field(t.double_data());
      break;
    case onnx::TensorProto::INT64:
      c.is_int = true;
      has_raw ? from_raw(std::int64_t{}) : from_field(t.int64_data());
      break;
    case onnx::TensorProto::INT32:
      c.is_int = true;
      has_raw ? from_raw(std::int32_t{}) : from_field(t.int32_data());
      break;
    default:
      throw InputError(where + ": tensor data type " + std::to_string(t.data_type()) +
                       " is not supported (float, double, int64, int32)");
  }
  return c;
}

}  // namespace onnx_detail

bool is_onnx_file(const std::string& path) {
  if (path.size() >= 5 && path.compare(path.size() - 5, 5, ".onnx") == 0) return true;
  std::ifstream in(path, std::ios::binary);
  char head[8] = {};
  in.read(head, 8);
  if (in.gcount() < 8) return false;
  // HDF5 files start with "\x89HDF\r\n\x1a\n"; an ONNX ModelProto starts with field 1
  // (ir_version, varint: byte 0x08).
  return head[0] == 0x08 && std::string(head + 1, 3) != "HDF";
}

OnnxModelInfo onnx_model_info(const std::string& path) {
  onnx::ModelProto model;
  if (!model.ParseFromString(read_file(path)) || !model.has_graph())
    throw IoError(path + ": not an ONNX model");
  OnnxModelInfo info;
  for (const auto& n : model.graph().node()) info.op_types.push_back(n.op_type());
  std::set<std::string> init;
  for (const auto& t : model.graph().initializer()) init.insert(t.name());
  for (const auto& i : model.graph().input())
    if (!init.count(i.name())) info.inputs.push_back(i.name());
  for (const auto& op : model.opset_import())
    if (op.domain().empty() || op.domain() == "ai.onnx") info.opset = op.version();
  return info;
}

OnnxTensor read_onnx_tensor(const std::string& path) {
  const std::string bytes = read_file(path);
  onnx::TensorProto t;
  if (!t.ParseFromString(bytes)) throw IoError(path + ": not a serialized ONNX TensorProto");
  const auto c = onnx_detail::tensor_to_const(t, path, "");
  OnnxTensor out;
  out.dims = c.dims;
  out.data.assign(c.v.begin(), c.v.end());
  return out;
}

OnnxImport import_onnx(const std::string& path, const OnnxImportOptions& options) {
  const std::string bytes = read_file(path);
  const auto dir = std::filesystem::path(path).parent_path().string();
  return import_onnx_bytes(bytes, path, dir.empty() ? "." : dir, options);
}

OnnxImport import_onnx_bytes(const std::string& bytes, const std::string& where,
                             const std::string& dir, const OnnxImportOptions& options) {
  onnx::ModelProto model;
  if (bytes.empty() || !model.ParseFromString(bytes))
    throw IoError(where +
                  ": not an ONNX model (the protobuf does not parse: truncated or "
                  "another kind of file)");
  if (!model.has_graph() || model.ir_version() <= 0)
    throw IoError(where + ": not an ONNX model (no ir_version or graph)");
  OnnxImport r = onnx_detail::Importer(model, where, dir, options).run();
  r.sha256 = sha256_hex(bytes);
  r.producer = model.producer_name() + " " + model.producer_version();
  if (options.build_network) {
    r.network.set_provenance("source_file", std::filesystem::path(where).filename().string());
    r.network.set_provenance("source_sha256", r.sha256);
    r.network.set_provenance("source_producer", r.producer);
  }
  return r;
}

}  // namespace xbarmc::nn
