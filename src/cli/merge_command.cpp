#include <filesystem>
#include <iostream>
#include <map>

#include "pase/cli/commands.hpp"
#include "pase/cli/file_arguments.hpp"
#include "pase/cli/options.hpp"
#include "pase/sweep/results_file.hpp"

namespace pase::cli {

int merge_command(int argc, char** argv) {
  po::options_description options("Merge");
  options.add_options()
      ("output,o", po::value<std::string>(), "the merged results file")
      ("force", "overwrite --output when it exists");
  po::variables_map vm;
  std::vector<std::string> files;
  if (!parse_with_files(argc, argv, options,
                        "Usage: pase merge A.h5 B.h5 ... -o ALL.h5\n"
                        "Joins results files of one sweep spec (for example from separate jobs) into one. Refuses\n"
                        "files of another spec and points that appear in two files.",
                        vm, "RESULTS.h5", 1, static_cast<std::size_t>(-1), files))
    return exit_ok;
  if (!vm.count("output")) throw po::error("--output: missing; name the merged results file");
  const std::string output = vm["output"].as<std::string>();
  for (const auto& f : files)
    if (std::filesystem::exists(output) && std::filesystem::equivalent(f, output))
      throw std::invalid_argument(output + ": is also an input; write the merge to a new file");
  if (std::filesystem::exists(output) && !vm.count("force"))
    throw std::invalid_argument(output + ": exists already; choose another --output or add --force");

  ResultsTable merged;
  std::map<std::uint64_t, std::string> source;
  for (std::size_t i = 0; i < files.size(); ++i) {
    ResultsTable t = read_results_file(files[i]);
    if (i == 0) merged.meta = t.meta;
    else check_same_sweep(merged.meta, files[0], t.meta, files[i]);
    for (auto& row : t.rows) {
      const auto [it, fresh] = source.emplace(row.point, files[i]);
      if (!fresh)
        throw std::invalid_argument(files[i] + ": point " + std::to_string(row.point) + " is also in " + it->second +
                                    "; merge refuses duplicates (leave one of the files out)");
      merged.rows.push_back(std::move(row));
    }
  }
  std::sort(merged.rows.begin(), merged.rows.end(),
            [](const SweepRow& a, const SweepRow& b) { return a.point < b.point; });
  write_results_file(output, merged);
  std::cout << "merged " << files.size() << " files: " << merged.rows.size() << " of " << merged.meta.point_count
            << " points in " << output << "\n";
  return exit_ok;
}

}  // namespace pase::cli
