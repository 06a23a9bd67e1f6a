#include "pase/io/hdf5_file.hpp"

#include <hdf5.h>

#include <cstring>
#include <type_traits>

namespace pase::h5 {

static_assert(std::is_same_v<hid_t, std::int64_t>, "hid_t must be a 64-bit integer (HDF5 >= 1.10)");

namespace {

// Collects HDF5's error stack into one line.
herr_t collect(unsigned n, const H5E_error2_t* e, void* out) {
  auto& text = *static_cast<std::string*>(out);
  if (n < 3 && e->desc != nullptr) text += std::string(text.empty() ? "" : "; ") + e->desc;
  return 0;
}

void quiet() {
  static const bool once = [] {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    return true;
  }();
  (void)once;
}

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  std::string stack;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, collect, &stack);
  H5Eclear2(H5E_DEFAULT);
  throw Hdf5Error(path + ": HDF5 failed to " + what + (stack.empty() ? "" : " (" + stack + ")"));
}

template <typename T>
T check(T result, const std::string& path, const std::string& what) {
  if (result < 0) fail(path, what);
  return result;
}

// An HDF5 identifier closed by the matching H5*close.
class Id {
 public:
  Id(hid_t id, herr_t (*closer)(hid_t)) : id_(id), closer_(closer) {}
  ~Id() {
    if (id_ >= 0) closer_(id_);
  }
  Id(const Id&) = delete;
  Id& operator=(const Id&) = delete;
  operator hid_t() const { return id_; }

 private:
  hid_t id_;
  herr_t (*closer_)(hid_t);
};

Id string_type(const std::string& path) {
  const hid_t type = check(H5Tcopy(H5T_C_S1), path, "copy the string type");
  if (H5Tset_size(type, H5T_VARIABLE) < 0 || H5Tset_cset(type, H5T_CSET_UTF8) < 0) {
    H5Tclose(type);
    fail(path, "make a variable-length UTF-8 string type");
  }
  return Id(type, H5Tclose);
}

template <typename T>
void write_dataset(hid_t file, const std::string& path, const std::string& name, hid_t file_type, hid_t memory_type,
                   const T* data, std::size_t count) {
  const hsize_t dims[1] = {count};
  Id space(check(H5Screate_simple(1, dims, nullptr), path, "make the dataspace of '" + name + "'"), H5Sclose);
  Id dataset(check(H5Dcreate2(file, name.c_str(), file_type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), path,
                   "create dataset '" + name + "'"),
             H5Dclose);
  if (count > 0)
    check(H5Dwrite(dataset, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), path, "write dataset '" + name + "'");
}

template <typename T>
std::vector<T> read_dataset(hid_t file, const std::string& path, const std::string& name, hid_t memory_type) {
  Id dataset(check(H5Dopen2(file, name.c_str(), H5P_DEFAULT), path, "open dataset '" + name + "'"), H5Dclose);
  Id space(check(H5Dget_space(dataset), path, "get the dataspace of '" + name + "'"), H5Sclose);
  if (check(H5Sget_simple_extent_ndims(space), path, "get the rank of '" + name + "'") != 1)
    throw Hdf5Error(path + ": dataset '" + name + "' is not one-dimensional");
  hsize_t dims[1] = {0};
  check(H5Sget_simple_extent_dims(space, dims, nullptr), path, "get the size of '" + name + "'");
  std::vector<T> values(dims[0]);
  if (dims[0] > 0)
    check(H5Dread(dataset, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), path,
          "read dataset '" + name + "'");
  return values;
}

}  // namespace

File File::create(const std::string& path) {
  quiet();
  return File(path, check(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), path, "create the file"));
}

File File::open_read_only(const std::string& path) {
  quiet();
  const htri_t is_hdf5 = H5Fis_hdf5(path.c_str());
  if (is_hdf5 <= 0) {
    H5Eclear2(H5E_DEFAULT);
    throw Hdf5Error(path + ": not an HDF5 file (or it cannot be read)");
  }
  return File(path, check(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), path, "open the file"));
}

File::File(File&& other) noexcept : path_(std::move(other.path_)), id_(other.id_) { other.id_ = -1; }

File::~File() {
  if (id_ >= 0) H5Fclose(id_);
}

void File::close() {
  if (id_ < 0) return;
  const hid_t id = id_;
  id_ = -1;
  check(H5Fclose(id), path_, "close the file");
}

void File::create_group(const std::string& name) {
  Id group(check(H5Gcreate2(id_, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), path_,
                 "create group '" + name + "'"),
           H5Gclose);
}

bool File::exists(const std::string& name) const {
  if (!name.empty() && name[0] == '@') return check(H5Aexists(id_, name.c_str() + 1), path_, "look for attribute " + name) > 0;
  return check(H5Lexists(id_, name.c_str(), H5P_DEFAULT), path_, "look for '" + name + "'") > 0;
}

std::vector<std::string> File::members(const std::string& group) const {
  Id g(check(H5Gopen2(id_, group.c_str(), H5P_DEFAULT), path_, "open group '" + group + "'"), H5Gclose);
  H5G_info_t info;
  check(H5Gget_info(g, &info), path_, "list group '" + group + "'");
  std::vector<std::string> names;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    const ssize_t size = check(H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT),
                               path_, "name a member of '" + group + "'");
    std::string name(static_cast<std::size_t>(size) + 1, '\0');
    check(H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size(), H5P_DEFAULT), path_,
          "name a member of '" + group + "'");
    name.resize(static_cast<std::size_t>(size));
    names.push_back(name);
  }
  return names;
}

void File::write_attribute(const std::string& name, const std::string& value) {
  Id type = string_type(path_);
  Id space(check(H5Screate(H5S_SCALAR), path_, "make a scalar dataspace"), H5Sclose);
  Id attribute(check(H5Acreate2(id_, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT), path_,
                     "create attribute '" + name + "'"),
               H5Aclose);
  const char* data = value.c_str();
  check(H5Awrite(attribute, type, &data), path_, "write attribute '" + name + "'");
}

void File::write_attribute(const std::string& name, std::uint64_t value) {
  Id space(check(H5Screate(H5S_SCALAR), path_, "make a scalar dataspace"), H5Sclose);
  Id attribute(check(H5Acreate2(id_, name.c_str(), H5T_STD_U64LE, space, H5P_DEFAULT, H5P_DEFAULT), path_,
                     "create attribute '" + name + "'"),
               H5Aclose);
  check(H5Awrite(attribute, H5T_NATIVE_UINT64, &value), path_, "write attribute '" + name + "'");
}

std::string File::read_string_attribute(const std::string& name) const {
  Id attribute(check(H5Aopen(id_, name.c_str(), H5P_DEFAULT), path_, "open attribute '" + name + "'"), H5Aclose);
  Id stored(check(H5Aget_type(attribute), path_, "get the type of attribute '" + name + "'"), H5Tclose);
  if (H5Tget_class(stored) != H5T_STRING || H5Tis_variable_str(stored) <= 0)
    throw Hdf5Error(path_ + ": attribute '" + name + "' is not a variable-length string");
  Id type = string_type(path_);
  char* data = nullptr;
  check(H5Aread(attribute, type, &data), path_, "read attribute '" + name + "'");
  std::string value = data != nullptr ? data : "";
  H5free_memory(data);
  return value;
}

std::uint64_t File::read_u64_attribute(const std::string& name) const {
  Id attribute(check(H5Aopen(id_, name.c_str(), H5P_DEFAULT), path_, "open attribute '" + name + "'"), H5Aclose);
  std::uint64_t value = 0;
  check(H5Aread(attribute, H5T_NATIVE_UINT64, &value), path_, "read attribute '" + name + "'");
  return value;
}

void File::write(const std::string& dataset, const std::vector<double>& values) {
  write_dataset(id_, path_, dataset, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, values.data(), values.size());
}

void File::write(const std::string& dataset, const std::vector<std::int64_t>& values) {
  write_dataset(id_, path_, dataset, H5T_STD_I64LE, H5T_NATIVE_INT64, values.data(), values.size());
}

void File::write(const std::string& dataset, const std::vector<std::uint64_t>& values) {
  write_dataset(id_, path_, dataset, H5T_STD_U64LE, H5T_NATIVE_UINT64, values.data(), values.size());
}

void File::write(const std::string& dataset, const std::vector<std::string>& values) {
  Id type = string_type(path_);
  std::vector<const char*> pointers;
  pointers.reserve(values.size());
  for (const auto& v : values) pointers.push_back(v.c_str());
  write_dataset(id_, path_, dataset, type, type, pointers.data(), pointers.size());
}

std::vector<double> File::read_doubles(const std::string& dataset) const {
  return read_dataset<double>(id_, path_, dataset, H5T_NATIVE_DOUBLE);
}

std::vector<std::int64_t> File::read_int64s(const std::string& dataset) const {
  return read_dataset<std::int64_t>(id_, path_, dataset, H5T_NATIVE_INT64);
}

std::vector<std::uint64_t> File::read_u64s(const std::string& dataset) const {
  return read_dataset<std::uint64_t>(id_, path_, dataset, H5T_NATIVE_UINT64);
}

std::vector<std::string> File::read_strings(const std::string& dataset) const {
  Id type = string_type(path_);
  std::vector<char*> pointers = read_dataset<char*>(id_, path_, dataset, type);
  std::vector<std::string> values;
  values.reserve(pointers.size());
  for (char* p : pointers) {
    values.emplace_back(p != nullptr ? p : "");
    H5free_memory(p);
  }
  return values;
}

}  // namespace pase::h5
