// strix-iscsid: the iSCSI login daemon.  Everything is in daemon.cc and
// libstrix_iscsi (usr/lib/iscsi).
#include <cstddef>

#include "daemon.h"

int main(int argc, char **argv)
{
	return strix::iscsid::run({argv, static_cast<std::size_t>(argc)});
}
