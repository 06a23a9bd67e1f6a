#pragma once
// The thin checked wrapper around the HDF5 C library: the only code that calls HDF5 (H5F, H5D and
// the rest). Every call's result is checked; a failure throws Hdf5Error carrying the file, what was
// being done and HDF5's own error stack (HDF5's automatic printing to stderr is switched off).
//
// Serial or parallel is a property of the file (its Driver), as in HighFive: a serial file is an
// ordinary POSIX file of this process alone; a parallel one uses the MPI-IO driver on the
// communicator of pase's MPI layer (src/mpi), and then every rank must call the functions marked
// "collective" together, in the same order and with the same arguments, or the job hangs.
//
// Two uses: sweep results files (whole 1-D datasets written at once, variable-length string
// columns and root attributes) and checkpoints (1-D datasets written in blocks by the ranks,
// fixed-length string attributes inside the checksummed object headers).

#include <cstdint>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace pase {
class Collectives;
class Communicator;
}  // namespace pase

namespace pase::h5 {

struct Hdf5Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Serial (no communicator) or parallel over the ranks of `comm`.
struct Driver {
  Communicator* comm = nullptr;
  // Parallel when `ranks` has more than one rank (it is then pase's MPI Communicator), else serial.
  static Driver across(Collectives& ranks);
  bool parallel() const { return comm != nullptr; }
};

// Element types of block datasets, stored little-endian.
enum class Element { u8, u16, u32, f64 };
unsigned element_bytes(Element element);
const char* to_string(Element element);

struct DatasetShape {
  Element element = Element::u8;
  std::uint64_t entries = 0;
};

using AttributeValue = std::variant<std::string, std::uint64_t, std::int64_t, double>;

// A scalar attribute: strings are stored fixed-length (inside the checksummed object header),
// numbers as 64-bit little-endian.
struct Attribute {
  std::string name;
  AttributeValue value;
};

// An open 1-D dataset of a File (which must outlive it).
class Dataset {
 public:
  ~Dataset();
  Dataset(Dataset&& other) noexcept;
  Dataset& operator=(Dataset&&) = delete;
  Dataset(const Dataset&) = delete;

  const std::string& name() const { return name_; }
  // Writes elements [offset, offset + count) from `data` (of `element` type). Collective: every rank
  // calls it with its own block, count 0 when it has nothing to write.
  void write_block(Element element, std::uint64_t offset, std::uint64_t count, const void* data);
  // Reads elements [offset, offset + count) into `data`. Independent: any rank, any time.
  void read_block(Element element, std::uint64_t offset, std::uint64_t count, void* data) const;
  // See File::abandon.
  void abandon() { id_ = -1; }

 private:
  friend class File;
  Dataset(std::string path, std::string name, std::int64_t id, std::int64_t collective, std::int64_t independent)
      : path_(std::move(path)), name_(std::move(name)), id_(id), collective_(collective), independent_(independent) {}
  std::string path_;
  std::string name_;
  std::int64_t id_ = -1;
  std::int64_t collective_ = -1, independent_ = -1;  // transfer property lists of the file
};

class File {
 public:
  // Creates (truncating) a file for writing, its first `userblock_bytes` (0, or a power of two
  // from 512 on) left to the caller (HDF5 skips them). Collective.
  static File create(const std::string& path, Driver driver = {}, std::uint64_t userblock_bytes = 0);
  // Creates a file in memory only (HDF5's core driver, no backing store), to learn how large it
  // will be before writing it to the disk. `path` only names it in messages. One process.
  static File create_in_memory(const std::string& path, std::uint64_t userblock_bytes = 0);
  // Opens an existing file for reading; throws Hdf5Error when it is not an HDF5 file. Collective.
  static File open_read_only(const std::string& path, Driver driver = {});
  ~File();  // closes silently
  File(File&& other) noexcept;
  File& operator=(File&&) = delete;
  File(const File&) = delete;

  const std::string& path() const { return path_; }
  bool parallel() const { return parallel_; }
  // The size in bytes of a file made by create_in_memory, user block included: about what it
  // takes on the disk written by create.
  std::uint64_t image_bytes() const;
  // Closes the file; throws when its last writes fail. Collective.
  void close();
  // Gives up on a file whose writing failed, without closing it: HDF5 1.10 cannot always close
  // such a file (its close fails, and HDF5 then crashes when it shuts down), so it stays open until
  // HDF5 shuts down. The caller removes the file and must end the process without shutting HDF5
  // down (std::_Exit).
  void abandon();

  // A group with attributes. Collective.
  void create_group(const std::string& name, const std::vector<Attribute>& attributes = {});
  // Whether the group or dataset `name` exists (false when a parent does not), or with '@' the
  // root attribute "@name".
  bool exists(const std::string& name) const;
  std::vector<std::string> members(const std::string& group) const;  // in name order

  // Adds attributes to `object` ("/" for the root, or a group or dataset path). Collective.
  void write_attributes(const std::string& object, const std::vector<Attribute>& attributes);
  bool has_attribute(const std::string& object, const std::string& name) const;
  // Reads throw when the attribute is missing or has another type; strings must be fixed-length.
  std::string read_string_attribute(const std::string& object, const std::string& name) const;
  std::uint64_t read_u64_attribute(const std::string& object, const std::string& name) const;
  std::int64_t read_i64_attribute(const std::string& object, const std::string& name) const;
  double read_double_attribute(const std::string& object, const std::string& name) const;

  // Root attributes of results files: strings variable-length, like their string columns.
  void write_attribute(const std::string& name, const std::string& value);
  void write_attribute(const std::string& name, std::uint64_t value);
  std::string read_string_attribute(const std::string& name) const;
  std::uint64_t read_u64_attribute(const std::string& name) const;

  // Whole 1-D datasets, written at once (strings variable-length). Serial files.
  void write(const std::string& dataset, const std::vector<double>& values);
  void write(const std::string& dataset, const std::vector<std::int64_t>& values);
  void write(const std::string& dataset, const std::vector<std::uint64_t>& values);
  void write(const std::string& dataset, const std::vector<std::string>& values);
  std::vector<double> read_doubles(const std::string& dataset) const;
  std::vector<std::int64_t> read_int64s(const std::string& dataset) const;
  std::vector<std::uint64_t> read_u64s(const std::string& dataset) const;
  std::vector<std::string> read_strings(const std::string& dataset) const;

  // A 1-D dataset of `entries` elements with attributes, contiguous, its space allocated at once
  // and never filled (every element is written afterwards in blocks). Collective.
  Dataset create_dataset(const std::string& name, Element element, std::uint64_t entries,
                         const std::vector<Attribute>& attributes = {});
  Dataset open_dataset(const std::string& name) const;
  DatasetShape dataset_shape(const std::string& name) const;
  // Where a dataset's elements start in the file, in bytes (for `pase inspect` and for tests that
  // damage a file on purpose).
  std::uint64_t data_offset(const std::string& name) const;

 private:
  File(std::string path, std::int64_t id, bool parallel);
  void release_transfer_lists();
  std::string path_;
  std::int64_t id_ = -1;  // hid_t
  bool parallel_ = false;
  std::int64_t collective_ = -1, independent_ = -1;  // transfer property lists
};

}  // namespace pase::h5
