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

Result<Response> Client::Get(const std::string& path) { return Send("GET", path, nullptr); }

Result<Response> Client::Post(const std::string& path, const std::string& json_body) {
  return Send("POST", path, &json_body);
}

Result<Response> Client::Send(const std::string& method, const std::string& path, const std::string* body) {
  httplib::Client http(options_.server);
  if (!http.is_valid()) return InvalidArgument("--server \"" + options_.server + "\": not a usable URL");
  http.set_connection_timeout(options_.timeout_seconds, 0);
  http.set_read_timeout(options_.timeout_seconds, 0);
  http.set_write_timeout(options_.timeout_seconds, 0);
  httplib::Headers headers;
  if (!key_.empty()) headers.emplace("Authorization", "Bearer " + key_);
  if (!options_.account.empty()) headers.emplace("wix-account-id", options_.account);
  httplib::Result r = method == "GET" ? http.Get(path, headers) : http.Post(path, headers, *body, "application/json");
  if (!r) {
    return Unavailable(method + " " + options_.server + path + ": " + httplib::to_string(r.error()));
  }
  return Response{r->status, r->body, r->get_header_value("Content-Type")};
}

std::string ServerMessage(const Response& r) {
  const auto body = nlohmann::json::parse(r.body, nullptr, false);
  if (body.is_object() && body.contains("message") && body["message"].is_string()) {
    return body["message"].get<std::string>();
  }
  return r.body;
}

}  // namespace gatehouse::cli
