// Typed access to SDP attributes. Each typed attribute (Rtpmap, Fmtp, RtcpFeedback, Candidate, Fingerprint,
// SetupAttribute, Ssrc, SsrcGroup, Msid, Extmap, Crypto, Group, RtcpAttribute) has
//   static constexpr std::string_view kName;           the attribute name
//   static core::Result<T> parse(std::string_view);    the value after "a=<name>:"
//   std::string toString() const; Attribute toAttribute() const;   for building descriptions in code
// Attributes are parsed when asked for, so one odd line costs only the feature that reads it; a failure is an
// Error naming the line, never an exception. MediaView (media_view.hpp) adds the session-level fallbacks.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/text.hpp"
#include "sdp/candidate.hpp"
#include "sdp/crypto.hpp"
#include "sdp/direction.hpp"
#include "sdp/extmap.hpp"
#include "sdp/fingerprint.hpp"
#include "sdp/fmtp.hpp"
#include "sdp/group.hpp"
#include "sdp/msid.hpp"
#include "sdp/rtcp_attribute.hpp"
#include "sdp/rtcp_feedback.hpp"
#include "sdp/rtpmap.hpp"
#include "sdp/session_description.hpp"
#include "sdp/setup_attribute.hpp"
#include "sdp/ssrc.hpp"

namespace callgate::sdp {

// "a=<name>:<value>: <what is wrong>" for an attribute whose typed parse failed.
core::Error attributeError(const Attribute& attribute, const core::Error& error);

// Every attribute named T::kName in `attributes`, parsed, in order. Fails on the first malformed one.
template <typename T>
core::Result<std::vector<T>> parseAll(const std::vector<Attribute>& attributes) {
  std::vector<T> out;
  for (const Attribute& attribute : attributes) {
    if (!core::iequals(attribute.name, T::kName)) continue;
    auto parsed = T::parse(attribute.value ? std::string_view{*attribute.value} : std::string_view{});
    if (!parsed) return attributeError(attribute, parsed.error());
    out.push_back(std::move(*parsed));
  }
  return out;
}

// The first attribute named T::kName, parsed; nullopt when there is none.
template <typename T>
core::Result<std::optional<T>> parseFirst(const std::vector<Attribute>& attributes) {
  const Attribute* attribute = findAttribute(attributes, T::kName);
  if (attribute == nullptr) return std::optional<T>{};
  auto parsed = T::parse(attribute->value ? std::string_view{*attribute->value} : std::string_view{});
  if (!parsed) return attributeError(*attribute, parsed.error());
  return std::optional<T>{std::move(*parsed)};
}

}  // namespace callgate::sdp
