// Unit test of the example plugin through the SDK's FakeHost: the same C boundary the
// daemon uses, without the daemon.
#include <cstdio>
#include <fstream>
#include <gatehouse/testing/fake_host.hpp>
#include <iostream>
#include <sstream>

extern "C" const gh_plugin_descriptor* GH_PLUGIN_ENTRY(const uint32_t* majors, size_t count);

int main() {
  using gatehouse::sdk::testing::FakeHost;
  FakeHost host;
  const gh_plugin_descriptor* d = host.Negotiate(&GH_PLUGIN_ENTRY);
  const std::string path = "example-test-events.txt";
  std::remove(path.c_str());
  auto notifier = host.OpenNotifier(d, {{"path", path}});
  if (notifier.Deliver({{7, "account.created", "acme", "system", 0, "{}"}}) != GH_OK) return 1;
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  if (text.str() != "7 account.created acme\n") {
    std::cerr << "unexpected file content: " << text.str();
    return 1;
  }
  try {
    host.OpenNotifier(d, {{"path", ""}});
    return 1;  // must refuse an empty path
  } catch (const std::exception& e) {
    if (std::string(e.what()).find("empty") == std::string::npos) return 1;
  }
  if (host.logs.empty()) return 1;
  std::cout << "example plugin: 1 passed, 0 failed\n";
  return 0;
}
