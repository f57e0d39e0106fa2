// AcceptTokenVault: the accept tokens of recently created or resent invites, in memory
// only, by token hash — so that the `invite.created` / `invite.resent` events a notifier
// delivers can carry the accept link (a mailer needs it) while the change log and every
// table keep only the hash. Entries expire with their invite. After a restart the vault
// is empty: events delivered then carry no link (docs/api.md), and an admin resends.
//
// Thread safety: all methods may be called concurrently.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "core/time.h"

namespace gatehouse {

class AcceptTokenVault {
 public:
  void Put(const std::string& token_hash, const std::string& token, Timestamp expires_at, Timestamp now) {
    std::lock_guard lock(mu_);
    for (auto it = entries_.begin(); it != entries_.end();) {
      it = it->second.expires_at <= now ? entries_.erase(it) : std::next(it);
    }
    entries_[token_hash] = Entry{token, expires_at};
  }
  std::optional<std::string> Find(const std::string& token_hash) const {
    std::lock_guard lock(mu_);
    auto it = entries_.find(token_hash);
    if (it == entries_.end()) return std::nullopt;
    return it->second.token;
  }

 private:
  struct Entry {
    std::string token;
    Timestamp expires_at;
  };
  mutable std::mutex mu_;
  std::map<std::string, Entry> entries_;
};

}  // namespace gatehouse
