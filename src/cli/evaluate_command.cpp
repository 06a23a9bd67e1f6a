#include <iostream>

#include "pase/cli/commands.hpp"
#include "pase/cli/options.hpp"
#include "pase/io/output_path.hpp"
#include "pase/report/pipeline_report.hpp"
#include "pase/report/report_output.hpp"

namespace pase::cli {

int evaluate_command(int argc, char** argv, MpiRuntime& mpi) {
  auto options = problem_options();
  options.add_options()(
      "megatron", po::value<std::string>(),
      "a Megatron-LM setup: tp=T,pp=P,dp=D,microbatch=B[,interleave=V][,sequence-parallel]"
      "[,recompute=full|selective|none] (tp·pp·dp devices; B sequences a micro-batch), or auto: the rule of "
      "thumb on --procs devices (the search's megatron baseline)")(
      "strategy", po::value<std::string>(), "a strategy pase search --output wrote (its model, devices and cluster)")(
      "output,o", po::value<std::string>(), "also write the report as JSON to this file");
  const std::string usage =
      "Usage: pase evaluate MODEL.json --cluster C --megatron tp=8,pp=8,dp=1,microbatch=1 [options]\n"
      "       pase evaluate --strategy SEARCH.json [MODEL.json] [options]\n"
      "Prices a given setup as a training step (step time, its breakdown, memory a device, whether it\n"
      "fits) and reports it as a search does, so it compares with what pase search finds.";
  po::options_description all;
  all.add(options);
  all.add_options()("help,h", "show this help");
  po::options_description everything;
  everything.add(all);
  everything.add_options()("model", po::value<std::string>(), "model file");
  po::positional_options_description positional;
  positional.add("model", 1);
  po::variables_map vm;
  po::store(po::command_line_parser(argc, argv).options(everything).positional(positional).run(), vm);
  if (vm.count("help")) {
    std::cout << usage << "\n\n" << all << "\n";
    return exit_ok;
  }
  po::notify(vm);
  if (vm.count("megatron") == vm.count("strategy"))
    throw std::invalid_argument("give one of --megatron SETUP (with MODEL and --cluster) and --strategy FILE");
  const std::string model = vm.count("model") ? vm["model"].as<std::string>() : "";
  std::vector<std::string> inputs;
  if (!model.empty()) inputs.push_back(model);
  if (vm.count("strategy")) inputs.push_back(vm["strategy"].as<std::string>());
  if (vm.count("output")) check_output_path("--output", vm["output"].as<std::string>(), inputs);

  EvaluationReport report;
  if (vm.count("strategy")) {
    report = evaluate_strategy_file(vm["strategy"].as<std::string>(), model);
  } else {
    if (model.empty()) throw po::error("missing the MODEL file argument (see --help)");
    const std::string text = vm["megatron"].as<std::string>();
    SearchSettings settings = settings_from(vm, model, mpi.world().node_size());
    MegatronSetup setup;
    if (text == "auto") {
      // The rule of thumb the search's megatron baseline is (pase/stages/megatron.hpp).
      if (!settings.problem.hardware)
        throw std::invalid_argument("--megatron auto: needs --cluster naming a pase-cluster preset or file");
      const auto rule = megatron_rule_of_thumb(model, settings.overrides, settings.problem.procs,
                                               *settings.problem.hardware, settings.device_memory.recipe,
                                               settings.device_memory.reserve_bytes, settings.device_memory.capacity_bytes);
      if (!rule)
        throw std::invalid_argument("--megatron auto: " + model +
                                    " is not a transformer pase can cut (no heads, batch or repeated block); give the setup");
      setup = rule->setup;
    } else {
      setup = parse_megatron(text);
    }
    if (text != "auto" && vm["procs"].defaulted() && !vm.count("nodes")) {
      // The setup says how many devices it uses.
      const std::int64_t devices = setup.tp * setup.pp * setup.dp;
      if (settings.problem.hardware && devices > settings.problem.hardware->cluster().devices())
        throw std::invalid_argument("--megatron: tp·pp·dp = " + std::to_string(devices) + " devices, more than cluster " +
                                    settings.problem.hardware->cluster().name + " has (" +
                                    std::to_string(settings.problem.hardware->cluster().devices()) + ")");
      settings.problem.procs = devices;
    }
    report = evaluate_megatron_setup(settings, setup);
  }
  if (mpi.rank() == 0) {
    print_evaluation(std::cout, report);
    if (vm.count("output")) write_text_file(vm["output"].as<std::string>(), evaluation_json(report));
  }
  return exit_ok;
}

}  // namespace pase::cli
