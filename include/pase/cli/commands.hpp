#pragma once

namespace pase::cli {

// Each takes the arguments after the subcommand name and returns the process exit code.
int search_command(int argc, char** argv);
int plan_command(int argc, char** argv);
int bench_command(int argc, char** argv);
int sweep_command(int argc, char** argv);
int export_command(int argc, char** argv);
int report_command(int argc, char** argv);
int merge_command(int argc, char** argv);

// The whole command line: `pase SUBCOMMAND ...`.
int run(int argc, char** argv);

}  // namespace pase::cli
