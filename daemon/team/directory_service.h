// DirectoryService: the data assignments refer to — users (global: one user may be on
// many teams) and each account's asset tree (sites, folders, any declared type) — and
// the account API keys.
//
// Asset rules: the type is declared and is not `account`; the parent (default: the
// account) exists and is an allowed parent type; an asset never moves below itself; an
// asset's type never changes; an asset that assignments or pending invites restrict to,
// or that has children, cannot be deleted (kFailedPrecondition).
// Thread safety: safe for concurrent use (writes go through the Committer).
#pragma once

#include <string>

#include "core/model.h"
#include "core/secrets.h"
#include "core/time.h"
#include "team/committer.h"

namespace gatehouse {

class DirectoryService {
 public:
  DirectoryService(Committer* committer, const Clock* clock, const Secrets* secrets)
      : committer_(committer), clock_(clock), secrets_(secrets) {}

  // Upsert; *created tells 201 from 200.
  Result<User> PutUser(const User& user, const std::string& actor, bool* created);
  Result<Asset> PutAsset(const Asset& asset, const std::string& actor, bool* created);
  Status DeleteAsset(const std::string& account_id, const std::string& asset_id, const std::string& actor);

  struct NewKey {
    ApiKey key;
    std::string secret;  // shown once
  };
  Result<NewKey> CreateApiKey(const std::string& account_id, const Subject& subject, const std::string& description,
                              const std::string& actor);
  Status RevokeApiKey(const std::string& account_id, const std::string& key_id, const std::string& actor);

 private:
  Committer* committer_;
  const Clock* clock_;
  const Secrets* secrets_;
};

}  // namespace gatehouse
