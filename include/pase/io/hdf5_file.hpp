#pragma once
// The thin checked wrapper around the HDF5 C library: the only code that calls HDF5. Every call's
// result is checked; a failure throws Hdf5Error carrying the file, what was done and HDF5's own error
// stack (HDF5's automatic printing to stderr is switched off). Only 1-D datasets and scalar
// attributes, which is all the results files need.

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace pase::h5 {

struct Hdf5Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class File {
 public:
  // Creates (truncating) a file for writing, or opens an existing one for reading.
  static File create(const std::string& path);
  static File open_read_only(const std::string& path);
  ~File();
  File(File&& other) noexcept;
  File& operator=(File&&) = delete;
  File(const File&) = delete;

  const std::string& path() const { return path_; }
  void close();  // flushes; throws on failure (the destructor closes silently)

  void create_group(const std::string& name);
  bool exists(const std::string& name) const;  // a group, dataset or (with '@') root attribute "@name"
  std::vector<std::string> members(const std::string& group) const;

  void write_attribute(const std::string& name, const std::string& value);
  void write_attribute(const std::string& name, std::uint64_t value);
  std::string read_string_attribute(const std::string& name) const;
  std::uint64_t read_u64_attribute(const std::string& name) const;

  void write(const std::string& dataset, const std::vector<double>& values);
  void write(const std::string& dataset, const std::vector<std::int64_t>& values);
  void write(const std::string& dataset, const std::vector<std::uint64_t>& values);
  void write(const std::string& dataset, const std::vector<std::string>& values);
  std::vector<double> read_doubles(const std::string& dataset) const;
  std::vector<std::int64_t> read_int64s(const std::string& dataset) const;
  std::vector<std::uint64_t> read_u64s(const std::string& dataset) const;
  std::vector<std::string> read_strings(const std::string& dataset) const;

 private:
  File(std::string path, std::int64_t id) : path_(std::move(path)), id_(id) {}
  std::string path_;
  std::int64_t id_ = -1;  // hid_t
};

}  // namespace pase::h5
