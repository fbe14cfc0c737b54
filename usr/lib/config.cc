#include "config.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <system_error>
#include <utility>
#include <vector>

namespace strix::config {

namespace {

// --- positions and errors ------------------------------------------------

struct Pos {
	std::size_t line = 1;
	std::size_t column = 1;
};

// Thrown inside the parser only; parse() turns it into a value.
struct Failure {
	Pos pos;
	std::string problem;
	std::string detail;
};

[[noreturn]] void fail(Pos pos, std::string problem, std::string detail = {})
{
	throw Failure{pos, std::move(problem), std::move(detail)};
}

std::string where(Pos p)
{
	return fmt::format("line {}, column {}", p.line, p.column);
}

// --- lexer ---------------------------------------------------------------

enum class Tok { word, open, close, end_of_statement, end_of_file };

struct Token {
	Tok kind;
	Pos pos;
	std::string text; // word; "\n" or ";" for end_of_statement
	bool quoted = false;
};

class Lexer {
public:
	explicit Lexer(std::string_view text) : text_(text) {}

	std::vector<Token> run()
	{
		std::vector<Token> out;
		for (;;) {
			skip_blanks();
			const Pos pos = pos_;
			if (at_end()) {
				out.push_back({Tok::end_of_file, pos, {}, false});
				return out;
			}
			const char c = peek();
			if (c == '\n' || c == ';') {
				advance();
				out.push_back({Tok::end_of_statement, pos, std::string(1, c), false});
			} else if (c == '#') {
				while (!at_end() && peek() != '\n')
					advance();
			} else if (c == '{') {
				advance();
				out.push_back({Tok::open, pos, {}, false});
			} else if (c == '}') {
				advance();
				out.push_back({Tok::close, pos, {}, false});
			} else if (c == '"') {
				out.push_back({Tok::word, pos, quoted_word(), true});
			} else {
				out.push_back({Tok::word, pos, plain_word(), false});
			}
		}
	}

private:
	bool at_end() const { return i_ >= text_.size(); }
	char peek() const { return text_[i_]; }
	char advance()
	{
		const char c = text_[i_++];
		if (c == '\n') {
			pos_.line++;
			pos_.column = 1;
		} else {
			pos_.column++;
		}
		return c;
	}

	void skip_blanks()
	{
		while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\r' ||
				     peek() == '\f' || peek() == '\v'))
			advance();
	}

	// After a backslash: the next character, literally.
	char escaped(Pos backslash)
	{
		if (at_end())
			fail(backslash, "backslash at the end of the file",
			     "a backslash makes the next character literal");
		return advance();
	}

	std::string quoted_word()
	{
		const Pos open = pos_;
		advance(); // "
		std::string s;
		for (;;) {
			if (at_end() || peek() == '\n')
				fail(open, "unterminated quoted value",
				     "a quoted value must end with '\"' on the same line");
			const Pos p = pos_;
			const char c = advance();
			if (c == '"')
				break;
			s += c == '\\' ? escaped(p) : c;
		}
		if (!at_end() && !is_break(peek()))
			fail(pos_, fmt::format("unexpected '{}' after a quoted value", peek()),
			     "put a blank between words");
		return s;
	}

	static bool is_break(char c)
	{
		return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' ||
		       c == '\n' || c == ';' || c == '{' || c == '}' || c == '#';
	}

	std::string plain_word()
	{
		std::string s;
		while (!at_end() && !is_break(peek())) {
			const Pos p = pos_;
			const char c = advance();
			if (c == '"')
				fail(p, "unexpected '\"' inside a word",
				     "quote the whole value, or write \\\" for a literal quote");
			s += c == '\\' ? escaped(p) : c;
		}
		return s;
	}

	std::string_view text_;
	std::size_t i_ = 0;
	Pos pos_;
};

// --- statements ----------------------------------------------------------

// One statement: its words and, if it opened a section, the section's body.
struct Statement {
	std::vector<Token> words;
	bool has_body = false;
	Pos open;
	std::vector<Statement> body;
};

class Grouper {
public:
	explicit Grouper(std::vector<Token> tokens) : toks_(std::move(tokens)) {}

	std::vector<Statement> run() { return body(nullptr); }

private:
	// The statements up to the '}' that closes opener (or the end of the
	// file at the top level, opener == nullptr).
	std::vector<Statement> body(const Statement *opener)
	{
		std::vector<Statement> out;
		Statement cur;
		// The last statement ended at a newline: a '{' on the next
		// line still opens its section.
		bool reopenable = false;
		const auto flush = [&] {
			if (!cur.words.empty())
				out.push_back(std::move(cur));
			cur = Statement{};
		};
		for (;;) {
			const Token &t = toks_[i_];
			switch (t.kind) {
			case Tok::word:
				cur.words.push_back(t);
				i_++;
				break;
			case Tok::end_of_statement:
				if (t.text != "\n")
					reopenable = false;
				else if (!cur.words.empty())
					reopenable = true;
				flush();
				i_++;
				break;
			case Tok::open:
				if (cur.words.empty() && reopenable && !out.empty() &&
				    !out.back().has_body) {
					cur = std::move(out.back());
					out.pop_back();
				}
				reopenable = false;
				if (cur.words.empty())
					fail(t.pos, "'{' without a section before it",
					     "a section starts with a keyword and a name, e.g. \"DEVICE disk1 {\"");
				i_++;
				cur.has_body = true;
				cur.open = t.pos;
				cur.body = body(&cur);
				flush();
				break;
			case Tok::close:
				reopenable = false;
				flush();
				if (!opener)
					fail(t.pos, "unexpected '}'", "no section is open here");
				i_++;
				return out;
			case Tok::end_of_file:
				flush();
				if (opener)
					fail(t.pos, "missing '}'",
					     fmt::format("the section \"{} {}\" opened at {} is not closed",
							 opener->words[0].text,
							 opener->words.size() > 1 ? opener->words[1].text : "",
							 where(opener->open)));
				return out;
			}
		}
	}

	std::vector<Token> toks_;
	std::size_t i_ = 0;
};

// --- meaning -------------------------------------------------------------

enum class Ctx { top, handler, device, driver, target, lun, group, device_group,
		 target_group, tg_target };

std::string_view ctx_name(Ctx c)
{
	switch (c) {
	case Ctx::top:
		return "the top level";
	case Ctx::handler:
		return "HANDLER";
	case Ctx::device:
		return "DEVICE";
	case Ctx::driver:
		return "TARGET_DRIVER";
	case Ctx::target:
		return "TARGET";
	case Ctx::lun:
		return "LUN";
	case Ctx::group:
		return "GROUP";
	case Ctx::device_group:
		return "DEVICE_GROUP";
	case Ctx::target_group:
		return "TARGET_GROUP";
	case Ctx::tg_target:
		return "TARGET (of a TARGET_GROUP)";
	}
	return "?";
}

constexpr std::array keywords{
	std::string_view("HANDLER"),      std::string_view("DEVICE"),
	std::string_view("TARGET_DRIVER"), std::string_view("TARGET"),
	std::string_view("LUN"),          std::string_view("GROUP"),
	std::string_view("INITIATOR"),    std::string_view("DEVICE_GROUP"),
	std::string_view("TARGET_GROUP"), std::string_view("HW_TARGET"),
};

bool is_keyword(std::string_view w)
{
	return std::ranges::find(keywords, w) != keywords.end();
}

// Where a misplaced keyword belongs, for the error's detail.
std::string_view belongs(std::string_view kw)
{
	if (kw == "HANDLER" || kw == "TARGET_DRIVER" || kw == "DEVICE_GROUP")
		return "it belongs at the top level";
	if (kw == "DEVICE")
		return "it belongs in a HANDLER or a DEVICE_GROUP";
	if (kw == "TARGET")
		return "it belongs in a TARGET_DRIVER or a TARGET_GROUP";
	if (kw == "LUN")
		return "it belongs in a TARGET or a GROUP";
	if (kw == "GROUP" || kw == "HW_TARGET")
		return "it belongs in a TARGET";
	if (kw == "INITIATOR")
		return "it belongs in a GROUP";
	if (kw == "TARGET_GROUP")
		return "it belongs in a DEVICE_GROUP";
	return "";
}

// Names become sysfs path components.
void check_name(const Token &t, std::string_view what)
{
	const std::string &n = t.text;
	if (n.empty() || n == "." || n == ".." || n.find('/') != std::string::npos ||
	    n.find('\n') != std::string::npos)
		fail(t.pos, fmt::format("invalid {} name {}", what, quote(n)),
		     "a name must not be empty, \".\" or \"..\", nor contain '/' or a newline");
}

class Interpreter {
public:
	Config run(const std::vector<Statement> &stmts)
	{
		for (const auto &s : stmts)
			top(s);
		return std::move(cfg_);
	}

private:
	// stmt must have exactly n words after its keyword.
	static void args(const Statement &s, std::size_t n, std::string_view usage)
	{
		const auto &w = s.words;
		if (w.size() < n + 1)
			fail(w[0].pos, fmt::format("{} needs {}", w[0].text, usage),
			     fmt::format("write \"{} {}\"", w[0].text, usage));
		if (w.size() > n + 1)
			fail(w[n + 1].pos, fmt::format("unexpected {} after {}", quote(w[n + 1].text),
						       w[0].text),
			     fmt::format("{} takes {}; quote values that contain blanks",
					 w[0].text, usage));
	}

	static void no_body(const Statement &s)
	{
		if (s.has_body)
			fail(s.open, fmt::format("{} cannot have a section body", s.words[0].text));
	}

	// A keyword statement that is not allowed here, or an attribute.
	static void attribute(const Statement &s, Ctx ctx, Attrs &attrs)
	{
		const Token &k = s.words[0];
		if (!k.quoted && is_keyword(k.text))
			fail(k.pos, fmt::format("{} is not allowed in {}", k.text, ctx_name(ctx)),
			     std::string(belongs(k.text)));
		if (s.has_body)
			fail(k.pos, fmt::format("unknown section {}", quote(k.text)),
			     "sections are HANDLER, DEVICE, TARGET_DRIVER, TARGET, LUN, GROUP, "
			     "DEVICE_GROUP, TARGET_GROUP");
		check_name(k, "attribute");
		if (k.text == "mgmt")
			fail(k.pos, "mgmt is not an attribute",
			     "mgmt files take commands; the file describes objects and attributes");
		if (s.words.size() < 2)
			fail(k.pos, fmt::format("attribute {} has no value", quote(k.text)),
			     fmt::format("write \"{} VALUE\"", k.text));
		if (s.words.size() > 2)
			fail(s.words[2].pos,
			     fmt::format("unexpected {} after the value of {}", quote(s.words[2].text),
					 quote(k.text)),
			     "an attribute takes one value; quote values that contain blanks");
		attrs[k.text].insert(s.words[1].text);
	}

	static bool is(const Statement &s, std::string_view kw)
	{
		return !s.words[0].quoted && s.words[0].text == kw;
	}

	// The key was seen before in this scope: fail at t.
	static void unique(std::map<std::string, Pos> &seen, const std::string &key,
			   const Token &t, std::string_view what)
	{
		const auto [it, fresh] = seen.emplace(key, t.pos);
		if (!fresh)
			fail(t.pos, fmt::format("duplicate {}", what),
			     fmt::format("first defined at {}", where(it->second)));
	}

	static std::uint64_t lun_number(const Token &t)
	{
		std::uint64_t n = 0;
		const char *b = t.text.data(), *e = b + t.text.size();
		const auto [p, ec] = std::from_chars(b, e, n);
		if (t.text.empty() || ec != std::errc() || p != e)
			fail(t.pos, fmt::format("invalid LUN number {}", quote(t.text)),
			     "a LUN number is a decimal number");
		return n;
	}

	void top(const Statement &s)
	{
		if (is(s, "HANDLER")) {
			args(s, 1, "a handler name");
			check_name(s.words[1], "handler");
			Handler &h = cfg_.handlers[s.words[1].text];
			for (const auto &c : s.body)
				handler(c, h);
		} else if (is(s, "TARGET_DRIVER")) {
			args(s, 1, "a driver name");
			check_name(s.words[1], "driver");
			const std::string &name = s.words[1].text;
			Driver &d = cfg_.drivers[name];
			for (const auto &c : s.body)
				driver(c, d, name);
		} else if (is(s, "DEVICE_GROUP")) {
			args(s, 1, "a device group name");
			check_name(s.words[1], "device group");
			const std::string &name = s.words[1].text;
			DeviceGroup &dg = cfg_.device_groups[name];
			for (const auto &c : s.body)
				device_group(c, dg, name);
		} else {
			attribute(s, Ctx::top, cfg_.attrs);
		}
	}

	void handler(const Statement &s, Handler &h)
	{
		if (!is(s, "DEVICE"))
			return attribute(s, Ctx::handler, h.attrs);
		args(s, 1, "a device name");
		const Token &n = s.words[1];
		check_name(n, "device");
		unique(devices_, n.text, n, fmt::format("DEVICE {}", n.text));
		Device &d = h.devices[n.text];
		for (const auto &c : s.body)
			attribute(c, Ctx::device, d.attrs);
	}

	void driver(const Statement &s, Driver &d, const std::string &dname)
	{
		if (!is(s, "TARGET"))
			return attribute(s, Ctx::driver, d.attrs);
		args(s, 1, "a target name");
		const Token &n = s.words[1];
		check_name(n, "target");
		unique(targets_, dname + '/' + n.text, n, fmt::format("TARGET {}", n.text));
		Target &t = d.targets[n.text];
		std::map<std::string, Pos> luns, groups, initiators;
		for (const auto &c : s.body)
			target(c, t, luns, groups, initiators);
	}

	static void lun(const Statement &s, Luns &luns, std::map<std::string, Pos> &seen)
	{
		args(s, 2, "a LUN number and a device");
		const std::uint64_t nr = lun_number(s.words[1]);
		check_name(s.words[2], "device");
		unique(seen, std::to_string(nr), s.words[1], fmt::format("LUN {}", nr));
		Lun &l = luns[nr];
		l.device = s.words[2].text;
		for (const auto &c : s.body)
			attribute(c, Ctx::lun, l.attrs);
	}

	static void target(const Statement &s, Target &t, std::map<std::string, Pos> &luns,
			   std::map<std::string, Pos> &groups,
			   std::map<std::string, Pos> &initiators)
	{
		if (is(s, "HW_TARGET")) {
			args(s, 0, "no value");
			no_body(s);
			t.hw = true;
		} else if (is(s, "LUN")) {
			lun(s, t.luns, luns);
		} else if (is(s, "GROUP")) {
			args(s, 1, "a group name");
			const Token &n = s.words[1];
			check_name(n, "group");
			unique(groups, n.text, n, fmt::format("GROUP {}", n.text));
			Group &g = t.groups[n.text];
			std::map<std::string, Pos> glun;
			for (const auto &c : s.body) {
				if (is(c, "LUN")) {
					lun(c, g.luns, glun);
				} else if (is(c, "INITIATOR")) {
					args(c, 1, "an initiator name or pattern");
					no_body(c);
					const Token &i = c.words[1];
					check_name(i, "initiator");
					unique(initiators, i.text, i, fmt::format("INITIATOR {}", i.text));
					g.initiators.insert(i.text);
				} else {
					attribute(c, Ctx::group, g.attrs);
				}
			}
		} else {
			attribute(s, Ctx::target, t.attrs);
		}
	}

	void device_group(const Statement &s, DeviceGroup &dg, const std::string &dgname)
	{
		if (is(s, "DEVICE")) {
			args(s, 1, "a device name");
			no_body(s);
			const Token &n = s.words[1];
			check_name(n, "device");
			unique(dg_devices_, n.text, n,
			       fmt::format("DEVICE {} in a DEVICE_GROUP", n.text));
			dg.devices.insert(n.text);
		} else if (is(s, "TARGET_GROUP")) {
			args(s, 1, "a target group name");
			const Token &n = s.words[1];
			check_name(n, "target group");
			unique(tgs_, dgname + '/' + n.text, n, fmt::format("TARGET_GROUP {}", n.text));
			TargetGroup &tg = dg.target_groups[n.text];
			std::map<std::string, Pos> tgts;
			for (const auto &c : s.body) {
				if (!is(c, "TARGET")) {
					attribute(c, Ctx::target_group, tg.attrs);
					continue;
				}
				args(c, 1, "a target name");
				const Token &t = c.words[1];
				check_name(t, "target");
				unique(tgts, t.text, t, fmt::format("TARGET {}", t.text));
				Attrs &a = tg.targets[t.text];
				for (const auto &cc : c.body)
					attribute(cc, Ctx::tg_target, a);
			}
		} else {
			attribute(s, Ctx::device_group, dg.attrs);
		}
	}

	Config cfg_;
	// Scopes that span merged sections.
	std::map<std::string, Pos> devices_, targets_, dg_devices_, tgs_;
};

// --- printer -------------------------------------------------------------

// A section body is a list of chunks separated by blank lines; each chunk
// is complete lines.
using Chunks = std::vector<std::string>;

std::string indent(int depth)
{
	return std::string(static_cast<std::size_t>(depth), '\t');
}

std::string name_word(std::string_view name)
{
	// An attribute called like a keyword is quoted so it stays an attribute.
	return is_keyword(name) ? fmt::format("\"{}\"", name) : quote(name);
}

std::string attr_lines(const Attrs &attrs, int depth)
{
	std::string s;
	for (const auto &[name, values] : attrs)
		for (const auto &v : values)
			s += fmt::format("{}{} {}\n", indent(depth), name_word(name), quote(v));
	return s;
}

std::string section(int depth, std::string_view header, const Chunks &body)
{
	std::string s = indent(depth) + std::string(header);
	if (body.empty())
		return s + "\n";
	s += " {\n";
	for (std::size_t i = 0; i < body.size(); i++) {
		if (i)
			s += '\n';
		s += body[i];
	}
	return s + indent(depth) + "}\n";
}

void add_chunk(Chunks &chunks, std::string chunk)
{
	if (!chunk.empty())
		chunks.push_back(std::move(chunk));
}

// Children: consecutive ones without a body share a chunk, one with a body
// is a chunk of its own.
class ChildList {
public:
	explicit ChildList(Chunks &chunks) : chunks_(chunks) {}
	void add(const std::string &text, bool has_body)
	{
		if (has_body || !open_) {
			chunks_.push_back(text);
			open_ = !has_body;
		} else {
			chunks_.back() += text;
		}
	}

private:
	Chunks &chunks_;
	bool open_ = false;
};

std::string luns_text(const Luns &luns, int depth)
{
	std::string s;
	for (const auto &[nr, lun] : luns) {
		Chunks body;
		add_chunk(body, attr_lines(lun.attrs, depth + 1));
		s += section(depth, fmt::format("LUN {} {}", nr, quote(lun.device)), body);
	}
	return s;
}

std::string target_text(const std::string &name, const Target &t, int depth)
{
	Chunks body;
	if (t.hw)
		body.push_back(indent(depth + 1) + "HW_TARGET\n");
	add_chunk(body, attr_lines(t.attrs, depth + 1));
	add_chunk(body, luns_text(t.luns, depth + 1));
	for (const auto &[gname, g] : t.groups) {
		Chunks gbody;
		add_chunk(gbody, attr_lines(g.attrs, depth + 2));
		add_chunk(gbody, luns_text(g.luns, depth + 2));
		std::string inis;
		for (const auto &i : g.initiators)
			inis += fmt::format("{}INITIATOR {}\n", indent(depth + 2), quote(i));
		add_chunk(gbody, std::move(inis));
		body.push_back(section(depth + 1, fmt::format("GROUP {}", quote(gname)), gbody));
	}
	return section(depth, fmt::format("TARGET {}", quote(name)), body);
}

} // namespace

std::optional<std::string> get(const Attrs &attrs, std::string_view name)
{
	const auto it = attrs.find(std::string(name));
	if (it == attrs.end() || it->second.empty())
		return std::nullopt;
	return *it->second.begin();
}

const Device *Config::find_device(std::string_view name, std::string *handler) const
{
	for (const auto &[hname, h] : handlers) {
		const auto it = h.devices.find(std::string(name));
		if (it != h.devices.end()) {
			if (handler)
				*handler = hname;
			return &it->second;
		}
	}
	return nullptr;
}

std::string ParseError::message() const
{
	if (detail.empty())
		return fmt::format("{}:{}:{}: {}", source, line, column, problem);
	return fmt::format("{}:{}:{}: {}: {}", source, line, column, problem, detail);
}

Error ParseError::to_error() const
{
	return Error(std::make_error_code(std::errc::invalid_argument),
		     fmt::format("{}:{}:{}", source, line, column), problem, detail);
}

Expected<Config, ParseError> parse(std::string_view text, std::string_view source)
{
	try {
		Lexer lexer(text);
		Grouper grouper(lexer.run());
		return Interpreter().run(grouper.run());
	} catch (const Failure &f) {
		return unexpected(ParseError{std::string(source), f.pos.line, f.pos.column,
					     f.problem, f.detail});
	}
}

std::string quote(std::string_view value)
{
	const bool plain = !value.empty() &&
			   value.find_first_of(" \t\r\n\f\v\"\\#;{}") == std::string_view::npos;
	if (plain)
		return std::string(value);
	std::string s = "\"";
	for (const char c : value) {
		if (c == '"' || c == '\\' || c == '#' || c == '\n')
			s += '\\';
		s += c;
	}
	return s + '"';
}

std::string print(const Config &config)
{
	Chunks top;
	add_chunk(top, attr_lines(config.attrs, 0));

	for (const auto &[hname, h] : config.handlers) {
		Chunks body;
		add_chunk(body, attr_lines(h.attrs, 1));
		ChildList devices(body);
		for (const auto &[dname, d] : h.devices) {
			Chunks dbody;
			add_chunk(dbody, attr_lines(d.attrs, 2));
			devices.add(section(1, fmt::format("DEVICE {}", quote(dname)), dbody),
				    !dbody.empty());
		}
		top.push_back(section(0, fmt::format("HANDLER {}", quote(hname)), body));
	}

	for (const auto &[dname, d] : config.drivers) {
		Chunks body;
		add_chunk(body, attr_lines(d.attrs, 1));
		ChildList targets(body);
		for (const auto &[tname, t] : d.targets) {
			const bool has_body = t.hw || !t.attrs.empty() || !t.luns.empty() ||
					      !t.groups.empty();
			targets.add(target_text(tname, t, 1), has_body);
		}
		top.push_back(section(0, fmt::format("TARGET_DRIVER {}", quote(dname)), body));
	}

	for (const auto &[dgname, dg] : config.device_groups) {
		Chunks body;
		add_chunk(body, attr_lines(dg.attrs, 1));
		std::string devs;
		for (const auto &d : dg.devices)
			devs += fmt::format("\tDEVICE {}\n", quote(d));
		add_chunk(body, std::move(devs));
		ChildList tgs(body);
		for (const auto &[tgname, tg] : dg.target_groups) {
			Chunks tbody;
			add_chunk(tbody, attr_lines(tg.attrs, 2));
			ChildList tgts(tbody);
			for (const auto &[tname, a] : tg.targets) {
				Chunks abody;
				add_chunk(abody, attr_lines(a, 3));
				tgts.add(section(2, fmt::format("TARGET {}", quote(tname)), abody),
					 !abody.empty());
			}
			tgs.add(section(1, fmt::format("TARGET_GROUP {}", quote(tgname)), tbody),
				!tbody.empty());
		}
		top.push_back(section(0, fmt::format("DEVICE_GROUP {}", quote(dgname)), body));
	}

	std::string out;
	for (std::size_t i = 0; i < top.size(); i++) {
		if (i)
			out += '\n';
		out += top[i];
	}
	return out;
}

} // namespace strix::config
