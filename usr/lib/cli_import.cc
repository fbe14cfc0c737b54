// strixctl import: another tool's configuration -> our canonical file, on
// stdout or -o FILE; what has no equivalent goes to stderr.
#include <fstream>
#include <iterator>
#include <string>

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <nlohmann/json.hpp>

#include "atomic_file.h"
#include "cli_internal.h"
#include "config.h"
#include "error.h"
#include "import.h"

namespace strix::cli {

namespace {

void import_configure(CLI::App &sub, Options &opts)
{
	auto *scst = sub.add_option("--from-scst", opts.from_scst, "An SCST /etc/scst.conf")
			     ->type_name("FILE");
	auto *lio = sub.add_option("--from-targetcli", opts.from_targetcli,
				   "A targetcli/rtslib saveconfig.json (LIO)")
			    ->type_name("FILE");
	scst->excludes(lio);
	lio->excludes(scst);
	sub.add_option("-o,--output", opts.output,
		       "Write the result here (atomically) instead of stdout")
		->type_name("FILE");
}

int import_handler(const Context &ctx)
{
	const Options &o = ctx.opts;
	if (o.from_scst.empty() == o.from_targetcli.empty())
		throw Error(std::make_error_code(std::errc::invalid_argument), "import",
			    "nothing to import", "give --from-scst FILE or --from-targetcli FILE");
	const std::string &input = o.from_scst.empty() ? o.from_targetcli : o.from_scst;
	std::ifstream f(input, std::ios::binary);
	if (!f)
		throw Error::from_errno(errno ? errno : ENOENT, input, "cannot read");
	const std::string text{std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
	const import::Result result =
		(o.from_scst.empty() ? import::from_targetcli(text, input)
				     : import::from_scst(text, input))
			.value();

	const std::string conf =
		fmt::format("# Converted from {} by strixctl import --from-{}.\n\n", input,
			    o.from_scst.empty() ? "targetcli" : "scst") +
		config::print(result.config);
	for (const auto &n : result.unmapped)
		fmt::print(ctx.err, "{}: import: {}\n", program, n);
	if (!o.output.empty())
		write_atomically(o.output, conf);
	if (o.json) {
		print_json(ctx.out, {{"input", input},
				     {"output", o.output.empty() ? nlohmann::json(nullptr)
								 : nlohmann::json(o.output)},
				     {"config", conf},
				     {"unmapped", result.unmapped}});
	} else if (o.output.empty()) {
		ctx.out << conf;
	} else {
		fmt::print(ctx.out, "wrote {}{}\n", o.output,
			   result.unmapped.empty()
				   ? std::string()
				   : fmt::format(" ({} thing{} without an equivalent, see above)",
						 result.unmapped.size(),
						 result.unmapped.size() == 1 ? "" : "s"));
	}
	return exit_ok;
}

constexpr std::array commands{
	Command{"import", "Convert an SCST scst.conf or a targetcli saveconfig.json to strix.conf",
		import_configure, import_handler},
};

} // namespace

std::span<const Command> import_commands()
{
	return commands;
}

} // namespace strix::cli
