#pragma once
//! \file data/idx.h
//! Reader for IDX files (the MNIST / Fashion-MNIST container; format described by
//! LeCun et al., http://yann.lecun.com/exdb/mnist/ "FILE FORMATS"), gzip-compressed or plain.

#include <cstdint>
#include <string>
#include <vector>

namespace xbarmc::data {

//! Contents of one IDX file of unsigned bytes (element type 0x08).
struct IdxArray {
  std::vector<std::size_t> shape;    //!< dimensions, outermost first (e.g. {10000, 28, 28})
  std::vector<std::uint8_t> values;  //!< row-major elements, product(shape) of them
};

//! Reads an IDX file; gzip is detected from the content, so `.gz` and plain files both work.
//! Throws IoError naming `path` when the file is missing, is not IDX (magic), has an element
//! type other than unsigned byte, is truncated, corrupt (gzip CRC) or longer than its header says.
IdxArray read_idx(const std::string& path);

}  // namespace xbarmc::data
