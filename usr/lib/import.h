// Other tools' configurations -> Strix's config::Config.
//
// from_scst(): an /etc/scst.conf (the same syntax as strix.conf); objects
// and attributes that Strix's ABI (sysfs-abi.md) has no name for are left
// out, each reported.
//
// from_targetcli(): LIO's saveconfig.json (rtslib's format, see
// saveconfig.json(5)):
//   storage_objects  fileio -> vdisk_fileio, block -> vdisk_blockio,
//                    ramdisk -> vdisk_nullio (pscsi, user: reported)
//   targets          iscsi -> iscsi, loopback -> scst_local, srpt -> ib_srpt,
//                    qla2xxx -> qla2x00t (HW_TARGET); the first TPG only
//   tpg luns         LUNs of the target's default group when everyone may log
//                    in (generate_node_acls 1, read-only when
//                    demo_mode_write_protect 1) or for fabrics without ACLs
//   node_acls        a GROUP per ACL: INITIATOR node_wwn, its mapped LUNs
//   CHAP             userid/password (TPG or ACL) -> IncomingUser "user pass",
//                    mutual ones -> OutgoingUser (SCST's CHAP is per target)
//   portals          a specific address -> allowed_portal
//   parameters       the iSCSI negotiation keys of the same name
// Everything else with a non-default value is reported.
#ifndef STRIX_USR_IMPORT_H
#define STRIX_USR_IMPORT_H

#include <string>
#include <string_view>
#include <vector>

#include "config.h"
#include "error.h"
#include "expected.h"

namespace strix::import {

struct Result {
	config::Config config;
	// "subject: what has no equivalent: what was done", one per finding.
	std::vector<std::string> unmapped;
};

Expected<Result> from_scst(std::string_view text, std::string_view source = "<scst.conf>");
Expected<Result> from_targetcli(std::string_view json_text,
				std::string_view source = "<saveconfig.json>");

} // namespace strix::import

#endif // STRIX_USR_IMPORT_H
