#pragma once
// Reading model files (inputs/README.md). Every error is one line naming the file, the layer
// and the field, thrown as std::invalid_argument.

#include <string>
#include <vector>

#include "pase/model/network.hpp"

namespace pase {

// `overrides` are "name=value" strings (from --set); each must name an existing parameter.
Network load_model(const std::string& path, const std::vector<std::string>& overrides = {});

}  // namespace pase
