// CHAP for iSCSI (RFC 7143, 12.1.3; RFC 1994): the digest algorithms
// CHAP_A 5 (MD5), 6 (SHA-1), 7 (SHA-256), 8 (SHA3-256) through OpenSSL EVP,
// and the target's side of the exchange as a small state machine.
//
// The target sends CHAP_A, CHAP_I and CHAP_C after the initiator's CHAP_A
// list, checks CHAP_N/CHAP_R against its users, and answers a mutual
// challenge (CHAP_I/CHAP_C from the initiator) with CHAP_N/CHAP_R computed
// from its OutgoingUser.  Secrets stay inside this file: failure reasons
// name users, never secrets.
#ifndef STRIX_USR_ISCSI_CHAP_H
#define STRIX_USR_ISCSI_CHAP_H

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "iscsi/text.h"

namespace strix::iscsi {

// Fills a buffer with random bytes (RAND_bytes in the daemon, a fixed
// sequence in tests).
using RandomFn = std::function<void(std::span<std::uint8_t>)>;
// RAND_bytes; throws std::runtime_error if OpenSSL cannot deliver.
void openssl_random(std::span<std::uint8_t> out);

enum class ChapAlgorithm : std::uint8_t { md5 = 5, sha1 = 6, sha256 = 7, sha3_256 = 8 };

std::optional<ChapAlgorithm> chap_algorithm(std::uint64_t value) noexcept;
std::string_view to_string(ChapAlgorithm a) noexcept;
std::size_t digest_size(ChapAlgorithm a) noexcept;

// H(identifier || secret || challenge) (RFC 1994, 4.1).
std::vector<std::uint8_t> chap_response(ChapAlgorithm a, std::uint8_t id,
					std::string_view secret,
					std::span<const std::uint8_t> challenge);

struct ChapUser {
	std::string name;
	std::string secret;

	friend bool operator==(const ChapUser &, const ChapUser &) = default;
};

// RFC 7143, 12.1.3: a challenge is at most 1024 bytes.
inline constexpr std::size_t max_challenge = 1024;

class ChapTarget {
public:
	enum class State { want_algorithm, want_response, done, failed };

	// users: who may log in (IncomingUser*); outgoing: the target's own
	// credentials for mutual CHAP (OutgoingUser).
	ChapTarget(std::vector<ChapUser> users, std::optional<ChapUser> outgoing,
		   RandomFn random);

	State state() const noexcept { return state_; }
	// Why the state is failed (no secrets in it).
	const std::string &reason() const noexcept { return reason_; }
	// The user that authenticated, once done.
	const std::string &user() const noexcept { return user_; }
	bool mutual() const noexcept { return mutual_; }
	std::optional<ChapAlgorithm> algorithm() const noexcept { return algorithm_; }

	// Feed the CHAP_* keys of one login request (the caller has checked
	// that each appears at most once).  Appends the keys to answer to out.
	// Returns false once the exchange failed.
	bool step(const TextList &chap_keys, TextList &out);

private:
	bool fail(std::string reason);
	bool choose_algorithm(std::string_view list, TextList &out);
	bool check_response(const TextList &keys, TextList &out);

	std::vector<ChapUser> users_;
	std::optional<ChapUser> outgoing_;
	RandomFn random_;
	State state_ = State::want_algorithm;
	std::optional<ChapAlgorithm> algorithm_;
	std::uint8_t id_ = 0;
	std::vector<std::uint8_t> challenge_;
	std::string user_;
	bool mutual_ = false;
	std::string reason_;
};

} // namespace strix::iscsi

#endif // STRIX_USR_ISCSI_CHAP_H
