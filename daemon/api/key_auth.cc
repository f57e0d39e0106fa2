#include "api/key_auth.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <stdexcept>

#include <array>
#include <map>
#include <mutex>
#include <optional>

namespace gatehouse {

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

std::string RandomUrlSafe(std::size_t n) {
  std::vector<unsigned char> bytes(n);
  if (RAND_bytes(bytes.data(), static_cast<int>(n)) != 1) throw std::runtime_error("RAND_bytes failed");
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (unsigned char b : bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kAlphabet[(acc >> bits) & 63];
    }
  }
  if (bits > 0) out += kAlphabet[(acc << (6 - bits)) & 63];
  return out;
}

std::string NewSecret(std::string_view prefix) { return std::string(prefix) + RandomUrlSafe(32); }

// Presented key → its SHA-256, for the last few hundred distinct keys: 16 shards, each a
// small map under its own mutex, emptied when full (keys in use come back at once).
class KeyAuthenticator::KeyHashCache {
 public:
  std::optional<std::string> Find(std::string_view key) {
    Shard& s = ShardOf(key);
    std::lock_guard lock(s.mu);
    auto it = s.hashes.find(key);
    if (it == s.hashes.end()) return std::nullopt;
    return it->second;
  }
  void Put(std::string_view key, const std::string& hash) {
    Shard& s = ShardOf(key);
    std::lock_guard lock(s.mu);
    if (s.hashes.size() >= kPerShard) s.hashes.clear();
    s.hashes.emplace(std::string(key), hash);
  }

 private:
  static constexpr std::size_t kShards = 16;
  static constexpr std::size_t kPerShard = 64;
  struct Shard {
    std::mutex mu;
    std::map<std::string, std::string, std::less<>> hashes;
  };
  Shard& ShardOf(std::string_view key) { return shards_[std::hash<std::string_view>{}(key) % kShards]; }
  std::array<Shard, kShards> shards_;
};

KeyAuthenticator::KeyAuthenticator(std::vector<std::string> system_key_hashes)
    : system_hashes_(std::move(system_key_hashes)), cache_(std::make_unique<KeyHashCache>()) {
  for (auto& h : system_hashes_) std::transform(h.begin(), h.end(), h.begin(), ::tolower);
}

KeyAuthenticator::~KeyAuthenticator() = default;

std::string KeyAuthenticator::HashOf(std::string_view key) const {
  if (auto cached = cache_->Find(key)) return *cached;
  std::string hash = Sha256Hex(key);
  cache_->Put(key, hash);
  return hash;
}

Result<Principal> KeyAuthenticator::Authenticate(std::string_view header, const Snapshot& snapshot) const {
  if (header.substr(0, 7) == "Bearer " || header.substr(0, 7) == "bearer ") header.remove_prefix(7);
  while (!header.empty() && header.front() == ' ') header.remove_prefix(1);
  while (!header.empty() && header.back() == ' ') header.remove_suffix(1);
  if (header.empty()) return Unauthenticated("missing API key (Authorization header)");
  const std::string hash = HashOf(header);
  if (std::find(system_hashes_.begin(), system_hashes_.end(), hash) != system_hashes_.end()) {
    Principal p;
    p.system = true;
    p.key_id = "system";
    return p;
  }
  const ApiKeyRef* key = snapshot.api_keys().Find(hash);
  if (key == nullptr) return Unauthenticated("unknown or revoked API key");
  Principal p;
  p.key_id = key->key_id;
  p.account_id = key->account_id;
  p.subject = key->subject;
  return p;
}

}  // namespace gatehouse
