#include "pase/cli/commands.hpp"

int main(int argc, char** argv) { return pase::cli::run(argc, argv); }
