#include "iscsi/pdu.h"

#include <algorithm>

namespace strix::iscsi {

std::string_view to_string(Stage s) noexcept
{
	switch (s) {
	case Stage::security:
		return "security negotiation";
	case Stage::operational:
		return "operational negotiation";
	case Stage::full_feature:
		return "full feature phase";
	}
	return "reserved stage";
}

std::uint16_t get_be16(const std::uint8_t *p) noexcept
{
	return static_cast<std::uint16_t>(p[0] << 8 | p[1]);
}

std::uint32_t get_be24(const std::uint8_t *p) noexcept
{
	return std::uint32_t{p[0]} << 16 | std::uint32_t{p[1]} << 8 | p[2];
}

std::uint32_t get_be32(const std::uint8_t *p) noexcept
{
	return std::uint32_t{p[0]} << 24 | get_be24(p + 1);
}

std::uint64_t get_be48(const std::uint8_t *p) noexcept
{
	return std::uint64_t{get_be16(p)} << 32 | get_be32(p + 2);
}

std::uint64_t get_be64(const std::uint8_t *p) noexcept
{
	return std::uint64_t{get_be32(p)} << 32 | get_be32(p + 4);
}

void put_be16(std::uint8_t *p, std::uint16_t v) noexcept
{
	p[0] = static_cast<std::uint8_t>(v >> 8);
	p[1] = static_cast<std::uint8_t>(v);
}

void put_be24(std::uint8_t *p, std::uint32_t v) noexcept
{
	p[0] = static_cast<std::uint8_t>(v >> 16);
	p[1] = static_cast<std::uint8_t>(v >> 8);
	p[2] = static_cast<std::uint8_t>(v);
}

void put_be32(std::uint8_t *p, std::uint32_t v) noexcept
{
	p[0] = static_cast<std::uint8_t>(v >> 24);
	put_be24(p + 1, v);
}

void put_be48(std::uint8_t *p, std::uint64_t v) noexcept
{
	put_be16(p, static_cast<std::uint16_t>(v >> 32));
	put_be32(p + 2, static_cast<std::uint32_t>(v));
}

void put_be64(std::uint8_t *p, std::uint64_t v) noexcept
{
	put_be32(p, static_cast<std::uint32_t>(v >> 32));
	put_be32(p + 4, static_cast<std::uint32_t>(v));
}

std::vector<std::uint8_t> Pdu::serialize() const
{
	std::vector<std::uint8_t> out(bhs.begin(), bhs.end());
	put_be24(&out[5], static_cast<std::uint32_t>(data.size()));
	out.insert(out.end(), data.begin(), data.end());
	out.resize((out.size() + 3) & ~std::size_t{3}, 0);
	return out;
}

std::string_view to_string(PduError e) noexcept
{
	switch (e) {
	case PduError::ahs:
		return "additional header segments are not allowed here";
	case PduError::data_too_long:
		return "data segment longer than allowed";
	}
	return "malformed PDU";
}

void PduReader::feed(std::span<const std::uint8_t> bytes)
{
	// Drop what was consumed before growing the buffer.
	if (pos_ > 0 && pos_ == buf_.size()) {
		buf_.clear();
		pos_ = 0;
	} else if (pos_ > 65536) {
		buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(pos_));
		pos_ = 0;
	}
	buf_.insert(buf_.end(), bytes.begin(), bytes.end());
}

Expected<std::optional<Pdu>, PduError> PduReader::next()
{
	const std::size_t avail = buf_.size() - pos_;
	if (avail < bhs_size)
		return std::optional<Pdu>();
	const std::uint8_t *p = buf_.data() + pos_;
	if (p[4] != 0)
		return unexpected(PduError::ahs);
	const std::uint32_t dlen = get_be24(p + 5);
	if (dlen > max_data_)
		return unexpected(PduError::data_too_long);
	const std::size_t total = bhs_size + ((std::size_t{dlen} + 3) & ~std::size_t{3});
	if (avail < total)
		return std::optional<Pdu>();
	Pdu pdu;
	std::copy(p, p + bhs_size, pdu.bhs.begin());
	pdu.data.assign(p + bhs_size, p + bhs_size + dlen);
	pos_ += total;
	return std::optional<Pdu>(std::move(pdu));
}

namespace {

Pdu make(Opcode op, bool immediate = false)
{
	Pdu pdu;
	pdu.bhs[0] = static_cast<std::uint8_t>(static_cast<std::uint8_t>(op) | (immediate ? 0x40 : 0));
	return pdu;
}

std::uint8_t stage_bits(bool transit, bool cont, std::uint8_t csg, std::uint8_t nsg)
{
	return static_cast<std::uint8_t>((transit ? 0x80 : 0) | (cont ? 0x40 : 0) |
					 (csg & 3) << 2 | (nsg & 3));
}

} // namespace

LoginRequest LoginRequest::decode(const Pdu &pdu)
{
	const auto &b = pdu.bhs;
	LoginRequest r;
	r.transit = b[1] & 0x80;
	r.cont = b[1] & 0x40;
	r.raw_csg = (b[1] >> 2) & 3;
	r.csg = static_cast<Stage>(r.raw_csg);
	r.nsg = b[1] & 3;
	r.version_max = b[2];
	r.version_min = b[3];
	r.isid = get_be48(&b[8]);
	r.tsih = get_be16(&b[14]);
	r.itt = get_be32(&b[16]);
	r.cid = get_be16(&b[20]);
	r.cmdsn = get_be32(&b[24]);
	r.exp_statsn = get_be32(&b[28]);
	r.data = pdu.data;
	return r;
}

Pdu LoginRequest::encode() const
{
	Pdu pdu = make(Opcode::login_req, true);
	auto &b = pdu.bhs;
	b[1] = stage_bits(transit, cont, static_cast<std::uint8_t>(csg), nsg);
	b[2] = version_max;
	b[3] = version_min;
	put_be48(&b[8], isid);
	put_be16(&b[14], tsih);
	put_be32(&b[16], itt);
	put_be16(&b[20], cid);
	put_be32(&b[24], cmdsn);
	put_be32(&b[28], exp_statsn);
	pdu.data = data;
	put_be24(&b[5], static_cast<std::uint32_t>(data.size()));
	return pdu;
}

std::string_view describe(LoginStatus s) noexcept
{
	switch (s.code()) {
	case 0x0000:
		return "success";
	case 0x0101:
		return "target moved temporarily";
	case 0x0102:
		return "target moved permanently";
	case 0x0200:
		return "initiator error";
	case 0x0201:
		return "authentication failure";
	case 0x0202:
		return "authorization failure";
	case 0x0203:
		return "not found";
	case 0x0204:
		return "target removed";
	case 0x0205:
		return "unsupported version";
	case 0x0206:
		return "too many connections";
	case 0x0207:
		return "missing parameter";
	case 0x0208:
		return "can't include in session";
	case 0x0209:
		return "session type not supported";
	case 0x020a:
		return "session does not exist";
	case 0x020b:
		return "invalid during login";
	case 0x0300:
		return "target error";
	case 0x0301:
		return "service unavailable";
	case 0x0302:
		return "out of resources";
	}
	return "unknown status";
}

Pdu LoginResponse::encode() const
{
	Pdu pdu = make(Opcode::login_rsp);
	auto &b = pdu.bhs;
	b[1] = stage_bits(transit, cont, static_cast<std::uint8_t>(csg),
			  static_cast<std::uint8_t>(nsg));
	b[2] = version_max;
	b[3] = version_active;
	put_be48(&b[8], isid);
	put_be16(&b[14], tsih);
	put_be32(&b[16], itt);
	put_be32(&b[24], statsn);
	put_be32(&b[28], exp_cmdsn);
	put_be32(&b[32], max_cmdsn);
	b[36] = status.cls;
	b[37] = status.detail;
	pdu.data = data;
	put_be24(&b[5], static_cast<std::uint32_t>(data.size()));
	return pdu;
}

LoginResponse LoginResponse::decode(const Pdu &pdu)
{
	const auto &b = pdu.bhs;
	LoginResponse r;
	r.transit = b[1] & 0x80;
	r.cont = b[1] & 0x40;
	r.csg = static_cast<Stage>((b[1] >> 2) & 3);
	r.nsg = static_cast<Stage>(b[1] & 3);
	r.version_max = b[2];
	r.version_active = b[3];
	r.isid = get_be48(&b[8]);
	r.tsih = get_be16(&b[14]);
	r.itt = get_be32(&b[16]);
	r.statsn = get_be32(&b[24]);
	r.exp_cmdsn = get_be32(&b[28]);
	r.max_cmdsn = get_be32(&b[32]);
	r.status = {b[36], b[37]};
	r.data = pdu.data;
	return r;
}

TextRequest TextRequest::decode(const Pdu &pdu)
{
	const auto &b = pdu.bhs;
	TextRequest r;
	r.immediate = pdu.immediate();
	r.final = b[1] & 0x80;
	r.cont = b[1] & 0x40;
	r.lun = get_be64(&b[8]);
	r.itt = get_be32(&b[16]);
	r.ttt = get_be32(&b[20]);
	r.cmdsn = get_be32(&b[24]);
	r.exp_statsn = get_be32(&b[28]);
	r.data = pdu.data;
	return r;
}

Pdu TextRequest::encode() const
{
	Pdu pdu = make(Opcode::text_req, immediate);
	auto &b = pdu.bhs;
	b[1] = static_cast<std::uint8_t>((final ? 0x80 : 0) | (cont ? 0x40 : 0));
	put_be64(&b[8], lun);
	put_be32(&b[16], itt);
	put_be32(&b[20], ttt);
	put_be32(&b[24], cmdsn);
	put_be32(&b[28], exp_statsn);
	pdu.data = data;
	put_be24(&b[5], static_cast<std::uint32_t>(data.size()));
	return pdu;
}

Pdu TextResponse::encode() const
{
	Pdu pdu = make(Opcode::text_rsp);
	auto &b = pdu.bhs;
	b[1] = static_cast<std::uint8_t>((final ? 0x80 : 0) | (cont ? 0x40 : 0));
	put_be64(&b[8], lun);
	put_be32(&b[16], itt);
	put_be32(&b[20], ttt);
	put_be32(&b[24], statsn);
	put_be32(&b[28], exp_cmdsn);
	put_be32(&b[32], max_cmdsn);
	pdu.data = data;
	put_be24(&b[5], static_cast<std::uint32_t>(data.size()));
	return pdu;
}

TextResponse TextResponse::decode(const Pdu &pdu)
{
	const auto &b = pdu.bhs;
	TextResponse r;
	r.final = b[1] & 0x80;
	r.cont = b[1] & 0x40;
	r.lun = get_be64(&b[8]);
	r.itt = get_be32(&b[16]);
	r.ttt = get_be32(&b[20]);
	r.statsn = get_be32(&b[24]);
	r.exp_cmdsn = get_be32(&b[28]);
	r.max_cmdsn = get_be32(&b[32]);
	r.data = pdu.data;
	return r;
}

LogoutRequest LogoutRequest::decode(const Pdu &pdu)
{
	const auto &b = pdu.bhs;
	LogoutRequest r;
	r.immediate = pdu.immediate();
	r.reason = b[1] & 0x7f;
	r.itt = get_be32(&b[16]);
	r.cid = get_be16(&b[20]);
	r.cmdsn = get_be32(&b[24]);
	r.exp_statsn = get_be32(&b[28]);
	return r;
}

Pdu LogoutRequest::encode() const
{
	Pdu pdu = make(Opcode::logout_req, immediate);
	auto &b = pdu.bhs;
	b[1] = static_cast<std::uint8_t>(0x80 | (reason & 0x7f));
	put_be32(&b[16], itt);
	put_be16(&b[20], cid);
	put_be32(&b[24], cmdsn);
	put_be32(&b[28], exp_statsn);
	return pdu;
}

Pdu LogoutResponse::encode() const
{
	Pdu pdu = make(Opcode::logout_rsp);
	auto &b = pdu.bhs;
	b[1] = 0x80;
	b[2] = response;
	put_be32(&b[16], itt);
	put_be32(&b[24], statsn);
	put_be32(&b[28], exp_cmdsn);
	put_be32(&b[32], max_cmdsn);
	put_be16(&b[40], time2wait);
	put_be16(&b[42], time2retain);
	return pdu;
}

LogoutResponse LogoutResponse::decode(const Pdu &pdu)
{
	const auto &b = pdu.bhs;
	LogoutResponse r;
	r.response = b[2];
	r.itt = get_be32(&b[16]);
	r.statsn = get_be32(&b[24]);
	r.exp_cmdsn = get_be32(&b[28]);
	r.max_cmdsn = get_be32(&b[32]);
	r.time2wait = get_be16(&b[40]);
	r.time2retain = get_be16(&b[42]);
	return r;
}

NopOut NopOut::decode(const Pdu &pdu)
{
	const auto &b = pdu.bhs;
	NopOut r;
	r.immediate = pdu.immediate();
	r.lun = get_be64(&b[8]);
	r.itt = get_be32(&b[16]);
	r.ttt = get_be32(&b[20]);
	r.cmdsn = get_be32(&b[24]);
	r.exp_statsn = get_be32(&b[28]);
	r.data = pdu.data;
	return r;
}

Pdu NopIn::encode() const
{
	Pdu pdu = make(Opcode::nop_in);
	auto &b = pdu.bhs;
	b[1] = 0x80;
	put_be64(&b[8], lun);
	put_be32(&b[16], itt);
	put_be32(&b[20], ttt);
	put_be32(&b[24], statsn);
	put_be32(&b[28], exp_cmdsn);
	put_be32(&b[32], max_cmdsn);
	pdu.data = data;
	put_be24(&b[5], static_cast<std::uint32_t>(data.size()));
	return pdu;
}

Pdu Reject::encode() const
{
	Pdu pdu = make(Opcode::reject);
	auto &b = pdu.bhs;
	b[1] = 0x80;
	b[2] = reason;
	put_be32(&b[16], reserved_tag);
	put_be32(&b[24], statsn);
	put_be32(&b[28], exp_cmdsn);
	put_be32(&b[32], max_cmdsn);
	pdu.data.assign(rejected.begin(), rejected.end());
	put_be24(&b[5], static_cast<std::uint32_t>(pdu.data.size()));
	return pdu;
}

bool sn_less(std::uint32_t a, std::uint32_t b) noexcept
{
	return a != b && static_cast<std::int32_t>(a - b) < 0;
}

} // namespace strix::iscsi
