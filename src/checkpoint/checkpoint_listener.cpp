#include "pase/checkpoint/checkpoint_listener.hpp"

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <ostream>
#include <thread>

#include "pase/checkpoint/checkpoint_errors.hpp"
#include "pase/checkpoint/test_hooks.hpp"

namespace pase {

namespace {

constexpr std::uint64_t want_checkpoint = 1, want_stop = 2;

std::string percent(std::uint64_t part, std::uint64_t whole) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f%%",
                whole > 0 ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : 100.0);
  return text;
}

}  // namespace

CheckpointListener::CheckpointListener(std::string path, double every_seconds, const Problem& problem, const Plan& plan,
                                       const Distribution& distribution, const SearchFingerprint& fingerprint,
                                       std::string model_file, Collectives& comm, StopSignals& signals,
                                       std::ostream* log)
    : path_(std::move(path)), every_seconds_(every_seconds), problem_(problem), plan_(plan),
      distribution_(distribution), fingerprint_(fingerprint), model_file_(std::move(model_file)), comm_(comm),
      signals_(signals), log_(comm.rank() == 0 ? log : nullptr), last_(std::chrono::steady_clock::now()) {}

bool CheckpointListener::after_step(const DpState& state) {
  if (test_hooks().step_sleep_ms > 0)
    std::this_thread::sleep_for(std::chrono::milliseconds(test_hooks().step_sleep_ms));
  std::uint64_t wanted = 0;
  if (signals_.take_checkpoint_request()) wanted |= want_checkpoint;
  if (signals_.stop_requested()) wanted |= want_stop;
  if (state.steps_done == test_hooks().stop_after_step) wanted |= want_stop;
  if (comm_.rank() == 0 &&
      std::chrono::duration<double>(std::chrono::steady_clock::now() - last_).count() >= every_seconds_)
    wanted |= want_checkpoint;
  wanted = comm_.allreduce_or(wanted);
  if (wanted == 0) return false;
  const bool stop = (wanted & want_stop) != 0;

  std::uint64_t cells = 0;
  for (int s = 0; s < state.steps_done; ++s) cells = saturating_add(cells, plan_.steps[s].cells);
  const std::string progress = "after step " + std::to_string(state.steps_done) + " of " +
                               std::to_string(plan_.steps.size()) + " (" + percent(cells, plan_.totals.dp_cells) +
                               " of the DP work)";
  try {
    const CheckpointWritten w = write_checkpoint(
        path_, CheckpointInput{problem_, plan_, distribution_, state, fingerprint_, model_file_}, comm_);
    ++written_;
    seconds_writing_ += w.seconds;
    if (log_) {
      char timing[64];
      std::snprintf(timing, sizeof timing, "%.3f s", w.seconds);
      *log_ << "pase search: checkpoint " << path_ << " written " << progress << ", " << w.bytes << " bytes in "
            << timing << (stop ? ", stopping" : "") << "\n";
    }
  } catch (const CheckpointWriteFailed& e) {
    last_ = std::chrono::steady_clock::now();
    // Only rank 0's message is printed, so only rank 0 needs to look at the folder.
    std::error_code ignored;
    const std::string kept = comm_.rank() == 0 && std::filesystem::exists(path_, ignored)
                                 ? "the previous checkpoint " + path_ + " is kept"
                                 : "there is no earlier checkpoint";
    if (dynamic_cast<const CheckpointWriteAborted*>(&e))
      throw CheckpointWriteAborted(std::string(e.what()) + " " + progress + "; " + kept +
                                   "; HDF5 cannot go on after a failed write, so the search stopped");
    if (stop)
      throw CheckpointWriteFailed(std::string(e.what()) + " " + progress + "; " + kept + "; the search stopped");
    // A warning is printed under --quiet too (no log): a full disk must not pass in silence.
    std::ostream* warn = log_ ? log_ : comm_.rank() == 0 ? &std::cerr : nullptr;
    if (warn) *warn << "pase search: warning: " << e.what() << " " << progress << "; " << kept << "; going on\n";
    return false;
  }
  last_ = std::chrono::steady_clock::now();
  return stop;
}

}  // namespace pase
