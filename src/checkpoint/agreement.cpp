#include "pase/checkpoint/agreement.hpp"

#include <exception>

namespace pase {

std::string agree(Collectives& comm, const std::function<void()>& action) {
  std::string message;
  bool failed = false;
  try {
    action();
  } catch (const std::exception& e) {
    failed = true;
    message = e.what();
  } catch (...) {
    failed = true;
    message = "unknown error";
  }
  // The lowest failing rank r contributes size - r, the largest of all.
  const std::int64_t size = comm.size();
  const std::int64_t top = comm.allreduce_max(failed ? size - comm.rank() : 0);
  if (top == 0) return "";
  const int first = static_cast<int>(size - top);
  std::string agreed = comm.broadcast(message, first);
  if (agreed.empty()) agreed = "failed";
  return first == 0 ? agreed : "rank " + std::to_string(first) + ": " + agreed;
}

}  // namespace pase
