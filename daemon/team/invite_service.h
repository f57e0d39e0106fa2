// InviteService: account invites (api.md §2.6, §3.3). Create checks each entry on its own
// (partial success is normal); every invite gets a one-time accept token of 256 random
// bits of which only the hash is stored, and an expiry (`ttl`). Accepting a Pending,
// unexpired invite turns its assignments into the user's assignments and marks it Used,
// in one ChangeSet; resending replaces the token (the old one becomes unknown) and the
// expiry.
//
// The accept link appears in the create/resend responses, and (through the optional
// AcceptTokenVault, memory only) in the events notifiers deliver; the change log stores
// only the token hash.
// Thread safety: safe for concurrent use.
#pragma once

#include <string>
#include <vector>

#include "core/secrets.h"
#include "core/time.h"
#include "team/accept_token_vault.h"
#include "team/committer.h"
#include "team/grant_validation.h"

namespace gatehouse {

struct InviteEntry {
  std::string email;
  std::vector<GrantRequest> grants;  // time windows unused
};

struct InviteWithToken {
  Invite invite;
  std::string token;  // empty when not newly issued
};

struct InviteCreateResult {
  std::vector<InviteWithToken> created;
  std::vector<std::pair<std::string, std::string>> failed;  // email, reason
};

class InviteService {
 public:
  // `vault` (optional) receives each new token so events can carry the accept link.
  InviteService(Committer* committer, const Clock* clock, const Secrets* secrets, std::int64_t ttl_ms,
                AcceptTokenVault* vault = nullptr)
      : committer_(committer), clock_(clock), secrets_(secrets), ttl_ms_(ttl_ms), vault_(vault) {}

  // `inviter_id`: the subject id of the key making the call (empty for the system key).
  Result<InviteCreateResult> Create(const std::string& account_id, const std::vector<InviteEntry>& entries,
                                    const std::string& actor, const std::string& inviter_id = "");
  Result<Invite> Revoke(const std::string& account_id, const std::string& invite_id, const std::string& actor);
  Result<InviteWithToken> Resend(const std::string& account_id, const std::string& invite_id, const std::string& actor);

  struct Accepted {
    Invite invite;
    std::vector<Assignment> assignments;
  };
  Result<Accepted> Accept(const std::string& token, const std::string& user_id);
  Result<Invite> Decline(const std::string& token);

 private:
  // Finds the invite a token belongs to: kNotFound for an unknown token, kFailedPrecondition
  // (saying why) for one that is not Pending or has expired.
  Result<Invite> Usable(const Snapshot& snap, const std::string& token, Timestamp now) const;

  Committer* committer_;
  const Clock* clock_;
  const Secrets* secrets_;
  std::int64_t ttl_ms_;
  AcceptTokenVault* vault_;
};

// Case-insensitive email equality.
bool SameEmail(std::string_view a, std::string_view b);

}  // namespace gatehouse
