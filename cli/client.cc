#include "client.h"

#include <httplib.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace gatehouse::cli {
namespace {

std::string FromEnv(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

std::string Trimmed(std::string s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return s.substr(first, last - first + 1);
}

}  // namespace

void ClientOptions::AddTo(CLI::App* command) {
  command->add_option("--server", server, "Daemon URL (env GATEHOUSE_URL; default http://127.0.0.1:8080)");
  command->add_option("--key-file", key_file, "File holding the API key to send (env GATEHOUSE_KEY_FILE)");
  command->add_option("--account", account, "Account id for account-scoped calls (env GATEHOUSE_ACCOUNT)");
  command->add_option("--timeout", timeout_seconds, "Seconds to wait for the daemon (default 30)")
      ->check(CLI::Range(1, 3600));
}

void ClientOptions::ApplyDefaults() {
  if (server.empty()) server = FromEnv("GATEHOUSE_URL");
  if (server.empty()) server = "http://127.0.0.1:8080";
  if (key_file.empty()) key_file = FromEnv("GATEHOUSE_KEY_FILE");
  if (account.empty()) account = FromEnv("GATEHOUSE_ACCOUNT");
}

Result<Client> Client::Open(ClientOptions options) {
  options.ApplyDefaults();
  if (options.server.rfind("http://", 0) != 0 && options.server.rfind("https://", 0) != 0) {
    return InvalidArgument("--server \"" + options.server + "\": expected a URL starting with http:// or https://");
  }
  while (options.server.size() > 1 && options.server.back() == '/') options.server.pop_back();
  std::string key;
  if (!options.key_file.empty()) {
    std::ifstream in(options.key_file);
    if (!in) return InvalidArgument("--key-file \"" + options.key_file + "\": cannot read it");
    std::stringstream text;
    text << in.rdbuf();
    key = Trimmed(text.str());
    if (key.empty()) return InvalidArgument("--key-file \"" + options.key_file + "\": the file is empty");
  }
  return Client(std::move(options), std::move(key));
}

Result<Response> Client::Get(const std::string& path) { return Send("GET", path, nullptr, "", nullptr); }

Result<Response> Client::Post(const std::string& path, const std::string& body, const std::string& content_type) {
  return Send("POST", path, &body, content_type, nullptr);
}

Result<Response> Client::Delete(const std::string& path) { return Send("DELETE", path, nullptr, "", nullptr); }

Result<Response> Client::Download(const std::string& path, std::FILE* out) {
  return Send("GET", path, nullptr, "", out);
}

Result<Response> Client::Send(const std::string& method, const std::string& path, const std::string* body,
                              const std::string& content_type, std::FILE* sink) {
  httplib::Client http(options_.server);
  if (!http.is_valid()) return InvalidArgument("--server \"" + options_.server + "\": not a usable URL");
  http.set_connection_timeout(options_.timeout_seconds, 0);
  http.set_read_timeout(options_.timeout_seconds, 0);
  http.set_write_timeout(options_.timeout_seconds, 0);
  httplib::Headers headers;
  if (!key_.empty()) headers.emplace("Authorization", "Bearer " + key_);
  if (!options_.account.empty()) headers.emplace("wix-account-id", options_.account);
  httplib::Request req;
  req.method = method;
  req.path = path;
  req.headers = headers;
  if (body != nullptr) {
    req.body = *body;
    req.headers.emplace("Content-Type", content_type);
  }
  std::string kept;
  bool write_failed = false;
  if (sink != nullptr) {
    // A 200's body streams to the sink; anything else is kept to report.
    req.response_handler = [&](const httplib::Response& res) {
      if (res.status != 200) sink = nullptr;
      return true;
    };
    req.content_receiver = [&](const char* data, std::size_t n, std::uint64_t, std::uint64_t) {
      if (sink == nullptr) {
        kept.append(data, n);
      } else if (std::fwrite(data, 1, n, sink) != n) {
        write_failed = true;
        return false;
      }
      return true;
    };
  }
  httplib::Result r = http.send(req);
  if (write_failed) return Unavailable("writing the answer of " + method + " " + path + " failed");
  if (!r) {
    return Unavailable(method + " " + options_.server + path + ": " + httplib::to_string(r.error()));
  }
  return Response{r->status, sink != nullptr || !kept.empty() ? kept : r->body, r->get_header_value("Content-Type")};
}

std::string ServerMessage(const Response& r) {
  const auto body = nlohmann::json::parse(r.body, nullptr, false);
  if (body.is_object() && body.contains("message") && body["message"].is_string()) {
    return body["message"].get<std::string>();
  }
  return r.body;
}

}  // namespace gatehouse::cli
