// Operators whose work is a (batched) GEMM: Conv, Pooling (its window), FC, Einsum and what builds on
// it (MatMul, Embedding), and LSTM.
#include <algorithm>
#include <set>
#include <stdexcept>

#include "operator_kinds.hpp"
#include "pase/limits.hpp"

namespace pase::operators {

namespace {

// Elementwise operations fused after the GEMM: a count in [0, kMaxPointwiseOps], never truncated.
int pointwise_ops(const Attributes& a) {
  const auto n = a.integer_or("pointwise_ops", 0);
  if (n < 0 || n > limits::kMaxPointwiseOps)
    throw std::invalid_argument("field 'pointwise_ops': " + std::to_string(n) + " is outside 0.." +
                                std::to_string(limits::kMaxPointwiseOps));
  return static_cast<int>(n);
}

std::int64_t windowed_size(std::int64_t size, std::int64_t window, std::int64_t stride, std::int64_t pad,
                           const char* field) {
  if (stride < 1) throw std::invalid_argument("field 'stride': must be at least 1");
  if (pad < 0) throw std::invalid_argument("field 'pad': must not be negative");
  std::int64_t padded = 0;
  if (__builtin_mul_overflow(pad, 2, &padded) || __builtin_add_overflow(padded, size, &padded))
    throw std::invalid_argument("field 'pad': " + std::to_string(pad) + " is too large");
  if (window < 1 || padded < window)
    throw std::invalid_argument(std::string("field '") + field + "': a window of " + std::to_string(window) +
                                " does not fit an input of " + std::to_string(size) + " with padding " +
                                std::to_string(pad));
  return (padded - window) / stride + 1;
}

// A GEMM layer keeps its inputs for the backward pass and, with fused element-wise ops (an
// activation), the GEMM's output, which the activation's gradient reads.
MemoryWork gemm_memory(const Operator& op, const Work& w, int pointwise_ops, double parameters) {
  MemoryWork m = op.Operator::memory({});
  m.parameters = parameters;
  if (pointwise_ops > 0) {
    const GemmWork& g = w.gemms.front();
    m.saved_elements = g.batches * g.m * g.n;
  }
  return m;
}

void require_rank(const Shape& s, std::size_t rank, const char* kind) {
  if (s.size() != rank)
    throw std::invalid_argument(std::string("field 'in': ") + kind + " needs a rank-" + std::to_string(rank) +
                                " input, got rank " + std::to_string(s.size()));
}

class Conv final : public Operator {
 public:
  Conv(const Inputs& in, const Attributes& a) : pointwise_ops_(pointwise_ops(a)) {
    require_inputs(in, 1, "Conv");
    require_rank(in[0], 4, "Conv");
    const auto filter = a.integers("filter");
    if (filter.size() != 4) throw std::invalid_argument("field 'filter': must be [out_channels, in_channels, r, s]");
    const auto b = in[0][0], c = in[0][1], h = in[0][2], w = in[0][3];
    const auto n = filter[0], r = filter[2], s = filter[3];
    // A grouped convolution (groups g) reduces over c/g input channels per output channel.
    const auto groups = a.has("groups") ? a.integer_or("groups", 1) : 1;
    if (groups < 1 || c % groups != 0 || n % groups != 0)
      throw std::invalid_argument("field 'groups': " + std::to_string(groups) +
                                  " must divide the input and output channels");
    if (filter[1] != c / groups)
      throw std::invalid_argument("field 'filter': in_channels " + std::to_string(filter[1]) +
                                  " does not match the input's " + std::to_string(c) + " channels / groups " +
                                  std::to_string(groups));
    const auto stride = a.pair_or("stride", 1), pad = a.pair_or("pad", 0);
    const auto dilation = a.has("dilation") ? a.pair_or("dilation", 1) : std::vector<std::int64_t>{1, 1};
    if (dilation[0] < 1 || dilation[1] < 1) throw std::invalid_argument("field 'dilation': must be at least 1");
    const auto ho = windowed_size(h, (r - 1) * dilation[0] + 1, stride[0], pad[0], "filter");
    const auto wo = windowed_size(w, (s - 1) * dilation[1] + 1, stride[1], pad[1], "filter");
    letters_ = "bchwrsn";
    domain_ = {b, filter[1], ho, wo, r, s, n};
    split_domain_ = {b, filter[1], 1, 1, r, s, n};  // the prototype never splits a convolution's h and w
    inputs_ = in;
    outputs_ = {{b, n, ho, wo}};
  }
  Config input_split(std::size_t, const Config& c) const override { return {c[0], c[1], c[2], c[3]}; }
  Config output_split(std::size_t, const Config& c) const override { return {c[0], c[6], c[2], c[3]}; }

  Work work(const Config& c) const override {
    const auto& d = domain_;
    const double cm = static_cast<double>(c[0] * c[2] * c[3]), cn = static_cast<double>(c[6]);
    const double ck = static_cast<double>(c[1] * c[4] * c[5]);
    const double m = static_cast<double>(d[0] * d[2] * d[3]) / cm, n = static_cast<double>(d[6]) / cn;
    const double k = static_cast<double>(d[1] * d[4] * d[5]) / ck;
    Work w;
    GemmWork g{.batches = 1.0, .m = m, .n = n, .k = k, .cm = cm, .cn = cn, .ck = ck,
               .pointwise_ops = pointwise_ops_, .kind = ComputeKind::convolution};
    g.m_dims = {0, 2, 3};
    g.n_dims = {6};
    g.k_dims = {1, 4, 5};
    w.add(std::move(g));
    return w;
  }
  MemoryWork memory(const Config& c) const override {
    const auto& d = domain_;
    // The filter: out_channels x in_channels / groups x r x s, split by n, c, r and s.
    const double filter = static_cast<double>(d[6] * d[1] * d[4] * d[5]) / static_cast<double>(c[6] * c[1] * c[4] * c[5]);
    return gemm_memory(*this, work(c), pointwise_ops_, filter);
  }

 private:
  int pointwise_ops_;
};

class Pooling final : public Operator {
 public:
  Pooling(const Inputs& in, const Attributes& a) {
    require_inputs(in, 1, "Pooling");
    require_rank(in[0], 4, "Pooling");
    const auto window = a.pair_or("window", 1);
    if (!a.has("window")) throw std::invalid_argument("field 'window': missing; it must be [r, s]");
    r_ = static_cast<double>(window[0]);
    s_ = static_cast<double>(window[1]);
    const auto stride = a.pair_or("stride", 1), pad = a.pair_or("pad", 0);
    const auto ho = windowed_size(in[0][2], window[0], stride[0], pad[0], "window");
    const auto wo = windowed_size(in[0][3], window[1], stride[1], pad[1], "window");
    letters_ = "bchw";
    domain_ = split_domain_ = {in[0][0], in[0][1], ho, wo};
    inputs_ = in;
    outputs_ = {domain_};
  }
  Config input_split(std::size_t, const Config& c) const override { return c; }
  Config output_split(std::size_t, const Config& c) const override { return c; }

  Work work(const Config& c) const override {
    const auto part = per_device(inputs_[0], c);
    Work w;
    // Forward reads the input and writes the output, backward reads the output's gradient and
    // writes the input's: about four passes over the input part.
    w.add(StreamWork{.paper_flop = product_of(per_device(domain_, c)), .elements = product_of(part), .passes = 4});
    w.add(HaloWork{.b = part[0], .c = part[1], .h = part[2], .w = part[3], .r = r_, .s = s_,
                   .h_split = c[2] > 1, .w_split = c[3] > 1, .group = {2, 3}});
    return w;
  }

 private:
  double r_ = 1, s_ = 1;
};

class FullyConnected final : public Operator {
 public:
  FullyConnected(const Inputs& in, const Attributes& a)
      : pointwise_ops_(pointwise_ops(a)) {
    require_inputs(in, 1, "FC");
    if (in[0].size() < 2) throw std::invalid_argument("field 'in': FC needs an input of rank 2 or more");
    const auto units = a.integer("units");
    if (units < 1) throw std::invalid_argument("field 'units': must be at least 1");
    domain_ = Shape(in[0].begin(), in[0].end() - 1);
    domain_.push_back(units);
    domain_.push_back(in[0].back());
    split_domain_ = domain_;
    letters_ = std::string("blmopq").substr(0, in[0].size() - 1) + "nk";
    inputs_ = in;
    outputs_ = {Shape(domain_.begin(), domain_.end() - 1)};
  }
  Config input_split(std::size_t, const Config& c) const override { return without(c, c.size() - 2); }
  Config output_split(std::size_t, const Config& c) const override { return Config(c.begin(), c.end() - 1); }

  Work work(const Config& c) const override {
    const std::size_t lead = domain_.size() - 2;
    double m_size = 1.0, cm = 1.0;
    GemmWork g;
    for (std::size_t i = 0; i < lead; ++i) {
      m_size *= static_cast<double>(domain_[i]);
      cm *= static_cast<double>(c[i]);
      g.m_dims.push_back(i);
    }
    const double cn = static_cast<double>(c[lead]), ck = static_cast<double>(c[lead + 1]);
    g.batches = 1.0;
    g.m = m_size / cm;
    g.n = static_cast<double>(domain_[lead]) / cn;
    g.k = static_cast<double>(domain_[lead + 1]) / ck;
    g.cm = cm;
    g.cn = cn;
    g.ck = ck;
    g.pointwise_ops = pointwise_ops_;
    g.n_dims = {lead};
    g.k_dims = {lead + 1};
    Work w;
    w.add(std::move(g));
    return w;
  }
  MemoryWork memory(const Config& c) const override {
    const Work w = work(c);
    return gemm_memory(*this, w, pointwise_ops_, w.gemms.front().n * w.gemms.front().k);  // units x inputs
  }

 private:
  int pointwise_ops_;
};

struct EinsumEquation {
  std::string first, second, output;
};

EinsumEquation parse_equation(const std::string& eq) {
  const auto arrow = eq.find("->"), comma = eq.find(',');
  if (arrow == std::string::npos || comma == std::string::npos || comma > arrow)
    throw std::invalid_argument("field 'equation': '" + eq + "' is not of the form 'ab,bc->ac'");
  EinsumEquation e{eq.substr(0, comma), eq.substr(comma + 1, arrow - comma - 1), eq.substr(arrow + 2)};
  for (const std::string* part : {&e.first, &e.second, &e.output}) {
    if (part->empty()) throw std::invalid_argument("field 'equation': '" + eq + "' has an empty operand");
    std::set<char> seen;
    for (char ch : *part) {
      if (!std::isalpha(static_cast<unsigned char>(ch)))
        throw std::invalid_argument("field 'equation': '" + eq + "' may only use letters");
      if (!seen.insert(ch).second)
        throw std::invalid_argument("field 'equation': '" + eq + "' repeats '" + std::string(1, ch) +
                                    "' within one operand");
    }
  }
  return e;
}

bool contains(const std::string& s, char c) { return s.find(c) != std::string::npos; }

class Einsum : public Operator {
 public:
  Einsum(const Inputs& in, const std::string& equation, int pointwise_ops) : pointwise_ops_(pointwise_ops) {
    require_inputs(in, 2, "Einsum");
    const auto e = parse_equation(equation);
    if (e.first.size() != in[0].size() || e.second.size() != in[1].size())
      throw std::invalid_argument("field 'equation': '" + equation + "' does not match the input ranks " +
                                  std::to_string(in[0].size()) + " and " + std::to_string(in[1].size()));
    std::string reduction;
    for (char ch : e.first)
      if (contains(e.second, ch) && !contains(e.output, ch)) reduction += ch;
    for (char ch : e.output)
      if (!contains(e.first, ch) && !contains(e.second, ch))
        throw std::invalid_argument("field 'equation': output letter '" + std::string(1, ch) +
                                    "' is in neither input");
    for (const auto& [operand, other] : {std::pair{e.first, e.second}, std::pair{e.second, e.first}})
      for (char ch : operand)
        if (!contains(other, ch) && !contains(e.output, ch))
          throw std::invalid_argument("field 'equation': letter '" + std::string(1, ch) +
                                      "' is reduced within one operand, which is not supported");
    letters_ = e.output + reduction;
    domain_.assign(letters_.size(), 0);
    for (std::size_t i = 0; i < letters_.size(); ++i) domain_[i] = size_of(letters_[i], e, in);
    split_domain_ = domain_;
    for (char ch : letters_) {
      const bool a = contains(e.first, ch), b = contains(e.second, ch);
      auto& group = a && b ? (contains(e.output, ch) ? batch_ : reduce_) : (a ? m_ : n_);
      group.push_back(letters_.find(ch));
    }
    if (m_.empty() || n_.empty())
      throw std::invalid_argument("field 'equation': '" + equation +
                                  "' needs a letter only in the first input and one only in the second");
    for (char ch : e.first) first_.push_back(letters_.find(ch));
    for (char ch : e.second) second_.push_back(letters_.find(ch));
    for (char ch : e.output) out_.push_back(letters_.find(ch));
    inputs_ = in;
    outputs_ = {pick(domain_, out_)};
  }
  Config input_split(std::size_t i, const Config& c) const override { return pick(c, i == 0 ? first_ : second_); }
  Config output_split(std::size_t, const Config& c) const override { return pick(c, out_); }

  Work work(const Config& c) const override {
    double batches = 1.0;
    for (auto i : batch_) batches *= static_cast<double>(domain_[i]) / static_cast<double>(c[i]);
    const auto [m, cm] = group(m_, c);
    const auto [n, cn] = group(n_, c);
    const auto [k, ck] = group(reduce_, c);
    GemmWork g{.batches = batches, .m = m / cm, .n = n / cn, .k = k / ck, .cm = cm, .cn = cn, .ck = ck,
               .pointwise_ops = pointwise_ops_};
    g.m_dims = m_;
    g.n_dims = n_;
    g.k_dims = reduce_;
    Work w;
    w.add(std::move(g));
    return w;
  }
  // Weights are inline inputs, counted by the layer.
  MemoryWork memory(const Config& c) const override { return gemm_memory(*this, Einsum::work(c), pointwise_ops_, 0.0); }

 protected:
  const std::vector<std::size_t>& m_dims() const { return m_; }
  const std::vector<std::size_t>& n_dims() const { return n_; }
  const std::vector<std::size_t>& reduce_dims() const { return reduce_; }

 private:
  static std::int64_t size_of(char ch, const EinsumEquation& e, const Inputs& in) {
    const auto a = e.first.find(ch), b = e.second.find(ch);
    if (a != std::string::npos && b != std::string::npos && in[0][a] != in[1][b])
      throw std::invalid_argument("field 'in': dimension '" + std::string(1, ch) + "' is " + std::to_string(in[0][a]) +
                                  " in the first input and " + std::to_string(in[1][b]) + " in the second");
    return a != std::string::npos ? in[0][a] : in[1][b];
  }
  std::pair<double, double> group(const std::vector<std::size_t>& dims, const Config& c) const {
    double size = 1.0, split = 1.0;
    for (auto i : dims) {
      size *= static_cast<double>(domain_[i]);
      split *= static_cast<double>(c[i]);
    }
    return {size, split};
  }

  int pointwise_ops_;
  std::vector<std::size_t> batch_, m_, n_, reduce_, first_, second_, out_;
};

class Lstm final : public Operator {
 public:
  Lstm(const Inputs& in, const Attributes& a) {
    require_inputs(in, 1, "LSTM");
    require_rank(in[0], 3, "LSTM");
    const auto units = a.integer("units"), layers = a.integer("layers");
    if (layers < 1) throw std::invalid_argument("field 'layers': must be at least 1");
    if (in[0][2] != units)
      throw std::invalid_argument("field 'units': " + std::to_string(units) + " does not match the input's last dimension " +
                                  std::to_string(in[0][2]));
    const auto batch = in[0][0], seq = in[0][1];
    letters_ = "slbnk";
    domain_ = {layers, seq, batch, units, units};
    split_domain_ = {layers, 1, batch, units, units};  // the sequence is never split
    inputs_ = in;
    outputs_ = in;
  }
  Config input_split(std::size_t, const Config& c) const override { return {c[2], c[1], c[4]}; }
  Config output_split(std::size_t, const Config& c) const override { return {c[2], c[1], c[3]}; }

  Work work(const Config& c) const override {
    const auto& d = domain_;
    const double cm = static_cast<double>(c[1] * c[2]);
    // One fused GEMM for the four gates (n) over input and hidden state (k), one time step after
    // the other.
    GemmWork g{.batches = static_cast<double>(d[0]) / static_cast<double>(c[0]),
               .m = static_cast<double>(d[1] * d[2]) / cm,
               .n = static_cast<double>(4 * d[3]) / static_cast<double>(c[3]),
               .k = static_cast<double>(2 * d[4]) / static_cast<double>(c[4]),
               .cm = cm, .cn = static_cast<double>(c[3]), .ck = static_cast<double>(c[4]), .pointwise_ops = 3,
               .steps = static_cast<double>(d[1])};
    g.m_dims = {1, 2};
    g.n_dims = {3};
    g.k_dims = {4};
    // Frameworks (cuDNN) run the input's share of k as one GEMM over all time steps and only the
    // hidden state's share step by step; the prototype prices one fused GEMM of both.
    g.paper_only = true;
    GemmWork input = g, recurrent = g;
    input.paper_only = recurrent.paper_only = false;
    input.hardware_only = recurrent.hardware_only = true;
    input.k = recurrent.k = g.k / 2.0;
    input.steps = 1.0;
    input.pointwise_ops = 0;
    Work w;
    w.add(std::move(g));
    w.add(std::move(input));
    w.add(std::move(recurrent));
    // Each cell's output (b, n) is re-laid out as the next cell's input (b, k).
    const std::vector<double> out_part{static_cast<double>(d[2]) / static_cast<double>(c[2]),
                                       static_cast<double>(d[3]) / static_cast<double>(c[3])};
    const std::vector<double> in_part{static_cast<double>(d[2]) / static_cast<double>(c[2]),
                                      static_cast<double>(d[4]) / static_cast<double>(c[4])};
    const double words = words_needed(out_part, in_part, static_cast<double>(c[2] * c[3]), static_cast<double>(c[2] * c[4]));
    const double cells = static_cast<double>(d[0] * d[1]);
    w.add(CollectiveWork{.kind = CollectiveKind::transfer, .paper_words = words, .paper_times = cells,
                         .elements = words, .times = cells, .group = {3, 4}});
    return w;
  }
  MemoryWork memory(const Config& c) const override {
    const auto& d = domain_;
    MemoryWork m = Operator::memory(c);
    // Each layer's fused gate weights: 4 units x (input + hidden state).
    m.parameters = static_cast<double>(d[0] * 4 * d[3] * 2 * d[4]) / static_cast<double>(c[0] * c[3] * c[4]);
    // Per layer, time step and sequence: four gates, the cell state and the hidden state (cuDNN's
    // reserve space holds about this much).
    m.saved_elements = static_cast<double>(d[0]) / static_cast<double>(c[0]) * static_cast<double>(d[1]) *
                       static_cast<double>(d[2]) / static_cast<double>(c[2]) * 6.0 * static_cast<double>(d[3]) /
                       static_cast<double>(c[3]);
    m.recompute_elements = m.saved_elements;  // recomputing a recurrence is not offered
    return m;
  }
};

std::string batch_letters(std::size_t count) {
  static const std::string letters = "bhgfedc";
  if (count > letters.size()) throw std::invalid_argument("field 'in': tensor rank is too large");
  return letters.substr(0, count);
}

}  // namespace

Made conv(const Inputs& in, const Attributes& a) { return std::make_unique<Conv>(in, a); }
Made pooling(const Inputs& in, const Attributes& a) { return std::make_unique<Pooling>(in, a); }
Made fully_connected(const Inputs& in, const Attributes& a) { return std::make_unique<FullyConnected>(in, a); }
Made lstm(const Inputs& in, const Attributes& a) { return std::make_unique<Lstm>(in, a); }

Made einsum(const Inputs& in, const Attributes& a) {
  return std::make_unique<Einsum>(in, a.text("equation"), pointwise_ops(a));
}

Made matmul(const Inputs& in, const Attributes& a) {
  require_inputs(in, 2, "MatMul");
  if (in[0].size() != in[1].size() || in[0].size() < 2)
    throw std::invalid_argument("field 'in': MatMul needs two inputs of the same rank, at least 2");
  const auto batch = batch_letters(in[0].size() - 2);
  const std::string equation = batch + "mk," + batch + "kn->" + batch + "mn";
  return std::make_unique<Einsum>(in, equation, pointwise_ops(a));
}

namespace {

// The prototype prices an embedding as a one-hot GEMM (ids x vocab by vocab x dim); frameworks run
// it as a gather of rows forward and a scatter-add into the table's gradient backward. The paper
// pricing keeps the GEMM; the hardware pricing sees the gather.
class Embedding final : public Einsum {
 public:
  using Einsum::Einsum;
  Work work(const Config& c) const override {
    Work w = Einsum::work(c);
    GemmWork& gemm = w.gemms.front();
    gemm.paper_only = true;
    const double rows = gemm.batches * gemm.m, width = gemm.n;
    // Gather: read a row, write it; scatter-add: read the gradient, read and write the table row.
    w.add(StreamWork{.paper_flop = 0.0, .elements = rows * width, .passes = 5});
    // With the vocabulary split, each device looks up the ids in its rows and the parts are summed.
    w.add(CollectiveWork{.paper_words = 0.0, .elements = rows * width, .group = reduce_dims()});
    // The table's gradient (vocab x dim per device, dense as DDP keeps it) over the id dimensions.
    w.add(CollectiveWork{.paper_words = 0.0, .elements = gemm.k * gemm.n, .gradient = true, .group = m_dims()});
    return w;
  }
  // The table's rows (vocab x dim) are the parameters; the backward pass reads only the ids.
  MemoryWork memory(const Config& c) const override {
    const GemmWork gemm = Einsum::work(c).gemms.front();
    MemoryWork m;
    m.parameters = gemm.k * gemm.n;
    m.saved_elements = m.recompute_elements = gemm.batches * gemm.m;
    return m;
  }
};

}  // namespace

Made embedding(const Inputs& in, const Attributes& a) {
  require_inputs(in, 1, "Embedding");
  const auto vocab = a.integer("vocab"), dim = a.integer("dim");
  if (vocab < 1 || dim < 1) throw std::invalid_argument("field 'vocab'/'dim': must be at least 1");
  const std::string ids = std::string("blmopq").substr(0, in[0].size());
  if (in[0].empty() || in[0].size() > 6) throw std::invalid_argument("field 'in': Embedding ids must have rank 1 to 6");
  Shape one_hot = in[0];
  one_hot.push_back(vocab);
  const std::string equation = ids + "v,ve->" + ids + "e";
  return std::make_unique<Embedding>(Inputs{one_hot, {vocab, dim}}, equation, 0);
}

}  // namespace pase::operators
