// Ended calls counted by final status and a bounded reason, for /metrics (callgate_calls_ended_total).
//
// The reason is a label, so its values must stay few (Prometheus: every label value is a time series): the
// WCS info string when the call's info starts with one of PROTOCOL.md §3's CALL_STATUS_INFO strings,
// "sip_<code>" for a SIP final response 300..699, otherwise "other". Free text (a SIP reason phrase, an
// error message naming a field) never becomes a label.
//
// Single-threaded: the control loop only (calls end there), so no locking.
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace callgate::gateway {

class CallCounters {
 public:
  struct Key {
    std::string status;  // FINISH, BUSY, FAILED (a call status of PROTOCOL.md §9; else "other")
    std::string reason;  // see callEndReason()
    auto operator<=>(const Key&) const = default;
  };

  // A call ended with `status` after telling its client `info`; `sipStatus` is the SIP final response that
  // ended it (0: none, e.g. a local hangup or a media failure).
  void ended(std::string_view status, std::string_view info, int sipStatus);

  // Every (status, reason) seen so far with its count; counts only grow.
  const std::map<Key, uint64_t>& counts() const { return counts_; }
  uint64_t count(std::string_view status, std::string_view reason) const;
  uint64_t total() const { return total_; }

 private:
  std::map<Key, uint64_t> counts_;
  uint64_t total_ = 0;
};

// The bounded reason label for a call that ended with `info` and `sipStatus` (see above).
std::string callEndReason(std::string_view info, int sipStatus);
// `status` when it is a call status of PROTOCOL.md §9, else "other".
std::string_view callStatusLabel(std::string_view status);

}  // namespace callgate::gateway
