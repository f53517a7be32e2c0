#pragma once
//! \file nn/graph_io.h
//! Graph networks in the native HDF5 network file (format 2.0, docs/network-format.md): one
//! group /nodes/<k> per node. Used by nn/network_io.h; not called directly.

#include <cstdint>
#include <string>

#include "xbarmc/nn/network.h"
#include "xbarmc/util/hdf5.h"

namespace xbarmc::nn {

//! Format major version of files holding a graph network (sequential networks stay 1.0).
inline constexpr std::int64_t GRAPH_FORMAT_MAJOR = 2;

//! Writes the nodes of graph network `net` under `root` (/nodes/<k>).
void write_graph_nodes(h5::Group& root, const Network& net);
//! Reads /nodes of a format-2 file for input dims `input_dims`; IoError naming the object.
Network read_graph_network(const h5::Group& root, const std::string& name,
                           const std::vector<std::size_t>& input_dims);

}  // namespace xbarmc::nn
