// A layer whose configurations and costs come from the model file (for example profiled numbers).
#include <sstream>
#include <stdexcept>

#include "operator_kinds.hpp"
#include "pase/limits.hpp"

namespace pase::operators {

namespace {

class Measured final : public Operator {
 public:
  Measured(const Inputs& in, const Attributes& a) {
    if (!in.empty()) throw std::invalid_argument("field 'in': a Measured layer takes no tensors; connect it with 'edges'");
    const auto width = a.integer("config_width");
    const auto flat = a.integers("configs");
    costs_ = a.numbers("costs");
    if (width < 1 || flat.empty() || flat.size() % static_cast<std::size_t>(width) != 0)
      throw std::invalid_argument("field 'configs': must be a non-empty list of equally long lists of integers");
    for (std::size_t i = 0; i < flat.size(); i += static_cast<std::size_t>(width))
      configs_.emplace_back(flat.begin() + static_cast<std::ptrdiff_t>(i),
                            flat.begin() + static_cast<std::ptrdiff_t>(i + static_cast<std::size_t>(width)));
    for (double c : costs_)
      if (!(c >= 0 && c <= limits::kMaxMeasuredCost)) {
        std::ostringstream text;
        text << "field 'costs': " << c << " is not a cost from 0 to " << limits::kMaxMeasuredCost;
        throw std::invalid_argument(text.str());
      }
    if (costs_.size() != configs_.size())
      throw std::invalid_argument("field 'costs': has " + std::to_string(costs_.size()) + " values for " +
                                  std::to_string(configs_.size()) + " configurations");
    domain_.assign(static_cast<std::size_t>(width), 1);
    for (const auto& c : configs_)
      for (std::size_t i = 0; i < c.size(); ++i) {
        if (c[i] < 1) throw std::invalid_argument("field 'configs': split counts must be at least 1");
        domain_[i] = std::max(domain_[i], c[i]);
      }
    split_domain_ = domain_;
    letters_ = default_letters(domain_.size());
  }
  std::vector<Config> configs(std::int64_t, std::int64_t) const override { return configs_; }
  std::vector<double> costs(const std::vector<Config>&, const CostMath&) const override { return costs_; }
  Config input_split(std::size_t, const Config&) const override { throw std::logic_error("Measured has no tensors"); }
  Config output_split(std::size_t, const Config&) const override { throw std::logic_error("Measured has no tensors"); }

  std::vector<LayerTime> times(const std::vector<Config>&, const HardwarePricing&) const override {
    throw std::invalid_argument("a Measured layer's costs are in the paper model's units; use --cost-model paper");
  }
  Work work(const Config&) const override { return {}; }
  // A measured layer's memory is not known: it counts nothing (src/cost/README.md).
  MemoryWork memory(const Config&) const override { return {}; }

 private:
  std::vector<Config> configs_;
  std::vector<double> costs_;
};

}  // namespace

Made measured(const Inputs& in, const Attributes& a) { return std::make_unique<Measured>(in, a); }

}  // namespace pase::operators
