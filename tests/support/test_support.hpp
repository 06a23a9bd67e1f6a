#pragma once
// Helpers shared by the tests: a temporary directory, whole files, relative comparison of doubles,
// and checking that an exception names a field. Running programs: support/commands.hpp.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <string>

namespace pase::test {

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it when destroyed (kept
// when PASE_KEEP_TEST_FILES is set).
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "pase-test-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    if (std::getenv("PASE_KEEP_TEST_FILES") != nullptr) return;
    // MPI helper processes may still be cleaning their session folder in here: try again until the
    // folder is gone.
    for (int attempt = 0; attempt < 50; ++attempt) {
      std::error_code ignored;
      std::filesystem::remove_all(path_, ignored);
      if (!std::filesystem::exists(path_, ignored)) return;
      usleep(100'000);
    }
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

  // Writes `text` to NAME in the directory and returns its path.
  std::string write(const std::string& name, const std::string& text) const {
    const auto p = path_ / name;
    std::ofstream out(p);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + p.string());
    return p.string();
  }

 private:
  std::filesystem::path path_;
};

inline void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// |actual - expected| <= tolerance * max(1, |expected|).
inline ::testing::AssertionResult near_relative(double actual, double expected, double tolerance = 1e-12) {
  const double scale = std::max(1.0, std::fabs(expected));
  if (std::fabs(actual - expected) <= tolerance * scale) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "actual " << actual << " differs from expected " << expected
                                       << " by more than " << tolerance << " relative (difference "
                                       << (actual - expected) << ")";
}

// Runs `body`, which must throw std::invalid_argument whose message contains every one of `parts`.
template <class... Parts>
::testing::AssertionResult throws_naming(const std::function<void()>& body, const Parts&... parts) {
  try {
    body();
  } catch (const std::invalid_argument& e) {
    const std::string message = e.what();
    for (const std::string& part : {std::string(parts)...})
      if (message.find(part) == std::string::npos)
        return ::testing::AssertionFailure() << "the message \"" << message << "\" does not contain \"" << part
                                             << "\"";
    return ::testing::AssertionSuccess();
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure() << "threw something other than std::invalid_argument: " << e.what();
  }
  return ::testing::AssertionFailure() << "did not throw";
}

}  // namespace pase::test
