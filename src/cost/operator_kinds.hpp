#pragma once
// Constructors of the operator kinds, one group per file; make_operator dispatches to them.

#include <memory>
#include <vector>

#include "pase/cost/operator.hpp"

namespace pase::operators {

using Inputs = std::vector<Shape>;
using Made = std::unique_ptr<Operator>;

Made conv(const Inputs& in, const Attributes& a);
Made pooling(const Inputs& in, const Attributes& a);
Made fully_connected(const Inputs& in, const Attributes& a);
Made einsum(const Inputs& in, const Attributes& a);
Made matmul(const Inputs& in, const Attributes& a);
Made embedding(const Inputs& in, const Attributes& a);
Made lstm(const Inputs& in, const Attributes& a);

Made elementwise(const Inputs& in, const Attributes& a);
Made norm(const Inputs& in, const Attributes& a);
Made batch_norm(const Inputs& in, const Attributes& a);
Made reduce_mean(const Inputs& in, const Attributes& a);
Made softmax(const Inputs& in, const Attributes& a);
Made softmax_cross_entropy(const Inputs& in, const Attributes& a);

Made concat(const Inputs& in, const Attributes& a);
Made split(const Inputs& in, const Attributes& a);
Made stack(const Inputs& in, const Attributes& a);
Made unstack(const Inputs& in, const Attributes& a);
Made ravel(const Inputs& in, const Attributes& a);
Made unravel(const Inputs& in, const Attributes& a);
Made reshape_axes(const Inputs& in, const Attributes& a);
Made transpose(const Inputs& in, const Attributes& a);

Made measured(const Inputs& in, const Attributes& a);

// Shared helpers.
void require_inputs(const Inputs& in, std::size_t count, const char* kind);
std::size_t normalize_axis(std::int64_t axis, std::size_t rank, const char* field);
std::vector<double> per_device(const Shape& shape, const Config& split);
double product_of(const std::vector<double>& v);
Config pick(const Config& c, const std::vector<std::size_t>& indices);
Config without(const Config& c, std::size_t index);
std::string default_letters(std::size_t rank);

}  // namespace pase::operators
