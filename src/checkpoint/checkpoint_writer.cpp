#include "pase/checkpoint/checkpoint_writer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <thread>

#include "pase/checkpoint/agreement.hpp"
#include "pase/checkpoint/checkpoint_errors.hpp"
#include "pase/checkpoint/checkpoint_layout.hpp"
#include "pase/checkpoint/checkpoint_seal.hpp"
#include "pase/checkpoint/checkpoint_space.hpp"
#include "pase/checkpoint/table_checksum.hpp"
#include "pase/checkpoint/test_hooks.hpp"
#include "pase/io/atomic_replace.hpp"

namespace pase {

namespace {

// Larger blocks are written in pieces of this many elements (MPI counts are ints).
constexpr std::uint64_t piece_elements = 1ull << 26;

h5::Element argmin_element(unsigned width) {
  return width == 1 ? h5::Element::u8 : width == 2 ? h5::Element::u16 : h5::Element::u32;
}

struct TablePlan {
  TableRecord record;
  const void* data = nullptr;  // this rank's values, entry `origin` first
  std::uint64_t origin = 0;
  std::uint64_t held = 0;  // entries this rank holds
};

class Writer {
 public:
  Writer(const std::string& path, const CheckpointInput& in, Collectives& comm)
      : path_(path), tmp_(temporary_path(path)), in_(in), comm_(comm) {}

  CheckpointWritten run() {
    const auto start = std::chrono::steady_clock::now();
    const CheckpointHeader header = make_header();
    const std::string room = agree(comm_, [&] {
      if (comm_.rank() == 0) reserve_space(tmp_, estimated_bytes(header));
    });
    if (!room.empty()) fail(room);
    const std::string created =
        agree(comm_, [&] { file_.emplace(h5::File::create(tmp_, h5::Driver::across(comm_), seal_bytes)); });
    if (!created.empty()) {
      file_.reset();  // a file that some ranks opened is closed again: nothing was written to it yet
      if (comm_.rank() == 0) std::remove(tmp_.c_str());
      fail(created);
    }
    check(agree(comm_, [&] { write_metadata(header); }));
    for (std::size_t t = 0; t < tables_.size(); ++t) {
      if (t == tables_.size() / 2) {
        crash_point("mid-write");
        if (test_hooks().checkpoint_sleep_ms > 0)
          std::this_thread::sleep_for(std::chrono::milliseconds(test_hooks().checkpoint_sleep_ms));
      }
      write_table(tables_[t], datasets_[t]);
    }
    crash_point("before-flush");
    check(agree(comm_, [&] {
      datasets_.clear();
      file_->close();
    }));
    // Each rank syncs what it wrote (on a parallel file system, its own node's cache). Not
    // H5Fflush: after a failed write on one rank it can leave the others waiting in MPI_File_sync.
    const std::string synced = agree(comm_, [&] { sync_path(tmp_, "the checkpoint"); });
    if (!synced.empty()) {
      if (comm_.rank() == 0) std::remove(tmp_.c_str());
      fail(synced);
    }
    crash_point("after-close");
    try {
      seal_checkpoint(tmp_, comm_);
    } catch (const std::exception& e) {
      if (comm_.rank() == 0) std::remove(tmp_.c_str());
      fail(e.what());
    }
    const std::string renamed = agree(comm_, [&] {
      if (comm_.rank() == 0) replace_atomically(tmp_, path_);
    });
    if (!renamed.empty()) {
      if (comm_.rank() == 0) std::remove(tmp_.c_str());
      fail(renamed);
    }
    crash_point("after-rename");
    CheckpointWritten written;
    std::error_code ignored;
    const auto size = comm_.rank() == 0 ? std::filesystem::file_size(path_, ignored) : 0;
    written.bytes = static_cast<std::uint64_t>(comm_.broadcast(static_cast<std::int64_t>(size), 0));
    written.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return written;
  }

 private:
  // The entries rank `rank` writes: its own block when the table is kept in blocks, else an even
  // share of the table that every rank holds whole.
  EntryRange part(const TableRecord& t, int rank) const {
    const bool blocks = t.costs ? in_.distribution.modes[t.step] == TableMode::block : in_.distribution.owned[t.step];
    if (!blocks) return even_share(t.entries, rank, comm_.size());
    const BlockRange b = owned_block(in_.problem, in_.plan, in_.distribution, t.step, rank);
    return {b.begin, b.end};
  }

  // This rank's tables and its part of each one's checksum. Local.
  std::vector<std::uint64_t> collect_tables() {
    const DpState& state = in_.state;
    const Plan& plan = in_.plan;
    for (bool costs : {false, true})
      for (int s = 0; s < state.steps_done; ++s) {
        const PlanStep& step = plan.steps[s];
        if (costs && step.consumer_step < state.steps_done) continue;  // consumed, or a root
        const StepData& data = state.steps[s];
        TablePlan t;
        t.record = {table_dataset(s, costs),
                    s,
                    costs,
                    in_.problem.vertices[step.vertex].name,
                    costs ? h5::Element::f64 : argmin_element(step.argmin_bytes_per_entry),
                    step.entries,
                    0};
        t.data = costs ? static_cast<const void*>(data.costs.data()) : data.argmin.bytes.data();
        t.origin = costs ? data.costs_origin : data.argmin_origin;
        t.held = costs ? data.costs.size() : data.argmin.size();
        if (!costs && data.argmin.width != step.argmin_bytes_per_entry)
          throw std::logic_error("back-substitution table of step " + std::to_string(s) + " has width " +
                                 std::to_string(data.argmin.width));
        const EntryRange mine = part(t.record, comm_.rank());
        if (mine.size() > 0 && (mine.begin < t.origin || mine.end > t.origin + t.held))
          throw std::logic_error("rank " + std::to_string(comm_.rank()) + " does not hold entries [" +
                                 std::to_string(mine.begin) + ", " + std::to_string(mine.end) + ") of " +
                                 t.record.dataset);
        tables_.push_back(t);
      }
    std::vector<std::uint64_t> sums(tables_.size());
    for (std::size_t i = 0; i < tables_.size(); ++i) {
      const TablePlan& t = tables_[i];
      const EntryRange mine = part(t.record, comm_.rank());
      const std::uint64_t salt = table_salt(t.record.step, t.record.costs);
      sums[i] = t.record.costs
                    ? checksum_part(salt, static_cast<const double*>(t.data), t.origin, mine.begin, mine.size())
                    : checksum_part(salt, in_.state.steps[t.record.step].argmin, t.origin, mine.begin, mine.size());
    }
    return sums;
  }

  CheckpointHeader make_header() {
    std::vector<std::uint64_t> sums;
    check(agree(comm_, [&] { sums = collect_tables(); }));
    comm_.allreduce_sum(sums);
    const DpState& state = in_.state;
    const Plan& plan = in_.plan;
    CheckpointHeader h;
    h.writer = std::string("pase ") + PASE_VERSION;
    h.model_file = in_.model_file;
    h.fingerprint = in_.fingerprint;
    h.steps_done = static_cast<std::uint64_t>(state.steps_done);
    h.steps_total = plan.steps.size();
    for (int s = 0; s < state.steps_done; ++s) h.cells_done = saturating_add(h.cells_done, plan.steps[s].cells);
    h.cells_total = plan.totals.dp_cells;
    h.dp_minimum = state.dp_minimum;
    if (state.steps_done > 0) h.last_vertex = in_.problem.vertices[plan.steps[state.steps_done - 1].vertex].name;
    for (std::size_t i = 0; i < tables_.size(); ++i) {
      tables_[i].record.checksum = sums[i];
      h.tables.push_back(tables_[i].record);
    }
    h.header_checksum = header_digest(h);
    return h;
  }

  void write_metadata(const CheckpointHeader& h) {
    h5::File& f = *file_;
    f.write_attributes("/", {{"format", std::string(checkpoint_format_name)},
                             {"format_version", h.format_version},
                             {"writer", h.writer},
                             {"model_file", h.model_file},
                             {"header_checksum", h.header_checksum}});
    std::vector<h5::Attribute> fingerprint;
    for (const auto& field : h.fingerprint.fields) fingerprint.push_back({field.name, field.value});
    f.create_group("/fingerprint", fingerprint);
    f.create_group("/progress", {{"steps_done", h.steps_done},
                                 {"steps_total", h.steps_total},
                                 {"cells_done", h.cells_done},
                                 {"cells_total", h.cells_total},
                                 {"dp_minimum", h.dp_minimum},
                                 {"last_vertex", h.last_vertex}});
    f.create_group("/argmin");
    f.create_group("/costs");
    for (const TableRecord& t : h.tables)
      datasets_.push_back(f.create_dataset(
          t.dataset, t.element, t.entries,
          {{"step", static_cast<std::int64_t>(t.step)}, {"vertex", t.vertex}, {"checksum", t.checksum}}));
  }

  void write_table(const TablePlan& t, h5::Dataset& dataset) {
    std::uint64_t largest = 0;
    for (int r = 0; r < comm_.size(); ++r) largest = std::max(largest, part(t.record, r).size());
    const std::uint64_t pieces = std::max<std::uint64_t>(1, (largest + piece_elements - 1) / piece_elements);
    const EntryRange mine = part(t.record, comm_.rank());
    const unsigned bytes = h5::element_bytes(t.record.element);
    for (std::uint64_t k = 0; k < pieces; ++k) {
      const std::uint64_t begin = std::min(mine.end, mine.begin + k * piece_elements);
      const std::uint64_t end = std::min(mine.end, begin + piece_elements);
      const auto* data = static_cast<const unsigned char*>(t.data) + (begin - t.origin) * bytes;
      check(agree(comm_, [&] { dataset.write_block(t.record.element, begin, end - begin, data); }));
    }
  }

  void check(const std::string& error) {
    if (!error.empty()) abandon(error);
  }

  // Every rank gets here together after a failure while HDF5 was writing: give up the temporary
  // file (see File::abandon), remove it, and throw CheckpointWriteAborted.
  [[noreturn]] void abandon(const std::string& error) {
    for (h5::Dataset& d : datasets_) d.abandon();
    datasets_.clear();
    if (file_) file_->abandon();
    file_.reset();
    if (comm_.rank() == 0) std::remove(tmp_.c_str());
    throw CheckpointWriteAborted(path_ + ": checkpoint not written (" + error + ")");
  }

  // The file's size, generously: tables, the seal, and room for HDF5's metadata.
  static std::uint64_t estimated_bytes(const CheckpointHeader& h) {
    std::uint64_t bytes = seal_bytes + (64u << 10);
    for (const TableRecord& t : h.tables) bytes += t.entries * h5::element_bytes(t.element) + 1024;
    return bytes + bytes / 32;
  }

  [[noreturn]] void fail(const std::string& error) {
    throw CheckpointWriteFailed(path_ + ": checkpoint not written (" + error + ")");
  }

  std::string path_, tmp_;
  const CheckpointInput& in_;
  Collectives& comm_;
  std::vector<TablePlan> tables_;
  std::optional<h5::File> file_;
  std::vector<h5::Dataset> datasets_;  // open while writing, in the order of tables_
};

}  // namespace

CheckpointWritten write_checkpoint(const std::string& path, const CheckpointInput& input, Collectives& comm) {
  return Writer(path, input, comm).run();
}

}  // namespace pase
