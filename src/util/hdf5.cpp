#include "xbarmc/util/hdf5.h"

#include <hdf5_hl.h>

#include <cstdio>
#include <cstring>
#include <numeric>

#include "xbarmc/util/error.h"

namespace xbarmc::h5 {

namespace {

//! Silences HDF5's own error printing; errors are reported as IoError instead.
struct QuietHdf5 {
  QuietHdf5() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }
};
const QuietHdf5 quiet_hdf5;

template <class T>
hid_t mem_type();
template <>
hid_t mem_type<float>() {
  return H5T_NATIVE_FLOAT;
}
template <>
hid_t mem_type<double>() {
  return H5T_NATIVE_DOUBLE;
}
template <>
hid_t mem_type<std::int32_t>() {
  return H5T_NATIVE_INT32;
}
template <>
hid_t mem_type<std::int64_t>() {
  return H5T_NATIVE_INT64;
}
template <>
hid_t mem_type<std::uint8_t>() {
  return H5T_NATIVE_UINT8;
}
template <>
hid_t mem_type<std::uint64_t>() {
  return H5T_NATIVE_UINT64;
}

template <class T>
constexpr H5T_class_t type_class() {
  if constexpr (std::is_floating_point_v<T>)
    return H5T_FLOAT;
  else
    return H5T_INTEGER;
}

Handle string_type() {
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, H5T_VARIABLE);
  H5Tset_cset(t, H5T_CSET_UTF8);
  return Handle(t, H5Tclose);
}

Handle dataspace(const std::vector<hsize_t>& shape) {
  if (shape.empty()) return Handle(H5Screate(H5S_SCALAR), H5Sclose);
  return Handle(H5Screate_simple(static_cast<int>(shape.size()), shape.data(), nullptr), H5Sclose);
}

hsize_t element_count(const std::vector<hsize_t>& shape) {
  return std::accumulate(shape.begin(), shape.end(), hsize_t{1}, std::multiplies<>());
}

std::vector<hsize_t> space_shape(hid_t space) {
  const int rank = H5Sget_simple_extent_ndims(space);
  std::vector<hsize_t> dims(rank > 0 ? rank : 0);
  if (rank > 0) H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  return dims;
}

//! The operating system's error text recorded on the current HDF5 error stack by the file
//! driver (sec2: "... errno = 28, error message = 'No space left on device' ..."), or "".
std::string system_error_on_stack() {
  std::string text;
  H5Ewalk2(
      H5E_DEFAULT, H5E_WALK_UPWARD,
      [](unsigned, const H5E_error2_t* e, void* out) -> herr_t {
        const std::string desc = e->desc != nullptr ? e->desc : "";
        const std::string key = "error message = '";
        const auto at = desc.find(key);
        if (at == std::string::npos) return 0;
        const auto end = desc.find('\'', at + key.size());
        *static_cast<std::string*>(out) = desc.substr(at + key.size(), end - at - key.size());
        return 1;  // the innermost one is enough
      },
      &text);
  return text;
}

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  const std::string os_error = system_error_on_stack();
  throw IoError(where + ": " + what + (os_error.empty() ? "" : " (" + os_error + ")"));
}

}  // namespace

Handle& Handle::operator=(Handle&& o) noexcept {
  if (this != &o) {
    reset();
    id_ = o.id_;
    closer_ = o.closer_;
    o.id_ = H5I_INVALID_HID;
  }
  return *this;
}

void Handle::reset() {
  if (id_ >= 0 && closer_ != nullptr) closer_(id_);
  id_ = H5I_INVALID_HID;
}

// ---------------------------------------------------------------- File
File File::create(const std::string& path) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // per thread in a thread-safe libhdf5
  hid_t id = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (id < 0) fail(path, "cannot create HDF5 file (check the folder exists and is writable)");
  return File(Handle(id, H5Fclose), path);
}

File File::open(const std::string& path, Mode mode) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  if (!is_hdf5(path)) {
    if (FILE* f = std::fopen(path.c_str(), "rb")) {
      std::fclose(f);
      fail(path, "not an HDF5 file (or truncated)");
    }
    fail(path, "cannot open file (missing or unreadable)");
  }
  hid_t id =
      H5Fopen(path.c_str(), mode == Mode::ReadOnly ? H5F_ACC_RDONLY : H5F_ACC_RDWR, H5P_DEFAULT);
  if (id < 0)
    fail(path, mode == Mode::ReadOnly ? "cannot open HDF5 file (truncated or corrupt)"
                                      : "cannot open HDF5 file for writing");
  return File(Handle(id, H5Fclose), path);
}

Group File::root() const {
  hid_t id = H5Gopen2(h_.id(), "/", H5P_DEFAULT);
  if (id < 0) fail(path_, "cannot open root group");
  return Group(Handle(id, H5Gclose), path_, "/");
}

void File::flush() {
  if (h_.valid() && H5Fflush(h_.id(), H5F_SCOPE_GLOBAL) < 0)
    fail(path_, "flush failed (disk full?)");
}

void File::close() {
  if (!h_.valid()) return;
  if (H5Fclose(h_.release()) < 0) fail(path_, "close failed (disk full or I/O error)");
}

bool is_hdf5(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return false;
  std::fclose(f);
  return H5Fis_hdf5(path.c_str()) > 0;
}

// ---------------------------------------------------------------- Group
std::string Group::where(const std::string& name) const {
  return file_ + ":" + (path_ == "/" ? "/" + name : path_ + "/" + name);
}

bool Group::exists(const std::string& name) const {
  // Check every intermediate link so a missing parent is not an error.
  std::string partial;
  std::size_t start = 0;
  while (start <= name.size()) {
    const auto slash = name.find('/', start);
    partial = name.substr(0, slash);
    if (H5Lexists(h_.id(), partial.c_str(), H5P_DEFAULT) <= 0) return false;
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return true;
}

bool Group::has_attr(const std::string& name) const { return H5Aexists(h_.id(), name.c_str()) > 0; }

Group Group::create_group(const std::string& name) {
  Handle lcpl(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
  H5Pset_create_intermediate_group(lcpl.id(), 1);
  hid_t id = H5Gcreate2(h_.id(), name.c_str(), lcpl.id(), H5P_DEFAULT, H5P_DEFAULT);
  if (id < 0) fail(where(name), "cannot create group (already exists?)");
  return Group(Handle(id, H5Gclose), file_, path_ == "/" ? "/" + name : path_ + "/" + name);
}

Group Group::open_group(const std::string& name) const {
  if (!exists(name)) fail(where(name), "missing group");
  hid_t id = H5Gopen2(h_.id(), name.c_str(), H5P_DEFAULT);
  if (id < 0) fail(where(name), "is not a group");
  return Group(Handle(id, H5Gclose), file_, path_ == "/" ? "/" + name : path_ + "/" + name);
}

Group Group::require_group(const std::string& name) {
  return exists(name) ? open_group(name) : create_group(name);
}

std::vector<std::string> Group::children() const {
  std::vector<std::string> names;
  H5G_info_t info;
  if (H5Gget_info(h_.id(), &info) < 0) fail(file_ + ":" + path_, "cannot list group");
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    const ssize_t len =
        H5Lget_name_by_idx(h_.id(), ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
    if (len < 0)
      fail(file_ + ":" + path_,
           "cannot read the name of link " + std::to_string(i) + " (corrupt file)");
    std::string name(static_cast<std::size_t>(len), '\0');
    H5Lget_name_by_idx(h_.id(), ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), len + 1,
                       H5P_DEFAULT);
    names.push_back(name);
  }
  return names;
}

// ---- attributes
namespace {
Handle create_attr(hid_t obj, const std::string& name, hid_t type, hid_t space,
                   const std::string& where) {
  if (H5Aexists(obj, name.c_str()) > 0) H5Adelete(obj, name.c_str());
  hid_t id = H5Acreate2(obj, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT);
  if (id < 0) fail(where, "cannot create attribute");
  return Handle(id, H5Aclose);
}

Handle open_attr(hid_t obj, const std::string& name, const std::string& where) {
  if (H5Aexists(obj, name.c_str()) <= 0) fail(where, "missing attribute");
  return Handle(H5Aopen(obj, name.c_str(), H5P_DEFAULT), H5Aclose);
}
}  // namespace

template <class T>
void Group::write_attr(const std::string& name, const T& value) {
  Handle space = dataspace({});
  Handle a = create_attr(h_.id(), name, mem_type<T>(), space.id(), where("@" + name));
  if (H5Awrite(a.id(), mem_type<T>(), &value) < 0)
    fail(where("@" + name), "cannot write attribute");
}

template <class T>
void Group::write_attr(const std::string& name, const std::vector<T>& values) {
  Handle space = dataspace({static_cast<hsize_t>(values.size())});
  Handle a = create_attr(h_.id(), name, mem_type<T>(), space.id(), where("@" + name));
  if (H5Awrite(a.id(), mem_type<T>(), values.data()) < 0)
    fail(where("@" + name), "cannot write attribute");
}

void Group::write_attr(const std::string& name, const std::string& value) {
  Handle type = string_type();
  Handle space = dataspace({});
  Handle a = create_attr(h_.id(), name, type.id(), space.id(), where("@" + name));
  const char* p = value.c_str();
  if (H5Awrite(a.id(), type.id(), &p) < 0) fail(where("@" + name), "cannot write attribute");
}

template <class T>
T Group::read_attr(const std::string& name) const {
  const std::string w = where("@" + name);
  Handle a = open_attr(h_.id(), name, w);
  Handle type(H5Aget_type(a.id()), H5Tclose);
  Handle space(H5Aget_space(a.id()), H5Sclose);
  if constexpr (std::is_same_v<T, std::string>) {
    if (H5Tget_class(type.id()) != H5T_STRING) fail(w, "expected a string attribute");
    // One string only: H5Aread writes every element, so an array would overflow `p` or `s`.
    if (H5Sget_simple_extent_npoints(space.id()) != 1) fail(w, "expected a single string");
    if (H5Tis_variable_str(type.id()) > 0) {
      Handle mt = string_type();
      char* p = nullptr;
      if (H5Aread(a.id(), mt.id(), &p) < 0) fail(w, "cannot read attribute");
      std::string s = p ? p : "";
      H5free_memory(p);
      return s;
    }
    // A corrupt file can announce any size: it must match what the attribute stores.
    const std::size_t size = H5Tget_size(type.id());
    if (size == 0 || size != H5Aget_storage_size(a.id()))
      fail(w, "corrupt string attribute (size " + std::to_string(size) + ")");
    std::string s(size, '\0');
    Handle mt(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(mt.id(), size);
    if (H5Aread(a.id(), mt.id(), s.data()) < 0) fail(w, "cannot read attribute");
    s.resize(std::strlen(s.c_str()));
    return s;
  } else {
    if (H5Tget_class(type.id()) != type_class<T>()) fail(w, "attribute has the wrong type");
    if (H5Sget_simple_extent_npoints(space.id()) != 1) fail(w, "expected a scalar attribute");
    T value{};
    if (H5Aread(a.id(), mem_type<T>(), &value) < 0) fail(w, "cannot read attribute");
    return value;
  }
}

template <class T>
std::vector<T> Group::read_attr_vector(const std::string& name) const {
  const std::string w = where("@" + name);
  Handle a = open_attr(h_.id(), name, w);
  Handle type(H5Aget_type(a.id()), H5Tclose);
  if (H5Tget_class(type.id()) != type_class<T>()) fail(w, "attribute has the wrong type");
  Handle space(H5Aget_space(a.id()), H5Sclose);
  // Each element takes at least one stored byte; a larger count is a corrupt header.
  const hssize_t n = H5Sget_simple_extent_npoints(space.id());
  if (n < 0 || static_cast<hsize_t>(n) > H5Aget_storage_size(a.id()))
    fail(w, "corrupt attribute (element count " + std::to_string(n) + ")");
  std::vector<T> values(static_cast<std::size_t>(n));
  if (H5Aread(a.id(), mem_type<T>(), values.data()) < 0) fail(w, "cannot read attribute");
  return values;
}

// ---- datasets
template <class T>
void Group::write(const std::string& name, const T* data, const std::vector<hsize_t>& shape,
                  const DatasetOptions& options) {
  const std::string w = where(name);
  Handle space = dataspace(shape);
  Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  std::vector<hsize_t> chunk = options.chunk;
  if (chunk.empty() && options.deflate_level > 0 && !shape.empty()) chunk = shape;
  if (!chunk.empty() && element_count(shape) > 0) {
    for (std::size_t i = 0; i < chunk.size() && i < shape.size(); ++i)
      chunk[i] = std::max<hsize_t>(1, std::min(chunk[i], shape[i]));
    H5Pset_chunk(dcpl.id(), static_cast<int>(chunk.size()), chunk.data());
    if (options.deflate_level > 0) {
      H5Pset_shuffle(dcpl.id());
      H5Pset_deflate(dcpl.id(), static_cast<unsigned>(options.deflate_level));
    }
  }
  if (H5Lexists(h_.id(), name.c_str(), H5P_DEFAULT) > 0)
    H5Ldelete(h_.id(), name.c_str(), H5P_DEFAULT);
  Handle lcpl(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
  H5Pset_create_intermediate_group(lcpl.id(), 1);
  Handle d(H5Dcreate2(h_.id(), name.c_str(), mem_type<T>(), space.id(), lcpl.id(), dcpl.id(),
                      H5P_DEFAULT),
           H5Dclose);
  if (!d.valid()) fail(w, "cannot create dataset");
  if (element_count(shape) > 0 &&
      H5Dwrite(d.id(), mem_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
    fail(w, "cannot write dataset (disk full?)");
}

void Group::write_string(const std::string& name, const std::string& value) {
  Handle type = string_type();
  Handle space = dataspace({});
  if (H5Lexists(h_.id(), name.c_str(), H5P_DEFAULT) > 0)
    H5Ldelete(h_.id(), name.c_str(), H5P_DEFAULT);
  Handle d(H5Dcreate2(h_.id(), name.c_str(), type.id(), space.id(), H5P_DEFAULT, H5P_DEFAULT,
                      H5P_DEFAULT),
           H5Dclose);
  if (!d.valid()) fail(where(name), "cannot create dataset");
  const char* p = value.c_str();
  if (H5Dwrite(d.id(), type.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &p) < 0)
    fail(where(name), "cannot write");
}

namespace {
Handle open_dataset(hid_t group, const std::string& name, const std::string& w, bool exists) {
  if (!exists) fail(w, "missing dataset");
  H5O_info_t info;
  if (H5Oget_info_by_name(group, name.c_str(), &info, H5P_DEFAULT) < 0 ||
      info.type != H5O_TYPE_DATASET)
    fail(w, "is not a dataset");
  return Handle(H5Dopen2(group, name.c_str(), H5P_DEFAULT), H5Dclose);
}
}  // namespace

template <class T>
std::vector<T> Group::read(const std::string& name, std::vector<hsize_t>* shape) const {
  const std::string w = where(name);
  Handle d = open_dataset(h_.id(), name, w, exists(name));
  Handle type(H5Dget_type(d.id()), H5Tclose);
  const H5T_class_t cls = H5Tget_class(type.id());
  if (cls != H5T_FLOAT && cls != H5T_INTEGER) fail(w, "expected a numeric dataset");
  if constexpr (!std::is_floating_point_v<T>) {
    if (cls == H5T_FLOAT) fail(w, "expected an integer dataset, found floating point");
  }
  Handle space(H5Dget_space(d.id()), H5Sclose);
  const auto dims = space_shape(space.id());
  if (shape) *shape = dims;
  std::vector<T> values(static_cast<std::size_t>(element_count(dims)));
  if (!values.empty() &&
      H5Dread(d.id(), mem_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0)
    fail(w, "cannot read dataset (corrupt file or value out of range for the type)");
  return values;
}

std::string Group::read_string(const std::string& name) const {
  const std::string w = where(name);
  Handle d = open_dataset(h_.id(), name, w, exists(name));
  Handle type(H5Dget_type(d.id()), H5Tclose);
  if (H5Tget_class(type.id()) != H5T_STRING || H5Tis_variable_str(type.id()) <= 0)
    fail(w, "expected a variable-length string dataset");
  Handle mt = string_type();
  char* p = nullptr;
  if (H5Dread(d.id(), mt.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &p) < 0) fail(w, "cannot read");
  std::string s = p ? p : "";
  H5free_memory(p);
  return s;
}

std::vector<hsize_t> Group::shape(const std::string& name) const {
  const std::string w = where(name);
  Handle d = open_dataset(h_.id(), name, w, exists(name));
  Handle space(H5Dget_space(d.id()), H5Sclose);
  return space_shape(space.id());
}

template <class T>
void Group::write_slab(const std::string& name, const T* data, const std::vector<hsize_t>& offset,
                       const std::vector<hsize_t>& count) {
  const std::string w = where(name);
  Handle d = open_dataset(h_.id(), name, w, exists(name));
  Handle fspace(H5Dget_space(d.id()), H5Sclose);
  const auto dims = space_shape(fspace.id());
  if (dims.size() != offset.size() || dims.size() != count.size())
    fail(w, "hyperslab rank mismatch");
  for (std::size_t i = 0; i < dims.size(); ++i)
    if (offset[i] + count[i] > dims[i]) fail(w, "hyperslab outside the dataset");
  H5Sselect_hyperslab(fspace.id(), H5S_SELECT_SET, offset.data(), nullptr, count.data(), nullptr);
  Handle mspace = dataspace(count);
  if (H5Dwrite(d.id(), mem_type<T>(), mspace.id(), fspace.id(), H5P_DEFAULT, data) < 0)
    fail(w, "cannot write (disk full?)");
}

// ---- explicit instantiations for the supported element types
#define XBARMC_H5_INSTANTIATE(T)                                                                \
  template void Group::write_attr<T>(const std::string&, const T&);                             \
  template void Group::write_attr<T>(const std::string&, const std::vector<T>&);                \
  template T Group::read_attr<T>(const std::string&) const;                                     \
  template std::vector<T> Group::read_attr_vector<T>(const std::string&) const;                 \
  template void Group::write<T>(const std::string&, const T*, const std::vector<hsize_t>&,      \
                                const DatasetOptions&);                                         \
  template std::vector<T> Group::read<T>(const std::string&, std::vector<hsize_t>*) const;      \
  template void Group::write_slab<T>(const std::string&, const T*, const std::vector<hsize_t>&, \
                                     const std::vector<hsize_t>&);
XBARMC_H5_INSTANTIATE(float)
XBARMC_H5_INSTANTIATE(double)
XBARMC_H5_INSTANTIATE(std::int32_t)
XBARMC_H5_INSTANTIATE(std::int64_t)
XBARMC_H5_INSTANTIATE(std::uint8_t)
XBARMC_H5_INSTANTIATE(std::uint64_t)
#undef XBARMC_H5_INSTANTIATE
template std::string Group::read_attr<std::string>(const std::string&) const;

void Group::make_scale(const std::string& name, const std::string& dim) {
  const Handle d(H5Dopen2(h_.id(), name.c_str(), H5P_DEFAULT), H5Dclose);
  if (d.id() < 0) fail(where(name), "missing dataset (dimension scale)");
  if (H5DSset_scale(d.id(), dim.c_str()) < 0) fail(where(name), "cannot make a dimension scale");
}

void Group::write_dataset_attr(const std::string& name, const std::string& attr,
                               const std::string& value) {
  const Handle d(H5Dopen2(h_.id(), name.c_str(), H5P_DEFAULT), H5Dclose);
  if (d.id() < 0) fail(where(name), "missing dataset");
  Handle type = string_type();
  Handle space = dataspace({});
  Handle a = create_attr(d.id(), attr, type.id(), space.id(), where(name + "@" + attr));
  const char* p = value.c_str();
  if (H5Awrite(a.id(), type.id(), &p) < 0) fail(where(name + "@" + attr), "cannot write attribute");
}

void Group::attach_scales(const std::string& name, const std::vector<std::string>& scales) {
  const Handle d(H5Dopen2(h_.id(), name.c_str(), H5P_DEFAULT), H5Dclose);
  if (d.id() < 0) fail(where(name), "missing dataset (attach dimension scales)");
  for (std::size_t k = 0; k < scales.size(); ++k) {
    const Handle s(H5Dopen2(h_.id(), scales[k].c_str(), H5P_DEFAULT), H5Dclose);
    if (s.id() < 0) fail(where(scales[k]), "missing dimension scale");
    if (H5DSattach_scale(d.id(), s.id(), static_cast<unsigned>(k)) < 0)
      fail(where(name), "cannot attach dimension scale " + scales[k]);
  }
}

}  // namespace xbarmc::h5
