#include "pase/io/whole_file.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace pase {

std::string read_whole_file(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::invalid_argument(path + ": cannot open the " + what + " (does it exist?)");
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

}  // namespace pase
