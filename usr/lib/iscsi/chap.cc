#include "iscsi/chap.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <memory>
#include <stdexcept>

#include <fmt/format.h>

namespace strix::iscsi {

void openssl_random(std::span<std::uint8_t> out)
{
	if (RAND_bytes(out.data(), static_cast<int>(out.size())) != 1)
		throw std::runtime_error("RAND_bytes: no random bytes available");
}

std::optional<ChapAlgorithm> chap_algorithm(std::uint64_t value) noexcept
{
	switch (value) {
	case 5:
	case 6:
	case 7:
	case 8:
		return static_cast<ChapAlgorithm>(value);
	}
	return std::nullopt;
}

std::string_view to_string(ChapAlgorithm a) noexcept
{
	switch (a) {
	case ChapAlgorithm::md5:
		return "MD5";
	case ChapAlgorithm::sha1:
		return "SHA1";
	case ChapAlgorithm::sha256:
		return "SHA256";
	case ChapAlgorithm::sha3_256:
		return "SHA3-256";
	}
	return "unknown";
}

namespace {

const EVP_MD *evp(ChapAlgorithm a) noexcept
{
	switch (a) {
	case ChapAlgorithm::md5:
		return EVP_md5();
	case ChapAlgorithm::sha1:
		return EVP_sha1();
	case ChapAlgorithm::sha256:
		return EVP_sha256();
	case ChapAlgorithm::sha3_256:
		return EVP_sha3_256();
	}
	return nullptr;
}

struct MdCtxFree {
	void operator()(EVP_MD_CTX *c) const noexcept { EVP_MD_CTX_free(c); }
};

} // namespace

std::size_t digest_size(ChapAlgorithm a) noexcept
{
	return static_cast<std::size_t>(EVP_MD_get_size(evp(a)));
}

std::vector<std::uint8_t> chap_response(ChapAlgorithm a, std::uint8_t id,
					std::string_view secret,
					std::span<const std::uint8_t> challenge)
{
	std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
	std::vector<std::uint8_t> out(EVP_MAX_MD_SIZE);
	unsigned int len = 0;
	if (!ctx || EVP_DigestInit_ex(ctx.get(), evp(a), nullptr) != 1 ||
	    EVP_DigestUpdate(ctx.get(), &id, 1) != 1 ||
	    EVP_DigestUpdate(ctx.get(), secret.data(), secret.size()) != 1 ||
	    EVP_DigestUpdate(ctx.get(), challenge.data(), challenge.size()) != 1 ||
	    EVP_DigestFinal_ex(ctx.get(), out.data(), &len) != 1)
		throw std::runtime_error(fmt::format("CHAP: {} digest failed", to_string(a)));
	out.resize(len);
	return out;
}

ChapTarget::ChapTarget(std::vector<ChapUser> users, std::optional<ChapUser> outgoing,
		       RandomFn random)
	: users_(std::move(users)), outgoing_(std::move(outgoing)), random_(std::move(random))
{
}

bool ChapTarget::fail(std::string reason)
{
	state_ = State::failed;
	reason_ = std::move(reason);
	return false;
}

namespace {

const std::string *find(const TextList &keys, std::string_view key)
{
	for (const auto &kv : keys)
		if (kv.key == key)
			return &kv.value;
	return nullptr;
}

} // namespace

bool ChapTarget::choose_algorithm(std::string_view list, TextList &out)
{
	// The first algorithm of the initiator's list that we know.
	for (const auto item : split_list(list)) {
		const auto n = parse_number(item);
		if (!n)
			continue;
		if (const auto a = chap_algorithm(*n)) {
			algorithm_ = a;
			break;
		}
	}
	if (!algorithm_)
		return fail(fmt::format("CHAP_A={}: no algorithm this target supports "
					"(5 MD5, 6 SHA1, 7 SHA256, 8 SHA3-256)", list));
	std::uint8_t id = 0;
	random_({&id, 1});
	id_ = id;
	challenge_.resize(std::max<std::size_t>(16, digest_size(*algorithm_)));
	random_(challenge_);
	out.push_back({"CHAP_A", std::to_string(static_cast<int>(*algorithm_))});
	out.push_back({"CHAP_I", std::to_string(id_)});
	out.push_back({"CHAP_C", encode_hex(challenge_)});
	state_ = State::want_response;
	return true;
}

bool ChapTarget::check_response(const TextList &keys, TextList &out)
{
	const std::string *name = find(keys, "CHAP_N");
	const std::string *resp = find(keys, "CHAP_R");
	const std::string *ini_id = find(keys, "CHAP_I");
	const std::string *ini_chal = find(keys, "CHAP_C");
	if (!name || !resp)
		return fail("CHAP_N and CHAP_R expected");
	if (!ini_id != !ini_chal)
		return fail("mutual CHAP needs both CHAP_I and CHAP_C");

	const auto user = std::find_if(users_.begin(), users_.end(),
				       [&](const ChapUser &u) { return u.name == *name; });
	if (user == users_.end())
		return fail(fmt::format("CHAP_N={}: no such user", *name));
	const auto got = decode_binary(*resp);
	const auto want = chap_response(*algorithm_, id_, user->secret, challenge_);
	if (!got || got->size() != want.size() ||
	    CRYPTO_memcmp(got->data(), want.data(), want.size()) != 0)
		return fail(fmt::format("CHAP_N={}: wrong response (wrong secret?)", *name));
	user_ = *name;

	if (ini_id) {
		const auto id = parse_number(*ini_id);
		if (!id || *id > 255)
			return fail(fmt::format("CHAP_I={}: not an identifier 0..255", *ini_id));
		const auto chal = decode_binary(*ini_chal);
		if (!chal || chal->empty() || chal->size() > max_challenge)
			return fail("CHAP_C: not a binary value of 1 to 1024 bytes");
		// A reflected challenge would make us compute the answer to
		// our own challenge for an attacker.
		if (*chal == challenge_)
			return fail("CHAP_C: the initiator returned the target's own challenge");
		if (!outgoing_)
			return fail("mutual CHAP requested but the target has no OutgoingUser");
		if (outgoing_->secret == user->secret)
			return fail(fmt::format("mutual CHAP refused: OutgoingUser {} has the "
						"same secret as IncomingUser {} (RFC 7143 forbids it)",
						outgoing_->name, user->name));
		const auto answer = chap_response(*algorithm_, static_cast<std::uint8_t>(*id),
						  outgoing_->secret, *chal);
		out.push_back({"CHAP_N", outgoing_->name});
		out.push_back({"CHAP_R", encode_hex(answer)});
		mutual_ = true;
	}
	state_ = State::done;
	return true;
}

bool ChapTarget::step(const TextList &keys, TextList &out)
{
	switch (state_) {
	case State::want_algorithm: {
		const std::string *a = find(keys, "CHAP_A");
		if (!a)
			return keys.empty() ? true : fail("CHAP_A expected first");
		if (keys.size() > 1)
			return fail("CHAP_A must come alone");
		return choose_algorithm(*a, out);
	}
	case State::want_response:
		if (keys.empty())
			return true;
		if (find(keys, "CHAP_A"))
			return fail("CHAP_A sent twice");
		return check_response(keys, out);
	case State::done:
		if (keys.empty())
			return true;
		return fail("CHAP keys after the exchange was complete");
	case State::failed:
		return false;
	}
	return false;
}

} // namespace strix::iscsi
