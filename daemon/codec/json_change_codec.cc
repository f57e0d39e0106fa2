#include "codec/json_change_codec.h"

#include <nlohmann/json.hpp>

namespace gatehouse {
namespace {

using nlohmann::json;
// Decoding parses into ordered_json: its objects are vectors, not std::maps, which is
// measurably cheaper for the start-up replay of millions of small objects. The decode
// helpers take it; encoding keeps json (sorted keys, the documented byte form).
using DecodeJson = nlohmann::ordered_json;

json RestrictionJson(const Restriction& r) {
  switch (r.kind) {
    case Restriction::Kind::kAccount:
      return json::object();
    case Restriction::Kind::kSite:
      return {{"site", r.asset_ids.empty() ? "" : r.asset_ids[0]}};
    case Restriction::Kind::kFolders:
      return {{"folders", r.asset_ids}};
  }
  return json::object();
}

Restriction RestrictionFrom(const DecodeJson& j) {
  Restriction r;
  if (j.contains("site")) {
    r.kind = Restriction::Kind::kSite;
    r.asset_ids.push_back(j.at("site").get<std::string>());
  } else if (j.contains("folders")) {
    r.kind = Restriction::Kind::kFolders;
    r.asset_ids = j.at("folders").get<std::vector<std::string>>();
  }
  return r;
}

json AssignmentJson(const Assignment& a) {
  json j = {{"id", a.id},
            {"accountId", a.account_id},
            {"subject", {{"id", a.subject.id}, {"subjectType", std::string(SubjectTypeName(a.subject.type))}}},
            {"policyId", a.role_id},
            {"restrictions", RestrictionJson(a.restriction)},
            {"createdAt", a.created_at}};
  if (a.not_before) j["notBefore"] = *a.not_before;
  if (a.expires_at) j["expiresAt"] = *a.expires_at;
  return j;
}

Assignment AssignmentFrom(const DecodeJson& j) {
  Assignment a;
  a.id = j.at("id").get<std::uint64_t>();
  a.account_id = j.at("accountId").get<std::string>();
  a.subject.id = j.at("subject").at("id").get<std::string>();
  auto type = ParseSubjectType(j.at("subject").at("subjectType").get<std::string>());
  if (!type) throw std::runtime_error("unknown subjectType");
  a.subject.type = *type;
  a.role_id = j.at("policyId").get<std::string>();
  a.restriction = RestrictionFrom(j.at("restrictions"));
  a.created_at = j.at("createdAt").get<Timestamp>();
  if (j.contains("notBefore")) a.not_before = j.at("notBefore").get<Timestamp>();
  if (j.contains("expiresAt")) a.expires_at = j.at("expiresAt").get<Timestamp>();
  return a;
}

json SubjectJson(const Subject& s) { return {{"id", s.id}, {"subjectType", SubjectTypeName(s.type)}}; }

Subject SubjectFrom(const DecodeJson& j) {
  auto type = ParseSubjectType(j.at("subjectType").get<std::string>());
  if (!type) throw std::runtime_error("unknown subjectType");
  return Subject{j.at("id").get<std::string>(), *type};
}

struct Encoder {
  json operator()(const AccountCreated& c) const {
    return {{"op", "account.put"},
            {"id", c.account.id},
            {"name", c.account.name},
            {"ownerUserId", c.account.owner_user_id},
            {"createdAt", c.account.created_at}};
  }
  json operator()(const UserPut& c) const {
    return {{"op", "user.put"},
            {"id", c.user.id},
            {"email", c.user.email},
            {"firstName", c.user.first_name},
            {"lastName", c.user.last_name},
            {"profileImage", c.user.profile_image}};
  }
  json operator()(const AssetPut& c) const {
    return {{"op", "asset.put"},    {"accountId", c.asset.account_id}, {"id", c.asset.id}, {"type", c.asset.type},
            {"name", c.asset.name}, {"parentId", c.asset.parent_id}};
  }
  json operator()(const AssetDeleted& c) const {
    return {{"op", "asset.delete"}, {"accountId", c.account_id}, {"id", c.asset_id}};
  }
  json operator()(const AssignmentAdded& c) const {
    json j = AssignmentJson(c.assignment);
    j["op"] = "assignment.add";
    return j;
  }
  json operator()(const AssignmentRemoved& c) const {
    return {{"op", "assignment.remove"}, {"accountId", c.account_id}, {"id", c.assignment_id}};
  }
  json operator()(const InvitePut& c) const {
    const Invite& i = c.invite;
    json assignments = json::array();
    for (const auto& a : i.assignments) {
      assignments.push_back({{"policyId", a.role_id}, {"restrictions", RestrictionJson(a.restriction)}});
    }
    json j = {{"op", "invite.put"},
              {"id", i.id},
              {"accountId", i.account_id},
              {"email", i.email},
              {"status", InviteStatusName(i.status)},
              {"tokenHash", i.token_hash},
              {"assignments", assignments},
              {"inviter", i.inviter},
              {"createdAt", i.created_at},
              {"updatedAt", i.updated_at},
              {"expiresAt", i.expires_at}};
    // Added later: absent in older records, so written only when set and read as optional.
    if (!i.inviter_id.empty()) j["inviterId"] = i.inviter_id;
    if (!i.accepted_by.empty()) j["acceptedBy"] = i.accepted_by;
    return j;
  }
  json operator()(const ApiKeyCreated& c) const {
    return {{"op", "apikey.create"},
            {"id", c.key.id},
            {"accountId", c.key.account_id},
            {"subject", SubjectJson(c.key.subject)},
            {"description", c.key.description},
            {"keyHash", c.key.key_hash},
            {"createdAt", c.key.created_at}};
  }
  json operator()(const RolePut& c) const {
    const RoleDefinition& r = c.role;
    json statements = json::array();
    for (const auto& st : r.statements) {
      statements.push_back({{"effect", st.allow ? "ALLOW" : "DENY"}, {"permissions", st.permissions}});
    }
    return {{"op", "role.put"},
            {"accountId", r.account_id},
            {"id", r.id},
            {"title", r.title},
            {"description", r.description},
            {"restrictFromLevel", r.restrict_from_level},
            {"editorTypes", r.editor_types},
            {"inherits", r.inherits},
            {"statements", statements}};
  }
  json operator()(const RoleDeleted& c) const {
    return {{"op", "role.delete"}, {"accountId", c.account_id}, {"id", c.role_id}};
  }
  json operator()(const ApiKeyRevoked& c) const {
    return {{"op", "apikey.revoke"}, {"accountId", c.account_id}, {"id", c.key_id}};
  }
};

Change DecodeOne(const DecodeJson& j) {
  const auto op = j.at("op").get<std::string>();
  if (op == "account.put") {
    Account a;
    a.id = j.at("id").get<std::string>();
    a.name = j.at("name").get<std::string>();
    a.owner_user_id = j.at("ownerUserId").get<std::string>();
    a.created_at = j.at("createdAt").get<Timestamp>();
    return AccountCreated{a};
  }
  if (op == "user.put") {
    User u;
    u.id = j.at("id").get<std::string>();
    u.email = j.at("email").get<std::string>();
    u.first_name = j.at("firstName").get<std::string>();
    u.last_name = j.at("lastName").get<std::string>();
    u.profile_image = j.at("profileImage").get<std::string>();
    return UserPut{u};
  }
  if (op == "asset.put") {
    Asset a;
    a.account_id = j.at("accountId").get<std::string>();
    a.id = j.at("id").get<std::string>();
    a.type = j.at("type").get<std::string>();
    a.name = j.at("name").get<std::string>();
    a.parent_id = j.at("parentId").get<std::string>();
    return AssetPut{a};
  }
  if (op == "asset.delete") {
    return AssetDeleted{j.at("accountId").get<std::string>(), j.at("id").get<std::string>()};
  }
  if (op == "assignment.add") return AssignmentAdded{AssignmentFrom(j)};
  if (op == "assignment.remove") {
    return AssignmentRemoved{j.at("accountId").get<std::string>(), j.at("id").get<std::uint64_t>()};
  }
  if (op == "invite.put") {
    Invite i;
    i.id = j.at("id").get<std::string>();
    i.account_id = j.at("accountId").get<std::string>();
    i.email = j.at("email").get<std::string>();
    auto status = ParseInviteStatus(j.at("status").get<std::string>());
    if (!status) throw std::runtime_error("unknown invite status");
    i.status = *status;
    i.token_hash = j.at("tokenHash").get<std::string>();
    for (const auto& a : j.at("assignments")) {
      i.assignments.push_back({a.at("policyId").get<std::string>(), RestrictionFrom(a.at("restrictions"))});
    }
    i.inviter = j.at("inviter").get<std::string>();
    i.inviter_id = j.value("inviterId", std::string());
    i.accepted_by = j.value("acceptedBy", std::string());
    i.created_at = j.at("createdAt").get<Timestamp>();
    i.updated_at = j.at("updatedAt").get<Timestamp>();
    i.expires_at = j.at("expiresAt").get<Timestamp>();
    return InvitePut{i};
  }
  if (op == "apikey.create") {
    ApiKey k;
    k.id = j.at("id").get<std::string>();
    k.account_id = j.at("accountId").get<std::string>();
    k.subject = SubjectFrom(j.at("subject"));
    k.description = j.at("description").get<std::string>();
    k.key_hash = j.at("keyHash").get<std::string>();
    k.created_at = j.at("createdAt").get<Timestamp>();
    return ApiKeyCreated{k};
  }
  if (op == "role.put") {
    RoleDefinition r;
    r.account_id = j.at("accountId").get<std::string>();
    r.id = j.at("id").get<std::string>();
    r.title = j.at("title").get<std::map<std::string, std::string>>();
    r.description = j.at("description").get<std::map<std::string, std::string>>();
    r.restrict_from_level = j.at("restrictFromLevel").get<std::string>();
    r.editor_types = j.at("editorTypes").get<std::vector<std::string>>();
    r.inherits = j.at("inherits").get<std::vector<std::string>>();
    for (const auto& st : j.at("statements")) {
      r.statements.push_back(
          {st.at("effect").get<std::string>() == "ALLOW", st.at("permissions").get<std::vector<std::string>>()});
    }
    return RolePut{r};
  }
  if (op == "role.delete") return RoleDeleted{j.at("accountId").get<std::string>(), j.at("id").get<std::string>()};
  if (op == "apikey.revoke") return ApiKeyRevoked{j.at("accountId").get<std::string>(), j.at("id").get<std::string>()};
  throw std::runtime_error("unknown op \"" + op + "\"");
}

}  // namespace

std::string AddAcceptLinks(const std::string& payload,
                           const std::function<std::optional<std::string>(const std::string& token_hash)>& link_for) {
  json j = json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.contains("changes") || !j["changes"].is_array()) return payload;
  bool changed = false;
  for (auto& c : j["changes"]) {
    if (c.value("op", std::string()) != "invite.put" || !c.contains("tokenHash")) continue;
    if (auto link = link_for(c["tokenHash"].get<std::string>())) {
      c["acceptLink"] = *link;
      changed = true;
    }
  }
  return changed ? j.dump() : payload;
}

std::string JsonChangeCodec::EncodeChanges(const ChangeSet& set) const {
  json changes = json::array();
  for (const auto& c : set.changes) changes.push_back(std::visit(Encoder{}, c));
  return json{{"changes", std::move(changes)}}.dump();
}

std::string JsonChangeCodec::EncodeChange(const Change& change) const { return std::visit(Encoder{}, change).dump(); }

Result<Change> JsonChangeCodec::DecodeChange(const std::string& text) const {
  try {
    const DecodeJson j = DecodeJson::parse(text);
    if (!j.is_object()) return InvalidArgument("expected a JSON object");
    return DecodeOne(j);
  } catch (const std::exception& e) {
    return InvalidArgument(e.what());
  }
}

Result<ChangeSet> JsonChangeCodec::Decode(const ChangeRecord& record) const {
  ChangeSet set;
  set.type = record.type;
  set.account_id = record.account_id;
  set.actor = record.actor;
  set.at = record.at;
  try {
    const DecodeJson j = DecodeJson::parse(record.payload);
    for (const auto& c : j.at("changes")) set.changes.push_back(DecodeOne(c));
  } catch (const std::exception& e) {
    return Internal("change log record " + std::to_string(record.revision) + " is corrupt: " + e.what());
  }
  return set;
}

}  // namespace gatehouse
