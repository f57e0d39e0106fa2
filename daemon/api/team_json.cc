#include "api/team_json.h"

#include "api/request.h"

namespace gatehouse::api {
namespace {

constexpr int kMaxFilterDepth = 16;
constexpr int kMaxFilterNodes = 256;

std::string FolderPath(const AccountState& account, std::uint32_t node) {
  std::vector<std::string> parts;
  while (node != AccountState::kNoNode && node != AccountState::kRootNode) {
    const auto& n = account.Node(node);
    parts.push_back(n.name.empty() ? n.id : n.name);
    node = n.parent;
  }
  std::string path;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) path += "/" + *it;
  return path.empty() ? "/" : path;
}

}  // namespace

Result<std::optional<Timestamp>> ParseTime(const json& obj, const char* field, const std::string& path) {
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return std::optional<Timestamp>();
  const std::string name = path.empty() ? field : path + "." + field;
  if (!it->is_string()) return FieldError(name, "must be an RFC 3339 timestamp string");
  auto t = ParseRfc3339(it->get<std::string>());
  if (!t)
    return FieldError(name, "\"" + it->get<std::string>() + "\" is not an RFC 3339 timestamp (2026-03-01T09:00:00Z)");
  return std::optional<Timestamp>(*t);
}

Result<Restriction> ParseRestriction(const json& j, const std::string& path) {
  Restriction r;
  if (j.is_null()) return r;
  if (!j.is_object()) return FieldError(path, "must be an object");
  const bool has_site = j.contains("site") && !j["site"].is_null();
  const bool has_cond = j.contains("conditions") && !j["conditions"].is_null();
  if (has_site && has_cond) return FieldError(path, "holds exactly one of site and conditions");
  if (has_site) {
    const json& site = j["site"];
    if (!site.is_object() || !site.contains("id") || !site["id"].is_string() || site["id"].get<std::string>().empty()) {
      return FieldError(path + ".site.id", "must be a non-empty string", "REQUIRED_FIELD");
    }
    r.kind = Restriction::Kind::kSite;
    r.asset_ids.push_back(site["id"].get<std::string>());
  } else if (has_cond) {
    const json& outer = j["conditions"];
    if (!outer.is_object() || !outer.contains("conditions") || !outer["conditions"].is_array() ||
        outer["conditions"].empty()) {
      return FieldError(path + ".conditions.conditions", "must be a non-empty list", "REQUIRED_FIELD");
    }
    r.kind = Restriction::Kind::kFolders;
    const json& list = outer["conditions"];
    if (list.size() > 100) return FieldError(path + ".conditions.conditions", "at most 100 conditions", "MAX_SIZE");
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string at = path + ".conditions.conditions[" + std::to_string(i) + "]";
      const json& c = list[i];
      if (!c.is_object()) return FieldError(at, "must be an object");
      if (!c.contains("conditionType") || c["conditionType"] != "FOLDER") {
        return FieldError(at + ".conditionType", "unknown value (expected FOLDER)");
      }
      if (!c.contains("id") || !c["id"].is_string() || c["id"].get<std::string>().empty()) {
        return FieldError(at + ".id", "must be a non-empty string", "REQUIRED_FIELD");
      }
      r.asset_ids.push_back(c["id"].get<std::string>());
    }
  }
  return r;
}

Result<GrantRequest> ParseGrant(const json& j, const std::string& path) {
  if (!j.is_object()) return FieldError(path, "must be an object");
  GrantRequest g;
  Status error;
  g.role_id = OptString(j, "policyId", path, &error).value_or("");
  if (!error.ok()) return error;
  if (g.role_id.empty()) return FieldError(path + ".policyId", "must not be empty", "REQUIRED_FIELD");
  auto r = ParseRestriction(j.contains("restrictions") ? j["restrictions"] : json(), path + ".restrictions");
  if (!r.ok()) return r.status();
  g.restriction = *r;
  auto nb = ParseTime(j, "notBefore", path);
  if (!nb.ok()) return nb.status();
  auto exp = ParseTime(j, "expiresAt", path);
  if (!exp.ok()) return exp.status();
  g.not_before = *nb;
  g.expires_at = *exp;
  return g;
}

json RestrictionJson(const AccountState& account, const Restriction& r) {
  if (r.kind == Restriction::Kind::kSite) {
    json site = {{"id", r.asset_ids.at(0)}};
    const std::uint32_t n = account.FindAsset(r.asset_ids[0]);
    if (n != AccountState::kNoNode && !account.Node(n).name.empty()) site["value"] = account.Node(n).name;
    return {{"site", site}};
  }
  if (r.kind == Restriction::Kind::kFolders) {
    json list = json::array();
    for (const auto& id : r.asset_ids) {
      json c = {{"conditionType", "FOLDER"}, {"id", id}};
      const std::uint32_t n = account.FindAsset(id);
      if (n != AccountState::kNoNode) c["value"] = FolderPath(account, n);
      list.push_back(std::move(c));
    }
    return {{"conditions", {{"conditions", list}}}};
  }
  return json::object();
}

json AssignmentJson(const AccountState& account, const Assignment& a) {
  json j = {{"policyId", a.role_id},
            {"assignmentId", std::to_string(a.id)},
            {"subject", {{"id", a.subject.id}, {"subjectType", SubjectTypeName(a.subject.type)}}}};
  if (a.restriction.kind != Restriction::Kind::kAccount) j["restrictions"] = RestrictionJson(account, a.restriction);
  if (a.not_before) j["notBefore"] = FormatRfc3339(*a.not_before);
  if (a.expires_at) j["expiresAt"] = FormatRfc3339(*a.expires_at);
  return j;
}

json UserJson(const Snapshot& snap, const AccountState& account, const AccountState::SubjectEntry& s, Timestamp now) {
  json j = {{"id", s.id}};
  if (const User* u = snap.users().Find(s.id)) {
    if (!u->email.empty()) j["email"] = u->email;
    if (!u->first_name.empty() || !u->last_name.empty()) {
      j["name"] = {{"firstName", u->first_name}, {"lastName", u->last_name}};
    }
    if (!u->profile_image.empty()) j["profileImage"] = u->profile_image;
  }
  if (const Timestamp joined = AccountState::JoinedAt(s); joined != 0) j["joinedTeamAt"] = FormatRfc3339(joined);
  json assignments = json::array();
  for (const auto& g : s.grants) {
    if (g.ActiveAt(now) || g.not_before > now)
      assignments.push_back(AssignmentJson(account, account.ToAssignment(s, g)));
  }
  j["assignments"] = std::move(assignments);
  return j;
}

json InviteJson(const AccountState& account, const Invite& invite, Timestamp now, const std::string& accept_link) {
  json assignments = json::array();
  for (const auto& a : invite.assignments) {
    json item = {{"policyId", a.role_id}};
    if (a.restriction.kind != Restriction::Kind::kAccount)
      item["restrictions"] = RestrictionJson(account, a.restriction);
    assignments.push_back(std::move(item));
  }
  json j = {{"id", invite.id},
            {"email", invite.email},
            {"status", InviteStatusName(invite.EffectiveStatus(now))},
            {"dateCreated", FormatRfc3339(invite.created_at)},
            {"dateUpdated", FormatRfc3339(invite.updated_at)},
            {"expirationDate", FormatRfc3339(invite.expires_at)},
            {"assignments", std::move(assignments)}};
  if (!accept_link.empty()) j["acceptLink"] = accept_link;
  return j;
}

json AccountInviteJson(const AccountState& account, const Invite& invite, Timestamp now,
                       const std::string& accept_link) {
  // The shape Wix's SDK declares: assignments grouped by role in the request's form, an
  // account-wide grant alone as an empty inner list.
  json policy_ids = json::array();
  json assignments = json::array();
  for (const auto& a : invite.assignments) {
    auto it =
        std::find_if(assignments.begin(), assignments.end(), [&](const json& g) { return g["policyId"] == a.role_id; });
    if (it == assignments.end()) {
      policy_ids.push_back(a.role_id);
      assignments.push_back({{"policyId", a.role_id}, {"assignments", json::array()}, {"accountWide", false}});
      it = std::prev(assignments.end());
    }
    json& resources = (*it)["assignments"];
    switch (a.restriction.kind) {
      case Restriction::Kind::kAccount:
        (*it)["accountWide"] = true;
        break;
      case Restriction::Kind::kSite:
        for (const auto& site : a.restriction.asset_ids) {
          resources.push_back({{"fullNameResource", {{"siteContext", {{"metasiteId", site}}}}}});
        }
        break;
      default:  // folder conditions: invites are never made with them
        break;
    }
  }
  for (auto& g : assignments) {
    // Account-wide beside site grants is spelled out; alone it is the empty list.
    if (g["accountWide"].get<bool>() && !g["assignments"].empty()) {
      g["assignments"].push_back({{"fullNameResource", {{"accountContext", {{"accountId", invite.account_id}}}}}});
    }
    g.erase("accountWide");
  }
  json j = {{"id", invite.id},
            {"accountId", invite.account_id},
            {"email", invite.email},
            {"status", InviteStatusName(invite.EffectiveStatus(now))},
            {"dateCreated", FormatRfc3339(invite.created_at)},
            {"dateUpdated", FormatRfc3339(invite.updated_at)},
            {"expirationDate", FormatRfc3339(invite.expires_at)},
            {"policyIds", std::move(policy_ids)},
            {"assignments", std::move(assignments)}};
  if (!accept_link.empty()) j["acceptLink"] = accept_link;
  if (!invite.inviter_id.empty()) j["inviterId"] = invite.inviter_id;
  if (!invite.accepted_by.empty()) j["acceptedByAccountId"] = invite.accepted_by;
  (void)account;
  return j;
}

namespace {

struct FilterParser {
  int nodes = 0;

  Result<TeamFilter> Object(const json& j, int depth) {
    if (depth > kMaxFilterDepth) return FieldError("filter", "nested deeper than " + std::to_string(kMaxFilterDepth));
    if (!j.is_object()) return FieldError("filter", "expected an object");
    TeamFilter all;
    all.kind = TeamFilter::Kind::kAnd;
    for (const auto& [key, value] : j.items()) {
      if (++nodes > kMaxFilterNodes)
        return FieldError("filter", "more than " + std::to_string(kMaxFilterNodes) + " terms");
      if (key == "$and" || key == "$or") {
        if (!value.is_array()) return FieldError("filter." + key, "expected a list of filters");
        TeamFilter group;
        group.kind = key == "$and" ? TeamFilter::Kind::kAnd : TeamFilter::Kind::kOr;
        for (const auto& item : value) {
          auto child = Object(item, depth + 1);
          if (!child.ok()) return child.status();
          group.children.push_back(std::move(*child));
        }
        all.children.push_back(std::move(group));
      } else if (key == "$not") {
        auto child = Object(value, depth + 1);
        if (!child.ok()) return child.status();
        TeamFilter neg;
        neg.kind = TeamFilter::Kind::kNot;
        neg.children.push_back(std::move(*child));
        all.children.push_back(std::move(neg));
      } else if (!key.empty() && key[0] == '$') {
        return FieldError("filter." + key, "unknown operator \"" + key + "\" (expected $and, $or, $not)");
      } else {
        auto field = FieldOf(key);
        if (!field) {
          return FieldError("filter." + key, "unknown filter field \"" + key +
                                                 "\" (expected roleId, inviteType, email, assetId, joinedTeamAt)");
        }
        auto leaves = Field(*field, key, value);
        if (!leaves.ok()) return leaves.status();
        all.children.push_back(std::move(*leaves));
      }
    }
    return all;
  }

  static std::optional<TeamFilter::Field> FieldOf(const std::string& k) {
    if (k == "roleId") return TeamFilter::Field::kRoleId;
    if (k == "inviteType") return TeamFilter::Field::kInviteType;
    if (k == "email") return TeamFilter::Field::kEmail;
    if (k == "assetId") return TeamFilter::Field::kAssetId;
    if (k == "joinedTeamAt") return TeamFilter::Field::kJoinedTeamAt;
    return std::nullopt;
  }

  static std::optional<TeamFilter::Op> OpOf(const std::string& k) {
    using O = TeamFilter::Op;
    if (k == "$eq") return O::kEq;
    if (k == "$ne") return O::kNe;
    if (k == "$in") return O::kIn;
    if (k == "$nin") return O::kNin;
    if (k == "$gt") return O::kGt;
    if (k == "$gte") return O::kGte;
    if (k == "$lt") return O::kLt;
    if (k == "$lte") return O::kLte;
    return std::nullopt;
  }

  Result<TeamFilter> Field(TeamFilter::Field field, const std::string& name, const json& value) {
    TeamFilter group;
    group.kind = TeamFilter::Kind::kAnd;
    if (!value.is_object()) return Leaf(field, name, TeamFilter::Op::kEq, value);
    for (const auto& [op_name, operand] : value.items()) {
      auto op = OpOf(op_name);
      if (!op) {
        return FieldError("filter." + name + "." + op_name,
                          "unknown operator \"" + op_name + "\" (expected $eq, $ne, $in, $nin, $gt, $gte, $lt, $lte)");
      }
      auto leaf = Leaf(field, name, *op, operand);
      if (!leaf.ok()) return leaf.status();
      group.children.push_back(std::move(*leaf));
    }
    return group;
  }

  Result<TeamFilter> Leaf(TeamFilter::Field field, const std::string& name, TeamFilter::Op op, const json& operand) {
    using O = TeamFilter::Op;
    TeamFilter leaf;
    leaf.kind = TeamFilter::Kind::kCompare;
    leaf.field = field;
    leaf.op = op;
    const bool list_op = op == O::kIn || op == O::kNin;
    const bool order_op = op == O::kGt || op == O::kGte || op == O::kLt || op == O::kLte;
    const std::string where = "filter." + name;
    if (field == TeamFilter::Field::kJoinedTeamAt) {
      if (list_op) return FieldError(where, "$in and $nin do not apply to timestamps");
      if (!operand.is_string()) return FieldError(where, "expected an RFC 3339 timestamp string");
      leaf.time = ParseRfc3339(operand.get<std::string>());
      if (!leaf.time) return FieldError(where, "\"" + operand.get<std::string>() + "\" is not an RFC 3339 timestamp");
      return leaf;
    }
    if (order_op) return FieldError(where, "$gt, $gte, $lt and $lte apply only to joinedTeamAt");
    if (list_op) {
      if (!operand.is_array() || operand.size() > 1000)
        return FieldError(where, "expected a list of at most 1000 strings");
      for (const auto& v : operand) {
        if (!v.is_string()) return FieldError(where, "expected a list of strings");
        leaf.values.push_back(v.get<std::string>());
      }
    } else {
      if (!operand.is_string()) return FieldError(where, "expected a string");
      leaf.values.push_back(operand.get<std::string>());
    }
    if (field == TeamFilter::Field::kInviteType) {
      for (const auto& v : leaf.values) {
        if (!ParseInviteStatus(v)) {
          return FieldError(where,
                            "unknown invite status \"" + v + "\" (expected Pending, Used, Deleted, Declined, Expired)");
        }
      }
    }
    return leaf;
  }
};

}  // namespace

Result<TeamFilter> ParseTeamFilter(const json& j) {
  FilterParser parser;
  return parser.Object(j, 0);
}

}  // namespace gatehouse::api
