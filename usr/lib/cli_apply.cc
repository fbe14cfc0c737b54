// strixctl's declarative commands: apply, diff, save, boot.
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <nlohmann/json.hpp>

#include "atomic_file.h"
#include "cli_internal.h"
#include "config.h"
#include "error.h"
#include "model.h"
#include "plan.h"
#include "sysfs.h"

extern char **environ;

namespace strix::cli {

namespace {

namespace fs = std::filesystem;

config::Config load_config(const std::string &file)
{
	std::ifstream f(file, std::ios::binary);
	if (!f)
		throw Error::from_errno(errno ? errno : ENOENT, file, "cannot read");
	const std::string text{std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
	auto cfg = config::parse(text, file);
	if (!cfg)
		throw cfg.error().to_error();
	return std::move(cfg).value();
}

plan::Plan make_plan(const Context &ctx, const config::Config &wanted, bool prune)
{
	const config::Config running = model::read(ctx.tree).value();
	plan::Options po;
	po.prune = prune;
	po.target = ctx.opts.only_target;
	po.read_current = plan::tree_reader(ctx.tree);
	return plan::make(running, wanted, po).value();
}

// Runs a plan and reports it; the exit code.  json is the document so far.
int run_plan(const Context &ctx, const plan::Plan &plan, nlohmann::json &json,
	     std::string_view what)
{
	const plan::Report report = plan::execute(ctx.tree, plan);
	json["report"] = report;
	if (!ctx.opts.json)
		fmt::print(ctx.out, "{}", report.summary(plan));
	if (report.ok())
		return exit_ok;
	const auto &step = plan.steps[*report.failed];
	const std::string message =
		fmt::format("{}: step {} failed: {}: {}", what, *report.failed + 1, step.object,
			    report.error ? report.error->what() : "unknown error");
	json["error"] = report.error ? nlohmann::json(*report.error) : nlohmann::json::object();
	json["error"]["message"] = message;
	fmt::print(ctx.err, "{}: {}\n", program, message);
	return exit_failure;
}

// --- apply -------------------------------------------------------------------------

void apply_configure(CLI::App &sub, Options &opts)
{
	sub.add_option("file", opts.file, "Configuration file (scst.conf syntax)")->required();
	sub.add_flag("--dry-run,-n", opts.dry_run, "Only print the plan");
	sub.add_flag("--prune", opts.prune, "Also remove what the file does not have");
	sub.add_option("--target,-t", opts.only_target,
		       "Apply only this target's part ([DRIVER/]TARGET); touch nothing else");
}

int apply_handler(const Context &ctx)
{
	const config::Config wanted = load_config(ctx.opts.file);
	ctx.tree.require();
	std::optional<TreeLock> lock;
	if (!ctx.opts.dry_run)
		lock.emplace(ctx.tree);
	const plan::Plan plan = make_plan(ctx, wanted, ctx.opts.prune);

	nlohmann::json json{{"file", ctx.opts.file},
			    {"dry_run", ctx.opts.dry_run},
			    {"plan", plan},
			    {"report", nullptr}};
	if (!ctx.opts.json)
		fmt::print(ctx.out, "plan for {}:\n{}", ctx.opts.file, plan::format(plan));
	int code = exit_ok;
	if (!ctx.opts.dry_run && !plan.empty())
		code = run_plan(ctx, plan, json, "apply " + ctx.opts.file);
	if (ctx.opts.json)
		print_json(ctx.out, json);
	return code;
}

// --- diff ----------------------------------------------------------------------------

void diff_configure(CLI::App &sub, Options &opts)
{
	sub.add_option("file", opts.file, "Configuration file")->required();
	sub.add_option("--target,-t", opts.only_target, "Compare only this target's part");
}

int diff_handler(const Context &ctx)
{
	const config::Config wanted = load_config(ctx.opts.file);
	const plan::Plan plan = make_plan(ctx, wanted, true);
	const bool differs = !plan.steps.empty() || !plan.extra.empty();
	if (ctx.opts.json) {
		print_json(ctx.out, {{"file", ctx.opts.file}, {"differs", differs}, {"plan", plan}});
	} else if (!differs) {
		fmt::print(ctx.out, "no differences\n");
	} else {
		fmt::print(ctx.out, "{} differs from the running configuration; "
				    "apply --prune would:\n{}",
			   ctx.opts.file, plan::format(plan));
	}
	return differs ? exit_differs : exit_ok;
}

// --- save ------------------------------------------------------------------------------

void save_configure(CLI::App &sub, Options &opts)
{
	opts.file = std::string(default_config);
	sub.add_option("file", opts.file,
		       fmt::format("Where to write (default {}; the old one is kept as .bak)",
				   default_config));
}

int save_handler(const Context &ctx)
{
	const config::Config running = model::read(ctx.tree).value();
	const std::string text =
		"# The running Strix configuration, written by strixctl save.\n"
		"# Apply it with: strixctl apply FILE (see strix.conf(5)).\n\n" +
		config::print(running);
	const AtomicWrite w = write_atomically(ctx.opts.file, text);
	if (ctx.opts.json) {
		print_json(ctx.out, {{"file", ctx.opts.file},
				     {"backup", w.backup ? nlohmann::json(w.backup->string())
							 : nlohmann::json(nullptr)},
				     {"bytes", text.size()}});
	} else {
		fmt::print(ctx.out, "saved {}{}\n", ctx.opts.file,
			   w.backup ? fmt::format(" (previous version: {})", w.backup->string())
				    : std::string());
	}
	return exit_ok;
}

// --- boot --------------------------------------------------------------------------------

// Every module of ours, in load order; those not installed are skipped.
constexpr std::array boot_modules{"strix",      "strix_vdisk", "strix_dev", "strix_local",
				  "strix_iscsi", "strix_srpt", "strix_qla2x"};

int run_program(const std::vector<std::string> &args)
{
	std::vector<char *> argv;
	for (const auto &a : args)
		argv.push_back(const_cast<char *>(a.c_str()));
	argv.push_back(nullptr);
	pid_t pid;
	const int err = ::posix_spawnp(&pid, argv[0], nullptr, nullptr, argv.data(), environ);
	if (err)
		throw Error::from_errno(err, args[0], "cannot run");
	int status = 0;
	while (::waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			throw Error::from_errno(errno, args[0], "cannot wait for");
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void boot_configure(CLI::App &sub, Options &opts)
{
	opts.file = std::string(default_config);
	sub.add_option("--config,-c", opts.file,
		       fmt::format("Configuration to apply (default {})", default_config));
	sub.add_option("--wait", opts.wait,
		       "Seconds to wait for backing files and devices that are not there yet "
		       "(default 60)")
		->check(CLI::Range(0.0, 86400.0));
	sub.add_flag("--no-modules", opts.no_modules, "Do not load kernel modules");
	sub.add_option("--modprobe", opts.modprobe, "modprobe program (default: modprobe)")
		->group(""); // for tests
}

struct Backing {
	std::string path;
	std::string device;
	bool found = false;
	bool waited = false; // missing at first
	double seconds = 0;  // when it was found, or given up on
};

// Files and block devices the file's devices are backed by, for devices
// the tree does not have yet.
std::vector<Backing> backing_of(const config::Config &cfg, const config::Config &running)
{
	std::vector<Backing> out;
	for (const auto &[hname, h] : cfg.handlers) {
		if (hname != "vdisk_fileio" && hname != "vdisk_blockio" && hname != "vcdrom")
			continue;
		for (const auto &[dname, d] : h.devices)
			if (!running.find_device(dname))
				for (const char *attr : {"filename", "dif_filename"})
				if (const auto f = config::get(d.attrs, attr); f && !f->empty())
						out.push_back({*f, dname});
	}
	return out;
}

// The device and everything that uses it leave the configuration.
void drop_device(config::Config &cfg, const std::string &name)
{
	for (auto &[hname, h] : cfg.handlers)
		h.devices.erase(name);
	const auto drop_luns = [&](config::Luns &luns) {
		std::erase_if(luns, [&](const auto &l) { return l.second.device == name; });
	};
	for (auto &[dname, drv] : cfg.drivers)
		for (auto &[tname, t] : drv.targets) {
			drop_luns(t.luns);
			for (auto &[gname, g] : t.groups)
				drop_luns(g.luns);
		}
	for (auto &[dgname, dg] : cfg.device_groups)
		dg.devices.erase(name);
}

int boot_handler(const Context &ctx)
{
	const Options &o = ctx.opts;
	nlohmann::json json = nlohmann::json::object();
	const auto say = [&](const std::string &line) {
		if (!o.json)
			fmt::print(ctx.out, "{}\n", line);
	};

	std::vector<std::string> loaded, missing;
	if (!o.no_modules) {
		for (const char *m : boot_modules) {
			if (run_program({o.modprobe, "-n", "-q", m}) != 0) {
				missing.push_back(m);
				continue;
			}
			if (const int rc = run_program({o.modprobe, m}); rc != 0)
				throw Error(std::make_error_code(std::errc::io_error),
					    fmt::format("module {}", m), "cannot load",
					    fmt::format("{} exited with {}", o.modprobe, rc));
			loaded.push_back(m);
		}
		say(fmt::format("modules loaded: {}", loaded.empty() ? std::string("none")
								      : fmt::format("{}", fmt::join(loaded, " "))));
	}
	json["modules"] = {{"loaded", loaded}, {"not_installed", missing}};

	config::Config wanted = load_config(o.file);
	ctx.tree.require();

	std::vector<Backing> backing = backing_of(wanted, model::read(ctx.tree).value());
	const auto start = std::chrono::steady_clock::now();
	const auto elapsed = [&] {
		return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
	};
	const auto present = [](const Backing &b) {
		std::error_code ec;
		return fs::exists(b.path, ec);
	};
	std::size_t missing_now = 0;
	for (auto &b : backing) {
		b.found = present(b);
		if (!b.found) {
			b.waited = true;
			missing_now++;
			say(fmt::format("waiting up to {} s for {} (device {})", o.wait, b.path,
					b.device));
		}
	}
	while (missing_now > 0 && elapsed() < o.wait) {
		std::this_thread::sleep_for(std::chrono::milliseconds(200));
		for (auto &b : backing) {
			if (b.found || !present(b))
				continue;
			b.found = true;
			b.seconds = elapsed();
			missing_now--;
			say(fmt::format("found {} (device {}) after {:.1f} s", b.path, b.device,
					b.seconds));
		}
	}

	std::vector<std::string> dropped;
	auto waited = nlohmann::json::array();
	for (auto &b : backing) {
		if (!b.waited)
			continue;
		if (!b.found) {
			b.seconds = elapsed();
			say(fmt::format("{} still missing after {:.1f} s: device {} left out", b.path,
					b.seconds, b.device));
			if (std::ranges::find(dropped, b.device) == dropped.end())
				dropped.push_back(b.device);
		}
		waited.push_back({{"path", b.path},
				  {"device", b.device},
				  {"found", b.found},
				  {"seconds", b.seconds}});
	}
	for (const auto &d : dropped)
		drop_device(wanted, d);
	json["waited"] = std::move(waited);
	json["dropped"] = dropped;

	TreeLock lock(ctx.tree);
	const plan::Plan plan = make_plan(ctx, wanted, false);
	json["plan"] = plan;
	json["report"] = nullptr;
	if (!o.json)
		fmt::print(ctx.out, "plan for {}:\n{}", o.file, plan::format(plan));
	int code = plan.empty() ? exit_ok : run_plan(ctx, plan, json, "boot " + o.file);
	if (!dropped.empty() && code == exit_ok) {
		code = exit_failure;
		const std::string message =
			fmt::format("boot {}: left out device{} with missing backing: {}", o.file,
				    dropped.size() == 1 ? "" : "s", fmt::join(dropped, ", "));
		json["error"] = {{"message", message},
				 {"subject", o.file},
				 {"problem", "backing files missing"},
				 {"detail", fmt::format("{}", fmt::join(dropped, ", "))},
				 {"errno", ENOENT},
				 {"errno_name", "ENOENT"}};
		fmt::print(ctx.err, "{}: {}\n", program, message);
	}
	if (o.json)
		print_json(ctx.out, json);
	return code;
}

constexpr std::array commands{
	Command{"apply", "Make the running configuration match a file (prints the plan first)",
		apply_configure, apply_handler},
	Command{"diff", "Compare a file with the running configuration (exit 3 if they differ)",
		diff_configure, diff_handler},
	Command{"save", "Write the running configuration to a file, atomically", save_configure,
		save_handler},
	Command{"boot", "Load the modules and apply the saved configuration (strix.service)",
		boot_configure, boot_handler},
};

} // namespace

std::span<const Command> apply_commands()
{
	return commands;
}

} // namespace strix::cli
