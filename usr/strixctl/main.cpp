// strixctl: the Strix admin CLI.  Everything lives in libstrix (lib/cli.h).
#include <cstddef>
#include <iostream>

#include "cli.h"

int main(int argc, char **argv)
{
	return strix::cli::run({argv, static_cast<std::size_t>(argc)}, std::cout, std::cerr);
}
