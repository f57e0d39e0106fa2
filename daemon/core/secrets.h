// Secrets: where team/ gets random tokens and one-way hashes without depending on a
// crypto library. The daemon's implementation (api/key_auth.h, OpenSSL) makes tokens of
// 256 random bits, URL-safe, and hashes with SHA-256; tests may use it too.
//
// Thread safety: implementations must be safe for concurrent use.
#pragma once

#include <string>
#include <string_view>

namespace gatehouse {

class Secrets {
 public:
  virtual ~Secrets() = default;
  // A fresh random token (≥ 128 bits of entropy), URL-safe, with `prefix` in front.
  virtual std::string NewToken(std::string_view prefix) const = 0;
  // Lower-case hex digest; what is stored instead of the token.
  virtual std::string Hash(std::string_view token) const = 0;
};

}  // namespace gatehouse
