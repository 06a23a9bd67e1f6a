#include "pase/cli/commands.hpp"
int pase::cli::bench_command(int, char**) { return 0; }
