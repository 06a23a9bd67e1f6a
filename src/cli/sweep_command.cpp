#include <iostream>
#include <sstream>

#include "pase/bytes.hpp"
#include "pase/cli/commands.hpp"
#include "pase/cli/file_arguments.hpp"
#include "pase/cli/options.hpp"
#include "pase/io/output_path.hpp"
#include "pase/sweep/sweep_driver.hpp"

namespace pase::cli {

int sweep_command(int argc, char** argv, MpiRuntime& runtime) {
  po::options_description options("Sweep");
  options.add_options()
      ("output,o", po::value<std::string>(), "HDF5 results file; an existing one is resumed (finished points are skipped)")
      ("dry-run", "print the number of points (and how many --output holds already) and exit")
      ("clusters", po::value<std::string>(),
       "cluster preset catalogue (default: the spec's 'clusters', $PASE_CLUSTERS, or jobs/clusters.json)")
      ("max-memory", po::value<std::string>(),
       "refuse points whose DP tables need more than this (e.g. 4G; 0 = no limit); overrides search.max_memory; "
       "default 80% of RAM divided by the ranks")
      ("checkpoint-seconds", po::value<double>()->default_value(60.0),
       "fold finished points into the results file this often (they are safe in journals meanwhile)")
      ("share", po::value<std::string>(),
       "K/N: run only the points whose number modulo N is K (0 <= K < N), e.g. task K of a job array of N; "
       "join the shares' results files with 'pase merge'")
      ("progress-seconds", po::value<double>()->default_value(5.0),
       "seconds between progress lines when stderr is not a terminal")
      ("quiet,q", "no progress on stderr");

  Communicator& mpi = runtime.world();  // under mpirun every rank runs this command
  const bool root = mpi.rank() == 0;
  std::ostringstream discard;
  std::ostream& out = root ? std::cout : discard;
  try {
    po::variables_map vm;
    std::vector<std::string> files;
    if (!parse_with_files(argc, argv, options,
                          "Usage: pase sweep SPEC.yaml --output results.h5 [options]\n"
                          "       mpirun -n N pase sweep SPEC.yaml --output results.h5\n"
                          "Runs every point of a sweep spec (jobs/README.md) and writes one row per point to an\n"
                          "HDF5 table. Rerunning the same command skips finished points.",
                          vm, "SPEC", 1, 1, files))
      return exit_ok;
    SweepOptions o;
    o.spec_file = files[0];
    if (vm.count("output")) o.output = vm["output"].as<std::string>();
    if (vm.count("clusters")) o.clusters = vm["clusters"].as<std::string>();
    o.dry_run = vm.count("dry-run") > 0;
    o.progress = vm.count("quiet") == 0;
    o.checkpoint_seconds = vm["checkpoint-seconds"].as<double>();
    o.progress_interval_s = vm["progress-seconds"].as<double>();
    if (!(o.progress_interval_s >= 0 && o.progress_interval_s <= 86400))
      throw std::invalid_argument("--progress-seconds: must be from 0 to 86400 seconds");
    if (vm.count("max-memory")) o.max_memory_bytes = parse_bytes(vm["max-memory"].as<std::string>(), "--max-memory");
    if (vm.count("share")) {
      const std::string share = vm["share"].as<std::string>();
      const auto slash = share.find('/');
      std::size_t used_k = 0, used_n = 0;
      try {
        if (slash == std::string::npos || share.find_first_not_of("0123456789/") != std::string::npos) throw 0;
        o.share = std::stoull(share.substr(0, slash), &used_k);
        o.shares = std::stoull(share.substr(slash + 1), &used_n);
        if (used_k != slash || used_n != share.size() - slash - 1) throw 0;
      } catch (...) {
        throw po::error("--share: expected K/N (e.g. 0/4), got '" + share + "'");
      }
      if (o.shares < 1 || o.share >= o.shares)
        throw po::error("--share: K/N needs 0 <= K < N, got '" + share + "'");
    }
    if (!o.dry_run && o.output.empty()) throw po::error("--output: missing; name the HDF5 results file (or use --dry-run)");
    if (!o.output.empty()) {
      check_data_file_path("--output", o.output, {o.spec_file});
      o.output = resolved_path(o.output);  // a link: lock, journals and the file itself are the link's target
    }
    run_sweep(mpi, o, out, std::cerr);
    return exit_ok;
  } catch (const po::error& e) {
    if (root) std::cerr << "pase sweep: " << e.what() << "\n";
    return exit_bad_input;
  } catch (const std::invalid_argument& e) {
    if (root) std::cerr << "pase sweep: " << e.what() << "\n";
    return exit_bad_input;
  } catch (const SweepFailedOnAllRanks& e) {
    if (root) std::cerr << "pase sweep: " << e.what() << "\n";
    return exit_failure;
  } catch (const std::exception& e) {
    std::cerr << "pase sweep: " << (mpi.size() > 1 ? "rank " + std::to_string(mpi.rank()) + ": " : "") << e.what() << "\n";
    return exit_failure;
  }
}

}  // namespace pase::cli
