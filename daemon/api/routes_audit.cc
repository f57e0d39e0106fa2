// The audit half of the API: the change feed (GET /v1/changes), the access review and
// its diff (GET /v1/access-review, /v1/access-review/diff) and the policy impact of a
// candidate policy set (POST /v1/admin/policy-diff). The answers are computed by engine/
// (access_review.h, policy_impact.h) and team/ (change_feed.h, review_history.h); this
// file parses, streams and renders.
#include <algorithm>
#include <map>

#include "api/route_kernel.h"
#include "api/routes.h"
#include "engine/access_review.h"
#include "engine/policy_impact.h"

namespace gatehouse::api {
namespace {

// A query parameter as a whole number in [min, max]; `fallback` when absent.
Result<std::uint64_t> QueryNumber(const Call& c, const char* name, std::uint64_t fallback, std::uint64_t min,
                                  std::uint64_t max) {
  if (!c.http.has_param(name)) return fallback;
  const std::string v = c.Query(name);
  if (v.empty() || v.size() > 19 || v.find_first_not_of("0123456789") != std::string::npos) {
    return FieldError(name, "must be a whole number from " + std::to_string(min) + " to " + std::to_string(max));
  }
  const std::uint64_t n = std::stoull(v);
  if (n < min || n > max) {
    return FieldError(name, "must be from " + std::to_string(min) + " to " + std::to_string(max), "OUT_OF_RANGE");
  }
  return n;
}

// The feed never carries secrets, not even their hashes: only ids.
void StripSecrets(json& j) {
  if (j.is_object()) {
    j.erase("tokenHash");
    j.erase("keyHash");
    for (auto& [key, value] : j.items()) StripSecrets(value);
  } else if (j.is_array()) {
    for (auto& item : j) StripSecrets(item);
  }
}

json ImpactJson(const Impact& im) {
  json out = {{"accountId", im.account_id},
              {"subject", {{"id", im.subject.id}, {"subjectType", SubjectTypeName(im.subject.type)}}},
              {"assignmentId", std::to_string(im.assignment_id)},
              {"roleId", im.role_id},
              {"scope", {{"id", im.scope_id}, {"type", im.scope_type}}},
              {"gained", im.gained},
              {"lost", im.lost}};
  if (!im.error.empty()) out["error"] = im.error;
  return out;
}

json ChangeJson(const ChangeRecord& r) {
  json data = json::parse(r.payload, nullptr, false);
  if (data.is_discarded()) data = json::object();
  StripSecrets(data);
  return {{"revision", r.revision},    {"type", r.type},         {"accountId", r.account_id}, {"actor", r.actor},
          {"at", FormatRfc3339(r.at)}, {"data", std::move(data)}};
}

json RowJson(const ReviewRow& r) {
  json subject = {{"id", r.subject.id}, {"subjectType", SubjectTypeName(r.subject.type)}};
  if (!r.subject_name.empty()) subject["name"] = r.subject_name;
  if (!r.subject_email.empty()) subject["email"] = r.subject_email;
  json row = {{"subject", std::move(subject)},
              {"assignmentId", std::to_string(r.assignment_id)},
              {"roleId", r.role_id},
              {"roleTitle", r.role_title},
              {"scope", {{"id", r.scope_id}, {"type", r.scope_type}, {"path", r.scope_path}}}};
  if (r.not_before) row["notBefore"] = FormatRfc3339(*r.not_before);
  if (r.expires_at) row["expiresAt"] = FormatRfc3339(*r.expires_at);
  row["status"] = GrantStatusName(r.status);
  row["permissions"] = r.permissions;
  row["grantedAt"] = FormatRfc3339(r.granted_at);
  row["grantedBy"] = r.granted_by;
  row["grantedRevision"] = r.granted_revision;
  return row;
}

// One RFC 4180 field: quoted when it holds a comma, quote, CR or LF.
std::string CsvField(std::string_view v) {
  if (v.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(v);
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string Joined(const std::vector<std::string>& parts, char sep) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += sep;
    out += p;
  }
  return out;
}

constexpr const char* kCsvHeader =
    "subject_type,subject_id,subject_name,subject_email,assignment_id,role_id,role_title,scope_type,scope_id,"
    "scope_path,not_before,expires_at,status,permissions,granted_at,granted_by,granted_revision\r\n";

std::string RowCsv(const ReviewRow& r) {
  const std::vector<std::string> fields = {std::string(SubjectTypeName(r.subject.type)),
                                           r.subject.id,
                                           r.subject_name,
                                           r.subject_email,
                                           std::to_string(r.assignment_id),
                                           r.role_id,
                                           r.role_title,
                                           r.scope_type,
                                           r.scope_id,
                                           Joined(r.scope_path, '/'),
                                           r.not_before ? FormatRfc3339(*r.not_before) : "",
                                           r.expires_at ? FormatRfc3339(*r.expires_at) : "",
                                           std::string(GrantStatusName(r.status)),
                                           Joined(r.permissions, ' '),
                                           FormatRfc3339(r.granted_at),
                                           r.granted_by,
                                           std::to_string(r.granted_revision)};
  std::string line;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) line += ',';
    line += CsvField(fields[i]);
  }
  return line + "\r\n";
}

json PendingInvitesJson(const AccountState& state, Timestamp now) {
  json out = json::array();
  for (const auto& inv : state.invites()) {
    if (inv.EffectiveStatus(now) != InviteStatus::kPending) continue;
    json roles = json::array();
    for (const auto& a : inv.assignments) {
      if (std::find(roles.begin(), roles.end(), a.role_id) == roles.end()) roles.push_back(a.role_id);
    }
    out.push_back({{"inviteId", inv.id},
                   {"email", inv.email},
                   {"status", InviteStatusName(InviteStatus::kPending)},
                   {"roleIds", std::move(roles)},
                   {"expiresAt", FormatRfc3339(inv.expires_at)}});
  }
  return out;
}

// The snapshots holding the account at each of `revisions` (ascending), replayed from the
// log; `what` names the parameter for errors. A revision beyond the head is a 400.
Result<std::vector<std::shared_ptr<const Snapshot>>> StatesAt(
    const ApiServices& s, const Call& c, const std::vector<std::pair<const char*, std::uint64_t>>& at) {
  std::vector<std::uint64_t> revisions;
  for (const auto& [name, rev] : at) {
    if (rev > c.snapshot->revision()) {
      return FieldError(name, "revision " + std::to_string(rev) + " is beyond the head (" +
                                  std::to_string(c.snapshot->revision()) + ")");
    }
    revisions.push_back(rev);
  }
  if (s.history == nullptr) return FailedPrecondition("the review history is not available");
  return s.history->StatesAt(c.account_id, revisions, c.snapshot->policies());
}

Result<Reply> AccessReviewReply(const ApiServices& s, Call& c) {
  const std::string format = c.http.has_param("format") ? c.Query("format") : "json";
  if (format != "json" && format != "csv") return FieldError("format", "must be json or csv");
  std::shared_ptr<const Snapshot> snapshot = c.snapshot;
  std::uint64_t revision = snapshot->revision();
  if (c.http.has_param("at")) {
    auto at = QueryNumber(c, "at", 0, 0, std::numeric_limits<std::int64_t>::max());
    if (!at.ok()) return at.status();
    auto states = StatesAt(s, c, {{"at", *at}});
    if (!states.ok()) return states.status();
    snapshot = states->front();
    revision = *at;
  }
  // The stream owns the snapshot it reads and the cursor over it.
  struct State {
    std::shared_ptr<const Snapshot> snapshot;
    std::unique_ptr<AccessReview> review;
    std::string tail;  // the JSON after the rows
    bool started = false;
  };
  auto st = std::make_shared<State>();
  st->snapshot = snapshot;
  const AccountView* view = snapshot->FindAccount(c.account_id);
  if (view != nullptr) st->review = std::make_unique<AccessReview>(*snapshot, *view, c.now);
  const bool csv = format == "csv";
  std::string head;
  if (csv) {
    head = kCsvHeader;
  } else {
    head = "{\"revision\":" + std::to_string(revision) + ",\"generatedAt\":" + json(FormatRfc3339(c.now)).dump() +
           ",\"rows\":[";
    st->tail =
        "],\"invites\":" + (view != nullptr ? PendingInvitesJson(*view->State(), c.now) : json::array()).dump() + "}";
  }
  constexpr std::size_t kRowsPerPiece = 256;
  Reply reply = Reply::Streamed(csv ? "text/csv; charset=utf-8" : "application/json",
                                [st, csv, head, n = std::size_t{0}](std::string* out) mutable {
                                  if (!st->started) {
                                    st->started = true;
                                    *out = head;
                                  }
                                  ReviewRow row;
                                  for (std::size_t i = 0; i < kRowsPerPiece; ++i) {
                                    if (st->review == nullptr || !st->review->Next(&row)) {
                                      *out += st->tail;
                                      return false;
                                    }
                                    if (csv) {
                                      *out += RowCsv(row);
                                    } else {
                                      if (n++ > 0) *out += ',';
                                      *out += RowJson(row).dump();
                                    }
                                  }
                                  return true;
                                });
  reply.headers.emplace_back("X-Gatehouse-Revision", std::to_string(revision));
  return reply;
}

Result<Reply> ReviewDiffReply(const ApiServices& s, Call& c) {
  for (const char* name : {"from", "to"}) {
    if (!c.http.has_param(name)) return FieldError(name, "is required (a revision)", "REQUIRED_FIELD");
  }
  auto from = QueryNumber(c, "from", 0, 0, std::numeric_limits<std::int64_t>::max());
  if (!from.ok()) return from.status();
  auto to = QueryNumber(c, "to", 0, 0, std::numeric_limits<std::int64_t>::max());
  if (!to.ok()) return to.status();
  if (*from > *to) return FieldError("from", "must not be after `to`");
  auto states = StatesAt(s, c, {{"from", *from}, {"to", *to}});
  if (!states.ok()) return states.status();
  // Rendered as they come: the answer is held once, as text, never as rows.
  std::string gained, lost, changed;
  auto append = [](std::string* out, const json& j) {
    if (!out->empty()) *out += ',';
    *out += j.dump();
  };
  auto review_of = [&](const Snapshot& snap) -> std::unique_ptr<AccessReview> {
    const AccountView* view = snap.FindAccount(c.account_id);
    return view == nullptr ? nullptr : std::make_unique<AccessReview>(snap, *view, c.now);
  };
  auto before = review_of(*(*states)[0]);
  auto after = review_of(*(*states)[1]);
  DiffReviews(
      before.get(), after.get(),
      {[&](const ReviewRow& r) { append(&gained, RowJson(r)); }, [&](const ReviewRow& r) { append(&lost, RowJson(r)); },
       [&](const ReviewRow& b, const ReviewRow& a) {
         append(&changed, json{{"before", RowJson(b)}, {"after", RowJson(a)}});
       }});
  Reply reply = Reply::Text(200,
                            "{\"from\":" + std::to_string(*from) + ",\"to\":" + std::to_string(*to) + ",\"gained\":[" +
                                gained + "],\"lost\":[" + lost + "],\"changed\":[" + changed + "]}",
                            "application/json");
  reply.headers.emplace_back("X-Gatehouse-Revision", std::to_string(*to));
  return reply;
}

// A path inside the candidate directory as sent: relative, no "." or ".." segments.
std::string BadCandidatePath(const std::string& path) {
  if (path.empty()) return "is empty";
  if (path.front() == '/') return "must be relative to the policy directory";
  if (path.find('\0') != std::string::npos || path.find('\\') != std::string::npos) {
    return "must use / between segments and hold no NUL byte";
  }
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    const std::string segment = path.substr(start, end - start);
    if (segment.empty() || segment == "." || segment == "..") return "must not hold empty, \".\" or \"..\" segments";
    start = end + 1;
  }
  return {};
}

// What the directory walk would load: *.yaml / *.yml, no segment starting with ".".
bool LoadsAsPolicyFile(const std::string& path) {
  if (path.front() == '.' || path.find("/.") != std::string::npos) return false;
  auto ends = [&](std::string_view suffix) {
    return path.size() > suffix.size() && path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return ends(".yaml") || ends(".yml");
}

Result<Reply> PolicyDiffReply(const ApiServices& s, Call& c) {
  if (!s.compile_policies) return FailedPrecondition("policy diff is not available");
  const json& files = c.body.contains("files") ? c.body["files"] : json();
  if (!files.is_object()) {
    return FieldError("files", "must be an object mapping paths in the policy directory to file text",
                      "REQUIRED_FIELD");
  }
  std::vector<std::string> errors;
  std::vector<std::pair<std::string, std::string>> texts;
  for (const auto& [path, text] : files.items()) {
    if (!text.is_string()) return FieldError("files." + path, "must be the file's text (a string)");
    if (std::string why = BadCandidatePath(path); !why.empty()) {
      errors.push_back(path + ": the path " + why);
      continue;
    }
    if (LoadsAsPolicyFile(path)) texts.emplace_back(path, text.get<std::string>());
  }
  std::sort(texts.begin(), texts.end());
  if (errors.empty() && texts.empty()) errors.push_back("files: no *.yaml or *.yml file in the candidate");
  CompileOutput candidate;
  if (errors.empty()) {
    candidate = s.compile_policies(texts);
    for (const auto& e : candidate.errors) errors.push_back(e.ToString());
  }
  if (!errors.empty() || candidate.policy_set == nullptr) {
    if (errors.empty()) errors.push_back("the candidate policy set did not compile");
    return Reply::Json(200, {{"valid", false}, {"errors", errors}});
  }
  struct State {
    std::shared_ptr<const Snapshot> live;
    std::unique_ptr<PolicyImpact> impact;
    std::size_t written = 0;
    bool started = false;
  };
  auto st = std::make_shared<State>();
  st->live = c.snapshot;
  st->impact = std::make_unique<PolicyImpact>(*st->live, candidate.policy_set);
  Reply reply = Reply::Streamed("application/json", [st](std::string* out) {
    if (!st->started) {
      st->started = true;
      *out = "{\"valid\":true,\"changes\":[";
    }
    std::vector<Impact> impacts;
    // A few accounts per piece: pieces stay small whatever the account count.
    bool done = false;
    for (int i = 0; i < 64 && impacts.size() < 512 && !done; ++i) done = !st->impact->NextAccount(&impacts);
    for (const auto& im : impacts) *out += (st->written++ > 0 ? "," : "") + ImpactJson(im).dump();
    if (!done) return true;
    const ImpactSummary& sum = st->impact->summary();
    *out += "],\"summary\":" +
            json({{"accounts", sum.accounts},
                  {"subjects", sum.subjects},
                  {"grantsChanged", sum.grants_changed},
                  {"permissionsGained", sum.permissions_gained},
                  {"permissionsLost", sum.permissions_lost}})
                .dump() +
            "}";
    return false;
  });
  reply.headers.emplace_back("X-Gatehouse-Revision", std::to_string(c.snapshot->revision()));
  return reply;
}

}  // namespace

void RegisterAuditRoutes(Router& server, const ApiServices& services) {
  const ApiServices* s = &services;
  Serve(
      server, services,
      {
          {"GET", "/v1/changes", Access::kAccount, "audit.read", false,
           [s](Call& c) -> Result<Reply> {
             if (s->feed == nullptr) return FailedPrecondition("the change feed is not available");
             auto since = QueryNumber(c, "since", 0, 0, std::numeric_limits<std::int64_t>::max());
             if (!since.ok()) return since.status();
             auto limit = QueryNumber(c, "limit", 100, 1, 1000);
             if (!limit.ok()) return limit.status();
             auto wait = QueryNumber(c, "wait", 0, 0, 60);
             if (!wait.ok()) return wait.status();
             auto page = s->feed->Read(c.account_id, *since, *limit, std::chrono::seconds(*wait));
             if (!page.ok()) return page.status();
             json changes = json::array();
             for (const auto& r : page->changes) changes.push_back(ChangeJson(r));
             return Reply::Json(
                 200, {{"changes", std::move(changes)}, {"nextSince", page->next_since}, {"head", page->head}});
           }},
          {"GET", "/v1/access-review", Access::kAccount, "access.review", false,
           [s](Call& c) { return AccessReviewReply(*s, c); }},
          {"GET", "/v1/access-review/diff", Access::kAccount, "access.review", false,
           [s](Call& c) { return ReviewDiffReply(*s, c); }},
          {"POST", "/v1/admin/policy-diff", Access::kSystem, "", true, [s](Call& c) { return PolicyDiffReply(*s, c); }},
      });
}

}  // namespace gatehouse::api
