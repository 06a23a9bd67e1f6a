#pragma once
// Running a piece of checkpoint work on every rank and agreeing on whether it worked, so that all
// ranks take the same path afterwards and none is left waiting alone in a collective call.

#include <functional>
#include <string>

#include "pase/search/collectives.hpp"

namespace pase {

// Runs `action` on this rank, then (collectively) returns "" when it succeeded on every rank, else
// the message of the lowest-numbered rank where it threw, prefixed with "rank R: " when R != 0.
// `action` must contain at most one collective call, as its last statement.
std::string agree(Collectives& comm, const std::function<void()>& action);

}  // namespace pase
