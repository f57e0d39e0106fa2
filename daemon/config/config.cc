#include "config/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <functional>
#include <sstream>

#include "core/time.h"
#include "yaml/yaml_document.h"

extern char** environ;

namespace gatehouse {
namespace {

using Setter = std::function<std::string(Config&, const std::string&)>;  // returns error or ""

struct Key {
  std::string path;
  Setter set;
};

std::string ParseSize(const std::string& v, std::size_t* out) {
  if (v.empty() || !std::all_of(v.begin(), v.end(), ::isdigit) || v.size() > 18) {
    return "expected a non-negative whole number, got \"" + v + "\"";
  }
  *out = static_cast<std::size_t>(std::stoull(v));
  return "";
}

std::string ParseBool(const std::string& v, bool* out) {
  if (v == "true")
    *out = true;
  else if (v == "false")
    *out = false;
  else
    return "expected true or false, got \"" + v + "\"";
  return "";
}

std::string ParsePositiveDuration(const std::string& v, std::int64_t* out) {
  auto d = ParseDurationMs(v);
  if (!d || *d <= 0) return "expected a positive duration such as 250ms, 30s or 5m, got \"" + v + "\"";
  *out = *d;
  return "";
}

std::string ParseHostPort(const std::string& v, std::string* host_out, int* port_out) {
  const auto colon = v.rfind(':');
  if (colon == std::string::npos || colon == 0) return "expected HOST:PORT, got \"" + v + "\"";
  std::size_t port;
  if (!ParseSize(v.substr(colon + 1), &port).empty() || port > 65535) {
    return "expected HOST:PORT with a port from 0 to 65535, got \"" + v + "\"";
  }
  std::string host = v.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  *host_out = host;
  *port_out = static_cast<int>(port);
  return "";
}

// A second listener's HOST:PORT; empty turns it off.
std::string ParseOptionalListen(const std::string& v, std::string* host_out, int* port_out) {
  if (v.empty()) {
    host_out->clear();
    return "";
  }
  return ParseHostPort(v, host_out, port_out);
}

// A thread count from `min` to 64.
std::string ParseThreads(const std::string& v, std::size_t min, int* out) {
  std::size_t n = 0;
  auto e = ParseSize(v, &n);
  if (e.empty() && (n < min || n > 64)) e = "expected " + std::to_string(min) + " to 64 threads";
  if (e.empty()) *out = static_cast<int>(n);
  return e;
}

std::string ParseListen(const std::string& v, Config& c) { return ParseHostPort(v, &c.listen_host, &c.listen_port); }

// Whole seconds, 1 to 3600, stored as milliseconds.
std::string ParseSeconds(const std::string& v, std::int64_t* out_ms) {
  std::size_t n = 0;
  auto e = ParseSize(v, &n);
  if (e.empty() && (n == 0 || n > 3600)) e = "expected 1 to 3600 seconds, got \"" + v + "\"";
  if (e.empty()) *out_ms = static_cast<std::int64_t>(n) * 1000;
  return e;
}

std::vector<std::string> SplitList(const std::string& v) {
  std::vector<std::string> out;
  std::stringstream ss(v);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

const std::vector<Key>& Keys() {
  static const std::vector<Key> keys = {
      {"http.listen", [](Config& c, const std::string& v) { return ParseListen(v, c); }},
      {"http.tls.cert",
       [](Config& c, const std::string& v) {
         c.tls_cert = v;
         return std::string();
       }},
      {"http.tls.key",
       [](Config& c, const std::string& v) {
         c.tls_key = v;
         return std::string();
       }},
      {"http.maxBodyBytes", [](Config& c, const std::string& v) { return ParseSize(v, &c.max_body_bytes); }},
      {"http.maxImportBytes", [](Config& c, const std::string& v) { return ParseSize(v, &c.max_import_bytes); }},
      {"http.threads",
       [](Config& c, const std::string& v) {
         std::size_t n;
         auto e = ParseSize(v, &n);
         if (e.empty() && n > 8192) e = "expected 0 to 8192 threads";
         c.threads = static_cast<int>(n);
         return e;
       }},
      {"http.readTimeoutSeconds", [](Config& c, const std::string& v) { return ParseSeconds(v, &c.read_timeout_ms); }},
      {"http.writeTimeoutSeconds",
       [](Config& c, const std::string& v) { return ParseSeconds(v, &c.write_timeout_ms); }},
      {"http.idleTimeoutSeconds", [](Config& c, const std::string& v) { return ParseSeconds(v, &c.idle_timeout_ms); }},
      {"http.listenBacklog",
       [](Config& c, const std::string& v) {
         auto e = ParseSize(v, &c.listen_backlog);
         if (e.empty() && (c.listen_backlog == 0 || c.listen_backlog > 65535)) e = "expected 1 to 65535";
         return e;
       }},
      {"http.shutdownGraceSeconds",
       [](Config& c, const std::string& v) {
         std::size_t n;
         auto e = ParseSize(v, &n);
         if (e.empty() && n > 3600) e = "expected 0 to 3600 seconds";
         c.shutdown_grace_seconds = static_cast<int>(n);
         return e;
       }},
      {"ops.listen",
       [](Config& c, const std::string& v) { return ParseOptionalListen(v, &c.ops_host, &c.ops_port); }},
      {"http.decisionListen",
       [](Config& c, const std::string& v) { return ParseOptionalListen(v, &c.decision_host, &c.decision_port); }},
      {"http.decisionThreads",  // 0 = one per core
       [](Config& c, const std::string& v) { return ParseThreads(v, 0, &c.decision_threads); }},
      {"ops.threads", [](Config& c, const std::string& v) { return ParseThreads(v, 1, &c.ops_threads); }},
      {"policies.dir",
       [](Config& c, const std::string& v) {
         c.policies_dir = v;
         return std::string();
       }},
      {"policies.watch", [](Config& c, const std::string& v) { return ParseBool(v, &c.policies_watch); }},
      {"auth.systemKeyHashes",
       [](Config& c, const std::string& v) {
         c.system_key_hashes = SplitList(v);
         for (const auto& h : c.system_key_hashes) {
           if (h.size() != 64 || !std::all_of(h.begin(), h.end(), ::isxdigit)) {
             return "expected sha256 hex digests (64 hex characters), got \"" + h + "\"";
           }
         }
         return std::string();
       }},
      {"auth.systemKeyFile",
       [](Config& c, const std::string& v) {
         c.system_key_file = v;
         return std::string();
       }},
      {"invites.ttl", [](Config& c, const std::string& v) { return ParsePositiveDuration(v, &c.invite_ttl_ms); }},
      {"invites.acceptBaseUrl",
       [](Config& c, const std::string& v) {
         c.accept_base_url = v;
         return std::string();
       }},
      {"limits.batchCheck",
       [](Config& c, const std::string& v) {
         auto e = ParseSize(v, &c.batch_check_limit);
         if (e.empty() && c.batch_check_limit == 0) e = "must be at least 1";
         return e;
       }},
      {"limits.pageSize",
       [](Config& c, const std::string& v) {
         auto e = ParseSize(v, &c.page_size_limit);
         if (e.empty() && c.page_size_limit == 0) e = "must be at least 1";
         return e;
       }},
      {"limits.accountRequestsPerSecond",
       [](Config& c, const std::string& v) { return ParseSize(v, &c.account_requests_per_second); }},
      {"limits.accountBurst", [](Config& c, const std::string& v) { return ParseSize(v, &c.account_burst); }},
      {"notify.batchSize",
       [](Config& c, const std::string& v) {
         auto e = ParseSize(v, &c.notify_batch_size);
         if (e.empty() && (c.notify_batch_size == 0 || c.notify_batch_size > 10000)) e = "expected 1 to 10000";
         return e;
       }},
      {"notify.backoffBase",
       [](Config& c, const std::string& v) { return ParsePositiveDuration(v, &c.notify_backoff_base_ms); }},
      {"notify.backoffMax",
       [](Config& c, const std::string& v) { return ParsePositiveDuration(v, &c.notify_backoff_max_ms); }},
      {"notify.pollInterval",
       [](Config& c, const std::string& v) { return ParsePositiveDuration(v, &c.notify_poll_interval_ms); }},
      {"cluster.minRevisionWait",
       [](Config& c, const std::string& v) { return ParsePositiveDuration(v, &c.min_revision_wait_ms); }},
      {"history.retention",
       [](Config& c, const std::string& v) {
         if (v == "0") {
           c.history_retention_ms = 0;
           return std::string();
         }
         auto d = ParseDurationMs(v);
         if (!d || *d < 0) return "expected a duration such as 720h or 90m, or 0, got \"" + v + "\"";
         c.history_retention_ms = *d;
         return std::string();
       }},
      {"history.snapshotEvery",
       [](Config& c, const std::string& v) {
         std::size_t n = 0;
         auto e = ParseSize(v, &n);
         c.history_snapshot_every = n;
         return e;
       }},
      {"history.checkInterval",
       [](Config& c, const std::string& v) { return ParsePositiveDuration(v, &c.history_check_interval_ms); }},
      {"plugins.dir",
       [](Config& c, const std::string& v) {
         c.plugins_dir = v;
         return std::string();
       }},
      {"storage.plugin",
       [](Config& c, const std::string& v) {
         c.storage_plugin = v;
         return std::string();
       }},
      {"log.level",
       [](Config& c, const std::string& v) {
         static const std::vector<std::string> ok = {"trace", "debug", "info", "warn", "error"};
         if (std::find(ok.begin(), ok.end(), v) == ok.end())
           return "expected trace, debug, info, warn or error, got \"" + v + "\"";
         c.log_level = v;
         return std::string();
       }},
      {"log.access", [](Config& c, const std::string& v) { return ParseBool(v, &c.log_access); }},
      {"log.format",
       [](Config& c, const std::string& v) {
         static const std::vector<std::string> ok = {"auto", "text", "json", "journald", "journal"};
         if (std::find(ok.begin(), ok.end(), v) == ok.end())
           return "expected auto, text, json or journald, got \"" + v + "\"";
         c.log_format = v == "journal" ? "journald" : v;
         return std::string();
       }},
  };
  return keys;
}

// http.maxBodyBytes → HTTP_MAX_BODY_BYTES
std::string EnvName(const std::string& path) {
  std::string out;
  for (std::size_t i = 0; i < path.size(); ++i) {
    const char ch = path[i];
    if (ch == '.') {
      out += '_';
    } else if (std::isupper(static_cast<unsigned char>(ch))) {
      out += '_';
      out += ch;
    } else {
      out += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    }
  }
  return out;
}

std::string Where(const std::string& file, const YAML::Node& n) {
  const YamlPosition p = PositionOf(n);
  if (p.line == 0) return file;
  return file + ":" + std::to_string(p.line) + ":" + std::to_string(p.column);
}

std::string ScalarOrList(const YAML::Node& n) {
  if (n.IsSequence()) {
    std::string joined;
    for (const auto& item : n) joined += (joined.empty() ? "" : ",") + item.as<std::string>();
    return joined;
  }
  return n.IsNull() ? std::string() : n.Scalar();
}

void Walk(const YAML::Node& node, const std::string& prefix, const std::string& file, Config& c,
          std::vector<std::string>* errors) {
  for (const auto& kv : node) {
    const std::string key = kv.first.Scalar();
    const std::string path = prefix.empty() ? key : prefix + "." + key;
    const YAML::Node& value = kv.second;
    if (path == "storage.options") {
      if (!value.IsMap() && !value.IsNull()) {
        errors->push_back(Where(file, value) + ": storage.options: expected a mapping");
        continue;
      }
      c.storage_options.clear();
      for (const auto& o : value) c.storage_options[o.first.Scalar()] = ScalarOrList(o.second);
      continue;
    }
    if (path == "notifiers") {
      if (!value.IsSequence() && !value.IsNull()) {
        errors->push_back(Where(file, value) + ": notifiers: expected a list of {plugin, options}");
        continue;
      }
      c.notifiers.clear();
      for (const auto& n : value) {
        if (!n.IsMap()) {
          errors->push_back(Where(file, n) + ": notifiers: each entry is a mapping {plugin, options}");
          continue;
        }
        NotifierConfig nc;
        for (const auto& f : n) {
          const std::string k = f.first.Scalar();
          if (k == "plugin") {
            nc.plugin = f.second.Scalar();
          } else if (k == "name") {
            nc.name = f.second.Scalar();
          } else if (k == "options") {
            for (const auto& o : f.second) nc.options[o.first.Scalar()] = ScalarOrList(o.second);
          } else {
            errors->push_back(Where(file, f.first) + ": notifiers: unknown key \"" + k +
                              "\" (expected plugin, name, options)");
          }
        }
        if (nc.plugin.empty()) errors->push_back(Where(file, n) + ": notifiers: missing \"plugin\"");
        if (nc.name.empty()) {
          int same = 1;
          for (const auto& other : c.notifiers) same += other.plugin == nc.plugin ? 1 : 0;
          nc.name = same == 1 ? nc.plugin : nc.plugin + "#" + std::to_string(same);
        }
        for (const auto& other : c.notifiers) {
          if (other.name == nc.name)
            errors->push_back(Where(file, n) + ": notifiers: name \"" + nc.name + "\" is used twice");
        }
        c.notifiers.push_back(std::move(nc));
      }
      continue;
    }
    const auto& keys = Keys();
    auto it = std::find_if(keys.begin(), keys.end(), [&](const Key& k) { return k.path == path; });
    if (it != keys.end()) {
      if (value.IsMap()) {
        errors->push_back(Where(file, value) + ": " + path + ": expected a value, not a mapping");
        continue;
      }
      const std::string err = it->set(c, ScalarOrList(value));
      if (!err.empty()) errors->push_back(Where(file, value) + ": " + path + ": " + err);
      continue;
    }
    const bool is_section =
        std::any_of(keys.begin(), keys.end(), [&](const Key& k) { return k.path.rfind(path + ".", 0) == 0; }) ||
        path == "storage" || path == "notifiers";
    if (is_section && value.IsMap()) {
      Walk(value, path, file, c, errors);
    } else if (is_section && value.IsNull()) {
      continue;
    } else {
      std::string known;
      for (const auto& k : keys) {
        if (prefix.empty() || k.path.rfind(prefix + ".", 0) == 0) known += (known.empty() ? "" : ", ") + k.path;
      }
      const std::string hint = " (known keys: " + known + ")";
      errors->push_back(Where(file, kv.first) + ": unknown key \"" + path + "\"" + hint);
    }
  }
}

void ApplyEnv(const std::vector<std::string>& env, Config& c, std::vector<std::string>* errors) {
  for (const auto& entry : env) {
    if (entry.rfind("GATEHOUSE_", 0) != 0) continue;
    const auto eq = entry.find('=');
    if (eq == std::string::npos) continue;
    const std::string name = entry.substr(10, eq - 10);
    const std::string value = entry.substr(eq + 1);
    // The CLI client's settings (docs/cli.md): an operator's shell may export them where
    // the daemon also runs; they are not daemon configuration and not a mistake.
    if (name == "URL" || name == "KEY_FILE" || name == "ACCOUNT") continue;
    if (name == "HTTP_PORT") {
      std::size_t port;
      if (!ParseSize(value, &port).empty() || port > 65535) {
        errors->push_back("environment GATEHOUSE_HTTP_PORT: expected a port from 0 to 65535, got \"" + value + "\"");
      } else {
        c.listen_port = static_cast<int>(port);
      }
      continue;
    }
    if (name.rfind("STORAGE_OPTIONS_", 0) == 0) {
      std::string option = name.substr(16);
      std::transform(option.begin(), option.end(), option.begin(), ::tolower);
      c.storage_options[option] = value;
      continue;
    }
    bool found = false;
    for (const auto& k : Keys()) {
      if (EnvName(k.path) != name) continue;
      found = true;
      const std::string err = k.set(c, value);
      if (!err.empty()) errors->push_back("environment GATEHOUSE_" + name + " (" + k.path + "): " + err);
    }
    if (!found) {
      errors->push_back("environment GATEHOUSE_" + name + ": no such configuration key");
    }
  }
}

Result<Config> Finish(Config c, const std::vector<std::string>& errors) {
  std::vector<std::string> all = errors;
  // The default database path belongs to the default plugin: another plugin gets only the
  // options written for it (it would refuse an unknown "path").
  if (c.storage_plugin == "sqlite" && c.storage_options.count("path") == 0) {
    c.storage_options["path"] = kDefaultSqlitePath;
  }
  if (c.tls_cert.empty() != c.tls_key.empty()) {
    all.push_back((c.file.empty() ? std::string("config") : c.file) + ": http.tls: set both cert and key, or neither");
  }
  if (!all.empty()) {
    std::string message;
    for (const auto& e : all) message += (message.empty() ? "" : "\n") + e;
    return InvalidArgument(message);
  }
  return c;
}

}  // namespace

Result<Config> ParseConfig(const std::string& text, const std::string& file, const std::vector<std::string>& env) {
  Config c;
  c.file = file;
  std::vector<std::string> errors;
  YamlDocuments parsed = ParseYamlDocuments(text);
  if (!parsed.ok()) {
    const YamlProblem& p = *parsed.problem;
    return InvalidArgument(file + ":" + std::to_string(std::max(p.line, 1)) + ":" +
                           std::to_string(std::max(p.column, 1)) + ": YAML syntax error: " + p.message);
  }
  if (parsed.documents.size() > 1) {
    errors.push_back(file + ": expected one YAML document, found " + std::to_string(parsed.documents.size()));
  }
  try {
    const YAML::Node root = parsed.documents.empty() ? YAML::Node() : parsed.documents.front();
    if (root.IsMap()) {
      Walk(root, "", file, c, &errors);
    } else if (!root.IsNull()) {
      errors.push_back(Where(file, root) + ": expected a mapping of configuration sections");
    }
  } catch (const YAML::Exception& e) {
    errors.push_back(file + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) + ": " +
                     e.msg);
  }
  ApplyEnv(env, c, &errors);
  return Finish(std::move(c), errors);
}

Result<Config> LoadConfig(const std::string& path, const std::vector<std::string>& env) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return InvalidArgument(path + ": cannot read configuration file");
  std::ostringstream text;
  text << in.rdbuf();
  return ParseConfig(text.str(), path, env);
}

std::vector<std::string> ProcessEnvironment() {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) env.emplace_back(*e);
  return env;
}

}  // namespace gatehouse
