#include "core/change.h"

#include <type_traits>

namespace gatehouse {

const std::string& AccountOf(const Change& change) {
  static const std::string kGlobal;
  return std::visit(
      [](const auto& c) -> const std::string& {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, AccountCreated>) {
          return c.account.id;
        } else if constexpr (std::is_same_v<T, UserPut>) {
          return kGlobal;
        } else if constexpr (std::is_same_v<T, AssetPut>) {
          return c.asset.account_id;
        } else if constexpr (std::is_same_v<T, AssignmentAdded>) {
          return c.assignment.account_id;
        } else if constexpr (std::is_same_v<T, InvitePut>) {
          return c.invite.account_id;
        } else if constexpr (std::is_same_v<T, ApiKeyCreated>) {
          return c.key.account_id;
        } else if constexpr (std::is_same_v<T, RolePut>) {
          return c.role.account_id;
        } else {
          return c.account_id;
        }
      },
      change);
}

}  // namespace gatehouse
