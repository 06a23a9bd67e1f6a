#pragma once
// The pieces of text every report prints alike (pase search, pase plan, pase evaluate): numbers,
// configurations, the model, parameter and cluster lines, a memory breakdown.

#include <iosfwd>
#include <string>

#include "pase/cost/configs.hpp"
#include "pase/model/model_memory.hpp"
#include "pase/model/expression.hpp"
#include "pase/pipeline/search_settings.hpp"

namespace pase {

std::string fixed(double x, int digits);
std::string scientific(double x, int digits = 4);
std::string gb(double bytes);                   // "12.34 GB" (1e9 bytes)
std::string join(const Config& c);              // "1,2,1"
const char* precision_name(cluster::Precision p);
std::string params_line(const Parameters& params);  // "batch=16 d_in=1024", or "(none)"

// The `model`, `params` and `cluster` lines.
void print_model_and_cluster(std::ostream& out, const std::string& model, const std::string& file,
                             const SearchSettings& s, const Parameters& params);

// "weights 1.00 GB, gradients ..., reserve 1.50 GB"
std::string memory_text(const MemoryBreakdown& m);

}  // namespace pase
