// The core's events: decoding messages built the way strix.ko builds them
// (kernel/core/nl.c), both forms of output, and watch() over a fake source.
#include "events.h"

#include <fcntl.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include <strix_nl.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace strix::events {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

using Msg = std::unique_ptr<nl_msg, decltype(&nlmsg_free)>;

// A message of command cmd with no attributes yet.
Msg message(std::uint8_t cmd = STRIX_NL_EVT_ALUA_STATE)
{
	Msg msg(nlmsg_alloc(), &nlmsg_free);
	EXPECT_TRUE(genlmsg_put(msg.get(), 0, 0, 42, 0, 0, cmd, STRIX_NL_GENL_VERSION));
	return msg;
}

// The attributes every ALUA event has.
Msg alua(std::uint8_t old_state, std::uint8_t new_state, std::uint8_t cause,
	 std::uint8_t failed = 0)
{
	Msg msg = message();
	EXPECT_EQ(nla_put_string(msg.get(), STRIX_NL_A_DEVICE_GROUP, "dg1"), 0);
	EXPECT_EQ(nla_put_string(msg.get(), STRIX_NL_A_TARGET_GROUP, "tgA"), 0);
	EXPECT_EQ(nla_put_u16(msg.get(), STRIX_NL_A_GROUP_ID, 1), 0);
	EXPECT_EQ(nla_put_u8(msg.get(), STRIX_NL_A_OLD_STATE, old_state), 0);
	EXPECT_EQ(nla_put_u8(msg.get(), STRIX_NL_A_NEW_STATE, new_state), 0);
	EXPECT_EQ(nla_put_u8(msg.get(), STRIX_NL_A_CAUSE, cause), 0);
	EXPECT_EQ(nla_put_u8(msg.get(), STRIX_NL_A_FAILED, failed), 0);
	return msg;
}

// An event from an initiator's SET TARGET PORT GROUPS, the nexus included.
Msg stpg(std::uint8_t old_state, std::uint8_t new_state)
{
	Msg msg = alua(old_state, new_state, STRIX_NL_CAUSE_STPG);
	EXPECT_EQ(nla_put_string(msg.get(), STRIX_NL_A_INITIATOR, "iqn.1993-08.org.debian:01:a"), 0);
	EXPECT_EQ(nla_put_string(msg.get(), STRIX_NL_A_TARGET, "tgt1"), 0);
	EXPECT_EQ(nla_put_u16(msg.get(), STRIX_NL_A_REL_TGT_ID, 1), 0);
	EXPECT_EQ(nla_put_string(msg.get(), STRIX_NL_A_DEVICE, "disk1"), 0);
	return msg;
}

AluaState decoded(const Msg &msg)
{
	const auto e = decode(msg.get());
	EXPECT_TRUE(e.has_value()) << e.error().what();
	EXPECT_TRUE(e && *e);
	return e && *e ? **e : AluaState{};
}

std::string malformed(const Msg &msg)
{
	const auto e = decode(msg.get());
	if (e)
		return "decoded";
	EXPECT_EQ(e.error().errno_name(), "EBADMSG");
	return e.error().what();
}

// --- decode ------------------------------------------------------------------------

TEST(Decode, ChangeThroughSysfs)
{
	const AluaState e = decoded(alua(STRIX_NL_ALUA_STANDBY, STRIX_NL_ALUA_ACTIVE,
					 STRIX_NL_CAUSE_SYSFS));
	EXPECT_EQ(e, (AluaState{.device_group = "dg1",
				.target_group = "tgA",
				.group_id = 1,
				.old_state = STRIX_NL_ALUA_STANDBY,
				.new_state = STRIX_NL_ALUA_ACTIVE,
				.cause = STRIX_NL_CAUSE_SYSFS,
				.failed = false,
				.initiator = std::nullopt,
				.target = std::nullopt,
				.rel_tgt_id = std::nullopt,
				.device = std::nullopt}));
	EXPECT_EQ(to_text(e), "alua_state dg=dg1 tg=tgA group_id=1 standby -> active cause=sysfs");
	EXPECT_EQ(to_json(e), json::parse(R"({"event": "alua_state", "device_group": "dg1",
		"target_group": "tgA", "group_id": 1, "old_state": "standby",
		"new_state": "active", "cause": "sysfs", "failed": false})"));
}

TEST(Decode, SetTargetPortGroupsWithItsNexus)
{
	const AluaState e = decoded(stpg(STRIX_NL_ALUA_STANDBY, STRIX_NL_ALUA_ACTIVE));
	EXPECT_EQ(e.initiator, "iqn.1993-08.org.debian:01:a");
	EXPECT_EQ(e.target, "tgt1");
	EXPECT_EQ(e.rel_tgt_id, 1);
	EXPECT_EQ(e.device, "disk1");
	EXPECT_EQ(to_text(e), "alua_state dg=dg1 tg=tgA group_id=1 standby -> active cause=stpg "
			      "initiator=iqn.1993-08.org.debian:01:a target=tgt1 rel_tgt_id=1 "
			      "device=disk1");
	EXPECT_EQ(to_json(e), json::parse(R"({"event": "alua_state", "device_group": "dg1",
		"target_group": "tgA", "group_id": 1, "old_state": "standby",
		"new_state": "active", "cause": "stpg", "failed": false,
		"initiator": "iqn.1993-08.org.debian:01:a", "target": "tgt1",
		"rel_tgt_id": 1, "device": "disk1"})"));
}

TEST(Decode, FailedTransition)
{
	const AluaState e = decoded(alua(STRIX_NL_ALUA_TRANSITIONING, STRIX_NL_ALUA_STANDBY,
					 STRIX_NL_CAUSE_SYSFS, 1));
	EXPECT_TRUE(e.failed);
	EXPECT_EQ(to_text(e),
		  "alua_state dg=dg1 tg=tgA group_id=1 transitioning -> standby cause=sysfs failed");
	EXPECT_EQ(to_json(e)["failed"], true);
}

TEST(Decode, EveryStateByItsSysfsWord)
{
	const std::vector<std::pair<std::uint8_t, std::string>> states{
		{STRIX_NL_ALUA_ACTIVE, "active"},
		{STRIX_NL_ALUA_NONOPTIMIZED, "nonoptimized"},
		{STRIX_NL_ALUA_STANDBY, "standby"},
		{STRIX_NL_ALUA_UNAVAILABLE, "unavailable"},
		{STRIX_NL_ALUA_OFFLINE, "offline"},
		{STRIX_NL_ALUA_TRANSITIONING, "transitioning"},
	};
	for (const auto &[code, word] : states) {
		const AluaState e = decoded(alua(code, code, STRIX_NL_CAUSE_SYSFS));
		EXPECT_EQ(state_name(code), word);
		EXPECT_EQ(to_json(e)["old_state"], word);
		EXPECT_EQ(to_json(e)["new_state"], word);
		EXPECT_NE(to_text(e).find(" " + word + " -> " + word + " "), std::string::npos)
			<< to_text(e);
	}
}

TEST(Decode, UnknownStateAndCauseAsHex)
{
	const AluaState e = decoded(alua(0x04, 0x80, 0x07));
	EXPECT_EQ(to_text(e), "alua_state dg=dg1 tg=tgA group_id=1 0x04 -> 0x80 cause=0x07");
	const json j = to_json(e);
	EXPECT_EQ(j["old_state"], "0x04");
	EXPECT_EQ(j["new_state"], "0x80");
	EXPECT_EQ(j["cause"], "0x07");
}

TEST(Decode, NexusFieldsOnlyWhenSent)
{
	Msg msg = alua(STRIX_NL_ALUA_ACTIVE, STRIX_NL_ALUA_STANDBY, STRIX_NL_CAUSE_STPG);
	nla_put_string(msg.get(), STRIX_NL_A_TARGET, "tgt1");
	const AluaState e = decoded(msg);
	EXPECT_FALSE(e.initiator);
	EXPECT_FALSE(e.rel_tgt_id);
	EXPECT_FALSE(e.device);
	EXPECT_EQ(to_text(e),
		  "alua_state dg=dg1 tg=tgA group_id=1 active -> standby cause=stpg target=tgt1");
	const json j = to_json(e);
	EXPECT_EQ(j["target"], "tgt1");
	for (const char *key : {"initiator", "rel_tgt_id", "device"})
		EXPECT_FALSE(j.contains(key)) << key;
}

TEST(Decode, NoFailedAttributeIsNotFailed)
{
	Msg msg = message();
	nla_put_string(msg.get(), STRIX_NL_A_DEVICE_GROUP, "dg1");
	nla_put_string(msg.get(), STRIX_NL_A_TARGET_GROUP, "tgA");
	nla_put_u16(msg.get(), STRIX_NL_A_GROUP_ID, 7);
	nla_put_u8(msg.get(), STRIX_NL_A_OLD_STATE, STRIX_NL_ALUA_ACTIVE);
	nla_put_u8(msg.get(), STRIX_NL_A_NEW_STATE, STRIX_NL_ALUA_OFFLINE);
	nla_put_u8(msg.get(), STRIX_NL_A_CAUSE, STRIX_NL_CAUSE_SYSFS);
	const AluaState e = decoded(msg);
	EXPECT_FALSE(e.failed);
	EXPECT_EQ(e.group_id, 7);
}

TEST(Decode, UnknownAttributesOfANewerKernelAreIgnored)
{
	Msg msg = alua(STRIX_NL_ALUA_STANDBY, STRIX_NL_ALUA_ACTIVE, STRIX_NL_CAUSE_SYSFS);
	ASSERT_EQ(nla_put_u32(msg.get(), STRIX_NL_A_MAX + 1, 0xdeadbeef), 0);
	ASSERT_EQ(nla_put_string(msg.get(), STRIX_NL_A_MAX + 7, "later"), 0);
	const AluaState e = decoded(msg);
	EXPECT_EQ(to_text(e), "alua_state dg=dg1 tg=tgA group_id=1 standby -> active cause=sysfs");
}

TEST(Decode, UnknownCommandsOfANewerKernelAreSkipped)
{
	for (const std::uint8_t cmd : {std::uint8_t(STRIX_NL_CMD_UNSPEC),
				       std::uint8_t(STRIX_NL_CMD_MAX + 1), std::uint8_t(200)}) {
		Msg msg = message(cmd);
		nla_put_string(msg.get(), STRIX_NL_A_DEVICE_GROUP, "dg1");
		const auto e = decode(msg.get());
		ASSERT_TRUE(e.has_value()) << e.error().what();
		EXPECT_FALSE(*e) << "command " << int(cmd);
	}
}

TEST(Decode, MissingRequiredAttributeIsMalformed)
{
	Msg msg = message();
	nla_put_string(msg.get(), STRIX_NL_A_DEVICE_GROUP, "dg1");
	nla_put_string(msg.get(), STRIX_NL_A_TARGET_GROUP, "tgA");
	nla_put_u8(msg.get(), STRIX_NL_A_OLD_STATE, STRIX_NL_ALUA_ACTIVE);
	nla_put_u8(msg.get(), STRIX_NL_A_NEW_STATE, STRIX_NL_ALUA_STANDBY);
	nla_put_u8(msg.get(), STRIX_NL_A_CAUSE, STRIX_NL_CAUSE_SYSFS);
	EXPECT_EQ(malformed(msg), "alua_state event: malformed: no GROUP_ID attribute");
}

TEST(Decode, AttributesOfTheWrongSizeOrTypeAreMalformed)
{
	Msg wide = message();
	nla_put_string(wide.get(), STRIX_NL_A_DEVICE_GROUP, "dg1");
	nla_put_u32(wide.get(), STRIX_NL_A_GROUP_ID, 1);
	EXPECT_NE(malformed(wide).find("alua_state event: malformed: an attribute of the wrong "
				       "size or type"),
		  std::string::npos);

	Msg unterminated = message();
	nla_put(unterminated.get(), STRIX_NL_A_DEVICE_GROUP, 3, "dg1");
	EXPECT_NE(malformed(unterminated).find("malformed"), std::string::npos);
}

TEST(Decode, TruncatedHeaderIsMalformed)
{
	Msg msg(nlmsg_alloc(), &nlmsg_free);
	ASSERT_TRUE(nlmsg_put(msg.get(), 0, 0, 42, 0, 0)); // no genlmsghdr
	EXPECT_EQ(malformed(msg),
		  "alua_state event: malformed: shorter than a generic netlink header");
}

// --- watch -------------------------------------------------------------------------

// Messages queued by the test; its descriptor is readable while any is.
class FakeSource final : public Source {
public:
	FakeSource()
	{
		EXPECT_EQ(::pipe2(pipe_, O_CLOEXEC | O_NONBLOCK), 0);
	}
	~FakeSource() override
	{
		::close(pipe_[0]);
		::close(pipe_[1]);
	}
	void push(Msg msg)
	{
		queue_.push_back(std::move(msg));
		EXPECT_EQ(::write(pipe_[1], "m", 1), 1);
	}
	int fd() const override { return pipe_[0]; }
	bool receive(const std::function<void(nl_msg *)> &on_message) override
	{
		char buf[64];
		while (::read(pipe_[0], buf, sizeof(buf)) > 0)
			;
		for (; !queue_.empty(); queue_.pop_front())
			on_message(queue_.front().get());
		const bool complete = !lose;
		lose = false;
		return complete;
	}
	bool lose = false; // the next receive() reports lost messages

private:
	int pipe_[2] = {-1, -1};
	std::deque<Msg> queue_;
};

struct Watched {
	Outcome outcome;
	std::vector<std::string> events;
	std::vector<std::string> warnings;
};

Watched run_watch(FakeSource &src, const Limits &limits)
{
	Watched w;
	w.outcome = watch(
		src, limits, [&](const AluaState &e) { w.events.push_back(to_text(e)); },
		[&](const Error &e) { w.warnings.push_back(e.what()); });
	return w;
}

TEST(Watch, EndsAfterCountEvents)
{
	FakeSource src;
	src.push(alua(STRIX_NL_ALUA_ACTIVE, STRIX_NL_ALUA_STANDBY, STRIX_NL_CAUSE_SYSFS));
	src.push(stpg(STRIX_NL_ALUA_STANDBY, STRIX_NL_ALUA_ACTIVE));
	src.push(alua(STRIX_NL_ALUA_ACTIVE, STRIX_NL_ALUA_OFFLINE, STRIX_NL_CAUSE_SYSFS));
	const Watched w = run_watch(src, {.count = 2, .timeout = 5s, .stop_fd = -1});
	EXPECT_EQ(w.outcome.end, End::count);
	EXPECT_EQ(w.outcome.events, 2u);
	ASSERT_EQ(w.events.size(), 2u);
	EXPECT_NE(w.events[0].find("active -> standby cause=sysfs"), std::string::npos);
	EXPECT_NE(w.events[1].find("standby -> active cause=stpg"), std::string::npos);
	EXPECT_TRUE(w.warnings.empty());
}

TEST(Watch, TimesOutWithWhatArrived)
{
	FakeSource src;
	src.push(alua(STRIX_NL_ALUA_ACTIVE, STRIX_NL_ALUA_STANDBY, STRIX_NL_CAUSE_SYSFS));
	const auto start = std::chrono::steady_clock::now();
	const Watched w = run_watch(src, {.count = 2, .timeout = 50ms, .stop_fd = -1});
	EXPECT_GE(std::chrono::steady_clock::now() - start, 50ms);
	EXPECT_EQ(w.outcome.end, End::timeout);
	EXPECT_EQ(w.outcome.events, 1u);
	EXPECT_EQ(w.events.size(), 1u);
}

TEST(Watch, StopsWhenTheStopDescriptorIsReadable)
{
	FakeSource src;
	int stop[2];
	ASSERT_EQ(::pipe2(stop, O_CLOEXEC), 0);
	ASSERT_EQ(::write(stop[1], "s", 1), 1);
	src.push(alua(STRIX_NL_ALUA_ACTIVE, STRIX_NL_ALUA_STANDBY, STRIX_NL_CAUSE_SYSFS));
	const Watched w = run_watch(src, {.count = std::nullopt, .timeout = 5s, .stop_fd = stop[0]});
	::close(stop[0]);
	::close(stop[1]);
	EXPECT_EQ(w.outcome.end, End::stopped);
	// What had arrived is still printed.
	EXPECT_EQ(w.outcome.events, 1u);
	EXPECT_EQ(w.events.size(), 1u);
}

TEST(Watch, MalformedAndUnknownMessagesDoNotCount)
{
	FakeSource src;
	src.push(message(200));
	src.push(message()); // no attributes at all
	src.push(alua(STRIX_NL_ALUA_ACTIVE, STRIX_NL_ALUA_STANDBY, STRIX_NL_CAUSE_SYSFS));
	const Watched w = run_watch(src, {.count = 1, .timeout = 5s, .stop_fd = -1});
	EXPECT_EQ(w.outcome.end, End::count);
	EXPECT_EQ(w.events.size(), 1u);
	EXPECT_EQ(w.warnings,
		  std::vector<std::string>{"alua_state event: malformed: no DEVICE_GROUP attribute"});
}

TEST(Watch, LostMessagesAreAWarning)
{
	FakeSource src;
	src.lose = true;
	src.push(alua(STRIX_NL_ALUA_ACTIVE, STRIX_NL_ALUA_STANDBY, STRIX_NL_CAUSE_SYSFS));
	const Watched w = run_watch(src, {.count = 1, .timeout = 5s, .stop_fd = -1});
	EXPECT_EQ(w.outcome.end, End::count);
	EXPECT_EQ(w.warnings, std::vector<std::string>{
				      "netlink: events lost: the socket's receive buffer overflowed"});
}

} // namespace
} // namespace strix::events
