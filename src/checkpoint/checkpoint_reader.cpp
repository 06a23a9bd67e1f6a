#include "pase/checkpoint/checkpoint_reader.hpp"

#include <algorithm>
#include <filesystem>
#include <map>

#include "pase/checkpoint/agreement.hpp"
#include "pase/checkpoint/checkpoint_errors.hpp"
#include "pase/checkpoint/checkpoint_seal.hpp"
#include "pase/checkpoint/table_checksum.hpp"
#include "pase/io/atomic_replace.hpp"

namespace pase {

namespace {

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// Reads entries [begin, end) of a table into `values` (doubles) or `argmin` (by width).
void read_range(const h5::File& f, const TableRecord& t, std::uint64_t begin, std::uint64_t end,
                std::vector<double>& values, ArgminTable& argmin) {
  const h5::Dataset dataset = f.open_dataset(t.dataset);
  if (t.costs) {
    values.assign(end - begin, 0.0);
    dataset.read_block(t.element, begin, end - begin, values.data());
  } else {
    argmin.width = h5::element_bytes(t.element);
    argmin.resize(end - begin);
    dataset.read_block(t.element, begin, end - begin, argmin.bytes.data());
  }
}

}  // namespace

CheckpointReader::CheckpointReader(const std::string& path, Collectives& comm) : path_(path), comm_(comm) {
  if (ends_with(path, temporary_path(""))) {
    const std::string target = path.substr(0, path.size() - temporary_path("").size());
    throw CheckpointRefused(path + ": a temporary file left by a checkpoint write that did not finish; resume from " +
                            target + " (the last complete checkpoint) instead");
  }
  std::string error = agree(comm_, [&] {
    std::error_code code;
    const auto status = std::filesystem::status(path_, code);
    if (std::filesystem::is_directory(status))
      throw std::runtime_error("is a folder, not a checkpoint; name the checkpoint file that --checkpoint wrote");
    if (std::filesystem::exists(status) && !std::filesystem::is_regular_file(status))
      throw std::runtime_error("is not a regular file (a device or FIFO), not a checkpoint; name the checkpoint file "
                               "that --checkpoint wrote");
    if (!std::filesystem::is_regular_file(status)) throw std::runtime_error("no such checkpoint file (check the path)");
    file_bytes_ = std::filesystem::file_size(path_, code);
    if (file_bytes_ == 0) throw std::runtime_error("the file is empty (not a checkpoint)");
  });
  if (!error.empty()) refuse(error);
  check_seal(path_, comm_);  // before HDF5 parses anything
  error = agree(comm_, [&] { file_.emplace(h5::File::open_read_only(path_, h5::Driver::across(comm_))); });
  if (!error.empty()) {
    // A partial failure leaves some ranks with an open file: close it with the others.
    file_.reset();
    const auto at = error.find(path_ + ": ");
    if (at != std::string::npos) error.erase(at, path_.size() + 2);
    refuse("cannot read it as a checkpoint: " + error + "; the file is damaged, truncated or not a checkpoint");
  }
  error = agree(comm_, [&] { read_header(); });
  if (!error.empty()) {
    file_.reset();
    throw CheckpointRefused(error);
  }
}

void CheckpointReader::refuse(const std::string& what) const { throw CheckpointRefused(path_ + ": " + what); }

void CheckpointReader::read_header() {
  const h5::File& f = *file_;
  auto damaged = [&](const std::exception& e) {
    std::string what = e.what();
    const auto at = what.find(path_ + ": ");
    if (at == 0) what.erase(0, path_.size() + 2);
    refuse("damaged checkpoint: " + what);
  };
  if (!f.has_attribute("/", "format") || f.read_string_attribute("/", "format") != checkpoint_format_name)
    refuse(std::string("not a pase checkpoint (its root has no attribute format = \"") + checkpoint_format_name +
           "\"); give a file written by 'pase search --checkpoint'");
  CheckpointHeader& h = header_;
  try {
    h.format_version = f.read_u64_attribute("/", "format_version");
    h.writer = f.read_string_attribute("/", "writer");
  } catch (const std::exception& e) {
    damaged(e);
  }
  if (h.format_version != checkpoint_format_version)
    refuse("checkpoint format version " + std::to_string(h.format_version) + " (written by " + h.writer +
           "); this pase reads version " + std::to_string(checkpoint_format_version) +
           ": resume with the pase that wrote it");
  try {
    h.model_file = f.read_string_attribute("/", "model_file");
    h.header_checksum = f.read_string_attribute("/", "header_checksum");
    for (const auto& name : fingerprint_field_names())
      h.fingerprint.fields.push_back({name, f.read_string_attribute("/fingerprint", name)});
    h.steps_done = f.read_u64_attribute("/progress", "steps_done");
    h.steps_total = f.read_u64_attribute("/progress", "steps_total");
    h.cells_done = f.read_u64_attribute("/progress", "cells_done");
    h.cells_total = f.read_u64_attribute("/progress", "cells_total");
    h.dp_minimum = f.read_double_attribute("/progress", "dp_minimum");
    h.last_vertex = f.read_string_attribute("/progress", "last_vertex");
    for (bool costs : {false, true}) {
      const std::string group = costs ? "/costs" : "/argmin";
      for (const std::string& name : f.members(group)) {
        TableRecord t;
        t.dataset = group + "/" + name;
        t.costs = costs;
        const std::int64_t step = f.read_i64_attribute(t.dataset, "step");
        if (step < 0 || step >= static_cast<std::int64_t>(h.steps_total) ||
            table_dataset(static_cast<int>(step), costs) != t.dataset)
          throw std::runtime_error("table " + t.dataset + " has a wrong step attribute");
        t.step = static_cast<int>(step);
        t.vertex = f.read_string_attribute(t.dataset, "vertex");
        t.checksum = f.read_u64_attribute(t.dataset, "checksum");
        const h5::DatasetShape shape = f.dataset_shape(t.dataset);
        if ((shape.element == h5::Element::f64) != costs)
          throw std::runtime_error("table " + t.dataset + " has the wrong element type " +
                                   h5::to_string(shape.element));
        t.element = shape.element;
        t.entries = shape.entries;
        h.tables.push_back(t);
      }
    }
  } catch (const CheckpointRefused&) {
    throw;
  } catch (const std::exception& e) {
    damaged(e);
  }
}

void CheckpointReader::verify() {
  const CheckpointHeader& h = header_;
  if (header_digest(h) != h.header_checksum)
    refuse("damaged checkpoint: its header checksum does not match its attributes (" + h.header_checksum +
           " stored); start a new checkpoint or use an intact copy");
  if (h.steps_done > h.steps_total || h.cells_done > h.cells_total)
    refuse("damaged checkpoint: progress " + std::to_string(h.steps_done) + " of " + std::to_string(h.steps_total) +
           " steps is impossible");
  std::vector<std::uint64_t> sums(h.tables.size(), 0);
  const std::string error = agree(comm_, [&] {
    std::vector<double> values;
    ArgminTable argmin;
    for (std::size_t i = 0; i < h.tables.size(); ++i) {
      const TableRecord& t = h.tables[i];
      const EntryRange mine = even_share(t.entries, comm_.rank(), comm_.size());
      read_range(*file_, t, mine.begin, mine.end, values, argmin);
      const std::uint64_t salt = table_salt(t.step, t.costs);
      sums[i] = t.costs ? checksum_part(salt, values.data(), mine.begin, mine.begin, mine.size())
                        : checksum_part(salt, argmin, mine.begin, mine.begin, mine.size());
    }
  });
  if (!error.empty()) refuse("damaged checkpoint: " + error);
  comm_.allreduce_sum(sums);
  for (std::size_t i = 0; i < h.tables.size(); ++i)
    if (sums[i] != h.tables[i].checksum)
      refuse("damaged checkpoint: table " + h.tables[i].dataset +
             " does not match its checksum (its contents changed after it was written); start a new checkpoint");
}

DpState CheckpointReader::load(const Problem& problem, const Plan& plan, const Distribution& distribution) {
  const CheckpointHeader& h = header_;
  const auto done = static_cast<int>(h.steps_done);
  // The tables the checkpoint must hold for this plan, exactly.
  std::map<std::string, const TableRecord*> by_name;
  for (const TableRecord& t : h.tables) by_name[t.dataset] = &t;
  std::size_t expected = 0;
  auto expect = [&](int s, bool costs) -> const TableRecord& {
    ++expected;
    const PlanStep& step = plan.steps[s];
    const auto it = by_name.find(table_dataset(s, costs));
    const unsigned width = costs ? 8 : step.argmin_bytes_per_entry;
    if (it == by_name.end() || it->second->entries != step.entries || h5::element_bytes(it->second->element) != width)
      refuse("its tables do not fit this search's plan (" + table_dataset(s, costs) +
             " is missing or has another size); the checkpoint belongs to another search");
    return *it->second;
  };
  if (h.steps_total != plan.steps.size())
    refuse("written for a plan of " + std::to_string(h.steps_total) + " steps, this search has " +
           std::to_string(plan.steps.size()) + "; the checkpoint belongs to another search");
  std::vector<const TableRecord*> argmins(done), costs(done, nullptr);
  for (int s = 0; s < done; ++s) argmins[s] = &expect(s, false);
  for (int s = 0; s < done; ++s)
    if (plan.steps[s].consumer_step >= done) costs[s] = &expect(s, true);
  if (expected != h.tables.size()) refuse("it holds tables that this search's plan does not have");

  DpState state;
  state.steps_done = done;
  state.dp_minimum = h.dp_minimum;
  state.steps.resize(plan.steps.size());
  const int rank = comm_.rank();
  const std::string error = agree(comm_, [&] {
    std::vector<double> unused;
    ArgminTable unused_argmin;
    for (int s = 0; s < done; ++s) {
      StepData& data = state.steps[s];
      const BlockRange a = owned_block(problem, plan, distribution, s, rank);
      read_range(*file_, *argmins[s], a.begin, a.end, unused, data.argmin);
      data.argmin_origin = a.begin;
      const std::uint32_t configs = static_cast<std::uint32_t>(problem.config_count(plan.steps[s].vertex));
      for (std::uint64_t i = 0; i < data.argmin.size(); ++i)
        if (data.argmin.at(i) >= configs)
          throw std::runtime_error("table " + argmins[s]->dataset + " names configuration " +
                                   std::to_string(data.argmin.at(i)) + " of a vertex with " + std::to_string(configs));
      if (costs[s] == nullptr) continue;
      const BlockRange c = distribution.modes[s] == TableMode::block ? owned_block(problem, plan, distribution, s, rank)
                                                                     : BlockRange{0, plan.steps[s].entries};
      read_range(*file_, *costs[s], c.begin, c.end, data.costs, unused_argmin);
      data.costs_origin = c.begin;
    }
  });
  if (!error.empty()) refuse("damaged checkpoint: " + error);
  return state;
}

void CheckpointReader::close() {
  const std::string error = agree(comm_, [&] {
    if (file_) file_->close();
  });
  file_.reset();
  if (!error.empty()) refuse(error);
}

}  // namespace pase
