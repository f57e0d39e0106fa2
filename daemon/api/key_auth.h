// API key authentication (api.md §1.1). Keys are never stored, only their SHA-256 hex
// digests; a presented key is hashed and looked up. System keys come from the daemon
// config (or the key generated on first start); account keys, bound to a subject of one
// account, are added through the /v1/api-keys API.
//
// Thread safety: Authenticate may run concurrently with Add/Revoke (guarded by a
// shared mutex; the critical sections are one hash lookup).
#pragma once

#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/model.h"
#include "core/status.h"

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

class KeyAuthenticator {
 public:
  explicit KeyAuthenticator(std::vector<std::string> system_key_hashes);

  // `header` is the Authorization value; "Bearer " is stripped. kUnauthenticated when
  // missing, unknown or revoked — with the same message, so nothing is revealed.
  Result<Principal> Authenticate(std::string_view header) const;

  void AddAccountKey(const std::string& key_hash, Principal principal);
  void RevokeByHash(const std::string& key_hash);

 private:
  std::vector<std::string> system_hashes_;
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, Principal> account_keys_;  // hash → principal
};

}  // namespace gatehouse
