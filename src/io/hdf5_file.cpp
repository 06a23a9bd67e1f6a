#include "pase/io/hdf5_file.hpp"

#include <hdf5.h>
#include <sys/stat.h>

#include <algorithm>
#include <stdexcept>
#include <type_traits>

#include "pase/mpi/native_handle.hpp"

namespace pase::h5 {

static_assert(std::is_same_v<hid_t, std::int64_t>, "hid_t must be a 64-bit integer (HDF5 >= 1.10)");
#ifndef H5_HAVE_PARALLEL
#error "pase needs the parallel (MPI) build of HDF5; on Debian install libhdf5-openmpi-dev"
#endif

namespace {

// The innermost entries of HDF5's error stack (where the problem was found), in one line.
herr_t collect(unsigned n, const H5E_error2_t* e, void* out) {
  auto& text = *static_cast<std::string*>(out);
  if (n >= 2 || e->desc == nullptr || e->desc[0] == '\0') return 0;
  std::string desc = e->desc;  // one line: some descriptions hold a ctime() date with its newline
  for (char& c : desc)
    if (c == '\n' || c == '\r') c = ' ';
  while (!desc.empty() && desc.back() == ' ') desc.pop_back();
  text += (text.empty() ? "" : "; ") + desc;
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
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, collect, &stack);
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
  Id(Id&& other) noexcept : id_(other.id_), closer_(other.closer_) { other.id_ = -1; }
  Id(const Id&) = delete;
  Id& operator=(const Id&) = delete;
  operator hid_t() const { return id_; }

 private:
  hid_t id_;
  herr_t (*closer_)(hid_t);
};

hid_t file_type(Element e) {
  switch (e) {
    case Element::u8:
      return H5T_STD_U8LE;
    case Element::u16:
      return H5T_STD_U16LE;
    case Element::u32:
      return H5T_STD_U32LE;
    default:
      return H5T_IEEE_F64LE;
  }
}

hid_t memory_type(Element e) {
  switch (e) {
    case Element::u8:
      return H5T_NATIVE_UINT8;
    case Element::u16:
      return H5T_NATIVE_UINT16;
    case Element::u32:
      return H5T_NATIVE_UINT32;
    default:
      return H5T_NATIVE_DOUBLE;
  }
}

// Fixed-length strings: stored inside the (checksummed) object header, unlike variable-length
// ones, whose bytes live in the global heap, which has no checksum and which a damaged file can
// make HDF5 read out of bounds.
Id string_type(const std::string& path, std::size_t length) {
  const hid_t type = check(H5Tcopy(H5T_C_S1), path, "copy the string type");
  if (H5Tset_size(type, std::max<std::size_t>(length, 1)) < 0 || H5Tset_strpad(type, H5T_STR_NULLPAD) < 0 ||
      H5Tset_cset(type, H5T_CSET_UTF8) < 0) {
    H5Tclose(type);
    fail(path, "make a string type");
  }
  return Id(type, H5Tclose);
}

Id file_access(const std::string& path, Driver driver) {
  Id fapl(check(H5Pcreate(H5P_FILE_ACCESS), path, "make a file access property list"), H5Pclose);
  // Checksummed metadata (superblock 2, object headers 2), readable by HDF5 1.8 and later.
  check(H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_LATEST), path, "choose the file format version");
  if (driver.parallel())
    check(H5Pset_fapl_mpio(fapl, mpi_comm(*driver.comm), MPI_INFO_NULL), path, "select the MPI-IO driver");
  return fapl;
}

hid_t transfer(const std::string& path, bool parallel, bool collective) {
  const hid_t dxpl = check(H5Pcreate(H5P_DATASET_XFER), path, "make a transfer property list");
  if (parallel && H5Pset_dxpl_mpio(dxpl, collective ? H5FD_MPIO_COLLECTIVE : H5FD_MPIO_INDEPENDENT) < 0) {
    H5Pclose(dxpl);
    fail(path, "choose the MPI-IO transfer mode");
  }
  return dxpl;
}

Id open_object(hid_t file, const std::string& path, const std::string& object) {
  return Id(check(H5Oopen(file, object.c_str(), H5P_DEFAULT), path, "open '" + object + "'"), H5Oclose);
}

Id open_attribute(hid_t file, const std::string& path, const std::string& object, const std::string& name,
                  H5T_class_t expected, const char* kind) {
  Id owner = open_object(file, path, object);
  const std::string what = "attribute '" + name + "' of '" + object + "'";
  if (check(H5Aexists(owner, name.c_str()), path, "look for " + what) <= 0)
    throw Hdf5Error(path + ": " + what + " is missing");
  Id attribute(check(H5Aopen(owner, name.c_str(), H5P_DEFAULT), path, "open " + what), H5Aclose);
  Id stored(check(H5Aget_type(attribute), path, "get the type of " + what), H5Tclose);
  Id space(check(H5Aget_space(attribute), path, "get the dataspace of " + what), H5Sclose);
  const bool scalar = H5Sget_simple_extent_type(space) == H5S_SCALAR;
  if (H5Tget_class(stored) != expected || !scalar || (expected == H5T_STRING && H5Tis_variable_str(stored) != 0) ||
      (expected != H5T_STRING && H5Tget_size(stored) != 8))
    throw Hdf5Error(path + ": " + what + " is not a " + kind);
  return attribute;
}

void add_attribute(hid_t owner, const std::string& path, const std::string& object, const Attribute& a) {
  Id space(check(H5Screate(H5S_SCALAR), path, "make a scalar dataspace"), H5Sclose);
  const std::string what = "attribute '" + a.name + "' of '" + object + "'";
  auto write = [&](hid_t stored, hid_t memory, const void* value) {
    Id attribute(
        check(H5Acreate2(owner, a.name.c_str(), stored, space, H5P_DEFAULT, H5P_DEFAULT), path, "create " + what),
        H5Aclose);
    check(H5Awrite(attribute, memory, value), path, "write " + what);
  };
  if (const auto* text = std::get_if<std::string>(&a.value)) {
    Id type = string_type(path, text->size());
    write(type, type, text->empty() ? "" : text->data());
  } else if (const auto* u = std::get_if<std::uint64_t>(&a.value)) {
    write(H5T_STD_U64LE, H5T_NATIVE_UINT64, u);
  } else if (const auto* i = std::get_if<std::int64_t>(&a.value)) {
    write(H5T_STD_I64LE, H5T_NATIVE_INT64, i);
  } else {
    write(H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &std::get<double>(a.value));
  }
}

template <typename T>
T read_scalar(hid_t file, const std::string& path, const std::string& object, const std::string& name,
              H5T_class_t expected, hid_t memory, const char* kind) {
  Id attribute = open_attribute(file, path, object, name, expected, kind);
  T value{};
  check(H5Aread(attribute, memory, &value), path, "read attribute '" + name + "' of '" + object + "'");
  return value;
}

// The file and memory dataspaces of elements [offset, offset + count) of a 1-D dataset.
struct Selection {
  Id file;
  Id memory;
};

Selection select_block(hid_t dataset, const std::string& path, const std::string& name, std::uint64_t offset,
                       std::uint64_t count) {
  Id file(check(H5Dget_space(dataset), path, "get the dataspace of '" + name + "'"), H5Sclose);
  hsize_t dims[1] = {0};
  if (check(H5Sget_simple_extent_ndims(file), path, "get the rank of '" + name + "'") != 1)
    throw Hdf5Error(path + ": dataset '" + name + "' is not one-dimensional");
  check(H5Sget_simple_extent_dims(file, dims, nullptr), path, "get the size of '" + name + "'");
  if (offset > dims[0] || count > dims[0] - offset)
    throw Hdf5Error(path + ": elements [" + std::to_string(offset) + ", " + std::to_string(offset + count) +
                          ") are outside dataset '" + name + "' of " + std::to_string(dims[0]));
  const hsize_t memory_dims[1] = {count > 0 ? count : 1};
  Id memory(check(H5Screate_simple(1, memory_dims, nullptr), path, "make a memory dataspace"), H5Sclose);
  if (count == 0) {
    check(H5Sselect_none(file), path, "select nothing of '" + name + "'");
    check(H5Sselect_none(memory), path, "select nothing in memory");
  } else {
    const hsize_t start[1] = {offset}, size[1] = {count};
    check(H5Sselect_hyperslab(file, H5S_SELECT_SET, start, nullptr, size, nullptr), path,
          "select elements of '" + name + "'");
  }
  return Selection{std::move(file), std::move(memory)};
}


// Variable-length UTF-8 strings, for the string columns and root attributes of results files.
Id variable_string_type(const std::string& path) {
  const hid_t type = check(H5Tcopy(H5T_C_S1), path, "copy the string type");
  if (H5Tset_size(type, H5T_VARIABLE) < 0 || H5Tset_cset(type, H5T_CSET_UTF8) < 0) {
    H5Tclose(type);
    fail(path, "make a variable-length UTF-8 string type");
  }
  return Id(type, H5Tclose);
}

template <typename T>
void write_dataset(hid_t file, const std::string& path, const std::string& name, hid_t stored, hid_t memory,
                   const T* data, std::size_t count) {
  const hsize_t dims[1] = {count};
  Id space(check(H5Screate_simple(1, dims, nullptr), path, "make the dataspace of '" + name + "'"), H5Sclose);
  Id dataset(check(H5Dcreate2(file, name.c_str(), stored, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), path,
                   "create dataset '" + name + "'"),
             H5Dclose);
  if (count > 0)
    check(H5Dwrite(dataset, memory, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), path, "write dataset '" + name + "'");
}

template <typename T>
std::vector<T> read_dataset(hid_t file, const std::string& path, const std::string& name, hid_t memory) {
  Id dataset(check(H5Dopen2(file, name.c_str(), H5P_DEFAULT), path, "open dataset '" + name + "'"), H5Dclose);
  Id space(check(H5Dget_space(dataset), path, "get the dataspace of '" + name + "'"), H5Sclose);
  if (check(H5Sget_simple_extent_ndims(space), path, "get the rank of '" + name + "'") != 1)
    throw Hdf5Error(path + ": dataset '" + name + "' is not one-dimensional");
  hsize_t dims[1] = {0};
  check(H5Sget_simple_extent_dims(space, dims, nullptr), path, "get the size of '" + name + "'");
  std::vector<T> values(dims[0]);
  if (dims[0] > 0)
    check(H5Dread(dataset, memory, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), path, "read dataset '" + name + "'");
  return values;
}

}  // namespace

Driver Driver::across(Collectives& ranks) {
  if (ranks.size() <= 1) return {};
  auto* comm = dynamic_cast<Communicator*>(&ranks);
  if (comm == nullptr) throw std::logic_error("a parallel HDF5 file needs the ranks of pase's MPI Communicator");
  return Driver{comm};
}

unsigned element_bytes(Element element) {
  switch (element) {
    case Element::u8:
      return 1;
    case Element::u16:
      return 2;
    case Element::u32:
      return 4;
    default:
      return 8;
  }
}

const char* to_string(Element element) {
  switch (element) {
    case Element::u8:
      return "uint8";
    case Element::u16:
      return "uint16";
    case Element::u32:
      return "uint32";
    default:
      return "float64";
  }
}

File::File(std::string path, std::int64_t id, bool parallel)
    : path_(std::move(path)), id_(id), parallel_(parallel) {
  try {
    collective_ = transfer(path_, parallel_, true);
    independent_ = transfer(path_, parallel_, false);
  } catch (...) {
    release_transfer_lists();
    H5Fclose(id_);
    throw;
  }
}

void File::release_transfer_lists() {
  if (collective_ >= 0) H5Pclose(collective_);
  if (independent_ >= 0) H5Pclose(independent_);
  collective_ = independent_ = -1;
}

File File::create(const std::string& path, Driver driver, std::uint64_t userblock_bytes) {
  quiet();
  Id fapl = file_access(path, driver);
  Id fcpl(check(H5Pcreate(H5P_FILE_CREATE), path, "make a file creation property list"), H5Pclose);
  if (userblock_bytes > 0) check(H5Pset_userblock(fcpl, userblock_bytes), path, "reserve a user block");
  return File(path, check(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, fcpl, fapl), path, "create the file"),
                      driver.parallel());
}

File File::create_in_memory(const std::string& path, std::uint64_t userblock_bytes) {
  quiet();
  Id fapl = file_access(path, {});
  check(H5Pset_fapl_core(fapl, 1 << 16, 0), path, "select the in-memory driver");
  Id fcpl(check(H5Pcreate(H5P_FILE_CREATE), path, "make a file creation property list"), H5Pclose);
  if (userblock_bytes > 0) check(H5Pset_userblock(fcpl, userblock_bytes), path, "reserve a user block");
  return File(path, check(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, fcpl, fapl), path, "create the file in memory"),
              false);
}

std::uint64_t File::image_bytes() const {
  check(H5Fflush(id_, H5F_SCOPE_LOCAL), path_, "flush the file in memory");
  // HDF5's image starts at the superblock: the user block comes before it.
  Id fcpl(check(H5Fget_create_plist(id_), path_, "get the file creation property list"), H5Pclose);
  hsize_t userblock = 0;
  check(H5Pget_userblock(fcpl, &userblock), path_, "get the user block's size");
  const ssize_t size = check(H5Fget_file_image(id_, nullptr, 0), path_, "get the size of the file's image");
  return static_cast<std::uint64_t>(userblock) + static_cast<std::uint64_t>(size);
}

File File::open_read_only(const std::string& path, Driver driver) {
  quiet();
  // Opening a FIFO blocks until someone writes to it, and a device or folder is never an HDF5 file.
  struct stat st{};
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode))
    throw Hdf5Error(path + ": is not a regular file (" +
                    std::string(S_ISDIR(st.st_mode) ? "a folder" : S_ISFIFO(st.st_mode) ? "a FIFO" : "a device") +
                    "); name an HDF5 file");
  const htri_t is_hdf5 = H5Fis_hdf5(path.c_str());
  if (is_hdf5 <= 0) {
    H5Eclear2(H5E_DEFAULT);
    throw Hdf5Error(path + ": not an HDF5 file (it is empty, damaged at its start, or of another kind)");
  }
  Id fapl = file_access(path, driver);
  return File(path, check(H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl), path, "open the file"), driver.parallel());
}

File::File(File&& other) noexcept
    : path_(std::move(other.path_)), id_(other.id_), parallel_(other.parallel_), collective_(other.collective_),
      independent_(other.independent_) {
  other.id_ = other.collective_ = other.independent_ = -1;
}

File::~File() {
  release_transfer_lists();
  if (id_ >= 0) {
    H5Fclose(id_);
    H5Eclear2(H5E_DEFAULT);
  }
}

void File::close() {
  release_transfer_lists();
  if (id_ < 0) return;
  const hid_t id = id_;
  id_ = -1;
  check(H5Fclose(id), path_, "close the file");
}

void File::abandon() {
  release_transfer_lists();
  id_ = -1;
}

void File::create_group(const std::string& name, const std::vector<Attribute>& attributes) {
  Id group(
      check(H5Gcreate2(id_, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), path_, "create group '" + name + "'"),
      H5Gclose);
  for (const Attribute& a : attributes) add_attribute(group, path_, name, a);
}

bool File::exists(const std::string& name) const {
  if (!name.empty() && name[0] == '@') return has_attribute("/", name.substr(1));
  // H5Lexists needs every parent to exist, so walk down the path.
  std::size_t end = 0;
  while (end != std::string::npos) {
    end = name.find('/', end + 1);
    const std::string prefix = name.substr(0, end);
    if (prefix.empty() || prefix == "/") continue;
    if (check(H5Lexists(id_, prefix.c_str(), H5P_DEFAULT), path_, "look for '" + prefix + "'") <= 0) return false;
  }
  return true;
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

void File::write_attributes(const std::string& object, const std::vector<Attribute>& attributes) {
  Id owner = open_object(id_, path_, object);
  for (const Attribute& a : attributes) add_attribute(owner, path_, object, a);
}

bool File::has_attribute(const std::string& object, const std::string& name) const {
  if (!exists(object)) return false;
  Id owner = open_object(id_, path_, object);
  return check(H5Aexists(owner, name.c_str()), path_, "look for attribute '" + name + "' of '" + object + "'") > 0;
}

std::string File::read_string_attribute(const std::string& object, const std::string& name) const {
  Id attribute = open_attribute(id_, path_, object, name, H5T_STRING, "fixed-length string");
  Id stored(check(H5Aget_type(attribute), path_, "get the type of attribute '" + name + "'"), H5Tclose);
  const std::size_t size = H5Tget_size(stored);
  if (size == 0 || size > (1u << 20))
    throw Hdf5Error(path_ + ": attribute '" + name + "' has an impossible size");
  Id type = string_type(path_, size);
  std::string value(size, '\0');
  check(H5Aread(attribute, type, value.data()), path_, "read attribute '" + name + "' of '" + object + "'");
  value.resize(value.find('\0') == std::string::npos ? size : value.find('\0'));
  return value;
}

std::uint64_t File::read_u64_attribute(const std::string& object, const std::string& name) const {
  return read_scalar<std::uint64_t>(id_, path_, object, name, H5T_INTEGER, H5T_NATIVE_UINT64, "64-bit integer");
}

std::int64_t File::read_i64_attribute(const std::string& object, const std::string& name) const {
  return read_scalar<std::int64_t>(id_, path_, object, name, H5T_INTEGER, H5T_NATIVE_INT64, "64-bit integer");
}

double File::read_double_attribute(const std::string& object, const std::string& name) const {
  return read_scalar<double>(id_, path_, object, name, H5T_FLOAT, H5T_NATIVE_DOUBLE, "64-bit float");
}

void File::write_attribute(const std::string& name, const std::string& value) {
  Id type = variable_string_type(path_);
  Id space(check(H5Screate(H5S_SCALAR), path_, "make a scalar dataspace"), H5Sclose);
  Id attribute(check(H5Acreate2(id_, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT), path_,
                     "create attribute '" + name + "'"),
               H5Aclose);
  const char* data = value.c_str();
  check(H5Awrite(attribute, type, &data), path_, "write attribute '" + name + "'");
}

void File::write_attribute(const std::string& name, std::uint64_t value) {
  write_attributes("/", {Attribute{name, value}});
}

std::string File::read_string_attribute(const std::string& name) const {
  Id attribute(check(H5Aopen(id_, name.c_str(), H5P_DEFAULT), path_, "open attribute '" + name + "'"), H5Aclose);
  Id stored(check(H5Aget_type(attribute), path_, "get the type of attribute '" + name + "'"), H5Tclose);
  if (H5Tget_class(stored) != H5T_STRING || H5Tis_variable_str(stored) <= 0)
    throw Hdf5Error(path_ + ": attribute '" + name + "' is not a variable-length string");
  Id type = variable_string_type(path_);
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
  Id type = variable_string_type(path_);
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
  Id type = variable_string_type(path_);
  std::vector<char*> pointers = read_dataset<char*>(id_, path_, dataset, type);
  std::vector<std::string> values;
  values.reserve(pointers.size());
  for (char* p : pointers) {
    values.emplace_back(p != nullptr ? p : "");
    H5free_memory(p);
  }
  return values;
}

Dataset File::create_dataset(const std::string& name, Element element, std::uint64_t entries,
                                     const std::vector<Attribute>& attributes) {
  const hsize_t dims[1] = {entries};
  Id space(check(H5Screate_simple(1, dims, nullptr), path_, "make the dataspace of '" + name + "'"), H5Sclose);
  Id dcpl(check(H5Pcreate(H5P_DATASET_CREATE), path_, "make a dataset creation property list"), H5Pclose);
  check(H5Pset_layout(dcpl, H5D_CONTIGUOUS), path_, "choose a contiguous layout");
  check(H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY), path_, "choose early allocation");
  check(H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER), path_, "switch off fill values");
  Dataset dataset(path_, name,
                  check(H5Dcreate2(id_, name.c_str(), file_type(element), space, H5P_DEFAULT, dcpl, H5P_DEFAULT), path_,
                        "create dataset '" + name + "'"),
                  collective_, independent_);
  for (const Attribute& a : attributes) add_attribute(dataset.id_, path_, name, a);
  return dataset;
}

Dataset File::open_dataset(const std::string& name) const {
  return Dataset(path_, name, check(H5Dopen2(id_, name.c_str(), H5P_DEFAULT), path_, "open dataset '" + name + "'"),
                 collective_, independent_);
}

DatasetShape File::dataset_shape(const std::string& name) const {
  Id dataset(check(H5Dopen2(id_, name.c_str(), H5P_DEFAULT), path_, "open dataset '" + name + "'"), H5Dclose);
  Id type(check(H5Dget_type(dataset), path_, "get the type of '" + name + "'"), H5Tclose);
  Id space(check(H5Dget_space(dataset), path_, "get the dataspace of '" + name + "'"), H5Sclose);
  if (check(H5Sget_simple_extent_ndims(space), path_, "get the rank of '" + name + "'") != 1)
    throw Hdf5Error(path_ + ": dataset '" + name + "' is not one-dimensional");
  hsize_t dims[1] = {0};
  check(H5Sget_simple_extent_dims(space, dims, nullptr), path_, "get the size of '" + name + "'");
  DatasetShape shape;
  shape.entries = dims[0];
  const H5T_class_t type_class = H5Tget_class(type);
  const std::size_t size = H5Tget_size(type);
  if (type_class == H5T_FLOAT && size == 8) {
    shape.element = Element::f64;
  } else if (type_class == H5T_INTEGER && H5Tget_sign(type) == H5T_SGN_NONE && (size == 1 || size == 2 || size == 4)) {
    shape.element = size == 1 ? Element::u8 : size == 2 ? Element::u16 : Element::u32;
  } else {
    throw Hdf5Error(path_ + ": dataset '" + name +
                          "' is neither unsigned 8/16/32-bit integers nor 64-bit floats");
  }
  return shape;
}

std::uint64_t File::data_offset(const std::string& name) const {
  Id dataset(check(H5Dopen2(id_, name.c_str(), H5P_DEFAULT), path_, "open dataset '" + name + "'"), H5Dclose);
  const haddr_t offset = H5Dget_offset(dataset);
  if (offset == HADDR_UNDEF) fail(path_, "find where the data of '" + name + "' starts");
  return offset;
}

Dataset::Dataset(Dataset&& other) noexcept
    : path_(std::move(other.path_)), name_(std::move(other.name_)), id_(other.id_), collective_(other.collective_),
      independent_(other.independent_) {
  other.id_ = -1;
}

Dataset::~Dataset() {
  if (id_ >= 0) H5Dclose(id_);
}

void Dataset::write_block(Element element, std::uint64_t offset, std::uint64_t count, const void* data) {
  Selection s = select_block(id_, path_, name_, offset, count);
  static const double nothing = 0;  // HDF5 wants a buffer even when nothing is selected
  check(H5Dwrite(id_, memory_type(element), s.memory, s.file, collective_, count > 0 ? data : &nothing), path_,
        "write elements " + std::to_string(offset) + "..+" + std::to_string(count) + " of '" + name_ + "'");
}

void Dataset::read_block(Element element, std::uint64_t offset, std::uint64_t count, void* data) const {
  if (count == 0) return;
  Selection s = select_block(id_, path_, name_, offset, count);
  check(H5Dread(id_, memory_type(element), s.memory, s.file, independent_, data), path_,
        "read elements " + std::to_string(offset) + "..+" + std::to_string(count) + " of '" + name_ + "'");
}

}  // namespace pase::h5
