#include "policy/policy_loader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "policy/policy_files.h"
#include "yaml/yaml_document.h"

namespace gatehouse {
namespace {

namespace fs = std::filesystem;

// Reads one document with precise, accumulated errors.
class DocReader {
 public:
  DocReader(const std::string& file, std::vector<PolicyError>* errors) : file_(file), errors_(errors) {}

  SourceLocation Loc(const YAML::Node& n) const {
    const YamlPosition p = PositionOf(n);
    if (p.line == 0) return SourceLocation{file_, 1, 1};
    return SourceLocation{file_, p.line, p.column};
  }

  void Error(const YAML::Node& n, std::string message) { errors_->push_back({Loc(n), std::move(message)}); }
  void Error(const SourceLocation& where, std::string message) { errors_->push_back({where, std::move(message)}); }

  // Checks that `n` is a map whose keys are all in `allowed`; reports the others.
  bool Map(const YAML::Node& n, std::string_view what, const std::vector<std::string>& allowed) {
    if (!n.IsMap()) {
      Error(n, std::string(what) + ": expected a mapping");
      return false;
    }
    for (const auto& kv : n) {
      const std::string key = kv.first.Scalar();
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        std::string expected;
        for (const auto& a : allowed) expected += (expected.empty() ? "" : ", ") + a;
        Error(kv.first, std::string(what) + ": unknown field \"" + key + "\"" + DidYouMean(key, allowed) +
                            " (expected one of: " + expected + ")");
      }
    }
    return true;
  }

  std::optional<std::string> String(const YAML::Node& parent, const char* key, std::string_view what, bool required) {
    const YAML::Node n = parent[key];
    if (!n.IsDefined() || n.IsNull()) {
      if (required) Error(parent, std::string(what) + ": missing required field \"" + key + "\"");
      return std::nullopt;
    }
    if (!n.IsScalar()) {
      Error(n, std::string(what) + ": field \"" + key + "\" must be a string");
      return std::nullopt;
    }
    return n.Scalar();
  }

  std::optional<bool> Bool(const YAML::Node& parent, const char* key, std::string_view what, bool required) {
    const YAML::Node n = parent[key];
    if (!n.IsDefined() || n.IsNull()) {
      if (required) Error(parent, std::string(what) + ": missing required field \"" + key + "\"");
      return std::nullopt;
    }
    if (n.IsScalar() && (n.Scalar() == "true" || n.Scalar() == "false")) return n.Scalar() == "true";
    Error(n, std::string(what) + ": field \"" + key + "\" must be true or false");
    return std::nullopt;
  }

  std::optional<Timestamp> Time(const YAML::Node& parent, const char* key, std::string_view what) {
    auto s = String(parent, key, what, false);
    if (!s) return std::nullopt;
    auto t = ParseRfc3339(*s);
    if (!t)
      Error(parent[key], std::string(what) + ": field \"" + key +
                             "\": expected an RFC 3339 timestamp such as 2026-03-01T09:00:00Z, got \"" + *s + "\"");
    return t;
  }

  // A list of strings (a single string is not accepted: lists stay lists).
  std::vector<std::string> Strings(const YAML::Node& parent, const char* key, std::string_view what,
                                   std::vector<SourceLocation>* where = nullptr) {
    std::vector<std::string> out;
    const YAML::Node n = parent[key];
    if (!n.IsDefined() || n.IsNull()) return out;
    if (!n.IsSequence()) {
      Error(n, std::string(what) + ": field \"" + key + "\" must be a list");
      return out;
    }
    for (const auto& item : n) {
      if (!item.IsScalar()) {
        Error(item, std::string(what) + ": entries of \"" + key + "\" must be strings");
        continue;
      }
      out.push_back(item.Scalar());
      if (where != nullptr) where->push_back(Loc(item));
    }
    return out;
  }

  LocalizedText Text(const YAML::Node& parent, const char* key, std::string_view what, bool required) {
    LocalizedText out;
    const YAML::Node n = parent[key];
    if (!n.IsDefined() || n.IsNull()) {
      if (required) Error(parent, std::string(what) + ": missing required field \"" + key + "\"");
      return out;
    }
    if (n.IsScalar()) {
      out["en"] = n.Scalar();
      return out;
    }
    if (!n.IsMap()) {
      Error(n, std::string(what) + ": field \"" + key + "\" must be text or a {locale: text} mapping");
      return out;
    }
    for (const auto& kv : n) {
      if (!kv.second.IsScalar()) {
        Error(kv.second, std::string(what) + ": \"" + key + "." + kv.first.Scalar() + "\" must be text");
        continue;
      }
      out[kv.first.Scalar()] = kv.second.Scalar();
    }
    if (required && out.find("en") == out.end()) {
      Error(n, std::string(what) + ": \"" + key + "\" needs an \"en\" text (the fallback locale)");
    }
    return out;
  }

  Subject SubjectOf(const YAML::Node& n, std::string_view what) {
    Subject s;
    if (n.IsScalar()) {
      s.id = n.Scalar();
      return s;
    }
    if (!Map(n, what, {"id", "subjectType"})) return s;
    s.id = String(n, "id", what, true).value_or("");
    if (auto t = String(n, "subjectType", what, false)) {
      auto parsed = ParseSubjectType(*t);
      if (!parsed) {
        Error(n["subjectType"], std::string(what) + ": unknown subjectType \"" + *t +
                                    "\" (expected USER, ACCOUNT, EXTERNAL_APP, WIX_APP, USER_GROUP or ACCOUNT_GROUP)");
      } else {
        s.type = *parsed;
      }
    }
    return s;
  }

  Restriction RestrictionOf(const YAML::Node& n, std::string_view what) {
    Restriction r;
    if (!n.IsDefined() || n.IsNull()) return r;
    if (!Map(n, what, {"site", "conditions"})) return r;
    if (n["site"] && n["conditions"]) {
      Error(n, std::string(what) + ": a restriction holds exactly one of \"site\" and \"conditions\"");
      return r;
    }
    if (const YAML::Node site = n["site"]) {
      if (!Map(site, std::string(what) + ".site", {"id", "value"})) return r;
      r.kind = Restriction::Kind::kSite;
      r.asset_ids.push_back(String(site, "id", std::string(what) + ".site", true).value_or(""));
    } else if (const YAML::Node cond = n["conditions"]) {
      if (!Map(cond, std::string(what) + ".conditions", {"conditions"})) return r;
      const YAML::Node list = cond["conditions"];
      if (!list.IsSequence() || list.size() == 0) {
        Error(cond, std::string(what) + ".conditions.conditions: expected a non-empty list");
        return r;
      }
      r.kind = Restriction::Kind::kFolders;
      for (const auto& c : list) {
        const std::string w = std::string(what) + ".conditions";
        if (!Map(c, w, {"conditionType", "id", "value"})) continue;
        auto type = String(c, "conditionType", w, true);
        if (type && *type != "FOLDER")
          Error(c["conditionType"], w + ": conditionType must be FOLDER, got \"" + *type + "\"");
        r.asset_ids.push_back(String(c, "id", w, true).value_or(""));
      }
    }
    return r;
  }

 private:
  std::string file_;
  std::vector<PolicyError>* errors_;
};

void ReadPermissions(DocReader& r, const YAML::Node& doc, PolicySource* src) {
  if (!r.Map(doc, "Permissions", {"apiVersion", "kind", "permissions"})) return;
  const YAML::Node list = doc["permissions"];
  if (!list.IsSequence()) {
    r.Error(list.IsDefined() ? list : doc, "Permissions: \"permissions\" must be a list");
    return;
  }
  for (const auto& p : list) {
    if (!r.Map(p, "permission", {"id", "description", "implies", "level"})) continue;
    PermissionDecl decl;
    decl.where = r.Loc(p);
    decl.id = r.String(p, "id", "permission", true).value_or("");
    decl.description = r.String(p, "description", "permission \"" + decl.id + "\"", false).value_or("");
    decl.implies = r.Strings(p, "implies", "permission \"" + decl.id + "\"", &decl.implies_where);
    if (auto level = r.String(p, "level", "permission \"" + decl.id + "\"", false)) {
      if (*level == "Account") {
        decl.account_level = true;
      } else if (*level != "Any") {
        r.Error(p["level"], "permission \"" + decl.id + "\": level must be Account or Any, got \"" + *level + "\"");
      }
    }
    if (!decl.id.empty()) src->permissions.push_back(std::move(decl));
  }
}

void ReadAssetTypes(DocReader& r, const YAML::Node& doc, PolicySource* src) {
  if (!r.Map(doc, "AssetTypes", {"apiVersion", "kind", "types"})) return;
  const YAML::Node list = doc["types"];
  if (!list.IsSequence()) {
    r.Error(list.IsDefined() ? list : doc, "AssetTypes: \"types\" must be a list");
    return;
  }
  for (const auto& t : list) {
    if (!r.Map(t, "asset type", {"id", "parents"})) continue;
    AssetTypeDecl decl;
    decl.where = r.Loc(t);
    decl.id = r.String(t, "id", "asset type", true).value_or("");
    decl.parents = r.Strings(t, "parents", "asset type \"" + decl.id + "\"");
    if (!decl.id.empty()) src->asset_types.push_back(std::move(decl));
  }
}

void ReadRole(DocReader& r, const YAML::Node& doc, const std::string& account_id, PolicySource* src) {
  if (!r.Map(doc, "Role",
             {"apiVersion", "kind", "id", "title", "description", "restrictFromLevel", "editorTypes", "inherits",
              "statements"})) {
    return;
  }
  RoleDecl decl;
  decl.where = doc["id"] ? r.Loc(doc["id"]) : r.Loc(doc);
  decl.account_id = account_id;
  decl.id = r.String(doc, "id", "Role", true).value_or("");
  const std::string what = "role \"" + decl.id + "\"";
  decl.title = r.Text(doc, "title", what, true);
  decl.description = r.Text(doc, "description", what, false);
  if (auto level = r.String(doc, "restrictFromLevel", what, false)) {
    auto parsed = ParseRestrictFromLevel(*level);
    if (!parsed) {
      r.Error(doc["restrictFromLevel"], what + ": restrictFromLevel must be NoRestriction, Site or Account, got \"" +
                                            *level + "\"" + DidYouMean(*level, {"NoRestriction", "Site", "Account"}));
    } else {
      decl.restrict_from_level = *parsed;
    }
  }
  decl.editor_types = r.Strings(doc, "editorTypes", what);
  decl.inherits = r.Strings(doc, "inherits", what, &decl.inherits_where);
  const YAML::Node statements = doc["statements"];
  if (statements.IsDefined() && !statements.IsNull()) {
    if (!statements.IsSequence()) {
      r.Error(statements, what + ": \"statements\" must be a list");
    } else {
      for (const auto& s : statements) {
        if (!r.Map(s, what + " statement", {"effect", "permissions"})) continue;
        StatementDecl st;
        st.where = r.Loc(s);
        auto effect = r.String(s, "effect", what + " statement", true);
        if (effect) {
          if (*effect == "ALLOW") {
            st.effect = Effect::kAllow;
          } else if (*effect == "DENY") {
            st.effect = Effect::kDeny;
          } else {
            r.Error(s["effect"], what + ": effect must be ALLOW or DENY, got \"" + *effect + "\"");
          }
        }
        if (!s["permissions"]) r.Error(s, what + " statement: missing required field \"permissions\"");
        st.permissions = r.Strings(s, "permissions", what + " statement", &st.permissions_where);
        decl.statements.push_back(std::move(st));
      }
    }
  }
  if (!decl.id.empty()) src->roles.push_back(std::move(decl));
}

void ReadPolicyTest(DocReader& r, const YAML::Node& doc, std::vector<PolicyTestSuite>* tests) {
  if (!r.Map(doc, "PolicyTest", {"apiVersion", "kind", "name", "fixtures", "expect"})) return;
  PolicyTestSuite suite;
  suite.where = r.Loc(doc);
  suite.name = r.String(doc, "name", "PolicyTest", true).value_or("");
  const std::string what = "PolicyTest \"" + suite.name + "\"";
  if (const YAML::Node fx = doc["fixtures"]) {
    if (r.Map(fx, what + " fixtures", {"assets", "assignments"})) {
      if (const YAML::Node assets = fx["assets"]) {
        if (!assets.IsSequence()) r.Error(assets, what + ": fixtures.assets must be a list");
        for (const auto& a : assets.IsSequence() ? assets : YAML::Node()) {
          if (!r.Map(a, what + " asset", {"id", "type", "parent", "name"})) continue;
          PolicyTestSuite::FixtureAsset fa;
          fa.where = r.Loc(a);
          fa.id = r.String(a, "id", what + " asset", true).value_or("");
          fa.type = r.String(a, "type", what + " asset", true).value_or("");
          fa.parent = r.String(a, "parent", what + " asset", false).value_or("");
          suite.assets.push_back(std::move(fa));
        }
      }
      if (const YAML::Node list = fx["assignments"]) {
        if (!list.IsSequence()) r.Error(list, what + ": fixtures.assignments must be a list");
        for (const auto& a : list.IsSequence() ? list : YAML::Node()) {
          if (!r.Map(a, what + " assignment", {"subject", "role", "restrictions", "notBefore", "expiresAt"})) continue;
          PolicyTestSuite::FixtureAssignment fa;
          fa.where = r.Loc(a);
          if (!a["subject"])
            r.Error(a, what + " assignment: missing required field \"subject\"");
          else
            fa.subject = r.SubjectOf(a["subject"], what + " assignment subject");
          fa.role = r.String(a, "role", what + " assignment", true).value_or("");
          fa.restriction = r.RestrictionOf(a["restrictions"], what + " assignment restrictions");
          fa.not_before = r.Time(a, "notBefore", what + " assignment");
          fa.expires_at = r.Time(a, "expiresAt", what + " assignment");
          suite.assignments.push_back(std::move(fa));
        }
      }
    }
  }
  const YAML::Node expect = doc["expect"];
  if (!expect.IsSequence()) {
    r.Error(expect.IsDefined() ? expect : doc, what + ": \"expect\" must be a list of expectations");
  } else {
    for (const auto& e : expect) {
      if (!r.Map(e, what + " expectation", {"subject", "permission", "asset", "allowed", "at"})) continue;
      PolicyTestSuite::Expectation ex;
      ex.where = r.Loc(e);
      if (!e["subject"])
        r.Error(e, what + " expectation: missing required field \"subject\"");
      else
        ex.subject = r.SubjectOf(e["subject"], what + " expectation subject");
      ex.permission = r.String(e, "permission", what + " expectation", true).value_or("");
      ex.asset = r.String(e, "asset", what + " expectation", true).value_or("");
      ex.allowed = r.Bool(e, "allowed", what + " expectation", true).value_or(false);
      ex.at = r.Time(e, "at", what + " expectation");
      suite.expectations.push_back(std::move(ex));
    }
  }
  tests->push_back(std::move(suite));
}

}  // namespace

void ParsePolicyText(std::string_view text, const std::string& file, const std::string& account_id,
                     PolicySource* source, std::vector<PolicyTestSuite>* tests, std::vector<PolicyError>* errors) {
  DocReader r(file, errors);
  YamlDocuments parsed = ParseYamlDocuments(text);
  if (!parsed.ok()) {
    const YamlProblem& p = *parsed.problem;
    errors->push_back(
        {SourceLocation{file, std::max(p.line, 1), std::max(p.column, 1)}, "YAML syntax error: " + p.message});
    return;
  }
  const std::vector<YAML::Node>& docs = parsed.documents;
  if (std::all_of(docs.begin(), docs.end(), [](const YAML::Node& d) { return d.IsNull(); })) {
    errors->push_back(
        {SourceLocation{file, 1, 1}, "empty file: expected at least one document with apiVersion and kind"});
    return;
  }
  try {
    for (const auto& doc : docs) {
      if (doc.IsNull()) continue;  // empty document (e.g. a trailing ---)
      if (!doc.IsMap()) {
        r.Error(doc, "expected a mapping with apiVersion and kind");
        continue;
      }
      auto api = r.String(doc, "apiVersion", "document", true);
      auto kind = r.String(doc, "kind", "document", true);
      if (api && *api != "gatehouse/v1") {
        r.Error(doc["apiVersion"], "unknown apiVersion \"" + *api + "\" (expected gatehouse/v1)");
        continue;
      }
      if (!api || !kind) continue;
      if (*kind == "Permissions") {
        ReadPermissions(r, doc, source);
      } else if (*kind == "AssetTypes") {
        ReadAssetTypes(r, doc, source);
      } else if (*kind == "Role") {
        ReadRole(r, doc, account_id, source);
      } else if (*kind == "PolicyTest") {
        ReadPolicyTest(r, doc, tests);
      } else {
        r.Error(doc["kind"], "unknown kind \"" + *kind + "\"" +
                                 DidYouMean(*kind, {"Permissions", "AssetTypes", "Role", "PolicyTest"}) +
                                 " (expected Permissions, AssetTypes, Role or PolicyTest)");
      }
    }
  } catch (const YAML::Exception& e) {
    errors->push_back({SourceLocation{file, e.mark.line + 1, e.mark.column + 1}, std::string("YAML: ") + e.msg});
  }
}

namespace {

// accounts/<id>/<file> declares custom roles of account <id>.
std::string AccountOfRelativePath(const fs::path& rel) {
  auto part = rel.begin();
  if (part != rel.end() && *part == "accounts") {
    ++part;
    if (part != rel.end() && std::next(part) != rel.end()) return part->string();
  }
  return {};
}

// Parses each text into one source and compiles it; `out` may already hold errors (files
// that could not be read), in which case nothing is published but everything is reported.
void ParseAndCompile(const std::vector<PolicyFileText>& files, std::uint64_t generation, PolicyLoad* out) {
  PolicySource source;
  for (const auto& f : files) {
    ParsePolicyText(f.text, f.path, AccountOfRelativePath(fs::path(f.relative)), &source, &out->tests, &out->errors);
    out->files.push_back(f.path);
  }
  source.files = out->files;
  // Compile even after parse errors, so one load reports everything it can find.
  CompileOutput compiled = CompilePolicySet(source, generation);
  const bool parsed_cleanly = out->errors.empty();
  out->errors.insert(out->errors.end(), compiled.errors.begin(), compiled.errors.end());
  if (parsed_cleanly && compiled.ok()) out->policy_set = std::move(compiled.policy_set);
}

}  // namespace

PolicyLoad LoadPolicyTexts(const std::vector<PolicyFileText>& files, std::uint64_t generation) {
  PolicyLoad out;
  if (files.empty()) out.errors.push_back({SourceLocation{}, "no *.yaml or *.yml files in the policy set"});
  ParseAndCompile(files, generation, &out);
  if (files.empty()) out.policy_set = nullptr;
  return out;
}

CompileOutput CompileCandidatePolicies(const std::vector<std::pair<std::string, std::string>>& files) {
  std::vector<PolicyFileText> texts;
  texts.reserve(files.size());
  for (const auto& [path, text] : files) texts.push_back({path, path, text});
  PolicyLoad load = LoadPolicyTexts(texts);
  return CompileOutput{load.policy_set, std::move(load.errors)};
}

PolicyLoad LoadPolicyDirectory(const std::string& dir, std::uint64_t generation) {
  PolicyLoad out;
  PolicyFileList listed = ListPolicyFiles(dir);
  if (!listed.ok()) {
    out.errors = std::move(listed.errors);
    return out;
  }
  std::vector<fs::path> paths(listed.files.begin(), listed.files.end());
  std::sort(paths.begin(), paths.end());
  std::vector<PolicyFileText> texts;
  for (const auto& path : paths) {
    Result<std::string> text = ReadPolicyFile(path.string());
    if (!text.ok()) {
      out.errors.push_back({SourceLocation{path.string(), 0, 0}, text.status().message()});
      out.files.push_back(path.string());
      continue;
    }
    texts.push_back({path.string(), path.lexically_relative(dir).string(), std::move(*text)});
  }
  if (paths.empty()) {
    out.errors.push_back({SourceLocation{dir, 0, 0}, "no *.yaml or *.yml files in the policy directory"});
  }
  ParseAndCompile(texts, generation, &out);
  return out;
}

}  // namespace gatehouse
