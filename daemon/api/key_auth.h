// API key authentication (api.md §1.1). Keys are never stored, only their SHA-256 hex
// digests; a presented key is hashed and looked up. System keys come from the daemon
// config (or the key generated on first start); account keys, bound to a subject of one
// account, live in the state (created with /v1/api-keys) and are looked up in the current
// snapshot, so a revoke takes effect with the write that commits it.
//
// Thread safety: Authenticate may run concurrently with anything.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/model.h"
#include "core/secrets.h"
#include "core/status.h"
#include "engine/snapshot.h"

namespace gatehouse {

// Who a request acts as.
struct Principal {
  bool system = false;
  std::string key_id;      // "system" for system keys
  std::string account_id;  // account keys only
  Subject subject;         // account keys only
  std::string Actor() const { return system ? "system" : "key:" + key_id; }
};

// Lower-case hex SHA-256 of `data` (OpenSSL).
std::string Sha256Hex(std::string_view data);
// A new random secret: prefix + 43 URL-safe base64 characters (256 bits).
std::string NewSecret(std::string_view prefix);
// `n` random bytes as URL-safe base64 without padding.
std::string RandomUrlSafe(std::size_t n);

// Secrets from OpenSSL: 256-bit random tokens, SHA-256 hashes.
class OpenSslSecrets final : public Secrets {
 public:
  std::string NewToken(std::string_view prefix) const override { return NewSecret(prefix); }
  std::string Hash(std::string_view token) const override { return Sha256Hex(token); }
};

// Who an Authorization header is. Keys are stored as SHA-256 hashes; hashing the presented
// key is the costly part of authenticating, so the hashes of recently presented keys are
// kept in a small cache (KeyHashCache) — the key is still looked up in the request's
// snapshot every time, so a revocation takes effect with the write that commits it.
//
// Thread safety: safe for concurrent use.
class KeyAuthenticator {
 public:
  explicit KeyAuthenticator(std::vector<std::string> system_key_hashes);
  ~KeyAuthenticator();

  // `header` is the Authorization value; "Bearer " is stripped. Account keys are looked up
  // in `snapshot`, the request's one snapshot. kUnauthenticated when missing, unknown or
  // revoked — with the same message, so nothing is revealed.
  Result<Principal> Authenticate(std::string_view header, const Snapshot& snapshot) const;

 private:
  class KeyHashCache;
  std::string HashOf(std::string_view key) const;

  std::vector<std::string> system_hashes_;
  std::unique_ptr<KeyHashCache> cache_;
};

}  // namespace gatehouse
