#include "codec/json_change_codec.h"

#include <nlohmann/json.hpp>

namespace gatehouse {
namespace {

using nlohmann::json;

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

Restriction RestrictionFrom(const json& j) {
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
            {"subject", {{"id", a.subject.id}, {"subjectType", SubjectTypeName(a.subject.type)}}},
            {"policyId", a.role_id},
            {"restrictions", RestrictionJson(a.restriction)},
            {"createdAt", a.created_at}};
  if (a.not_before) j["notBefore"] = *a.not_before;
  if (a.expires_at) j["expiresAt"] = *a.expires_at;
  return j;
}

Assignment AssignmentFrom(const json& j) {
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
};

Change DecodeOne(const json& j) {
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
  throw std::runtime_error("unknown op \"" + op + "\"");
}

}  // namespace

std::string JsonChangeCodec::EncodeChanges(const ChangeSet& set) const {
  json changes = json::array();
  for (const auto& c : set.changes) changes.push_back(std::visit(Encoder{}, c));
  return json{{"changes", std::move(changes)}}.dump();
}

Result<ChangeSet> JsonChangeCodec::Decode(const ChangeRecord& record) const {
  ChangeSet set;
  set.type = record.type;
  set.account_id = record.account_id;
  set.actor = record.actor;
  set.at = record.at;
  try {
    const json j = json::parse(record.payload);
    for (const auto& c : j.at("changes")) set.changes.push_back(DecodeOne(c));
  } catch (const std::exception& e) {
    return Internal("change log record " + std::to_string(record.revision) + " is corrupt: " + e.what());
  }
  return set;
}

}  // namespace gatehouse
