// Ended calls counted by final status and a bounded reason, for /metrics (callgate_calls_ended_total), and
// incoming INVITEs refused before the client heard of them, by SIP status (callgate_incoming_refused_total).
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

  // An incoming INVITE was refused with `sipStatus` before any client was told of it: no session for its
  // token (404), a session that takes no calls (480), an offer it cannot read (400) or share a codec with
  // (488), no media ports (503). A status outside 300..699 counts as 0.
  void refusedIncoming(int sipStatus);

  // Every (status, reason) seen so far with its count; counts only grow.
  const std::map<Key, uint64_t>& counts() const { return counts_; }
  uint64_t count(std::string_view status, std::string_view reason) const;
  uint64_t total() const { return total_; }
  // Every refusal status seen so far with its count; counts only grow.
  const std::map<int, uint64_t>& refusals() const { return refusals_; }

 private:
  std::map<Key, uint64_t> counts_;
  uint64_t total_ = 0;
  std::map<int, uint64_t> refusals_;
};

// The bounded reason label for a call that ended with `info` and `sipStatus` (see above).
std::string callEndReason(std::string_view info, int sipStatus);
// `status` when it is a call status of PROTOCOL.md §9, else "other".
std::string_view callStatusLabel(std::string_view status);

}  // namespace callgate::gateway
