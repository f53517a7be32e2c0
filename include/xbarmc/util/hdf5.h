#pragma once
//! \file util/hdf5.h
//! The only place that calls the HDF5 C library: RAII handles for files,
//! groups, datasets and attributes. Errors become xbarmc::IoError naming the
//! file and object (missing file, missing object, wrong type or shape).
//!
//! Supported element types: float, double, std::int32_t, std::int64_t,
//! std::uint8_t, std::uint64_t; strings as variable-length UTF-8.

#include <hdf5.h>

#include <cstdint>
#include <string>
#include <vector>

namespace xbarmc::h5 {

//! Owns one hid_t and closes it with the matching H5*close.
class Handle {
 public:
  Handle() = default;
  Handle(hid_t id, herr_t (*closer)(hid_t)) : id_(id), closer_(closer) {}
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle(Handle&& o) noexcept : id_(o.id_), closer_(o.closer_) { o.id_ = H5I_INVALID_HID; }
  Handle& operator=(Handle&& o) noexcept;
  ~Handle() { reset(); }
  [[nodiscard]] hid_t id() const { return id_; }
  [[nodiscard]] bool valid() const { return id_ >= 0; }
  void reset();
  //! Gives up ownership without closing; returns the id.
  hid_t release() {
    const hid_t id = id_;
    id_ = H5I_INVALID_HID;
    return id;
  }

 private:
  hid_t id_ = H5I_INVALID_HID;
  herr_t (*closer_)(hid_t) = nullptr;
};

//! Layout options for a new dataset.
struct DatasetOptions {
  std::vector<hsize_t> chunk;  //!< chunk shape; empty = contiguous (or automatic when compressing)
  int deflate_level = 0;       //!< 0 = no compression, 1..9 = gzip level (implies chunking)
};

//! A group (the file's root group is a Group too).
class Group {
 public:
  Group(Handle handle, std::string file, std::string path)
      : h_(std::move(handle)), file_(std::move(file)), path_(std::move(path)) {}
  [[nodiscard]] hid_t id() const { return h_.id(); }
  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] const std::string& file() const { return file_; }

  //! Makes dataset `name` (1-d) a dimension scale named `dim` (HDF5 Dimension Scales, the
  //! netCDF-4 convention: xarray with h5netcdf reads it as the coordinate of dimension `dim`).
  void make_scale(const std::string& name, const std::string& dim);
  //! Writes the string attribute `attr` = `value` on dataset `name` of this group (e.g. units).
  void write_dataset_attr(const std::string& name, const std::string& attr,
                          const std::string& value);
  //! Attaches the scales `scales[k]` (dataset paths relative to this group, made by
  //! make_scale) to dimension k of dataset `name`.
  void attach_scales(const std::string& name, const std::vector<std::string>& scales);

  //! True when a link `name` exists (relative path, intermediate groups allowed).
  [[nodiscard]] bool exists(const std::string& name) const;
  [[nodiscard]] bool has_attr(const std::string& name) const;
  Group create_group(const std::string& name);
  [[nodiscard]] Group open_group(const std::string& name) const;
  //! Opens `name`, creating it when missing.
  Group require_group(const std::string& name);
  //! Names of the direct children (groups and datasets), in creation or name order.
  [[nodiscard]] std::vector<std::string> children() const;

  // ---- attributes (scalars, strings and 1-d arrays); writing replaces ----
  template <class T>
  void write_attr(const std::string& name, const T& value);
  template <class T>
  void write_attr(const std::string& name, const std::vector<T>& values);
  void write_attr(const std::string& name, const std::string& value);
  void write_attr(const std::string& name, const char* value) {
    write_attr(name, std::string(value));
  }
  template <class T>
  [[nodiscard]] T read_attr(const std::string& name) const;  //!< scalar or std::string
  template <class T>
  [[nodiscard]] std::vector<T> read_attr_vector(const std::string& name) const;

  // ---- datasets (n-d, row-major) ----
  template <class T>
  void write(const std::string& name, const T* data, const std::vector<hsize_t>& shape,
             const DatasetOptions& options = {});
  template <class T>
  void write(const std::string& name, const std::vector<T>& data, const std::vector<hsize_t>& shape,
             const DatasetOptions& options = {}) {
    write(name, data.data(), shape, options);
  }
  //! 1-d convenience.
  template <class T>
  void write(const std::string& name, const std::vector<T>& data) {
    write(name, data.data(), {static_cast<hsize_t>(data.size())}, {});
  }
  void write_string(const std::string& name, const std::string& value);
  //! Reads a whole dataset; converts numeric types on read (HDF5 conversion).
  template <class T>
  [[nodiscard]] std::vector<T> read(const std::string& name,
                                    std::vector<hsize_t>* shape = nullptr) const;
  [[nodiscard]] std::string read_string(const std::string& name) const;
  [[nodiscard]] std::vector<hsize_t> shape(const std::string& name) const;
  //! Overwrites a hyperslab [offset, offset+count) of an existing dataset.
  template <class T>
  void write_slab(const std::string& name, const T* data, const std::vector<hsize_t>& offset,
                  const std::vector<hsize_t>& count);

 private:
  [[nodiscard]] std::string where(const std::string& name) const;
  Handle h_;
  std::string file_;
  std::string path_;
};

//! An open HDF5 file.
class File {
 public:
  enum class Mode { ReadOnly, ReadWrite };
  //! Creates (truncating an existing file). IoError when it cannot be created.
  static File create(const std::string& path);
  //! Opens an existing file. IoError when missing or not HDF5.
  static File open(const std::string& path, Mode mode = Mode::ReadOnly);
  [[nodiscard]] Group root() const;
  [[nodiscard]] const std::string& path() const { return path_; }
  //! Flushes buffers to disk.
  void flush();
  //! Closes now (also done by the destructor); reports errors as IoError.
  void close();

 private:
  File(Handle h, std::string path) : h_(std::move(h)), path_(std::move(path)) {}
  Handle h_;
  std::string path_;
};

//! True when `path` exists and is an HDF5 file.
bool is_hdf5(const std::string& path);

}  // namespace xbarmc::h5
