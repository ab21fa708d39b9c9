// a=fmtp:<format> <format specific parameters> (RFC 8866 §6.15)
//
//   a=fmtp:111 minptime=10;useinbandfec=1
//   a=fmtp:101 0-16                      (RFC 4733: not key=value)
//   a=fmtp:97 apt=96                     (RFC 4588 rtx)
//
// The parameters stay as written (their syntax belongs to each media type); parameter() reads the common
// "name=value;name=value" form on demand.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "sdp/session_description.hpp"

namespace callgate::sdp {

struct Fmtp {
  static constexpr std::string_view kName = "fmtp";

  std::string format;      // the payload type for RTP media
  std::string parameters;  // verbatim, may be empty

  // The value of a ';'-separated name=value parameter, names compared case-insensitively (RFC 4855 §3);
  // "" for a parameter without '='; nullopt when absent. The view points into `parameters`.
  std::optional<std::string_view> parameter(std::string_view name) const;
  // All parameters in order, as (name, value) views into `parameters`.
  std::vector<std::pair<std::string_view, std::string_view>> parameterList() const;

  static core::Result<Fmtp> parse(std::string_view value);
  std::string toString() const;
  Attribute toAttribute() const { return Attribute{std::string(kName), toString()}; }

  bool operator==(const Fmtp&) const = default;
};

}  // namespace callgate::sdp
