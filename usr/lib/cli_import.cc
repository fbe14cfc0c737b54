// strixctl import: other tools' configurations -> strix.conf.
#include "cli_internal.h"

namespace strix::cli {

std::span<const Command> import_commands()
{
	return {};
}

} // namespace strix::cli
