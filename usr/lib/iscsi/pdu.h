// iSCSI PDUs of the phases the daemon handles itself (RFC 7143, section
// 11): the login phase (Login Request/Response) and a discovery session's
// full feature phase (Text, Logout, NOP-Out/NOP-In, Reject).
//
// A Pdu is the raw 48-byte basic header segment plus the data segment; the
// typed structs decode/encode the fields of one opcode.  PduReader frames a
// byte stream into PDUs and refuses what a login must not contain (AHS, a
// data segment over a limit).  Digests are never in use here: the daemon
// negotiates none for discovery, and a normal session's digests start after
// the hand-over to the kernel.
#ifndef STRIX_USR_ISCSI_PDU_H
#define STRIX_USR_ISCSI_PDU_H

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "expected.h"

namespace strix::iscsi {

inline constexpr std::size_t bhs_size = 48;
// RFC 7143, 6.3: a login PDU's data segment is at most 8192 bytes.
inline constexpr std::uint32_t login_max_data = 8192;
inline constexpr std::uint32_t reserved_tag = 0xffffffff;

enum class Opcode : std::uint8_t {
	nop_out = 0x00,
	scsi_cmd = 0x01,
	task_mgmt = 0x02,
	login_req = 0x03,
	text_req = 0x04,
	data_out = 0x05,
	logout_req = 0x06,
	snack = 0x10,
	nop_in = 0x20,
	scsi_rsp = 0x21,
	task_mgmt_rsp = 0x22,
	login_rsp = 0x23,
	text_rsp = 0x24,
	data_in = 0x25,
	logout_rsp = 0x26,
	r2t = 0x31,
	async_msg = 0x32,
	reject = 0x3f,
};

// Login stages (CSG/NSG); 2 is reserved.
enum class Stage : std::uint8_t { security = 0, operational = 1, full_feature = 3 };

std::string_view to_string(Stage s) noexcept;

// Big-endian field access on a byte buffer.
std::uint16_t get_be16(const std::uint8_t *p) noexcept;
std::uint32_t get_be24(const std::uint8_t *p) noexcept;
std::uint32_t get_be32(const std::uint8_t *p) noexcept;
std::uint64_t get_be48(const std::uint8_t *p) noexcept;
std::uint64_t get_be64(const std::uint8_t *p) noexcept;
void put_be16(std::uint8_t *p, std::uint16_t v) noexcept;
void put_be24(std::uint8_t *p, std::uint32_t v) noexcept;
void put_be32(std::uint8_t *p, std::uint32_t v) noexcept;
void put_be48(std::uint8_t *p, std::uint64_t v) noexcept;
void put_be64(std::uint8_t *p, std::uint64_t v) noexcept;

struct Pdu {
	std::array<std::uint8_t, bhs_size> bhs{};
	std::vector<std::uint8_t> data; // without padding

	std::uint8_t raw_opcode() const noexcept { return bhs[0] & 0x3f; }
	Opcode opcode() const noexcept { return static_cast<Opcode>(raw_opcode()); }
	bool immediate() const noexcept { return bhs[0] & 0x40; }
	std::uint8_t ahs_words() const noexcept { return bhs[4]; }
	std::uint32_t data_length() const noexcept { return get_be24(&bhs[5]); }
	std::uint32_t itt() const noexcept { return get_be32(&bhs[16]); }

	// BHS (DataSegmentLength set from data) + data + zero padding to 4.
	std::vector<std::uint8_t> serialize() const;
};

enum class PduError {
	ahs,             // TotalAHSLength is not 0
	data_too_long,   // DataSegmentLength over the reader's limit
};

std::string_view to_string(PduError e) noexcept;

// Frames a byte stream into PDUs.
class PduReader {
public:
	explicit PduReader(std::uint32_t max_data = login_max_data) : max_data_(max_data) {}

	void set_max_data(std::uint32_t max_data) noexcept { max_data_ = max_data; }
	void feed(std::span<const std::uint8_t> bytes);
	// The next complete PDU, nullopt if more bytes are needed, or an error
	// (the stream cannot be resynchronised: close the connection).
	Expected<std::optional<Pdu>, PduError> next();
	// Bytes received that are not part of a returned PDU.
	std::size_t buffered() const noexcept { return buf_.size() - pos_; }

private:
	std::uint32_t max_data_;
	std::vector<std::uint8_t> buf_;
	std::size_t pos_ = 0;
};

// Login Request (opcode 0x03), initiator to target.
struct LoginRequest {
	bool transit = false;
	bool cont = false;
	Stage csg = Stage::security;
	std::uint8_t nsg = 0; // raw: may be the reserved 2
	std::uint8_t version_max = 0;
	std::uint8_t version_min = 0;
	std::uint64_t isid = 0; // 48 bits
	std::uint16_t tsih = 0;
	std::uint32_t itt = 0;
	std::uint16_t cid = 0;
	std::uint32_t cmdsn = 0;
	std::uint32_t exp_statsn = 0;
	std::uint8_t raw_csg = 0;
	std::vector<std::uint8_t> data;

	static LoginRequest decode(const Pdu &pdu);
	Pdu encode() const; // for tests and clients
};

// Login status classes and details (RFC 7143, 11.13.5).
struct LoginStatus {
	std::uint8_t cls = 0;
	std::uint8_t detail = 0;

	std::uint16_t code() const noexcept { return static_cast<std::uint16_t>(cls << 8 | detail); }
	friend bool operator==(const LoginStatus &, const LoginStatus &) = default;
};

namespace status {
inline constexpr LoginStatus success{0x00, 0x00};
inline constexpr LoginStatus initiator_error{0x02, 0x00};
inline constexpr LoginStatus auth_failure{0x02, 0x01};
inline constexpr LoginStatus authorization_failure{0x02, 0x02};
inline constexpr LoginStatus not_found{0x02, 0x03};
inline constexpr LoginStatus target_removed{0x02, 0x04};
inline constexpr LoginStatus unsupported_version{0x02, 0x05};
inline constexpr LoginStatus too_many_connections{0x02, 0x06};
inline constexpr LoginStatus missing_parameter{0x02, 0x07};
inline constexpr LoginStatus cant_include_in_session{0x02, 0x08};
inline constexpr LoginStatus session_type_unsupported{0x02, 0x09};
inline constexpr LoginStatus session_does_not_exist{0x02, 0x0a};
inline constexpr LoginStatus invalid_during_login{0x02, 0x0b};
inline constexpr LoginStatus target_error{0x03, 0x00};
inline constexpr LoginStatus service_unavailable{0x03, 0x01};
inline constexpr LoginStatus out_of_resources{0x03, 0x02};
} // namespace status

std::string_view describe(LoginStatus s) noexcept;

// Login Response (opcode 0x23), target to initiator.
struct LoginResponse {
	bool transit = false;
	bool cont = false;
	Stage csg = Stage::security;
	Stage nsg = Stage::security;
	std::uint8_t version_max = 0;
	std::uint8_t version_active = 0;
	std::uint64_t isid = 0;
	std::uint16_t tsih = 0;
	std::uint32_t itt = 0;
	std::uint32_t statsn = 0;
	std::uint32_t exp_cmdsn = 0;
	std::uint32_t max_cmdsn = 0;
	LoginStatus status;
	std::vector<std::uint8_t> data;

	Pdu encode() const;
	static LoginResponse decode(const Pdu &pdu);
};

// Text Request (0x04).
struct TextRequest {
	bool immediate = false;
	bool final = true;
	bool cont = false;
	std::uint64_t lun = 0;
	std::uint32_t itt = 0;
	std::uint32_t ttt = reserved_tag;
	std::uint32_t cmdsn = 0;
	std::uint32_t exp_statsn = 0;
	std::vector<std::uint8_t> data;

	static TextRequest decode(const Pdu &pdu);
	Pdu encode() const;
};

// Text Response (0x24).
struct TextResponse {
	bool final = true;
	bool cont = false;
	std::uint64_t lun = 0;
	std::uint32_t itt = 0;
	std::uint32_t ttt = reserved_tag;
	std::uint32_t statsn = 0;
	std::uint32_t exp_cmdsn = 0;
	std::uint32_t max_cmdsn = 0;
	std::vector<std::uint8_t> data;

	Pdu encode() const;
	static TextResponse decode(const Pdu &pdu);
};

// Logout Request (0x06).
struct LogoutRequest {
	bool immediate = false;
	std::uint8_t reason = 0; // 0 close session, 1 close connection, 2 recovery
	std::uint32_t itt = 0;
	std::uint16_t cid = 0;
	std::uint32_t cmdsn = 0;
	std::uint32_t exp_statsn = 0;

	static LogoutRequest decode(const Pdu &pdu);
	Pdu encode() const;
};

// Logout Response (0x26).
struct LogoutResponse {
	std::uint8_t response = 0; // 0 closed successfully
	std::uint32_t itt = 0;
	std::uint32_t statsn = 0;
	std::uint32_t exp_cmdsn = 0;
	std::uint32_t max_cmdsn = 0;
	std::uint16_t time2wait = 0;
	std::uint16_t time2retain = 0;

	Pdu encode() const;
	static LogoutResponse decode(const Pdu &pdu);
};

// NOP-Out (0x00) and the NOP-In (0x20) answering it.
struct NopOut {
	bool immediate = false;
	std::uint64_t lun = 0;
	std::uint32_t itt = 0;
	std::uint32_t ttt = reserved_tag;
	std::uint32_t cmdsn = 0;
	std::uint32_t exp_statsn = 0;
	std::vector<std::uint8_t> data;

	static NopOut decode(const Pdu &pdu);
};

struct NopIn {
	std::uint64_t lun = 0;
	std::uint32_t itt = reserved_tag;
	std::uint32_t ttt = reserved_tag;
	std::uint32_t statsn = 0;
	std::uint32_t exp_cmdsn = 0;
	std::uint32_t max_cmdsn = 0;
	std::vector<std::uint8_t> data;

	Pdu encode() const;
};

// Reject (0x3f): the rejected PDU's header goes in the data segment.
struct Reject {
	std::uint8_t reason = 0; // 0x04 command not supported, 0x09 invalid PDU field
	std::uint32_t statsn = 0;
	std::uint32_t exp_cmdsn = 0;
	std::uint32_t max_cmdsn = 0;
	std::array<std::uint8_t, bhs_size> rejected{};

	Pdu encode() const;
};

// Serial number arithmetic (RFC 1982, 32 bits): a < b.
bool sn_less(std::uint32_t a, std::uint32_t b) noexcept;

} // namespace strix::iscsi

#endif // STRIX_USR_ISCSI_PDU_H
