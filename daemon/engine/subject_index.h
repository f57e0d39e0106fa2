// SubjectIndex: the reverse index ListSubjects reads — for each asset, who holds a grant
// restricted to exactly that asset — so a page of "who may do P on asset A" costs the
// grants on A's path to the account (A, its ancestors, and the account-wide grants), in
// subject order from the cursor, not a scan of the whole team.
//
// Built once per published AccountState and cached on it (AccountState::CacheSubjectIndex);
// a write makes a new state, whose first ListSubjects builds its own (O(n log n) in the
// members). Positions are ranks in `order()`: subjects sorted by (subject type name, id),
// the order pages come in; every list below is sorted by position.
//
// Thread safety: immutable once built; ForAccount may be called concurrently (two threads
// may both build; either result is correct and one is kept).
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "engine/account_state.h"

namespace gatehouse {

class SubjectIndex {
 public:
  static std::shared_ptr<const SubjectIndex> ForAccount(const AccountState& state);

  // Subject indices (into AccountState::subjects()) in (type name, id) order.
  const std::vector<std::uint32_t>& order() const { return order_; }
  // Positions of subjects holding an account-wide grant.
  const std::vector<std::uint32_t>& account_wide() const { return account_wide_; }
  // Positions of subjects holding a grant restricted to `node` itself.
  const std::vector<std::uint32_t>& scoped_at(std::uint32_t node) const {
    return node < by_node_.size() ? by_node_[node] : empty_;
  }
  // The first position whose subject comes strictly after (type, id).
  std::uint32_t PositionAfter(const AccountState& state, std::string_view type, std::string_view id) const;

 private:
  std::vector<std::uint32_t> order_;
  std::vector<std::uint32_t> account_wide_;
  std::vector<std::vector<std::uint32_t>> by_node_;
  std::vector<std::uint32_t> empty_;
};

}  // namespace gatehouse
