#pragma once
//! \file nn/onnx_import.h
//! ONNX models (protobuf, read through Debian's libonnx-dev classes) to graph networks. The
//! operator table, the mapping of batch norm and biases, and what runs analog: docs/import.md.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "xbarmc/nn/network.h"

namespace xbarmc::nn {

//! A dense float tensor (ONNX TensorProto contents, row-major).
struct OnnxTensor {
  std::vector<std::int64_t> dims;  //!< shape, batch first where there is one
  std::vector<float> data;         //!< values
};

//! How to import a model.
struct OnnxImportOptions {
  //! Expected per-sample input dims (the dataset's sample shape); the model input must have
  //! as many features. Empty: the model's declared input shape is used as is.
  std::vector<std::size_t> sample_dims;
  std::optional<std::size_t> num_classes;  //!< expected logits; checked when set
  //! Graph inputs bound to constants (e.g. ONNX node tests' weights given as inputs).
  std::map<std::string, OnnxTensor> constant_inputs;
  //! False: only the Graph is built, with any number of inputs and any output shape (tests);
  //! true: a Network (one input, a class vector out).
  bool build_network = true;
};

//! The result of an import.
struct OnnxImport {
  Graph graph;                              //!< the graph (also inside `network`)
  Network network;                          //!< set when build_network
  std::vector<std::string> runtime_inputs;  //!< names of the graph's inputs, in value order
  std::string producer;                     //!< producer_name and producer_version
  std::string sha256;                       //!< SHA-256 of the model file, hex
  std::int64_t opset = 0;                   //!< default-domain opset
};

//! What a model holds, without importing it (op types in node order, graph input names
//! without initializers, default-domain opset).
struct OnnxModelInfo {
  std::vector<std::string> op_types;  //!< op_type of every node
  std::vector<std::string> inputs;    //!< graph inputs that are not initializers
  std::int64_t opset = 0;             //!< default-domain opset
};
//! Reads `path` for OnnxModelInfo; IoError when it is not an ONNX model.
OnnxModelInfo onnx_model_info(const std::string& path);

//! True when `path` ends in ".onnx" or starts like an ONNX protobuf (not HDF5).
bool is_onnx_file(const std::string& path);
//! Imports an ONNX file. IoError for an unreadable, truncated or non-ONNX file or missing
//! external data; InputError naming node, op type and opset for an unsupported operator or
//! attribute, and for input/output shapes that do not match the options.
OnnxImport import_onnx(const std::string& path, const OnnxImportOptions& options);
//! Imports a model held in memory (`dir` resolves external data; empty: none allowed).
OnnxImport import_onnx_bytes(const std::string& bytes, const std::string& where,
                             const std::string& dir, const OnnxImportOptions& options);
//! Reads a serialized TensorProto file (ONNX test data input_*.pb / output_*.pb) as float.
OnnxTensor read_onnx_tensor(const std::string& path);
//! SHA-256 of `bytes` as 64 lowercase hex digits (FIPS 180-4).
std::string sha256_hex(const std::string& bytes);

}  // namespace xbarmc::nn
