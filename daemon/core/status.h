// Status and Result<T>: how every layer below the HTTP adapter reports failure.
//
// A Status is either OK or a (code, message) pair. The codes are the API's canonical
// error codes (api.md §1.2), so `api/` maps each code to one HTTP status in one table.
// Pick codes like Abseil does: InvalidArgument for bad input whatever the state,
// FailedPrecondition for a valid request in the wrong state, NotFound, Aborted for a
// conflict worth retrying, Unavailable for an environment fault that changed nothing.
//
// Result<T> holds either a T or a non-OK Status. Both are [[nodiscard]]: dropping one
// unread is a compile warning (an error under -Werror).
//
// Thread safety: value types; safe to copy between threads, not to mutate concurrently.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace gatehouse {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,
  kOutOfRange,
  kUnauthenticated,
  kPermissionDenied,
  kNotFound,
  kAlreadyExists,
  kAborted,
  kFailedPrecondition,
  kResourceExhausted,
  kInternal,
  kUnavailable,
  kGone,  // asked for history that retention has forgotten (HTTP 410)
};

// The API spelling of a code ("INVALID_ARGUMENT", ...).
std::string_view StatusCodeName(StatusCode code);

// One violated field of a request, as the Wix validation error body lists them.
struct FieldViolation {
  std::string field;
  std::string description;
  std::string violated_rule;  // e.g. "REQUIRED_FIELD", "INVALID_VALUE"
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::vector<FieldViolation>& violations() const { return violations_; }

  // Adds a field violation; meaningful on kInvalidArgument / kOutOfRange.
  Status& WithViolation(std::string field, std::string description, std::string rule);

  // "CODE: message", for logs and tests.
  std::string ToString() const;

  // Explicitly ignores a status (call sites say why in a comment).
  void IgnoreError() const {}

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::vector<FieldViolation> violations_;
};

Status InvalidArgument(std::string message);
Status NotFound(std::string message);
Status AlreadyExists(std::string message);
Status FailedPrecondition(std::string message);
Status Aborted(std::string message);
Status Unavailable(std::string message);
Status Internal(std::string message);
Status PermissionDenied(std::string message);
Status Unauthenticated(std::string message);
Status OutOfRange(std::string message);
Status ResourceExhausted(std::string message);
Status Gone(std::string message);

// A field violation as a whole status: "field: description".
Status FieldError(std::string field, std::string description, std::string rule = "INVALID_VALUE");

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT(google-explicit-constructor)
  Result(Status status) : status_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!status_.ok() && "Result built from an OK status has no value");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  T& value() & {
    assert(ok());
    return *value_;
  }
  const T& value() const& {
    assert(ok());
    return *value_;
  }
  T&& value() && {
    assert(ok());
    return std::move(*value_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace gatehouse

// Returns early from the enclosing function when `expr` is not OK.
#define GH_RETURN_IF_ERROR(expr)         \
  do {                                   \
    ::gatehouse::Status gh_st_ = (expr); \
    if (!gh_st_.ok()) return gh_st_;     \
  } while (0)
