// AcceptLinks: the one place that knows what an invite's accept link looks like —
// `<invites.acceptBaseUrl>?token=<token>` (or `&token=` when the base already has a query)
// — for API answers, and for the `invite.created` / `invite.resent` events a notifier
// delivers, whose payloads gain the link of each invite whose token the AcceptTokenVault
// still holds (the log keeps only hashes).
//
// Rewriting a payload is the codec's business (it knows the encoding): it is passed in as
// `add_links`, so this layer stays free of any encoding library.
//
// Thread safety: const methods may be called concurrently; the vault is thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "core/change.h"
#include "team/accept_token_vault.h"

namespace gatehouse {

class AcceptLinks {
 public:
  using LinkOfHash = std::function<std::optional<std::string>(const std::string& token_hash)>;
  using AddLinks = std::function<std::string(const std::string& payload, const LinkOfHash& link_of)>;

  AcceptLinks(std::string base_url, const AcceptTokenVault* vault, AddLinks add_links)
      : base_url_(std::move(base_url)), vault_(vault), add_links_(std::move(add_links)) {}

  // The link that accepts with `token`.
  std::string LinkFor(const std::string& token) const {
    const char sep = base_url_.find('?') == std::string::npos ? '?' : '&';
    return base_url_ + sep + "token=" + token;
  }

  // Adds accept links to an invite event about to be delivered; other records pass as
  // they are.
  void Enrich(ChangeRecord& r) const {
    if (r.type != "invite.created" && r.type != "invite.resent") return;
    r.payload = add_links_(r.payload, [this](const std::string& hash) -> std::optional<std::string> {
      auto token = vault_->Find(hash);
      if (!token) return std::nullopt;
      return LinkFor(*token);
    });
  }

 private:
  std::string base_url_;
  const AcceptTokenVault* vault_;
  AddLinks add_links_;
};

}  // namespace gatehouse
