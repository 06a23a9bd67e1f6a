#pragma once
// Refuses JSON text nested deeper than limits::kMaxJsonDepth before it is parsed: the JSON library
// copies, compares and prints values recursively, so a document of 100,000 nested arrays would
// overflow the stack later, far from where it was read.

#include <stdexcept>
#include <string>
#include <string_view>

#include "pase/limits.hpp"

namespace pase {

inline void check_json_depth(std::string_view text, const std::string& file) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limits::kMaxJsonDepth)
        throw std::invalid_argument(file + ": lists and objects nest more than " +
                                    std::to_string(limits::kMaxJsonDepth) + " deep; simplify the file");
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
}

}  // namespace pase
