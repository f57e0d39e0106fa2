# Third-party dependencies, all from Debian 12 packages (scripts/install-deps.sh).
# Which layer may link which is decided in daemon/CMakeLists.txt.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(spdlog REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(Boost 1.74 REQUIRED)  # headers only: Boost.DLL
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
pkg_check_modules(SYSTEMD REQUIRED IMPORTED_TARGET libsystemd)
pkg_check_modules(LIBYAML REQUIRED IMPORTED_TARGET yaml-0.1)
# libpq: the PostgreSQL storage plugin (its C library keeps a stable ABI, as a C-ABI plugin wants)
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq)
if(GATEHOUSE_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(GATEHOUSE_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()

# yaml-cpp 0.7 on Debian exports the target as `yaml-cpp`.
if(TARGET yaml-cpp::yaml-cpp)
  set(GATEHOUSE_YAML yaml-cpp::yaml-cpp)
else()
  set(GATEHOUSE_YAML yaml-cpp)
endif()
