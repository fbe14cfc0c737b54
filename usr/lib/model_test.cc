#include "model.h"

#include <cerrno>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "config.h"
#include "testing/tree_fixture.h"

namespace strix::model {
namespace {

namespace fs = std::filesystem;
using config::get;

class ModelRead : public strix::testing::TreeFixture {
protected:
	config::Config read_ok() const
	{
		auto r = read(sysfs::Tree(root_));
		if (!r)
			ADD_FAILURE() << r.error().what();
		return r ? *r : config::Config{};
	}

	// A running box: two handlers, an iSCSI target with groups, a hardware
	// target, an ALUA device group, and things that are not configuration.
	void populate() const
	{
		write_file("threads", "8\n");
		write_file("last_sysfs_mgmt_res", "0\n");
		write_file("sgv/global_stats", "x\n");

		write_file("devices/disk1/size", "1048576\n");
		write_file("devices/disk1/type", "0 - Direct-access block device\n");
		make_dir("devices/disk1/exported");
		make_link("devices/disk1/exported/export0", "../../../targets/iscsi/t1/luns/0");
		write_file("devices/disk2/filename", "/srv/disk2.img\n[key]\n");
		write_file("devices/disk2/nv_cache", "1\n[key]\n");
		write_file("devices/disk2/write_through", "0\n");
		write_file("devices/disk2/resync_size", "", fs::perms::owner_write);
		make_link("devices/disk2/handler", "../../handlers/vdisk_fileio");
		// Only the handler's link names vol1's handler.
		write_file("handlers/vdisk_blockio/type", "0 - Direct-access block device\n");
		write_file("handlers/vdisk_blockio/mgmt", "", fs::perms::owner_write);
		make_link("handlers/vdisk_blockio/vol1", "../../devices/vol1");
		write_file("devices/vol1/filename", "/dev/zvol/tank/vol1\n[key]\n");
		write_file("handlers/vdisk_fileio/trace_level", "none\n");

		const std::string t = "targets/iscsi/iqn.2024-01.org.example:t1/";
		write_file("targets/iscsi/mgmt", "Usage\n");
		write_file("targets/iscsi/enabled", "1\n");
		write_file("targets/iscsi/IncomingUser", "joe 12charsecret\n[key]\n");
		write_file("targets/iscsi/IncomingUser1", "fred 12charsecret2\n[key]\n");
		write_file("targets/iscsi/isns_entity_name", "x\n");
		write_file(t + "enabled", "1\n");
		write_file(t + "rel_tgt_id", "1\n");
		write_file(t + "read_cmd_count", "12\n");
		write_file(t + "HeaderDigest", "CRC32C\n[key]\n");
		write_file(t + "allowed_portal1", "10.0.0.1\n[key]\n");
		write_file(t + "allowed_portal2", "10.0.1.1\n[key]\n");
		write_file(t + "luns/mgmt", "");
		make_link(t + "luns/0/device", "../../../../../devices/disk1");
		write_file(t + "luns/0/read_only", "0\n");
		make_link(t + "luns/3/device", "../../../../../devices/disk2");
		write_file(t + "luns/3/read_only", "1\n");
		write_file(t + "ini_groups/mgmt", "");
		make_link(t + "ini_groups/esx/luns/0/device", "../../../../../../../devices/vol1");
		write_file(t + "ini_groups/esx/luns/0/read_only", "0\n");
		write_file(t + "ini_groups/esx/luns/mgmt", "");
		write_file(t + "ini_groups/esx/initiators/mgmt", "");
		write_file(t + "ini_groups/esx/initiators/iqn.1998-01.com.vmware:*",
			   "iqn.1998-01.com.vmware:*\n");
		write_file(t + "ini_groups/esx/initiators/!iqn.1998-01.com.vmware:bad",
			   "!iqn.1998-01.com.vmware:bad\n");
		write_file(t + "ini_groups/empty/initiators/mgmt", "");
		write_file(t + "sessions/iqn.1998-01.com.vmware:h1/initiator_name",
			   "iqn.1998-01.com.vmware:h1\n");
		make_link(t + "sessions/iqn.1998-01.com.vmware:h1/luns", "../../ini_groups/esx/luns");

		write_file("targets/scst_local/mgmt", "Usage\n");
		write_file("targets/qla2x00t/50:01:43:80:11:22:33:44/hw_target", "1\n");
		write_file("targets/qla2x00t/50:01:43:80:11:22:33:44/enabled", "0\n");

		write_file("device_groups/mgmt", "");
		write_file("device_groups/dg1/devices/mgmt", "");
		make_link("device_groups/dg1/devices/disk1", "../../../devices/disk1");
		write_file("device_groups/dg1/target_groups/mgmt", "");
		write_file("device_groups/dg1/target_groups/tg1/group_id", "1\n");
		write_file("device_groups/dg1/target_groups/tg1/state", "active\n");
		write_file("device_groups/dg1/target_groups/tg1/preferred", "0\n");
		write_file("device_groups/dg1/target_groups/tg1/mgmt", "");
		write_file("device_groups/dg1/target_groups/tg1/"
			   "iqn.2024-01.org.example:t1/rel_tgt_id", "1\n");
		// A remote target (another box's port) and one added
		// without an id yet.
		write_file("device_groups/dg1/target_groups/tg1/"
			   "node2:t1/rel_tgt_id", "7\n");
		write_file("device_groups/dg1/target_groups/tg1/"
			   "node3:t1/rel_tgt_id", "0\n");
	}
};

TEST_F(ModelRead, TheBareFixture)
{
	const config::Config c = read_ok();
	EXPECT_EQ(config::print(c), "setup_id 0x2a\n"
				    "\n"
				    "HANDLER vdisk_fileio {\n"
				    "\tDEVICE disk1 {\n"
				    "\t\tfilename /var/lib/strix/disk1.img\n"
				    "\t}\n"
				    "}\n");
}

TEST_F(ModelRead, ARunningBox)
{
	populate();
	const config::Config c = read_ok();
	EXPECT_EQ(config::print(c), R"(setup_id 0x2a

HANDLER vdisk_blockio {
	DEVICE vol1 {
		filename /dev/zvol/tank/vol1
	}
}

HANDLER vdisk_fileio {
	DEVICE disk1 {
		filename /var/lib/strix/disk1.img
	}

	DEVICE disk2 {
		filename /srv/disk2.img
		nv_cache 1
	}
}

TARGET_DRIVER iscsi {
	IncomingUser "fred 12charsecret2"
	IncomingUser "joe 12charsecret"
	enabled 1

	TARGET iqn.2024-01.org.example:t1 {
		HeaderDigest CRC32C
		allowed_portal 10.0.0.1
		allowed_portal 10.0.1.1
		enabled 1

		LUN 0 disk1
		LUN 3 disk2 {
			read_only 1
		}

		GROUP empty

		GROUP esx {
			LUN 0 vol1

			INITIATOR !iqn.1998-01.com.vmware:bad
			INITIATOR iqn.1998-01.com.vmware:*
		}
	}
}

TARGET_DRIVER qla2x00t {
	TARGET 50:01:43:80:11:22:33:44 {
		HW_TARGET
	}
}

DEVICE_GROUP dg1 {
	DEVICE disk1

	TARGET_GROUP tg1 {
		group_id 1
		state active

		TARGET iqn.2024-01.org.example:t1

		TARGET node2:t1 {
			rel_tgt_id 7
		}

		TARGET node3:t1
	}
}
)");
	// What save would write reads back as the same model.
	auto back = config::parse(config::print(c));
	ASSERT_TRUE(back) << back.error().message();
	EXPECT_EQ(*back, c);
}

TEST_F(ModelRead, FoldsNumberedAttributesOnlyForMultiValuedNames)
{
	write_file("devices/disk1/eui64_id", "0x1\n[key]\n");
	write_file("devices/disk1/opt1", "a\n[key]\n");
	write_file("devices/disk1/opt", "b\n[key]\n");
	const config::Config c = read_ok();
	const auto &a = c.handlers.at("vdisk_fileio").devices.at("disk1").attrs;
	EXPECT_EQ(get(a, "eui64_id"), "0x1");
	EXPECT_EQ(a.at("opt"), (std::set<std::string>{"a", "b"}));
	EXPECT_FALSE(a.contains("opt1"));
}

TEST_F(ModelRead, LocalTargetsAreAlwaysEnabledAndSaveNoEnabled)
{
	// scst_local has no way to disable a target; SCST's files never say it
	write_file("targets/scst_local/t1/enabled", "1\n");
	write_file("targets/iscsi/iqn.t/enabled", "1\n");
	const config::Config c = read_ok();
	EXPECT_FALSE(c.drivers.at("scst_local").targets.at("t1").attrs.contains("enabled"));
	EXPECT_EQ(get(c.drivers.at("iscsi").targets.at("iqn.t").attrs, "enabled"), "1");
	EXPECT_TRUE(targets_always_enabled("scst_local"));
	EXPECT_FALSE(targets_always_enabled("iscsi"));
}

TEST_F(ModelRead, LocalSessionsAreSessionNames)
{
	// scst_local sessions exist because a command made them: they are
	// configuration, one session_name value each; iSCSI sessions are not
	write_file("targets/scst_local/t1/sessions/host1/initiator_name", "host1\n");
	write_file("targets/scst_local/t1/sessions/host2/initiator_name", "host2\n");
	write_file("targets/scst_local/t2/luns/mgmt", "");
	write_file("targets/iscsi/iqn.t/sessions/iqn.h/initiator_name", "iqn.h\n");
	const config::Config c = read_ok();
	const auto &local = c.drivers.at("scst_local").targets;
	EXPECT_EQ(local.at("t1").attrs.at("session_name"),
		  (std::set<std::string>{"host1", "host2"}));
	EXPECT_FALSE(local.at("t2").attrs.contains("session_name"));
	EXPECT_TRUE(c.drivers.at("iscsi").targets.at("iqn.t").attrs.empty());
	EXPECT_EQ(session_attribute("scst_local"), "session_name");
	EXPECT_FALSE(session_attribute("iscsi"));
	const std::string printed = config::print(c);
	EXPECT_NE(printed.find("\t\tsession_name host1\n\t\tsession_name host2\n"),
		  std::string::npos) << printed;
}

TEST_F(ModelRead, MissingRootIsAnErrorValue)
{
	const auto r = read(sysfs::Tree(base_ / "absent"));
	ASSERT_FALSE(r);
	EXPECT_EQ(r.error().code(), std::errc::no_such_file_or_directory);
	EXPECT_EQ(r.error().problem(), "not found");
}

TEST_F(ModelRead, LunWithoutDeviceLinkIsAnError)
{
	write_file("targets/scst_local/t1/luns/0/read_only", "0\n");
	const auto r = read(sysfs::Tree(root_));
	ASSERT_FALSE(r);
	EXPECT_EQ(r.error().problem(), "LUN without a device link");
	EXPECT_EQ(r.error().subject(), (root_ / "targets/scst_local/t1/luns/0").string());
}

TEST_F(ModelRead, DeviceWithoutHandlerIsAnError)
{
	write_file("devices/orphan/filename", "/x\n[key]\n");
	const auto r = read(sysfs::Tree(root_));
	ASSERT_FALSE(r);
	EXPECT_EQ(r.error().problem(), "device without a handler link");
}

} // namespace
} // namespace strix::model
